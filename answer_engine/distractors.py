"""Multiple-choice options from named mistakes.

Each wrong option is a `Mistake` a real student would make, named after it. Options must
differ by value (their canonical exact form) and as printed, and no distractor may pass the
answer check; if too few survive, the caller redraws (a bounded number of times) or reports
a clear error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.checking import AnswerRules, value_matches
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import Value


@dataclass(frozen=True)
class Mistake:
    """A named misconception and the values of the answer parts it leads to."""

    name: str
    description: str
    values: Mapping[str, Value] = field(default_factory=dict)
    # How many independent slips it combines; an audit names the simplest explanation.
    slips: int = 1
    # A filler option no computation supports: usable as a distractor, never as a diagnosis.
    guess: bool = False


@dataclass(frozen=True)
class Option:
    values: tuple[Value, ...]
    printed: str  # markup, the same for every output
    mistake: Mistake | None  # None marks the correct option

    @property
    def correct(self) -> bool:
        return self.mistake is None


class NotEnoughOptions(InvalidParams):
    """These params do not give enough distinct distractors for a multiple-choice question."""


@dataclass(frozen=True)
class OptionPool:
    """The correct option and every usable named mistake, best first: what `arrange` picks from."""

    right: Option
    candidates: tuple[Option, ...]
    count: int  # options to show


def option_pool(
    parts: Sequence[str],
    correct: Mapping[str, Value],
    mistakes: Sequence[Mistake],
    printer: Callable[[tuple[Value, ...]], str],
    rules: AnswerRules,
    count: int,
    plausible: Callable[[tuple[Value, ...]], bool] = lambda values: True,
    fewest: int | None = None,
) -> OptionPool:
    """A mistake is usable when it gives every asked part, differs from the others by value
    and as printed, and would not itself pass the answer check. Plausible ones (those the
    family's own axioms cannot rule out) come first, then the family's priority order.
    Offers `count` options, or as few as `fewest` when fewer named mistakes are usable
    (params someone wrote: their mistakes may coincide, and no filler takes their place)."""
    correct_values = tuple(correct[name] for name in parts)
    right = Option(correct_values, printer(correct_values), None)
    candidates = _usable(parts, correct_values, right, mistakes, printer, rules)
    needed = count if fewest is None else min(fewest, count)
    if len(candidates) < needed - 1:
        raise NotEnoughOptions(
            f"only {len(candidates) + 1} distinct options (the correct one and "
            f"{len(candidates)} named mistakes); multiple choice needs {needed}"
        )
    candidates.sort(key=lambda option: not plausible(option.values))  # stable: priority order kept
    return OptionPool(right, tuple(candidates), min(count, len(candidates) + 1))


def arrange(pool: OptionPool, rng: np.random.Generator, every_rank: bool = False) -> tuple[Option, ...]:
    """Pick and order the options so that neither the letter nor the rank predicts the key.

    For a single numeric answer the correct value's rank among the options is drawn
    uniformly from `rng` (that many mistakes below it, the rest above, nearest feasible
    rank when one side runs short) and the numbers are printed in ascending order. Any
    other option set is shuffled. With `every_rank` (a random draw, which can be redrawn),
    a pool that cannot put the key at every rank is refused, so the drawn ranks are
    exactly uniform. The options are a pure function of the pool and `rng`'s seed, which
    the caller records (see Variant.arranged).
    """
    right, candidates, count = pool.right, list(pool.candidates), pool.count
    if len(right.values) == 1 and _number(right.values[0]):
        wrong = _rank_balanced(right, candidates, count - 1, rng, every_rank)
        if all(_number(o.values[0]) for o in wrong):
            return tuple(sorted([right, *wrong], key=lambda o: _float(o.values[0])))
    else:
        wrong = candidates[: count - 1]
    options = [right, *wrong]
    return tuple(options[int(i)] for i in rng.permutation(len(options)))


def _usable(
    parts: Sequence[str],
    correct_values: tuple[Value, ...],
    right: Option,
    mistakes: Sequence[Mistake],
    printer: Callable[[tuple[Value, ...]], str],
    rules: AnswerRules,
) -> list[Option]:
    usable: list[Option] = []
    printed, seen = {right.printed}, {value_key(correct_values)}
    for mistake in mistakes:
        if not all(name in mistake.values for name in parts):
            continue
        values = tuple(mistake.values[name] for name in parts)
        key = value_key(values)
        if key in seen or all(value_matches(v, c, rules) for v, c in zip(values, correct_values)):
            continue
        text = printer(values)
        if text in printed:
            continue
        printed.add(text)
        seen.add(key)
        usable.append(Option(values, text, mistake))
    return usable


def _float(value: Value) -> float:
    return float(value) if isinstance(value, sp.Rational) else float(exact.numeric(value))


def _number(value: Value) -> bool:
    return not isinstance(value, str) and not exact.is_infinite(value)


def _rank_balanced(
    right: Option, candidates: list[Option], wanted: int, rng: np.random.Generator, every_rank: bool
) -> list[Option]:
    """`wanted` mistakes such that the correct value's rank among the numbers is uniform."""
    value = _float(right.values[0])
    numbers = [o for o in candidates if _number(o.values[0])]
    texts = [o for o in candidates if not _number(o.values[0])]
    below = [o for o in numbers if _float(o.values[0]) < value]
    above = [o for o in numbers if _float(o.values[0]) > value]
    # Text options the family ranks among its first choices keep their place ("cannot be
    # determined" when it can be); the rest of the slots are numbers.
    keep_texts = [o for o in candidates[:wanted] if o in texts]
    slots = wanted - len(keep_texts)
    target = int(rng.integers(slots + 1))  # how many numbers fall below the correct one
    feasible = [r for r in range(slots + 1) if r <= len(below) and slots - r <= len(above)]
    if every_rank and len(feasible) < slots + 1:
        raise NotEnoughOptions(
            f"{len(below)} named mistakes below the key and {len(above)} above: "
            f"not every rank of {slots + 1} is possible"
        )
    if not feasible:
        return candidates[:wanted]
    rank = min(feasible, key=lambda r: (abs(r - target), r))
    return keep_texts + below[:rank] + above[: slots - rank]


def value_key(values: Sequence[Value]) -> tuple[Any, ...]:
    """Options are the same when their canonical exact values are, however they print
    (sympy keeps expressions in one canonical structure, and compares and hashes by it)."""
    return tuple(("text", v) if isinstance(v, str) else v for v in values)
