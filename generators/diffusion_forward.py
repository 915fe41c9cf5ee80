"""`diffusion-forward`: the forward (noising) process x_{t+1} ~ N(α·x_t, (1 − α²)·I).

Unrolling the recursion, X_t given X_0 = x_0 is Gaussian with mean α^t·x_0 and variance
1 − α^{2t} (per coordinate): the noise added at step s is scaled by α^{t−s} afterwards, and
the variances (1 − α²)·α^{2(t−s)} sum to 1 − α^{2t}. As t → ∞ it tends to N(0, I) whatever x_0,
and the score of the marginal is ∇ log p(x_t | x_0) = −(x_t − α^t x_0)/(1 − α^{2t}). The
`marginal` branch asks for the mean and variance at step t, the `score` branch for the score
at a given x_t as well. α is a simple fraction, so every answer is exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, paren, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, integer, number

MARGINAL, SCORE = "marginal", "score"
ALPHAS = tuple(sp.Rational(p, q) for p, q in ((1, 2), (1, 3), (2, 3), (3, 4), (1, 4)))


@dataclass(frozen=True)
class DiffusionParams:
    alpha: sp.Rational = number()
    t: int = integer(low=1, high=50)
    x0: sp.Rational = number()
    xt: sp.Rational | None = number(default=None)  # the score branch: where the score is asked

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise InvalidParams("α lies strictly between 0 and 1 (the process must forget x_0)", "alpha")


def mean(params: DiffusionParams, steps: int | None = None) -> sp.Rational:
    return params.alpha ** (params.t if steps is None else steps) * params.x0


def variance(params: DiffusionParams) -> sp.Rational:
    return 1 - params.alpha ** (2 * params.t)


class DiffusionForward(Family):
    id = "diffusion-forward"
    title = "The forward diffusion x_{t+1} ~ N(α·x_t, (1 − α²)I): the marginal given x_0, its limit, the score"
    branches = (MARGINAL, SCORE)
    params_type = DiffusionParams
    verify_tolerance = 1e-7  # the check takes the score by finite differences
    edge_cases = (
        EdgeCase("one step: the transition itself", {"alpha": "1/2", "t": 1, "x0": 4}, {"mean": 2, "variance": "3/4"}),
        EdgeCase(
            "α = 1/2, t = 2: mean x0/4, variance 15/16",
            {"alpha": "1/2", "t": 2, "x0": 8, "xt": 0},
            {"mean": 2, "variance": "15/16", "score": "32/15"},
        ),
        EdgeCase(
            "at the mean the score is zero",
            {"alpha": "2/3", "t": 2, "x0": 9, "xt": 4},
            {"mean": 4, "variance": "65/81", "score": 0},
        ),
    )

    def branch_of(self, params: DiffusionParams) -> str:
        return MARGINAL if params.xt is None else SCORE

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> DiffusionParams:
        alpha = draws.pick(rng, ALPHAS)
        t = draws.small_int(rng, 2, 3)
        x0 = sp.Integer(draws.pick(rng, [v for v in range(-9, 13) if abs(v) >= 2]))
        if branch == MARGINAL:
            return DiffusionParams(alpha, t, x0)
        # x_t near the marginal's mean, never on it (a score of zero is an edge case, not a question).
        centre = alpha**t * x0
        xt = draws.pick(rng, [-3, -2, -1, 1, 2, 3]) + centre.p // centre.q
        return DiffusionParams(alpha, t, x0, sp.Integer(xt))

    # --- answers ----------------------------------------------------------------
    def parts(self, params: DiffusionParams) -> tuple[Part, ...]:
        marginal = (Part("mean", Math(r"E[X_t \mid x_0]")), Part("variance", Math(r"\operatorname{Var}(X_t \mid x_0)")))
        return marginal + ((Part("score", Math(r"\nabla \log p(x_t \mid x_0)")),) if params.xt is not None else ())

    def mcq_parts(self, params: DiffusionParams) -> tuple[str, ...]:
        return ("variance",) if params.xt is None else ("score",)

    def solve(self, params: DiffusionParams) -> Solution:
        a, t = params.alpha, params.t
        m, v = mean(params), variance(params)
        steps = [
            Markup(
                r"Unroll: $x_t = \alpha^t x_0 + \sum_{s=1}^{t} \alpha^{t-s} \sqrt{1 - \alpha^2}\, \varepsilon_s$ with "
                r"independent standard normal $\varepsilon_s$, so $X_t \mid x_0$ is Gaussian."
            ),
            Markup(
                r"Mean $\alpha^t x_0 = (%s)^{%d} \cdot %s = %s$; variance $(1 - \alpha^2)\sum_{s=1}^{t} \alpha^{2(t-s)} = "
                r"1 - \alpha^{2t} = 1 - (%s)^{%d} = %s$." % (tex(a), t, paren(params.x0), tex(m), tex(a), 2 * t, tex(v))
            ),
            Markup(r"As $t \to \infty$, $\alpha^t \to 0$: the marginal tends to $N(0, I)$ whatever $x_0$."),
        ]
        values = {"mean": m, "variance": v}
        if params.xt is not None:
            score = -(params.xt - m) / v
            values["score"] = score
            steps.append(
                Markup(
                    r"Score: $\nabla_{x_t} \log p(x_t \mid x_0) = -(x_t - \alpha^t x_0)/(1 - \alpha^{2t}) = "
                    r"-(%s - %s)/%s = %s$." % (tex(params.xt), paren(m), tex(v), tex(score))
                )
            )
        return Solution(values, tuple(steps))

    def verify(self, params: DiffusionParams) -> dict:
        """Floats: the mean and variance pushed through the recursion step by step
        (m ← αm, v ← α²v + 1 − α²), and the score as a central difference of the Gaussian
        log-density with those moments."""
        a, m, v = float(params.alpha), float(params.x0), 0.0
        for _ in range(params.t):
            m, v = a * m, a * a * v + (1 - a * a)
        found = {"mean": m, "variance": v}
        if params.xt is not None:

            def log_density(x: float) -> float:
                return -0.5 * (x - m) ** 2 / v - 0.5 * math.log(2 * math.pi * v)

            h, x = 1e-4, float(params.xt)
            found["score"] = (log_density(x + h) - log_density(x - h)) / (2 * h)
        return found

    def mistakes(self, params: DiffusionParams) -> Mistakes:
        a, t, x0 = params.alpha, params.t, params.x0
        m, v = mean(params), variance(params)
        found = Mistakes()
        variances = (
            ("variance_not_squared_power", "used 1 − α^t instead of 1 − α^{2t}", 1 - a**t),
            ("one_step_variance", "kept the one-step variance 1 − α²", 1 - a**2),
            ("variances_multiplied", "raised the one-step variance to the power t", (1 - a**2) ** t),
            ("variances_added", "added t one-step variances without scaling them by α²", t * (1 - a**2)),
            ("signal_fraction", "gave α^{2t}, the signal's share, as the noise variance", a ** (2 * t)),
            ("last_step_only", "kept only the last step's noise, scaled as the first", (1 - a**2) * a ** (2 * (t - 1))),
            ("one_step_too_many", "unrolled t + 1 steps", 1 - a ** (2 * (t + 1))),
            ("one_step_too_few", "unrolled t − 1 steps", 1 - a ** (2 * (t - 1))),
            ("std_for_variance", "squared α^t twice (1 − α^{4t})", 1 - a ** (4 * t)),
            ("sign_slip", "wrote 1 + α^{2t}", 1 + a ** (2 * t)),
            (
                "alpha_not_squared",
                "scaled the earlier steps' noise variances by α instead of α²",
                (1 - a**2) * sum((a**k for k in range(t)), sp.Integer(0)),
            ),
        )
        if params.xt is None:
            for name, description, wrong in variances:
                found.add(name, description, variance=wrong)
            found.add("mean_one_step", "used α·x_0 for the mean", mean=a * x0)
            found.add("mean_not_scaled", "kept x_0 as the mean", mean=x0)
            return found
        xt = params.xt
        for name, description, wrong in variances:
            if wrong != 0:
                found.add(name, description, variance=wrong, score=-(xt - m) / wrong)
        found.add("score_sign_slip", "lost the minus sign of the score", score=(xt - m) / v)
        found.add(
            "divided_by_std", "divided by the standard deviation instead of the variance", score=-(xt - m) / sp.sqrt(v)
        )
        found.add("mean_one_step", "centred on α·x_0 instead of α^t·x_0", mean=a * x0, score=-(xt - a * x0) / v)
        found.add("mean_not_scaled", "centred on x_0", mean=x0, score=-(xt - x0) / v)
        found.add("centred_on_zero", "left out the mean (the score of the limit N(0, 1))", score=-xt / v)
        found.add("limit_score", "used the limit's score −x_t", score=-xt)
        found.add("variance_squared", "divided by the variance squared", score=-(xt - m) / v**2)
        return found

    def plausible(self, params: DiffusionParams, values: tuple) -> bool:
        """A variance lies in (0, 1) here; a score of this Gaussian is a fraction."""
        return all(isinstance(v, sp.Rational) and (params.xt is not None or 0 < v < 1) for v in values)

    def rubric(self, params: DiffusionParams) -> list[tuple[Markup, int]]:
        criteria = [
            (Markup(r"the recursion unrolled: a Gaussian with mean $\alpha^t x_0$"), 2),
            (Markup(r"the variance $1 - \alpha^{2t}$, summed over the steps"), 2),
            (Markup(r"the limit $N(0, I)$"), 1),
        ]
        if params.xt is not None:
            criteria.append((Markup(r"the score $-(x_t - \alpha^t x_0)/(1 - \alpha^{2t})$"), 1))
        return criteria

    # --- presentation -----------------------------------------------------------
    def context(self, params: DiffusionParams) -> dict:
        return {"alpha": params.alpha, "t": params.t, "x0": params.x0, "xt": params.xt}
