"""Numeric searches the independent checks share (floats, never the exact route).

A check that must not reuse the solver's closed form finds its answer from the defining
condition instead: the smallest whole number for which a monotone condition holds, or the
point where a monotone condition stops holding.
"""

from __future__ import annotations

from collections.abc import Callable


def smallest_whole(enough: Callable[[int], bool]) -> int:
    """The smallest n ≥ 1 with `enough(n)`, for a condition that stays true once true:
    doubling until it holds, then bisecting over whole numbers."""
    high = 1
    while not enough(high):
        high *= 2
    low = high // 2  # not enough (or 0)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


def crossing(before: Callable[[float], bool], low: float, high: float, steps: int = 200) -> float:
    """The point in [low, high] where `before(x)` turns from true to false, by bisection."""
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if before(middle) else (low, middle)
    return (low + high) / 2
