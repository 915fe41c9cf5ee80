"""`gan-discriminator`: the optimal discriminator for fixed discrete p_data and p_g, and the
value of the game there.

For a fixed generator the discriminator maximises V(G, D) = Σ_x p_data(x) log D(x) +
p_g(x) log(1 − D(x)) pointwise: a log a + b log(1 − a) peaks at a = p_data/(p_data + p_g),
so D*(x) = p_data(x)/(p_data(x) + p_g(x)) (where both are zero D* is not determined and does
not matter). Substituting, V(G, D*) = −log 4 + 2·JSD(p_data ‖ p_g), which is −log 4 exactly
when p_g = p_data (D* ≡ 1/2). The distributions have halves and quarters, so that every
log is a multiple of log 2 or log 3 and the value is exact. The branches are `overlap`
(both distributions positive everywhere) and `disjoint-point` (a point where p_g is 0,
where D* = 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import log_of_rational
from variantex.answer_engine.formatting import Markup, Math, log_tex, row_tuple
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, vector

OVERLAP, DISJOINT = "overlap", "disjoint-point"
# Distributions over three points with small denominators: every ratio stays a short fraction.
DISTRIBUTIONS = tuple(
    tuple(sp.Rational(p, 8) for p in triple)
    for triple in (
        (4, 2, 2),
        (2, 4, 2),
        (2, 2, 4),
        (6, 1, 1),
        (1, 6, 1),
        (1, 1, 6),
        (4, 3, 1),
        (1, 3, 4),
        (3, 4, 1),
        (2, 3, 3),
        (3, 3, 2),
        (5, 2, 1),
        (1, 2, 5),
        (3, 2, 3),
        (2, 5, 1),
        (5, 1, 2),
        (3, 1, 4),
        (4, 1, 3),
        # with a point the generator misses
        (4, 4, 0),
        (4, 0, 4),
        (0, 4, 4),
        (6, 2, 0),
        (2, 0, 6),
        (0, 6, 2),
        (5, 3, 0),
        (3, 0, 5),
        (0, 5, 3),
        (7, 1, 0),
        (1, 0, 7),
        (0, 7, 1),
    )
)


@dataclass(frozen=True)
class GanParams:
    data: tuple[sp.Rational, ...] = vector()  # p_data(x_i)
    generator: tuple[sp.Rational, ...] = vector()  # p_g(x_i)

    def __post_init__(self) -> None:
        for name in ("data", "generator"):
            values = getattr(self, name)
            if any(v < 0 for v in values) or sum(values) != 1:
                raise InvalidParams("a distribution: non-negative entries that sum to 1", name)
        if len(self.data) != len(self.generator) or not 2 <= len(self.data) <= 5:
            raise InvalidParams("give both distributions on the same 2 to 5 points", "generator")
        if any(d == 0 and g == 0 for d, g in zip(self.data, self.generator)):
            raise InvalidParams("a point where both distributions are 0 leaves D* undetermined: drop it", "data")


def optimal(data: sp.Rational, generator: sp.Rational) -> sp.Rational:
    return data / (data + generator)


def plogq(p: sp.Rational, q: sp.Rational) -> sp.Expr:
    """p·log q with 0·log 0 = 0 (and −∞ for p > 0 at q = 0), logs split into primes so that
    sums combine exactly."""
    if p == 0:
        return sp.Integer(0)
    return -sp.oo if q == 0 else p * log_of_rational(q)


def game_value(params: GanParams, discriminator) -> sp.Expr:
    return sum(
        (
            plogq(d, discriminator(d, g)) + plogq(g, 1 - discriminator(d, g))
            for d, g in zip(params.data, params.generator)
        ),
        sp.Integer(0),
    )


def jsd(params: GanParams) -> sp.Expr:
    total = sp.Integer(0)
    for d, g in zip(params.data, params.generator):
        middle = (d + g) / 2
        total += (plogq(d, d / middle) + plogq(g, g / middle)) / 2
    return total


class GanDiscriminator(Family):
    id = "gan-discriminator"
    title = "The optimal GAN discriminator D* = p_data/(p_data + p_g) and the value −log 4 + 2·JSD"
    branches = (OVERLAP, DISJOINT)
    params_type = GanParams
    verify_tolerance = 1e-7  # the check's search finds D* to about 1e-8
    edge_cases = (
        EdgeCase(
            "p_g = p_data: D* ≡ 1/2 and V = −log 4",
            {"data": ["1/2", "1/2"], "generator": ["1/2", "1/2"]},
            {"d1": "1/2", "d2": "1/2", "value": "-log(4)", "jsd": 0},
        ),
        EdgeCase(
            "disjoint supports: D* is 1 and 0, V = 0 (JSD = log 2)",
            {"data": [1, 0], "generator": [0, 1]},
            {"d1": 1, "d2": 0, "value": 0, "jsd": "log(2)"},
        ),
        EdgeCase(
            "three points, one unseen by the generator",
            {"data": ["1/2", "1/4", "1/4"], "generator": ["1/2", "1/2", 0]},
            {"d1": "1/2", "d2": "1/3", "d3": 1, "value": "-log(2)/2 - 3*log(3)/4", "jsd": "3*log(2)/4 - 3*log(3)/8"},
        ),
    )

    def branch_of(self, params: GanParams) -> str:
        return DISJOINT if any(g == 0 for g in params.generator) else OVERLAP

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> GanParams:
        full = [p for p in DISTRIBUTIONS if all(v > 0 for v in p)]
        data = draws.pick(rng, full)
        generator = draws.pick(
            rng,
            [
                p
                for p in (DISTRIBUTIONS if branch == DISJOINT else full)
                if p != data and (branch == OVERLAP or any(v == 0 for v in p))
            ],
        )
        return GanParams(data, generator)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: GanParams) -> tuple[Part, ...]:
        points = tuple(Part(f"d{i + 1}", Math(f"D^*(x_{i + 1})")) for i in range(len(params.data)))
        return points + (
            Part("value", Math(r"V(G, D^*)")),
            Part("jsd", Math(r"\mathrm{JSD}(p_{\mathrm{data}} \,\|\, p_g)")),
        )

    def mcq_parts(self, params: GanParams) -> tuple[str, ...]:
        return ("value",)

    def value_tex(self, params: GanParams, value: sp.Expr) -> Math:
        return log_tex(value)

    def solve(self, params: GanParams) -> Solution:
        best = [optimal(d, g) for d, g in zip(params.data, params.generator)]
        value = game_value(params, optimal)
        divergence = jsd(params)
        values = {f"d{i + 1}": b for i, b in enumerate(best)}
        values.update(value=value, jsd=divergence)
        steps = (
            Markup(
                r"Pointwise, $a \log D + b \log(1 - D)$ is maximised at $D = a/(a + b)$, so "
                r"$D^*(x) = p_{\mathrm{data}}(x)/(p_{\mathrm{data}}(x) + p_g(x))$: $D^* = %s$." % row_tuple(best)
            ),
            Markup(
                r"$V(G, D^*) = \sum_x p_{\mathrm{data}}(x) \log D^*(x) + p_g(x) \log(1 - D^*(x)) = %s$ "
                r"(a term with probability $0$ contributes $0$)." % log_tex(value)
            ),
            Markup(
                r"With $m = (p_{\mathrm{data}} + p_g)/2$, $\mathrm{JSD} = \tfrac12 \mathrm{KL}(p_{\mathrm{data}} \,\|\, m) "
                r"+ \tfrac12 \mathrm{KL}(p_g \,\|\, m) = %s$, and indeed $V(G, D^*) = -\log 4 + 2\,\mathrm{JSD}$."
                % log_tex(divergence)
            ),
        )
        return Solution(values, steps)

    def verify(self, params: GanParams) -> dict:
        """numpy floats: D*(x) by maximising p_data·log D + p_g·log(1 − D) over a fine grid with
        a local refinement (no formula), V evaluated at those D, the JSD from its definition."""
        found: dict[str, float] = {}
        value = 0.0
        for i, (d, g) in enumerate(zip(params.data, params.generator)):
            d, g = float(d), float(g)
            if g == 0 or d == 0:
                best = 1.0 if g == 0 else 0.0  # log(1 − D) or log D carries no weight: push to the edge
            else:
                low, high, best = 1e-12, 1 - 1e-12, 0.5
                for _ in range(3):  # a grid, then finer grids around its best point
                    grid = np.linspace(low, high, 2001)
                    best = float(grid[int(np.argmax(d * np.log(grid) + g * np.log1p(-grid)))])
                    step = grid[1] - grid[0]
                    low, high = max(best - 2 * step, 1e-12), min(best + 2 * step, 1 - 1e-12)
            found[f"d{i + 1}"] = best
            value += (d * math.log(best) if d else 0.0) + (g * math.log(1 - best) if g else 0.0)
        found["value"] = value
        p, q = (np.array([float(v) for v in dist]) for dist in (params.data, params.generator))
        m = (p + q) / 2

        def kl(a: np.ndarray, b: np.ndarray) -> float:
            mask = a > 0
            return float(np.sum(a[mask] * np.log(a[mask] / b[mask])))

        found["jsd"] = (kl(p, m) + kl(q, m)) / 2
        return found

    def mistakes(self, params: GanParams) -> Mistakes:
        data, generator = params.data, params.generator
        found = Mistakes()
        right = game_value(params, optimal)
        divergence = jsd(params)
        for name, description, wrong in (  # the swapped D* is −∞ where it puts 0 on a data point
            ("swapped_discriminator", "took D* = p_g/(p_data + p_g)", game_value(params, lambda d, g: g / (d + g))),
            (
                "half_discriminator",
                "took D* ≡ 1/2 (the value at equilibrium)",
                game_value(params, lambda d, g: sp.Rational(1, 2)),
            ),
            ("minus_log_two", "wrote −log 2 + 2·JSD", -sp.log(2) + 2 * divergence),
            ("jsd_not_doubled", "wrote −log 4 + JSD", -2 * sp.log(2) + divergence),
            ("plus_log_four", "wrote log 4 + 2·JSD", 2 * sp.log(2) + 2 * divergence),
            ("jsd_alone", "gave 2·JSD, leaving out −log 4", 2 * divergence),
            ("sign_slip", "lost the sign of the value", -right),
            ("half_jsd", "halved the JSD instead of doubling it", -2 * sp.log(2) + divergence / 2),
            ("log_base_two", "took logarithms to base 2", right / sp.log(2)),
            (
                "one_minus_forgotten",
                "wrote log D* in the generator's term too, not log(1 − D*)",
                sum((plogq(d + g, optimal(d, g)) for d, g in zip(data, generator)), sp.Integer(0)),
            ),
            (
                "data_term_only",
                "kept only the data term Σ p_data log D*",
                sum((plogq(d, optimal(d, g)) for d, g in zip(data, generator)), sp.Integer(0)),
            ),
            (
                "generator_term_only",
                "kept only the generator term Σ p_g log(1 − D*)",
                sum((plogq(g, 1 - optimal(d, g)) for d, g in zip(data, generator)), sp.Integer(0)),
            ),
        ):
            if not exact.is_infinite(wrong):
                found.add(name, description, value=wrong)
        swapped = game_value(params, lambda d, g: g / (d + g))
        if exact.is_infinite(swapped):
            # −∞ is what the swap gives where p_g misses a data point: named for `check` and the
            # item report, but last, so it never sits among the options as a give-away extreme.
            found.add("swapped_discriminator", "took D* = p_g/(p_data + p_g)", value=swapped)
        if all(g > 0 for g in generator):
            kl = sum((plogq(d, d / g) for d, g in zip(data, generator)), sp.Integer(0))
            found.add("kl_for_jsd", "used KL(p_data ‖ p_g) where the JSD belongs", value=-2 * sp.log(2) + 2 * kl)
        found.add(
            "ratio_of_generator",
            "took D*(x) = p_data/p_g",
            **{f"d{i + 1}": d / g for i, (d, g) in enumerate(zip(data, generator)) if g != 0},
        )
        return found

    def rubric(self, params: GanParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"$D^*$ from the pointwise maximisation"), 2),
            (Markup(r"$V(G, D^*)$ evaluated"), 2),
            (Markup(r"the JSD and the identity $V = -\log 4 + 2\,\mathrm{JSD}$"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: GanParams) -> dict:
        return {
            "data": Math(row_tuple(params.data)),
            "generator": Math(row_tuple(params.generator)),
            "points": len(params.data),
        }
