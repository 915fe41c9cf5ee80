"""`gd-step`: one gradient-descent step on a 1-D strictly convex quadratic, and what the step
size does to the iterates.

f(w) = a·w² + b·w has curvature c = f'' = 2a > 0 and minimiser w* = −b/(2a). From w_t the
step w_{t+1} = w_t − γ f'(w_t) multiplies the distance to w* by (1 − γc): the iterates
approach w* from one side when γ < 1/c, land on it when γ = 1/c, jump across it but still
converge when 1/c < γ < 2/c, bounce between two points when γ = 2/c, and diverge beyond.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, paren, signed, tex
from variantex.answer_engine.search import crossing
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution, TextAnswer
from variantex.generators.kit import EdgeCase, Mistakes, number

MONOTONE, OVERSHOOT, DIVERGE, ONE_STEP, OSCILLATE = "monotone", "overshoot", "diverge", "one step", "oscillate"
BEHAVIOURS = (MONOTONE, OVERSHOOT, DIVERGE, ONE_STEP, OSCILLATE)

CURVATURES = tuple(sp.Rational(n, 2) for n in (1, 2, 3, 4, 5, 6))  # a: f = a w² + b w
STEPS = tuple(
    sp.Rational(p, q)
    for p, q in (
        (1, 10),
        (1, 8),
        (1, 6),
        (1, 5),
        (1, 4),
        (1, 3),
        (2, 5),
        (1, 2),
        (3, 5),
        (2, 3),
        (3, 4),
        (1, 1),
        (5, 4),
        (3, 2),
        (2, 1),
    )
)


@dataclass(frozen=True)
class GdStepParams:
    a: sp.Rational = number(positive=True)  # f(w) = a·w² + b·w
    b: sp.Rational = number()
    w: sp.Rational = number()  # the current iterate w_t
    gamma: sp.Rational = number(positive=True)  # the step size

    def __post_init__(self) -> None:
        if self.w == self.minimiser:
            raise InvalidParams("w_t is already the minimiser: the step would not move", "w")

    @property
    def curvature(self) -> sp.Rational:
        return 2 * self.a

    @property
    def minimiser(self) -> sp.Rational:
        return -self.b / (2 * self.a)


def gradient(params: GdStepParams, w: sp.Rational | None = None) -> sp.Rational:
    w = params.w if w is None else w
    return 2 * params.a * w + params.b


def behaviour(gamma: sp.Rational, curvature: sp.Rational) -> str:
    """How the iterates go, from the contraction factor 1 − γc."""
    product = gamma * curvature
    if product < 1:
        return MONOTONE
    if product == 1:
        return ONE_STEP
    if product < 2:
        return OVERSHOOT
    return OSCILLATE if product == 2 else DIVERGE


class GdStep(Family):
    id = "gd-step"
    title = "One gradient-descent step on a convex quadratic: overshoot and divergence"
    branches = (MONOTONE, OVERSHOOT, DIVERGE)
    params_type = GdStepParams
    text_answers = {
        MONOTONE: TextAnswer(
            "converges monotonically (approaches the minimum from one side)",
            ("converges monotonically", "monotone convergence", "converges", "monotonic"),
        ),
        OVERSHOOT: TextAnswer(
            "overshoots the minimum at every step but converges",
            ("overshoots", "overshoots but converges", "oscillates and converges", "converges with oscillation"),
        ),
        DIVERGE: TextAnswer("diverges", ("divergence", "blows up", "does not converge")),
        ONE_STEP: TextAnswer(
            "reaches the minimum in one step", ("one step", "lands on the minimum", "exact in one step")
        ),
        OSCILLATE: TextAnswer("bounces between two points forever", ("oscillates forever", "oscillates", "bounces")),
    }
    edge_cases = (
        EdgeCase(
            "γ = 1/c lands on the minimiser in one step",
            {"a": 1, "b": -4, "w": 0, "gamma": "1/2"},
            {"grad": -4, "w_next": 2, "behaviour": ONE_STEP},
        ),
        EdgeCase(
            "γ = 2/c bounces between w_t and its mirror image",
            {"a": 1, "b": -4, "w": 0, "gamma": 1},
            {"grad": -4, "w_next": 4, "behaviour": OSCILLATE},
        ),
        EdgeCase(
            "a small step approaches from one side",
            {"a": "1/2", "b": 1, "w": 3, "gamma": "1/4"},
            {"grad": 4, "w_next": 2, "behaviour": MONOTONE},
        ),
        EdgeCase(
            "just past 1/c the iterate crosses the minimiser",
            {"a": 2, "b": 0, "w": 1, "gamma": "1/3"},
            {"grad": 4, "w_next": "-1/3", "behaviour": OVERSHOOT},
        ),
        EdgeCase(
            "beyond 2/c the distance grows each step",
            {"a": "3/2", "b": 3, "w": 1, "gamma": 1},
            {"grad": 6, "w_next": -5, "behaviour": DIVERGE},
        ),
    )

    def branch_of(self, params: GdStepParams) -> str:
        found = behaviour(params.gamma, params.curvature)
        return {ONE_STEP: OVERSHOOT, OSCILLATE: DIVERGE}.get(found, found)

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> GdStepParams:
        a = draws.pick(rng, list(CURVATURES))
        fitting = [g for g in STEPS if behaviour(g, 2 * a) == branch]
        if not fitting:
            raise InvalidParams(f"no listed step size gives {branch} for a = {a}")
        gamma = draws.pick(rng, fitting)
        b = sp.Integer(draws.small_int(rng, -4, 4))
        w = sp.Integer(draws.small_int(rng, -3, 3))
        params = GdStepParams(a, b, w, gamma)  # InvalidParams (w = w*) asks for a redraw
        if abs(params.w - gamma * gradient(params)) > 40:
            raise InvalidParams("the next iterate would be too large to print nicely")
        return params

    # --- answers ----------------------------------------------------------------
    def parts(self, params: GdStepParams) -> tuple[Part, ...]:
        return (
            Part("grad", Math("f'(w_t)")),
            Part("w_next", Math("w_{t+1}")),
            Part("behaviour", Math(r"\text{behaviour}"), text_answers=BEHAVIOURS),
        )

    def mcq_parts(self, params: GdStepParams) -> tuple[str, ...]:
        return ("behaviour",)

    def numeric_parts(self, params: GdStepParams) -> tuple[str, ...]:
        return ("grad", "w_next")

    def solve(self, params: GdStepParams) -> Solution:
        a, b, w, gamma, c = params.a, params.b, params.w, params.gamma, params.curvature
        grad = gradient(params)
        w_next = w - gamma * grad
        found = behaviour(gamma, c)
        factor = 1 - gamma * c
        verdicts = {
            MONOTONE: r"$\gamma < 1/c$: the factor is in $(0, 1)$, so the iterates approach $w^*$ from one side",
            ONE_STEP: r"$\gamma = 1/c$: the factor is $0$, so $w_{t+1} = w^*$",
            OVERSHOOT: r"$1/c < \gamma < 2/c$: the factor is in $(-1, 0)$, so every step jumps across $w^*$ "
            r"but lands closer",
            OSCILLATE: r"$\gamma = 2/c$: the factor is $-1$, so the iterates bounce between two points",
            DIVERGE: r"$\gamma > 2/c$: the factor is below $-1$, so the distance to $w^*$ grows every step "
            r"and the iterates diverge",
        }
        steps = (
            Markup(r"$f'(w) = 2aw + b = %s w %s$, so $f'(w_t) = %s$." % (tex(2 * a), signed(b), tex(grad))),
            Markup(
                r"$w_{t+1} = w_t - \gamma f'(w_t) = %s - %s \cdot %s = %s$."
                % (tex(w), tex(gamma), paren(grad), tex(w_next))
            ),
            Markup(
                r"The curvature is $c = f'' = %s$, so $1/c = %s$ and $2/c = %s$; the minimiser is "
                r"$w^* = -b/(2a) = %s$." % (tex(c), tex(1 / c), tex(2 / c), tex(params.minimiser))
            ),
            Markup(
                r"Each step multiplies the distance to $w^*$ by $1 - \gamma c = %s$. With $\gamma = %s$, %s."
                % (tex(factor), tex(gamma), verdicts[found])
            ),
        )
        return Solution({"grad": grad, "w_next": w_next, "behaviour": found}, steps)

    def verify(self, params: GdStepParams) -> dict:
        """Floats only: a central difference for the gradient, and fifty steps of the
        iteration measured against the minimiser found by bisecting the numerical slope."""
        a, b, w, gamma = (float(params.a), float(params.b), float(params.w), float(params.gamma))

        def f(x: float) -> float:
            return a * x * x + b * x

        def slope(x: float) -> float:
            return (f(x + h) - f(x - h)) / (2 * h)  # exact for a quadratic up to rounding

        h = 1e-3
        grad = slope(w)
        # The slope of a convex f changes sign once, at the minimiser.
        minimiser = crossing(lambda x: slope(x) < 0, -1e4, 1e4)
        iterate, distances = w, [w - minimiser]
        for _ in range(50):
            iterate -= gamma * slope(iterate)
            distances.append(iterate - minimiser)
            if not math.isfinite(iterate) or abs(iterate) > 1e12:
                break
        return {"grad": grad, "w_next": w - gamma * grad, "behaviour": _classify(distances)}

    def mistakes(self, params: GdStepParams) -> Mistakes:
        a, b, w, gamma, c = params.a, params.b, params.w, params.gamma, params.curvature
        grad = gradient(params)
        found = Mistakes()
        half = a * w + b
        found.add(
            "derivative_without_factor_two",
            "differentiated a·w² as a·w (dropped the factor 2)",
            grad=half,
            w_next=w - gamma * half,
        )
        found.add("dropped_linear_term", "left b out of the gradient", grad=2 * a * w, w_next=w - gamma * 2 * a * w)
        found.add("gradient_sign_slip", "wrote the gradient with the wrong sign", grad=-grad, w_next=w + gamma * grad)
        found.add("moved_along_gradient", "added γ·f'(w_t) instead of subtracting it", w_next=w + gamma * grad)
        found.add("forgot_step_size", "subtracted the gradient without the step size", w_next=w - grad)
        found.add(
            "function_value_for_gradient",
            "used f(w_t) in place of f'(w_t)",
            grad=a * w**2 + b * w,
            w_next=w - gamma * (a * w**2 + b * w),
        )
        found.add("jumped_to_minimiser", "took the minimiser −b/(2a) as the next iterate", w_next=params.minimiser)
        # How the step size is judged: the misconceptions behind each wrong behaviour.
        correct = behaviour(gamma, c)
        wrong_curvature = behaviour(gamma, a)
        judged = [
            ("curvature_taken_as_a", "compared γ with 1/a instead of 1/f'' = 1/(2a)", wrong_curvature, False),
            (
                "convex_always_converges",
                "thought gradient descent on a convex function always converges",
                MONOTONE,
                False,
            ),
            (
                "any_overshoot_diverges",
                "took every step that crosses the minimiser for divergence",
                DIVERGE if correct == OVERSHOOT else None,
                False,
            ),
            (
                "overshoot_threshold_as_divergence",
                "took γ > 1/c (crossing the minimiser) for divergence and γ < 1/c for convergence",
                DIVERGE if correct in (OVERSHOOT, ONE_STEP) else MONOTONE,
                False,
            ),
        ]
        for name, description, value, guess in judged:
            if value is not None and value != correct:
                found.add(name, description, behaviour=value, guess=guess)
        for value in BEHAVIOURS:  # every behaviour is offered; those no slip explains are guesses
            if value != correct and all(m.values.get("behaviour") != value for m in found):
                found.add(
                    f"guessed_{value.replace(' ', '_')}",
                    f"guessed “{self.text_answers[value].shown}”",
                    behaviour=value,
                    guess=True,
                )
        return found

    def rubric(self, params: GdStepParams) -> list[tuple[Markup, int]]:
        return [
            (Markup("$f'(w_t)$ from $f'(w) = 2aw + b$"), 1),
            (Markup("$w_{t+1} = w_t - \\gamma f'(w_t)$"), 1),
            (Markup("the curvature $c = 2a$ and the thresholds $1/c$, $2/c$"), 1),
            (Markup("the behaviour, argued from the factor $1 - \\gamma c$"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: GdStepParams) -> dict:
        return {
            "f": Math(
                "%s w^2 %s" % (_coefficient(params.a), _signed_w(params.b))
                if params.b
                else "%s w^2" % _coefficient(params.a)
            ),
            "gamma": params.gamma,
            "w": params.w,
        }


def _coefficient(value: sp.Rational) -> str:
    return "" if value == 1 else tex(value)


def _signed_w(value: sp.Rational) -> str:
    magnitude = abs(value)
    return ("- " if value < 0 else "+ ") + ("" if magnitude == 1 else tex(magnitude)) + " w"


def _classify(distances: list[float]) -> str:
    """The behaviour seen in a run of distances to the minimiser."""
    first, second = abs(distances[0]), abs(distances[1])
    if second <= 1e-7 * first:
        return ONE_STEP
    crossed = distances[0] * distances[1] < 0
    if abs(second - first) <= 1e-7 * first and crossed:
        return OSCILLATE
    if abs(distances[-1]) > first:
        return DIVERGE
    return OVERSHOOT if crossed else MONOTONE
