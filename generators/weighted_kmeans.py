"""`weighted-kmeans`: one k-means iteration when every point carries a weight.

Weighted k-means minimises Σ_n w_n ‖x_n − μ_{k(n)}‖². The assignment step is unchanged: for
each point alone the weight is a constant factor, so the nearest centre still wins. The
update step makes each centre the weighted mean of its points, Σ w_n x_n / Σ w_n. With whole
weights that is exactly plain k-means on the data with point n repeated w_n times. Points and
centres are small integers in the plane, with no point equidistant from both centres. The
branches are `stays` (every cluster's weighted centre lies less than one unit from its plain
mean: the weights barely move it) and `reweighted` (some cluster has a point heavy enough
that its weighted and plain centres are at least one unit apart).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, row_tuple, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, matrix, vector

STAYS, REWEIGHTED = "stays", "reweighted"


@dataclass(frozen=True)
class KmeansParams:
    points: tuple[tuple[sp.Rational, ...], ...] = matrix()  # x_n, one per row
    weights: tuple[sp.Rational, ...] = vector()  # w_n > 0, whole numbers
    centres: tuple[tuple[sp.Rational, ...], ...] = matrix()  # μ_1, μ_2 before the iteration

    def __post_init__(self) -> None:
        if not 3 <= len(self.points) <= 8:
            raise InvalidParams("give 3 to 8 points", "points")
        if len(self.weights) != len(self.points):
            raise InvalidParams("give one weight per point", "weights")
        for i, w in enumerate(self.weights):
            if w <= 0 or not w.is_integer:
                raise InvalidParams("a weight is a whole number ≥ 1 (a point counted that many times)", f"weights[{i}]")
        if len(self.centres) != 2 or len(self.centres[0]) != len(self.points[0]):
            raise InvalidParams("give two centres of the points' dimension", "centres")
        for n, point in enumerate(self.points):
            near, far = (squared_distance(point, c) for c in self.centres)
            if near == far:
                raise InvalidParams(f"point {n + 1} is as far from one centre as from the other", f"points[{n}]")
        if len(set(assignments(self))) < 2:
            raise InvalidParams("every point goes to one centre: the other would have no points", "centres")


def squared_distance(a, b):
    """‖a − b‖² of two points (exact numbers of any kind: sympy, Fraction or int)."""
    return sum((x - y) * (x - y) for x, y in zip(a, b))


def nearest(points, centres) -> list[int]:
    """The nearest centre of each point (0 or 1)."""
    return [0 if squared_distance(p, centres[0]) < squared_distance(p, centres[1]) else 1 for p in points]


def assignments(params: KmeansParams) -> list[int]:
    return nearest(params.points, params.centres)


def weighted_mean(points, weights, members: list[int]) -> tuple:
    total = sum(weights[n] for n in members)
    return tuple(sum(weights[n] * points[n][j] for n in members) / total for j in range(len(points[0])))


def centre(params: KmeansParams, members: list[int], weights=None) -> tuple[sp.Rational, ...]:
    return weighted_mean(params.points, params.weights if weights is None else weights, members)


def reweighted(points, weights, centres) -> bool:
    """Whether some cluster's weighted centre lies at least one unit from its plain mean."""
    chosen = nearest(points, centres)
    for k in (0, 1):
        members = [n for n, c in enumerate(chosen) if c == k]
        if (
            members
            and squared_distance(
                weighted_mean(points, [1] * len(points), members), weighted_mean(points, weights, members)
            )
            >= 1
        ):
            return True
    return False


