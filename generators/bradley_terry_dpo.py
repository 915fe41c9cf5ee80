"""`bradley-terry-dpo`: Bradley–Terry preferences and the DPO loss, exactly.

Bradley–Terry models a preference between a winner y_w and a loser y_l through rewards:
P(y_w ≻ y_l) = σ(r_w − r_l) = e^{r_w}/(e^{r_w} + e^{r_l}). Adding the same constant to both
rewards changes nothing (only differences matter), which is why DPO can replace the reward
by β·log(π_θ/π_ref) without knowing the partition function. Its loss on one pair is
−log σ(β(Δ_w − Δ_l)) with Δ = log(π_θ(y)/π_ref(y)). Rewards are given as logarithms
(r = log a) and the policy ratios as fractions, so P is a fraction and the loss
log(1 + (ρ_l/ρ_w)^β) is an exact logarithm. The branches are `preference` (P before and
after a shift of both rewards) and `dpo` (the loss from the policy ratios).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.exact import log_of_rational, numeric
from variantex.answer_engine.formatting import Markup, Math, log_tex, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, integer, number

PREFERENCE, DPO = "preference", "dpo"


@dataclass(frozen=True)
class PreferenceParams:
    # preference: rewards r_w = log(winner), r_l = log(loser), then both shifted by log(shift)
    winner: sp.Rational | None = number(default=None, positive=True)
    loser: sp.Rational | None = number(default=None, positive=True)
    shift: sp.Rational | None = number(default=None, positive=True)
    # dpo: ρ = π_θ(y)/π_ref(y) for the winner and the loser, and β
    ratio_w: sp.Rational | None = number(default=None, positive=True)
    ratio_l: sp.Rational | None = number(default=None, positive=True)
    beta: int | None = integer(default=None, low=1, high=10)

    def __post_init__(self) -> None:
        preference = (self.winner, self.loser, self.shift)
        dpo = (self.ratio_w, self.ratio_l, self.beta)
        if all(v is not None for v in preference) and all(v is None for v in dpo):
            return
        if all(v is not None for v in dpo) and all(v is None for v in preference):
            if self.ratio_w == self.ratio_l:
                raise InvalidParams("equal ratios make the margin zero: choose different ones", "ratio_l")
            return
        raise InvalidParams("give winner, loser and shift (preference), or ratio_w, ratio_l and beta (dpo)", "winner")


def dpo_loss(params: PreferenceParams, beta: int | None = None, flipped: bool = False) -> sp.Expr:
    """−log σ(β log(ρ_w/ρ_l)) = log(1 + (ρ_l/ρ_w)^β), exact in logs of primes."""
    beta = params.beta if beta is None else beta
    odds = (params.ratio_w / params.ratio_l) ** (-beta if flipped else beta)
    return log_of_rational((1 + odds) / odds)


class BradleyTerryDpo(Family):
    id = "bradley-terry-dpo"
    title = "Bradley–Terry preferences σ(r_w − r_l), shift invariance, and the DPO loss"
    branches = (PREFERENCE, DPO)
    params_type = PreferenceParams
    edge_cases = (
        EdgeCase(
            "rewards log 3 and log 1 (= 0): P = 3/4, and the same after any shift",
            {"winner": 3, "loser": 1, "shift": 5},
            {"probability": "3/4", "shifted": "3/4"},
        ),
        EdgeCase(
            "equal rewards: a coin toss",
            {"winner": 2, "loser": 2, "shift": "1/2"},
            {"probability": "1/2", "shifted": "1/2"},
        ),
        EdgeCase(
            "ρ_w/ρ_l = 3, β = 1: loss log(4/3)",
            {"ratio_w": "3/2", "ratio_l": "1/2", "beta": 1},
            {"margin": "log(3)", "loss": "2*log(2) - log(3)"},
        ),
        EdgeCase(
            "the policy prefers the loser: a large loss",
            {"ratio_w": "1/2", "ratio_l": 1, "beta": 2},
            {"margin": "-2*log(2)", "loss": "log(5)"},
        ),
    )

    def branch_of(self, params: PreferenceParams) -> str:
        return PREFERENCE if params.winner is not None else DPO

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> PreferenceParams:
        if branch == PREFERENCE:
            winner, loser = draws.shuffled(rng, draws.subset(rng, [2, 3, 4, 5, 6, 7, 8, 9], 2))
            return PreferenceParams(
                winner=sp.Integer(winner),
                loser=sp.Integer(loser),
                shift=sp.Integer(draws.pick(rng, [2, 3, 5, 10, 100])),
            )
        ratios = [
            sp.Rational(p, q) for p, q in ((1, 4), (1, 2), (2, 3), (3, 4), (1, 1), (3, 2), (2, 1), (3, 1), (4, 1))
        ]
        ratio_w, ratio_l = draws.subset(rng, ratios, 2)
        if rng.integers(3):  # mostly a policy that already prefers the winner
            ratio_w, ratio_l = max(ratio_w, ratio_l), min(ratio_w, ratio_l)
        return PreferenceParams(ratio_w=ratio_w, ratio_l=ratio_l, beta=int(draws.pick(rng, [1, 2])))

    # --- answers ----------------------------------------------------------------
    def parts(self, params: PreferenceParams) -> tuple[Part, ...]:
        if params.winner is not None:
            return (Part("probability", Math(r"P(y_w \succ y_l)")), Part("shifted", Math(r"P \text{ after the shift}")))
        return (Part("margin", Math(r"\beta(\Delta_w - \Delta_l)")), Part("loss", Math(r"\mathcal{L}_{\mathrm{DPO}}")))

    def mcq_parts(self, params: PreferenceParams) -> tuple[str, ...]:
        return ("probability",) if params.winner is not None else ("loss",)

    def value_tex(self, params: PreferenceParams, value: sp.Expr) -> Math:
        return log_tex(value)

    def solve(self, params: PreferenceParams) -> Solution:
        if params.winner is not None:
            a, b, c = params.winner, params.loser, params.shift
            p = a / (a + b)
            steps = (
                Markup(
                    r"$P(y_w \succ y_l) = \sigma(r_w - r_l) = \frac{e^{r_w}}{e^{r_w} + e^{r_l}} = "
                    r"\frac{%s}{%s + %s} = %s$." % (tex(a), tex(a), tex(b), tex(p))
                ),
                Markup(
                    r"Adding $\log %s$ to both rewards multiplies both exponentials by $%s$, which cancels: "
                    r"$P$ stays $%s$. Only reward differences matter, so a reward is defined up to a constant "
                    r"(per prompt), which DPO uses to drop the partition function." % (tex(c), tex(c), tex(p))
                ),
            )
            return Solution({"probability": p, "shifted": p}, steps)
        rho_w, rho_l, beta = params.ratio_w, params.ratio_l, params.beta
        margin = beta * log_of_rational(rho_w / rho_l)
        loss = dpo_loss(params)
        odds = (rho_w / rho_l) ** beta
        steps = (
            Markup(
                r"$\Delta = \log(\pi_\theta(y)/\pi_{\mathrm{ref}}(y))$, so $\beta(\Delta_w - \Delta_l) = "
                r"%s\log \frac{%s}{%s} = %s$."
                % ("" if beta == 1 else f"{beta} ", tex(rho_w), tex(rho_l), log_tex(margin))
            ),
            Markup(
                r"$\sigma(\beta(\Delta_w - \Delta_l)) = \frac{%s}{1 + %s} = %s$, and "
                r"$\mathcal{L}_{\mathrm{DPO}} = -\log %s = %s$%s."
                % (
                    tex(odds),
                    tex(odds),
                    tex(odds / (1 + odds)),
                    tex(odds / (1 + odds)),
                    log_tex(loss),
                    r" (above $\log 2$: the policy still prefers the loser)" if odds < 1 else "",
                )
            ),
        )
        return Solution({"margin": margin, "loss": loss}, steps)

    def verify(self, params: PreferenceParams) -> dict:
        """Floats: the rewards as numbers (logs), P by the logistic function, the shift applied
        to both; the DPO loss from log-probabilities through log1p of exp."""
        if params.winner is not None:
            r_w, r_l, c = (math.log(float(v)) for v in (params.winner, params.loser, params.shift))

            def sigma(z: float) -> float:
                return 1 / (1 + math.exp(-z))

            return {"probability": sigma(r_w - r_l), "shifted": sigma((r_w + c) - (r_l + c))}
        delta_w, delta_l = math.log(float(params.ratio_w)), math.log(float(params.ratio_l))
        margin = params.beta * (delta_w - delta_l)
        return {"margin": margin, "loss": math.log1p(math.exp(-margin))}

    def mistakes(self, params: PreferenceParams) -> Mistakes:
        found = Mistakes()
        if params.winner is not None:
            a, b, c = params.winner, params.loser, params.shift
            p = a / (a + b)
            for name, description, wrong in (
                ("swapped", "gave the loser's probability", b / (a + b)),
                ("ratio_not_probability", "gave the odds e^{r_w}/e^{r_l}", a / b),
                ("ratio_not_probability+swapped", "gave the loser's odds e^{r_l}/e^{r_w}", b / a),
                (
                    "rewards_as_scores",
                    "normalised the log-rewards instead of their exponentials",
                    log_of_rational(a) / (log_of_rational(a) + log_of_rational(b)) if a != 1 and b != 1 else None,
                ),
                ("logs_dropped", "took the rewards to be a and b themselves: σ(a − b)", 1 / (1 + sp.exp(b - a))),
                (
                    "logs_dropped+swapped",
                    "took the rewards to be a and b themselves, and computed σ(b − a)",
                    1 / (1 + sp.exp(a - b)),
                ),
                ("difference_of_rewards", "took P = (e^{r_w} − e^{r_l})/(e^{r_w} + e^{r_l})", (a - b) / (a + b)),
                ("winner_alone", "took σ(r_w), the winner's reward alone", a / (1 + a)),
                ("rewards_added", "took σ(r_w + r_l): added the rewards", a * b / (1 + a * b)),
                (
                    "independent_events",
                    "multiplied σ(r_w) by 1 − σ(r_l), as if the two were independent events",
                    a / ((1 + a) * (1 + b)),
                ),
            ):
                if wrong is not None and wrong != p:
                    found.add(name, description, slips=name.count("+") + 1, probability=wrong)
            # The shift is asked only with P itself (numeric, open): slips in applying it.
            found.add("shift_added_once", "added the shift to the winner's reward only", shifted=a * c / (a * c + b))
            found.add("shift_added_to_loser", "added the shift to the loser's reward only", shifted=a / (a + b * c))
            return found
        rho_w, rho_l, beta = params.ratio_w, params.ratio_l, params.beta
        loss = dpo_loss(params)
        odds = (rho_w / rho_l) ** beta
        margin = beta * log_of_rational(rho_w / rho_l)
        for name, description, wrong in (
            ("beta_ignored", "left out β", dpo_loss(params, beta=1) if beta != 1 else None),
            ("winner_loser_swapped", "swapped the winner and the loser", dpo_loss(params, flipped=True)),
            ("no_minus_sign", "took log σ(·) without the minus sign", -loss),
            (
                "beta_squared",
                "applied β twice",
                dpo_loss(params, beta=beta * beta) if beta != 1 else dpo_loss(params, beta=2),
            ),
            ("doubled", "counted the pair twice (both orderings)", 2 * loss),
            ("sigma_not_logged", "gave 1 − σ(·), not −log σ(·)", 1 / (1 + odds)),
            ("sigma_itself", "gave σ(β(Δ_w − Δ_l)), the preference probability, not the loss", odds / (1 + odds)),
            ("beta_outside", "multiplied the loss by β instead of the margin", beta * dpo_loss(params, beta=1)),
            ("margin_for_loss", "gave −β(Δ_w − Δ_l), as if −log σ(z) were −z", -margin),
            ("log_base_two", "took the logarithm to base 2", loss / sp.log(2)),
        ):
            if wrong is not None and wrong != loss:
                found.add(name, description, loss=wrong)
        found.add("margin_sign", "took Δ_l − Δ_w for the margin", margin=-margin)
        return found

    def plausible(self, params: PreferenceParams, values: tuple) -> bool:
        """A probability lies in [0, 1]; a loss −log σ is positive."""
        numbers = [float(numeric(v)) for v in values if not isinstance(v, str)]
        if params.winner is not None:
            return all(0 <= v <= 1 for v in numbers)
        return all(v > 0 for v in numbers)

    def rubric(self, params: PreferenceParams) -> list[tuple[Markup, int]]:
        if params.winner is not None:
            return [
                (Markup(r"$P = \sigma(r_w - r_l)$ computed"), 2),
                (Markup("the shift leaves P unchanged"), 2),
                (Markup("why only differences matter, and what DPO gains from it"), 2),
            ]
        return [
            (Markup(r"the margin $\beta(\Delta_w - \Delta_l)$"), 2),
            (Markup(r"$-\log\sigma$ of it"), 2),
            (Markup("what the loss pushes the policy towards"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: PreferenceParams) -> dict:
        return {
            "winner": params.winner,
            "loser": params.loser,
            "shift": params.shift,
            "rho_w": params.ratio_w,
            "rho_l": params.ratio_l,
            "beta": params.beta,
        }
