"""The question files' expression grammar (answer_engine/expressions.py): what it reads, what
it refuses, and that its two evaluations agree."""

from __future__ import annotations

import re

import mpmath
import pytest
import sympy as sp

from variantex.answer_engine import expressions
from variantex.answer_engine.errors import InvalidParams

V = {
    "a": sp.Integer(3),
    "b": sp.Rational(1, 2),
    "v": sp.ImmutableMatrix([1, 2]),
    "M": sp.ImmutableMatrix([[1, 2], [3, 4]]),
}


@pytest.mark.parametrize(
    "text, value",
    [
        ("a + b", sp.Rational(7, 2)),
        ("a   ", 3),
        ("2 pi", 2 * sp.pi),
        ("3 ln 2", 3 * sp.log(2)),
        ("+a - -b", sp.Rational(7, 2)),
        ("2 (a + 1)", 8),
        ("a ^ -1", sp.Rational(1, 3)),
        ("sqrt 4 + e^0", 3),
        ("Phi(0) + erfc(0)", sp.Rational(3, 2)),
        ("sigmoid(0) + min(a, b) + max(a, b) + binomial(4, 2)", 10),
        ("Abs(-a) + Min(a, 1) + Max(a, 1) + ceiling(b) + floor(b) + E^0", 9),
        ("(a > 2) + (a >= 3) + (a < 2) + (a <= 2) + (a == 3) + (a != 3)", 3),
        ("not a < 2 and (b > 1 or b < 1)", True),
        ("not (a > 2)", False),
        ("(a > 4) or (b > 1)", False),
        ("v[2] + M[2, 1] + (M*v)[1] + dot(v, v) + norm(v)^2 + det(M) + trace(M) + total(v)", 26),
        ("sqrt(2) > 1", True),
        ("pi == pi", True),
    ],
)
def test_both_evaluations_read_the_same_number(text, value):
    parsed = expressions.parse(text, set(V))
    exact = parsed.exact(V)
    assert exact == value, (text, exact)
    with mpmath.workdps(30):
        assert abs(parsed.approximate(V) - float(value)) < 1e-12


@pytest.mark.parametrize(
    "text, message",
    [
        (True, "expected an expression"),
        ("1" * 501, "characters (at most 500)"),
        ("1" * 31, "more than 30 digits"),
        ("a )", "unexpected ')'"),
        ("(a", "ends too early"),
        ("(a ]", "expected ')', found ']'"),
        ("min(a b)", "min takes 2 arguments, not 1"),
        ("(" * 30 + "a" + ")" * 30, "nested too deeply"),
        ("and", "unexpected 'and'"),
        ("True", "unexpected 'True'"),
        ("min a", "min takes 2 arguments in parentheses"),
        ("sqrt(a, b)", "sqrt takes 1 argument, not 2"),
        ("M[1, 1, 1]", "takes one index (a vector) or two"),
        ("a $ b", "unexpected '$'"),
        ("foo", "unknown name 'foo'"),
        (",", "unexpected ','"),
    ],
)
def test_what_the_grammar_refuses_in_one_line(text, message):
    with pytest.raises(InvalidParams, match=re.escape(message)):
        expressions.parse(text, set(V))


@pytest.mark.parametrize(
    "text, message",
    [
        ("a / (b - 1/2)", "a division by zero"),
        ("0 ^ -1", "zero to a negative power"),
        ("(-a) ^ b", "a negative number to a fractional power"),
        ("M ^ 2", "a power of a vector or a matrix"),
        ("a[1]", "only a vector or a matrix has entries"),
        ("v[1.5]", r"no entry \[1.5\]"),
        ("exp(1000)", "too large"),
        ("log(0 * a)", "too large"),
    ],
)
def test_what_cannot_be_computed_is_refused_before_exact_work(text, message):
    with pytest.raises(InvalidParams, match=message):
        expressions.parse(text, set(V)).exact(V)


def test_an_exact_failure_is_one_line_not_a_traceback():
    with pytest.raises(InvalidParams, match="cannot be computed exactly"):
        expressions.parse("v + a", set(V)).exact(V)  # a vector plus a number
