"""A variant: a family with concrete params, its verified exact key, and its options."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from variantex.answer_engine.distractors import Option, OptionPool, arrange, option_pool
from variantex.answer_engine.errors import InputError, InvalidParams
from variantex.answer_engine.verification import confirm
from variantex.generators.base import Family, Solution, confusable_mistakes, named_mistakes

MAX_DRAW_ATTEMPTS = 200


@dataclass(frozen=True)
class Variant:
    family: Family
    params: Any
    # A random draw (redrawn when unfit) rather than params someone wrote: options must
    # then allow the key at every rank (see distractors.arrange).
    drawn: bool = False

    @cached_property
    def solution(self) -> Solution:
        return _verified_solution(self.family, self.params)

    @property
    def branch(self) -> str:
        return self.family.branch_of(self.params)

    @cached_property
    def pool(self) -> OptionPool:
        """The correct option and every usable named mistake, printed once per variant."""
        family, params = self.family, self.params
        return option_pool(
            parts=family.mcq_parts(params),
            # The exact solve is enough to choose options; usable_as verifies the key as well
            # before anything is printed (and only for draws whose options work out).
            correct=_exact_solution(family, params).values,
            mistakes=named_mistakes(family, params),
            printer=lambda values: family.show_values(params, values),
            # Printed options are exact: the family's own tolerance keeps a distractor from
            # passing for the key (no decimals typed here, so no separation is needed).
            rules=family.rules_for(params, separate=False),
            count=family.choices_for(params),
            plausible=lambda values: family.plausible(params, values),
            # A draw that lacks five named mistakes is redrawn; params someone wrote keep the
            # mistakes they have, three options at the least.
            fewest=None if self.drawn else 3,
        )

    @cached_property
    def options(self) -> tuple[Option, ...]:
        """Multiple-choice options: the correct one and named mistakes, distinct by value and
        as printed, arranged by a function of the params alone (for params someone wrote,
        and for banks, where each variant appears once)."""
        return arrange(self.pool, self.arrangement(), every_rank=self.drawn)

    def arranged(self, arrangement: int | None) -> tuple[Option, ...]:
        """The options as arranged for one draw. An exam draws `arrangement` per student and
        question and records it: were the arrangement a function of the params, a variant
        many students draw would put its key at the same letter and rank for all of them,
        and the class as a whole would see some letters more often (the manifest's
        arrangement keeps them recomputable without the RNG)."""
        if arrangement is None:
            return self.options
        return arrange(self.pool, np.random.default_rng(arrangement))

    def arrangement(self) -> np.random.Generator:
        """The generator that arranges the options when no arrangement is given (see `params_rng`)."""
        return params_rng(self.family, self.params)

    def usable_as(self, fmt: str) -> None:
        """Raise InvalidParams if this variant cannot be asked in the given format."""
        if fmt not in self.family.formats:
            raise InvalidParams(
                f"{self.family.id} has no format {fmt!r} (formats: {', '.join(self.family.formats)})", "format"
            )
        if fmt == "mcq":
            self.options  # noqa: B018 - building them is the check (cheap: no independent route yet)
        if fmt == "numeric":
            self._distinguishable()
        self.solution  # noqa: B018 - verifying now: a key the two routes disagree on stops the draw

    def _distinguishable(self) -> None:
        """A numeric variant whose stated precision cannot tell a named mistake from the key
        (a decimal to 4 significant figures that passes for both) is refused, so it is redrawn."""
        tolerance = self.family.tolerance_for(self.params)  # a stated precision is never narrowed
        close = confusable_mistakes(self.family, self.params, tolerance) if tolerance.label else []
        if close:
            raise InvalidParams(
                f"the named mistake {close[0].name} is within the stated precision ({tolerance.label}) of the key",
                "params",
            )


def params_rng(family: Family, params: Any, purpose: str = "") -> np.random.Generator:
    """A generator that is a function of the family and the params alone (a stable hash of
    their canonical form), so `verify` recomputes what it chose: option orders, and (purpose
    "tf") which of a family's answer statements are false."""
    canonical = json.dumps(family.dump(params), sort_keys=True, ensure_ascii=False)
    prefix = f"{family.id}\n{purpose}\n" if purpose else f"{family.id}\n"
    digest = hashlib.sha256(f"{prefix}{canonical}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))


@lru_cache(maxsize=1 << 15)
def _exact_solution(family: Family, params: Any) -> Solution:
    return family.solve(params)


@lru_cache(maxsize=1 << 15)
def _verified_solution(family: Family, params: Any) -> Solution:
    """Solve exactly, recompute independently, and refuse to return a key they disagree on."""
    solution = _exact_solution(family, params)
    # A question file's family names its file too, so the author knows where to look.
    source = getattr(getattr(family, "source", None), "path", "")
    label = f"{source}: {family.id} {family.dump(params)}" if source else f"{family.id} {family.dump(params)}"
    confirm(label, solution.values, family.verify(params), family.verify_tolerance)
    return solution


# Draws repeat: a family with a small calculator-free space (relu-backprop has about 1,600 live
# variants) gives many students the same params. One Variant per params (with its verified
# key and options built once) serves them all; rejected params stay rejected. A build
# forgets them after each chunk of students (`forget_variants`), so a worker's memory holds
# one chunk's variants, not the roster's.
@lru_cache(maxsize=1 << 17)
def _drawn_variant(family: Family, params: Any, fmt: str) -> Variant | InvalidParams:
    variant = Variant(family, params, drawn=True)
    try:
        variant.usable_as(fmt)
    except InvalidParams as error:
        return error
    return variant


def forget_variants() -> None:
    """Empty every bounded cache of variantex's modules: drawn, solved and verified variants
    and what was made of them (stems, mistakes, parsed markup, formatted values), all keyed by
    params or values. Single-entry caches (template environments) and unbounded ones
    (registries) are kept."""
    for name, module in list(sys.modules.items()):
        if name.startswith("variantex.") and module is not None:
            for value in list(vars(module).values()):
                if _bounded_cache(value):
                    value.cache_clear()


def _bounded_cache(value: Any) -> bool:
    info = getattr(value, "cache_info", None)
    if not callable(info) or not hasattr(value, "cache_clear"):
        return False
    maxsize = info().maxsize
    return maxsize is not None and maxsize > 1


def variant_from_data(family: Family, data: Mapping[str, Any], fmt: str | None = None) -> Variant:
    variant = Variant(family, family.parse(data))
    if fmt:
        variant.usable_as(fmt)
    return variant


def draw_variant(
    family: Family, rng: np.random.Generator, branch: str, options: Mapping[str, Any], fmt: str
) -> Variant:
    """Draw until the params are valid and the format can be asked, a bounded number of times.

    Draws propose; the params class validates. Rejected proposals consume the same rng,
    so the result is still a pure function of the seed.
    """
    family.check_branch(branch)
    family.check_options(options)
    if fmt not in family.formats:  # no redraw can help
        raise InvalidParams(f"{family.id} has no format {fmt!r} (formats: {', '.join(family.formats)})", "format")
    last_error: InvalidParams | None = None
    for _ in range(MAX_DRAW_ATTEMPTS):
        try:
            checked = _drawn_variant(family, family.draw(rng, branch, options), fmt)
            if isinstance(checked, InvalidParams):
                raise InvalidParams(checked.message, checked.where)  # a fresh one: no traceback piles up
            return checked
        except InvalidParams as error:
            if error.where.startswith("options"):
                raise  # a bad option value is the spec's fault, not bad luck: no redraw helps
            last_error = error
    raise InputError(
        f"could not draw a usable {family.id} variant (branch {branch}, format {fmt}, options {dict(options)}) "
        f"in {MAX_DRAW_ATTEMPTS} attempts; last problem: {last_error}"
    )
