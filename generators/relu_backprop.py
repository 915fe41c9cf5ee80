"""`relu-backprop`: one backpropagation step through x → ReLU(w1·x) → σ(w2·a1 + b).

Branches: `live` (z1 > 0), `dead` (z1 < 0, plain ReLU: the gradient to w1 is exactly 0
whatever the target) and `leaky` (z1 < 0 with slope α: the gradient is revived).
Variants: cross-entropy instead of squared loss; a second output y2 = σ(w3·a1 + b2).
Calculator-free draws make every pre-activation of an output 0, so y = 1/2 exactly;
`calculator: true` draws general one-decimal numbers and prints 4 significant figures.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from variantex.answer_engine.checking import Tolerance
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, equals, paren, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import Choice, EdgeCase, Flag, Integer, Mistakes, choice, choice_of, flag, number

LOSSES = ("squared", "cross_entropy")
ROUTE_FIELDS = ("x", "t", "w1", "w2", "b", "eta", "leak", "w3", "t2", "b2")
SIGNIFICANT = 4  # calculator questions: answers to this many significant figures


@dataclass(frozen=True)
class ReluBackpropParams:
    x: sp.Rational = number()
    t: sp.Rational = number()
    w1: sp.Rational = number()
    w2: sp.Rational = number()
    b: sp.Rational = number()
    eta: sp.Rational = number(default=sp.Rational(1, 10))
    leak: sp.Rational = number(default=sp.Integer(0))
    loss: str = choice_of(LOSSES, default="squared")
    w3: sp.Rational | None = number(default=None)  # second output y2 = σ(w3·a1 + b2) with target t2
    t2: sp.Rational | None = number(default=None)
    b2: sp.Rational = number(default=sp.Integer(0))
    calculator: bool = flag()

    def __post_init__(self) -> None:
        choice(self.loss, LOSSES, "loss")
        if self.w1 * self.x == 0:
            raise InvalidParams("w1·x = 0 puts z1 on the ReLU kink, where the derivative is undefined", "w1")
        if not 0 <= self.leak < 1:
            raise InvalidParams("the leaky slope must be in [0, 1)", "leak")
        if self.eta <= 0:
            raise InvalidParams("the learning rate must be positive", "eta")
        if (self.w3 is None) != (self.t2 is None):
            raise InvalidParams("a second output needs both w3 and t2", "w3" if self.w3 is None else "t2")
        if self.loss == "cross_entropy":
            for name in ("t", "t2"):
                target = getattr(self, name)
                if target is not None and not 0 <= target <= 1:
                    raise InvalidParams("cross-entropy targets are probabilities in [0, 1]", name)

    @property
    def two_outputs(self) -> bool:
        return self.w3 is not None


@dataclass(frozen=True)
class Slips:
    """Independent slips a student can make in the chain rule; none is the correct route."""

    sign: bool = False  # wrote y − t as t − y
    output_derivative: bool = False  # squared: forgot σ'; cross-entropy: multiplied σ' in anyway
    gate: bool = False  # took ReLU'(z1) = 1 on the dead/leaky side
    input_factor: bool = False  # dropped the factor x in ∂z1/∂w1
    second_output: bool = False  # ignored the second output's path back to a1
    double: bool = False  # squared loss: differentiated (y − t)², not ½(y − t)²
    sigma_only: bool = False  # squared loss: took σ'(z) = σ(z), without the factor (1 − σ(z))
    wrong_weight: bool = False  # chained through w1 where the output weight w2 belongs
    activation_for_input: bool = False  # took ∂z1/∂w1 = a1 (as for w2) instead of x
    stopped_at_output: bool = False  # cross-entropy: used ∂E/∂y = (y − t)/(y(1 − y)) as ∂E/∂z2


SLIP_NAMES = {
    "sign": ("sign_slip", "wrote (t − y) for (y − t), flipping every gradient"),
    "output_derivative": ("forgot_sigmoid_derivative", "left out σ'(z2) = y(1 − y) in the chain"),
    "gate": ("forgot_relu_gate", "took ReLU'(z1) = 1 although z1 < 0"),
    "input_factor": ("forgot_input_factor", "dropped the factor x = ∂z1/∂w1"),
    "second_output": ("ignored_second_output", "backpropagated through the first output only"),
    "double": ("forgot_half_in_derivative", "differentiated (y − t)² instead of ½(y − t)²: twice the gradient"),
    "sigma_only": ("sigmoid_derivative_as_sigmoid", "took σ'(z) = σ(z), leaving out the factor (1 − σ(z))"),
    "wrong_weight": ("wrong_layer_weight", "chained back through w1 where the output weight w2 belongs"),
    "activation_for_input": ("activation_for_input", "took ∂z1/∂w1 = a1, as for w2, instead of x"),
    "stopped_at_output": ("stopped_at_dE_dy", "used ∂E/∂y = (y − t)/(y(1 − y)) without the factor σ'(z2)"),
}
# Slips that only exist for one loss, and pairs that change the same factor (never combined).
SQUARED_ONLY = ("double", "sigma_only")
CROSS_ENTROPY_ONLY = ("stopped_at_output",)
EXCLUSIVE = {
    frozenset(("output_derivative", "sigma_only")),
    frozenset(("input_factor", "activation_for_input")),
    frozenset(("output_derivative", "stopped_at_output")),
}
CE_OUTPUT_DERIVATIVE = ("extra_sigmoid_derivative", "multiplied by σ'(z2) although cross-entropy cancels it")


def sigmoid(z: sp.Expr) -> sp.Expr:
    return sp.Integer(1) / (1 + sp.exp(-z))


@lru_cache(maxsize=8192)
def forward(p: ReluBackpropParams) -> tuple[sp.Expr, tuple[sp.Expr, ...], sp.Expr]:
    """a1, the outputs y (and y2), and the loss E: the same for every slip on the way back."""
    z1 = p.w1 * p.x
    a1 = z1 if z1 > 0 else p.leak * z1
    outputs = [(p.w2, p.b, p.t)] + ([(p.w3, p.b2, p.t2)] if p.two_outputs else [])
    ys, loss = [], sp.Integer(0)
    for w, b, t in outputs:
        y = sigmoid(w * a1 + b)
        ys.append(y)
        if p.loss == "squared":
            loss += (y - t) ** 2 / 2
        else:
            loss += -(t * sp.log(y) + (1 - t) * sp.log(1 - y))
    return a1, tuple(ys), loss


def forward_backward(p: ReluBackpropParams, slips: Slips = Slips()) -> dict[str, sp.Expr]:
    """Every answer part, exactly; `slips` model named mistakes on the backward pass."""
    z1 = p.w1 * p.x
    relu_slope = sp.Integer(1) if z1 > 0 or slips.gate else p.leak
    a1, ys, loss = forward(p)
    targets = [p.t] + ([p.t2] if p.two_outputs else [])
    values: dict[str, sp.Expr] = {"a1": a1}
    deltas = []
    for y, t in zip(ys, targets):
        if p.loss == "squared":
            slope = 1 if slips.output_derivative else (y if slips.sigma_only else y * (1 - y))
            delta = (y - t) * slope * (2 if slips.double else 1)
        else:
            delta = (y - t) * (y * (1 - y) if slips.output_derivative else 1)
            if slips.stopped_at_output:
                delta = (y - t) / (y * (1 - y))
        deltas.append(-delta if slips.sign else delta)
    values["y"] = ys[0]
    if p.two_outputs:
        values["y2"] = ys[1]
    values["loss"] = loss
    first_weight = p.w1 if slips.wrong_weight else p.w2
    back = deltas[0] * first_weight + (0 if not p.two_outputs or slips.second_output else deltas[1] * p.w3)
    input_factor = 1 if slips.input_factor else (a1 if slips.activation_for_input else p.x)
    values["grad_w1"] = back * relu_slope * input_factor
    values["grad_w2"] = deltas[0] * a1
    if p.two_outputs:
        values["grad_w3"] = deltas[1] * a1
    values["grad_b"] = deltas[0]
    values["w1_new"] = p.w1 - p.eta * values["grad_w1"]
    # No simplification here: sympy already reduces σ(0) to 1/2 and rational arithmetic
    # stays rational; general forms stay exact and are printed as decimals.
    return values


class ReluBackprop(Family):
    id = "relu-backprop"
    title = "One backprop step through a ReLU-sigmoid chain (dead and leaky ReLU)"
    branches = ("live", "dead", "leaky")
    draw_options = {
        "loss": "squared | cross_entropy (default squared)",
        "outputs": "1 or 2: a second sigmoid output sharing the hidden unit (default 1)",
        "calculator": "true: general one-decimal numbers, answers to 4 significant figures",
    }
    option_kinds = {"loss": Choice(LOSSES), "outputs": Integer(1, 2), "calculator": Flag()}
    option_sets = (
        {},
        {"loss": "cross_entropy"},
        {"outputs": 2},
        {"calculator": True},
        {"loss": "cross_entropy", "outputs": 2},
        {"outputs": 2, "calculator": True},
    )
    params_type = ReluBackpropParams
    verify_tolerance = 1e-9  # 40-digit central differences are good to far better than this
    edge_cases = (
        EdgeCase(
            "live unit, z2 = 0 so y = 1/2 exactly",
            {"x": 1, "t": 1, "w1": 2, "w2": 1, "b": -2, "eta": "1/2"},
            {
                "a1": 2,
                "y": "1/2",
                "loss": "1/8",
                "grad_w2": "-1/4",
                "grad_b": "-1/8",
                "grad_w1": "-1/8",
                "w1_new": "33/16",
            },
        ),
        EdgeCase(
            "dead unit: the gradient to w1 is exactly 0 whatever the target",
            {"x": 1, "t": 0, "w1": -1, "w2": 3, "b": 0},
            {"a1": 0, "y": "1/2", "grad_w1": 0, "w1_new": -1, "grad_w2": 0},
        ),
        EdgeCase(
            "leaky unit: slope 1/10 keeps the gradient alive",
            {"x": 2, "t": 1, "w1": -1, "w2": 5, "b": 1, "leak": "1/10"},
            {"a1": "-1/5", "y": "1/2", "grad_b": "-1/8", "grad_w1": "-1/8"},
        ),
        EdgeCase(
            "cross-entropy cancels sigma': delta = y - t",
            {"x": 1, "t": 0, "w1": 1, "w2": 2, "b": -2, "loss": "cross_entropy"},
            {"grad_b": "1/2", "loss": "log(2)", "grad_w1": 1},
        ),
        EdgeCase(
            "two outputs sharing the hidden unit",
            {"x": 1, "t": 1, "w1": 1, "w2": 2, "b": -2, "w3": -1, "t2": 0, "b2": 1},
            {"grad_w1": "-3/8", "grad_w3": "1/8"},
        ),
    )

    def branch_of(self, params: ReluBackpropParams) -> str:
        if params.w1 * params.x > 0:
            return "live"
        return "leaky" if params.leak > 0 else "dead"

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> ReluBackpropParams:
        loss = self.option(options, "loss", "squared")
        outputs = self.option(options, "outputs", 1)
        calculator = self.option(options, "calculator", False)
        if calculator:

            def number(low: int, high: int, nonzero: bool = True) -> sp.Rational:
                return sp.Rational(draws.small_int(rng, low * 10, high * 10, nonzero), 10)
        else:

            def number(low: int, high: int, nonzero: bool = True) -> sp.Rational:
                return draws.pick(rng, [v for v in _NICE if low <= v <= high and (v or not nonzero)])

        x = number(-2, 2)
        w1 = abs(number(-2, 2)) * (1 if branch == "live" else -1) * (1 if x > 0 else -1)
        leak = draws.pick(rng, [sp.Rational(1, 10), sp.Rational(1, 5), sp.Rational(1, 2)]) if branch == "leaky" else 0
        a1 = w1 * x if w1 * x > 0 else leak * w1 * x
        w2 = number(-3, 3)
        w3 = number(-3, 3) if outputs == 2 else None
        # Calculator-free: biases cancel each output's pre-activation, so y = 1/2 exactly.
        b = number(-2, 2, nonzero=False) if calculator else -w2 * a1
        b2 = (number(-2, 2, nonzero=False) if calculator else -w3 * a1) if outputs == 2 else 0
        if calculator:
            # A sensible calculator question: every output's pre-activation within ±2.5, so
            # σ is neither saturated nor the answers vanishingly small (E ≈ 0.0002 teaches nothing).
            for w, bias in ((w2, b), (w3, b2)) if outputs == 2 else ((w2, b),):
                if abs(w * a1 + bias) > sp.Rational(5, 2):
                    raise InvalidParams("a saturated output makes a poor calculator question")
        t = sp.Integer(draws.pick(rng, [0, 1]))
        t2 = sp.Integer(draws.pick(rng, [0, 1])) if outputs == 2 else None
        eta = draws.pick(rng, [sp.Rational(1, 10), sp.Rational(1, 2), sp.Integer(1)])
        return ReluBackpropParams(
            x=sp.Rational(x),
            t=sp.Rational(t),
            w1=sp.Rational(w1),
            w2=sp.Rational(w2),
            b=sp.Rational(b),
            eta=eta,
            leak=sp.Rational(leak),
            loss=loss,
            w3=w3,
            t2=t2,
            b2=sp.Rational(b2),
            calculator=calculator,
        )

    # --- answers ----------------------------------------------------------------
    def parts(self, params: ReluBackpropParams) -> tuple[Part, ...]:
        names = [("a1", r"a_1"), ("y", r"y")]
        if params.two_outputs:
            names.append(("y2", r"y_2"))
        names += [("loss", r"E"), ("grad_w1", r"\partial E/\partial w_1"), ("grad_w2", r"\partial E/\partial w_2")]
        if params.two_outputs:
            names.append(("grad_w3", r"\partial E/\partial w_3"))
        names += [("grad_b", r"\partial E/\partial b"), ("w1_new", r"w_1 - \eta\,\partial E/\partial w_1")]
        return tuple(Part(name, Math(label)) for name, label in names)

    def mcq_parts(self, params: ReluBackpropParams) -> tuple[str, ...]:
        return ("grad_w1",)

    def needs_calculator(self, params: ReluBackpropParams) -> bool:
        return params.calculator

    def digits(self, params: ReluBackpropParams) -> int | None:
        return SIGNIFICANT if params.calculator else None

    def tolerance_for(self, params: ReluBackpropParams) -> Tolerance:
        # The stem asks for 4 significant figures: a correctly rounded answer is within this.
        return Tolerance.significant_figures(SIGNIFICANT) if params.calculator else self.tolerance

    def solve(self, params: ReluBackpropParams) -> Solution:
        values = forward_backward(params)
        return Solution(values, tuple(self._steps(params, values)))

    def _steps(self, p: ReluBackpropParams, v: Mapping[str, sp.Expr]) -> list[Markup]:
        d = self.digits(p)
        z1 = p.w1 * p.x
        gate = "1" if z1 > 0 else tex(p.leak)
        side = "z_1 > 0" if z1 > 0 else "z_1 < 0"
        two = p.two_outputs
        if p.loss == "squared":
            loss = r"\tfrac12 (y - t)^2" + (r" + \tfrac12 (y_2 - t_2)^2" if two else "")
        else:
            loss = r"-[t\log y + (1-t)\log(1-y)]" + (r" - [t_2\log y_2 + (1-t_2)\log(1-y_2)]" if two else "")
        steps = [
            Markup(
                r"Forward: $z_1 = w_1 x %s$, so $a_1 %s$ ($%s$, $\mathrm{ReLU}'(z_1) = %s$)."
                % (equals(z1), equals(v["a1"]), side, gate)
            ),
            Markup(
                r"$z_2 = w_2 a_1 + b %s$, $y = \sigma(z_2) %s$%s."
                % (
                    equals(p.w2 * v["a1"] + p.b),
                    equals(v["y"], d),
                    r", $y_2 = \sigma(w_3 a_1 + b_2) %s$" % equals(v["y2"], d) if two else "",
                )
            ),
            Markup(r"Loss: $E = %s %s$." % (loss, equals(v["loss"], d))),
        ]
        if p.loss == "squared":
            steps.append(
                Markup(r"Backward: $\delta = \partial E/\partial z_2 = (y - t)\,y(1-y) %s$." % equals(v["grad_b"], d))
            )
        else:
            steps.append(
                Markup(
                    r"Backward: with cross-entropy $\delta = \partial E/\partial z_2 = y - t %s$."
                    % equals(v["grad_b"], d)
                )
            )
        steps.append(
            Markup(
                r"$\partial E/\partial w_2 = \delta\, a_1 %s$, $\partial E/\partial b = \delta %s$."
                % (equals(v["grad_w2"], d), equals(v["grad_b"], d))
            )
        )
        if two:
            steps.append(
                Markup(
                    r"The second output has $\delta_2 = \partial E/\partial z_3 %s$ "
                    r"(with $z_3 = w_3 a_1 + b_2$), so $\partial E/\partial w_3 = \delta_2\, a_1 %s$."
                    % (equals(_delta2(p), d), equals(v["grad_w3"], d))
                )
            )
        path = r"\delta\, w_2" + (r" + \delta_2\, w_3" if two else "")
        steps.append(
            Markup(r"$\partial E/\partial w_1 = (%s)\,\mathrm{ReLU}'(z_1)\, x %s$." % (path, equals(v["grad_w1"], d)))
        )
        steps.append(
            Markup(
                r"Update: $w_1 \leftarrow %s - %s \cdot %s %s$."
                % (tex(p.w1), tex(p.eta), paren(v["grad_w1"], d), equals(v["w1_new"], d))
            )
        )
        if z1 < 0 and p.leak == 0:
            steps.append(
                Markup(
                    r"The ReLU is dead for this input ($z_1 < 0$): the gradient to $w_1$ is exactly 0 "
                    r"whatever the target, so $w_1$ never changes; a leaky ReLU would revive it."
                )
            )
        elif z1 < 0:
            steps.append(
                Markup(r"The leaky slope $\alpha = %s$ keeps a gradient flowing although $z_1 < 0$." % tex(p.leak))
            )
        else:
            steps.append(
                Markup(
                    r"Here $z_1 > 0$, so the gradient flows. Had $w_1$ turned negative, $z_1 < 0$ would "
                    r"make the ReLU dead: the gradient to $w_1$ would be exactly 0 whatever the target, "
                    r"and a leaky ReLU (slope $\alpha$ for $z_1 < 0$) would revive it."
                )
            )
        return steps

    def verify(self, params: ReluBackpropParams) -> dict:
        """A numeric forward pass and central finite differences of E, in 40-digit floats.

        mpmath's floats keep saturated outputs (σ(40) = 1 − 4·10⁻¹⁸) and their logs exact
        enough, and a step far below the distance to the ReLU kink keeps the differences
        on one side of it: the check has no false alarms where float64 had them.
        """
        with mpmath.workdps(40):
            p = {
                name: mpmath.mpf(getattr(params, name).p) / getattr(params, name).q
                for name in ROUTE_FIELDS
                if getattr(params, name) is not None
            }
            two = params.two_outputs

            def forward(w1, w2, b, w3):
                z1 = w1 * p["x"]
                a1 = z1 if z1 > 0 else p["leak"] * z1
                outputs = [(w2 * a1 + b, p["t"])] + ([(w3 * a1 + p["b2"], p["t2"])] if two else [])
                loss = mpmath.mpf(0)
                ys = []
                for z, target in outputs:
                    y = 1 / (1 + mpmath.exp(-z))
                    ys.append(y)
                    if params.loss == "squared":
                        loss += (y - target) ** 2 / 2
                    else:  # log σ(z) = −log(1 + e^(−z)), log(1 − σ(z)) = −log(1 + e^z): no log of 0
                        loss += target * mpmath.log1p(mpmath.exp(-z)) + (1 - target) * mpmath.log1p(mpmath.exp(z))
                return a1, ys, loss

            base = dict(w1=p["w1"], w2=p["w2"], b=p["b"], w3=p.get("w3"))
            a1, ys, loss = forward(**base)
            h = min(mpmath.mpf(10) ** -15, abs(p["w1"]) * mpmath.mpf(10) ** -6)

            def derivative(name: str):
                up, down = dict(base), dict(base)
                up[name] += h
                down[name] -= h
                return (forward(**up)[2] - forward(**down)[2]) / (2 * h)

            values = {
                "a1": a1,
                "y": ys[0],
                "loss": loss,
                "grad_w1": derivative("w1"),
                "grad_w2": derivative("w2"),
                "grad_b": derivative("b"),
            }
            if two:
                values["y2"] = ys[1]
                values["grad_w3"] = derivative("w3")
            values["w1_new"] = p["w1"] - p["eta"] * values["grad_w1"]
            return {name: float(value) for name, value in values.items()}

    def mistakes(self, params: ReluBackpropParams) -> Mistakes:
        correct = forward_backward(params)
        found = Mistakes()
        found.add(
            "claimed_gradient_vanishes",
            "claimed the gradient to w1 is 0 (as for a dead ReLU)",
            grad_w1=sp.Integer(0),
            w1_new=params.w1,
        )
        found.add("relu_not_applied", "passed z1 on without the ReLU", a1=params.w1 * params.x)
        found.add(
            "forgot_learning_rate",
            "subtracted the gradient without the learning rate",
            w1_new=params.w1 - correct["grad_w1"],
        )
        found.add(
            "added_gradient",
            "moved along the gradient instead of against it",
            w1_new=params.w1 + params.eta * correct["grad_w1"],
        )
        if params.loss == "squared":
            found.add("forgot_half", "dropped the 1/2 in the squared loss", loss=2 * correct["loss"])
        fields = [
            f
            for f in (
                "output_derivative",
                "gate",
                "input_factor",
                "second_output",
                "double",
                "sigma_only",
                "wrong_weight",
                "activation_for_input",
                "stopped_at_output",
            )
            if (f != "second_output" or params.two_outputs)
            and (f not in SQUARED_ONLY or params.loss == "squared")
            and (f not in CROSS_ENTROPY_ONLY or params.loss == "cross_entropy")
        ]
        # Up to two slips, each also with the sign slip, which only negates the gradients (so
        # it costs no computation): the named values then fall on both sides of the key.
        combos = [()] + [
            c for size in (1, 2) for c in itertools.combinations(fields, size) if frozenset(c) not in EXCLUSIVE
        ]
        slipped = []
        for combo in combos:
            if combo:
                values = forward_backward(params, Slips(**{name: True for name in combo}))
                slipped.append((combo, {k: v for k, v in values.items() if k.startswith("grad")}))
            base = correct if not combo else values
            negated = {k: -v for k, v in base.items() if k.startswith("grad")}
            slipped.append((("sign", *combo), negated))
        for combo, grads in sorted(slipped, key=lambda item: len(item[0])):  # the simplest explanations first
            grads["w1_new"] = params.w1 - params.eta * grads["grad_w1"]
            names = [self._slip_name(params, name) for name in combo]
            found.add("+".join(n for n, _ in names), "; ".join(d for _, d in names), grads, slips=len(combo))
        return found

    @staticmethod
    def _slip_name(params: ReluBackpropParams, slip: str) -> tuple[str, str]:
        if slip == "output_derivative" and params.loss == "cross_entropy":
            return CE_OUTPUT_DERIVATIVE
        return SLIP_NAMES[slip]

    # --- presentation -----------------------------------------------------------
    def context(self, params: ReluBackpropParams) -> dict:
        fields = {name: getattr(params, name) for name in ROUTE_FIELDS if getattr(params, name) is not None}
        return {
            **fields,
            "loss": params.loss,
            "two_outputs": params.two_outputs,
            "leaky": params.leak > 0,
            "calculator": params.calculator,
            # Calculator questions print their one-decimal numbers as decimals, not fractions.
            "shown": {name: Math(tex(value, self.digits(params))) for name, value in fields.items()},
        }


def _delta2(p: ReluBackpropParams) -> sp.Expr:
    y2 = sigmoid(p.w3 * (p.w1 * p.x if p.w1 * p.x > 0 else p.leak * p.w1 * p.x) + p.b2)
    return (y2 - p.t2) * (y2 * (1 - y2) if p.loss == "squared" else 1)


_NICE = sorted({sp.Rational(v, 2) for v in range(-6, 7)} | {sp.Integer(v) for v in range(-3, 4)})
