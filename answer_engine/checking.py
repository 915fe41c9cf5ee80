"""Checking a claimed answer against the exact one.

A claim written exactly (an integer, "3/4", "sqrt(2)/2") is compared exactly. A claim
written as a decimal ("0.4621") is a numeric claim, compared within the family's stated
`Tolerance`. Text claims (orderings, "cannot be determined") are compared after
normalising spacing, case and synonyms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import sympy as sp

from answer_engine import exact
from answer_engine.errors import InvalidParams
from answer_engine.exact import Value


@dataclass(frozen=True)
class Tolerance:
    """Accept |claim − answer| ≤ max(relative·|answer|, absolute).

    Named constructors give the usual modes (relative/absolute, significant figures,
    decimals) one representation, so one `accepts` serves them all.
    """

    relative: sp.Rational = sp.Rational(0)
    absolute: sp.Rational = sp.Rational(0)

    @classmethod
    def significant_figures(cls, figures: int) -> "Tolerance":
        return cls(relative=sp.Rational(5, 10**figures))

    @classmethod
    def decimals(cls, places: int) -> "Tolerance":
        return cls(absolute=sp.Rational(5, 10 ** (places + 1)))

    def accepts(self, claim: sp.Expr, answer: sp.Expr) -> bool:
        error = abs(float(sp.N(claim - answer, 30)))
        allowed = max(float(self.relative) * abs(float(sp.N(answer, 30))), float(self.absolute))
        return error <= allowed * (1 + 1e-12)

    def describe(self) -> str:
        parts = []
        if self.relative:
            parts.append(f"{float(self.relative) * 100:g}% relative")
        if self.absolute:
            parts.append(f"{float(self.absolute):g} absolute")
        return " or ".join(parts) if parts else "exact"


DEFAULT_TOLERANCE = Tolerance(relative=sp.Rational(1, 100), absolute=sp.Rational(1, 1000))

_UNDETERMINED = {
    "undetermined",
    "cannot be determined",
    "can't be determined",
    "not determined",
    "indeterminate",
    "not enough information",
}


def canonical_text(text: str) -> str:
    """Spacing-, case- and synonym-insensitive form of a text answer."""
    folded = re.sub(r"\s+", " ", text.strip().lower())
    folded = re.sub(r"\s*([<>=;,])\s*", r"\1", folded)
    return "undetermined" if folded in _UNDETERMINED else folded


@dataclass(frozen=True)
class Claim:
    """One claimed value as written: `exact` says how it is compared."""

    written: str
    value: Value
    exact: bool

    @classmethod
    def read(cls, raw: object, field: str = "") -> "Claim":
        if isinstance(raw, bool) or raw is None or isinstance(raw, (list, dict)):
            raise InvalidParams(f"expected a number or a text answer, got {raw!r}", field)
        if isinstance(raw, (Decimal, float)):
            return cls(str(raw), exact.rational(raw, field), exact=False)
        if isinstance(raw, int):
            return cls(str(raw), sp.Integer(raw), exact=True)
        text = str(raw).strip()
        if exact.is_decimal_text(text) and ("." in text or "e" in text.lower()):
            return cls(text, exact.rational(text, field), exact=False)
        try:
            return cls(text, exact.rational(text, field), exact=True)
        except InvalidParams:
            pass
        try:
            return cls(text, exact.expression(text, field), exact=True)
        except InvalidParams:
            return cls(text, text, exact=True)


def claim_matches(claim: Claim, answer: Value, tolerance: Tolerance) -> bool:
    if isinstance(answer, str) or isinstance(claim.value, str):
        if isinstance(answer, str) and isinstance(claim.value, str):
            return canonical_text(claim.value) == canonical_text(answer)
        return False
    if claim.exact:
        return exact.exact_equal(claim.value, answer)
    return tolerance.accepts(claim.value, answer)


def value_matches(candidate: Value, answer: Value, tolerance: Tolerance) -> bool:
    """Would this exact value pass as a numeric answer? (Used to keep distractors honest.)"""
    if isinstance(candidate, str) or isinstance(answer, str):
        return isinstance(candidate, str) and isinstance(answer, str) and (
            canonical_text(candidate) == canonical_text(answer)
        )
    return tolerance.accepts(candidate, answer)
