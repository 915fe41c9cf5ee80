"""Comparing the exact key with the independent second computation.

Any disagreement raises `VerificationError`: a key that two routes do not agree on is
never printed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import VerificationError
from variantex.answer_engine.exact import Value, exact_equal, is_infinite, numeric
from variantex.answer_engine.formatting import plain


def confirm(
    label: str,
    exact_values: Mapping[str, Value],
    independent: Mapping[str, Value | float],
    tolerance: float,
) -> None:
    """Raise unless every exact part agrees with its independently computed value."""
    missing = sorted(set(exact_values) - set(independent))
    if missing:
        raise VerificationError(f"{label}: the independent check does not cover {', '.join(missing)}")
    problems = []
    for name, value in exact_values.items():
        other = independent[name]
        if not _agrees(value, other, tolerance):
            problems.append(f"{name}: exact {plain(value)} vs independent {other}")
    if problems:
        raise VerificationError(f"{label}: solver and independent check disagree: " + "; ".join(problems))


def _agrees(value: Value, other: Value | float, tolerance: float) -> bool:
    if isinstance(value, str) or isinstance(other, str):
        return value == other
    if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
        other = sp.Integer(int(other))  # a count measured by the independent route is exact
    if isinstance(other, (float, np.floating)):
        other = float(other)
        if is_infinite(value) or not np.isfinite(other):
            return is_infinite(value) and other == float(value)  # ±∞ measured as ±inf
        reference = float(numeric(value))  # the cached 30 digits that display and checks use too
        return abs(reference - other) <= tolerance * max(1.0, abs(reference))
    return exact_equal(value, other)
