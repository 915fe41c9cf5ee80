"""`batchnorm-affine`: a network whose only nonlinearity is a per-unit affine map is affine.

With φ(z)_i = (z_i − γ_i)/β_i (batch normalisation at test time: fixed shift γ_i and scale
β_i), f(x) = vᵀφ(Wx) = Σ_i v_i (w_iᵀx − γ_i)/β_i = aᵀx + b with a = Wᵀ(v ⊘ β) and
b = −Σ_i v_i γ_i/β_i. So the squared loss (f(x) − y)² is a convex quadratic in W (f is
linear in W for fixed v, γ, β), but not jointly in (W, v): f is bilinear in W and v, and
along the line (tW, tv) the loss is a quartic in t. The branches are `two-units` and `three-units`
(hidden width), the same solution on a larger sum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, column, matrix, paren, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution, TextAnswer
from variantex.generators.kit import EdgeCase, Mistakes, vector
from variantex.generators.kit import matrix as matrix_field

TWO_UNITS, THREE_UNITS = "two-units", "three-units"
CONVEX, NOT_CONVEX = "convex", "not convex"


@dataclass(frozen=True)
class BatchnormParams:
    weights: tuple[tuple[sp.Rational, ...], ...] = matrix_field()  # W, one row w_i per hidden unit
    v: tuple[sp.Rational, ...] = vector()
    gamma: tuple[sp.Rational, ...] = vector()
    beta: tuple[sp.Rational, ...] = vector()
    x: tuple[sp.Rational, ...] = vector()  # the input at which f is evaluated

    def __post_init__(self) -> None:
        units = len(self.weights)
        if not 1 <= units <= 4 or not 1 <= len(self.x) <= 4:
            raise InvalidParams("W has 1 to 4 rows (hidden units) and x 1 to 4 entries", "weights")
        if any(len(row) != len(self.x) for row in self.weights):
            raise InvalidParams("every row of W has as many entries as x", "weights")
        for name in ("v", "gamma", "beta"):
            if len(getattr(self, name)) != units:
                raise InvalidParams(f"give one entry per hidden unit ({units})", name)
        for i, scale in enumerate(self.beta):
            if scale == 0:
                raise InvalidParams("a scale β_i of zero divides by zero", f"beta[{i}]")


def pre_activation(params: BatchnormParams, x: tuple[sp.Rational, ...] | None = None) -> list[sp.Rational]:
    x = params.x if x is None else x
    return [sum((w * xi for w, xi in zip(row, x)), sp.Integer(0)) for row in params.weights]


def network(
    params: BatchnormParams, shift_sign: int = -1, scale_power: int = -1, scale_shift: bool = True, use_v: bool = True
) -> sp.Rational:
    """f(x) with the pieces a student may get wrong switched by the arguments."""
    total = sp.Integer(0)
    for z, v, gamma, beta in zip(pre_activation(params), params.v, params.gamma, params.beta):
        scaled_shift = gamma * beta**scale_power if scale_shift else gamma
        total += (v if use_v else 1) * (z * beta**scale_power + shift_sign * scaled_shift)
    return total


def coefficients(params: BatchnormParams) -> tuple[list[sp.Rational], sp.Rational]:
    ratios = [v / beta for v, beta in zip(params.v, params.beta)]
    a = [sum((r * row[j] for r, row in zip(ratios, params.weights)), sp.Integer(0)) for j in range(len(params.x))]
    b = -sum((r * gamma for r, gamma in zip(ratios, params.gamma)), sp.Integer(0))
    return a, b


class BatchnormAffine(Family):
    id = "batchnorm-affine"
    title = "A network with a per-unit affine normalisation is itself affine: a, b and convexity"
    formats = ("mcq", "numeric", "open", "tf")
    branches = (TWO_UNITS, THREE_UNITS)
    params_type = BatchnormParams
    text_answers = {
        CONVEX: TextAnswer("convex", ("yes", "it is convex", "convex in W")),
        NOT_CONVEX: TextAnswer("not convex", ("no", "non-convex", "nonconvex", "it is not convex")),
    }
    edge_cases = (
        EdgeCase(
            "the identity normalisation: f(x) = vᵀWx",
            {"weights": [[1, 2], [3, 4]], "v": [1, -1], "gamma": [0, 0], "beta": [1, 1], "x": [1, 1]},
            {"a1": -2, "a2": -2, "b": 0, "value": -4, "convex_w": CONVEX, "convex_joint": NOT_CONVEX},
        ),
        EdgeCase(
            "shifts and halving scales",
            {"weights": [[1, 0], [0, 1]], "v": [1, 1], "gamma": [1, -1], "beta": [2, "1/2"], "x": [2, 3]},
            {"a1": "1/2", "a2": 2, "b": "3/2", "value": "17/2"},
        ),
        EdgeCase(
            "one hidden unit, one input",
            {"weights": [[3]], "v": [2], "gamma": [1], "beta": [-1], "x": [5]},
            {"a1": -6, "b": 2, "value": -28},
        ),
    )

    def branch_of(self, params: BatchnormParams) -> str:
        return TWO_UNITS if len(params.weights) <= 2 else THREE_UNITS

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> BatchnormParams:
        units = 2 if branch == TWO_UNITS else 3
        weights = tuple(tuple(sp.Integer(draws.small_int(rng, -2, 3)) for _ in range(2)) for _ in range(units))
        v = tuple(sp.Integer(draws.small_int(rng, -2, 3, nonzero=True)) for _ in range(units))
        gamma = tuple(sp.Integer(draws.small_int(rng, -2, 2, nonzero=True)) for _ in range(units))
        beta = tuple(
            draws.pick(rng, [sp.Rational(1, 2), sp.Integer(2), sp.Integer(-1), sp.Integer(1), sp.Integer(4)])
            for _ in range(units)
        )
        x = tuple(sp.Integer(draws.small_int(rng, -2, 3, nonzero=True)) for _ in range(2))
        return BatchnormParams(weights, v, gamma, beta, x)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: BatchnormParams) -> tuple[Part, ...]:
        coefficient_parts = tuple(Part(f"a{j + 1}", Math(f"a_{j + 1}")) for j in range(len(params.x)))
        return coefficient_parts + (
            Part("b", Math("b")),
            Part("value", Math(r"f(x_0)")),
            Part(
                "convex_w",
                Math(r"\text{the loss in } W"),
                text_answers=(CONVEX, NOT_CONVEX),
                sentence="The loss is {} in $W$.",
            ),
            Part(
                "convex_joint",
                Math(r"\text{the loss in } (W, v)"),
                text_answers=(CONVEX, NOT_CONVEX),
                sentence="The loss is {} in $(W, v)$ jointly.",
            ),
        )

    def mcq_parts(self, params: BatchnormParams) -> tuple[str, ...]:
        return ("value",)

    def numeric_parts(self, params: BatchnormParams) -> tuple[str, ...]:
        return tuple(f"a{j + 1}" for j in range(len(params.x))) + ("b", "value")

    def solve(self, params: BatchnormParams) -> Solution:
        a, b = coefficients(params)
        value = sum((aj * xj for aj, xj in zip(a, params.x)), sp.Integer(0)) + b
        ratios = [v / beta for v, beta in zip(params.v, params.beta)]
        values = {f"a{j + 1}": aj for j, aj in enumerate(a)}
        values.update(b=b, value=value, convex_w=CONVEX, convex_joint=NOT_CONVEX)
        steps = (
            Markup(
                r"$f(x) = \sum_i v_i (w_i^\top x - \gamma_i)/\beta_i = (\sum_i \tfrac{v_i}{\beta_i} w_i)^\top x"
                r" - \sum_i \tfrac{v_i \gamma_i}{\beta_i}$: affine, with $a = W^\top (v \oslash \beta)$ and "
                r"$b = -\sum_i v_i \gamma_i / \beta_i$."
            ),
            Markup(
                r"Here $v \oslash \beta = %s$, so $a = W^\top %s = %s$ and $b = -(%s) = %s$."
                % (
                    column(ratios),
                    column(ratios),
                    column(a),
                    " + ".join(r"%s \cdot %s" % (paren(r), paren(g)) for r, g in zip(ratios, params.gamma)),
                    tex(b),
                )
            ),
            Markup(
                r"At $x_0 = %s$: $f(x_0) = a^\top x_0 + b = %s %s = %s$."
                % (
                    column(params.x),
                    " + ".join(r"%s \cdot %s" % (paren(aj), paren(xj)) for aj, xj in zip(a, params.x)),
                    ("+ " + tex(b)) if b >= 0 else ("- " + tex(-b)),
                    tex(value),
                )
            ),
            Markup(
                r"For fixed $v$, $\gamma$, $\beta$, $f(x)$ is linear in $W$, so $(f(x) - y)^2$ is a convex quadratic "
                r"in $W$. Jointly in $(W, v)$ it is not convex: $f$ is bilinear in $W$ and $v$ (it multiplies $v_i$ "
                r"by $w_{ij}$), so along the line $(tW, tv)$ the prediction is a quadratic in $t$ and the loss a "
                r"quartic; with $\gamma = 0$ it is $(c t^2 - y)^2$, which for $c y > 0$ has a local maximum at $t = 0$."
            ),
        )
        return Solution(values, steps)

    def verify(self, params: BatchnormParams) -> dict:
        """numpy floats: the forward pass at x0, at 0 (b) and at each unit vector (a_j = f(e_j) − f(0):
        exact for an affine map); convexity by the midpoint inequality on random pairs of points
        (a fixed generator, so the check is deterministic)."""
        W = np.array([[float(w) for w in row] for row in params.weights])
        v, gamma, beta = (np.array([float(t) for t in vec]) for vec in (params.v, params.gamma, params.beta))

        def forward(x: np.ndarray, weights: np.ndarray = W, outer: np.ndarray = v) -> float:
            return float(outer @ ((weights @ x - gamma) / beta))

        zero = np.zeros(W.shape[1])
        found = {f"a{j + 1}": forward(np.eye(W.shape[1])[j]) - forward(zero) for j in range(W.shape[1])}
        x0 = np.array([float(t) for t in params.x])
        found.update(b=forward(zero), value=forward(x0))
        rng = np.random.default_rng(0)
        target = forward(x0) + 1.0

        def losses(weights: np.ndarray, outer: np.ndarray) -> np.ndarray:
            """The loss at a batch of points: weights (S, units, inputs), outer (S, units)."""
            return (np.einsum("su,su->s", outer, (weights @ x0 - gamma) / beta) - target) ** 2

        def violated(move_v: bool, samples: int = 200) -> bool:
            w1, w2 = rng.normal(size=(2, samples, *W.shape))
            v1, v2 = rng.normal(size=(2, samples, len(v))) if move_v else np.broadcast_to(v, (2, samples, len(v)))
            middle = losses((w1 + w2) / 2, (v1 + v2) / 2)
            chord = (losses(w1, v1) + losses(w2, v2)) / 2
            return bool(np.any(middle > chord + 1e-9 * (1 + chord)))

        found.update(
            convex_w=NOT_CONVEX if violated(False) else CONVEX, convex_joint=NOT_CONVEX if violated(True) else CONVEX
        )
        return found

    def mistakes(self, params: BatchnormParams) -> Mistakes:
        a, b = coefficients(params)
        value = sum((aj * xj for aj, xj in zip(a, params.x)), sp.Integer(0)) + b
        found = Mistakes()
        for name, description, wrong in (
            ("multiplied_by_beta", "multiplied by β_i instead of dividing", network(params, scale_power=1)),
            ("shift_added", "added γ_i instead of subtracting it", network(params, shift_sign=1)),
            ("shift_not_scaled", "subtracted γ_i after dividing (z_i/β_i − γ_i)", network(params, scale_shift=False)),
            ("no_shift", "left out the shift γ", value - b),
            ("no_scale", "left out the scale β", network(params, scale_power=0)),
            ("no_output_weights", "left out the output weights v", network(params, use_v=False)),
            ("sign_slip", "lost the overall sign", -value),
            (
                "shift_added_and_multiplied",
                "added γ_i and multiplied by β_i",
                network(params, shift_sign=1, scale_power=1),
            ),
            ("b_for_value", "gave the offset b as f(x0)", b),
        ):
            found.add(name, description, value=wrong)
        ratios_times = [v * beta for v, beta in zip(params.v, params.beta)]
        wrong_a = [
            sum((r * row[j] for r, row in zip(ratios_times, params.weights)), sp.Integer(0))
            for j in range(len(params.x))
        ]
        found.add(
            "coefficients_times_beta", "multiplied v_i by β_i in a", **{f"a{j + 1}": w for j, w in enumerate(wrong_a)}
        )
        found.add("offset_sign", "wrote b = +Σ v_i γ_i/β_i", b=-b)
        found.add(
            "joint_convexity_assumed", "took the loss to be convex in (W, v) because it is in W", convex_joint=CONVEX
        )
        return found

    def rubric(self, params: BatchnormParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"$f$ written as $a^\top x + b$, with $a = W^\top(v \oslash \beta)$ and $b$"), 2),
            (Markup(r"the numbers $a$, $b$ and $f(x_0)$"), 2),
            (Markup(r"convex in $W$ (linear in $W$, squared), not jointly in $(W, v)$"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: BatchnormParams) -> dict:
        return {
            "W": Math(matrix(params.weights)),
            "v": Math(column(params.v)),
            "gamma": Math(column(params.gamma)),
            "beta": Math(column(params.beta)),
            "x": Math(column(params.x)),
            "units": len(params.weights),
        }
