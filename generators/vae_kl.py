"""`vae-kl`: the KL term of a VAE's ELBO for a diagonal Gaussian encoder.

For q(z | x) = N(μ, diag(σ²)) and the prior N(0, I), the KL divergence splits over the
dimensions: KL = Σ_j ½(μ_j² + σ_j² − 1 − log σ_j²), each term zero exactly when μ_j = 0 and
σ_j = 1. The ELBO is the expected reconstruction log-likelihood minus it:
ELBO = E_q[log p(x | z)] − KL ≤ log p(x). The encoder's standard deviations are drawn from
1/2, 1 and 2, so every log is a multiple of log 2 and the answers are exact (a + b·log 2).
The branches are `kl` (the KL per dimension and in total) and `elbo` (the ELBO from a given
reconstruction term as well).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import log_of_rational, numeric
from variantex.answer_engine.formatting import Markup, Math, log_tex, paren, row_tuple, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, number, vector

KL, ELBO = "kl", "elbo"
SIGMAS = (sp.Rational(1, 2), sp.Integer(1), sp.Integer(2))
MEANS = tuple(sp.Rational(p, 2) for p in range(-4, 5))


@dataclass(frozen=True)
class VaeParams:
    mu: tuple[sp.Rational, ...] = vector()  # the encoder's means μ_j
    sigma: tuple[sp.Rational, ...] = vector()  # its standard deviations σ_j > 0
    reconstruction: sp.Rational | None = number(default=None)  # E_q[log p(x | z)], for the ELBO

    def __post_init__(self) -> None:
        if not 1 <= len(self.mu) <= 4:
            raise InvalidParams("give 1 to 4 latent dimensions", "mu")
        if len(self.sigma) != len(self.mu):
            raise InvalidParams("give one standard deviation per mean", "sigma")
        for i, s in enumerate(self.sigma):
            if s <= 0:
                raise InvalidParams("a standard deviation is positive", f"sigma[{i}]")
        if self.reconstruction is not None and self.reconstruction > 0:
            raise InvalidParams("a log-likelihood of a discrete image is at most 0", "reconstruction")


def kl_term(
    mu: sp.Rational,
    sigma: sp.Rational,
    half: bool = True,
    log_sign: int = -1,
    minus_one: bool = True,
    variance: bool = True,
) -> sp.Expr:
    """½(μ² + σ² − 1 − log σ²), with the slips students make switched by the arguments."""
    spread = sigma**2 if variance else sigma
    log = log_of_rational(spread)
    value = mu**2 + spread - (1 if minus_one else 0) + log_sign * log
    return value / 2 if half else value


def reversed_term(mu: sp.Rational, sigma: sp.Rational) -> sp.Expr:
    """KL(N(0, 1) ‖ N(μ, σ²)) = ½((1 + μ²)/σ² − 1 + log σ²): the divergence the wrong way round."""
    return ((1 + mu**2) / sigma**2 - 1 + log_of_rational(sigma**2)) / 2


class VaeKl(Family):
    id = "vae-kl"
    title = "The KL term of a VAE: KL(N(μ, σ²) ‖ N(0, 1)) per dimension, summed, and the ELBO"
    branches = (KL, ELBO)
    params_type = VaeParams
    verify_tolerance = 1e-7  # the check integrates numerically
    edge_cases = (
        EdgeCase("the prior itself: every term zero", {"mu": [0, 0], "sigma": [1, 1]}, {"kl1": 0, "kl2": 0, "kl": 0}),
        EdgeCase(
            "μ = 1, σ = 1: ½μ²",
            {"mu": [1], "sigma": [1], "reconstruction": -10},
            {"kl1": "1/2", "kl": "1/2", "elbo": "-21/2"},
        ),
        EdgeCase(
            "σ = 2: ½(4 − 1 − log 4) = 3/2 − log 2",
            {"mu": [0, 1], "sigma": [2, "1/2"]},
            {"kl1": "3/2 - log(2)", "kl2": "1/8 + log(2)", "kl": "13/8"},
        ),
    )

    def branch_of(self, params: VaeParams) -> str:
        return KL if params.reconstruction is None else ELBO

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> VaeParams:
        size = draws.small_int(rng, 2, 3)
        mu = tuple(draws.pick(rng, MEANS) for _ in range(size))
        sigma = tuple(draws.pick(rng, SIGMAS) for _ in range(size))
        if all(m == 0 for m in mu) or all(s == 1 for s in sigma):
            raise InvalidParams("too close to the prior to be a question", "mu")  # redrawn
        reconstruction = -sp.Integer(draws.small_int(rng, 20, 120)) if branch == ELBO else None
        return VaeParams(mu, sigma, reconstruction)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: VaeParams) -> tuple[Part, ...]:
        terms = tuple(Part(f"kl{j + 1}", Math(f"\\mathrm{{KL}}_{j + 1}")) for j in range(len(params.mu)))
        total = (Part("kl", Math(r"\mathrm{KL}")),)
        return terms + total + ((Part("elbo", Math(r"\mathrm{ELBO}")),) if params.reconstruction is not None else ())

    def mcq_parts(self, params: VaeParams) -> tuple[str, ...]:
        return ("elbo",) if params.reconstruction is not None else ("kl",)

    def value_tex(self, params: VaeParams, value: sp.Expr) -> Math:
        return log_tex(value)

    def solve(self, params: VaeParams) -> Solution:
        terms = [kl_term(m, s) for m, s in zip(params.mu, params.sigma)]
        total = sum(terms, sp.Integer(0))
        values = {f"kl{j + 1}": t for j, t in enumerate(terms)}
        values["kl"] = total
        steps = [
            Markup(
                r"For a diagonal Gaussian against $N(0, I)$ the divergence splits over the dimensions: "
                r"$\mathrm{KL}_j = \tfrac12(\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2)$."
            ),
            *(
                Markup(
                    r"$\mathrm{KL}_{%d} = \tfrac12(%s + %s - 1 - \log %s) = %s$."
                    % (j + 1, tex(m**2), tex(s**2), tex(s**2), log_tex(t))
                )
                for j, (m, s, t) in enumerate(zip(params.mu, params.sigma, terms))
            ),
            Markup(
                r"In total $\mathrm{KL} = %s = %s$%s."
                % (
                    " + ".join(paren(log_tex(t)) for t in terms),
                    log_tex(total),
                    r" (the logs cancel)"
                    if isinstance(total, sp.Rational) and not all(isinstance(t, sp.Rational) for t in terms)
                    else "",
                )
            ),
        ]
        if params.reconstruction is not None:
            elbo = params.reconstruction - total
            values["elbo"] = elbo
            steps.append(
                Markup(
                    r"$\mathrm{ELBO} = E_q[\log p(x \mid z)] - \mathrm{KL} = %s - %s = %s$, a lower bound "
                    r"on $\log p(x)$." % (tex(params.reconstruction), paren(log_tex(total)), log_tex(elbo))
                )
            )
        return Solution(values, tuple(steps))

    def verify(self, params: VaeParams) -> dict:
        """numpy: each KL by quadrature of q·log(q/p) on a fine grid (no closed form), the ELBO
        as the given reconstruction term minus their sum."""
        found: dict[str, float] = {}
        total = 0.0
        for j, (m, s) in enumerate(zip(params.mu, params.sigma)):
            mu, sigma = float(m), float(s)
            # The trapezoid rule converges exponentially fast on a Gaussian integrand: 2,001 points
            # over ±14σ agree with the closed form to about 1e-13.
            z = np.linspace(mu - 14 * sigma, mu + 14 * sigma, 2001)
            log_q = -0.5 * ((z - mu) / sigma) ** 2 - math.log(sigma * math.sqrt(2 * math.pi))
            log_p = -0.5 * z**2 - math.log(math.sqrt(2 * math.pi))
            value = float(np.trapezoid(np.exp(log_q) * (log_q - log_p), z))
            found[f"kl{j + 1}"] = value
            total += value
        found["kl"] = total
        if params.reconstruction is not None:
            found["elbo"] = float(params.reconstruction) - total
        return found

    def mistakes(self, params: VaeParams) -> Mistakes:
        pairs = list(zip(params.mu, params.sigma))
        found = Mistakes()

        def total(**slip) -> sp.Expr:
            return sum((kl_term(m, s, **slip) for m, s in pairs), sp.Integer(0))

        alternatives = [
            ("no_half", "left out the factor ½", total(half=False)),
            ("log_sign", "added log σ² instead of subtracting it", total(log_sign=1)),
            ("no_minus_one", "left out the − 1 of each term", total(minus_one=False)),
            ("sigma_for_variance", "used σ where σ² belongs", total(variance=False)),
            ("no_log_term", "left out the log σ² term", total(log_sign=0)),
            (
                "reversed_divergence",
                "computed KL(N(0, 1) ‖ N(μ, σ²)), the divergence the wrong way round",
                sum((reversed_term(m, s) for m, s in pairs), sp.Integer(0)),
            ),
            ("first_dimension_only", "gave the first dimension's term only", kl_term(*pairs[0])),
            ("averaged", "averaged the terms over the dimensions instead of summing", total() / len(pairs)),
            ("no_half_no_minus_one", "left out the ½ and the − 1", total(half=False, minus_one=False)),
        ]
        for name, description, wrong in alternatives:
            if params.reconstruction is None:
                found.add(name, description, kl=wrong)
            else:
                found.add(name, description, kl=wrong, elbo=params.reconstruction - wrong)
        if params.reconstruction is not None:
            right = total()
            found.add(
                "kl_added",
                "added the KL to the reconstruction term instead of subtracting it",
                elbo=params.reconstruction + right,
            )
            found.add("kl_ignored", "gave the reconstruction term alone", elbo=params.reconstruction)
            found.add("sign_slip", "subtracted the reconstruction term from the KL", elbo=right - params.reconstruction)
        return found

    def plausible(self, params: VaeParams, values: tuple) -> bool:
        """A KL divergence is never negative (an ELBO can be anything below 0)."""
        return params.reconstruction is not None or all(
            float(numeric(v)) >= 0 for v in values if not isinstance(v, str)
        )

    def rubric(self, params: VaeParams) -> list[tuple[Markup, int]]:
        criteria = [
            (Markup(r"the per-dimension formula $\tfrac12(\mu^2 + \sigma^2 - 1 - \log\sigma^2)$"), 2),
            (Markup(r"each term and the sum"), 2),
        ]
        if params.reconstruction is not None:
            criteria.append((Markup(r"$\mathrm{ELBO} = E_q[\log p(x \mid z)] - \mathrm{KL}$"), 1))
        return criteria + [(Markup("what the KL term does to the encoder, explained"), 1)]

    # --- presentation -----------------------------------------------------------
    def context(self, params: VaeParams) -> dict:
        return {
            "mu": Math(row_tuple(params.mu)),
            "sigma": Math(row_tuple(params.sigma)),
            "d": len(params.mu),
            "reconstruction": params.reconstruction,
        }
