"""`online-logistic-ogd`: online gradient descent on the regularised logistic loss.

Round t brings (x_t, y_t) and the loss ℓ_t(w) = log(1 + exp(−y_t wᵀx_t)) + λ‖w‖², whose
gradient is −y_t x_t σ(−y_t wᵀx_t) + 2λw. The `step` branch asks one update w − η∇ℓ_t(w)
(drawn with y wᵀx = 0, so σ = 1/2 and the step is calculator-free). The `rate` branch asks the
fixed step size that the regret bound prescribes: OGD from w_1 = 0 on ‖w‖ ≤ B has regret at
most B²/(2η) + ηG²T/2 when every gradient has norm at most G; on that ball ‖∇ℓ_t‖ ≤ X + 2λB
for ‖x_t‖ ≤ X, and the bound is smallest at η = B/(G√T), where it is BG√T.
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
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, number, vector

STEP, RATE = "step", "rate"
R = sp.Rational


@dataclass(frozen=True)
class OgdParams:
    lam: sp.Rational = number()  # the regularisation weight λ ≥ 0
    # step: the current w, the round's (x, y) and the step size
    w: tuple[sp.Rational, ...] | None = vector(default=None)
    x: tuple[sp.Rational, ...] | None = vector(default=None)
    y: sp.Rational | None = number(default=None)
    eta: sp.Rational | None = number(default=None, positive=True)
    # rate: ‖w*‖ ≤ radius, ‖x_t‖ ≤ x_bound, T rounds
    radius: sp.Rational | None = number(default=None, positive=True)
    x_bound: sp.Rational | None = number(default=None, positive=True)
    rounds: sp.Rational | None = number(default=None, positive=True)

    def __post_init__(self) -> None:
        if self.lam < 0:
            raise InvalidParams("λ must not be negative", "lam")
        step = (self.w, self.x, self.y, self.eta)
        rate = (self.radius, self.x_bound, self.rounds)
        if all(v is not None for v in step) and all(v is None for v in rate):
            if len(self.w) != len(self.x) or not 1 <= len(self.w) <= 4:
                raise InvalidParams("w and x need the same length (1 to 4)", "x")
            if self.y not in (1, -1):
                raise InvalidParams("the label is +1 or -1", "y")
            return
        if all(v is not None for v in rate) and all(v is None for v in step):
            if not self.rounds.is_integer or not sp.sqrt(self.rounds).is_integer:
                raise InvalidParams("T must be a perfect square (√T exact)", "rounds")
            return
        raise InvalidParams("give w, x, y and eta (one step), or radius, x_bound and rounds (the step size)", "w")

    @property
    def margin(self) -> sp.Expr:
        return self.y * sum((a * b for a, b in zip(self.w, self.x)), sp.Integer(0))


def gradient(params: OgdParams, sigma=None, reg: sp.Rational = 2, label: bool = True) -> tuple[sp.Expr, ...]:
    """∇ℓ(w) = −y x σ(−y wᵀx) + 2λw (with the pieces a mistake changes)."""
    sigma = 1 / (1 + sp.exp(params.margin)) if sigma is None else sigma
    y = params.y if label else 1
    return tuple(-y * xi * sigma + reg * params.lam * wi for wi, xi in zip(params.w, params.x))


def lipschitz(params: OgdParams, reg: sp.Rational = 2) -> sp.Rational:
    return params.x_bound + reg * params.lam * params.radius


def _differing(found: Mistakes, correct) -> Mistakes:
    """The mistakes that change at least one answer (some coincide with the key for some params)."""
    return Mistakes(m for m in found if any(m.values[k] != correct[k] for k in m.values))


class OnlineLogisticOgd(Family):
    id = "online-logistic-ogd"
    title = "Online gradient descent on the regularised logistic loss: one step, and the regret-bound step size"
    formats = ("numeric", "open")
    branches = (STEP, RATE)
    params_type = OgdParams
    edge_cases = (
        EdgeCase(
            "w = 0: σ(0) = 1/2 and the regulariser is silent",
            {"lam": "1/2", "w": [0, 0], "x": [2, -2], "y": 1, "eta": 1},
            {"g1": -1, "g2": 1, "w1_new": 1, "w2_new": -1},
        ),
        EdgeCase(
            "λ = 0, B = 1, X = 1, T = 100: η = 1/10, regret ≤ 10",
            {"lam": 0, "radius": 1, "x_bound": 1, "rounds": 100},
            {"G": 1, "eta": "1/10", "regret": 10},
        ),
        EdgeCase(
            "B = 2, X = 1, λ = 1/4, T = 400: G = 2, η = 1/20, regret ≤ 80",
            {"lam": "1/4", "radius": 2, "x_bound": 1, "rounds": 400},
            {"G": 2, "eta": "1/20", "regret": 80},
        ),
    )

    def branch_of(self, params: OgdParams) -> str:
        return STEP if params.w is not None else RATE

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> OgdParams:
        lam = draws.pick(rng, (R(1, 10), R(1, 4), R(1, 2), R(1, 20)))
        if branch == STEP:
            a, b = (draws.small_int(rng, -3, 3, nonzero=True) for _ in range(2))
            k = draws.pick(rng, (-2, -1, 1, 2))
            # w ⟂ x: the margin is 0 and σ(0) = 1/2 (calculator-free)
            return OgdParams(
                lam=lam,
                w=(sp.Integer(-k * b), sp.Integer(k * a)),
                x=(sp.Integer(a), sp.Integer(b)),
                y=sp.Integer(draws.pick(rng, (1, -1))),
                eta=draws.pick(rng, (R(1, 2), R(1), R(1, 10), R(1, 4))),
            )
        return OgdParams(
            lam=draws.pick(rng, (R(0), lam)),
            radius=sp.Integer(draws.pick(rng, (1, 2, 5, 10))),
            x_bound=sp.Integer(draws.pick(rng, (1, 2, 3))),
            rounds=sp.Integer(draws.pick(rng, (100, 400, 900, 2500, 10000))),
        )

    # --- answers ----------------------------------------------------------------
    def parts(self, params: OgdParams) -> tuple[Part, ...]:
        if params.w is not None:
            n = len(params.w)
            return tuple(Part(f"g{i}", Math(r"(\nabla \ell_t)_{%d}" % i)) for i in range(1, n + 1)) + tuple(
                Part(f"w{i}_new", Math(r"(w_{t+1})_{%d}" % i)) for i in range(1, n + 1)
            )
        return (Part("G", Math("G")), Part("eta", Math(r"\eta")), Part("regret", Math(r"\text{regret bound}")))

    def digits(self, params: OgdParams) -> int | None:
        return None if params.w is None or params.margin == 0 else 4

    def solve(self, params: OgdParams) -> Solution:
        if params.w is not None:
            m, g = params.margin, gradient(params)
            new = tuple(wi - params.eta * gi for wi, gi in zip(params.w, g))
            vec = lambda values: "(%s)" % ", ".join(tex(v, self.digits(params)) for v in values)  # noqa: E731
            steps = (
                Markup(
                    r"$\nabla \ell_t(w) = -y x\, \sigma(-y w^\top x) + 2\lambda w$ (the derivative of "
                    r"$\log(1 + e^{-u})$ is $-\sigma(-u)$)."
                ),
                Markup(
                    r"Here $y w^\top x = %s$, so $\sigma(-y w^\top x) = %s$ and $\nabla \ell_t = %s$."
                    % (tex(m), tex(1 / (1 + sp.exp(m)), self.digits(params)), vec(g))
                ),
                Markup(
                    r"$w_{t+1} = w_t - \eta \nabla \ell_t = %s - %s \cdot %s = %s$."
                    % (vec(params.w), tex(params.eta), vec(g), vec(new))
                ),
            )
            values = {f"g{i}": v for i, v in enumerate(g, start=1)}
            values.update({f"w{i}_new": v for i, v in enumerate(new, start=1)})
            return Solution(values, steps)
        big_g = lipschitz(params)
        root = sp.sqrt(params.rounds)
        eta = params.radius / (big_g * root)
        regret = params.radius * big_g * root
        steps = (
            Markup(
                r"On $\|w\| \le B$: $\|y x \sigma(\cdot)\| \le \|x\| \le X$ and $\|2\lambda w\| \le 2\lambda B$, so "
                r"$G = X + 2\lambda B = %s + 2 \cdot %s \cdot %s = %s$."
                % (tex(params.x_bound), tex(params.lam), tex(params.radius), tex(big_g))
            ),
            Markup(
                r"The bound $B^2/(2\eta) + \eta G^2 T/2$ is smallest where its derivative $-B^2/(2\eta^2) + G^2T/2$ "
                r"vanishes: $\eta = B/(G\sqrt{T}) = %s/(%s \cdot %s) = %s$."
                % (tex(params.radius), tex(big_g), tex(root), tex(eta))
            ),
            Markup(
                r"Then both halves equal $BG\sqrt{T}/2$: regret $\le BG\sqrt{T} = %s$, which grows like $\sqrt{T}$, "
                r"so the average regret per round tends to $0$." % tex(regret)
            ),
        )
        return Solution({"G": big_g, "eta": eta, "regret": regret}, steps)

    def verify(self, params: OgdParams) -> dict:
        """Floats. One step: the loss's gradient by central differences, then the update. The step
        size: sampled gradients stay within G, and η and the bound come from minimising the
        bound numerically over a fine logarithmic grid of step sizes."""
        lam = float(params.lam)
        if params.w is not None:
            w, x, y = (np.array([float(v) for v in params.w]), np.array([float(v) for v in params.x]), float(params.y))

            def loss(u: np.ndarray) -> float:
                return math.log1p(math.exp(-y * float(u @ x))) + lam * float(u @ u)

            h, found = 1e-6, {}
            g = np.zeros_like(w)
            for i in range(len(w)):
                step = np.zeros_like(w)
                step[i] = h
                g[i] = (loss(w + step) - loss(w - step)) / (2 * h)
            new = w - float(params.eta) * g
            for i in range(len(w)):
                found[f"g{i + 1}"], found[f"w{i + 1}_new"] = float(g[i]), float(new[i])
            return found
        b, x_bound, t = float(params.radius), float(params.x_bound), float(params.rounds)
        big_g = x_bound + 2 * lam * b
        # The worst case the bound covers: w and x anti-aligned at full length, so the two
        # gradient terms add up; a few probes along the way stay inside G.
        for scale in (0.0, 0.25, 0.5, 1.0):
            margin = -scale * b * x_bound
            norm = x_bound / (1 + math.exp(margin)) + 2 * lam * scale * b
            assert norm <= big_g + 1e-12, "a gradient beyond the bound G"

        def bound(log_eta: float) -> float:
            eta = math.exp(log_eta)
            return b * b / (2 * eta) + eta * big_g * big_g * t / 2

        low, high = math.log(1e-9), math.log(1e3)  # the bound is convex in log η: ternary search
        for _ in range(200):
            a, c = low + (high - low) / 3, high - (high - low) / 3
            low, high = (low, c) if bound(a) < bound(c) else (a, high)
        best = (low + high) / 2
        return {"G": big_g, "eta": math.exp(best), "regret": bound(best)}

    verify_tolerance = 1e-4

    def mistakes(self, params: OgdParams) -> Mistakes:
        found = Mistakes()
        if params.w is not None:

            def add(name: str, description: str, g, update_sign: int = -1) -> None:
                new = tuple(wi + update_sign * params.eta * gi for wi, gi in zip(params.w, g))
                found.add(
                    name,
                    description,
                    {
                        **{f"g{i}": v for i, v in enumerate(g, start=1)},
                        **{f"w{i}_new": v for i, v in enumerate(new, start=1)},
                    },
                )

            add("regulariser_dropped", "left out the gradient 2λw of λ‖w‖²", gradient(params, reg=0))
            add("lambda_not_doubled", "took the gradient of λ‖w‖² as λw", gradient(params, reg=1))
            add(
                "sigmoid_dropped",
                "took the logistic term's gradient as −yx, without σ(−y wᵀx)",
                gradient(params, sigma=sp.Integer(1)),
            )
            add("label_dropped", "left out the label y", gradient(params, label=False))
            add(
                "regulariser_sign",
                "subtracted the regulariser's gradient 2λw instead of adding it",
                gradient(params, reg=-2),
            )
            found.add(
                "ascent",
                "stepped along the gradient instead of against it",
                {
                    f"w{i}_new": wi + params.eta * gi
                    for i, (wi, gi) in enumerate(zip(params.w, gradient(params)), start=1)
                },
            )
            found.add(
                "eta_forgotten",
                "subtracted the gradient without the step size",
                {f"w{i}_new": wi - gi for i, (wi, gi) in enumerate(zip(params.w, gradient(params)), start=1)},
            )
            if params.margin != 0:
                add(
                    "sigmoid_of_margin",
                    "used σ(y wᵀx) instead of σ(−y wᵀx)",
                    gradient(params, sigma=1 / (1 + sp.exp(-params.margin))),
                )
            return _differing(found, self.solve(params).values)
        big_g, root, b = lipschitz(params), sp.sqrt(params.rounds), params.radius
        found.add(
            "regulariser_not_in_G",
            "bounded the gradient by X alone, forgetting 2λB",
            G=params.x_bound,
            eta=b / (params.x_bound * root),
            regret=b * params.x_bound * root,
        )
        found.add("lambda_not_doubled", "bounded the regulariser's gradient by λB", G=lipschitz(params, reg=1))
        found.add("no_square_root", "took η = B/(GT)", eta=b / (big_g * params.rounds))
        found.add(
            "diameter_for_radius", "used the diameter 2B for B", eta=2 * b / (big_g * root), regret=2 * b * big_g * root
        )
        found.add("regret_halved", "kept only one of the bound's two equal halves", regret=b * big_g * root / 2)
        found.add("regret_linear", "took the regret bound as BGT", regret=b * big_g * params.rounds)
        found.add("eta_inverted", "took η = G√T/B", eta=big_g * root / b)
        found.add("gradient_bound_ignored", "took η = B/√T, leaving out the gradient bound G", eta=b / root)
        return _differing(found, self.solve(params).values)

    def rubric(self, params: OgdParams) -> list[tuple[Markup, int]]:
        if params.w is not None:
            return [
                (Markup(r"the gradient of the logistic term, with $\sigma(-y w^\top x)$"), 2),
                (Markup(r"the regulariser's gradient $2\lambda w$"), 1),
                (Markup(r"the update $w - \eta\nabla\ell$"), 1),
                (Markup("what the step does to the margin of this example"), 1),
            ]
        return [
            (Markup(r"the gradient bound $G = X + 2\lambda B$"), 2),
            (Markup(r"$\eta = B/(G\sqrt{T})$ from the bound"), 2),
            (Markup(r"the regret bound $BG\sqrt{T}$"), 1),
            (Markup(r"why $\sqrt{T}$ regret means learning"), 1),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: OgdParams) -> dict:
        vec = lambda values: Math("(%s)" % ", ".join(tex(v) for v in values)) if values else None  # noqa: E731
        return {
            "step": params.w is not None,
            "lam": params.lam,
            "w": vec(params.w),
            "x": vec(params.x),
            "y": params.y,
            "eta": params.eta,
            "radius": params.radius,
            "x_bound": params.x_bound,
            "rounds": params.rounds,
        }
