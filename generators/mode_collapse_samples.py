"""`mode-collapse-samples`: how many samples linear discriminators need to see a difference.

For linear discriminators x ↦ wᵀx with ‖w‖ ≤ 1 on inputs with ‖x‖ ≤ L in R^d, the empirical
and true expectations differ (uniformly over the class, with high probability) by about
L·√(d/M) after M samples. Telling two distributions apart to accuracy ε, and so noticing a
generator that has dropped modes, therefore needs M = L²·d/ε² samples: linear in the
dimension, quadratic in 1/ε. Halving ε quadruples M; doubling d doubles it. The branches
are `samples` (M for given numbers) and `scaling` (M and how it changes when ε is halved).
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
from variantex.answer_engine.formatting import Markup, Math, grouped, tex
from variantex.answer_engine.search import crossing, smallest_whole
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, flag, integer, number

SAMPLES, SCALING = "samples", "scaling"


@dataclass(frozen=True)
class ModeCollapseParams:
    radius: sp.Rational = number(positive=True)  # L: inputs have ‖x‖ ≤ L
    dimension: int = integer(low=1, high=100_000)  # d
    epsilon: sp.Rational = number(positive=True)  # the accuracy asked for
    scaling: bool = flag()  # also ask how M changes when ε is halved

    def __post_init__(self) -> None:
        if len(str(required(self.radius, self.dimension, self.epsilon))) > 18:
            raise InvalidParams("more than 10^18 samples: choose a larger ε", "epsilon")


def required(radius: sp.Rational, dimension: int | sp.Rational, epsilon: sp.Rational) -> sp.Integer:
    return exact.ceiling(radius**2 * dimension / epsilon**2)


class ModeCollapseSamples(Family):
    id = "mode-collapse-samples"
    title = "Samples linear discriminators need to detect mode collapse: M = L²·d/ε²"
    branches = (SAMPLES, SCALING)
    params_type = ModeCollapseParams
    edge_cases = (
        EdgeCase(
            "L = 1, d = 10, ε = 1/10: 1,000 samples", {"radius": 1, "dimension": 10, "epsilon": "1/10"}, {"m": 1000}
        ),
        EdgeCase(
            "L = 2, d = 1, ε = 1/2: 16",
            {"radius": 2, "dimension": 1, "epsilon": "1/2", "scaling": True},
            {"m": 16, "factor": 4},
        ),
        EdgeCase("a fractional bound is rounded up", {"radius": 1, "dimension": 3, "epsilon": "2/3"}, {"m": 7}),
    )

    def branch_of(self, params: ModeCollapseParams) -> str:
        return SCALING if params.scaling else SAMPLES

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> ModeCollapseParams:
        radius = draws.pick(rng, [sp.Rational(p, 2) for p in (1, 2, 3, 4, 5, 6, 8, 10)])
        dimension = draws.pick(rng, [2, 3, 5, 10, 16, 20, 50, 64, 100, 128, 256, 512])
        epsilon = draws.pick(rng, [sp.Rational(1, q) for q in (2, 4, 5, 10, 20, 100)] + [sp.Rational(3, 10)])
        return ModeCollapseParams(radius, dimension, epsilon, scaling=branch == SCALING)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: ModeCollapseParams) -> tuple[Part, ...]:
        samples = (Part("m", Math("M")),)
        return samples + ((Part("factor", Math(r"M(\varepsilon/2)/M(\varepsilon)")),) if params.scaling else ())

    def value_tex(self, params: ModeCollapseParams, value: sp.Expr) -> Math:
        return grouped(int(value)) if isinstance(value, sp.Integer) else super().value_tex(params, value)

    def solve(self, params: ModeCollapseParams) -> Solution:
        L, d, eps = params.radius, params.dimension, params.epsilon
        m = required(L, d, eps)
        exact_m = L**2 * d / eps**2
        steps = [
            Markup(
                r"The deviation $L\sqrt{d/M}$ is at most $\varepsilon$ exactly when $M \ge L^2 d / \varepsilon^2 "
                r"= %s \cdot %d / %s = %s$%s."
                % (tex(L**2), d, tex(eps**2), tex(exact_m), "" if exact_m == m else r", so $M = %s$" % grouped(int(m)))
            )
        ]
        values = {"m": m}
        if params.scaling:
            values["factor"] = sp.Integer(4)
            steps.append(
                Markup(
                    r"$M$ grows like $1/\varepsilon^2$: halving $\varepsilon$ multiplies it by $4$ "
                    r"(doubling $d$ would only double it)."
                )
            )
        return Solution(values, tuple(steps))

    def verify(self, params: ModeCollapseParams) -> dict:
        """Floats: the smallest M whose deviation L·√(d/M) is at most ε, by doubling and bisection
        on the deviation itself; for the scaling, the real M at which the deviation equals ε/2
        and ε, each by bisection on log M."""
        L, d = float(params.radius), params.dimension

        def threshold(epsilon: float) -> float:  # log M at which the deviation is exactly ε
            return crossing(lambda log_m: L * math.sqrt(d) * math.exp(-log_m / 2) > epsilon, -20.0, 200.0)

        epsilon = float(params.epsilon)
        found: dict[str, float] = {"m": smallest_whole(lambda m: L * math.sqrt(d / m) <= epsilon * (1 + 1e-12))}
        if params.scaling:  # from the unrounded thresholds at ε/2 and ε
            found["factor"] = math.exp(threshold(float(params.epsilon) / 2) - threshold(float(params.epsilon)))
        return found

    def mistakes(self, params: ModeCollapseParams) -> Mistakes:
        L, d, eps = params.radius, params.dimension, params.epsilon
        found = Mistakes()
        for name, description, wrong in (
            ("radius_not_squared", "used L instead of L²", exact.ceiling(L * d / eps**2)),
            ("epsilon_not_squared", "divided by ε instead of ε²", exact.ceiling(L**2 * d / eps)),
            ("dimension_squared", "used d² instead of d", required(L, d * d, eps)),
            ("square_root_of_dimension", "used √d instead of d", exact.ceiling(L**2 * sp.sqrt(d) / eps**2)),
            ("no_dimension", "left out the dimension", required(L, 1, eps)),
            ("radius_squared_twice", "used L⁴", exact.ceiling(L**4 * d / eps**2)),
            ("epsilon_squared_twice", "divided by ε⁴", exact.ceiling(L**2 * d / eps**4)),
            ("both_distributions", "counted the samples of both distributions (2M)", 2 * required(L, d, eps)),
            ("rounded_down", "rounded down", exact.floor(L**2 * d / eps**2)),
            ("nothing_squared", "squared neither L nor ε", exact.ceiling(L * d / eps)),
        ):
            found.add(name, description, m=sp.Integer(wrong))
        if params.scaling:
            found.add("factor_two", "took M to grow like 1/ε", factor=sp.Integer(2))
            found.add("factor_sixteen", "took M to grow like 1/ε⁴", factor=sp.Integer(16))
        return found

    def rubric(self, params: ModeCollapseParams) -> list[tuple[Markup, int]]:
        criteria = [(Markup(r"$M \ge L^2 d/\varepsilon^2$ from the deviation bound"), 2), (Markup("the number"), 2)]
        if params.scaling:
            criteria.append((Markup(r"the factor 4 for halving $\varepsilon$"), 1))
        return criteria + [(Markup("what this means for detecting mode collapse, explained"), 1)]

    # --- presentation -----------------------------------------------------------
    def context(self, params: ModeCollapseParams) -> dict:
        return {"L": params.radius, "d": params.dimension, "epsilon": params.epsilon, "scaling": params.scaling}
