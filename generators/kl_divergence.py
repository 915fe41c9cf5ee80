"""`kl-divergence`: KL(P ‖ Q) and KL(Q ‖ P) for uniforms, Gaussians and small discrete laws.

KL(P ‖ Q) = E_P[log p/q] is not symmetric. `uniform`: P = U[a, b] inside Q = U[c, d] gives
KL(P ‖ Q) = log((d − c)/(b − a)), while KL(Q ‖ P) = ∞ (Q puts mass where P has none).
`gaussian`: KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½.
`discrete`: Σ_x p(x) log(p(x)/q(x)) on three points. Lengths, standard deviations and
probabilities are powers of two (or halves and quarters), so every answer is a rational
plus a multiple of log 2 (or log 3): exact, and calculator-free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import log_of_rational, numeric
from variantex.answer_engine.formatting import Markup, Math, log_tex, row_tuple, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, choice_of, vector

UNIFORM, GAUSSIAN, DISCRETE = "uniform", "gaussian", "discrete"
SIGMAS = (sp.Rational(1, 2), sp.Integer(1), sp.Integer(2))
TRIPLES = tuple(tuple(sp.Rational(p, 4) for p in t) for t in ((2, 1, 1), (1, 2, 1), (1, 1, 2)))
TRIPLES += tuple(
    tuple(sp.Rational(p, 8) for p in t)
    for t in (
        (4, 2, 2),
        (2, 4, 2),
        (6, 1, 1),
        (1, 6, 1),
        (4, 3, 1),
        (1, 3, 4),
        (2, 2, 4),
        (1, 1, 6),
        (3, 4, 1),
        (2, 1, 5),
        (5, 1, 2),
        (2, 5, 1),
        (3, 3, 2),
        (2, 3, 3),
        (3, 2, 3),
        (5, 2, 1),
        (1, 2, 5),
    )
)


@dataclass(frozen=True)
class KlParams:
    kind: str = choice_of((UNIFORM, GAUSSIAN, DISCRETE))
    p: tuple[sp.Rational, ...] = vector()  # uniform: (a, b); gaussian: (μ₁, σ₁); discrete: p(x_i)
    q: tuple[sp.Rational, ...] = vector()  # uniform: (c, d); gaussian: (μ₂, σ₂); discrete: q(x_i)

    def __post_init__(self) -> None:
        if self.kind == DISCRETE:
            for name in ("p", "q"):
                values = getattr(self, name)
                if any(v <= 0 for v in values) or sum(values) != 1:
                    raise InvalidParams("a distribution with positive entries that sum to 1", name)
            if len(self.p) != len(self.q):
                raise InvalidParams("both distributions on the same points", "q")
            return
        if len(self.p) != 2 or len(self.q) != 2:
            raise InvalidParams("give two numbers for each: (a, b) or (μ, σ)", "p")
        if self.kind == UNIFORM:
            (a, b), (c, d) = self.p, self.q
            if not (a < b and c < d):
                raise InvalidParams("an interval [a, b] needs a < b", "p")
            if not (c <= a and b <= d) or (a, b) == (c, d):
                raise InvalidParams("P's interval must lie inside Q's (and differ from it)", "q")
        elif self.p[1] <= 0 or self.q[1] <= 0:
            raise InvalidParams("a standard deviation is positive", "p")


def discrete_kl(p, q) -> sp.Expr:
    return sum((pi * log_of_rational(pi / qi) for pi, qi in zip(p, q)), sp.Integer(0))


def gaussian_kl(mu1, s1, mu2, s2, half: bool = True, minus_half: bool = True, log_squared: bool = False) -> sp.Expr:
    log = log_of_rational(s2**2 / s1**2) if log_squared else log_of_rational(s2 / s1)
    quadratic = (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2 if half else s2**2)
    return log + quadratic - (sp.Rational(1, 2) if minus_half else 0)


def divergences(params: KlParams) -> tuple[sp.Expr, sp.Expr]:
    if params.kind == UNIFORM:
        (a, b), (c, d) = params.p, params.q
        return log_of_rational((d - c) / (b - a)), sp.oo
    if params.kind == GAUSSIAN:
        (mu1, s1), (mu2, s2) = params.p, params.q
        return gaussian_kl(mu1, s1, mu2, s2), gaussian_kl(mu2, s2, mu1, s1)
    return discrete_kl(params.p, params.q), discrete_kl(params.q, params.p)


class KlDivergence(Family):
    id = "kl-divergence"
    title = "KL divergence both ways: uniforms (one way infinite), Gaussians, small discrete distributions"
    branches = (UNIFORM, GAUSSIAN, DISCRETE)
    params_type = KlParams
    verify_tolerance = 1e-7  # the check integrates numerically
    edge_cases = (
        EdgeCase(
            "U[0, 1] inside U[0, 2]: log 2 one way, ∞ the other",
            {"kind": UNIFORM, "p": [0, 1], "q": [0, 2]},
            {"forward": "log(2)", "backward": "infinity"},
        ),
        EdgeCase(
            "a Gaussian against itself shifted by 1: ½ both ways",
            {"kind": GAUSSIAN, "p": [0, 1], "q": [1, 1]},
            {"forward": "1/2", "backward": "1/2"},
        ),
        EdgeCase(
            "N(0, 1) against N(0, 4): log 2 + 1/8 − 1/2",
            {"kind": GAUSSIAN, "p": [0, 1], "q": [0, 2]},
            {"forward": "log(2) - 3/8", "backward": "3/2 - log(2)"},
        ),
        EdgeCase(
            "discrete, (1/2, 1/2) against (1/4, 3/4)",
            {"kind": DISCRETE, "p": ["1/2", "1/2"], "q": ["1/4", "3/4"]},
            {"forward": "log(2) - log(3)/2", "backward": "3*log(3)/4 - log(2)"},
        ),
    )

    def branch_of(self, params: KlParams) -> str:
        return params.kind

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> KlParams:
        if branch == UNIFORM:
            inner = draws.pick(rng, [1, 2, 4])
            outer = inner * draws.pick(rng, [2, 4, 8])
            start = draws.small_int(rng, -4, 4)
            offset = draws.small_int(rng, 0, outer - inner)
            return KlParams(
                UNIFORM,
                (sp.Integer(start + offset), sp.Integer(start + offset + inner)),
                (sp.Integer(start), sp.Integer(start + outer)),
            )
        if branch == GAUSSIAN:
            mu1, mu2 = (sp.Integer(draws.small_int(rng, -3, 3)) for _ in range(2))
            s1, s2 = draws.pick(rng, SIGMAS), draws.pick(rng, SIGMAS)
            if mu1 == mu2 and s1 == s2:
                raise InvalidParams("the same Gaussian twice", "q")  # redrawn
            return KlParams(GAUSSIAN, (mu1, s1), (mu2, s2))
        p = draws.pick(rng, TRIPLES)
        return KlParams(DISCRETE, p, draws.pick(rng, [t for t in TRIPLES if t != p]))

    # --- answers ----------------------------------------------------------------
    def parts(self, params: KlParams) -> tuple[Part, ...]:
        return (Part("forward", Math(r"\mathrm{KL}(P \,\|\, Q)")), Part("backward", Math(r"\mathrm{KL}(Q \,\|\, P)")))

    def value_tex(self, params: KlParams, value: sp.Expr) -> Math:
        return log_tex(value) if not exact.is_infinite(value) else tex(value)

    def solve(self, params: KlParams) -> Solution:
        forward, backward = divergences(params)
        if params.kind == UNIFORM:
            (a, b), (c, d) = params.p, params.q
            steps = (
                Markup(
                    r"On $[%s, %s]$, $p = %s$ and $q = %s$, so $\mathrm{KL}(P \,\|\, Q) = \int_{%s}^{%s} "
                    r"p \log \frac{p}{q}\, dx = \log \frac{d - c}{b - a} = \log %s%s$."
                    % (
                        tex(a),
                        tex(b),
                        tex(1 / (b - a)),
                        tex(1 / (d - c)),
                        tex(a),
                        tex(b),
                        tex((d - c) / (b - a)),
                        "" if log_tex(forward) == r"\log %s" % tex((d - c) / (b - a)) else " = " + log_tex(forward),
                    )
                ),
                Markup(
                    r"$Q$ puts mass on $[%s, %s]$ outside $[%s, %s]$, where $p = 0$: $\log(q/p) = \infty$ there, "
                    r"so $\mathrm{KL}(Q \,\|\, P) = \infty$. The divergence is not symmetric."
                    % (tex(c), tex(d), tex(a), tex(b))
                ),
            )
        elif params.kind == GAUSSIAN:
            (mu1, s1), (mu2, s2) = params.p, params.q
            steps = (
                Markup(
                    r"$\mathrm{KL}(N(\mu_1, \sigma_1^2) \,\|\, N(\mu_2, \sigma_2^2)) = \log\frac{\sigma_2}{\sigma_1} + "
                    r"\frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac12$."
                ),
                Markup(
                    r"$\mathrm{KL}(P \,\|\, Q) = \log %s + \frac{%s + %s}{%s} - \frac12 = %s$."
                    % (tex(s2 / s1), tex(s1**2), tex((mu1 - mu2) ** 2), tex(2 * s2**2), log_tex(forward))
                ),
                Markup(
                    r"The other way, with the roles swapped: $\mathrm{KL}(Q \,\|\, P) = \log %s + \frac{%s + %s}{%s} "
                    r"- \frac12 = %s$%s."
                    % (
                        tex(s1 / s2),
                        tex(s2**2),
                        tex((mu1 - mu2) ** 2),
                        tex(2 * s1**2),
                        log_tex(backward),
                        "" if forward == backward else ": not the same, KL is not symmetric",
                    )
                ),
            )
        else:
            terms = " + ".join(r"%s \log \frac{%s}{%s}" % (tex(p), tex(p), tex(q)) for p, q in zip(params.p, params.q))
            back = " + ".join(r"%s \log \frac{%s}{%s}" % (tex(q), tex(q), tex(p)) for p, q in zip(params.p, params.q))
            steps = (
                Markup(
                    r"$\mathrm{KL}(P \,\|\, Q) = \sum_x p(x) \log \frac{p(x)}{q(x)} = %s = %s$."
                    % (terms, log_tex(forward))
                ),
                Markup(
                    r"$\mathrm{KL}(Q \,\|\, P) = %s = %s$: a different number, KL is not symmetric."
                    % (back, log_tex(backward))
                ),
            )
        return Solution({"forward": forward, "backward": backward}, steps)

    def verify(self, params: KlParams) -> dict:
        """numpy floats from the definition, no closed form: for densities a fine-grid integral of
        p·log(p/q) (∞ when P's support leaves Q's), for the discrete laws the sum itself."""
        if params.kind == DISCRETE:
            p, q = (np.array([float(v) for v in d]) for d in (params.p, params.q))
            return {"forward": float(np.sum(p * np.log(p / q))), "backward": float(np.sum(q * np.log(q / p)))}
        if params.kind == UNIFORM:
            (a, b), (c, d) = ((float(x) for x in pair) for pair in (params.p, params.q))

            def density(x, low, high):
                return np.where((x >= low) & (x <= high), 1.0 / (high - low), 0.0)

            def kl(low, high, other_low, other_high) -> float:
                x = np.linspace(low, high, 4001)[1:-1]  # inside the first support
                p, q = density(x, low, high), density(x, other_low, other_high)
                if np.any(q == 0):
                    return float("inf")
                return float(np.mean(np.log(p / q))) * 1.0  # p·(high − low) = 1: the mean is the integral

            return {"forward": kl(a, b, c, d), "backward": kl(c, d, a, b)}
        (mu1, s1), (mu2, s2) = ((float(x) for x in pair) for pair in (params.p, params.q))

        def gaussian_kl_numeric(m1, sd1, m2, sd2) -> float:
            x = np.linspace(m1 - 14 * sd1, m1 + 14 * sd1, 4001)
            log_p = -0.5 * ((x - m1) / sd1) ** 2 - np.log(sd1 * np.sqrt(2 * np.pi))
            log_q = -0.5 * ((x - m2) / sd2) ** 2 - np.log(sd2 * np.sqrt(2 * np.pi))
            return float(np.trapezoid(np.exp(log_p) * (log_p - log_q), x))

        return {"forward": gaussian_kl_numeric(mu1, s1, mu2, s2), "backward": gaussian_kl_numeric(mu2, s2, mu1, s1)}

    def mistakes(self, params: KlParams) -> Mistakes:
        forward, backward = divergences(params)
        found = Mistakes()
        if params.kind == UNIFORM:
            (a, b), (c, d) = params.p, params.q
            ratio = (d - c) / (b - a)
            found.add("ratio_inverted", "took log((b − a)/(d − c)): the length ratio upside down", forward=-forward)
            found.add("no_logarithm", "gave the length ratio itself, without the log", forward=ratio)
            found.add(
                "density_not_integrated",
                "forgot to integrate over [a, b]: the integrand p·log(p/q) alone",
                forward=forward / (b - a),
            )
            found.add("log_base_two", "took log to base 2", forward=forward / sp.log(2))
            found.add("p_length_dropped", "left out P's density 1/(b − a): log(d − c)", forward=log_of_rational(d - c))
            found.add(
                "q_density_dropped", "left out Q's density 1/(d − c): −log(b − a)", forward=-log_of_rational(b - a)
            )
            found.add(
                "integrated_over_q",
                "integrated over Q's interval [c, d] instead of P's [a, b]",
                forward=ratio * forward,
            )
            found.add(
                "ratio_inverted+no_logarithm",
                "gave the length ratio upside down, without the log",
                slips=2,
                forward=1 / ratio,
            )
            found.add(
                "ratio_inverted+log_base_two",
                "took log₂ of the length ratio upside down",
                slips=2,
                forward=-forward / sp.log(2),
            )
            found.add("finite_backward", "gave log of the length ratio for KL(Q ‖ P) too", backward=forward)
            found.add("swapped_direction", "gave the infinite direction", forward=sp.oo)
            return found
        if params.kind == GAUSSIAN:
            (mu1, s1), (mu2, s2) = params.p, params.q
            found.add("swapped_direction", "computed KL(Q ‖ P) instead", forward=backward)
            found.add(
                "no_half_on_quadratic", "left out the 2 under σ₂²", forward=gaussian_kl(mu1, s1, mu2, s2, half=False)
            )
            found.add("no_minus_half", "left out the − ½", forward=gaussian_kl(mu1, s1, mu2, s2, minus_half=False))
            found.add(
                "variance_in_log",
                "used log(σ₂²/σ₁²) instead of log(σ₂/σ₁)",
                forward=gaussian_kl(mu1, s1, mu2, s2, log_squared=True),
            )
            found.add("log_inverted", "used log(σ₁/σ₂)", forward=forward - 2 * log_of_rational(s2 / s1))
            found.add(
                "sigma_not_squared",
                "used σ₁ and σ₂ where their squares belong",
                forward=log_of_rational(s2 / s1) + (s1 + (mu1 - mu2) ** 2) / (2 * s2) - sp.Rational(1, 2),
            )
            found.add(
                "mean_difference_dropped",
                "left out (μ₁ − μ₂)²",
                forward=log_of_rational(s2 / s1) + s1**2 / (2 * s2**2) - sp.Rational(1, 2),
            )
            found.add("symmetrised", "averaged the two directions", forward=(forward + backward) / 2)
            found.add("sum_both", "added the two directions", forward=forward + backward)
            found.add(
                "doubled_formula",
                "used log(σ₂²/σ₁²) + (σ₁² + (μ₁ − μ₂)²)/σ₂² − 1, twice the divergence",
                forward=2 * forward,
            )
            return found
        found.add("swapped_direction", "computed KL(Q ‖ P) instead", forward=backward)
        found.add("sign_slip", "took Σ p log(q/p)", forward=-forward)
        found.add(
            "mixed_weights",
            "weighted log(p/q) by q instead of p",
            forward=sum((qi * log_of_rational(pi / qi) for pi, qi in zip(params.p, params.q)), sp.Integer(0)),
        )
        found.add("symmetrised", "averaged the two directions", forward=(forward + backward) / 2)
        found.add(
            "no_weights",
            "summed log(p/q) without the weights p(x)",
            forward=sum((log_of_rational(pi / qi) for pi, qi in zip(params.p, params.q)), sp.Integer(0)),
        )
        found.add(
            "cross_entropy",
            "gave the cross-entropy −Σ p log q",
            forward=-sum((pi * log_of_rational(qi) for pi, qi in zip(params.p, params.q)), sp.Integer(0)),
        )
        found.add(
            "entropy_difference",
            "gave H(Q) − H(P)",
            forward=sum(
                (pi * log_of_rational(pi) - qi * log_of_rational(qi) for pi, qi in zip(params.p, params.q)),
                sp.Integer(0),
            ),
        )
        found.add("sum_both", "added the two directions", forward=forward + backward)
        found.add("log_base_two", "took logarithms to base 2", forward=forward / sp.log(2))
        found.add(
            "absolute_log_ratio",
            "took |log(p/q)|, as if each term were a distance",
            forward=sum((pi * abs(log_of_rational(pi / qi)) for pi, qi in zip(params.p, params.q)), sp.Integer(0)),
        )
        found.add(
            "chi_squared",
            "used Σ (p − q)²/q, the χ² divergence",
            forward=sum(((pi - qi) ** 2 / qi for pi, qi in zip(params.p, params.q)), sp.Integer(0)),
        )
        return found

    def plausible(self, params: KlParams, values: tuple) -> bool:
        """A KL divergence is never negative."""
        return all(isinstance(v, str) or exact.is_infinite(v) or float(numeric(v)) >= 0 for v in values)

    def rubric(self, params: KlParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"$\mathrm{KL}(P \,\|\, Q)$ from the definition or the closed form"), 2),
            (Markup(r"$\mathrm{KL}(Q \,\|\, P)$"), 2),
            (Markup("the asymmetry, explained"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: KlParams) -> dict:
        return {
            "kind": params.kind,
            "p": Math(row_tuple(params.p)),
            "q": Math(row_tuple(params.q)),
            "a": params.p[0],
            "b": params.p[-1],
            "c": params.q[0],
            "d": params.q[-1],
        }
