"""Checking a claimed answer against the exact one.

A claim written exactly (an integer, "3/4", "sqrt(2)/2", "infinity") is compared exactly.
A claim written as a decimal ("0.4621") is a numeric claim, compared within the family's
stated `Tolerance`. Text claims (orderings, "cannot be determined") are compared after
normalising spacing and case and mapping synonyms to their canonical text.

`AnswerRules` bundles what a family accepts (its tolerance and its text answers with their
synonyms); `check`, `grade`, the distractor builder and any exported checker read the same
object, so there is one source of truth for what counts as right.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import Value


@dataclass(frozen=True)
class Tolerance:
    """Accept |claim − answer| ≤ max(relative·|answer|, absolute).

    Named constructors give the usual modes (relative/absolute, significant figures,
    decimals) one representation, so one `accepts` serves them all.
    """

    relative: sp.Rational = sp.Rational(0)
    absolute: sp.Rational = sp.Rational(0)  # only where the question itself says so
    label: str = ""  # how the question states it ("4 significant figures")

    @classmethod
    def significant_figures(cls, figures: int) -> Tolerance:
        return cls(relative=sp.Rational(5, 10**figures), label=f"{figures} significant figures")

    @classmethod
    def decimals(cls, places: int) -> Tolerance:
        return cls(absolute=sp.Rational(5, 10 ** (places + 1)), label=f"{places} decimal places")

    def accepts(self, claim: sp.Expr, answer: sp.Expr) -> bool:
        if exact.is_infinite(claim) or exact.is_infinite(answer):
            return claim == answer  # no tolerance reaches infinity
        if isinstance(claim, sp.Rational) and isinstance(answer, sp.Rational):  # exactly, and fast
            c, a = Fraction(int(claim.p), int(claim.q)), Fraction(int(answer.p), int(answer.q))
            relative = Fraction(int(self.relative.p), int(self.relative.q))
            absolute = Fraction(int(self.absolute.p), int(self.absolute.q))
            return abs(c - a) <= max(relative * abs(a), absolute)
        answer_value = exact.numeric(answer)
        error = abs(float(exact.numeric(claim) - answer_value))
        allowed = max(float(self.relative) * abs(float(answer_value)), float(self.absolute))
        return error <= allowed * (1 + 1e-12)

    def confuses(self, first: sp.Expr, second: sp.Expr) -> bool:
        """Could one written decimal pass for both values? (Their tolerance intervals meet.)
        Then a claim this tolerance accepts cannot tell the two apart."""
        if exact.is_infinite(first) or exact.is_infinite(second):
            return first == second
        if isinstance(first, sp.Rational) and isinstance(second, sp.Rational):
            p, q = Fraction(int(first.p), int(first.q)), Fraction(int(second.p), int(second.q))
            relative = Fraction(int(self.relative.p), int(self.relative.q))
            absolute = Fraction(int(self.absolute.p), int(self.absolute.q))
            return abs(p - q) <= max(relative * abs(p), absolute) + max(relative * abs(q), absolute)
        a, b = float(exact.numeric(first)), float(exact.numeric(second))
        return abs(a - b) <= self.reach(a, b) * (1 + 1e-12)

    def reach(self, a: float, b: float) -> float:
        """How far apart two values may be (as floats) and still share a decimal this accepts."""
        relative, absolute = float(self.relative), float(self.absolute)
        return max(relative * abs(a), absolute) + max(relative * abs(b), absolute)

    def describe(self) -> str:
        if self.label:
            return self.label
        parts = []
        if self.relative:
            parts.append(f"{float(self.relative) * 100:g}% relative")
        if self.absolute:
            parts.append(f"{float(self.absolute):g} absolute")
        return " or ".join(parts) if parts else "exact"


# Relative only: a decimal within 1% of the exact value. No absolute floor, so 0 never passes
# for a small nonzero answer and a sign slip never passes at all.
DEFAULT_TOLERANCE = Tolerance(relative=sp.Rational(1, 100))

UNDETERMINED = "undetermined"

# Text answers every family understands: canonical text -> synonyms (folded, see `fold`).
COMMON_TEXT_ANSWERS: Mapping[str, tuple[str, ...]] = {
    UNDETERMINED: (
        "cannot be determined",
        "can't be determined",
        "cannot be found",
        "not determined",
        "indeterminate",
        "not enough information",
        "cannot be determined from the given information",
    ),
}
# Written forms of ±∞: a claim in any of them is the exact value sp.oo / -sp.oo.
INFINITY_WORDS = (
    "oo",
    "inf",
    "infinity",
    "infinite",
    "∞",
    "+∞",
    "+inf",
    "+infinity",
    "+oo",
    "positive infinity",
    "plus infinity",
)
NEGATIVE_INFINITY_WORDS = ("-oo", "-inf", "-infinity", "-∞", "−∞", "negative infinity", "minus infinity")


# How people write numbers that the readers below take in one form: a typographic minus
# (U+2212, and the dashes pasted in its place), a decimal comma, a sentence's full stop.
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"})
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")  # 1,000: a thousands separator or 1.000?
_POINT_ENDED_NUMBER = re.compile(r"[+-]?\d+\.")  # "3." is a decimal, not a sentence


def as_written(text: str, field: str = "") -> str:
    """`text` in the form the readers take: "−27/16" -> "-27/16", "0,75" -> "0.75",
    "cannot be determined." -> "cannot be determined"; "1,000" is refused (ambiguous)."""
    text = text.strip().translate(_MINUS)
    if text.endswith(".") and not _POINT_ENDED_NUMBER.fullmatch(text):
        text = text[:-1].rstrip()
    if _DECIMAL_COMMA.fullmatch(text):
        if _THOUSANDS.fullmatch(text):
            raise InvalidParams(
                f"{text!r} is ambiguous: write {text.replace(',', '')} or {text.replace(',', '.')}", field
            )
        text = text.replace(",", ".")
    return text


def fold(text: str) -> str:
    """Spacing- and case-insensitive form of a text answer ("A>B > C" == "a > b > c")."""
    folded = re.sub(r"\s+", " ", text.strip().lower()).replace("’", "'")
    return re.sub(r"\s*([<>=;,])\s*", r"\1", folded)


def infinity_from_text(text: str) -> sp.Expr | None:
    folded = fold(text)
    if folded in INFINITY_WORDS:
        return sp.oo
    if folded in NEGATIVE_INFINITY_WORDS:
        return -sp.oo
    return None


@dataclass(frozen=True)
class AnswerRules:
    """What a family accepts: its numeric tolerance and its text answers' synonyms."""

    tolerance: Tolerance = DEFAULT_TOLERANCE
    text_answers: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(COMMON_TEXT_ANSWERS))

    @cached_property
    def _canonical(self) -> dict[str, str]:
        """Every folded way of writing a text answer -> its folded canonical text."""
        table: dict[str, str] = {}
        for canonical, synonyms in self.text_answers.items():
            for written in (canonical, *synonyms):
                table.setdefault(fold(written), fold(canonical))
        return table

    def canonical_text(self, text: str) -> str:
        folded = fold(text)
        return self._canonical.get(folded, folded)


