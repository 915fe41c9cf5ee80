"""`bias-variance-noise`: the expected squared error at a point, split into noise, bias² and
variance, for data y = f(x) + ε·g(x) with E[ε] = 0, Var[ε] = σ².

At x0 a model trained on a random training set predicts ŷ(x0); over training sets and noise
E[(y − ŷ)²] = σ²·g(x0)² + (E[ŷ] − f(x0))² + Var[ŷ]. The `pieces` branch gives E[ŷ] and Var[ŷ];
the `predictions` branch gives what models trained on equally likely training sets predict,
from which the mean and the (population) variance are computed first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, paren, plus, signed, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, number, vector

PIECES, PREDICTIONS = "pieces", "predictions"


@dataclass(frozen=True)
class BiasVarianceParams:
    f0: sp.Rational = number()  # f(x0), the noise-free target
    x0: sp.Rational = number()
    g_slope: sp.Rational = number()  # g(x) = g_slope·x + g_offset scales the noise
    g_offset: sp.Rational = number()
    sigma2: sp.Rational = number(positive=True)  # Var[ε]
    # Either the predictions of models trained on equally likely training sets ...
    predictions: tuple[sp.Rational, ...] = vector(default=())
    # ... or the mean and variance of the prediction directly.
    mean: sp.Rational | None = number(default=None)
    variance: sp.Rational | None = number(default=None)

    def __post_init__(self) -> None:
        if self.predictions:
            if self.mean is not None or self.variance is not None:
                raise InvalidParams("give predictions, or mean and variance, not both", "predictions")
            if len(self.predictions) < 2:
                raise InvalidParams("give at least two predictions (one per training set)", "predictions")
        elif self.mean is None or self.variance is None:
            raise InvalidParams("give predictions, or both mean and variance of the prediction", "mean")
        elif self.variance < 0:
            raise InvalidParams("a variance is never negative", "variance")

    @property
    def g0(self) -> sp.Rational:
        return self.g_slope * self.x0 + self.g_offset

    @property
    def mean_prediction(self) -> sp.Rational:
        if self.predictions:
            return sum(self.predictions, sp.Integer(0)) / len(self.predictions)
        return self.mean

    @property
    def prediction_variance(self) -> sp.Rational:
        if self.predictions:
            m = self.mean_prediction
            return sum(((p - m) ** 2 for p in self.predictions), sp.Integer(0)) / len(self.predictions)
        return self.variance


def decomposition(params: BiasVarianceParams) -> dict:
    noise = params.sigma2 * params.g0**2
    bias2 = (params.mean_prediction - params.f0) ** 2
    variance = params.prediction_variance
    return {"noise": noise, "bias2": bias2, "variance": variance, "total": noise + bias2 + variance}


class BiasVarianceNoise(Family):
    id = "bias-variance-noise"
    title = "Noise, bias and variance of the expected error at a point (noise scaled by g(x))"
    branches = (PIECES, PREDICTIONS)
    params_type = BiasVarianceParams
    edge_cases = (
        EdgeCase(
            "the pieces add up: σ²g(x0)² + bias² + variance",
            {"f0": 2, "x0": 1, "g_slope": 1, "g_offset": 1, "sigma2": "1/4", "mean": 3, "variance": "1/2"},
            {"noise": 1, "bias2": 1, "variance": "1/2", "total": "5/2"},
        ),
        EdgeCase(
            "g(x0) = 0: no noise at this point",
            {"f0": 0, "x0": 2, "g_slope": 1, "g_offset": -2, "sigma2": 9, "mean": 1, "variance": 0},
            {"noise": 0, "bias2": 1, "variance": 0, "total": 1},
        ),
        EdgeCase(
            "an unbiased model: only noise and variance remain",
            {"f0": 1, "x0": -1, "g_slope": 2, "g_offset": 0, "sigma2": 1, "predictions": [0, 2]},
            {"noise": 4, "bias2": 0, "variance": 1, "total": 5},
        ),
        EdgeCase(
            "variance over four training sets is the population variance (divide by 4)",
            {"f0": 0, "x0": 0, "g_slope": 0, "g_offset": 1, "sigma2": 1, "predictions": [1, 1, 3, 3]},
            {"noise": 1, "bias2": 4, "variance": 1, "total": 6},
        ),
    )

    def branch_of(self, params: BiasVarianceParams) -> str:
        return PREDICTIONS if params.predictions else PIECES

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> BiasVarianceParams:
        x0 = sp.Integer(draws.small_int(rng, -2, 2))
        g_slope = sp.Integer(draws.small_int(rng, -1, 2))
        g_offset = sp.Integer(draws.small_int(rng, -1, 2))
        if g_slope * x0 + g_offset == 0:
            raise InvalidParams("no noise at x0 makes a weak question")
        sigma2 = draws.pick(rng, [sp.Rational(1, 4), sp.Rational(1, 2), sp.Integer(1), sp.Integer(2), sp.Integer(4)])
        f0 = sp.Integer(draws.small_int(rng, -3, 3))
        if branch == PREDICTIONS:
            count = draws.pick(rng, [2, 4])
            predictions = tuple(sp.Integer(draws.small_int(rng, -2, 5)) for _ in range(count))
            params = BiasVarianceParams(f0, x0, g_slope, g_offset, sigma2, predictions)
        else:
            mean = f0 + draws.half_integer(rng, -3, 3, nonzero=True)
            variance = draws.pick(
                rng,
                [sp.Rational(1, 4), sp.Rational(1, 2), sp.Integer(1), sp.Rational(3, 2), sp.Integer(2), sp.Integer(3)],
            )
            params = BiasVarianceParams(f0, x0, g_slope, g_offset, sigma2, (), mean, variance)
        pieces = decomposition(params)
        if pieces["bias2"] == 0 or pieces["variance"] == 0:
            raise InvalidParams("every piece nonzero: a question where each one matters")
        return params

    # --- answers ----------------------------------------------------------------
    def parts(self, params: BiasVarianceParams) -> tuple[Part, ...]:
        return (
            Part("noise", Math(r"\sigma^2 g(x_0)^2")),
            Part("bias2", Math(r"\mathrm{bias}^2")),
            Part("variance", Math(r"\mathrm{Var}[\hat y(x_0)]")),
            Part("total", Math(r"\mathbb{E}[(y - \hat y(x_0))^2]")),
        )

    def mcq_parts(self, params: BiasVarianceParams) -> tuple[str, ...]:
        return ("total",)

    def solve(self, params: BiasVarianceParams) -> Solution:
        values = decomposition(params)
        g0, m, v = params.g0, params.mean_prediction, params.prediction_variance
        steps = [
            Markup(
                r"$g(x_0) = %s \cdot %s %s = %s$, so the noise term is $\sigma^2 g(x_0)^2 = %s \cdot %s = %s$."
                % (
                    tex(params.g_slope),
                    paren(params.x0),
                    signed(params.g_offset),
                    tex(g0),
                    tex(params.sigma2),
                    paren(g0) + "^2",
                    tex(values["noise"]),
                )
            )
        ]
        if params.predictions:
            k = len(params.predictions)
            steps.append(
                Markup(
                    r"The %d training sets are equally likely, so $\mathbb{E}[\hat y] = (%s)/%d = %s$ "
                    r"and $\mathrm{Var}[\hat y] = \frac{1}{%d}\sum_k (\hat y_k - %s)^2 = %s$ "
                    r"(divide by %d: these are all the outcomes, not a sample)."
                    % (k, plus(params.predictions), k, tex(m), k, paren(m), tex(v), k)
                )
            )
        steps.append(
            Markup(
                r"$\mathrm{bias}^2 = (\mathbb{E}[\hat y] - f(x_0))^2 = (%s - %s)^2 = %s$."
                % (tex(m), paren(params.f0), tex(values["bias2"]))
            )
        )
        steps.append(
            Markup(
                r"$\mathbb{E}[(y - \hat y)^2] = %s + %s + %s = %s$."
                % (tex(values["noise"]), tex(values["bias2"]), tex(v), tex(values["total"]))
            )
        )
        return Solution(values, tuple(steps))

    def verify(self, params: BiasVarianceParams) -> dict:
        """Average the squared error itself, in floats: over the training sets (two
        predictions mean ± sd stand in for given moments) and over the noise, taken as ±σ
        with probability ½ each (any zero-mean noise of variance σ² gives the same mean square)."""
        f0, g0, sigma = float(params.f0), float(params.g0), float(params.sigma2) ** 0.5
        if params.predictions:
            outcomes = [float(p) for p in params.predictions]
        else:
            sd = float(params.variance) ** 0.5
            outcomes = [float(params.mean) - sd, float(params.mean) + sd]
        errors = [(f0 + e * g0 - p) ** 2 for p in outcomes for e in (-sigma, sigma)]
        total = sum(errors) / len(errors)
        mean = sum(outcomes) / len(outcomes)
        variance = sum((p - mean) ** 2 for p in outcomes) / len(outcomes)
        noise = sum((e * g0) ** 2 for e in (-sigma, sigma)) / 2
        return {"noise": noise, "bias2": total - noise - variance, "variance": variance, "total": total}

    def mistakes(self, params: BiasVarianceParams) -> Mistakes:
        d = decomposition(params)
        noise, bias2, variance, total = d["noise"], d["bias2"], d["variance"], d["total"]
        sigma2, g0, m, f0 = params.sigma2, params.g0, params.mean_prediction, params.f0
        found = Mistakes()
        found.add(
            "noise_without_g",
            "took the noise term as σ², forgetting the factor g(x0)²",
            noise=sigma2,
            total=sigma2 + bias2 + variance,
        )
        found.add(
            "g_not_squared",
            "multiplied σ² by g(x0) instead of g(x0)²",
            noise=sigma2 * g0,
            total=sigma2 * g0 + bias2 + variance,
        )
        found.add(
            "bias_not_squared",
            "added the bias E[ŷ] − f(x0) instead of its square",
            bias2=m - f0,
            total=noise + (m - f0) + variance,
        )
        found.add(
            "bias_sign_slip_unsquared",
            "added f(x0) − E[ŷ] instead of the squared bias",
            bias2=f0 - m,
            total=noise + (f0 - m) + variance,
        )
        found.add("forgot_noise", "left out the irreducible noise", total=bias2 + variance)
        found.add("forgot_variance", "left out the variance of the prediction", total=noise + bias2)
        found.add("forgot_bias", "left out the bias", total=noise + variance)
        found.add(
            "mean_square_for_bias", "used E[ŷ]² instead of (E[ŷ] − f(x0))²", bias2=m**2, total=noise + m**2 + variance
        )
        found.add(
            "target_square_for_bias",
            "used f(x0)² instead of (E[ŷ] − f(x0))²",
            bias2=f0**2,
            total=noise + f0**2 + variance,
        )
        found.add(
            "noise_counted_twice",
            "counted σ²g(x0)² twice (in the noise and again in the variance)",
            total=total + noise,
        )
        found.add(
            "sigma_squared_again",
            "squared σ² again (σ⁴ g(x0)²)",
            noise=sigma2**2 * g0**2,
            total=sigma2**2 * g0**2 + bias2 + variance,
        )
        if params.predictions:
            k = len(params.predictions)
            sample = variance * k / (k - 1)
            found.add(
                "sample_variance",
                "divided by K − 1 (a sample variance) instead of by the K outcomes",
                variance=sample,
                total=noise + bias2 + sample,
            )
        else:
            found.add(
                "variance_squared",
                "squared the given variance",
                variance=variance**2,
                total=noise + bias2 + variance**2,
            )
        found.add("errors_subtracted", "subtracted the variance instead of adding it", total=noise + bias2 - variance)
        return found

    def plausible(self, params: BiasVarianceParams, values: tuple) -> bool:
        """An expected squared error is never negative."""
        return all(v >= 0 for v in values if not isinstance(v, str))

    # --- presentation -----------------------------------------------------------
    def context(self, params: BiasVarianceParams) -> dict:
        g = _linear(params.g_slope, params.g_offset)
        return {
            "g": Math(g),
            "x0": params.x0,
            "f0": params.f0,
            "sigma2": params.sigma2,
            "predictions": list(params.predictions),
            "count": len(params.predictions),
            "mean": params.mean,
            "variance": params.variance,
        }


def _linear(slope: sp.Rational, offset: sp.Rational) -> str:
    if slope == 0:
        return tex(offset)
    term = "x" if slope == 1 else ("-x" if slope == -1 else f"{tex(slope)} x")
    return term if offset == 0 else f"{term} {signed(offset)}"
