"""The family kit: what every family used to copy, written once.

**Declared params.** A family's params class is a frozen dataclass whose fields say what
they hold, with the field name written once:

    @dataclass(frozen=True)
    class StepParams:
        c: sp.Rational = number()                    # required exact number
        gamma: sp.Rational = number(default=sp.Rational(1, 10))
        loss: str = choice(("squared", "absolute"), default="squared")
        w: tuple[sp.Rational, ...] = vector()
        calculator: bool = flag()

`parse_fields` reads YAML/JSON values into it (exact numbers, named errors for missing,
unknown or malformed fields) and `dump_fields` writes it back, so `parse(dump(p)) == p`
holds by construction. Fields without a kind are derived state and are neither read nor
written.

**Mistakes.** `Mistakes().add(name, description, part=value, …)` builds the named-mistake
list. **Edge cases.** `EdgeCase` pins hand-worked params to their expected answers; the
registry walk runs every family's edge cases.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from variantex.answer_engine import exact
from variantex.answer_engine.distractors import Mistake
from variantex.answer_engine.errors import InvalidParams

_KIND = "variantex_kind"


# --- field kinds ----------------------------------------------------------------------


class Kind:
    def read(self, value: Any, name: str) -> Any:
        raise NotImplementedError

    def write(self, value: Any) -> Any:
        raise NotImplementedError


class Number(Kind):
    def __init__(self, positive: bool = False):
        self.positive = positive

    def read(self, value: Any, name: str) -> Any:
        number = exact.rational(value, name)
        if self.positive and number <= 0:
            raise InvalidParams(f"expected a positive number, got {value!r}", name)
        return number

    def write(self, value: Any) -> Any:
        return exact.dump_number(value)


class Integer(Kind):
    def __init__(self, low: int | None = None, high: int | None = None):
        self.low, self.high = low, high

    def read(self, value: Any, name: str) -> Any:
        number = exact.integer(value, name)
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            bounds = (
                f"in {self.low}..{self.high}"
                if self.low is not None and self.high is not None
                else f"≥ {self.low}"
                if self.low is not None
                else f"≤ {self.high}"
            )
            raise InvalidParams(f"expected a whole number {bounds}, got {value!r}", name)
        return number

    def write(self, value: Any) -> Any:
        return int(value)


class Vector(Kind):
    """A list of exact numbers; with `scalar_ok`, a single number stands for itself (not a list)."""

    def __init__(self, scalar_ok: bool = False):
        self.scalar_ok = scalar_ok

    def read(self, value: Any, name: str) -> Any:
        if self.scalar_ok and not isinstance(value, (list, tuple)):
            return exact.rational(value, name)
        return tuple(exact.rational(v, f"{name}[{i}]") for i, v in enumerate(sequence(value, name)))

    def write(self, value: Any) -> Any:
        if not isinstance(value, tuple):
            return exact.dump_number(value)
        return [exact.dump_number(v) for v in value]


class Matrix(Kind):
    def read(self, value: Any, name: str) -> Any:
        rows = tuple(Vector().read(row, f"{name}[{i}]") for i, row in enumerate(sequence(value, name)))
        if rows and any(len(row) != len(rows[0]) for row in rows):
            raise InvalidParams("all entries must have the same length", name)
        return rows

    def write(self, value: Any) -> Any:
        return [Vector().write(row) for row in value]


class Choice(Kind):
    def __init__(self, allowed: Sequence[str]):
        self.allowed = tuple(allowed)

    def read(self, value: Any, name: str) -> Any:
        return choice(value, self.allowed, name)

    def write(self, value: Any) -> Any:
        return value


class Choices(Kind):
    """Distinct names from an allowed list, in the order given (`count` of them)."""

    def __init__(self, allowed: Sequence[str], count: int):
        self.allowed, self.count = tuple(allowed), count

    def read(self, value: Any, name: str) -> Any:
        names = tuple(choice(v, self.allowed, f"{name}[{i}]") for i, v in enumerate(sequence(value, name)))
        if len(names) != self.count or len(set(names)) != len(names):
            raise InvalidParams(f"expected {self.count} different names, got {value!r}", name)
        return names

    def write(self, value: Any) -> Any:
        return list(value)


class Flag(Kind):
    def read(self, value: Any, name: str) -> Any:
        if not isinstance(value, bool):
            raise InvalidParams(f"expected true or false, got {value!r}", name)
        return value

    def write(self, value: Any) -> Any:
        return value


def _declare(kind: Kind, default: Any) -> Any:
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata={_KIND: kind})
    return dataclasses.field(default=default, metadata={_KIND: kind})


_REQUIRED = dataclasses.MISSING


def number(default: Any = _REQUIRED, positive: bool = False) -> Any:
    return _declare(Number(positive), default)


def integer(default: Any = _REQUIRED, low: int | None = None, high: int | None = None) -> Any:
    return _declare(Integer(low, high), default)


def vector(default: Any = _REQUIRED, scalar_ok: bool = False) -> Any:
    return _declare(Vector(scalar_ok), default)


def matrix(default: Any = _REQUIRED) -> Any:
    return _declare(Matrix(), default)


def choice_of(allowed: Sequence[str], default: Any = _REQUIRED) -> Any:
    return _declare(Choice(allowed), default)


def choices_of(allowed: Sequence[str], count: int, default: Any = _REQUIRED) -> Any:
    return _declare(Choices(allowed, count), default)


def flag(default: bool = False) -> Any:
    return _declare(Flag(), default)


def declared(params_type: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(params_type) if _KIND in f.metadata]


def parse_fields(params_type: type, data: Mapping[str, Any]) -> Any:
    """YAML/JSON values -> the params dataclass (which validates itself)."""
    fields = declared(params_type)
    required = [f.name for f in fields if f.default is dataclasses.MISSING]
    optional = [f.name for f in fields if f.default is not dataclasses.MISSING]
    require_fields(data, required, optional)
    values = {}
    for f in fields:
        if f.name in data and not (data[f.name] is None and f.default is None):
            values[f.name] = f.metadata[_KIND].read(data[f.name], f.name)
    return params_type(**values)


def dump_fields(params: Any) -> dict[str, Any]:
    """Params -> plain data; optional fields at their default are left out."""
    data: dict[str, Any] = {}
    for f in declared(type(params)):
        value = getattr(params, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        data[f.name] = f.metadata[_KIND].write(value)
    return data


# --- reading helpers -------------------------------------------------------------------


def require_fields(data: Mapping[str, Any], required: Sequence[str], optional: Sequence[str] = ()) -> None:
    """Refuse missing and unknown keys by name, so a typo is reported, not ignored."""
    if not isinstance(data, Mapping):
        raise InvalidParams(f"params must be a mapping of names to values, got {type(data).__name__}")
    allowed = set(required) | set(optional)
    for name in data:  # a typo first: it usually explains the "missing" field too
        if name not in allowed:
            raise InvalidParams(f"unknown field (expected: {', '.join([*required, *optional])})", str(name))
    for name in required:
        if name not in data:
            raise InvalidParams("missing", name)


def sequence(value: Any, field: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise InvalidParams(f"expected a list, got {value!r}", field)
    return list(value)


def choice(value: Any, allowed: Sequence[str], field: str) -> str:
    if value not in allowed:
        raise InvalidParams(f"expected one of {', '.join(allowed)}, got {value!r}", field)
    return str(value)


# --- mistakes and edge cases --------------------------------------------------------------


class Mistakes(list[Mistake]):
    """The named-mistake list a family returns, built one `add` at a time."""

    def add(
        self,
        name: str,
        description: str,
        values: Mapping[str, Any] | None = None,
        *,
        slips: int = 1,
        guess: bool = False,
        **parts: Any,
    ) -> Mistakes:
        self.append(Mistake(name, description, {**(values or {}), **parts}, slips=slips, guess=guess))
        return self


@dataclass(frozen=True)
class EdgeCase:
    """Hand-worked params (a boundary, a degenerate input) and the answers they must give.

    Answers are written as a key author would write them ("3/4", "undetermined",
    "infinity", "sqrt(2)/2") and compared exactly.
    """

    note: str
    params: Mapping[str, Any]
    answers: Mapping[str, Any]
