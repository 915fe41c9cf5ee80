"""`policy-gradient`: the REINFORCE estimate for a tiny softmax policy.

A policy π_θ(a) = e^{θ_a}/Σ_b e^{θ_b} over three actions; N sampled actions a_i with losses
L_i. The score-function (REINFORCE) estimate of ∇_θ E[L] is (1/N)·Σ_i L_i·∇_θ log π_θ(a_i),
and for a softmax ∇_θ log π_θ(a) = e_a − π (the one-hot vector minus the probabilities), so
the components always sum to zero. The `plain` branch asks the estimate; the `baseline`
branch subtracts the mean loss b from every L_i first (unbiased, lower variance). The current
probabilities are fractions, so the answer is exact.
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
from variantex.generators.kit import EdgeCase, Mistakes, flag, vector
from variantex.generators.markup import MathSpan, Table, Text

PLAIN, BASELINE = "plain", "baseline"
R = sp.Rational
POLICIES = tuple(
    tuple(R(p, 12) for p in ps)
    for ps in ((6, 4, 2), (4, 4, 4), (3, 6, 3), (2, 3, 7), (8, 2, 2), (3, 4, 5), (1, 5, 6), (9, 2, 1))
)
LOSSES = (R(-1), R(0), R(1), R(2), R(3), R(4), R(1, 2), R(3, 2), R(-2))


@dataclass(frozen=True)
class PolicyParams:
    pi: tuple[sp.Rational, ...] = vector()  # the current action probabilities softmax(θ)
    actions: tuple[sp.Rational, ...] = vector()  # the sampled actions, 1-based
    losses: tuple[sp.Rational, ...] = vector()  # their losses
    baseline: bool = flag()  # subtract the mean loss before weighting

    def __post_init__(self) -> None:
        if not 2 <= len(self.pi) <= 5 or any(p <= 0 for p in self.pi) or sum(self.pi) != 1:
            raise InvalidParams("pi must be 2 to 5 positive probabilities adding up to 1", "pi")
        if not 1 <= len(self.actions) <= 8 or len(self.losses) != len(self.actions):
            raise InvalidParams("give 1 to 8 sampled actions and as many losses", "losses")
        if any(a not in range(1, len(self.pi) + 1) for a in self.actions):
            raise InvalidParams(f"actions are numbered 1 to {len(self.pi)}", "actions")

    @property
    def mean_loss(self) -> sp.Rational:
        return sum(self.losses, sp.Integer(0)) / len(self.losses)

    @property
    def weights(self) -> tuple[sp.Rational, ...]:
        """What multiplies each score: L_i, or L_i − b with the mean loss b."""
        return tuple(loss - self.mean_loss for loss in self.losses) if self.baseline else self.losses


def estimate(params: PolicyParams, weights=None, score=None) -> tuple[sp.Rational, ...]:
    """(1/N)·Σ_i w_i·score(a_i), by default score(a) = e_a − π, component by component."""
    weights = params.weights if weights is None else weights
    score = score or (lambda a, k: (1 if k == a else 0) - params.pi[k - 1])
    n = len(params.actions)
    return tuple(
        sum((w * score(int(a), k) for w, a in zip(weights, params.actions)), sp.Integer(0)) / n
        for k in range(1, len(params.pi) + 1)
    )


class PolicyGradient(Family):
    id = "policy-gradient"
    title = "The REINFORCE estimate (1/N)·Σ L_i ∇log π(a_i) for a softmax policy"
    formats = ("numeric", "open")
    branches = (PLAIN, BASELINE)
    params_type = PolicyParams
    edge_cases = (
        EdgeCase(
            "one sample of action 1 with loss 1 under a uniform policy: e_1 − π",
            {"pi": ["1/3", "1/3", "1/3"], "actions": [1], "losses": [1]},
            {"g1": "2/3", "g2": "-1/3", "g3": "-1/3"},
        ),
        EdgeCase(
            "equal losses with the mean baseline: every weight is 0",
            {"pi": ["1/2", "1/3", "1/6"], "actions": [1, 2], "losses": [2, 2], "baseline": True},
            {"g1": 0, "g2": 0, "g3": 0},
        ),
        EdgeCase(
            "zero loss everywhere: no signal without a baseline either",
            {"pi": ["1/2", "1/2"], "actions": [1, 2, 2], "losses": [0, 0, 0]},
            {"g1": 0, "g2": 0},
        ),
    )

    def branch_of(self, params: PolicyParams) -> str:
        return BASELINE if params.baseline else PLAIN

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> PolicyParams:
        pi = draws.pick(rng, POLICIES)
        actions = tuple(sp.Integer(int(a)) for a in rng.choice([1, 2, 3], size=3))
        losses = tuple(draws.pick(rng, LOSSES) for _ in range(3))
        if len(set(losses)) == 1 or len(set(actions)) == 1:
            raise InvalidParams("a draw with one loss or one action says little", "losses")
        return PolicyParams(pi=pi, actions=actions, losses=losses, baseline=branch == BASELINE)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: PolicyParams) -> tuple[Part, ...]:
        return tuple(Part(f"g{k}", Math(r"\hat g_{%d}" % k)) for k in range(1, len(params.pi) + 1))

    def solve(self, params: PolicyParams) -> Solution:
        g = estimate(params)
        n = len(params.actions)
        vec = lambda values: r"(%s)" % ", ".join(tex(v) for v in values)  # noqa: E731
        steps = [
            Markup(
                r"For a softmax policy $\partial \log \pi_\theta(a) / \partial \theta_k = [k = a] - \pi_k$: "
                r"$\nabla_\theta \log \pi_\theta(a) = e_a - \pi$ with $\pi = %s$." % vec(params.pi)
            )
        ]
        if params.baseline:
            steps.append(
                Markup(
                    r"The baseline is the mean loss $b = %s$, so the weights are $L_i - b = %s$."
                    % (tex(params.mean_loss), ", ".join(tex(w) for w in params.weights))
                )
            )
        terms = ""
        for i, (w, a) in enumerate(zip(params.weights, params.actions)):
            sign = ("-" if w < 0 else "") if i == 0 else (" - " if w < 0 else " + ")
            terms += r"%s%s\,(e_{%d} - \pi)" % (sign, tex(abs(w)), int(a))
        steps.append(Markup(r"$\hat g = \frac{1}{%d}\left(%s\right) = %s$." % (n, terms, vec(g))))
        steps.append(
            Markup(
                r"The components add up to $0$, as they must: every $e_a - \pi$ does. A step "
                r"$\theta \leftarrow \theta - \eta \hat g$ makes actions with %s loss more likely."
                % ("below-average" if params.baseline else "low (or negative)")
            )
        )
        return Solution({f"g{k}": v for k, v in enumerate(g, start=1)}, tuple(steps))

    def verify(self, params: PolicyParams) -> dict:
        """Floats: θ = log π, and the gradient of the surrogate (1/N)·Σ w_i log softmax(θ)_{a_i}
        by central differences."""
        theta = np.log(np.array([float(p) for p in params.pi]))
        weights = np.array([float(w) for w in params.weights])
        actions = np.array([int(a) - 1 for a in params.actions])

        def surrogate(t: np.ndarray) -> float:
            log_pi = t - (t.max() + math.log(np.exp(t - t.max()).sum()))
            return float(np.mean(weights * log_pi[actions]))

        found, h = {}, 1e-6
        for k in range(len(theta)):
            step = np.zeros_like(theta)
            step[k] = h
            found[f"g{k + 1}"] = (surrogate(theta + step) - surrogate(theta - step)) / (2 * h)
        return found

    verify_tolerance = 1e-7

    def mistakes(self, params: PolicyParams) -> Mistakes:
        g = estimate(params)
        n = len(params.actions)
        found = Mistakes()

        def add(name: str, description: str, values) -> None:
            found.add(name, description, {f"g{k}": v for k, v in enumerate(values, start=1)})

        add("summed_not_averaged", "summed the N terms without dividing by N", tuple(n * v for v in g))
        add(
            "probability_term_dropped",
            "took ∇log π(a) as the one-hot e_a, without − π",
            estimate(params, score=lambda a, k: 1 if k == a else 0),
        )
        add("gradient_sign", "flipped the sign (the ascent direction for a reward)", tuple(-v for v in g))
        add(
            "gradient_of_probability",
            "used ∇π(a) = π_a(e_a − π) instead of ∇log π(a)",
            estimate(params, score=lambda a, k: params.pi[a - 1] * ((1 if k == a else 0) - params.pi[k - 1])),
        )
        add(
            "divided_by_probability",
            "differentiated log π with respect to π, not θ: e_a/π_a",
            estimate(params, score=lambda a, k: (1 if k == a else 0) / params.pi[a - 1]),
        )
        if params.baseline:
            add("baseline_ignored", "left out the baseline", estimate(params, weights=params.losses))
            add(
                "baseline_added",
                "added the baseline instead of subtracting it",
                estimate(params, weights=tuple(loss + params.mean_loss for loss in params.losses)),
            )
        else:
            add(
                "mean_subtracted_anyway",
                "subtracted the mean loss, which this estimate does not",
                estimate(params, weights=tuple(loss - params.mean_loss for loss in params.losses)),
            )
        return found

    def rubric(self, params: PolicyParams) -> list[tuple[Markup, int]]:
        criteria = [
            (Markup(r"$\nabla_\theta \log \pi_\theta(a) = e_a - \pi$ for the softmax"), 2),
            (Markup(r"the weighted average over the samples"), 2),
        ]
        if params.baseline:
            criteria.append((Markup(r"the baseline subtracted from every loss"), 1))
        return criteria + [(Markup("why the estimate is unbiased, and what the baseline changes"), 1)]

    # --- presentation -----------------------------------------------------------
    def context(self, params: PolicyParams) -> dict:
        return {
            "pi": Math(r"(%s)" % ", ".join(tex(p) for p in params.pi)),
            "count": len(params.actions),
            "actions": len(params.pi),
            "baseline": params.baseline,
            "samples": Table(
                header=(
                    (Text("Sample "), MathSpan("i")),
                    (Text("Action "), MathSpan("a_i")),
                    (Text("Loss "), MathSpan("L_i")),
                ),
                rows=tuple(
                    ((MathSpan(str(i)),), (MathSpan(str(int(a))),), (MathSpan(tex(loss)),))
                    for i, (a, loss) in enumerate(zip(params.actions, params.losses), start=1)
                ),
                align="ccc",
            ),
        }
