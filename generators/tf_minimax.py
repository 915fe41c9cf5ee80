"""`tf-minimax`: true/false statements on minimax duality in small zero-sum games.

A 2×2 game A = [[a, b], [c, d]] pays the row player (who maximises) a_ij. With pure
strategies max_i min_j a_ij ≤ min_j max_i a_ij, with equality exactly at a saddle point;
with mixed strategies the two are equal (von Neumann): without a saddle point the value is
(ad − bc)/(a + d − b − c), the row player plays row 1 with probability (d − c)/(a + d − b − c)
and the column player column 1 with (d − b)/(a + d − b − c). Sion's theorem needs f convex
in the minimiser's variable and concave in the maximiser's. The independent route solves the
game on a fine grid of mixed strategies and checks curvature by finite differences.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from variantex.answer_engine.formatting import matrix
from variantex.generators.kit import EdgeCase
from variantex.generators.statements import StatementBank, claimed, fact, num, one_of

R = sp.Rational
GAME = "a b c d"


def _entries(rng) -> dict:
    return {k: sp.Integer(int(x)) for k, x in zip("abcd", rng.integers(-3, 5, size=4))}


def _no_saddle(rng) -> dict:
    """Entries with a > b, a > c, d > b, d > c (or all reversed): no pure saddle point."""
    high = sorted(int(x) for x in rng.choice(np.arange(0, 6), size=2, replace=False))
    low = sorted(int(x) for x in rng.choice(np.arange(-4, 0), size=2, replace=False))
    a, d = high if rng.integers(2) else high[::-1]
    b, c = low if rng.integers(2) else low[::-1]
    if rng.integers(2):
        a, b, c, d = b, a, d, c  # the reversed pattern
    return {"a": sp.Integer(a), "b": sp.Integer(b), "c": sp.Integer(c), "d": sp.Integer(d)}


def _maximin(v):
    return max(min(v["a"], v["b"]), min(v["c"], v["d"]))


def _minimax(v):
    return min(max(v["a"], v["c"]), max(v["b"], v["d"]))


def _saddle(v) -> bool:
    return _maximin(v) == _minimax(v)


def _value(v):
    if _saddle(v):
        return _maximin(v)
    a, b, c, d = (v[k] for k in "abcd")
    return (a * d - b * c) / (a + d - b - c)


def _row_p(v):
    a, b, c, d = (v[k] for k in "abcd")
    return (d - c) / (a + d - b - c)


def _col_q(v):
    a, b, c, d = (v[k] for k in "abcd")
    return (d - b) / (a + d - b - c)


def _matrix(v) -> np.ndarray:
    return np.array([[float(v["a"]), float(v["b"])], [float(v["c"]), float(v["d"])]])


def _vertices(first: np.ndarray, second: np.ndarray) -> list[float]:
    """Where a piecewise-linear payoff of p can turn: the ends, and where its two lines
    (first·(p, 1 − p) and second·(p, 1 − p)) cross, solved as a linear system in floats."""
    candidates = [0.0, 1.0]
    system = np.array([[first[0] - first[1], -1.0], [second[0] - second[1], -1.0]])
    if abs(np.linalg.det(system)) > 1e-12:
        p, _ = np.linalg.solve(system, [-first[1], -second[1]])
        if 0.0 <= p <= 1.0:
            candidates.append(float(p))
    return candidates


def _solve_by_vertices(matrix: np.ndarray) -> tuple[float, float, float]:
    """(value, row player's p, column player's q) by the linear programme's vertices: each
    player's guaranteed payoff is checked at every point where it can turn."""

    def guaranteed(p: float) -> float:
        return min(p * matrix[0, 0] + (1 - p) * matrix[1, 0], p * matrix[0, 1] + (1 - p) * matrix[1, 1])

    def conceded(q: float) -> float:
        return max(q * matrix[0, 0] + (1 - q) * matrix[0, 1], q * matrix[1, 0] + (1 - q) * matrix[1, 1])

    p = max(_vertices(matrix[:, 0], matrix[:, 1]), key=guaranteed)
    q = min(_vertices(matrix[0, :], matrix[1, :]), key=conceded)
    return guaranteed(p), p, q


def _shown(v) -> str:
    return rf"$A = {matrix([[v['a'], v['b']], [v['c'], v['d']]])}$"


