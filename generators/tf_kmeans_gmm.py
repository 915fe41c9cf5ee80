"""`tf-kmeans-gmm`: true/false statements on k-means, Gaussian mixtures and how they relate.

Four points on a line and two centres: a k-means iteration assigns each point to its nearer
centre and moves each centre to the mean of its points; the objective never rises, but Lloyd's
algorithm can stop at a clustering worse than the best one. A Gaussian mixture's E-step gives
soft responsibilities (hard k-means assignments in the limit σ → 0); its M-step takes
responsibility-weighted means and weights. The independent routes run the iterations in
numpy, enumerate every split of the points and compute responsibilities from densities.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import sympy as sp

from variantex.generators.kit import EdgeCase
from variantex.generators.statements import StatementBank, claimed, fact, num, one_of

R = sp.Rational
KMEANS = "x1 x2 x3 x4 c1 c2"


def _points(v) -> list:
    return [v[f"x{i}"] for i in (1, 2, 3, 4)]


def _assign(v, centres=None) -> list[int]:
    c1, c2 = centres or (v["c1"], v["c2"])
    return [0 if abs(x - c1) < abs(x - c2) else 1 for x in _points(v)]


def _no_ties(v, centres=None) -> bool:
    c1, c2 = centres or (v["c1"], v["c2"])
    return all(abs(x - c1) != abs(x - c2) for x in _points(v))


def _step(v, centres=None):
    """One Lloyd iteration, exactly: (assignment, new centres); an empty cluster keeps its centre."""
    centres = list(centres or (v["c1"], v["c2"]))
    labels = _assign(v, tuple(centres))
    new = []
    for k in (0, 1):
        members = [x for x, label in zip(_points(v), labels) if label == k]
        new.append(sum(members) / len(members) if members else centres[k])
    return labels, tuple(new)


def _objective(points, labels, centres):
    return sum((x - centres[label]) ** 2 for x, label in zip(points, labels))


def _fractions(v) -> dict:
    """The numbers as Fractions: Lloyd's loop and the split search run many small sums."""
    return {k: Fraction(int(x.p), int(x.q)) for k, x in v.items()}


def _lloyd_path(v) -> list[tuple]:
    """The centres Lloyd's algorithm visits, exactly, until they stop moving."""
    v = _fractions(v)
    path = [(v["c1"], v["c2"])]
    for _ in range(20):
        _, new = _step(v, path[-1])
        if new == path[-1]:
            break
        path.append(new)
    return path


def _lloyd_ties(v) -> bool:
    """Whether some point is equally far from both centres along the way (the float route
    could then break the tie the other way)."""
    return not all(_no_ties(v, centres) for centres in _lloyd_path(v))


def _lloyd(v):
    v = _fractions(v)
    centres = (v["c1"], v["c2"])
    for _ in range(20):
        labels, new = _step(v, centres)
        if new == centres:
            break
        centres = new
    labels = _assign(v, centres)
    return sp.Rational(_objective(_points(v), labels, centres))


def _best(v):
    """The smallest objective of any split into two clusters: in one dimension an optimal
    split is contiguous in sorted order, so three cuts suffice (the float route tries all)."""
    points = sorted(_points(_fractions(v)))

    def cost(group):
        mean = sum(group) / len(group)
        return sum((x - mean) ** 2 for x in group)

    return sp.Rational(min(cost(points[:cut]) + cost(points[cut:]) for cut in (1, 2, 3)))


def _floats(v) -> np.ndarray:
    return np.array([float(x) for x in _points(v)])


def _np_step(v, centres) -> tuple[np.ndarray, np.ndarray]:
    x = _floats(v)
    labels = np.argmin(np.abs(x[:, None] - np.array(centres)[None, :]), axis=1)
    new = np.array([x[labels == k].mean() if np.any(labels == k) else centres[k] for k in (0, 1)])
    return labels, new


def _np_lloyd(v) -> float:
    centres = np.array([float(v["c1"]), float(v["c2"])])
    for _ in range(50):
        _, new = _np_step(v, centres)
        if np.allclose(new, centres):
            break
        centres = new
    x = _floats(v)
    return float(np.min((x[:, None] - centres[None, :]) ** 2, axis=1).sum())


def _np_best(v) -> float:
    x = _floats(v)
    costs = []
    for mask in itertools.product((False, True), repeat=4):
        mask = np.array(mask)
        if mask.all() or not mask.any():
            continue
        costs.append(((x[mask] - x[mask].mean()) ** 2).sum() + ((x[~mask] - x[~mask].mean()) ** 2).sum())
    return float(min(costs))


