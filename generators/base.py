"""The question-family model.

A family is one class with the same phases everywhere:

- `parse(data)`   explicit params (YAML/JSON values) -> immutable, validated params
- `dump(params)`  params -> plain data; `parse(dump(p)) == p` (the manifest relies on it)
- `draw(rng, branch, options)` a seeded random draw of params on one structural branch
- `solve(params)`  the exact answer (sympy) with a worked solution
- `verify(params)` an independent second computation (floats, brute force, construction)
- `mistakes(params)` named misconceptions and the answers they lead to
- `context(params)` formatted strings for the family's LaTeX stem template

Params classes validate themselves on construction and raise `InvalidParams`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping, Sequence

import numpy as np

from answer_engine.checking import DEFAULT_TOLERANCE, Tolerance
from answer_engine.distractors import Mistake
from answer_engine.errors import InvalidParams
from answer_engine.exact import Value
from answer_engine.formatting import Latex, tex

FORMATS = ("mcq", "numeric", "open")


@dataclass(frozen=True)
class Part:
    """A named answer part and the math-mode label printed beside its box."""

    name: str
    label: Latex


@dataclass(frozen=True)
class Solution:
    """Every named part's exact value, and the worked solution as LaTeX lines."""

    values: Mapping[str, Value]
    steps: tuple[Latex, ...]


class Family(ABC):
    id: ClassVar[str]
    title: ClassVar[str]
    formats: ClassVar[tuple[str, ...]] = FORMATS
    # Structural branches a draw can take; variants of one exam slot share one branch.
    branches: ClassVar[tuple[str, ...]]
    # Draw options a spec may set (name -> help text); unknown options are refused.
    draw_options: ClassVar[Mapping[str, str]] = {}
    tolerance: ClassVar[Tolerance] = DEFAULT_TOLERANCE
    # How many options a multiple-choice variant offers.
    choices: ClassVar[int] = 5
    # Absolute/relative slack for comparing the exact key with the float check.
    verify_tolerance: ClassVar[float] = 1e-9
    # Non-rational answers are printed as decimals with this many significant figures.
    display_digits: ClassVar[int] = 4

    # --- params -----------------------------------------------------------------
    @abstractmethod
    def parse(self, data: Mapping[str, Any]) -> Any: ...

    @abstractmethod
    def dump(self, params: Any) -> dict: ...

    @abstractmethod
    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> Any: ...

    @abstractmethod
    def branch_of(self, params: Any) -> str: ...

    def default_branch(self, options: Mapping[str, Any]) -> str:
        """The branch a slot takes when the spec names none: the family's first."""
        return self.branches[0]

    # --- answers ----------------------------------------------------------------
    @abstractmethod
    def parts(self, params: Any) -> tuple[Part, ...]: ...

    @abstractmethod
    def solve(self, params: Any) -> Solution: ...

    @abstractmethod
    def verify(self, params: Any) -> Mapping[str, Value | float]: ...

    @abstractmethod
    def mistakes(self, params: Any) -> Sequence[Mistake]: ...

    def mcq_parts(self, params: Any) -> tuple[str, ...]:
        """The parts a multiple-choice variant asks for (one option = one value each)."""
        return (self.parts(params)[0].name,)

    def numeric_parts(self, params: Any) -> tuple[str, ...]:
        return tuple(part.name for part in self.parts(params))

    def print_values(self, params: Any, values: tuple[Value, ...]) -> Latex:
        """How an option (a tuple of part values) is printed."""
        printed = [self.print_value(params, value) for value in values]
        return Latex(printed[0] if len(printed) == 1 else "(" + ", ".join(printed) + ")")

    def print_value(self, params: Any, value: Value) -> Latex:
        return Latex("$%s$" % tex(value, self.digits(params)))

    def digits(self, params: Any) -> int | None:
        """Significant figures for printing non-rational answers, or None for exact forms."""
        return None

    # --- presentation -----------------------------------------------------------
    @abstractmethod
    def context(self, params: Any) -> dict: ...

    def check_options(self, options: Mapping[str, Any]) -> None:
        unknown = sorted(set(options) - set(self.draw_options))
        if unknown:
            known = ", ".join(self.draw_options) or "none"
            raise InvalidParams(f"unknown option {unknown[0]!r} for {self.id} (options: {known})", "options")

    def check_branch(self, branch: str) -> None:
        if branch not in self.branches:
            raise InvalidParams(
                f"unknown branch {branch!r} for {self.id} (branches: {', '.join(self.branches)})", "branch"
            )


# --- parsing helpers shared by the families ---------------------------------------

def require_fields(data: Mapping[str, Any], required: Sequence[str], optional: Sequence[str] = ()) -> None:
    """Refuse missing and unknown keys by name, so a typo is reported, not ignored."""
    if not isinstance(data, Mapping):
        raise InvalidParams(f"params must be a mapping of names to values, got {type(data).__name__}")
    for name in required:
        if name not in data:
            raise InvalidParams("missing", name)
    allowed = set(required) | set(optional)
    for name in data:
        if name not in allowed:
            raise InvalidParams(f"unknown field (expected: {', '.join([*required, *optional])})", str(name))


def sequence(value: Any, field: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise InvalidParams(f"expected a list, got {value!r}", field)
    return list(value)


def choice(value: Any, allowed: Sequence[str], field: str) -> str:
    if value not in allowed:
        raise InvalidParams(f"expected one of {', '.join(allowed)}, got {value!r}", field)
    return value


# --- the registry -------------------------------------------------------------------

_REGISTRY: dict[str, Family] = {}


def register(cls: type[Family]) -> type[Family]:
    """Class decorator: make a family available by its id (one line per family)."""
    if cls.id in _REGISTRY:
        raise RuntimeError(f"family {cls.id!r} registered twice")
    _REGISTRY[cls.id] = cls()
    return cls


def family(family_id: str) -> Family:
    try:
        return _REGISTRY[family_id]
    except KeyError:
        raise InvalidParams(
            f"unknown family {family_id!r} (known: {', '.join(sorted(_REGISTRY))})", "family"
        ) from None


def families() -> list[Family]:
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]