class WeightedKmeans(Family):
    id = "weighted-kmeans"
    title = "One iteration of weighted k-means: nearest-centre assignments, weighted-mean centres"
    branches = (STAYS, REWEIGHTED)
    params_type = KmeansParams
    edge_cases = (
        EdgeCase(
            "unit weights: plain k-means",
            {"points": [[0, 0], [2, 0], [10, 0], [12, 2]], "weights": [1, 1, 1, 1], "centres": [[1, 1], [9, 1]]},
            {"n1": 1, "n2": 1, "n3": 2, "n4": 2, "c1x": 1, "c1y": 0, "c2x": 11, "c2y": 1},
        ),
        EdgeCase(
            "a weight of 3 counts the point three times",
            {"points": [[0, 0], [4, 0], [10, 10]], "weights": [3, 1, 2], "centres": [[1, 0], [9, 9]]},
            {"c1x": 1, "c1y": 0, "c2x": 10, "c2y": 10},
        ),
        EdgeCase(
            "one dimension",
            {"points": [[0], [1], [5], [7]], "weights": [1, 3, 1, 1], "centres": [[1], [6]]},
            {"c1x": "3/4", "c2x": 6},
        ),
    )

    def branch_of(self, params: KmeansParams) -> str:
        return REWEIGHTED if reweighted(params.points, params.weights, params.centres) else STAYS

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> KmeansParams:
        count = draws.small_int(rng, 5, 6)
        points = tuple(tuple(draws.small_int(rng, 0, 8) for _ in range(2)) for _ in range(count))
        weights = tuple(draws.pick(rng, [1, 1, 2, 3] if branch == STAYS else [1, 1, 2, 4, 5]) for _ in range(count))
        centres = tuple(tuple(draws.small_int(rng, 0, 8) for _ in range(2)) for _ in range(2))
        # Judged in Fractions (most draws are redrawn); the params then validate themselves.
        fractions = tuple(Fraction(w) for w in weights)
        if len(set(points)) < count or reweighted(points, fractions, centres) != (branch == REWEIGHTED):
            raise InvalidParams(f"not a {branch} draw", "points")  # redrawn
        exact = lambda rows: tuple(tuple(sp.Integer(x) for x in r) for r in rows)  # noqa: E731
        return KmeansParams(exact(points), tuple(sp.Integer(w) for w in weights), exact(centres))

    # --- answers ----------------------------------------------------------------
    def parts(self, params: KmeansParams) -> tuple[Part, ...]:
        labels = tuple(Part(f"n{n + 1}", Math(f"k({n + 1})")) for n in range(len(params.points)))
        axes = "xy" if len(params.points[0]) == 2 else "x"
        coordinates = tuple(Part(f"c{k}{a}", Math(r"\mu_{%d,%s}" % (k, a))) for k in (1, 2) for a in axes)
        return labels + coordinates

    def mcq_parts(self, params: KmeansParams) -> tuple[str, ...]:
        # One coordinate: a point's options would sit the key in the middle of the slips
        # (between the plain mean and w²), so "the second-smallest x" would win 4 times in 5;
        # a single number lets its rank among the options be drawn uniformly.
        return ("c1x",)

    def numeric_parts(self, params: KmeansParams) -> tuple[str, ...]:
        return tuple(part.name for part in self.parts(params) if part.name.startswith("c"))

    def solve(self, params: KmeansParams) -> Solution:
        chosen = assignments(params)
        values: dict[str, Any] = {f"n{n + 1}": sp.Integer(k + 1) for n, k in enumerate(chosen)}
        axes = "xy" if len(params.points[0]) == 2 else "x"
        lines = []
        for k in (0, 1):
            members = [n for n, c in enumerate(chosen) if c == k]
            new = centre(params, members)
            values.update({f"c{k + 1}{a}": v for a, v in zip(axes, new)})
            total = sum((params.weights[n] for n in members), sp.Integer(0))
            lines.append(
                r"$\mu_{%d} = \frac{1}{%s}\left(%s\right) = %s$"
                % (
                    k + 1,
                    tex(total),
                    " + ".join(r"%s \cdot %s" % (tex(params.weights[n]), row_tuple(params.points[n])) for n in members),
                    row_tuple(new),
                )
            )
        distances = "; ".join(
            r"$x_{%d}$: $%s$ against $%s$"
            % (n + 1, tex(squared_distance(p, params.centres[0])), tex(squared_distance(p, params.centres[1])))
            for n, p in enumerate(params.points)
        )
        steps = (
            Markup(
                r"Assignment: a point's weight multiplies both of its distances alike, so each point still goes "
                r"to its nearest centre. Squared distances to $\mu_1$ and $\mu_2$: %s. So $k = %s$."
                % (distances, row_tuple([sp.Integer(k + 1) for k in chosen]))
            ),
            Markup(
                r"Update: each centre becomes the weighted mean $\sum_n w_n x_n / \sum_n w_n$ of its points: "
                + "; ".join(lines)
                + "."
            ),
            Markup(r"With whole weights this is plain k-means on the data with $x_n$ repeated $w_n$ times."),
        )
        return Solution(values, steps)

    def verify(self, params: KmeansParams) -> dict:
        """numpy floats: the weights turned into repeated points, then one plain k-means step
        (argmin of distances, plain means) on the expanded data."""
        points = np.array([[float(x) for x in p] for p in params.points])
        repeated = np.repeat(points, [int(w) for w in params.weights], axis=0)
        centres = np.array([[float(x) for x in c] for c in params.centres])
        labels = np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        expanded_labels = np.argmin(((repeated[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        found: dict[str, float] = {f"n{n + 1}": float(k + 1) for n, k in enumerate(labels)}
        axes = "xy" if points.shape[1] == 2 else "x"
        for k in (0, 1):
            mean = repeated[expanded_labels == k].mean(axis=0)
            found.update({f"c{k + 1}{a}": float(v) for a, v in zip(axes, mean)})
        return found

    def mistakes(self, params: KmeansParams) -> Mistakes:
        chosen = assignments(params)
        axes = "xy" if len(params.points[0]) == 2 else "x"
        ones = [sp.Integer(1)] * len(params.points)
        found = Mistakes()

        def add(name: str, description: str, centres: list[tuple], slips: int = 1) -> None:
            found.add(
                name,
                description,
                slips=slips,
                **{f"c{k + 1}{a}": v for k, c in enumerate(centres) for a, v in zip(axes, c)},
            )

        members = [[n for n, c in enumerate(chosen) if c == k] for k in (0, 1)]
        add("unweighted_mean", "took the plain mean, ignoring the weights", [centre(params, m, ones) for m in members])
        count = [sp.Integer(len(m)) for m in members]
        add(
            "divided_by_count",
            "divided the weighted sum by the number of points, not the total weight",
            [
                tuple(v * sum((params.weights[n] for n in m), sp.Integer(0)) / c for v in centre(params, m))
                for m, c in zip(members, count)
            ],
        )
        add(
            "not_divided",
            "left the weighted sum undivided",
            [
                tuple(
                    sum((params.weights[n] * params.points[n][j] for n in m), sp.Integer(0)) for j in range(len(axes))
                )
                for m in members
            ],
        )
        add(
            "weights_squared",
            "weighted by w_n² instead of w_n",
            [centre(params, m, [w**2 for w in params.weights]) for m in members],
        )
        add(
            "clusters_swapped",
            "labelled the clusters the other way round",
            [centre(params, members[1]), centre(params, members[0])],
        )
        manhattan = [
            0
            if sum(abs(a - b) for a, b in zip(p, params.centres[0]))
            < sum(abs(a - b) for a, b in zip(p, params.centres[1]))
            else 1
            for p in params.points
        ]
        if manhattan != chosen and len(set(manhattan)) == 2:
            add(
                "manhattan_assignment",
                "assigned points by the sum of absolute differences",
                [centre(params, [n for n, c in enumerate(manhattan) if c == k]) for k in (0, 1)],
            )

        def with_old_centre(weights) -> list[tuple]:
            """Each cluster's weighted mean with its old centre averaged in as one more point."""
            return [
                tuple(
                    (sum((weights[n] * params.points[n][j] for n in m), sp.Integer(0)) + params.centres[k][j])
                    / (sum((weights[n] for n in m), sp.Integer(0)) + 1)
                    for j in range(len(axes))
                )
                for k, m in enumerate(members)
            ]

        add("old_centre_averaged", "averaged the old centre in as one more point", with_old_centre(params.weights))
        add(
            "inverse_weights",
            "divided by the weights instead of multiplying",
            [centre(params, m, [1 / w for w in params.weights]) for m in members],
        )
        total = sum(params.weights, sp.Integer(0))
        add(
            "divided_by_all_weights",
            "divided by the total weight of all points, not of the cluster's",
            [
                tuple(
                    sum((params.weights[n] * params.points[n][j] for n in m), sp.Integer(0)) / total
                    for j in range(len(axes))
                )
                for m in members
            ],
        )
        add(
            "half_step",
            "moved the centre only halfway to the weighted mean",
            [tuple((a + b) / 2 for a, b in zip(centre(params, m), params.centres[k])) for k, m in enumerate(members)],
        )
        add("centre_not_moved", "kept the old centre (updated only the assignments)", list(params.centres))
        for name, description, weights in (
            ("unweighted_mean", "took the plain mean", ones),
            ("weights_squared", "weighted by w_n²", [w**2 for w in params.weights]),
        ):
            add(
                f"{name}+old_centre_averaged",
                f"{description}, and averaged the old centre in as one more point",
                with_old_centre(weights),
                slips=2,
            )
        for n in range(len(params.points)):
            found.add(
                f"point_{n + 1}_misassigned",
                f"sent point {n + 1} to the farther centre",
                **{f"n{n + 1}": sp.Integer(2 - chosen[n])},
            )
        return found

    def show_values(self, params: KmeansParams, values: tuple) -> Markup:
        return Markup("$%s$" % row_tuple(values)) if len(values) > 1 else super().show_values(params, values)

    def rubric(self, params: KmeansParams) -> list[tuple[Markup, int]]:
        return [
            (Markup("the assignments, by distance alone (weights do not change them)"), 2),
            (Markup("each centre as the weighted mean of its points"), 3),
            (Markup("the link to repeated points, explained"), 1),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: KmeansParams) -> dict:
        return {
            "points": Math(r",\ ".join(row_tuple(p) for p in params.points)),
            "w": Math(row_tuple(params.weights)),
            "mu1": Math(row_tuple(params.centres[0])),
            "mu2": Math(row_tuple(params.centres[1])),
            "count": len(params.points),
        }