def _draw_kmeans(rng) -> dict:
    while True:
        xs = sorted(int(x) for x in rng.choice(np.arange(-2, 11), size=4, replace=False))
        c1, c2 = (int(c) for c in rng.choice(np.arange(-1, 10), size=2, replace=False))
        v = {**{f"x{i + 1}": sp.Integer(x) for i, x in enumerate(xs)}, "c1": sp.Integer(c1), "c2": sp.Integer(c2)}
        if _no_ties(v) and len(set(_assign(v))) == 2:
            return v


def _redraw(rng, fit) -> dict:
    while True:
        v = _draw_kmeans(rng)
        if fit(v):
            return v


def _valid_kmeans(v) -> str | None:
    if v["c1"] == v["c2"] or not _no_ties(v):
        return "two different centres, no point equally far from both"
    return None


def _shown(v) -> str:
    return rf"$x = {', '.join(num(x) for x in _points(v))}$ with centres $c_1 = {num(v['c1'])}$, $c_2 = {num(v['c2'])}$"


def _why_step(v) -> str:
    labels, new = _step(v)
    ones = [num(x) for x, label in zip(_points(v), labels) if label == 0]
    return (
        rf"The points nearer $c_1$ are ${', '.join(ones) or 'none'}$; the new centres are "
        rf"${num(new[0])}$ and ${num(new[1])}$"
    )


GMM = "x mu1 mu2 pi1"


def _draw_gmm(rng) -> dict:
    while True:
        v = {
            "x": sp.Integer(one_of(rng, 0, 1, 2, 3, 4)),
            "mu1": sp.Integer(one_of(rng, 0, 1, 2)),
            "mu2": sp.Integer(one_of(rng, 3, 4, 5)),
            "pi1": one_of(rng, R(1, 10), R(1, 4), R(1, 2), R(3, 4), R(9, 10)),
        }
        if _gmm_gap(v) != 0:
            return v


def _gmm_gap(v):
    """log(π1/π2) − ((x − μ1)² − (x − μ2)²)/2: positive exactly when r1 > 1/2 (σ² = 1)."""
    return sp.log(v["pi1"] / (1 - v["pi1"])) - ((v["x"] - v["mu1"]) ** 2 - (v["x"] - v["mu2"]) ** 2) / 2


def _np_responsibility(v) -> float:
    x, mus, pi1 = float(v["x"]), np.array([float(v["mu1"]), float(v["mu2"])]), float(v["pi1"])
    density = np.exp(-((x - mus) ** 2) / 2) / np.sqrt(2 * np.pi) * np.array([pi1, 1 - pi1])
    return float(density[0] / density.sum())


MSTEP = "x1 x2 x3 r1 r2 r3"


def _draw_mstep(rng) -> dict:
    xs = [int(x) for x in rng.choice(np.arange(-2, 7), size=3, replace=False)]
    rs = [one_of(rng, R(1, 4), R(1, 2), R(3, 4), R(1), R(0)) for _ in range(3)]
    if not any(rs):
        rs[0] = R(1, 2)
    return {**{f"x{i + 1}": sp.Integer(x) for i, x in enumerate(xs)}, **{f"r{i + 1}": r for i, r in enumerate(rs)}}


def _weighted_mean(v):
    return sum(v[f"r{i}"] * v[f"x{i}"] for i in (1, 2, 3)) / sum(v[f"r{i}"] for i in (1, 2, 3))


def _mstep_text(v) -> str:
    return (
        rf"points $x = {v['x1']}, {v['x2']}, {v['x3']}$ with responsibilities $r = {num(v['r1'])}, {num(v['r2'])}, "
        rf"{num(v['r3'])}$ for component 1"
    )


def _valid_mstep(v) -> str | None:
    rs = [v[f"r{i}"] for i in (1, 2, 3)]
    return None if all(0 <= r <= 1 for r in rs) and any(rs) else "responsibilities in [0, 1], not all 0"


