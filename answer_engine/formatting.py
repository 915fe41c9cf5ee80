"""Turning exact values into printed text: LaTeX for exams, plain text for the terminal.

`Latex` marks a string as trusted LaTeX; the template environment escapes every other
string, so user text can never reach TeX unescaped by accident.
"""

from __future__ import annotations

import sympy as sp
from pylatex.utils import escape_latex

from answer_engine.exact import Value


class Latex(str):
    """A string that is already LaTeX and must not be escaped again."""


def escape(text: object) -> Latex:
    """User text (names, titles, roster fields) made safe to place in a LaTeX document."""
    if isinstance(text, Latex):
        return text
    return Latex(escape_latex(str(text)))


def tex(value: Value, digits: int | None = None) -> Latex:
    """Math-mode LaTeX for a value; `digits` prints non-rational values as decimals."""
    if isinstance(value, str):
        return Latex(r"\text{%s}" % escape(value))
    if isinstance(value, sp.Integer):
        return Latex(str(int(value)))
    if isinstance(value, sp.Rational) and digits is not None and _terminates(value):
        return Latex(finite_decimal(value))
    if isinstance(value, sp.Rational) and digits is None:
        sign = "-" if value < 0 else ""
        return Latex(r"%s\frac{%d}{%d}" % (sign, abs(value.p), value.q))
    if digits is not None:
        return Latex(r"\approx %s" % decimal(value, digits))
    return Latex(sp.latex(value))


def plain(value: Value) -> str:
    """Terminal text for a value: "3/4", "log(2)", "A > B > C"."""
    if isinstance(value, str):
        return value
    if isinstance(value, sp.Rational):
        return str(value)
    return sp.sstr(value)


def decimal(value: sp.Expr, digits: int = 4) -> str:
    """A display decimal with `digits` significant figures (display only, never compared)."""
    number = float(sp.N(value, digits + 10))
    if number == 0:
        return "0"
    text = f"{number:.{digits}g}"
    return text if "e" not in text else f"{number:.{digits}e}"


def plain_with_decimal(value: Value, digits: int = 4) -> str:
    """Plain text plus a decimal when the exact form is not already a short decimal."""
    text = plain(value)
    if isinstance(value, str) or (isinstance(value, sp.Rational) and value.q == 1):
        return text
    return f"{text} (≈ {decimal(value, digits)})"


def _terminates(value: sp.Rational) -> bool:
    denominator = value.q
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def finite_decimal(value: sp.Rational) -> str:
    """Exact decimal text of a rational with a terminating expansion (TikZ coordinates)."""
    if not _terminates(value):
        raise ValueError(f"{value} has no finite decimal expansion")
    places = 0
    scaled = value
    while not scaled.is_integer:
        scaled *= 10
        places += 1
    sign = "-" if value < 0 else ""
    digits = str(abs(int(scaled))).rjust(places + 1, "0")
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)
