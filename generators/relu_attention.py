"""`relu-attention`: attention weights ReLU(q·k_i/√d) / Σ_j ReLU(q·k_j/√d) in place of softmax.

For one query q and keys k_1…k_n with scalar values v_i, the weights are the clipped scores
normalised to sum to one, and the output is Σ a_i v_i. The factor 1/√d cancels in the
normalisation, and so does any scaling of the query by α > 0: ReLU(αs) = α·ReLU(s), so the
weights (and the output) of αq are those of q. Softmax has no such invariance: its weights
exp(αs_i)/Σ exp(αs_j) sharpen towards the largest score as α grows. The `positive` branch
draws keys whose scores are all positive; in the `clipped` branch ReLU zeroes at least one,
which then gets no weight at all.
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
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, number, vector
from variantex.generators.kit import matrix as matrix_field

POSITIVE, CLIPPED = "positive", "clipped"
KEYS = tuple((sp.Integer(a), sp.Integer(b)) for a in range(-2, 3) for b in range(-2, 3) if (a, b) != (0, 0))
SCALES = tuple(sp.Rational(p, q) for p, q in ((2, 1), (3, 1), (4, 1), (1, 2), (3, 2), (5, 2), (10, 1)))


@dataclass(frozen=True)
class ReluAttentionParams:
    query: tuple[sp.Rational, ...] = vector()  # q, of dimension d
    keys: tuple[tuple[sp.Rational, ...], ...] = matrix_field()  # one key k_i per row
    values: tuple[sp.Rational, ...] = vector()  # v_i, one scalar value per key
    alpha: sp.Rational = number(positive=True)  # the query scaled to αq

    def __post_init__(self) -> None:
        if not 1 <= len(self.query) <= 4:
            raise InvalidParams("the query has 1 to 4 entries", "query")
        if not 2 <= len(self.keys) <= 4:
            raise InvalidParams("give 2 to 4 keys", "keys")
        if any(len(key) != len(self.query) for key in self.keys):
            raise InvalidParams("every key has the query's dimension", "keys")
        if len(self.values) != len(self.keys):
            raise InvalidParams("give one value per key", "values")
        if all(score <= 0 for score in self.scores):
            raise InvalidParams("every score q·k is ≤ 0: ReLU attention would divide by zero", "keys")
        if self.alpha == 1:
            raise InvalidParams("α = 1 leaves the query unchanged: choose another scale", "alpha")

    @property
    def dimension(self) -> int:
        return len(self.query)

    @property
    def scores(self) -> tuple[sp.Rational, ...]:
        """q·k_i, before the 1/√d (which cancels in the weights)."""
        return tuple(sum((a * b for a, b in zip(self.query, key)), sp.Integer(0)) for key in self.keys)


def normalised(weights: tuple[sp.Expr, ...]) -> tuple[sp.Expr, ...]:
    total = sum(weights, sp.Integer(0))
    return tuple(w / total for w in weights)


def relu(value: sp.Rational) -> sp.Rational:
    return value if value > 0 else sp.Integer(0)


def weights_of(params: ReluAttentionParams) -> tuple[sp.Rational, ...]:
    return normalised(tuple(relu(s) for s in params.scores))


def output(weights: tuple[sp.Expr, ...], values: tuple[sp.Rational, ...]) -> sp.Expr:
    return sum((w * v for w, v in zip(weights, values)), sp.Integer(0))


class ReluAttention(Family):
    id = "relu-attention"
    title = "ReLU attention: weights ReLU(q·k)/Σ ReLU(q·k), invariant to scaling the query"
    branches = (POSITIVE, CLIPPED)
    params_type = ReluAttentionParams
    edge_cases = (
        EdgeCase(
            "scores 2, 1, 1: weights 1/2, 1/4, 1/4",
            {"query": [1, 1], "keys": [[1, 1], [1, 0], [0, 1]], "values": [4, 0, 8], "alpha": 3},
            {"a1": "1/2", "a2": "1/4", "a3": "1/4", "out": 4, "out_scaled": 4},
        ),
        EdgeCase(
            "a negative score gets no weight at all",
            {"query": [2, -1], "keys": [[1, 0], [0, 1], [1, 1]], "values": [3, 100, -1], "alpha": "1/2"},
            {"a1": "2/3", "a2": 0, "a3": "1/3", "out": "5/3", "out_scaled": "5/3"},
        ),
        EdgeCase(
            "one positive score takes all the weight",
            {"query": [1, 0], "keys": [[2, 5], [-1, 3]], "values": [7, 1], "alpha": 10},
            {"a1": 1, "a2": 0, "out": 7, "out_scaled": 7},
        ),
    )

    def branch_of(self, params: ReluAttentionParams) -> str:
        return CLIPPED if any(score <= 0 for score in params.scores) else POSITIVE

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> ReluAttentionParams:
        query = tuple(sp.Integer(draws.small_int(rng, -2, 2, nonzero=True)) for _ in range(2))
        # One difficulty per branch: three positive scores, or exactly one strictly negative
        # (a real clip) beside two positive ones; no zero key, no zero score.
        by_sign: dict[bool, list] = {True: [], False: []}
        for key in KEYS:
            score = query[0] * key[0] + query[1] * key[1]
            if score != 0:
                by_sign[bool(score > 0)].append(key)
        keys = [draws.pick(rng, by_sign[True]) for _ in range(3)]
        if branch == CLIPPED:
            keys[draws.small_int(rng, 0, 2)] = draws.pick(rng, by_sign[False])
        values = tuple(sp.Integer(draws.small_int(rng, -4, 6)) for _ in range(3))
        return ReluAttentionParams(query, tuple(keys), values, draws.pick(rng, SCALES))

    # --- answers ----------------------------------------------------------------
    def parts(self, params: ReluAttentionParams) -> tuple[Part, ...]:
        weights = tuple(Part(f"a{i + 1}", Math(f"a_{i + 1}")) for i in range(len(params.keys)))
        return weights + (
            Part("out", Math(r"\text{output for } q")),
            Part("out_scaled", Math(r"\text{output for } %s q" % tex(params.alpha))),
        )

    def mcq_parts(self, params: ReluAttentionParams) -> tuple[str, ...]:
        return ("out_scaled",)

    def solve(self, params: ReluAttentionParams) -> Solution:
        scores, weights = params.scores, weights_of(params)
        out = output(weights, params.values)
        clipped = [i + 1 for i, s in enumerate(scores) if s <= 0]
        total = sum((relu(s) for s in scores), sp.Integer(0))
        root = r"\sqrt{%d}" % params.dimension
        values = {f"a{i + 1}": w for i, w in enumerate(weights)}
        values.update(out=out, out_scaled=out)
        steps = (
            Markup(
                r"Scores: $q \cdot k_i = %s$ for $i = 1, \ldots, %d$; each is divided by $%s$, a common factor."
                % (r",\ ".join(tex(s) for s in scores), len(scores), root)
            ),
            Markup(
                (
                    r"ReLU zeroes the non-positive score%s of key%s %s, which get%s no weight. "
                    % (
                        "s" if len(clipped) > 1 else "",
                        "s" if len(clipped) > 1 else "",
                        ", ".join(map(str, clipped)),
                        "" if len(clipped) > 1 else "s",
                    )
                    if clipped
                    else ""
                )
                + r"The weights are the clipped scores over their sum $%s$ (the $1/%s$ cancels): "
                r"$a = (%s)$." % (tex(total), root, r",\ ".join(tex(w) for w in weights))
            ),
            Markup(
                r"Output: $\sum_i a_i v_i = %s = %s$."
                % (" + ".join(r"%s \cdot %s" % (tex(w), paren(v)) for w, v in zip(weights, params.values)), tex(out))
            ),
            Markup(
                r"For $%s q$ every score is multiplied by $%s > 0$, and $\mathrm{ReLU}(\alpha s) = \alpha\, "
                r"\mathrm{ReLU}(s)$, so the factor cancels in the normalisation: the weights and the output "
                r"$%s$ are unchanged. Softmax is not invariant: $e^{\alpha s_i} / \sum_j e^{\alpha s_j}$ "
                r"moves towards the largest score as $\alpha$ grows." % (tex(params.alpha), tex(params.alpha), tex(out))
            ),
        )
        return Solution(values, steps)

    def verify(self, params: ReluAttentionParams) -> dict:
        """numpy floats, from scratch for each query: Q·Kᵀ/√d clipped and normalised, then
        times V; the scaled query is run through the same computation, not assumed invariant."""
        keys = np.array([[float(x) for x in key] for key in params.keys])
        values = np.array([float(v) for v in params.values])

        def attend(query: np.ndarray) -> tuple[np.ndarray, float]:
            scores = np.maximum(keys @ query / np.sqrt(len(query)), 0.0)
            weights = scores / scores.sum()
            return weights, float(weights @ values)

        query = np.array([float(x) for x in params.query])
        weights, out = attend(query)
        _, scaled = attend(float(params.alpha) * query)
        found = {f"a{i + 1}": float(w) for i, w in enumerate(weights)}
        found.update(out=out, out_scaled=scaled)
        return found

    def mistakes(self, params: ReluAttentionParams) -> Mistakes:
        scores, values, alpha = params.scores, params.values, params.alpha
        weights = weights_of(params)
        out = output(weights, values)
        n = len(scores)
        found = Mistakes()

        def add(name: str, description: str, wrong_out: sp.Expr | None, wrong_weights=None, slips: int = 1) -> None:
            if wrong_out is None:
                return
            parts = {"out_scaled": wrong_out, "out": wrong_out}
            if wrong_weights is not None:
                parts.update({f"a{i + 1}": w for i, w in enumerate(wrong_weights)})
            found.add(name, description, slips=slips, **parts)

        found.add(
            "scaled_output_by_alpha", "took the output of αq to be α times the output of q", out_scaled=alpha * out
        )
        found.add("scaled_output_by_inverse_alpha", "divided the output by α for the query αq", out_scaled=out / alpha)
        total = sum(scores, sp.Integer(0))
        add(
            "no_relu",
            "normalised the raw scores, negative ones included",
            output(normalised(scores), values) if total != 0 else None,
            normalised(scores) if total != 0 else None,
        )
        absolute = tuple(abs(s) for s in scores)
        add(
            "absolute_scores",
            "took |q·k| instead of ReLU(q·k)",
            output(normalised(absolute), values),
            normalised(absolute),
        )
        clipped = tuple(relu(s) for s in scores)
        add("not_normalised", "left the clipped scores unnormalised", output(clipped, values), clipped)
        add(
            "divided_by_count",
            "divided the clipped scores by the number of keys instead of their sum",
            output(tuple(c / n for c in clipped), values),
            tuple(c / n for c in clipped),
        )
        add(
            "uniform_weights",
            "gave every key the same weight 1/n",
            sum(values, sp.Integer(0)) / n,
            (sp.Rational(1, n),) * n,
        )
        positive = [i for i, s in enumerate(scores) if s > 0]
        add(
            "positive_keys_averaged",
            "averaged the values of the keys with a positive score, ignoring the scores",
            sum((values[i] for i in positive), sp.Integer(0)) / len(positive),
        )
        best = max(range(n), key=lambda i: scores[i])
        add(
            "hard_attention",
            "took the value of the best-scoring key alone (argmax, not a weighted average)",
            values[best],
        )
        squared = tuple(c**2 for c in clipped)
        add("squared_scores", "squared the clipped scores before normalising", output(normalised(squared), values))
        add("sign_slip", "lost the sign of the weighted sum", -out)
        crossed = tuple(relu(params.query[0] * key[-1] + params.query[-1] * key[0]) for key in params.keys)
        if any(c > 0 for c in crossed):
            add(
                "crossed_coordinates",
                "paired q's first entry with k's last in the dot products",
                output(normalised(crossed), values),
            )
        found.add(
            "alpha_on_unnormalised",
            "left the clipped scores unnormalised and scaled them by α",
            out_scaled=alpha * output(clipped, values),
            slips=2,
        )
        return found

    def rubric(self, params: ReluAttentionParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"the scores $q \cdot k_i$, and the $1/\sqrt{d}$ cancelling"), 1),
            (Markup(r"ReLU applied and the weights normalised"), 2),
            (Markup(r"the output $\sum_i a_i v_i$"), 1),
            (
                Markup(
                    r"invariance to $\alpha q$ shown ($\mathrm{ReLU}(\alpha s) = \alpha\,\mathrm{ReLU}(s)$), "
                    r"and why softmax is not invariant"
                ),
                2,
            ),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: ReluAttentionParams) -> dict:
        return {
            "q": Math(column(params.query)),
            "K": Math(matrix(params.keys)),
            "v": Math(column(params.values)),
            "d": params.dimension,
            "n": len(params.keys),
            "alpha": params.alpha,
        }
