"""`weighted-gmm-em`: the M-step of EM for a 1-D mixture of two Gaussians with point weights.

With responsibilities q_kn (the E-step's posterior of component k for point n) and point
weights w_n, the M-step maximises Σ_n w_n Σ_k q_kn log(π_k N(x_n; μ_k, σ_k²)):
N_k = Σ_n w_n q_kn, μ_k = Σ_n w_n q_kn x_n / N_k, σ_k² = Σ_n w_n q_kn (x_n − μ_k)² / N_k and
π_k = N_k / Σ_n w_n. With whole weights this is the ordinary M-step on the data with point n
repeated w_n times. The branches are `soft` (every responsibility strictly between 0 and 1)
and `hard` (some points belong to one component outright, q = 0 or 1).
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
from variantex.generators.kit import EdgeCase, Mistakes, vector

SOFT, HARD = "soft", "hard"
SOFT_Q = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4))
HARD_Q = (Fraction(0), Fraction(1), Fraction(1, 2), Fraction(1, 4), Fraction(3, 4))


@dataclass(frozen=True)
class GmmParams:
    x: tuple[sp.Rational, ...] = vector()  # the points x_n
    weights: tuple[sp.Rational, ...] = vector()  # w_n, whole numbers ≥ 1
    q1: tuple[sp.Rational, ...] = vector()  # responsibilities of component 1; component 2 has 1 − q1

    def __post_init__(self) -> None:
        n = len(self.x)
        if not 2 <= n <= 8 or len(self.weights) != n or len(self.q1) != n:
            raise InvalidParams("give 2 to 8 points, with one weight and one responsibility each", "x")
        for i, w in enumerate(self.weights):
            if w <= 0 or not w.is_integer:
                raise InvalidParams("a weight is a whole number ≥ 1 (a point counted that many times)", f"weights[{i}]")
        for i, q in enumerate(self.q1):
            if not 0 <= q <= 1:
                raise InvalidParams("a responsibility lies in [0, 1]", f"q1[{i}]")
        for k, share in ((1, sum(self.q1)), (2, n - sum(self.q1))):
            if share == 0:
                raise InvalidParams(f"component {k} has no responsibility anywhere", "q1")

    @property
    def q2(self) -> tuple[sp.Rational, ...]:
        return tuple(1 - q for q in self.q1)


def m_step(x, weights, q) -> tuple:
    """(N_k, μ_k, σ_k²) for one component: exact numbers of any kind."""
    mass = sum(w * r for w, r in zip(weights, q))
    mean = sum(w * r * v for w, r, v in zip(weights, q, x)) / mass
    variance = sum(w * r * (v - mean) * (v - mean) for w, r, v in zip(weights, q, x)) / mass
    return mass, mean, variance


def printable(x: list[int], weights: list[int], q: list[Fraction]) -> bool:
    """Whether a component's mean has a denominator ≤ 6 and its variance one ≤ 36, from integer
    moment sums (responsibilities are quarters): mean S₁/S₀, variance (S₂S₀ − S₁²)/S₀²."""
    quarters = [int(r * 4) for r in q]
    s0 = sum(w * r for w, r in zip(weights, quarters))
    s1 = sum(w * r * v for w, r, v in zip(weights, quarters, x))
    s2 = sum(w * r * v * v for w, r, v in zip(weights, quarters, x))
    return Fraction(s1, s0).denominator <= 6 and Fraction(s2 * s0 - s1 * s1, s0 * s0).denominator <= 36


class WeightedGmmEm(Family):
    id = "weighted-gmm-em"
    title = "The M-step of EM for a 1-D Gaussian mixture with point weights"
    branches = (SOFT, HARD)
    params_type = GmmParams
    edge_cases = (
        EdgeCase(
            "unit weights, hard responsibilities: each component fits its own points",
            {"x": [0, 2, 10, 12], "weights": [1, 1, 1, 1], "q1": [1, 1, 0, 0]},
            {"mu1": 1, "var1": 1, "pi1": "1/2", "mu2": 11, "var2": 1, "pi2": "1/2"},
        ),
        EdgeCase(
            "a weight of 2 is the point twice",
            {"x": [0, 3], "weights": [2, 1], "q1": [1, "1/2"]},
            {"mu1": "3/5", "var1": "36/25", "pi1": "5/6", "mu2": 3, "var2": 0, "pi2": "1/6"},
        ),
        EdgeCase(
            "equal responsibilities: both components are the weighted mean and variance",
            {"x": [1, 5], "weights": [3, 1], "q1": ["1/2", "1/2"]},
            {"mu1": 2, "var1": 3, "pi1": "1/2", "mu2": 2, "var2": 3},
        ),
    )

    def branch_of(self, params: GmmParams) -> str:
        return HARD if any(q in (0, 1) for q in params.q1) else SOFT

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> GmmParams:
        for _ in range(100):  # judged in Fractions; most proposals give unwieldy fractions
            count = draws.small_int(rng, 3, 4)
            x = sorted(draws.subset(rng, list(range(-3, 9)), count))
            weights = [draws.pick(rng, [1, 1, 2, 3]) for _ in range(count)]
            q = [draws.pick(rng, HARD_Q if branch == HARD else SOFT_Q) for _ in range(count)]
            # The branch needs a 0 or 1 (hard), each component a share, and weights that differ.
            if (
                (branch == HARD) != any(r in (0, 1) for r in q)
                or sum(q) == 0
                or sum(q) == count
                or all(w == weights[0] for w in weights)
                # A component holding one point alone gets variance 0: a collapsed Gaussian
                # (its likelihood unbounded), not an M-step an exam should ask for.
                or sum(r > 0 for r in q) < 2
                or sum(r < 1 for r in q) < 2
            ):
                continue
            # Numbers an exam prints: means with denominators up to 6, variances up to 36.
            if all(printable(x, weights, r) for r in (q, [1 - v for v in q])):
                return GmmParams(
                    tuple(sp.Integer(v) for v in x),
                    tuple(sp.Integer(w) for w in weights),
                    tuple(sp.Rational(r.numerator, r.denominator) for r in q),
                )
        raise InvalidParams(f"no {branch} draw with printable fractions", "x")  # redrawn

    # --- answers ----------------------------------------------------------------
    def parts(self, params: GmmParams) -> tuple[Part, ...]:
        return tuple(
            Part(f"{name}{k}", Math(label % k))
            for k in (1, 2)
            for name, label in (("mu", r"\mu_%d"), ("var", r"\sigma_%d^2"), ("pi", r"\pi_%d"))
        )

    def mcq_parts(self, params: GmmParams) -> tuple[str, ...]:
        return ("var1",)

    def solve(self, params: GmmParams) -> Solution:
        total = sum(params.weights, sp.Integer(0))
        values: dict[str, Any] = {}
        steps = []
        for k, q in ((1, params.q1), (2, params.q2)):
            mass, mean, variance = m_step(params.x, params.weights, q)
            values.update({f"mu{k}": mean, f"var{k}": variance, f"pi{k}": mass / total})
            steps.append(
                Markup(
                    r"Component %d: $N_%d = \sum_n w_n q_{%dn} = %s = %s$; $\mu_%d = \frac{1}{N_%d}\sum_n w_n q_{%dn} x_n = %s$; "
                    r"$\sigma_%d^2 = \frac{1}{N_%d}\sum_n w_n q_{%dn}(x_n - \mu_%d)^2 = %s$; $\pi_%d = N_%d / \sum_n w_n = %s/%s = %s$."
                    % (
                        k,
                        k,
                        k,
                        " + ".join(r"%s \cdot %s" % (tex(w), tex(r)) for w, r in zip(params.weights, q)),
                        tex(mass),
                        k,
                        k,
                        k,
                        tex(mean),
                        k,
                        k,
                        k,
                        k,
                        tex(variance),
                        k,
                        k,
                        tex(mass),
                        tex(total),
                        tex(mass / total),
                    )
                )
            )
        steps.append(
            Markup(
                r"With whole weights this is the ordinary M-step with $x_n$ repeated $w_n$ times; the "
                r"weights scale each point's responsibilities, they are not a third responsibility."
            )
        )
        # Parts in their declared order.
        return Solution({part.name: values[part.name] for part in self.parts(params)}, tuple(steps))

    def verify(self, params: GmmParams) -> dict:
        """numpy floats: every point repeated w_n times (with its responsibilities), then the
        ordinary M-step: responsibility-weighted means and variances, and mixing weights as
        average responsibilities."""
        counts = [int(w) for w in params.weights]
        x = np.repeat([float(v) for v in params.x], counts)
        found = {}
        for k, q in ((1, params.q1), (2, params.q2)):
            r = np.repeat([float(v) for v in q], counts)
            mean = float(np.average(x, weights=r))
            found.update(
                {f"mu{k}": mean, f"var{k}": float(np.average((x - mean) ** 2, weights=r)), f"pi{k}": float(r.mean())}
            )
        return found

    def mistakes(self, params: GmmParams) -> Mistakes:
        x, w, q = params.x, params.weights, params.q1
        ones = [sp.Integer(1)] * len(x)
        mass, mean, variance = m_step(x, w, q)
        found = Mistakes()
        found.add("weights_ignored", "left out the point weights", var1=m_step(x, ones, q)[2])
        found.add(
            "responsibilities_ignored",
            "left out the responsibilities (a weighted variance of all points)",
            var1=m_step(x, w, ones)[2],
        )
        count = sp.Integer(len(x))
        spread = sum((wi * r * (v - mean) ** 2 for wi, r, v in zip(w, q, x)), sp.Integer(0))
        found.add("divided_by_count", "divided by the number of points instead of N_1", var1=spread / count)
        found.add("divided_by_total_weight", "divided by Σ w_n instead of N_1", var1=spread / sum(w, sp.Integer(0)))
        found.add(
            "second_moment",
            "gave the weighted mean of x² without subtracting μ₁²",
            var1=sum((wi * r * v**2 for wi, r, v in zip(w, q, x)), sp.Integer(0)) / mass,
        )
        found.add("weights_squared", "used w_n² for the weights", var1=m_step(x, [wi**2 for wi in w], q)[2])
        found.add("other_component", "used the other component's responsibilities", var1=m_step(x, w, params.q2)[2])
        found.add(
            "unweighted_mean_in_variance",
            "centred on the plain mean of the points instead of μ₁",
            var1=sum((wi * r * (v - sum(x, sp.Integer(0)) / count) ** 2 for wi, r, v in zip(w, q, x)), sp.Integer(0))
            / mass,
        )
        if mass > 1:
            found.add("bessel_correction", "divided by N_1 − 1", var1=spread / (mass - 1))
        found.add("standard_deviation", "gave σ₁ (not squared) where σ₁² was asked", slips=1, var1=sp.sqrt(variance))
        found.add("responsibility_squared", "squared the responsibilities", var1=m_step(x, w, [r**2 for r in q])[2])
        found.add("mean_not_weighted", "left the weights out of μ₁ only", mu1=m_step(x, ones, q)[1])
        found.add("pi_by_count", "divided N_1 by the number of points", pi1=mass / count)
        return found

    def plausible(self, params: GmmParams, values: tuple) -> bool:
        """Every M-step quantity here is a fraction: a square root would give itself away."""
        return all(isinstance(v, sp.Rational) for v in values)

    def rubric(self, params: GmmParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"$N_k$, with each responsibility scaled by its weight"), 1),
            (Markup(r"the means $\mu_k$"), 1),
            (Markup(r"the variances $\sigma_k^2$"), 2),
            (Markup(r"the mixing weights $\pi_k$"), 1),
            (Markup("the link to repeated points, explained"), 1),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: GmmParams) -> dict:
        return {
            "x": Math(row_tuple(params.x)),
            "w": Math(row_tuple(params.weights)),
            "q1": Math(row_tuple(params.q1)),
            "q2": Math(row_tuple(params.q2)),
            "count": len(params.x),
        }
