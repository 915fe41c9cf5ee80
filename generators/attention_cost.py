"""`attention-cost`: counting the work of attention, with the counting convention stated.

`generation`: a causal self-attention layer (one head) generates m tokens after an n-token
prompt. A query scores against its own key and every earlier one, so processing T positions
costs T(T + 1)/2 query–key scores. Step j (j = 1…m) computes the last of T_j = n + j − 1
positions, from which the next token is drawn. Without a key–value cache every step
recomputes all its positions: Σ_j T_j(T_j + 1)/2 scores. With a cache the first step
processes the prompt, n(n + 1)/2 scores, and each later step scores one new query against
T_j keys: n(n + 1)/2 + Σ_{j≥2} T_j.

`complexity`: multiplications for N sequences of S tokens through L layers of model width D,
counting the projections to queries, keys, values and the output (four S×D by D×D products,
4·S·D²) and attention itself (QKᵀ and the weighted sum of values, 2·S²·D), and nothing else
(no MLP, softmax or additions): N·L·(4·S·D² + 2·S²·D), the O(N·L·S·D² + N·L·S²·D) of the
course. QKᵀ alone is S²·D. Attention dominates when 2·S²·D > 4·S·D², that is S > 2D.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, grouped
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution, TextAnswer
from variantex.generators.kit import EdgeCase, Mistakes, integer

GENERATION, COMPLEXITY = "generation", "complexity"
ATTENTION, PROJECTIONS = "attention", "projections"


@dataclass(frozen=True)
class AttentionCostParams:
    # generation: the prompt length n and the tokens generated m
    prompt: int | None = integer(default=None, low=1, high=10_000)
    generated: int | None = integer(default=None, low=1, high=10_000)
    # complexity: N sequences of S tokens, L layers, model width D
    sequences: int | None = integer(default=None, low=1, high=100_000)
    layers: int | None = integer(default=None, low=1, high=1_000)
    length: int | None = integer(default=None, low=1, high=1_000_000)
    width: int | None = integer(default=None, low=1, high=100_000)

    def __post_init__(self) -> None:
        generation = (self.prompt, self.generated)
        complexity = (self.sequences, self.layers, self.length, self.width)
        if all(v is not None for v in generation) and all(v is None for v in complexity):
            return
        if all(v is not None for v in complexity) and all(v is None for v in generation):
            if self.length == 2 * self.width:
                raise InvalidParams("with S = 2D the two terms are equal: neither dominates", "length")
            return
        raise InvalidParams(
            "give prompt and generated (generation), or sequences, layers, length and width "
            "(complexity), and nothing of the other",
            "prompt",
        )


def causal_scores(positions: int) -> int:
    """Query–key scores for `positions` tokens under a causal mask (each with itself and earlier)."""
    return positions * (positions + 1) // 2


def step_lengths(params: AttentionCostParams, shift: int = 0) -> list[int]:
    """T_j = n + j − 1 for j = 1…m: the positions step j computes up to."""
    return [params.prompt + j - 1 + shift for j in range(1, params.generated + 1)]


def without_cache(params: AttentionCostParams) -> int:
    return sum(causal_scores(t) for t in step_lengths(params))


def with_cache(params: AttentionCostParams) -> int:
    return causal_scores(params.prompt) + sum(step_lengths(params)[1:])


def total_cost(params: AttentionCostParams, projections: int = 4, products: int = 2) -> int:
    s, d = params.length, params.width
    return params.sequences * params.layers * (projections * s * d * d + products * s * s * d)


class AttentionCost(Family):
    id = "attention-cost"
    title = "The cost of attention: scores with and without a key–value cache, and a transformer's multiplications"
    branches = (GENERATION, COMPLEXITY)
    params_type = AttentionCostParams
    text_answers = {
        ATTENTION: TextAnswer(
            "attention",
            ("the attention term", "attention (the S²·D term)", "S^2 D", "S²D", "QK^T", "the quadratic term"),
        ),
        PROJECTIONS: TextAnswer(
            "the projections",
            (
                "projections",
                "the projection term",
                "the projections (the S·D² term)",
                "S D^2",
                "SD²",
                "the linear layers",
            ),
        ),
    }
    edge_cases = (
        EdgeCase(
            "n = 8, m = 4: 36 + 45 + 55 + 66 without a cache, 36 + 9 + 10 + 11 with one",
            {"prompt": 8, "generated": 4},
            {"without": 202, "with": 66},
        ),
        EdgeCase(
            "one generated token: the cache saves nothing", {"prompt": 5, "generated": 1}, {"without": 15, "with": 15}
        ),
        EdgeCase(
            "N = 1, L = 1, S = 3, D = 2: 4·3·4 + 2·9·2 = 84",
            {"sequences": 1, "layers": 1, "length": 3, "width": 2},
            {"qk": 18, "total": 84, "dominant": PROJECTIONS},
        ),
        EdgeCase(
            "long sequences: S = 2048 > 2D = 1024, attention dominates",
            {"sequences": 8, "layers": 12, "length": 2048, "width": 512},
            {"qk": 2048**2 * 512, "total": 8 * 12 * (4 * 2048 * 512**2 + 2 * 2048**2 * 512), "dominant": ATTENTION},
        ),
    )

    def branch_of(self, params: AttentionCostParams) -> str:
        return GENERATION if params.prompt is not None else COMPLEXITY

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> AttentionCostParams:
        if branch == GENERATION:
            return AttentionCostParams(prompt=draws.small_int(rng, 3, 32), generated=draws.small_int(rng, 2, 7))
        width = draws.pick(rng, [64, 128, 256, 512, 1024])
        length = draws.pick(rng, [s for s in (128, 256, 512, 1024, 2048, 4096) if s != 2 * width])
        return AttentionCostParams(
            sequences=draws.pick(rng, [2, 4, 8, 16, 32]),
            layers=draws.pick(rng, [2, 4, 6, 12, 24]),
            length=length,
            width=width,
        )

    # --- answers ----------------------------------------------------------------
    def parts(self, params: AttentionCostParams) -> tuple[Part, ...]:
        if params.prompt is not None:
            return (
                Part("without", Math(r"\text{scores without a cache}")),
                Part("with", Math(r"\text{scores with a cache}")),
            )
        return (
            Part("qk", Math(r"QK^\top \text{ alone}")),
            Part("total", Math(r"\text{in all}")),
            Part("dominant", Math(r"\text{dominant term}"), text_answers=(ATTENTION, PROJECTIONS)),
        )

    def mcq_parts(self, params: AttentionCostParams) -> tuple[str, ...]:
        return ("with",) if params.prompt is not None else ("total",)

    def numeric_parts(self, params: AttentionCostParams) -> tuple[str, ...]:
        # Which term dominates is asked in words, so in the open format only.
        return ("without", "with") if params.prompt is not None else ("qk", "total")

    def solve(self, params: AttentionCostParams) -> Solution:
        if params.prompt is not None:
            return self._solve_generation(params)
        s, d, n, layers = params.length, params.width, params.sequences, params.layers
        total = total_cost(params)
        dominant = ATTENTION if s > 2 * d else PROJECTIONS
        steps = (
            Markup(
                r"$QK^\top$ multiplies an $S \times D$ by a $D \times S$ matrix: $S^2$ entries of $D$ products "
                r"each, $S^2 D = %s^2 \cdot %s = %s$." % (s, d, grouped(s * s * d))
            ),
            Markup(
                r"Per layer and sequence: the four projections cost $4 S D^2 = %s$ and attention ($QK^\top$ and "
                r"the weighted sum of values) $2 S^2 D = %s$." % (grouped(4 * s * d * d), grouped(2 * s * s * d))
            ),
            Markup(
                r"For $N = %d$ sequences through $L = %d$ layers: $N L (4 S D^2 + 2 S^2 D) = %d \cdot %d \cdot %s = %s$."
                % (n, layers, n, layers, grouped(4 * s * d * d + 2 * s * s * d), grouped(total))
            ),
            Markup(
                r"Attention dominates exactly when $2 S^2 D > 4 S D^2$, that is $S > 2D$; here $S = %d %s 2D = %d$, "
                r"so %s."
                % (
                    s,
                    ">" if s > 2 * d else "<",
                    2 * d,
                    "attention dominates" if dominant == ATTENTION else "the projections dominate",
                )
            ),
        )
        return Solution({"qk": sp.Integer(s * s * d), "total": sp.Integer(total), "dominant": dominant}, steps)

    def _solve_generation(self, params: AttentionCostParams) -> Solution:
        n, m = params.prompt, params.generated
        lengths = step_lengths(params)
        plain, cached = without_cache(params), with_cache(params)
        steps = [
            Markup(
                r"Step $j$ computes position $T_j = n + j - 1$, so the steps reach $T_j = %s$; "
                r"$T$ positions under a causal mask cost $T(T+1)/2$ scores." % ", ".join(map(str, lengths))
            ),
            Markup(
                r"Without a cache every step starts again: $%s = %d$ scores."
                % (" + ".join(str(causal_scores(t)) for t in lengths), plain)
            ),
        ]
        later = " + ".join(map(str, lengths[1:]))
        steps.append(
            Markup(
                r"With a cache the first step processes the prompt ($%d \cdot %d / 2 = %d$ scores)%s: "
                r"$%d$ scores, %d fewer."
                % (
                    n,
                    n + 1,
                    causal_scores(n),
                    r" and each later step scores one new query against $T_j$ "
                    r"cached keys: $%d + %s = %d$" % (causal_scores(n), later, cached)
                    if m > 1
                    else "",
                    cached,
                    plain - cached,
                )
            )
        )
        return Solution({"without": sp.Integer(plain), "with": sp.Integer(cached)}, tuple(steps))

    def verify(self, params: AttentionCostParams) -> dict:
        """Generation: simulate the steps, enumerating every (query, key) pair a step scores
        (with the cache, a set of pairs already scored is kept). Complexity: the layer as a
        list of matrix products by their shapes, each p×q by q×r costing p·q·r."""
        if params.prompt is not None:
            plain, computed = 0, set()
            for t in step_lengths(params):
                pairs = {(i, k) for i in range(t) for k in range(i + 1)}
                plain += len(pairs)
                computed |= pairs
            return {"without": plain, "with": len(computed)}
        s, d = params.length, params.width
        layer = [(s, d, d)] * 4 + [(s, d, s), (s, s, d)]  # Q, K, V, output; QKᵀ, then A·V
        per_layer = sum(p * q * r for p, q, r in layer)
        attention = sum(p * q * r for p, q, r in layer[4:])
        return {
            "total": params.sequences * params.layers * per_layer,
            "qk": s * d * s,
            "dominant": ATTENTION if attention > per_layer - attention else PROJECTIONS,
        }

    def mistakes(self, params: AttentionCostParams) -> Mistakes:
        found = Mistakes()
        if params.prompt is not None:
            n, m = params.prompt, params.generated
            lengths = step_lengths(params)
            later = sum(lengths[1:])
            for name, description, cached in (
                ("no_prompt_pass", "counted only the later steps, forgetting that the prompt is scored once", later),
                ("first_step_one_query", "counted the first step as one query against the n prompt keys", n + later),
                (
                    "new_key_counted_early",
                    "scored each new query against n + j keys (one too many)",
                    causal_scores(n) + sum(step_lengths(params, shift=1)[1:]),
                ),
                ("prompt_without_mask", "scored the prompt without the causal mask (n² pairs)", n * n + later),
                ("without_cache_count", "gave the count without a cache", without_cache(params)),
                ("final_length_per_step", "charged every step the final length n + m − 1", m * lengths[-1]),
                ("one_step_more", "ran one step more than the m tokens need", with_cache(params) + lengths[-1] + 1),
                ("one_step_fewer", "stopped one step early", with_cache(params) - lengths[-1] if m > 1 else None),
                ("prompt_pass_only", "counted the prompt pass and nothing for the later steps", causal_scores(n)),
                (
                    "prompt_processed_twice",
                    "processed the prompt again at the second step",
                    with_cache(params) + causal_scores(n) if m > 1 else None,
                ),
                (
                    "first_query_counted_twice",
                    "added the first step's query again after the prompt pass",
                    causal_scores(n) + sum(lengths),
                ),
            ):
                if cached is not None:
                    found.add(name, description, **{"with": sp.Integer(cached)})
            for name, description, plain in (
                ("no_causal_mask", "scored every query against every key (T² per step)", sum(t * t for t in lengths)),
                (
                    "new_key_counted_early",
                    "took T_j = n + j (one position too many)",
                    sum(causal_scores(t) for t in step_lengths(params, shift=1)),
                ),
                ("with_cache_count", "gave the count with a cache", with_cache(params)),
                ("prompt_only_each_step", "charged every step only the prompt's n(n + 1)/2", m * causal_scores(n)),
                (
                    "without_self",
                    "left out each query's score with its own key",
                    sum(t * (t - 1) // 2 for t in lengths),
                ),
                (
                    "one_step_more",
                    "ran one step more than the m tokens need",
                    without_cache(params) + causal_scores(lengths[-1] + 1),
                ),
                (
                    "one_step_fewer",
                    "stopped one step early",
                    without_cache(params) - causal_scores(lengths[-1]) if m > 1 else None,
                ),
                ("prompt_squared_each_step", "charged every step n² (the prompt, unmasked)", m * n * n),
            ):
                if plain is not None:
                    found.add(name, description, without=sp.Integer(plain))
            return found
        s, d, n, layers = params.length, params.width, params.sequences, params.layers
        per = 4 * s * d * d + 2 * s * s * d
        for name, description, total in (
            ("one_layer", "counted a single layer", n * per),
            ("one_sequence", "counted a single sequence", layers * per),
            ("attention_only", "counted attention only, not the projections", n * layers * 2 * s * s * d),
            ("projections_only", "counted the projections only, not attention", n * layers * 4 * s * d * d),
            (
                "three_projections",
                "forgot the output projection (three D×D products)",
                total_cost(params, projections=3),
            ),
            ("qk_only", "counted QKᵀ but not the weighted sum of values", total_cost(params, products=1)),
            (
                "constants_dropped",
                "dropped the constants of the O(·) terms (N·L·(S·D² + S²·D))",
                n * layers * (s * d * d + s * s * d),
            ),
            (
                "layers_on_one_term",
                "multiplied only the projection term by L",
                n * (layers * 4 * s * d * d + 2 * s * s * d),
            ),
            (
                "attention_d_squared",
                "charged attention S²·D² instead of S²·D",
                n * layers * (4 * s * d * d + 2 * s * s * d * d),
            ),
            ("batch_squared", "multiplied by N twice", n * n * layers * per),
            (
                "additions_counted",
                "counted a multiply and an add per product (twice the multiplications)",
                2 * n * layers * per,
            ),
            ("once_per_token", "charged the whole layer again for every token", n * layers * s * per),
        ):
            found.add(name, description, total=sp.Integer(total))
        found.add(
            "dominant_swapped",
            "took the other term to dominate (compare 2·S²·D with 4·S·D², constants kept)",
            dominant=PROJECTIONS if s > 2 * d else ATTENTION,
        )
        found.add("qk_times_width_squared", "counted S·D² for QKᵀ", qk=sp.Integer(s * d * d))
        return found

    def value_tex(self, params: AttentionCostParams, value: sp.Expr) -> Math:
        """Large counts with thin spaces between groups of three digits (1\\,610\\,612\\,736)."""
        return grouped(int(value)) if isinstance(value, sp.Integer) else super().value_tex(params, value)

    def rubric(self, params: AttentionCostParams) -> list[tuple[Markup, int]]:
        if params.prompt is not None:
            return [
                (Markup(r"the positions $T_j$ each step computes"), 1),
                (Markup(r"without a cache: $\sum_j T_j(T_j + 1)/2$"), 2),
                (Markup(r"with a cache: the prompt once, then one query per step"), 2),
                (Markup("why the cache saves work, and what it costs (memory for the keys and values)"), 1),
            ]
        return [
            (Markup(r"$QK^\top$: $S^2 D$"), 1),
            (Markup(r"the projections, $4 S D^2$ per layer and sequence"), 1),
            (Markup(r"attention, $2 S^2 D$, and the total times $N L$"), 2),
            (Markup(r"which term dominates, from $S$ against $2D$"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: AttentionCostParams) -> dict:
        return {
            "n": params.prompt,
            "m": params.generated,
            "N": params.sequences,
            "L": params.layers,
            "S": params.length,
            "D": params.width,
        }