FACTS = (
    fact(
        "kmeans-assignment",
        "x c1 c2",
        lambda rng: (
            lambda c1, c2: {
                "x": sp.Integer(one_of(rng, *[x for x in range(-2, 10) if 2 * x != c1 + c2])),
                "c1": sp.Integer(c1),
                "c2": sp.Integer(c2),
            }
        )(*(int(c) for c in rng.choice(np.arange(-1, 9), size=2, replace=False))),
        holds=lambda v: abs(v["x"] - v["c1"]) < abs(v["x"] - v["c2"]),
        check=lambda v: (
            _np_responsibility(
                {"x": v["x"], "mu1": v["c1"], "mu2": v["c2"], "pi1": R(1, 2)},
            )
            > 0.5
        ),
        text=lambda v: (
            rf"k-means with centres $c_1 = {v['c1']}$ and $c_2 = {v['c2']}$ [[assigns¦does not assign]] the "
            rf"point $x = {v['x']}$ to $c_1$ (the limit of a two-component Gaussian mixture with equal "
            r"weights and shared variance $\sigma^2 \to 0$)."
        ),
        why=lambda v: (
            rf"$|x - c_1| = {num(abs(v['x'] - v['c1']))}$ and $|x - c_2| = {num(abs(v['x'] - v['c2']))}$: the "
            r"nearer centre takes the point"
        ),
        valid=lambda v: None if 2 * v["x"] != v["c1"] + v["c2"] else "a point equally far from both centres",
    ),
    fact(
        "centre-update",
        KMEANS + " claimed",
        claimed(
            _draw_kmeans,
            lambda v: (_step(v)[1][0], sum(_points(v)) / 4, (v["c1"] + _step(v)[1][0]) / 2, _step(v)[1][1]),
        ),
        holds=lambda v: v["claimed"] == _step(v)[1][0],
        check=lambda v: abs(_np_step(v, [float(v["c1"]), float(v["c2"])])[1][0] - float(v["claimed"])) < 1e-12,
        text=lambda v: rf"One k-means iteration on {_shown(v)} [[moves¦does not move]] $c_1$ to ${num(v['claimed'])}$.",
        why=_why_step,
        valid=_valid_kmeans,
    ),
    fact(
        "assigned-count",
        KMEANS + " claimed",
        claimed(_draw_kmeans, lambda v: (sp.Integer(_assign(v).count(0)), *[sp.Integer(k) for k in (1, 2, 3)])),
        holds=lambda v: v["claimed"] == _assign(v).count(0),
        check=lambda v: int(np.sum(_np_step(v, [float(v["c1"]), float(v["c2"])])[0] == 0)) == int(v["claimed"]),
        text=lambda v: (
            rf"For {_shown(v)}, [[exactly ${v['claimed']}$¦a number other than ${v['claimed']}$]] of the "
            r"points are nearer $c_1$ than $c_2$."
        ),
        why=_why_step,
        valid=_valid_kmeans,
    ),
    fact(
        "objective-after-step",
        KMEANS + " claimed",
        claimed(
            _draw_kmeans,
            lambda v: (
                _objective(_points(v), _step(v)[0], _step(v)[1]),
                _objective(_points(v), _step(v)[0], (v["c1"], v["c2"])),
                2 * _objective(_points(v), _step(v)[0], _step(v)[1]),
            ),
        ),
        holds=lambda v: v["claimed"] == _objective(_points(v), _step(v)[0], _step(v)[1]),
        check=lambda v: (
            abs(
                float(
                    (
                        (
                            _floats(v)
                            - _np_step(v, [float(v["c1"]), float(v["c2"])])[1][
                                _np_step(v, [float(v["c1"]), float(v["c2"])])[0]
                            ]
                        )
                        ** 2
                    ).sum()
                )
                - float(v["claimed"])
            )
            < 1e-9
        ),
        text=lambda v: (
            rf"After one k-means iteration on {_shown(v)} (assign, then move the centres), "
            rf"$\sum_i (x_i - c_{{k(i)}})^2$ with the new centres and those assignments [[is¦is not]] "
            rf"${num(v['claimed'])}$."
        ),
        why=lambda v: (
            _why_step(v) + rf"; the sum of squared distances is "
            rf"${num(_objective(_points(v), _step(v)[0], _step(v)[1]))}$"
        ),
        valid=_valid_kmeans,
    ),
    fact(
        "lloyd-finds-best",
        KMEANS,
        lambda rng: _redraw(rng, lambda v: not _lloyd_ties(v)),
        holds=lambda v: _lloyd(v) == _best(v),
        check=lambda v: abs(_np_lloyd(v) - _np_best(v)) < 1e-9,
        text=lambda v: (
            rf"Lloyd's algorithm (k-means) on {_shown(v)} [[ends at¦does not end at]] the clustering with "
            r"the smallest objective."
        ),
        why=lambda v: (
            rf"It stops with objective ${num(_lloyd(v))}$; the best split of the four points has "
            rf"${num(_best(v))}$"
        ),
        valid=lambda v: (
            _valid_kmeans(v) or (None if not _lloyd_ties(v) else "a point ties between the centres on the way")
        ),
    ),
    fact(
        "responsibility-above-half",
        GMM,
        _draw_gmm,
        holds=lambda v: bool(_gmm_gap(v) > 0),
        check=lambda v: _np_responsibility(v) > 0.5,
        text=lambda v: (
            rf"In a mixture of $\mathcal{{N}}({v['mu1']}, 1)$ with weight ${num(v['pi1'])}$ and "
            rf"$\mathcal{{N}}({v['mu2']}, 1)$ with weight ${num(1 - v['pi1'])}$, component 1's responsibility "
            rf"for $x = {v['x']}$ [[is¦is not]] above $1/2$."
        ),
        why=lambda v: (
            rf"$r_1 > 1/2$ exactly when $\log\frac{{\pi_1}}{{\pi_2}} > \frac{{(x - \mu_1)^2 - (x - \mu_2)^2}}{{2}}"
            rf" = {num(((v['x'] - v['mu1']) ** 2 - (v['x'] - v['mu2']) ** 2) / 2)}$, with "
            rf"$\log\frac{{\pi_1}}{{\pi_2}} = \log {num(v['pi1'] / (1 - v['pi1']))}$"
        ),
        valid=lambda v: None if 0 < v["pi1"] < 1 and _gmm_gap(v) != 0 else "0 < π1 < 1, r1 not exactly 1/2",
    ),
    fact(
        "mstep-mean",
        MSTEP + " claimed",
        claimed(
            _draw_mstep,
            lambda v: (
                _weighted_mean(v),
                sum(v[f"r{i}"] * v[f"x{i}"] for i in (1, 2, 3)) / 3,
                R(v["x1"] + v["x2"] + v["x3"], 3),
            ),
        ),
        holds=lambda v: v["claimed"] == _weighted_mean(v),
        check=lambda v: (
            abs(
                float(
                    np.average([float(v[f"x{i}"]) for i in (1, 2, 3)], weights=[float(v[f"r{i}"]) for i in (1, 2, 3)])
                )
                - float(v["claimed"])
            )
            < 1e-12
        ),
        text=lambda v: rf"For {_mstep_text(v)}, the M-step [[sets¦does not set]] $\mu_1 = {num(v['claimed'])}$.",
        why=lambda v: (
            rf"$\mu_1 = \sum_n r_n x_n / \sum_n r_n = {num(_weighted_mean(v))}$ (k-means would use "
            r"0/1 responsibilities)"
        ),
        valid=_valid_mstep,
    ),
    fact(
        "mstep-weight",
        MSTEP + " claimed",
        claimed(
            _draw_mstep,
            lambda v: (
                sum(v[f"r{i}"] for i in (1, 2, 3)) / 3,
                sum(v[f"r{i}"] for i in (1, 2, 3)),
                max(v[f"r{i}"] for i in (1, 2, 3)),
            ),
        ),
        holds=lambda v: v["claimed"] == sum(v[f"r{i}"] for i in (1, 2, 3)) / 3,
        check=lambda v: abs(float(np.mean([float(v[f"r{i}"]) for i in (1, 2, 3)])) - float(v["claimed"])) < 1e-12,
        text=lambda v: (
            rf"For {_mstep_text(v)}, the M-step [[sets¦does not set]] the mixing weight "
            rf"$\pi_1 = {num(v['claimed'])}$."
        ),
        why=lambda v: rf"$\pi_1 = \frac{{1}}{{N}}\sum_n r_n = {num(sum(v[f'r{i}'] for i in (1, 2, 3)) / 3)}$",
        valid=_valid_mstep,
    ),
)


