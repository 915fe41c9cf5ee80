"""Multiple-choice options from named mistakes.

Each wrong option is a `Mistake` a real student would make, named after it. Options must
differ by value (their canonical exact form) and as printed, and no distractor may pass the
answer check; if too few survive, the caller redraws (a bounded number of times) or reports
a clear error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import sympy as sp

from answer_engine.checking import AnswerRules, value_matches
from answer_engine.errors import InvalidParams
from answer_engine.exact import Value, dump_value


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


def build_options(
    parts: Sequence[str],
    correct: Mapping[str, Value],
    mistakes: Sequence[Mistake],
    printer: Callable[[tuple[Value, ...]], str],
    rules: AnswerRules,
    count: int,
) -> tuple[Option, ...]:
    """The correct option plus the first `count − 1` usable mistakes, in display order.

    Mistakes are taken in the family's priority order; one is usable when it gives every
    asked part, differs from all options so far by value and as printed, and would not
    itself pass the answer check. Display order is deterministic (numbers ascending, text last), so the
    options are a pure function of the params.
    """
    correct_values = tuple(correct[name] for name in parts)
    options = [Option(correct_values, printer(correct_values), None)]
    printed = {options[0].printed}
    seen = {value_key(correct_values)}
    for mistake in mistakes:
        if len(options) == count:
            break
        if not all(name in mistake.values for name in parts):
            continue
        values = tuple(mistake.values[name] for name in parts)
        text = printer(values)
        passes = all(value_matches(v, c, rules) for v, c in zip(values, correct_values))
        key = value_key(values)
        if text in printed or key in seen or passes:
            continue
        printed.add(text)
        seen.add(key)
        options.append(Option(values, text, mistake))
    if len(options) < count:
        raise NotEnoughOptions(
            f"only {len(options)} distinct options (the correct one and "
            f"{len(options) - 1} named mistakes); multiple choice needs {count}"
        )
    return tuple(sorted(options, key=_display_key))


def value_key(values: Sequence[Value]) -> tuple:
    """Options are the same when their canonical exact values are, however they print."""
    return tuple(repr(dump_value(v)) for v in values)


def _display_key(option: Option) -> tuple:
    values = option.values
    if len(values) == 1 and not isinstance(values[0], str):
        return (0, float(sp.N(values[0], 30)), option.printed)
    return (1 if all(not isinstance(v, str) for v in values) else 2, 0.0, option.printed)
