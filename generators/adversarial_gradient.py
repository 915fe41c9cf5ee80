"""`adversarial-gradient`: the gradient of an adversarial objective and a normalised step.

An attacker looks for an input x near a correctly classified x* that the logistic classifier
σ(wᵀx + w0) no longer puts in class 1, by minimising f(x) = α‖x − x*‖² + max(0, σ(wᵀx + w0) − ½).
Where the classifier still says class 1 (z = wᵀx + w0 > 0) the gradient is
2α(x − x*) + σ(z)(1 − σ(z))·w, elsewhere 2α(x − x*) alone; the step is x − ε·g/‖g‖ (an FGSM-style
step normalised in ℓ2). Small α lets the attack wander far to flip the label, large α keeps it
near x* (and may never flip it). The bias is w0 = log k and x is drawn with wᵀx = 0, so σ(z) =
k/(1 + k) exactly. Branches: `start` (x = x*: only the classifier term), `inactive` (already
flipped: only the distance term) and `pulled` (both terms; the step's length is a square root).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import exact_equal, numeric
from variantex.answer_engine.formatting import Markup, Math, equals, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, number, vector

START, INACTIVE, PULLED = "start", "inactive", "pulled"
R = sp.Rational
PYTHAGOREAN = ((3, 4), (4, 3), (6, 8), (8, 6), (5, 12), (12, 5))


@dataclass(frozen=True)
class AdversarialParams:
    alpha: sp.Rational = number(positive=True)
    w: tuple[sp.Rational, ...] = vector()
    k: sp.Rational = number(positive=True)  # the bias is w0 = log k
    x_star: tuple[sp.Rational, ...] = vector()
    x: tuple[sp.Rational, ...] = vector()
    eps: sp.Rational = number(positive=True)

    def __post_init__(self) -> None:
        if not len(self.w) == len(self.x_star) == len(self.x) or not 1 <= len(self.w) <= 4:
            raise InvalidParams("w, x_star and x need the same length (1 to 4)", "x")
        if self.k == 1 and self.linear == 0:
            raise InvalidParams("z = 0 is the hinge's kink: the gradient is not defined there", "k")
        if self.x == self.x_star and not self.active:
            raise InvalidParams("at x = x* with the hinge inactive the gradient is 0: no direction to step", "x")

    @property
    def linear(self) -> sp.Rational:
        return sum((a * b for a, b in zip(self.w, self.x)), sp.Integer(0))

    @property
    def z(self) -> sp.Expr:
        return self.linear + sp.log(self.k)

    @property
    def active(self) -> bool:
        return bool(self.z > 0)

    @property
    def sigma(self) -> sp.Expr:
        """σ(wᵀx + log k) = k e^{wᵀx}/(1 + k e^{wᵀx}), a fraction when wᵀx = 0."""
        odds = self.k * sp.exp(self.linear)
        return odds / (1 + odds)


def gradient(
    params: AdversarialParams, alpha_factor=2, hinge: bool | None = None, slope=None, pull_sign: int = 1
) -> tuple[sp.Expr, ...]:
    """∇f = 2α(x − x*) + [z > 0]·σ(z)(1 − σ(z))·w (with the pieces a mistake changes)."""
    hinge = params.active if hinge is None else hinge
    s = params.sigma
    slope = s * (1 - s) if slope is None else slope
    return tuple(
        pull_sign * alpha_factor * params.alpha * (xi - si) + (slope * wi if hinge else 0)
        for xi, si, wi in zip(params.x, params.x_star, params.w)
    )


def stepped(params: AdversarialParams, g, direction: int = -1, normalise: bool = True) -> tuple[sp.Expr, ...]:
    norm = sp.sqrt(sum(v * v for v in g)) if normalise else 1
    return tuple(xi + direction * params.eps * gi / norm for xi, gi in zip(params.x, g))


def _bias_tex(params: AdversarialParams) -> Math:
    """w0 = log k, with parentheses around a fraction."""
    return Math(r"\log %s" % (tex(params.k) if params.k.is_integer else r"(%s)" % tex(params.k)))


class AdversarialGradient(Family):
    id = "adversarial-gradient"
    title = "The gradient of α‖x − x*‖² + max(0, σ(wᵀx + w0) − ½), and one normalised attack step"
    formats = ("numeric", "open")
    branches = (START, INACTIVE, PULLED)
    params_type = AdversarialParams
    edge_cases = (
        EdgeCase(
            "x = x*, w = (3, 4), k = 3: σ = 3/4, g = (3/16)(3, 4), the step is −ε w/‖w‖",
            {"alpha": 1, "w": [3, 4], "k": 3, "x_star": [0, 0], "x": [0, 0], "eps": "1/2"},
            {"g1": "9/16", "g2": "3/4", "x1_new": "-3/10", "x2_new": "-2/5"},
        ),
        EdgeCase(
            "already flipped (k = 1/2): only the pull back to x*",
            {"alpha": "1/2", "w": [1, 1], "k": "1/2", "x_star": [0, 0], "x": [3, -3], "eps": 1},
            {"g1": 3, "g2": -3, "x1_new": "3 - sqrt(2)/2", "x2_new": "-3 + sqrt(2)/2"},
        ),
    )

    def branch_of(self, params: AdversarialParams) -> str:
        if params.x == params.x_star:
            return START
        return PULLED if params.active else INACTIVE

    def digits(self, params: AdversarialParams) -> int | None:
        """The pulled branch's step has a square-root length: its coordinates print as decimals."""
        return 4 if self.branch_of(params) == PULLED else None

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> AdversarialParams:
        a, b = draws.pick(rng, PYTHAGOREAN)
        w = (sp.Integer(a * draws.pick(rng, (1, -1))), sp.Integer(b * draws.pick(rng, (1, -1))))
        x_star = tuple(sp.Integer(draws.small_int(rng, -2, 2)) for _ in range(2))
        alpha = draws.pick(rng, (R(1, 4), R(1, 2), R(1), R(2)))
        eps = draws.pick(rng, (R(1, 10), R(1, 2), R(1), R(1, 5)))
        gcd = math.gcd(int(w[0]), int(w[1]))
        across = (sp.Integer(-w[1] // gcd), sp.Integer(w[0] // gcd))  # wᵀ·across = 0: σ stays a fraction
        if branch == START:
            t = draws.small_int(rng, -1, 1)
            x_star = (t * across[0], t * across[1])
            return AdversarialParams(alpha, w, draws.pick(rng, (R(3), R(2), R(4), R(3, 2))), x_star, x_star, eps)
        t = draws.pick(rng, (1, -1, 2))
        x = (t * across[0], t * across[1])
        if branch == INACTIVE:
            # x* = x − d with a Pythagorean d and wᵀd ≤ −2: x* was class 1, the attack has flipped x,
            # and the pull 2α·d has a whole length
            p, q = draws.pick(rng, PYTHAGOREAN)
            d = (sp.Integer(p * draws.pick(rng, (1, -1))), sp.Integer(q * draws.pick(rng, (1, -1))))
            if w[0] * d[0] + w[1] * d[1] > 0:
                d = (-d[0], -d[1])
            if w[0] * d[0] + w[1] * d[1] > -2:
                raise InvalidParams("the clean input must be firmly in class 1", "x_star")
            return AdversarialParams(
                alpha, w, draws.pick(rng, (R(1, 2), R(1, 3), R(1, 4))), (x[0] - d[0], x[1] - d[1]), x, eps
            )
        # pulled: x* any nearby clean input (drawn above); the step's length is then a square root
        if x == x_star:
            raise InvalidParams("x must differ from x*", "x")
        return AdversarialParams(alpha, w, draws.pick(rng, (R(3), R(2), R(4))), x_star, x, eps)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: AdversarialParams) -> tuple[Part, ...]:
        n = len(params.x)
        return tuple(Part(f"g{i}", Math(r"(\nabla f)_{%d}" % i)) for i in range(1, n + 1)) + tuple(
            Part(f"x{i}_new", Math(r"x'_{%d}" % i)) for i in range(1, n + 1)
        )

    def solve(self, params: AdversarialParams) -> Solution:
        g = gradient(params)
        new = stepped(params, g)
        s = params.sigma
        vec = lambda values: "(%s)" % ", ".join(tex(v) for v in values)  # noqa: E731
        approx = lambda values: "(%s)" % ", ".join(f"{float(numeric(v)):.4g}" for v in values)  # noqa: E731
        norm = sp.sqrt(sum(v * v for v in g))
        steps = [
            Markup(
                r"$z = w^\top x + w_0 = %s + %s$%s, so $\sigma(z) = %s$ and the hinge is %s."
                % (
                    tex(params.linear),
                    _bias_tex(params),
                    r" $> 0$" if params.active else r" $< 0$",
                    tex(s),
                    r"active: $\max(0, \sigma(z) - \tfrac12) = \sigma(z) - \tfrac12$"
                    if params.active
                    else r"inactive (the classifier already says class 0): it contributes nothing",
                )
            ),
            Markup(
                r"$\nabla f = 2\alpha(x - x^*)%s = %s$."
                % (r" + \sigma(z)(1 - \sigma(z))\, w" if params.active else "", vec(g))
            ),
            Markup(
                r"$\|\nabla f\| %s$, and the step is $x' = x - \varepsilon \nabla f / \|\nabla f\| %s$."
                % (
                    equals(norm, self.digits(params)),
                    r"\approx " + approx(new) if self.digits(params) else "= " + vec(new),
                )
            ),
        ]
        values = {f"g{i}": v for i, v in enumerate(g, start=1)}
        values.update({f"x{i}_new": v for i, v in enumerate(new, start=1)})
        return Solution(values, tuple(steps))

    def verify(self, params: AdversarialParams) -> dict:
        """Floats: f evaluated with math.exp, its gradient by central differences, the step
        normalised with numpy."""
        alpha = float(params.alpha)
        w, x_star, x = (np.array([float(v) for v in vec]) for vec in (params.w, params.x_star, params.x))
        w0 = math.log(float(params.k))

        def f(u: np.ndarray) -> float:
            return alpha * float((u - x_star) @ (u - x_star)) + max(0.0, 1 / (1 + math.exp(-(float(w @ u) + w0))) - 0.5)

        h = 1e-6
        g = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])
        new = x - float(params.eps) * g / np.linalg.norm(g)
        found = {f"g{i}": float(v) for i, v in enumerate(g, start=1)}
        found.update({f"x{i}_new": float(v) for i, v in enumerate(new, start=1)})
        return found

    verify_tolerance = 1e-6

    def mistakes(self, params: AdversarialParams) -> Mistakes:
        found = Mistakes()
        s = params.sigma

        def add(name: str, description: str, g, **step) -> None:
            # A zero gradient gives no direction: the mistake then shows in the gradient alone.
            moved = stepped(params, g, **step) if any(v != 0 for v in g) else ()
            found.add(
                name,
                description,
                {
                    **{f"g{i}": v for i, v in enumerate(g, start=1)},
                    **{f"x{i}_new": v for i, v in enumerate(moved, start=1)},
                },
            )

        add("alpha_not_doubled", "took the gradient of α‖x − x*‖² as α(x − x*)", gradient(params, alpha_factor=1))
        add("distance_sign", "took the gradient of the distance as 2α(x* − x)", gradient(params, pull_sign=-1))
        if params.active:
            add("hinge_ignored", "dropped the classifier term although σ(z) > 1/2", gradient(params, hinge=False))
            add("sigma_for_its_derivative", "used σ(z) w instead of σ(z)(1 − σ(z)) w", gradient(params, slope=s))
            add(
                "half_subtracted_in_derivative",
                "differentiated σ(z) − 1/2 as (σ(z) − 1/2) w",
                gradient(params, slope=s - R(1, 2)),
            )
        else:
            add("hinge_when_inactive", "kept the classifier term where the hinge is 0", gradient(params, hinge=True))
        g = gradient(params)
        found.add(
            "ascent",
            "stepped along the gradient (uphill) instead of against it",
            {f"x{i}_new": v for i, v in enumerate(stepped(params, g, direction=1), start=1)},
        )
        found.add(
            "not_normalised",
            "stepped by ε∇f without dividing by ‖∇f‖",
            {f"x{i}_new": v for i, v in enumerate(stepped(params, g, normalise=False), start=1)},
        )
        correct = self.solve(params).values
        return Mistakes(m for m in found if not all(exact_equal(m.values[k], correct[k]) for k in m.values))

    def rubric(self, params: AdversarialParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"whether the hinge is active at $x$"), 1),
            (Markup(r"the gradient, term by term"), 2),
            (Markup(r"the normalised step"), 1),
            (Markup(r"the roles of small and large $\alpha$"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: AdversarialParams) -> dict:
        vec = lambda values: Math("(%s)" % ", ".join(tex(v) for v in values))  # noqa: E731
        return {
            "alpha": params.alpha,
            "w": vec(params.w),
            "w0": _bias_tex(params),
            "x_star": vec(params.x_star),
            "x": vec(params.x),
            "eps": params.eps,
            "start": params.x == params.x_star,
        }
