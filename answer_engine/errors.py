"""The project's error types.

Every failure a user can cause is an `InputError` (exit status 2); a key whose two
independent computations disagree is a `VerificationError` (exit status 1): never a
silently printed key.
"""


class VariantexError(Exception):
    """Base of every error variantex raises on purpose."""

    exit_code = 1


class InputError(VariantexError):
    """Bad input: a spec, params, roster or keys file that cannot be used as written.

    `where` names the file, line or field so the one-line message points at the problem.
    """

    exit_code = 2

    def __init__(self, message: str, where: str = ""):
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)

    def located(self, outer: str) -> "InputError":
        """The same error with an outer location (file, item) in front of its own."""
        where = f"{outer}: {self.where}" if outer and self.where else (outer or self.where)
        return type(self)(self.message, where)


class InvalidParams(InputError):
    """Params that violate a family's constraints (dependent eigenvectors, unknown player…)."""


class VerificationError(VariantexError):
    """The exact solver and the independent check disagree: the key must not be printed."""


class CompileError(VariantexError):
    """LaTeX failed; the message carries the relevant lines of the TeX log."""