class KmeansGmmStatements(StatementBank):
    id = "tf-kmeans-gmm"
    title = "True or false: k-means, Gaussian mixtures and EM"
    intro = (
        r"k-means alternates assigning each point to its nearest centre and moving each centre to the mean of its "
        r"points; EM for a Gaussian mixture alternates soft responsibilities (E-step) and weighted estimates "
        r"(M-step)."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "points 0, 1, 9, 10 from centres 0 and 10: one step reaches the best split (objective 1)",
            {
                "statements": [
                    {"fact": "centre-update", "x1": 0, "x2": 1, "x3": 9, "x4": 10, "c1": 0, "c2": 10, "claimed": "1/2"},
                    {"fact": "lloyd-finds-best", "x1": 0, "x2": 1, "x3": 9, "x4": 10, "c1": 0, "c2": 10},
                    {
                        "fact": "objective-after-step",
                        "x1": 0,
                        "x2": 1,
                        "x3": 9,
                        "x4": 10,
                        "c1": 0,
                        "c2": 10,
                        "claimed": 1,
                    },
                ]
            },
            {"s1": "true", "s2": "true", "s3": "true"},
        ),
        EdgeCase(
            "a bad start: centres 5 and -1 on points -1, 3, 5, 10 stop at objective 26, the best split has 56/3; "
            "responsibility 1 on one point only puts μ1 there",
            {
                "statements": [
                    {"fact": "lloyd-finds-best", "x1": -1, "x2": 3, "x3": 5, "x4": 10, "c1": 5, "c2": -1},
                    {"fact": "mstep-mean", "x1": 4, "x2": 0, "x3": 1, "r1": 1, "r2": 0, "r3": 0, "claimed": 4},
                ]
            },
            {"s1": "false", "s2": "true"},
        ),
    )