def rules_with(tolerance: Tolerance, text_answers: Mapping[str, tuple[str, ...]]) -> AnswerRules:
    """A family's rules: the common text answers plus its own (its synonyms added)."""
    merged = {name: tuple(words) for name, words in COMMON_TEXT_ANSWERS.items()}
    for name, words in text_answers.items():
        merged[name] = tuple(dict.fromkeys([*merged.get(name, ()), *words]))
    return AnswerRules(tolerance, merged)


DEFAULT_RULES = AnswerRules()


@dataclass(frozen=True)
class Claim:
    """One claimed value as written: `exact` says how it is compared."""

    written: str
    value: Value
    exact: bool

    @classmethod
    def read(cls, raw: object, field: str = "") -> Claim:
        """A claim as `check`, `grade` and the practice page read it (the page's copy of this
        grammar is templates/practice/practice.js; tests/claim_forms.py is their shared table)."""
        if isinstance(raw, bool) or raw is None or isinstance(raw, (list, dict)):
            raise InvalidParams(f"expected a number or a text answer, got {raw!r}", field)
        if isinstance(raw, (Decimal, float)):
            return cls(str(raw), exact.rational(raw, field), exact=False)
        if isinstance(raw, int):
            return cls(str(raw), sp.Integer(raw), exact=True)
        text = as_written(str(raw), field)
        if text.endswith("%") and len(text) > 1:  # a percentage: the number it names, over 100
            number = cls.read(text[:-1], field)
            if isinstance(number.value, str) or exact.is_infinite(number.value):
                raise InvalidParams(f"cannot read {text!r} as a percentage", field)
            return cls(text, number.value / 100, number.exact)
        return cls._read_text(text, field)

    @classmethod
    def _read_text(cls, text: str, field: str) -> Claim:
        infinite = infinity_from_text(text)
        if infinite is not None:
            return cls(text, infinite, exact=True)
        if exact.is_decimal_text(text) and ("." in text or "e" in text.lower()):
            return cls(text, exact.rational(text, field), exact=False)
        try:
            return cls(text, exact.rational(text, field), exact=True)
        except InvalidParams:
            pass
        try:
            return cls(text, exact.expression(text, field), exact=True)
        except InvalidParams:
            if exact.looks_numeric(text):
                raise  # meant as a number, and not one we can read: bad input, never a text claim
            return cls(text, text, exact=True)

    @property
    def is_text(self) -> bool:
        return isinstance(self.value, str)


