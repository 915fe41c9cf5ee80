"""`he-init`: the weight standard deviation that keeps pre-activation variance through a layer.

A layer computes z_j = Σ_{i=1}^{M} w_ji·φ(x_i) from M inputs x_i, independent, zero-mean,
symmetric, of variance v, with weights drawn independently with mean 0 and variance σ_w².
Then Var(z_j) = M·σ_w²·E[φ(x)²]. E[φ(x)²] is v for the identity, v/2 for ReLU (it zeroes
the negative half) and (1 + α²)·v/2 for a leaky ReLU of slope α, so the variance is kept
with σ_w = √(1/M), √(2/M) (He) and √(2/((1 + α²)M)). The fan-out N of the layer plays no
part (Glorot's √(2/(M + N)) balances the backward pass of a linear or tanh layer instead).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution, TextAnswer
from variantex.generators.kit import EdgeCase, Mistakes, choice_of, integer, number

RELU, LINEAR, LEAKY = "relu", "linear", "leaky"
FAN_INS = (10, 16, 20, 25, 32, 40, 50, 64, 80, 100, 128, 200, 256, 400, 512)
SLOPES = tuple(sp.Rational(1, q) for q in (10, 5, 4, 3, 2))


@dataclass(frozen=True)
class HeInitParams:
    activation: str = choice_of((RELU, LINEAR, LEAKY))
    fan_in: int = integer(low=1, high=100_000)  # M
    fan_out: int = integer(low=1, high=100_000)  # N
    alpha: sp.Rational | None = number(default=None)  # the leaky ReLU's negative slope

    def __post_init__(self) -> None:
        if (self.activation == LEAKY) != (self.alpha is not None):
            raise InvalidParams("give alpha (the negative slope) for a leaky ReLU, and only then", "alpha")
        if self.alpha is not None and not 0 < self.alpha < 1:
            raise InvalidParams("the negative slope lies strictly between 0 and 1", "alpha")
        values = [formula_value(name, self) for name in candidates(self.activation)]
        if len(set(values)) != len(values):
            raise InvalidParams(
                "with this fan-out two of the formulas a student might use give the same "
                "number (N = M makes Glorot's equal He's): choose another",
                "fan_out",
            )


# The formulas students reach for, as functions of M, N and α (σ_w, except the two that
# are the variance mistaken for the standard deviation).
FORMULAS = {
    "sqrt(2/M)": (
        TextAnswer(r"$\sqrt{2/M}$", ("He", "sqrt(2/fan_in)", r"\sqrt{2/M}")),
        lambda M, N, a: sp.sqrt(sp.Rational(2, M)),
    ),
    "sqrt(1/M)": (
        TextAnswer(r"$\sqrt{1/M}$", ("1/sqrt(M)", "LeCun", r"\sqrt{1/M}")),
        lambda M, N, a: sp.sqrt(sp.Rational(1, M)),
    ),
    "sqrt(2/((1+alpha^2)M))": (
        TextAnswer(r"$\sqrt{2/((1 + \alpha^2) M)}$", ("sqrt(2/((1+a^2)M))", "sqrt(2/((1+α²)M))", "leaky He")),
        lambda M, N, a: sp.sqrt(2 / ((1 + a**2) * M)),
    ),
    "sqrt(2/((1+alpha)M))": (
        TextAnswer(r"$\sqrt{2/((1 + \alpha) M)}$", ("sqrt(2/((1+a)M))",)),
        lambda M, N, a: sp.sqrt(2 / ((1 + a) * M)),
    ),
    "sqrt(2/(M+N))": (
        TextAnswer(r"$\sqrt{2/(M + N)}$", ("Glorot", "Xavier", "sqrt(2/(fan_in+fan_out))")),
        lambda M, N, a: sp.sqrt(sp.Rational(2, M + N)),
    ),
    "sqrt(2/N)": (TextAnswer(r"$\sqrt{2/N}$", ("sqrt(2/fan_out)",)), lambda M, N, a: sp.sqrt(sp.Rational(2, N))),
    "sqrt(1/N)": (
        TextAnswer(r"$\sqrt{1/N}$", ("1/sqrt(N)", "sqrt(1/fan_out)")),
        lambda M, N, a: sp.sqrt(sp.Rational(1, N)),
    ),
    "sqrt(1/(2M))": (TextAnswer(r"$\sqrt{1/(2M)}$", ("1/sqrt(2M)",)), lambda M, N, a: sp.sqrt(sp.Rational(1, 2 * M))),
    "2/M": (TextAnswer(r"$2/M$", ()), lambda M, N, a: sp.Rational(2, M)),
    "1/M": (TextAnswer(r"$1/M$", ()), lambda M, N, a: sp.Rational(1, M)),
}
RIGHT = {RELU: "sqrt(2/M)", LINEAR: "sqrt(1/M)", LEAKY: "sqrt(2/((1+alpha^2)M))"}
# What E[φ(x)²] is, as a multiple of v.
SECOND_MOMENT = {RELU: lambda a: sp.Rational(1, 2), LINEAR: lambda a: sp.Integer(1), LEAKY: lambda a: (1 + a**2) / 2}
# Why a student writes each wrong formula, by activation.
MISREADINGS = {
    RELU: (
        ("sqrt(1/M)", "forgot that ReLU zeroes half of its inputs, halving E[φ(x)²]"),
        ("sqrt(2/(M+N))", "used Glorot's fan-in-and-fan-out rule, made for linear or tanh layers"),
        ("sqrt(2/N)", "divided by the fan-out N instead of the fan-in M"),
        ("2/M", "gave the variance 2/M as the standard deviation"),
        ("sqrt(1/(2M))", "compensated ReLU's halving the wrong way (divided by 2 again)"),
    ),
    LINEAR: (
        ("sqrt(2/M)", "used He's factor 2, which only makes up for ReLU zeroing half the inputs"),
        ("sqrt(2/(M+N))", "used Glorot's fan-in-and-fan-out rule, which balances the backward pass"),
        ("sqrt(1/N)", "divided by the fan-out N instead of the fan-in M"),
        ("1/M", "gave the variance 1/M as the standard deviation"),
        ("sqrt(1/(2M))", "halved the variance as if the identity zeroed half its inputs"),
    ),
    LEAKY: (
        ("sqrt(2/M)", "ignored the negative slope (used ReLU's E[φ(x)²] = v/2)"),
        ("sqrt(2/((1+alpha)M))", "used α instead of α² for the negative half's share of E[φ(x)²]"),
        ("sqrt(1/M)", "treated the leaky ReLU as the identity"),
        ("sqrt(2/(M+N))", "used Glorot's fan-in-and-fan-out rule"),
        ("sqrt(2/N)", "divided by the fan-out N instead of the fan-in M"),
    ),
}


def candidates(activation: str) -> tuple[str, ...]:
    """The formulas a question on this activation offers or diagnoses: the right one and
    the misreadings."""
    return (RIGHT[activation], *(name for name, _ in MISREADINGS[activation]))


def formula_value(name: str, params: HeInitParams) -> sp.Expr:
    alpha = params.alpha if params.alpha is not None else sp.Integer(0)
    return FORMULAS[name][1](params.fan_in, params.fan_out, alpha)


class HeInit(Family):
    id = "he-init"
    title = "Weight initialisation that keeps the pre-activation variance (He, LeCun, leaky ReLU)"
    branches = (RELU, LINEAR, LEAKY)
    params_type = HeInitParams
    text_answers = {name: answer for name, (answer, _) in FORMULAS.items()}
    edge_cases = (
        EdgeCase(
            "ReLU, M = 128: σ_w = 1/8",
            {"activation": RELU, "fan_in": 128, "fan_out": 64},
            {"variance": "1/64", "std": "1/8", "formula": "sqrt(2/M)"},
        ),
        EdgeCase(
            "the identity, M = 100: σ_w = 1/10",
            {"activation": LINEAR, "fan_in": 100, "fan_out": 10},
            {"variance": "1/100", "std": "1/10", "formula": "sqrt(1/M)"},
        ),
        EdgeCase(
            "leaky ReLU α = 1/2, M = 80: 2/((5/4)·80) = 1/50",
            {"activation": LEAKY, "fan_in": 80, "fan_out": 30, "alpha": "1/2"},
            {"variance": "1/50", "std": "sqrt(2)/10", "formula": "sqrt(2/((1+alpha^2)M))"},
        ),
        EdgeCase(
            "a single input: σ_w² = 2",
            {"activation": RELU, "fan_in": 1, "fan_out": 5},
            {"variance": 2, "std": "sqrt(2)", "formula": "sqrt(2/M)"},
        ),
    )

    def branch_of(self, params: HeInitParams) -> str:
        return params.activation

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> HeInitParams:
        fan_in = draws.pick(rng, FAN_INS)
        fan_out = draws.pick(rng, [n for n in FAN_INS if n != fan_in])
        alpha = draws.pick(rng, SLOPES) if branch == LEAKY else None
        return HeInitParams(branch, fan_in, fan_out, alpha)  # coinciding formulas: redrawn

    # --- answers ----------------------------------------------------------------
    def parts(self, params: HeInitParams) -> tuple[Part, ...]:
        return (
            Part("variance", Math(r"\sigma_w^2")),
            Part("std", Math(r"\sigma_w")),
            Part("formula", Math(r"\sigma_w \text{ as a formula}"), text_answers=tuple(FORMULAS)),
        )

    def mcq_parts(self, params: HeInitParams) -> tuple[str, ...]:
        return ("formula",)

    def numeric_parts(self, params: HeInitParams) -> tuple[str, ...]:
        return ("variance", "std")

    def solve(self, params: HeInitParams) -> Solution:
        M, activation = params.fan_in, params.activation
        moment = SECOND_MOMENT[activation](params.alpha)
        variance = 1 / (M * moment)
        std = sp.sqrt(variance)
        why = {
            RELU: r"ReLU keeps the positive half of a symmetric input and zeroes the rest, so "
            r"$E[\varphi(x)^2] = \tfrac{1}{2} E[x^2] = v/2$",
            LINEAR: r"the identity keeps every input, so $E[\varphi(x)^2] = E[x^2] = v$",
            LEAKY: r"the leaky ReLU keeps the positive half and scales the negative half by $\alpha$, so "
            r"$E[\varphi(x)^2] = \tfrac{1}{2} v + \tfrac{1}{2} \alpha^2 v = \tfrac{1 + \alpha^2}{2} v "
            r"= %s v$" % tex(moment),
        }[activation]
        steps = (
            Markup(
                r"The terms $w_{ji} \varphi(x_i)$ are independent with mean $0$, so "
                r"$\operatorname{Var}(z_j) = M \sigma_w^2 E[\varphi(x)^2]$."
            ),
            Markup(f"Here {why}."),
            Markup(
                r"Keeping $\operatorname{Var}(z_j) = v$ needs $M \sigma_w^2 \cdot %s = 1$: "
                r"$\sigma_w^2 = %s$ and $\sigma_w = %s$, that is %s. The fan-out $N = %d$ plays no part."
                % (tex(moment), tex(variance), tex(std), FORMULAS[RIGHT[activation]][0].shown, params.fan_out)
            ),
        )
        return Solution({"variance": variance, "std": std, "formula": RIGHT[activation]}, steps)

    def verify(self, params: HeInitParams) -> dict:
        """Floats: E[φ(x)²] for x ~ N(0, 1) integrated numerically (trapezoid rule on each half
        line, the activation applied pointwise), then σ_w² from Var(z) = M σ_w² E[φ(x)²] = 1;
        the formula is the one whose value at (M, N, α) is that σ_w."""
        alpha = float(params.alpha) if params.alpha is not None else 0.0
        activation = {
            RELU: lambda x: np.maximum(x, 0.0),
            LINEAR: lambda x: x,
            LEAKY: lambda x: np.where(x > 0, x, alpha * x),
        }[params.activation]
        half = np.linspace(0.0, 12.0, 4001)
        density = np.exp(-(half**2) / 2) / math.sqrt(2 * math.pi)
        moment = sum(float(np.trapezoid(activation(side) ** 2 * density, half)) for side in (half, -half))
        variance = 1 / (params.fan_in * moment)
        std = math.sqrt(variance)
        matching = [
            name
            for name in candidates(params.activation)
            if math.isclose(float(formula_value(name, params)), std, rel_tol=1e-9)
        ]
        return {"variance": variance, "std": std, "formula": matching[0] if len(matching) == 1 else "ambiguous"}

    def mistakes(self, params: HeInitParams) -> Mistakes:
        found = Mistakes()
        for name, description in MISREADINGS[params.activation]:
            value = formula_value(name, params)
            # Giving the variance as σ_w leaves σ_w² itself right.
            squared = {} if name in ("2/M", "1/M") else {"variance": value**2}
            found.add(f"formula_{name}", description, formula=name, std=value, **squared)
        return found

    def rubric(self, params: HeInitParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"$\operatorname{Var}(z_j) = M \sigma_w^2 E[\varphi(x)^2]$ from independence"), 1),
            (Markup(r"$E[\varphi(x)^2]$ for this activation"), 2),
            (Markup(r"$\sigma_w^2$ and $\sigma_w$, with the fan-in (not the fan-out)"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: HeInitParams) -> dict:
        return {"activation": params.activation, "M": params.fan_in, "N": params.fan_out, "alpha": params.alpha}
