"""`pac-bayes-gaussian`: the KL divergence between Gaussian posterior and prior, and the
PAC-Bayes bound it gives.

With prior P = N(0, I) and posterior Q = N(ŵ, I), KL(Q ‖ P) = ½‖ŵ‖². With probability at
least 1 − δ over n training samples, the expected loss of the Gibbs classifier is at most
L̂ + sqrt((KL(Q ‖ P) + ln(2√n/δ)) / (2(n − 1))). A calculator question: answers to 4
significant figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.checking import Tolerance
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import numeric
from variantex.answer_engine.formatting import Markup, Math, row_tuple, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, number, vector

SIGNIFICANT = 4
SAMPLE_SIZES = (100, 400, 900, 1600, 2500, 10000)  # perfect squares: √n is a whole number
CONFIDENCES = (sp.Rational(1, 10), sp.Rational(1, 20), sp.Rational(1, 100))
LOSSES = (sp.Rational(1, 20), sp.Rational(1, 10), sp.Rational(3, 20), sp.Rational(1, 5))


@dataclass(frozen=True)
class PacBayesParams:
    w_hat: tuple[sp.Rational, ...] = vector()  # the posterior mean
    n: sp.Rational = number(positive=True)
    delta: sp.Rational = number(positive=True)
    train_loss: sp.Rational = number()  # the empirical loss L̂ of the Gibbs classifier

    def __post_init__(self) -> None:
        if not self.w_hat:
            raise InvalidParams("give the posterior mean as a vector", "w_hat")
        if not self.n.is_integer or self.n < 2:
            raise InvalidParams("n is a whole number of samples, at least 2", "n")
        if not 0 < self.delta < 1:
            raise InvalidParams("δ is a probability strictly between 0 and 1", "delta")
        if not 0 <= self.train_loss <= 1:
            raise InvalidParams("the empirical loss lies in [0, 1]", "train_loss")


def kl(params: PacBayesParams) -> sp.Rational:
    return sum((w**2 for w in params.w_hat), sp.Integer(0)) / 2


@lru_cache(maxsize=256)
def confidence_term(params: PacBayesParams) -> sp.Expr:
    """ln(2√n/δ), built once per variant (the solution and most mistakes use it)."""
    return sp.log(2 * sp.sqrt(params.n) / params.delta)


def bound(
    params: PacBayesParams,
    divergence: sp.Expr | None = None,
    log_term: sp.Expr | None = None,
    denominator: sp.Expr | None = None,
) -> sp.Expr:
    divergence = kl(params) if divergence is None else divergence
    log_term = confidence_term(params) if log_term is None else log_term
    denominator = 2 * (params.n - 1) if denominator is None else denominator
    return params.train_loss + sp.sqrt((divergence + log_term) / denominator)


class PacBayesGaussian(Family):
    id = "pac-bayes-gaussian"
    title = "PAC-Bayes bound with Gaussian prior and posterior"
    branches = ("bound",)
    params_type = PacBayesParams
    tolerance = Tolerance.significant_figures(SIGNIFICANT)
    edge_cases = (
        EdgeCase(
            "ŵ = (3, 4): KL = 25/2",
            {"w_hat": [3, 4], "n": 100, "delta": "1/20", "train_loss": "1/10"},
            {"kl": "25/2", "bound": "1/10 + sqrt((25/2 + log(400))/198)"},
        ),
        EdgeCase(
            "ŵ = 0: the posterior is the prior and KL = 0",
            {"w_hat": [0, 0], "n": 2500, "delta": "1/100", "train_loss": 0},
            {"kl": 0, "bound": "sqrt(log(10000)/4998)"},
        ),
    )

    def branch_of(self, params: PacBayesParams) -> str:
        return "bound"

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> PacBayesParams:
        size = draws.small_int(rng, 2, 4)
        w_hat = tuple(sp.Integer(draws.small_int(rng, -3, 3)) for _ in range(size))
        if all(w == 0 for w in w_hat):
            raise InvalidParams("a posterior equal to the prior makes a weak question")
        return PacBayesParams(
            w_hat,
            sp.Integer(draws.pick(rng, list(SAMPLE_SIZES))),
            draws.pick(rng, list(CONFIDENCES)),
            draws.pick(rng, list(LOSSES)),
        )

    # --- answers ----------------------------------------------------------------
    def parts(self, params: PacBayesParams) -> tuple[Part, ...]:
        return (Part("kl", Math(r"\mathrm{KL}(Q \,\|\, P)")), Part("bound", Math(r"\text{bound}")))

    def mcq_parts(self, params: PacBayesParams) -> tuple[str, ...]:
        return ("bound",)

    def needs_calculator(self, params: PacBayesParams) -> bool:
        return True

    def digits(self, params: PacBayesParams) -> int | None:
        return SIGNIFICANT

    def solve(self, params: PacBayesParams) -> Solution:
        divergence, value = kl(params), bound(params)
        norm2 = sum((w**2 for w in params.w_hat), sp.Integer(0))
        root = sp.sqrt(params.n)
        log_argument = 2 * root / params.delta
        steps = (
            Markup(
                r"For $Q = \mathcal{N}(\hat w, I)$ and $P = \mathcal{N}(0, I)$ the covariances match, so "
                r"$\mathrm{KL}(Q \,\|\, P) = \tfrac12 \|\hat w\|^2 = \tfrac12 \cdot %s = %s$."
                % (tex(norm2), tex(divergence))
            ),
            Markup(
                r"$\ln(2\sqrt{n}/\delta) = \ln(2 \cdot %s / %s) = \ln %s %s$."
                % (tex(root), tex(params.delta), tex(log_argument), tex(sp.log(log_argument), SIGNIFICANT))
            ),
            Markup(
                r"The bound is $\hat L + \sqrt{(%s + \ln %s)/(2 \cdot %s)} = %s + \sqrt{%s} %s$."
                % (
                    tex(divergence),
                    tex(log_argument),
                    tex(params.n - 1),
                    tex(params.train_loss),
                    tex((divergence + sp.log(log_argument)) / (2 * (params.n - 1)), SIGNIFICANT).replace(
                        r"\approx ", ""
                    ),
                    tex(value, SIGNIFICANT),
                )
            ),
        )
        return Solution({"kl": divergence, "bound": value}, steps)

    def verify(self, params: PacBayesParams) -> dict:
        """Floats: KL by integrating p·ln(p/q) coordinate by coordinate (Gauss–Hermite
        quadrature of the definition, which is exact here as ln(p/q) is a polynomial), then
        the bound with the math module."""
        nodes, weights = np.polynomial.hermite_e.hermegauss(20)  # ∫ f(z) e^{−z²/2} dz
        total = 0.0
        for w in params.w_hat:
            x = float(w) + nodes  # x ~ p = N(w, 1)
            log_p = -((x - float(w)) ** 2) / 2 - math.log(math.sqrt(2 * math.pi))
            log_q = -(x**2) / 2 - math.log(math.sqrt(2 * math.pi))
            total += float(np.sum(weights * (log_p - log_q))) / math.sqrt(2 * math.pi)
        n, delta = float(params.n), float(params.delta)
        value = float(params.train_loss) + math.sqrt((total + math.log(2 * math.sqrt(n) / delta)) / (2 * (n - 1)))
        return {"kl": total, "bound": value}

    def mistakes(self, params: PacBayesParams) -> Mistakes:
        norm2 = sum((w**2 for w in params.w_hat), sp.Integer(0))
        n, delta = params.n, params.delta
        found = Mistakes()
        found.add("kl_without_half", "took KL = ‖ŵ‖², without the ½", kl=norm2, bound=bound(params, divergence=norm2))
        found.add(
            "kl_as_norm",
            "took KL = ‖ŵ‖ (the norm, not half its square)",
            kl=sp.sqrt(norm2),
            bound=bound(params, divergence=sp.sqrt(norm2)),
        )
        found.add(
            "log_without_two",
            "wrote ln(√n/δ), dropping the 2",
            bound=bound(params, log_term=sp.log(sp.sqrt(n) / delta)),
        )
        found.add(
            "log_of_n_not_root",
            "wrote ln(2n/δ) instead of ln(2√n/δ)",
            bound=bound(params, log_term=sp.log(2 * n / delta)),
        )
        flipped = sp.log(2 * sp.sqrt(n) * delta)
        if kl(params) + flipped >= 0:  # else the slip leaves no real square root to take
            found.add("log_of_delta", "wrote ln(2√n·δ) instead of ln(2√n/δ)", bound=bound(params, log_term=flipped))
        found.add(
            "denominator_without_two", "divided by n − 1 instead of 2(n − 1)", bound=bound(params, denominator=n - 1)
        )
        found.add(
            "no_square_root",
            "forgot the square root",
            bound=params.train_loss + (kl(params) + confidence_term(params)) / (2 * (n - 1)),
        )
        found.add("forgot_empirical_loss", "left out the empirical loss L̂", bound=bound(params) - params.train_loss)
        found.add(
            "log_only_of_delta", "kept only ln(1/δ) in the numerator", bound=bound(params, log_term=sp.log(1 / delta))
        )
        found.add("kl_left_out", "left KL out of the numerator", bound=bound(params, divergence=sp.Integer(0)))
        found.add(
            "loss_outside_doubled",
            "added L̂ twice (inside and outside the bound)",
            bound=bound(params) + params.train_loss,
        )
        return found

    def plausible(self, params: PacBayesParams, values: tuple) -> bool:
        """A bound on an expected loss is at least the empirical loss."""
        floor = float(params.train_loss)
        return all(float(numeric(v)) >= floor for v in values if not isinstance(v, str))

    # --- presentation -----------------------------------------------------------
    def context(self, params: PacBayesParams) -> dict:
        return {
            "w_hat": Math(row_tuple(params.w_hat)),
            "n": params.n,
            "delta": params.delta,
            "train_loss": params.train_loss,
            "digits": SIGNIFICANT,
        }
