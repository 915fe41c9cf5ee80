"""Which typed numbers each LMS accepts for an exported numeric part, by that LMS's own rule.

These model the targets, not variantex: the tests compare them with `check`'s acceptance
(answer_engine.checking.claim_matches) on the key, its roundings, the tolerance's edges and
every named mistake, so a difference between "what Moodle would store" and "what `grade`
gives" shows up as a failing test. Sources of each rule are in docs/lms.md.

- Moodle `numerical` and Cloze NUMERICAL (qtype_numerical_answer::get_tolerance_interval,
  tolerance type 2 "nominal"): accepted when answer − t − ε ≤ x ≤ answer + t + ε, with
  ε = 10^-14 · max(1, |answer|) (PHP's default `precision` is 14; MDL-3225).
- QTI 2.1 `equal` with toleranceMode="absolute" and includeLowerBound/includeUpperBound
  true (their defaults): answer − t0 ≤ x ≤ answer + t1.
- Canvas `numerical_question` (QTI 1.2 `vargte`/`varlte`, both inclusive): the same closed
  interval. A Canvas fill-in blank matches the typed text against its list exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

MOODLE_EPSILON = Fraction(1, 10**14)


def moodle_accepts(answer: str, tolerance: str, typed: Fraction) -> bool:
    a, t = Fraction(answer), Fraction(tolerance)
    slack = t + MOODLE_EPSILON * max(Fraction(1), abs(a))
    return a - slack <= typed <= a + slack


def interval_accepts(answer: str, tolerance: str, typed: Fraction) -> bool:
    """QTI 2.1 `equal` (absolute, bounds included) and Canvas `numerical_question`."""
    a, t = Fraction(answer), Fraction(tolerance)
    return a - t <= typed <= a + t


def blank_accepts(accepted: Sequence[str], typed: str) -> bool:
    """A Canvas fill-in blank: the typed text must be one of the listed answers."""
    return typed.strip() in accepted


TARGETS = {"moodle": moodle_accepts, "qti21": interval_accepts, "canvas": interval_accepts}
