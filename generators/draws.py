"""Small composable draws. Every one takes an explicit numpy Generator: no global state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import sympy as sp

T = TypeVar("T")


def pick(rng: np.random.Generator, items: Sequence[T]) -> T:
    return items[int(rng.integers(len(items)))]


def small_int(rng: np.random.Generator, low: int, high: int, nonzero: bool = False) -> int:
    """A uniform integer in [low, high], optionally never zero."""
    while True:
        value = int(rng.integers(low, high + 1))
        if value or not nonzero:
            return value


def half_integer(rng: np.random.Generator, low: int, high: int, nonzero: bool = False) -> sp.Rational:
    """A multiple of 1/2 in [low, high]."""
    return sp.Rational(small_int(rng, 2 * low, 2 * high, nonzero), 2)


def shuffled(rng: np.random.Generator, items: Sequence[T]) -> list[T]:
    order = rng.permutation(len(items))
    return [items[int(i)] for i in order]


def subset(rng: np.random.Generator, items: Sequence[T], size: int) -> list[T]:
    """`size` distinct items, kept in their original order."""
    chosen = sorted(int(i) for i in rng.choice(len(items), size=size, replace=False))
    return [items[i] for i in chosen]
