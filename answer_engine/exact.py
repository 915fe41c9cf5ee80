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
from functools import lru_cache
from typing import TypeAlias

import mpmath
import sympy as sp

from variantex.answer_engine.errors import InvalidParams

Value: TypeAlias = "sp.Expr | str"

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+)\s*/\s*([+-]?\d+)$")

# Bounds on every number read, checked before sympy sees it: a number an exam could use has
# far fewer digits; one with more is refused at once instead of hanging (`1e999999999`).
MAX_DIGITS = 40
MAX_EXPONENT = 40
MAX_EXPRESSION = 120  # characters of a closed form


def _bounded(number: int, field: str) -> int:
    if abs(number) >= 10**MAX_DIGITS:
        raise InvalidParams(f"a number with more than {MAX_DIGITS} digits is not an exam's number", field)
    return number


def _bounded_decimal(value: Decimal, field: str) -> Decimal:
    if not value.is_finite():
        raise InvalidParams(f"expected a finite number, got {value}", field)
    if value and (abs(value.adjusted()) > MAX_EXPONENT or len(value.as_tuple().digits) > MAX_DIGITS):
        raise InvalidParams(
            f"{value} is too large, too small or too long for an exam "
            f"(at most {MAX_DIGITS} digits, exponent within ±{MAX_EXPONENT})",
            field,
        )
    return value


def is_decimal_text(text: str) -> bool:
    return bool(_DECIMAL.match(text.strip()))


def rational(value: object, field: str = "") -> sp.Rational:
    """An exact rational from an int, a Decimal, a fraction string or a decimal string."""
    if isinstance(value, bool):
        raise InvalidParams(f"expected a number, got {value!r}", field)
    if isinstance(value, sp.Rational):
        return value
    if isinstance(value, int):
        return sp.Integer(_bounded(value, field))
    if isinstance(value, Fraction):
        return sp.Rational(_bounded(value.numerator, field), _bounded(value.denominator, field))
    if isinstance(value, Decimal):
        return sp.Rational(str(_bounded_decimal(value, field)))
    if isinstance(value, float):
        # Floats only reach here from JSON or code; their shortest repr is what was written.
        return rational(Decimal(repr(value)), field)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 3 * MAX_DIGITS:
            raise InvalidParams(f"{text[:20]!r}… is too long to be an exam's number", field)
        fraction = _FRACTION.match(text)
        if fraction:
            numerator, denominator = _bounded(int(fraction.group(1)), field), _bounded(int(fraction.group(2)), field)
            if denominator == 0:
                raise InvalidParams(f"fraction {text!r} has a zero denominator", field)
            return sp.Rational(numerator, denominator)
        if is_decimal_text(text):
            try:
                return sp.Rational(str(_bounded_decimal(Decimal(text), field)))
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
    """An exact closed-form number written as text, e.g. "sqrt(2)/2" or "log(2)".

    The text is checked against a vocabulary, parsed without evaluation, and its size
    measured in floats (`_magnitude`) before sympy evaluates it, so `9^9^9^9` or
    `exp(exp(exp(100)))` is refused at once rather than computed.
    """
    from sympy.parsing.sympy_parser import (
        convert_xor,
        implicit_application,
        implicit_multiplication,
        parse_expr,
        rationalize,
        standard_transformations,
    )

    cleaned = text.strip().lower()
    names = set(re.findall(r"[a-z]+", cleaned))
    if not cleaned or not _EXPRESSION.match(cleaned) or not names <= set(_ALLOWED_NAMES):
        raise InvalidParams(f"cannot read {text!r} as a number or closed form", field)
    if len(cleaned) > MAX_EXPRESSION or any(len(run) > MAX_DIGITS for run in re.findall(r"\d+", cleaned)):
        raise InvalidParams(f"{text[:30]!r} is too long to be an exam's answer", field)
    if cleaned.count("(") > 8:
        raise InvalidParams(f"{text[:30]!r} is nested too deeply", field)
    options = dict(
        local_dict=dict(_ALLOWED_NAMES),
        # Unevaluated parsing spells the arithmetic out as Add/Mul/Pow calls.
        global_dict={
            "Integer": sp.Integer,
            "Float": sp.Float,
            "Rational": sp.Rational,
            "Add": sp.Add,
            "Mul": sp.Mul,
            "Pow": sp.Pow,
        },
        # As people write closed forms: "3 ln 2", "2pi", "sqrt 2/2" (a name and a number
        # written together, "ln2", stays one unknown name and is refused).
        transformations=standard_transformations
        + (convert_xor, rationalize, implicit_multiplication, implicit_application),
    )
    try:
        unevaluated = parse_expr(cleaned, evaluate=False, **options)
        _magnitude(unevaluated)
        parsed = parse_expr(cleaned, **options)
    except InvalidParams:
        raise
    except Exception as error:  # sympy raises many types for malformed text
        raise InvalidParams(f"cannot read {text!r} as a number ({type(error).__name__})", field) from None
    if not isinstance(parsed, sp.Expr) or parsed.free_symbols or not parsed.is_real:
        raise InvalidParams(f"{text!r} is not a real number", field)
    return parsed


def looks_numeric(text: str) -> bool:
    """Written as a number or closed form (digits, operators, sqrt/log/exp/pi/e), not as words."""
    cleaned = text.strip().lower()
    return (
        bool(re.search(r"\d", cleaned))
        and bool(_EXPRESSION.match(cleaned))
        and set(re.findall(r"[a-z]+", cleaned)) <= set(_ALLOWED_NAMES)
    )


