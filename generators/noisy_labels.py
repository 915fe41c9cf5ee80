"""`noisy-labels`: a classifier trained on labels flipped with probability ε.

The model gives h(x) = σ(z(x)) = p(y = 1 | x) for the clean label; each observed label y' is
the clean one flipped with probability ε < 1/2, so p(y' = 1 | x) = (1 − ε)h + ε(1 − h) =
ε + (1 − 2ε)h, squeezed into [ε, 1 − ε]. The `likelihood` branch asks that probability and
the negative log-likelihood −Σ log p(y'_i | x_i) of three labelled points (an exact log of a
rational); the `gradient` branch asks how the gradient with respect to the logit changes: for
y' = 1 it is −(1 − 2ε)h(1 − h)/p(y' = 1 | x) instead of the clean −(1 − h), smaller in size, so
noisy labels push a confident model less. Probabilities are fractions, so everything is exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import log_of_rational
from variantex.answer_engine.formatting import Markup, Math, log_tex, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, flag, number, vector
from variantex.generators.markup import MathSpan, Table, Text

LIKELIHOOD, GRADIENT = "likelihood", "gradient"
R = sp.Rational
NOISE = (R(1, 10), R(1, 5), R(1, 4), R(1, 3))
PROBABILITIES = (R(1, 5), R(1, 4), R(1, 3), R(1, 2), R(2, 3), R(3, 4), R(4, 5))


@dataclass(frozen=True)
class NoisyParams:
    eps: sp.Rational = number()  # the flip probability
    h: tuple[sp.Rational, ...] = vector()  # the model's p(y = 1 | x_i)
    labels: tuple[sp.Rational, ...] = vector()  # the observed (noisy) labels y'_i, 0 or 1
    gradient: bool = flag()  # the `gradient` branch: ask the gradient for the first point

    def __post_init__(self) -> None:
        if not 0 <= self.eps < R(1, 2):
            raise InvalidParams("the flip probability must be in [0, 1/2)", "eps")
        if not 1 <= len(self.h) <= 6 or len(self.labels) != len(self.h):
            raise InvalidParams("give 1 to 6 probabilities h and as many labels", "labels")
        if any(not 0 < p < 1 for p in self.h):
            raise InvalidParams("each h must lie strictly between 0 and 1", "h")
        if any(y not in (0, 1) for y in self.labels):
            raise InvalidParams("labels are 0 or 1", "labels")


def noisy(eps, h):
    """p(y' = 1 | x) when the clean label is 1 with probability h and flips with probability ε."""
    return (1 - eps) * h + eps * (1 - h)


def label_probability(eps, h, label):
    q = noisy(eps, h)
    return q if label == 1 else 1 - q


def noisy_gradient(eps, h, label):
    """∂/∂z of −log p(y' | x) with h = σ(z): ∓(1 − 2ε)h(1 − h)/p(y' | x)."""
    slope = (1 - 2 * eps) * h * (1 - h)
    return -slope / noisy(eps, h) if label == 1 else slope / (1 - noisy(eps, h))


def clean_gradient(h, label):
    return -(1 - h) if label == 1 else h


class NoisyLabels(Family):
    id = "noisy-labels"
    title = "Labels flipped with probability ε: the noisy-label likelihood and its gradient"
    formats = ("numeric", "open")
    branches = (LIKELIHOOD, GRADIENT)
    params_type = NoisyParams
    edge_cases = (
        EdgeCase(
            "no noise: p(y' = 1) = h and the NLL is the clean one",
            {"eps": 0, "h": ["1/2", "3/4"], "labels": [1, 0]},
            {"q1": "1/2", "nll": "3*log(2)"},
        ),
        EdgeCase(
            "ε = 1/4, h = 1/2: a coin stays a coin",
            {"eps": "1/4", "h": ["1/2"], "labels": [1]},
            {"q1": "1/2", "nll": "log(2)"},
        ),
        EdgeCase(
            "ε = 1/4, h = 3/4, y' = 1: p = 5/8; the gradient shrinks from −1/4 to −3/20",
            {"eps": "1/4", "h": ["3/4"], "labels": [1], "gradient": True},
            {"q1": "5/8", "grad": "-3/20", "clean_grad": "-1/4"},
        ),
    )

    def branch_of(self, params: NoisyParams) -> str:
        return GRADIENT if params.gradient else LIKELIHOOD

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> NoisyParams:
        count = 1 if branch == GRADIENT else 3
        h = tuple(draws.shuffled(rng, draws.subset(rng, PROBABILITIES, count)))
        labels = tuple(sp.Integer(int(rng.integers(2))) for _ in range(count))
        return NoisyParams(eps=draws.pick(rng, NOISE), h=h, labels=labels, gradient=branch == GRADIENT)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: NoisyParams) -> tuple[Part, ...]:
        first = Part("q1", Math(r"p(y' = 1 \mid x_1)"))
        if params.gradient:
            return (
                first,
                Part("grad", Math(r"\partial \ell / \partial z_1")),
                Part("clean_grad", Math(r"\partial \ell_{\mathrm{clean}} / \partial z_1")),
            )
        return (first, Part("nll", Math(r"\mathrm{NLL}")))

    def solve(self, params: NoisyParams) -> Solution:
        eps, h1, y1 = params.eps, params.h[0], params.labels[0]
        q1 = noisy(eps, h1)
        steps = [
            Markup(
                r"$y' = 1$ when the clean label is $1$ and is kept, or is $0$ and flips: $p(y' = 1 \mid x) = "
                r"(1 - \varepsilon) h + \varepsilon (1 - h) = \varepsilon + (1 - 2\varepsilon) h$; for $x_1$, "
                r"$%s + %s \cdot %s = %s$." % (tex(eps), tex(1 - 2 * eps), tex(h1), tex(q1))
            )
        ]
        if not params.gradient:
            probabilities = [label_probability(eps, h, y) for h, y in zip(params.h, params.labels)]
            nll = log_of_rational(1 / sp.Mul(*probabilities))
            steps.append(
                Markup(
                    r"Each observed label has probability $p(y'_i \mid x_i)$: $%s$."
                    % ", ".join(tex(p) for p in probabilities)
                )
            )
            steps.append(
                Markup(
                    r"$\mathrm{NLL} = -\sum_i \log p(y'_i \mid x_i) = \log %s = %s$."
                    % (tex(1 / sp.Mul(*probabilities)), log_tex(nll))
                )
            )
            return Solution({"q1": q1, "nll": nll}, tuple(steps))
        grad, clean = noisy_gradient(eps, h1, y1), clean_gradient(h1, y1)
        sign = "-" if y1 == 1 else ""
        steps.append(
            Markup(
                r"With $h = \sigma(z)$, $\partial h/\partial z = h(1 - h)$ and the loss is $\ell = -\log p(y' "
                r"\mid x)$, so $\partial \ell / \partial z = %s(1 - 2\varepsilon) h (1 - h) / %s = %s$."
                % (sign, "p(y' = 1 \\mid x)" if y1 == 1 else "p(y' = 0 \\mid x)", tex(grad))
            )
        )
        steps.append(
            Markup(
                r"Without noise $\partial \ell_{\mathrm{clean}}/\partial z = %s = %s$: the noisy gradient is "
                r"smaller in size (by the factor $%s$), so flipped labels pull the logit less."
                % ("-(1 - h)" if y1 == 1 else "h", tex(clean), tex(grad / clean))
            )
        )
        return Solution({"q1": q1, "grad": grad, "clean_grad": clean}, tuple(steps))

    def verify(self, params: NoisyParams) -> dict:
        """Floats: the joint table of (clean label, flip) summed for p(y'); the NLL with math.log;
        the gradient as a central difference in the logit z = log(h/(1 − h))."""
        eps = float(params.eps)

        def p_observed(h: float, label: int) -> float:
            joint = np.outer([1 - h, h], [1 - eps, eps])  # rows: clean 0/1; columns: kept/flipped
            return float(joint[label, 0] + joint[1 - label, 1])

        h1, y1 = float(params.h[0]), int(params.labels[0])
        found = {"q1": p_observed(h1, 1)}
        if not params.gradient:
            found["nll"] = -sum(math.log(p_observed(float(h), int(y))) for h, y in zip(params.h, params.labels))
            return found
        z, step = math.log(h1 / (1 - h1)), 1e-6

        def loss(u: float, noise: bool) -> float:
            h = 1 / (1 + math.exp(-u))
            return -math.log(p_observed(h, y1) if noise else (h if y1 == 1 else 1 - h))

        found["grad"] = (loss(z + step, True) - loss(z - step, True)) / (2 * step)
        found["clean_grad"] = (loss(z + step, False) - loss(z - step, False)) / (2 * step)
        return found

    verify_tolerance = 1e-7

    def mistakes(self, params: NoisyParams) -> Mistakes:
        eps, h1, y1 = params.eps, params.h[0], params.labels[0]
        found = Mistakes()
        for name, description, wrong in (
            ("noise_ignored", "ignored the flips: p(y' = 1) = h", h1),
            (
                "flipped_the_wrong_way",
                "kept the label with probability ε and flipped it with 1 − ε",
                noisy(1 - eps, h1),
            ),
            ("flip_only_lost", "counted only the kept clean ones: (1 − ε)h", (1 - eps) * h1),
            ("eps_added", "added ε to h", h1 + eps),
            ("flip_gains_only", "counted only the flipped ones: ε(1 − h)", eps * (1 - h1)),
        ):
            found.add(name, description, q1=wrong)
        if not params.gradient:

            def nll_with(probability) -> sp.Expr:
                return log_of_rational(1 / sp.Mul(*[probability(h, y) for h, y in zip(params.h, params.labels)]))

            nll = nll_with(lambda h, y: label_probability(eps, h, y))
            found.add(
                "clean_likelihood",
                "used the clean model h, not the noisy p(y' | x)",
                nll=nll_with(lambda h, y: h if y == 1 else 1 - h),
            )
            found.add("mean_not_sum", "averaged over the points instead of summing", nll=nll / len(params.h))
            found.add("sign_dropped", "dropped the minus sign of the negative log-likelihood", nll=-nll)
            found.add(
                "label_ignored",
                "used p(y' = 1 | x_i) for every point, whatever its label",
                nll=nll_with(lambda h, y: noisy(eps, h)),
            )
            if eps != 0:
                found.add(
                    "flips_reversed_in_nll",
                    "kept labels with probability ε in the likelihood",
                    nll=nll_with(lambda h, y: label_probability(1 - eps, h, y)),
                )
            return found
        grad, clean = noisy_gradient(eps, h1, y1), clean_gradient(h1, y1)
        slope = (1 - 2 * eps) * h1 * (1 - h1)
        found.add("clean_gradient", "gave the clean gradient, as if no label were flipped", grad=clean)
        found.add("shrink_factor_dropped", "left out the factor (1 − 2ε) of ∂p/∂h", grad=grad / (1 - 2 * eps))
        found.add("sigmoid_derivative_dropped", "forgot ∂h/∂z = h(1 − h)", grad=grad / (h1 * (1 - h1)))
        found.add("gradient_sign", "gave the gradient of log p instead of −log p", grad=-grad)
        found.add("derivative_of_p_not_log", "differentiated p(y' | x), not −log p", grad=-slope if y1 == 1 else slope)
        found.add("clean_sign", "took ∂(−log h)/∂z as 1 − h", clean_grad=-clean)
        found.add(
            "clean_h_for_one_minus_h",
            "swapped h and 1 − h in the clean gradient",
            clean_grad=-h1 if y1 == 1 else 1 - h1,
        )
        return found

    def rubric(self, params: NoisyParams) -> list[tuple[Markup, int]]:
        first = (Markup(r"$p(y' = 1 \mid x)$ from the two ways of observing $1$"), 2)
        if params.gradient:
            return [
                first,
                (Markup(r"the chain rule through $h = \sigma(z)$"), 2),
                (Markup("the clean gradient, and the comparison"), 2),
            ]
        return [
            first,
            (Markup(r"each label's probability under the noise model"), 2),
            (Markup(r"the NLL as $-\sum \log$"), 1),
            (Markup("what the noise does to a confident model"), 1),
        ]

    def value_tex(self, params: NoisyParams, value: sp.Expr) -> Math:
        return log_tex(value)

    # --- presentation -----------------------------------------------------------
    def context(self, params: NoisyParams) -> dict:
        return {
            "eps": params.eps,
            "gradient": params.gradient,
            "h1": params.h[0],
            "y1": int(params.labels[0]),
            "count": len(params.h),
            "table": Table(
                header=(
                    (Text("Point"),),
                    (MathSpan(r"h(x_i) = p(y = 1 \mid x_i)"),),
                    (Text("Observed label "), MathSpan("y'_i")),
                ),
                rows=tuple(
                    ((MathSpan(f"x_{i}"),), (MathSpan(tex(h)),), (MathSpan(tex(y)),))
                    for i, (h, y) in enumerate(zip(params.h, params.labels), start=1)
                ),
                align="lcc",
            ),
        }
