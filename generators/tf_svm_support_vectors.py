"""`tf-svm-support-vectors`: true/false statements on the support vectors of a hard-margin SVM.

Four distinct points on a line, the two labelled −1 to the left of the two labelled +1, so
the data are separable and the hard-margin SVM sign(wx + b) is exact: with a the rightmost
negative and p the leftmost positive, the boundary is (a + p)/2, w = 2/(p − a),
b = −(a + p)/(p − a), the margin (p − a)/2, and the support vectors are a and p (their
multipliers α are positive, every other α is 0). The independent route finds the boundary by
scanning thresholds for the widest gap and reads support vectors off the distances.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from variantex.generators.kit import EdgeCase
from variantex.generators.statements import StatementBank, claimed, fact, num, one_of

R = sp.Rational
POINTS = "n1 n2 p1 p2"


def _draw(rng) -> dict:
    values = sorted(int(x) for x in rng.choice(np.arange(-6, 9), size=4, replace=False))
    return {
        "n1": sp.Integer(values[0]),
        "n2": sp.Integer(values[1]),
        "p1": sp.Integer(values[2]),
        "p2": sp.Integer(values[3]),
    }


def _a(v):
    return max(v["n1"], v["n2"])


def _p(v):
    return min(v["p1"], v["p2"])


def _with_new_point(rng, v):
    """A point to add beyond the closest positive one (the SVM stays) or inside the margin (it
    changes); never a point already in the set (adding x = p twice says nothing)."""
    listed = {v[name] for name in POINTS.split()}
    fresh = [x for x in (_p(v) + 1, _p(v) + 2, _p(v) + 3, R(_a(v) + 3 * _p(v), 4)) if x not in listed]
    return {**v, "added": one_of(rng, *fresh)}


def _exact(v) -> dict:
    a, p = _a(v), _p(v)
    return {
        "w": 2 / (p - a),
        "b": -(a + p) / (p - a),
        "margin": (p - a) / 2,
        "boundary": (a + p) / 2,
        "support": {a, p},
    }


def _scan(negatives, positives) -> tuple[float, float]:
    """The threshold with the widest gap (a grid scan), and the gap: no formula used."""
    grid = np.linspace(max(negatives), min(positives), 4001)
    gaps = np.minimum(grid - max(negatives), min(positives) - grid)
    best = int(np.argmax(gaps))
    return float(grid[best]), float(gaps[best])


def _floats(v):
    return [float(v["n1"]), float(v["n2"])], [float(v["p1"]), float(v["p2"])]


def _support_by_scan(v) -> set[float]:
    negatives, positives = _floats(v)
    threshold, gap = _scan(negatives, positives)
    return {x for x in negatives + positives if abs(abs(x - threshold) - gap) < 1e-6}


def _points(v) -> str:
    return rf"$x = {v['n1']}, {v['n2']}$ labelled $-1$ and $x = {v['p1']}, {v['p2']}$ labelled $+1$"


def _valid(v) -> str | None:
    values = [v["n1"], v["n2"], v["p1"], v["p2"]]
    if len(set(values)) != 4 or max(v["n1"], v["n2"]) >= min(v["p1"], v["p2"]):
        return "four distinct points, the negatives left of the positives"
    return None


def _why(v) -> str:
    e = _exact(v)
    return (
        rf"The closest pair across the classes is $a = {num(_a(v))}$ and $p = {num(_p(v))}$: the boundary is "
        rf"${num(e['boundary'])}$, $w = 2/(p - a) = {num(e['w'])}$, $b = {num(e['b'])}$"
    )


FACTS = (
    fact(
        "support-count",
        POINTS + " claimed",
        claimed(_draw, lambda v: (2, 1, 3, 4)),
        holds=lambda v: v["claimed"] == 2,
        check=lambda v: len(_support_by_scan(v)) == int(v["claimed"]),
        text=lambda v: (
            rf"The hard-margin SVM on {_points(v)} has [[exactly ${v['claimed']}$ support vectors¦a "
            rf"number of support vectors other than ${v['claimed']}$]]."
        ),
        why=lambda v: _why(v) + r"; only $a$ and $p$ lie on the margin",
        valid=_valid,
    ),
    fact(
        "margin-width",
        POINTS + " claimed",
        claimed(
            _draw,
            lambda v: (lambda e: (e["margin"], 2 * e["margin"], e["margin"] / 2, R(v["p2"] - v["n1"], 2)))(_exact(v)),
        ),
        holds=lambda v: v["claimed"] == _exact(v)["margin"],
        check=lambda v: abs(_scan(*_floats(v))[1] - float(v["claimed"])) < 1e-6,
        text=lambda v: (
            rf"For the hard-margin SVM on {_points(v)}, the distance from the boundary to the closest point "
            rf"[[is¦is not]] ${num(v['claimed'])}$."
        ),
        why=lambda v: _why(v) + rf"; the margin is $(p - a)/2 = {num(_exact(v)['margin'])}$",
        valid=_valid,
    ),
    fact(
        "weight-value",
        POINTS + " claimed",
        claimed(_draw, lambda v: (lambda e: (e["w"], e["margin"], 1 / e["w"], 2 * e["w"]))(_exact(v))),
        holds=lambda v: v["claimed"] == _exact(v)["w"],
        check=lambda v: abs(1 / _scan(*_floats(v))[1] - float(v["claimed"])) < 1e-6,
        text=lambda v: (
            rf"The hard-margin SVM $\mathrm{{sign}}(wx + b)$ on {_points(v)}, scaled so that the closest "
            rf"points have $y(wx + b) = 1$, [[has¦does not have]] $w = {num(v['claimed'])}$."
        ),
        why=lambda v: _why(v),
        valid=_valid,
    ),
    fact(
        "remove-point",
        POINTS + " removed",
        lambda rng: (lambda v: {**v, "removed": one_of(rng, v["n1"], v["n2"], v["p1"], v["p2"])})(_draw(rng)),
        holds=lambda v: v["removed"] in _exact(v)["support"],
        check=lambda v: _removal_moves_boundary(v),
        text=lambda v: (
            rf"Removing the point $x = {v['removed']}$ from {_points(v)} [[changes¦does not change]] the "
            r"hard-margin SVM's boundary."
        ),
        why=lambda v: (
            _why(v)
            + (
                r"; removing a support vector moves the boundary"
                if v["removed"] in _exact(v)["support"]
                else r"; the point is not a support vector, its $\alpha$ is $0$"
            )
        ),
        valid=lambda v: (
            _valid(v)
            or (None if v["removed"] in (v["n1"], v["n2"], v["p1"], v["p2"]) else "remove one of the four points")
        ),
    ),
    fact(
        "alpha-zero",
        POINTS + " point",
        lambda rng: (lambda v: {**v, "point": one_of(rng, v["n1"], v["n2"], v["p1"], v["p2"])})(_draw(rng)),
        holds=lambda v: v["point"] not in _exact(v)["support"],
        check=lambda v: float(v["point"]) not in _support_by_scan(v),
        text=lambda v: (
            rf"In the dual of the hard-margin SVM on {_points(v)}, the multiplier of $x = {v['point']}$ "
            r"is [[zero, $\alpha = 0$¦positive, $\alpha > 0$]]."
        ),
        why=lambda v: _why(v) + r"; by complementary slackness $\alpha_i > 0$ only on the margin ($a$ and $p$)",
        valid=lambda v: (
            _valid(v) or (None if v["point"] in (v["n1"], v["n2"], v["p1"], v["p2"]) else "one of the four points")
        ),
    ),
    fact(
        "add-point",
        POINTS + " added",
        lambda rng: _with_new_point(rng, _draw(rng)),
        holds=lambda v: v["added"] >= _p(v),
        check=lambda v: (
            abs(_scan(*_floats(v))[0] - _scan(_floats(v)[0], _floats(v)[1] + [float(v["added"])])[0]) < 1e-6
        ),
        text=lambda v: (
            rf"Adding the point $x = {num(v['added'])}$ labelled $+1$ to {_points(v)} [[leaves the "
            r"hard-margin SVM unchanged¦changes the hard-margin SVM]]."
        ),
        why=lambda v: (
            _why(v)
            + (
                r"; a new point at or beyond $p$ keeps every constraint satisfied"
                if v["added"] >= _p(v)
                else r"; the new point falls inside the margin and narrows it"
            )
        ),
        valid=lambda v: _valid(v) or (None if v["added"] > _exact(v)["boundary"] else "added beyond the boundary"),
    ),
    fact(
        "functional-margin",
        POINTS + " point claimed",
        lambda rng: (
            lambda v: (
                lambda x: {
                    **v,
                    "point": x,
                    "claimed": _functional(v, x)
                    if rng.integers(2)
                    else one_of(rng, _functional(v, x) + 1, 2 * _functional(v, x), -_functional(v, x)),
                }
            )(one_of(rng, v["n1"], v["n2"], v["p1"], v["p2"]))
        )(_draw(rng)),
        holds=lambda v: v["claimed"] == _functional(v, v["point"]),
        check=lambda v: abs(_functional_by_scan(v) - float(v["claimed"])) < 1e-6,
        text=lambda v: (
            rf"For the hard-margin SVM on {_points(v)} (closest points at $y(wx + b) = 1$), the point "
            rf"$x = {v['point']}$ [[has¦does not have]] $y(wx + b) = {num(v['claimed'])}$."
        ),
        why=lambda v: _why(v) + rf"; at $x = {v['point']}$, $y(wx + b) = {num(_functional(v, v['point']))}$",
        valid=lambda v: (
            _valid(v) or (None if v["point"] in (v["n1"], v["n2"], v["p1"], v["p2"]) else "one of the four points")
        ),
    ),
    fact(
        "boundary-position",
        POINTS + " claimed",
        claimed(
            _draw,
            lambda v: (_exact(v)["boundary"], R(v["n1"] + v["n2"] + v["p1"] + v["p2"], 4), R(v["n1"] + v["p2"], 2)),
        ),
        holds=lambda v: v["claimed"] == _exact(v)["boundary"],
        check=lambda v: abs(_scan(*_floats(v))[0] - float(v["claimed"])) < 1e-6,
        text=lambda v: (
            rf"The hard-margin SVM on {_points(v)} puts its boundary [[at¦somewhere other than]] "
            rf"$x = {num(v['claimed'])}$."
        ),
        why=lambda v: _why(v) + r": halfway between the closest points of the two classes",
        valid=_valid,
    ),
)


def _functional(v, x):
    e = _exact(v)
    label = 1 if x in (v["p1"], v["p2"]) else -1
    return label * (e["w"] * x + e["b"])


def _functional_by_scan(v) -> float:
    negatives, positives = _floats(v)
    threshold, gap = _scan(negatives, positives)
    x = float(v["point"])
    label = 1.0 if x in positives else -1.0
    return label * (x - threshold) / gap


def _removal_moves_boundary(v) -> bool:
    negatives, positives = _floats(v)
    before = _scan(negatives, positives)[0]
    removed = float(v["removed"])
    negatives = [x for x in negatives if x != removed]
    positives = [x for x in positives if x != removed]
    return abs(_scan(negatives, positives)[0] - before) > 1e-6


class SvmSupportVectorStatements(StatementBank):
    id = "tf-svm-support-vectors"
    title = "True or false: the support vectors of a hard-margin SVM"
    intro = (
        r"A hard-margin SVM $\mathrm{sign}(wx + b)$ on points of a line maximises the margin subject to "
        r"$y_i(w x_i + b) \ge 1$ for every point."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "negatives 0, 1, positives 3, 5: boundary 2, w = 1, b = -2, support vectors 1 and 3",
            {
                "statements": [
                    {"fact": "boundary-position", "n1": 0, "n2": 1, "p1": 3, "p2": 5, "claimed": 2},
                    {"fact": "weight-value", "n1": 0, "n2": 1, "p1": 3, "p2": 5, "claimed": 1},
                    {"fact": "remove-point", "n1": 0, "n2": 1, "p1": 3, "p2": 5, "removed": 5},
                    {"fact": "functional-margin", "n1": 0, "n2": 1, "p1": 3, "p2": 5, "point": 0, "claimed": 2},
                ]
            },
            {"s1": "true", "s2": "true", "s3": "false", "s4": "true"},
        ),
        EdgeCase(
            "a point added exactly on the margin (x = p) changes nothing",
            {"statements": [{"fact": "add-point", "n1": -2, "n2": 0, "p1": 4, "p2": 6, "added": 4}]},
            {"s1": "true"},
        ),
    )
