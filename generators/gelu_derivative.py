"""`gelu-derivative`: the sigmoid approximation of GELU, φ(z) = z·σ(cz), and its derivative.

By the product and chain rules φ'(z) = σ(cz) + cz·σ(cz)(1 − σ(cz)) = σ(cz)(1 + cz(1 − σ(cz))),
which tends to 0 as z → −∞ and to 1 as z → +∞. The question is calculator-free: z is drawn
as ln(k)/c for a rational k, so σ(cz) = k/(1 + k) exactly and every answer is a rational
plus a rational multiple of ln k. Unlike ReLU, φ is not monotone: φ'(z) < 0 where
1 + cz(1 − σ(cz)) < 0, a dip for moderately negative z (here k ≤ 1/4); the `dip` branch
draws such points, the `rising` branch points where φ' > 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.exact import numeric
from variantex.answer_engine.formatting import Markup, Math, log_tex, paren, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, number

RISING, DIP = "rising", "dip"
RISING_KS = tuple(
    sp.Rational(p, q)
    for p, q in (
        (1, 3),
        (1, 2),
        (2, 3),
        (3, 4),
        (4, 3),
        (3, 2),
        (5, 3),
        (2, 1),
        (5, 2),
        (3, 1),
        (4, 1),
        (5, 1),
        (6, 1),
        (7, 1),
        (8, 1),
        (9, 1),
        (10, 1),
    )
)
# ln k < −(1 + k): the points where φ' < 0.
DIP_KS = tuple(
    sp.Rational(p, q)
    for p, q in (
        (1, 4),
        (1, 5),
        (1, 6),
        (1, 7),
        (1, 8),
        (1, 9),
        (1, 10),
        (1, 11),
        (1, 12),
        (1, 13),
        (1, 14),
        (1, 15),
        (1, 16),
        (2, 9),
        (2, 11),
        (2, 13),
        (2, 15),
        (3, 13),
        (3, 14),
        (3, 16),
        (3, 20),
    )
)
SLOPES = tuple(sp.Rational(p, q) for p, q in ((1, 2), (1, 1), (3, 2), (2, 1), (5, 2), (3, 1), (4, 1), (5, 1)))


@dataclass(frozen=True)
class GeluParams:
    c: sp.Rational = number(positive=True)  # φ(z) = z·σ(cz)
    k: sp.Rational = number(positive=True)  # the point z = ln(k)/c, so that σ(cz) = k/(1 + k)

    @property
    def z(self) -> sp.Expr:
        return sp.log(self.k) / self.c

    @property
    def sigma(self) -> sp.Rational:
        return self.k / (1 + self.k)


def derivative(params: GeluParams) -> sp.Expr:
    s = params.sigma
    return s * (1 + sp.log(params.k) * (1 - s))


class GeluDerivative(Family):
    id = "gelu-derivative"
    title = "The derivative of GELU's sigmoid form φ(z) = z·σ(cz)"
    branches = (RISING, DIP)
    params_type = GeluParams
    edge_cases = (
        EdgeCase("z = 0: φ'(0) = σ(0) = 1/2", {"c": 1, "k": 1}, {"sigma": "1/2", "value": 0, "derivative": "1/2"}),
        EdgeCase(
            "c = 1, z = ln 3: σ = 3/4",
            {"c": 1, "k": 3},
            {"sigma": "3/4", "value": "3*log(3)/4", "derivative": "3/4 + 3*log(3)/16"},
        ),
        EdgeCase(
            "c = 2, z = −ln(4)/2: in the dip, φ' < 0",
            {"c": 2, "k": "1/4"},
            {"sigma": "1/5", "value": "-log(4)/10", "derivative": "1/5 - 4*log(4)/25"},
        ),
    )

    def branch_of(self, params: GeluParams) -> str:
        return DIP if derivative(params) < 0 else RISING

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> GeluParams:
        k = draws.pick(rng, DIP_KS if branch == DIP else RISING_KS)
        return GeluParams(draws.pick(rng, SLOPES), k)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: GeluParams) -> tuple[Part, ...]:
        return (
            Part("sigma", Math(r"\sigma(cz)")),
            Part("value", Math(r"\varphi(z)")),
            Part("derivative", Math(r"\varphi'(z)")),
        )

    def mcq_parts(self, params: GeluParams) -> tuple[str, ...]:
        return ("derivative",)

    def solve(self, params: GeluParams) -> Solution:
        k, s = params.k, params.sigma
        log_k = sp.log(k)
        value = params.z * s
        slope = derivative(params)
        steps = (
            Markup(
                r"With $z = %s$, $cz = \log(%s)$ and $e^{-cz} = %s$, so $\sigma(cz) = 1/(1 + %s) = %s$."
                % (log_tex(params.z), tex(k), tex(1 / k), tex(1 / k), tex(s))
            ),
            Markup(r"$\varphi(z) = z \sigma(cz) = %s \cdot %s = %s$." % (log_tex(params.z), tex(s), log_tex(value))),
            Markup(
                r"Product and chain rules, with $\sigma'(u) = \sigma(u)(1 - \sigma(u))$: "
                r"$\varphi'(z) = \sigma(cz) + z \cdot c\, \sigma(cz)(1 - \sigma(cz)) "
                r"= \sigma(cz)\,(1 + cz(1 - \sigma(cz)))$."
            ),
            Markup(
                r"Here $\varphi'(z) = %s \left(1 + %s \cdot %s\right) = %s$%s."
                % (
                    tex(s),
                    paren(log_tex(log_k)),
                    tex(1 - s),
                    log_tex(slope),
                    r", negative: $\varphi$ is decreasing here, in the dip before it rises" if slope < 0 else "",
                )
            ),
            Markup(
                r"As $z \to -\infty$, $\sigma(cz) \to 0$ faster than $cz$ grows, so $\varphi'(z) \to 0$; "
                r"as $z \to +\infty$, $\sigma(cz) \to 1$ and $cz(1 - \sigma(cz)) \to 0$, so $\varphi'(z) \to 1$ "
                r"(the slopes of $0$ and of the identity, which ReLU switches between)."
            ),
        )
        return Solution({"sigma": s, "value": value, "derivative": slope}, steps)

    def verify(self, params: GeluParams) -> dict:
        """Floats: φ evaluated with math.exp, and φ' as a central finite difference of it."""
        c, z = float(params.c), math.log(float(params.k)) / float(params.c)

        def phi(x: float) -> float:
            return x / (1 + math.exp(-c * x))

        h = 1e-5
        return {"sigma": 1 / (1 + math.exp(-c * z)), "value": phi(z), "derivative": (phi(z + h) - phi(z - h)) / (2 * h)}

    def mistakes(self, params: GeluParams) -> Mistakes:
        c, k, s = params.c, params.k, params.sigma
        log_k, z = sp.log(k), params.z
        found = Mistakes()
        found.add("forgot_product_rule", "differentiated only the factor z, keeping σ(cz)", derivative=s)
        found.add(
            "forgot_first_term",
            "kept only z·(σ(cz))', dropping σ(cz) from the product rule",
            derivative=log_k * s * (1 - s),
        )
        found.add("dropped_inner_c", "left out the inner derivative c of σ(cz)", derivative=s * (1 + z * (1 - s)))
        found.add(
            "sigmoid_derivative_as_sigma_squared",
            "took σ'(u) = σ(u)² instead of σ(u)(1 − σ(u))",
            derivative=s * (1 + log_k * s),
        )
        found.add("sign_slip", "wrote σ'(u) = −σ(u)(1 − σ(u))", derivative=s * (1 - log_k * (1 - s)))
        found.add(
            "derivative_of_sigmoid_only",
            "differentiated σ(cz) and forgot the factor z altogether",
            derivative=c * s * (1 - s),
        )
        found.add("value_for_derivative", "gave φ(z) itself", derivative=z * s)
        found.add(
            "sigma_of_z",
            "used σ(z) in place of σ(cz)",
            derivative=(1 / (1 + k ** (-1 / c))) * (1 + log_k * (1 - 1 / (1 + k ** (-1 / c)))),
            slips=1,
        )
        found.add(
            "first_term_as_one",
            "took the derivative of z·σ(cz) as 1 + z·(σ(cz))', dropping σ(cz) from the first term",
            derivative=1 + log_k * s * (1 - s),
        )
        found.add(
            "inner_c_twice", "multiplied by the inner derivative c twice", derivative=s * (1 + c * log_k * (1 - s))
        )
        found.add(
            "sigmoid_derivative_as_one", "took σ'(u) as 1 (the slope of the identity)", derivative=s * (1 + log_k)
        )
        found.add("one_minus_sigma_as_sigma", "used 1 − σ(cz) where σ(cz) goes", derivative=(1 - s) * (1 + log_k * s))
        return found

    def plausible(self, params: GeluParams, values: tuple) -> bool:
        """A student who sketches φ knows its slope is between the dip's bottom and a bit over 1."""
        return all(-0.2 <= float(numeric(v)) <= 1.2 for v in values if not isinstance(v, str))

    def rubric(self, params: GeluParams) -> list[tuple[Markup, int]]:
        return [
            # In the question's symbols only: z is given, so e^{−cz} is a number to work out.
            (Markup(r"$\sigma(cz)$, from $e^{-cz} = %s$" % tex(1 / params.k)), 1),
            (Markup(r"$\varphi(z) = z\sigma(cz)$"), 1),
            (Markup(r"the product and chain rules with $\sigma' = \sigma(1 - \sigma)$"), 2),
            (Markup(r"$\varphi'(z)$ at the point"), 1),
            (Markup("the limits 0 and 1, argued"), 1),
        ]

    def value_tex(self, params: GeluParams, value: sp.Expr) -> Math:
        return log_tex(value)

    # --- presentation -----------------------------------------------------------
    def context(self, params: GeluParams) -> dict:
        return {"c": params.c, "z": log_tex(params.z), "c_is_one": params.c == 1}
