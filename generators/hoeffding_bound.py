"""`hoeffding-bound`: how far validation losses can be from the true risks, for K models at
once.

For losses in [a, b] and n validation samples, Hoeffding's inequality with a union bound over
K models gives, with probability at least 1 − δ, |L̂_k − L_k| ≤ sqrt((b − a)²·ln(2K/δ)/(2n))
for every k. The `deviation` branch asks for that ε; the `sample-size` branch for the
smallest n that guarantees a target ε. The bound holds on a validation set that played no
part in training the K models, never on the training set the models were fitted to.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.checking import Tolerance
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import numeric
from variantex.answer_engine.formatting import Markup, Math, tex
from variantex.answer_engine.search import crossing, smallest_whole
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution, TextAnswer
from variantex.generators.kit import EdgeCase, Mistakes, number

DEVIATION, SAMPLE_SIZE = "deviation", "sample-size"
VALIDATION, TRAINING = "validation", "training"
SIGNIFICANT = 4


@dataclass(frozen=True)
class HoeffdingParams:
    models: sp.Rational = number(positive=True)  # K
    delta: sp.Rational = number(positive=True)
    low: sp.Rational = number()  # losses lie in [low, high]
    high: sp.Rational = number()
    n: sp.Rational | None = number(default=None)  # the deviation branch: samples given
    epsilon: sp.Rational | None = number(default=None)  # the sample-size branch: target given

    def __post_init__(self) -> None:
        if not self.models.is_integer:
            raise InvalidParams("K counts models: a whole number", "models")
        if not 0 < self.delta < 1:
            raise InvalidParams("δ is a probability strictly between 0 and 1", "delta")
        if self.high <= self.low:
            raise InvalidParams("the loss range [low, high] must have high > low", "high")
        if (self.n is None) == (self.epsilon is None):
            raise InvalidParams("give n (for the deviation) or epsilon (for the sample size), not both", "n")
        if self.n is not None and (not self.n.is_integer or self.n < 1):
            raise InvalidParams("n counts samples: a whole number ≥ 1", "n")
        if self.epsilon is not None and self.epsilon <= 0:
            raise InvalidParams("the target deviation must be positive", "epsilon")


def log_term(params: HoeffdingParams, models: sp.Expr | None = None) -> sp.Expr:
    return sp.log(2 * (params.models if models is None else models) / params.delta)


def deviation(
    params: HoeffdingParams, n: sp.Expr, log: sp.Expr | None = None, width: sp.Expr | None = None, divisor: int = 2
) -> sp.Expr:
    width = params.high - params.low if width is None else width
    return sp.sqrt(width**2 * (log_term(params) if log is None else log) / (divisor * n))


def sample_size(
    params: HoeffdingParams,
    log: sp.Expr | None = None,
    width: sp.Expr | None = None,
    epsilon: sp.Expr | None = None,
    divisor: int = 2,
) -> sp.Integer:
    width = params.high - params.low if width is None else width
    epsilon = params.epsilon if epsilon is None else epsilon
    exact_n = width**2 * (log_term(params) if log is None else log) / (divisor * epsilon**2)
    return exact.ceiling(exact_n)


class HoeffdingBound(Family):
    id = "hoeffding-bound"
    title = "Hoeffding bound for K models on a validation set"
    formats = ("mcq", "numeric", "open", "tf")
    branches = (DEVIATION, SAMPLE_SIZE)
    params_type = HoeffdingParams
    tolerance = Tolerance.significant_figures(SIGNIFICANT)
    text_answers = {
        VALIDATION: TextAnswer(
            "the validation set", ("validation", "validation set", "the validation sample", "held-out set", "test set")
        ),
        TRAINING: TextAnswer("the training set", ("training", "training set", "the training sample")),
    }
    edge_cases = (
        EdgeCase(
            "one model, losses in [0, 1], n = 200, δ = 1/10",
            {"models": 1, "delta": "1/10", "low": 0, "high": 1, "n": 200},
            {"epsilon": "sqrt(log(20)/400)", "sample": "validation"},
        ),
        EdgeCase(
            "the smallest n for ε = 1/10 with K = 5, δ = 1/20",
            {"models": 5, "delta": "1/20", "low": 0, "high": 1, "epsilon": "1/10"},
            {"n": 265, "sample": "validation"},
        ),
        EdgeCase(
            "a loss range of width 2 needs four times the samples",
            {"models": 5, "delta": "1/20", "low": -1, "high": 1, "epsilon": "1/10"},
            {"n": 1060, "sample": "validation"},
        ),
    )

    def branch_of(self, params: HoeffdingParams) -> str:
        return DEVIATION if params.n is not None else SAMPLE_SIZE

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> HoeffdingParams:
        models = sp.Integer(draws.pick(rng, [1, 5, 10, 20, 50, 100]))
        delta = draws.pick(rng, [sp.Rational(1, 10), sp.Rational(1, 20), sp.Rational(1, 100)])
        low, high = draws.pick(rng, [(0, 1), (0, 1), (0, 2), (-1, 1)])
        if branch == DEVIATION:
            return HoeffdingParams(
                models,
                delta,
                sp.Integer(low),
                sp.Integer(high),
                n=sp.Integer(draws.pick(rng, [100, 200, 500, 1000, 5000, 10000])),
            )
        return HoeffdingParams(
            models,
            delta,
            sp.Integer(low),
            sp.Integer(high),
            epsilon=draws.pick(rng, [sp.Rational(1, 10), sp.Rational(1, 20), sp.Rational(1, 50)]),
        )

    # --- answers ----------------------------------------------------------------
    def parts(self, params: HoeffdingParams) -> tuple[Part, ...]:
        asked = Part("epsilon", Math(r"\varepsilon")) if params.n is not None else Part("n", Math("n"))
        return (
            asked,
            Part(
                "sample",
                Math(r"\text{sample}"),
                text_answers=(VALIDATION, TRAINING),
                sentence="This bound may be used on {}.",
            ),
        )

    def numeric_parts(self, params: HoeffdingParams) -> tuple[str, ...]:
        return (self.parts(params)[0].name,)

    def needs_calculator(self, params: HoeffdingParams) -> bool:
        return True

    def digits(self, params: HoeffdingParams) -> int | None:
        return SIGNIFICANT if params.n is not None else None

    def tolerance_for(self, params: HoeffdingParams) -> Tolerance:
        # ε to the stated significant figures; the smallest n is a whole number, exactly.
        return self.tolerance if params.n is not None else Tolerance()

    def solve(self, params: HoeffdingParams) -> Solution:
        width, k, delta = params.high - params.low, params.models, params.delta
        log = log_term(params)
        steps = [
            Markup(
                r"The losses lie in $[%s, %s]$, a range of width $b - a = %s$. A union bound over the "
                r"$K = %s$ models spends $\delta/K$ on each, so $\ln(2K/\delta) = \ln %s %s$."
                % (tex(params.low), tex(params.high), tex(width), tex(k), tex(2 * k / delta), tex(log, SIGNIFICANT))
            )
        ]
        if params.n is not None:
            value = deviation(params, params.n)
            steps.append(
                Markup(
                    r"$\varepsilon = \sqrt{(b-a)^2 \ln(2K/\delta) / (2n)} = \sqrt{%s \cdot \ln %s / %s} %s$."
                    % (tex(width**2), tex(2 * k / delta), tex(2 * params.n), tex(value, SIGNIFICANT))
                )
            )
            values = {"epsilon": value}
        else:
            value = sample_size(params)
            bound = width**2 * log / (2 * params.epsilon**2)
            steps.append(
                Markup(
                    r"Solving $\varepsilon \ge \sqrt{(b-a)^2\ln(2K/\delta)/(2n)}$ for $n$: "
                    r"$n \ge (b-a)^2 \ln(2K/\delta) / (2\varepsilon^2) = %s \cdot \ln %s / %s %s$, "
                    r"so the smallest whole $n$ is $%s$."
                    % (
                        tex(width**2),
                        tex(2 * k / delta),
                        tex(2 * params.epsilon**2),
                        tex(bound, SIGNIFICANT),
                        tex(value),
                    )
                )
            )
            values = {"n": value}
        steps.append(
            Markup(
                r"The bound needs losses independent of how the models were chosen: it holds on the "
                r"validation set, not on the training set the models were fitted to."
            )
        )
        return Solution({**values, "sample": VALIDATION}, tuple(steps))

    def verify(self, params: HoeffdingParams) -> dict:
        """Floats from the inequality itself: the per-model failure probability δ/K equated with
        2·exp(−2nε²/(b − a)²), solved by bisection (ε), or the smallest whole n searched for."""
        width, k, delta = float(params.high - params.low), float(params.models), float(params.delta)

        def failure(n: float, eps: float) -> float:
            return k * 2 * math.exp(-2 * n * eps * eps / (width * width))

        if params.n is not None:
            n = float(params.n)
            return {"epsilon": crossing(lambda eps: failure(n, eps) > delta, 0.0, 10.0 * width), "sample": VALIDATION}
        eps = float(params.epsilon)

        # The failure probability falls as n grows: the smallest whole n that is enough.
        n = smallest_whole(lambda n: failure(n, eps) <= delta * (1 + 1e-12))
        return {"n": n, "sample": VALIDATION}  # a count: compared exactly

    def mistakes(self, params: HoeffdingParams) -> Mistakes:
        width = params.high - params.low
        found = Mistakes()
        alternatives = [
            (
                "no_union_bound",
                "left out the union bound (ln(2/δ) instead of ln(2K/δ))",
                {"log": sp.log(2 / params.delta)},
            ),
            (
                "log_of_k_over_delta",
                "wrote ln(K/δ), dropping the 2 of the two-sided bound",
                {"log": sp.log(params.models / params.delta)},
            ),
            ("width_not_squared", "used (b − a) instead of (b − a)²", {"width": sp.sqrt(width)}),
            ("divided_by_n_only", "divided by n instead of 2n", {"divisor": 1}),
            (
                "k_squared",
                "multiplied K into the bound twice (ln(2K²/δ))",
                {"log": sp.log(2 * params.models**2 / params.delta)},
            ),
            (
                "log_of_delta_not_inverse",
                "wrote ln(2Kδ) (δ not inverted), then took its size",
                {"log": abs(sp.log(2 * params.models * params.delta))},
            ),
            (
                "k_outside_log",
                "multiplied by K outside the logarithm",
                {"log": params.models * sp.log(2 / params.delta)},
            ),
            (
                "log_base_two",
                "took the logarithm to base 2 instead of the natural one",
                {"log": log_term(params) / sp.log(2)},
            ),
            (
                "log_base_ten",
                "took the logarithm to base 10 instead of the natural one",
                {"log": log_term(params) / sp.log(10)},
            ),
        ]
        for name, description, change in alternatives:
            if params.n is not None:
                found.add(name, description, epsilon=deviation(params, params.n, **change))
            else:
                found.add(name, description, n=sample_size(params, **change))
        if params.n is None:
            exact_n = width**2 * log_term(params) / (2 * params.epsilon**2)
            found.add("rounded_down", "rounded n down instead of up", n=exact.floor(exact_n))
            found.add(
                "epsilon_not_squared",
                "divided by 2ε instead of 2ε²",
                n=exact.ceiling(width**2 * log_term(params) / (2 * params.epsilon)),
            )
            found.add(
                "epsilon_squared_twice",
                "squared ε twice (divided by 2ε⁴)",
                n=sample_size(params, epsilon=params.epsilon**2),
            )
        else:
            found.add("no_square_root", "forgot the square root", epsilon=width**2 * log_term(params) / (2 * params.n))
        found.add(
            "bound_on_training_set", "applied the bound to the training set the models were fitted to", sample=TRAINING
        )
        return found

    def plausible(self, params: HoeffdingParams, values: tuple) -> bool:
        """A deviation is positive; a sample size is a whole number of at least 1."""
        return all(isinstance(v, str) or float(numeric(v)) > 0 for v in values)

    # --- presentation -----------------------------------------------------------
    def context(self, params: HoeffdingParams) -> dict:
        return {
            "models": params.models,
            "delta": params.delta,
            "low": params.low,
            "high": params.high,
            "n": params.n,
            "epsilon": params.epsilon,
            "digits": SIGNIFICANT,
        }
