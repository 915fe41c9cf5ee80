"""`tf-separable-logistic`: true/false statements on logistic regression and separable data.

The data are three labelled points on a line and the model is w·x through the origin, so
"separable" means every margin y_i·x_i has the same sign. On separable data the logistic
loss Σ log(1 + e^{−y_i w x_i}) has infimum 0 and no minimiser: gradient descent drives |w|
to infinity (the direction converges, to the max-margin one in 2-D); on data that is not
separable the loss is coercive and the minimiser is finite; any λw² makes it finite. The
independent routes run gradient descent, scan the loss on a grid or try every sign.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from variantex.generators.kit import EdgeCase
from variantex.generators.statements import StatementBank, fact, num, one_of

POINTS = "x1 y1 x2 y2 x3 y3"


def _draw_points(rng: np.random.Generator, separable: bool | None = None) -> dict:
    """Three distinct nonzero points and labels; separable (through 0) about half the time."""
    xs = [int(v) for v in rng.choice([-3, -2, -1, 1, 2, 3], size=3, replace=False)]
    if separable is None:
        separable = bool(rng.integers(2))
    sign = one_of(rng, 1, -1)
    ys = [sign * (1 if x > 0 else -1) for x in xs]
    if not separable:
        flip = int(rng.integers(3))
        ys[flip] = -ys[flip]
    return {"x1": xs[0], "y1": ys[0], "x2": xs[1], "y2": ys[1], "x3": xs[2], "y3": ys[2]}


def _redraw(rng: np.random.Generator, fit) -> dict:
    while True:
        v = _draw_points(rng)
        if fit(v):
            return v


def _margins(v) -> list[int]:
    return [int(v[f"y{i}"]) * int(v[f"x{i}"]) for i in (1, 2, 3)]


def _separable(v) -> bool:
    m = _margins(v)
    return all(x > 0 for x in m) or all(x < 0 for x in m)


def _float_points(v) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([float(v[f"x{i}"]) for i in (1, 2, 3)]), np.array([float(v[f"y{i}"]) for i in (1, 2, 3)]))


def _loss(v, w, lam: float = 0.0):
    x, y = _float_points(v)
    w = np.asarray(w, dtype=float)
    return np.logaddexp(0.0, -np.outer(w, y * x)).sum(axis=1) + lam * w**2


def _gd_runs_away(v) -> bool:
    """Gradient descent from 0 (step 0.2, below 2/curvature for these margins): |w| still grows
    between steps 400 and 800 (it creeps like log t on separable data and has settled otherwise)."""
    margins = [float(m) for m in _margins(v)]
    w, seen = 0.0, {}
    for step in range(1, 801):
        w += 0.2 * sum(m / (1.0 + math.exp(min(m * w, 700.0))) for m in margins)
        if step in (400, 800):
            seen[step] = abs(w)
    return seen[800] - seen[400] > 0.05


_GRID = np.linspace(-60.0, 60.0, 6001)


def _grid_minimiser_inside(v, lam: float = 0.0) -> bool:
    values = _loss(v, _GRID, lam)
    return abs(_GRID[int(np.argmin(values))]) < 59.0


def _data(v) -> str:
    return "$" + ", ".join(f"({v[f'x{i}']}, {'+1' if v[f'y{i}'] > 0 else '-1'})" for i in (1, 2, 3)) + "$"


def _pattern(v) -> str:
    m = ", ".join(str(x) for x in _margins(v))
    return rf"the margins $y_i x_i$ are ${m}$"


def _valid(v) -> str | None:
    if any(v[f"x{i}"] == 0 or not v[f"x{i}"].is_integer for i in (1, 2, 3)):
        return "points are nonzero whole numbers"
    if any(v[f"y{i}"] not in (1, -1) for i in (1, 2, 3)):
        return "labels are +1 or -1"
    return None


SEPARABLE_WHY = lambda v: (
    rf"{_pattern(v)}: "
    + (
        "all of one sign, so the data are separable through the origin"
        if _separable(v)
        else "of both signs, so no $w$ classifies every point"
    )
)

FACTS = (
    fact(
        "separable",
        POINTS,
        _draw_points,
        _separable,
        check=lambda v: any(all(np.sign(w * _float_points(v)[0]) == _float_points(v)[1]) for w in (-1.0, 1.0)),
        text=lambda v: (
            rf"The points $(x_i, y_i)$ = {_data(v)} [[are¦are not]] linearly separable by a "
            r"classifier $\mathrm{sign}(wx)$ through the origin."
        ),
        why=SEPARABLE_WHY,
        valid=_valid,
    ),
    fact(
        "norm-diverges",
        POINTS,
        _draw_points,
        _separable,
        check=_gd_runs_away,
        text=lambda v: (
            rf"Gradient descent from $w_0 = 0$ on the logistic loss $\sum_i \log(1 + e^{{-y_i w x_i}})$ "
            rf"of {_data(v)} [[drives $\lvert w_t \rvert$ to infinity¦keeps $\lvert w_t \rvert$ bounded]]."
        ),
        why=lambda v: (
            SEPARABLE_WHY(v)
            + (
                ": the loss keeps falling as $|w|$ grows"
                if _separable(v)
                else ": the loss grows in both directions, GD settles"
            )
        ),
        valid=_valid,
    ),
    fact(
        "has-minimiser",
        POINTS,
        _draw_points,
        lambda v: not _separable(v),
        check=_grid_minimiser_inside,
        text=lambda v: (
            rf"The logistic loss $\sum_i \log(1 + e^{{-y_i w x_i}})$ of {_data(v)} [[has a¦has no]] "
            r"minimiser $w^*$."
        ),
        why=lambda v: (
            SEPARABLE_WHY(v)
            + (
                r"; the loss only approaches its infimum $0$ as $|w| \to \infty$"
                if _separable(v)
                else "; the loss tends to $\\infty$ both ways"
            )
        ),
        valid=_valid,
    ),
    fact(
        "infimum-zero",
        POINTS,
        _draw_points,
        _separable,
        check=lambda v: float(np.min(_loss(v, _GRID))) < 1e-10,
        text=lambda v: (
            rf"The infimum over $w$ of $\sum_i \log(1 + e^{{-y_i w x_i}})$ on {_data(v)} "
            r"[[is¦is not]] $0$."
        ),
        why=lambda v: (
            SEPARABLE_WHY(v)
            + (
                "; every term tends to $0$"
                if _separable(v)
                else r"; every $w$ leaves a point with $y_i w x_i \le 0$, whose term is at least $\log 2$"
            )
        ),
        valid=_valid,
    ),
    fact(
        "regularised-minimiser",
        POINTS + " lam",
        lambda rng: {
            **_draw_points(rng, separable=True),
            "lam": one_of(rng, 0, sp.Rational(1, 100), sp.Rational(1, 10), 1),
        },
        holds=lambda v: v["lam"] > 0 or not _separable(v),
        check=lambda v: _grid_minimiser_inside(v, float(v["lam"])),
        text=lambda v: (
            rf"With $\lambda w^2$ added ($\lambda = {num(v['lam'])}$), the loss "
            rf"$\sum_i \log(1 + e^{{-y_i w x_i}}) + \lambda w^2$ on {_data(v)} [[has a¦has no]] minimiser."
        ),
        why=lambda v: (
            r"Any $\lambda > 0$ makes the objective grow like $\lambda w^2$: a finite minimiser exists"
            if v["lam"] > 0
            else r"With $\lambda = 0$ this is the plain loss on separable data: no minimiser"
        ),
        valid=lambda v: _valid(v) or (None if v["lam"] >= 0 and _separable(v) else "separable data, λ ≥ 0"),
    ),
    fact(
        "scaling-lowers-loss",
        POINTS + " t1 t2",
        lambda rng: {
            **_draw_points(rng, separable=True),
            **dict(zip(("t1", "t2"), ([int(t) for t in rng.choice([1, 2, 3, 5, 10], size=2, replace=False)]))),
        },
        # On separable data every term log(1 + e^{-t m}) falls as t grows (m > 0 after the sign).
        holds=lambda v: v["t2"] > v["t1"] if all(m > 0 for m in _margins(v)) else v["t2"] < v["t1"],
        check=lambda v: float(_loss(v, [float(v["t2"])])[0]) < float(_loss(v, [float(v["t1"])])[0]),
        text=lambda v: (
            rf"On {_data(v)}, $w = {num(v['t2'])}$ [[has a lower¦does not have a lower]] logistic loss "
            rf"than $w = {num(v['t1'])}$."
        ),
        why=lambda v: SEPARABLE_WHY(v) + r"; the loss falls as $w$ moves further in the separating direction",
        valid=lambda v: (
            _valid(v)
            or (
                None
                if _separable(v) and v["t1"] > 0 and v["t2"] > 0 and v["t1"] != v["t2"]
                else "separable data and two different positive scales"
            )
        ),
    ),
    fact(
        "first-step-direction",
        POINTS,
        lambda rng: _redraw(rng, lambda v: sum(_margins(v)) != 0),
        holds=lambda v: sum(_margins(v)) > 0,
        check=lambda v: float(_loss(v, [1e-6])[0]) < float(_loss(v, [-1e-6])[0]),
        text=lambda v: (
            rf"One gradient step from $w_0 = 0$ on the logistic loss of {_data(v)} [[increases¦does not "
            r"increase]] $w$."
        ),
        why=lambda v: (
            rf"At $w = 0$ the gradient is $-\frac{{1}}{{2}}\sum_i y_i x_i = {num(-sp.Rational(sum(_margins(v)), 2))}$; "
            r"the step moves against it"
        ),
        valid=lambda v: _valid(v) or (None if sum(_margins(v)) != 0 else "margins summing to 0 leave w at 0"),
    ),
    fact(
        "direction-converges",
        "a b c d",
        lambda rng: (
            lambda a, b: {
                "a": a,
                "b": b,
                **dict(zip("cd", one_of(rng, (a, b), (2 * a, 2 * b), (b, a), (a, -b), (-a, -b)))),
            }
        )(*[int(t) for t in rng.choice([1, 2, 3, 4], size=2, replace=False)]),
        holds=lambda v: v["a"] * v["d"] == v["b"] * v["c"] and v["a"] * v["c"] + v["b"] * v["d"] > 0,
        check=lambda v: _direction_after_gd(v) > 1 - 1e-9,
        text=lambda v: (
            rf"Gradient descent from $w_0 = 0$ on the logistic loss of the two points "
            rf"$({v['a']}, {v['b']})$ labelled $+1$ and $({-v['a']}, {-v['b']})$ labelled $-1$: the direction "
            rf"$w_t/\|w_t\|$ [[converges to¦does not converge to]] that of $({v['c']}, {v['d']})$."
        ),
        why=lambda v: (
            rf"Every gradient is a multiple of $({v['a']}, {v['b']})$, the max-margin direction, and $w_t$ "
            rf"grows along it"
        ),
        valid=lambda v: None if (v["a"], v["b"]) != (0, 0) and (v["c"], v["d"]) != (0, 0) else "nonzero vectors",
    ),
)


def _direction_after_gd(v) -> float:
    """Cosine between w_t after 300 steps of 2-D gradient descent and (c, d)."""
    a, b = float(v["a"]), float(v["b"])
    w1 = w2 = 0.0
    for _ in range(300):
        # Both points have margin a·w1 + b·w2; each contributes −x·σ(−margin) to the gradient.
        pull = 2.0 / (1.0 + math.exp(min(a * w1 + b * w2, 700.0)))
        w1, w2 = w1 + 0.5 * pull * a, w2 + 0.5 * pull * b
    c, d = float(v["c"]), float(v["d"])
    return (w1 * c + w2 * d) / (math.hypot(w1, w2) * math.hypot(c, d))


class SeparableLogisticStatements(StatementBank):
    id = "tf-separable-logistic"
    title = "True or false: logistic regression on separable data"
    intro = (
        r"The model is $\mathrm{sign}(wx)$ with one weight $w$ and no bias, trained on the logistic loss "
        r"$\sum_i \log(1 + e^{-y_i w x_i})$ over labelled points $(x_i, y_i)$, $y_i = \pm 1$."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "all margins positive: separable; the loss has no minimiser and GD runs away",
            {
                "statements": [
                    {"fact": "separable", "x1": 1, "y1": 1, "x2": 2, "y2": 1, "x3": -1, "y3": -1},
                    {"fact": "has-minimiser", "x1": 1, "y1": 1, "x2": 2, "y2": 1, "x3": -1, "y3": -1},
                    {"fact": "norm-diverges", "x1": 1, "y1": 1, "x2": 2, "y2": 1, "x3": -1, "y3": -1, "negated": True},
                ]
            },
            {"s1": "true", "s2": "false", "s3": "false"},
        ),
        EdgeCase(
            "one point on the wrong side: a finite minimiser; λ = 0 on separable data: none",
            {
                "statements": [
                    {"fact": "infimum-zero", "x1": 1, "y1": -1, "x2": 2, "y2": 1, "x3": 3, "y3": 1},
                    {"fact": "regularised-minimiser", "x1": 1, "y1": 1, "x2": 2, "y2": 1, "x3": 3, "y3": 1, "lam": 0},
                ]
            },
            {"s1": "false", "s2": "false"},
        ),
    )