def _needs_no_saddle(v) -> str | None:
    return None if not _saddle(v) else "a game without a pure saddle point"


def _why_mixed(v) -> str:
    return (
        rf"No saddle point ($\max_i \min_j = {num(_maximin(v))} < \min_j \max_i = {num(_minimax(v))}$): equalising "
        rf"gives $p = {num(_row_p(v))}$, $q = {num(_col_q(v))}$ and the value ${num(_value(v))}$"
    )


def _curvatures(v) -> tuple[float, float]:
    f = lambda x, y: float(v["a"]) * x * x + float(v["k"]) * x * y - float(v["b"]) * y * y
    h, x, y = 1e-3, 0.3, -0.7
    return ((f(x + h, y) - 2 * f(x, y) + f(x - h, y)) / h**2, (f(x, y + h) - 2 * f(x, y) + f(x, y - h)) / h**2)


X, Y = sp.symbols("x y")

FACTS = (
    fact(
        "saddle-point",
        GAME,
        lambda rng: _entries(rng) if rng.integers(2) else _no_saddle(rng),
        _saddle,
        check=lambda v: any(
            _matrix(v)[i, j] == _matrix(v)[i].min() and _matrix(v)[i, j] == _matrix(v)[:, j].max()
            for i in (0, 1)
            for j in (0, 1)
        ),
        text=lambda v: (
            rf"The zero-sum game {_shown(v)} (the row player maximises) [[has a¦has no]] saddle point in "
            r"pure strategies."
        ),
        why=lambda v: (
            rf"$\max_i \min_j a_{{ij}} = {num(_maximin(v))}$ and $\min_j \max_i a_{{ij}} = {num(_minimax(v))}$: "
            r"a pure saddle point exists exactly when they are equal"
        ),
    ),
    fact(
        "pure-maximin",
        GAME + " claimed",
        claimed(_entries, lambda v: (_maximin(v), _minimax(v), max(v.values()), min(v.values()))),
        holds=lambda v: v["claimed"] == _maximin(v),
        check=lambda v: _matrix(v).min(axis=1).max() == float(v["claimed"]),
        text=lambda v: (
            rf"In {_shown(v)}, using pure strategies only, the most the row player can guarantee "
            rf"[[is¦is not]] ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"The row minima are ${num(min(v['a'], v['b']))}$ and ${num(min(v['c'], v['d']))}$; the row "
            rf"player guarantees the larger, ${num(_maximin(v))}$"
        ),
    ),
    fact(
        "game-value",
        GAME + " claimed",
        claimed(
            lambda rng: _entries(rng) if rng.integers(2) else _no_saddle(rng),
            lambda v: (_value(v), R(sum(v.values()), 4), _maximin(v), _minimax(v)),
        ),
        holds=lambda v: v["claimed"] == _value(v),
        check=lambda v: abs(_solve_by_vertices(_matrix(v))[0] - float(v["claimed"])) < 1e-9,
        text=lambda v: rf"With mixed strategies the value of {_shown(v)} [[is¦is not]] ${num(v['claimed'])}$.",
        why=lambda v: (
            _why_mixed(v)
            if not _saddle(v)
            else rf"A saddle point: the value is $\max_i \min_j = \min_j \max_i = {num(_value(v))}$"
        ),
    ),
    fact(
        "row-strategy",
        GAME + " claimed",
        claimed(_no_saddle, lambda v: (_row_p(v), R(1, 2), 1 - _row_p(v), _col_q(v))),
        holds=lambda v: v["claimed"] == _row_p(v),
        check=lambda v: abs(_solve_by_vertices(_matrix(v))[1] - float(v["claimed"])) < 1e-9,
        text=lambda v: (
            rf"In {_shown(v)} the row player's optimal mixed strategy plays row 1 with probability "
            rf"[[${num(v['claimed'])}$¦other than ${num(v['claimed'])}$]]."
        ),
        why=_why_mixed,
        valid=_needs_no_saddle,
    ),
    fact(
        "column-strategy",
        GAME + " claimed",
        claimed(_no_saddle, lambda v: (_col_q(v), R(1, 2), 1 - _col_q(v), _row_p(v))),
        holds=lambda v: v["claimed"] == _col_q(v),
        check=lambda v: abs(_solve_by_vertices(_matrix(v))[2] - float(v["claimed"])) < 1e-9,
        text=lambda v: (
            rf"In {_shown(v)} the column player's optimal mixed strategy plays column 1 with probability "
            rf"[[${num(v['claimed'])}$¦other than ${num(v['claimed'])}$]]."
        ),
        why=_why_mixed,
        valid=_needs_no_saddle,
    ),
    fact(
        "convex-concave",
        "a k b",
        lambda rng: {"a": one_of(rng, 1, 2, -1, 0), "k": one_of(rng, -2, 1, 3), "b": one_of(rng, 1, 3, -1, -2)},
        holds=lambda v: v["a"] >= 0 and v["b"] >= 0,
        check=lambda v: _curvatures(v)[0] >= -1e-6 and _curvatures(v)[1] <= 1e-6,
        text=lambda v: (
            rf"$f(x, y) = {sp.latex(v['a'] * X**2 + v['k'] * X * Y - v['b'] * Y**2)}$ [[is¦is not both]] "
            r"convex in $x$ and concave in $y$ (Sion's condition for $\min_x \max_y f = \max_y \min_x f$ on "
            r"compact convex sets)."
        ),
        why=lambda v: (
            rf"$\partial^2 f/\partial x^2 = {num(2 * v['a'])}$ and $\partial^2 f/\partial y^2 = "
            rf"{num(-2 * v['b'])}$: convex in $x$ needs the first $\ge 0$, concave in $y$ the second $\le 0$"
        ),
    ),
    fact(
        "dominated-row",
        GAME,
        _entries,
        holds=lambda v: v["a"] > v["c"] and v["b"] > v["d"],
        check=lambda v: bool(np.all(_matrix(v)[0] > _matrix(v)[1])),
        text=lambda v: (
            rf"In {_shown(v)}, row 1 [[strictly dominates¦does not strictly dominate]] row 2 for the "
            r"maximising row player."
        ),
        why=lambda v: rf"Compare entry by entry: ${v['a']}$ vs ${v['c']}$ and ${v['b']}$ vs ${v['d']}$",
    ),
    fact(
        "value-shift",
        GAME + " shift claimed",
        lambda rng: (
            lambda v, s: {
                **v,
                "shift": s,
                "claimed": one_of(rng, _value(v) + s, _value(v) + s, _value(v), s * _value(v)),
            }
        )(_entries(rng) if rng.integers(2) else _no_saddle(rng), sp.Integer(one_of(rng, 1, 2, 3, -2))),
        holds=lambda v: v["claimed"] == _value(v) + v["shift"],
        check=lambda v: abs(_solve_by_vertices(_matrix(v) + float(v["shift"]))[0] - float(v["claimed"])) < 1e-9,
        text=lambda v: (
            rf"Adding ${num(v['shift'])}$ to every payoff of {_shown(v)} [[makes¦does not make]] the value "
            rf"of the game (mixed strategies) ${num(v['claimed'])}$."
        ),
        why=lambda v: (
            rf"A constant shift moves every payoff, hence the value ${num(_value(v))}$, by "
            rf"${num(v['shift'])}$; the optimal strategies stay"
        ),
    ),
)


class MinimaxStatements(StatementBank):
    id = "tf-minimax"
    title = "True or false: minimax duality in zero-sum games"
    intro = (
        r"In a zero-sum game with payoff matrix $A$ the row player picks row $i$, the column player column $j$, "
        r"and the row player receives $a_{ij}$ (which the column player pays)."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "matching pennies: no saddle point, value 0, each player mixes 1/2",
            {
                "statements": [
                    {"fact": "saddle-point", "a": 1, "b": -1, "c": -1, "d": 1},
                    {"fact": "game-value", "a": 1, "b": -1, "c": -1, "d": 1, "claimed": 0},
                    {"fact": "row-strategy", "a": 1, "b": -1, "c": -1, "d": 1, "claimed": "1/2"},
                ]
            },
            {"s1": "false", "s2": "true", "s3": "true"},
        ),
        EdgeCase(
            "a = 0 is still convex in x (linear); equal rows dominate nothing",
            {
                "statements": [
                    {"fact": "convex-concave", "a": 0, "k": 3, "b": 1},
                    {"fact": "dominated-row", "a": 2, "b": 1, "c": 2, "d": 0},
                ]
            },
            {"s1": "true", "s2": "false"},
        ),
    )
