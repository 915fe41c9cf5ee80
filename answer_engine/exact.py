"""Reading numbers exactly.

YAML ints, decimals written like `0.1` (the YAML loader keeps them as `Decimal` from the
source text), fractions like "3/4" and plain Python ints all become sympy Rationals with
no float in between. A value is a sympy expression (an exact number, a closed form, or
±∞ as `sp.oo`) or a string: a text answer in its canonical form (an ordering such as
"A > B > C", or "undetermined"). `dump_value`/`load_value` give every value one JSON form,
so the manifest stores values, never how they were printed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Union

import sympy as sp

from answer_engine.errors import InvalidParams

Value = Union[sp.Expr, str]

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+)\s*/\s*([+-]?\d+)$")


def is_decimal_text(text: str) -> bool:
    return bool(_DECIMAL.match(text.strip()))


def rational(value: object, field: str = "") -> sp.Rational:
    """An exact rational from an int, a Decimal, a fraction string or a decimal string."""
    if isinstance(value, bool):
        raise InvalidParams(f"expected a number, got {value!r}", field)
    if isinstance(value, sp.Rational):
        return value
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidParams(f"expected a finite number, got {value}", field)
        return sp.Rational(str(value))
    if isinstance(value, float):
        # Floats only reach here from JSON or code; their shortest repr is what was written.
        return rational(Decimal(repr(value)), field)
    if isinstance(value, str):
        text = value.strip()
        fraction = _FRACTION.match(text)
        if fraction:
            numerator, denominator = int(fraction.group(1)), int(fraction.group(2))
            if denominator == 0:
                raise InvalidParams(f"fraction {text!r} has a zero denominator", field)
            return sp.Rational(numerator, denominator)
        if is_decimal_text(text):
            try:
                return sp.Rational(str(Decimal(text)))
            except InvalidOperation:  # pragma: no cover - the regex admits only valid text
                pass
    raise InvalidParams(f'expected a number like 2, 0.1 or "3/4", got {value!r}', field)


def integer(value: object, field: str = "") -> int:
    number = rational(value, field)
    if not number.is_integer:
        raise InvalidParams(f"expected a whole number, got {value!r}", field)
    return int(number)


def dump_number(value: sp.Expr) -> object:
    """A JSON/YAML-friendly exact form: int for integers, "p/q" for other rationals."""
    if isinstance(value, sp.Integer):
        return int(value)
    if isinstance(value, sp.Rational):
        return f"{value.p}/{value.q}"
    return str(value)


# Closed forms a claim may use ("sqrt(2)/2", "log(2)", "1/(1+exp(-1))"). The text is
# checked against this vocabulary before sympy parses it, so nothing else is evaluated.
_ALLOWED_NAMES = {"sqrt": sp.sqrt, "log": sp.log, "ln": sp.log, "exp": sp.exp, "pi": sp.pi, "e": sp.E}
_EXPRESSION = re.compile(r"^[0-9a-z+\-*/^(). ]+$")


def expression(text: str, field: str = "") -> sp.Expr:
    """An exact closed-form number written as text, e.g. "sqrt(2)/2" or "log(2)"."""
    from sympy.parsing.sympy_parser import (
        convert_xor,
        parse_expr,
        rationalize,
        standard_transformations,
    )

    cleaned = text.strip().lower()
    names = set(re.findall(r"[a-z]+", cleaned))
    if not cleaned or not _EXPRESSION.match(cleaned) or not names <= set(_ALLOWED_NAMES):
        raise InvalidParams(f"cannot read {text!r} as a number or closed form", field)
    try:
        parsed = parse_expr(
            cleaned,
            local_dict=dict(_ALLOWED_NAMES),
            global_dict={"Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational},
            transformations=standard_transformations + (convert_xor, rationalize),
        )
    except Exception as error:  # sympy raises many types for malformed text
        raise InvalidParams(f"cannot read {text!r} as a number ({type(error).__name__})", field) from None
    if not isinstance(parsed, sp.Expr) or parsed.free_symbols or not parsed.is_real:
        raise InvalidParams(f"{text!r} is not a real number", field)
    return parsed


def is_infinite(value: Value) -> bool:
    return not isinstance(value, str) and bool(value.is_infinite)


def exact_equal(left: Value, right: Value) -> bool:
    if isinstance(left, str) or isinstance(right, str):
        return left == right
    if isinstance(left, sp.Rational) and isinstance(right, sp.Rational):
        return left == right
    if is_infinite(left) or is_infinite(right):
        return left == right  # oo - oo is nan, so infinities compare by identity
    return sp.simplify(left - right) == 0


# --- one JSON form per value ---------------------------------------------------------
# Integers stay JSON integers, other rationals "p/q", infinities "oo"/"-oo", closed forms
# their sympy text ("sqrt(2)/2"), text answers {"text": canonical}. Loading reads the
# closed form through `expression`, the same whitelist a claim goes through.

def dump_value(value: Value) -> object:
    if isinstance(value, str):
        return {"text": value}
    if isinstance(value, sp.Integer):
        return int(value)
    if isinstance(value, sp.Rational):
        return f"{value.p}/{value.q}"
    if value == sp.oo:
        return "oo"
    if value == -sp.oo:
        return "-oo"
    return sp.sstr(value)


def load_value(data: object, field: str = "") -> Value:
    if isinstance(data, dict) and set(data) == {"text"} and isinstance(data["text"], str):
        return data["text"]
    if data == "oo":
        return sp.oo
    if data == "-oo":
        return -sp.oo
    if isinstance(data, str) and not _FRACTION.match(data.strip()) and not is_decimal_text(data):
        return expression(data, field)
    return rational(data, field)