_LIMIT = 1e300


def _magnitude(node: sp.Basic) -> float:
    """The value of an unevaluated expression in floats, refusing anything astronomically
    large (so evaluating it exactly stays cheap). Complex intermediate values count as 0:
    `is_real` refuses them afterwards."""
    import math

    if isinstance(node, sp.Number):
        return float(node)
    if node in (sp.pi, sp.E):
        return float(node)
    args = [_magnitude(arg) for arg in node.args]
    try:
        if isinstance(node, sp.Add):
            result = math.fsum(args)
        elif isinstance(node, sp.Mul):
            result = math.prod(args)
        elif isinstance(node, sp.Pow):
            base, exponent = args
            if abs(exponent) > 1000 or (base == 0 and exponent < 0):
                raise OverflowError
            result = abs(base) ** exponent if base >= 0 or float(exponent).is_integer() else 0.0
        elif isinstance(node, sp.exp):
            result = math.exp(args[0])
        elif isinstance(node, sp.log):
            result = math.log(abs(args[0])) if args[0] else -_LIMIT
        else:
            raise OverflowError
    except (OverflowError, ValueError, ZeroDivisionError):
        raise InvalidParams("too large to be an exam's answer (or not a number)") from None
    if isinstance(result, complex) or math.isnan(result) or abs(result) > _LIMIT:
        raise InvalidParams("too large to be an exam's answer")
    return result


_INFINITIES = frozenset((sp.oo, -sp.oo, sp.zoo))


def is_infinite(value: Value) -> bool:
    """Whether `value` is ±∞ (sympy folds every infinite result to one of these; asking
    `is_infinite` of a closed form instead runs sympy's assumption system, which is slow)."""
    return not isinstance(value, str) and value in _INFINITIES


def exact_equal(left: Value, right: Value) -> bool:
    if isinstance(left, str) or isinstance(right, str):
        return left == right
    if isinstance(left, sp.Rational) and isinstance(right, sp.Rational):
        return left == right
    if is_infinite(left) or is_infinite(right):
        return left == right  # oo - oo is nan, so infinities compare by identity
    # Closed forms: evaluated to 60 digits rather than simplified (sympy's simplify can take
    # minutes on a sum of square roots of logarithms). Two closed forms of exam size that
    # agree to 45 significant digits are the same number.
    difference = sp.N(left - right, 60)
    scale = max(1, abs(sp.N(left, 60)))
    return bool(abs(difference) <= scale * sp.Float(10) ** -45)


_NEAR_WHOLE = mpmath.mpf((0, 1, -133, 1))  # 2⁻¹³³ ≈ 10⁻⁴⁰, exact at any precision


def floor(value: sp.Expr) -> sp.Integer:
    """⌊value⌋ of an exact number. sympy's `floor` of a closed form runs its assumption
    system and an adaptive evalf (milliseconds each); 50 correct digits decide it unless the
    value lies within 10⁻⁴⁰ of a whole number, where sympy's exact route still answers."""
    if isinstance(value, sp.Rational):
        return sp.Integer(value.p // value.q)
    with mpmath.workprec(180):  # the 50 digits' bits, kept (mpmath rounds to its working precision)
        approximate = mpmath.mpf(sp.N(value, 50)._mpf_)
        whole = int(mpmath.floor(approximate))
        near_whole = min(approximate - whole, whole + 1 - approximate) < _NEAR_WHOLE
    if near_whole:
        return sp.Integer(sp.floor(value))  # log(64)/log(2): sympy proves it is 6
    return sp.Integer(whole)


def ceiling(value: sp.Expr) -> sp.Integer:
    """⌈value⌉ of an exact number (see `floor`)."""
    return -floor(-value)


@lru_cache(maxsize=4096)
def log_of_rational(value: sp.Rational) -> sp.Expr:
    """log(p/q) as Σ e_i·log(prime_i): one canonical form, so that sums of such logs combine
    exactly and print alike (sympy keeps log(6) and log(2) + log(3) apart)."""
    if value <= 0:
        raise ValueError(f"log of {value}")
    total = sp.Integer(0)
    for number, sign in ((value.p, 1), (value.q, -1)):
        for prime, power in sp.factorint(number).items():
            total += sign * power * sp.log(prime)
    return total


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
    return _expression_text(value)


# Closed forms are printed and evaluated again and again while options are chosen (every
# candidate against every other): do each once.
@lru_cache(maxsize=1 << 16)
def _expression_text(value: sp.Expr) -> str:
    return sp.sstr(value)


@lru_cache(maxsize=1 << 16)
def numeric(value: sp.Expr) -> sp.Float:
    """A value to 30 significant digits (floats only ever in checks and display)."""
    return sp.N(value, 30)


def load_value(data: object, field: str = "") -> Value:
    if isinstance(data, dict) and set(data) == {"text"} and isinstance(data["text"], str):
        return data["text"]
    if data == "oo":
        return sp.oo
    if data == "-oo":
        return -sp.oo
    if isinstance(data, str) and not _FRACTION.match(data.strip()) and not is_decimal_text(data):
        try:
            return expression(data, field)
        except InvalidParams:
            # A question file's key may hold functions a claim never does (erf, Φ): read it
            # with the question files' own grammar, which knows them.
            from variantex.answer_engine import expressions

            return expressions.parse(data, field=field).exact({})
    return rational(data, field)
