"""Small exact linear algebra over Python Fractions, for independent checks.

Independent checks build objects and measure them; sympy matrices are exact but slow for
thousands of tiny matrices, so these few routines do the same with Fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

Matrix = list[list[Fraction]]


def matrix(rows: Sequence[Sequence[int | Fraction | str]]) -> Matrix:
    return [[Fraction(value) for value in row] for row in rows]


def identity(n: int) -> Matrix:
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def multiply(a: Matrix, b: Matrix) -> Matrix:
    columns = list(zip(*b))
    return [[sum((x * y for x, y in zip(row, column)), Fraction(0)) for column in columns] for row in a]


def transpose(a: Matrix) -> Matrix:
    return [list(column) for column in zip(*a)]


def _eliminate(a: Matrix, augment: Matrix | None = None) -> tuple[Matrix, Matrix | None, int, Fraction]:
    """Gauss-Jordan elimination: (reduced rows, reduced augment, rank, determinant factor)."""
    rows = [list(r) for r in a]
    extra = [list(r) for r in augment] if augment is not None else None
    n_rows, n_cols = len(rows), len(rows[0]) if rows else 0
    rank, det = 0, Fraction(1)
    for column in range(n_cols):
        pivot = next((r for r in range(rank, n_rows) if rows[r][column] != 0), None)
        if pivot is None:
            det = Fraction(0)
            continue
        if pivot != rank:
            rows[rank], rows[pivot] = rows[pivot], rows[rank]
            if extra is not None:
                extra[rank], extra[pivot] = extra[pivot], extra[rank]
            det = -det
        lead = rows[rank][column]
        det *= lead
        rows[rank] = [value / lead for value in rows[rank]]
        if extra is not None:
            extra[rank] = [value / lead for value in extra[rank]]
        for r in range(n_rows):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [x - factor * y for x, y in zip(rows[r], rows[rank])]
                if extra is not None:
                    extra[r] = [x - factor * y for x, y in zip(extra[r], extra[rank])]
        rank += 1
        if rank == n_rows:
            break
    return rows, extra, rank, det


def rank(a: Matrix) -> int:
    return _eliminate(a)[2]


def determinant(a: Matrix) -> Fraction:
    _, _, full_rank, det = _eliminate(a)
    return det if full_rank == len(a) else Fraction(0)


def inverse(a: Matrix) -> Matrix:
    _, result, full_rank, _ = _eliminate(a, identity(len(a)))
    if full_rank < len(a) or result is None:
        raise ZeroDivisionError("singular matrix")
    return result


def trace(a: Matrix) -> Fraction:
    return sum((a[i][i] for i in range(len(a))), Fraction(0))