def claim_matches(claim: Claim, answer: Value, rules: AnswerRules = DEFAULT_RULES) -> bool:
    if isinstance(answer, str) or isinstance(claim.value, str):
        if isinstance(answer, str) and isinstance(claim.value, str):
            return rules.canonical_text(claim.value) == rules.canonical_text(answer)
        return False
    if claim.exact:
        return exact.exact_equal(claim.value, answer)
    return rules.tolerance.accepts(claim.value, answer)


def value_matches(candidate: Value, answer: Value, rules: AnswerRules = DEFAULT_RULES) -> bool:
    """Would this exact value pass as a numeric answer? (Used to keep distractors honest.)"""
    if isinstance(candidate, str) or isinstance(answer, str):
        return (
            isinstance(candidate, str)
            and isinstance(answer, str)
            and (rules.canonical_text(candidate) == rules.canonical_text(answer))
        )
    return rules.tolerance.accepts(candidate, answer)


# --- true/false marks ---------------------------------------------------------------

_TF_BLANKS = ("", "-", "_", "?", ".")
_TF_WORDS = {"t": True, "true": True, "f": False, "false": False}


def read_tf(response: str, count: int) -> list[bool | None] | str:
    """One T/F (or blank) per statement, or a note saying why the response cannot be read."""
    text = response.strip()
    if any(sep in text for sep in ",;") or len(text.split()) > 1:
        cells = [c.strip() for c in re.split(r"[,;]", text)] if any(sep in text for sep in ",;") else text.split()
    elif text.lower() in _TF_WORDS:
        cells = [text]  # one statement, written as a word
    else:
        cells = list(text)
    if len(cells) != count:
        return f"(expected {count} marks, T or F each, e.g. {'TF' * (count // 2)}{'T' * (count % 2)})"
    marks: list[bool | None] = []
    for cell in cells:
        folded = cell.lower()
        if folded in _TF_WORDS:
            marks.append(_TF_WORDS[folded])
        elif folded in _TF_BLANKS:
            marks.append(None)
        else:
            return f"({cell!r} is not T, F or a blank)"
    return marks
