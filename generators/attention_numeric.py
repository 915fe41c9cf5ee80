"""`attention-numeric`: softmax(QKᵀ/√d_k)·V for two queries, two keys and two-dimensional values.

With two keys, softmax over a row is a sigmoid of the score difference:
a_{i1} = e^{s_{i1}}/(e^{s_{i1}} + e^{s_{i2}}) = 1/(1 + e^{s_{i2} − s_{i1}}), a_{i2} = 1 − a_{i1},
where S = QKᵀ/√d_k. Every answer is then c + b/(1 + e^{Δ}) for rationals c, b, Δ: exact, and
written with e (the question says so). d_k = 4, so that √d_k = 2 and the scores stay
rational; the scaling, the row-wise normalisation and which matrix is averaged are what the
named mistakes get wrong. The branches are `distinct` (both rows of S have different scores)
and `tied` (the first query scores both keys the same: weights of 1/2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, matrix, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes
from variantex.generators.kit import matrix as matrix_field

DISTINCT, TIED = "distinct", "tied"
ENTRIES = (-1, 0, 1, 2)


@dataclass(frozen=True)
class AttentionParams:
    queries: tuple[tuple[sp.Rational, ...], ...] = matrix_field()  # Q, 2 × d_k
    keys: tuple[tuple[sp.Rational, ...], ...] = matrix_field()  # K, 2 × d_k
    values: tuple[tuple[sp.Rational, ...], ...] = matrix_field()  # V, 2 × d_v

    def __post_init__(self) -> None:
        if len(self.queries) != 2 or len(self.keys) != 2 or len(self.values) != 2:
            raise InvalidParams("give two queries, two keys and two values (2-row Q, K and V)", "queries")
        if len(self.queries[0]) != len(self.keys[0]):
            raise InvalidParams("queries and keys have the same dimension d_k", "keys")
        if len(self.values[0]) > 3:
            raise InvalidParams("values have at most 3 entries", "values")
        if not sp.sqrt(self.dimension).is_rational:
            raise InvalidParams("d_k must be a square (1, 4, 9, …) so that the scaled scores stay exact", "queries")

    @property
    def dimension(self) -> int:
        return len(self.queries[0])

    def scores(self, scale: sp.Expr | None = None) -> list[list[sp.Rational]]:
        scale = sp.sqrt(self.dimension) if scale is None else scale
        return [[sum((a * b for a, b in zip(q, k)), sp.Integer(0)) / scale for k in self.keys] for q in self.queries]


def first_weight(difference: sp.Rational) -> sp.Expr:
    """a_{i1} = 1/(1 + e^{s_{i2} − s_{i1}}), an exact value."""
    return sp.Integer(1) / 2 if difference == 0 else 1 / (1 + sp.exp(difference))


def weights(scores: list[list[sp.Rational]]) -> list[list[sp.Expr]]:
    rows = []
    for s1, s2 in scores:
        a = first_weight(s2 - s1)
        rows.append([a, 1 - a])
    return rows


def combine(rows: list[list[sp.Expr]], values: tuple[tuple[sp.Rational, ...], ...]) -> list[list[sp.Expr]]:
    # sympy distributes the integer values and gathers like terms itself: c + b/(1 + e^Δ).
    return [[a1 * values[0][c] + a2 * values[1][c] for c in range(len(values[0]))] for a1, a2 in rows]


def sigmoid_form(value: sp.Expr) -> tuple[sp.Rational, sp.Rational, sp.Rational] | None:
    """(c, b, Δ) when value = c + b/(1 + e^{Δ}), the form of every answer here; else None."""
    constant, terms = value.as_coeff_add()
    if len(terms) != 1:
        return None
    factor, rest = terms[0].as_coeff_Mul()
    if isinstance(rest, sp.Pow) and rest.exp == -1 and isinstance(rest.base, sp.Add):
        one, exponential = rest.base.as_coeff_add()
        if one == 1 and len(exponential) == 1:
            if exponential[0] is sp.E:  # sympy writes e^1 as E
                return constant, factor, sp.Integer(1)
            if isinstance(exponential[0], sp.exp):
                return constant, factor, exponential[0].args[0]
    return None


def sigmoid_tex(value: sp.Expr) -> Math:
    """c + b/(1 + e^{Δ}) printed directly (sympy's printer orders each sum's terms through
    sort keys, most of a variant's cost); rationals and other forms go to tex."""
    form = sigmoid_form(value) if not isinstance(value, sp.Rational) else None
    if form is None:
        return tex(value)
    constant, factor, power = form
    # A fraction in the exponent is written with a slash: \frac there would be unreadably small.
    shown = str(power.p) if power.q == 1 else f"{power.p}/{power.q}"
    fraction = r"\frac{%s}{1 + %s}" % (tex(abs(factor)), "e" if power == 1 else "e^{%s}" % shown)
    if constant == 0:
        return Math(("-" if factor < 0 else "") + fraction)
    return Math(f"{tex(constant)} {'-' if factor < 0 else '+'} {fraction}")


class AttentionNumeric(Family):
    id = "attention-numeric"
    title = "Scaled dot-product attention by hand: the weights and output for two queries and two keys"
    branches = (DISTINCT, TIED)
    params_type = AttentionParams
    edge_cases = (
        EdgeCase(
            "orthogonal keys: scores 1/2 and 0",
            {"queries": [[1, 0, 0, 0], [0, 1, 0, 0]], "keys": [[1, 0, 0, 0], [0, 1, 0, 0]], "values": [[2, 0], [0, 2]]},
            {
                "a11": "1/(1 + exp(-1/2))",
                "a12": "1 - 1/(1 + exp(-1/2))",
                "o11": "2/(1 + exp(-1/2))",
                "o12": "2 - 2/(1 + exp(-1/2))",
            },
        ),
        EdgeCase(
            "a tie: equal scores give weights 1/2 and the mean of the values",
            {
                "queries": [[1, 1, 0, 0], [0, 0, 0, 0]],
                "keys": [[1, 0, 0, 0], [0, 1, 0, 0]],
                "values": [[4, -2], [0, 6]],
            },
            {"a11": "1/2", "a12": "1/2", "a21": "1/2", "a22": "1/2", "o11": 2, "o12": 2, "o21": 2, "o22": 2},
        ),
        EdgeCase(
            "d_k = 1: no scaling",
            {"queries": [[2], [-1]], "keys": [[1], [0]], "values": [[1], [3]]},
            {"a11": "1/(1 + exp(-2))", "o21": "3 - 2/(1 + exp(1))"},
        ),
    )

    def branch_of(self, params: AttentionParams) -> str:
        (s11, s12), _ = params.scores()
        return TIED if s11 == s12 else DISTINCT

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> AttentionParams:
        def row() -> tuple[int, ...]:
            return tuple(draws.pick(rng, ENTRIES) for _ in range(4))

        def until(accept, make, tries: int = 100):
            for _ in range(tries):
                candidate = make()
                if accept(candidate):
                    return candidate
            raise InvalidParams(f"not a {branch} draw", "queries")  # redrawn whole

        keys = until(lambda pair: pair[0] != pair[1], lambda: (row(), row()))
        values = until(
            lambda pair: pair[0] != pair[1],
            lambda: tuple(tuple(draws.small_int(rng, -2, 4) for _ in range(2)) for _ in range(2)),
        )

        def raw_scores(query) -> list[int]:  # plain integers while judging: QKᵀ before the /2
            return [sum(a * b for a, b in zip(query, key)) for key in keys]

        def fits(query, tied: bool) -> bool:
            first, second = raw_scores(query)
            # Score differences small enough to reason about (|Δ| ≤ 2 after the /2).
            return (first == second) == tied and abs(first - second) <= 4

        # The branch fixes the first row (tied or not); the second always needs a softmax.
        queries = (until(lambda q: fits(q, branch == TIED), row), until(lambda q: fits(q, False), row))
        exact = lambda rows: tuple(tuple(sp.Integer(x) for x in r) for r in rows)  # noqa: E731
        return AttentionParams(exact(queries), exact(keys), exact(values))

    # --- answers ----------------------------------------------------------------
    def parts(self, params: AttentionParams) -> tuple[Part, ...]:
        weight_parts = tuple(Part(f"a{i}{j}", Math(f"A_{{{i}{j}}}")) for i in (1, 2) for j in (1, 2))
        output_parts = tuple(
            Part(f"o{i}{c + 1}", Math(f"O_{{{i}{c + 1}}}")) for i in (1, 2) for c in range(len(params.values[0]))
        )
        return weight_parts + output_parts

    def mcq_parts(self, params: AttentionParams) -> tuple[str, ...]:
        return ("o21",)

    def solve(self, params: AttentionParams) -> Solution:
        raw = params.scores(sp.Integer(1))
        scores = params.scores()
        rows = weights(scores)
        out = combine(rows, params.values)
        root = sp.sqrt(params.dimension)
        values = {f"a{i + 1}{j + 1}": rows[i][j] for i in range(2) for j in range(2)}
        values.update({f"o{i + 1}{c + 1}": out[i][c] for i in range(2) for c in range(len(out[0]))})
        steps = (
            Markup(
                r"$QK^\top = %s$, so $S = QK^\top/\sqrt{d_k} = QK^\top/%s = %s$."
                % (matrix(raw), tex(root), matrix(scores))
            ),
            Markup(
                r"Softmax runs along each row (over the keys). With two keys, "
                r"$A_{i1} = e^{S_{i1}}/(e^{S_{i1}} + e^{S_{i2}}) = 1/(1 + e^{S_{i2} - S_{i1}})$ and $A_{i2} = 1 - A_{i1}$: "
                r"$A_{11} = %s$, $A_{21} = %s$." % (sigmoid_tex(rows[0][0]), sigmoid_tex(rows[1][0]))
            ),
            Markup(
                r"Each output row is its weights times the rows of $V = %s$: $O_{i\cdot} = A_{i1} V_{1\cdot} + "
                r"A_{i2} V_{2\cdot}$, so $O = %s$."
                % (
                    matrix(params.values),
                    r"\begin{bmatrix}%s\end{bmatrix}" % r"\\".join(" & ".join(sigmoid_tex(v) for v in r) for r in out),
                )
            ),
        )
        return Solution(values, steps)

    def verify(self, params: AttentionParams) -> dict:
        """numpy floats: S = QKᵀ/√d_k, a row-wise softmax (shifted by the row maximum), O = A·V."""
        q, k, v = (np.array([[float(x) for x in r] for r in m]) for m in (params.queries, params.keys, params.values))
        scores = q @ k.T / math.sqrt(q.shape[1])
        exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))
        attention = exponentials / exponentials.sum(axis=1, keepdims=True)
        out = attention @ v
        found = {f"a{i + 1}{j + 1}": float(attention[i, j]) for i in range(2) for j in range(2)}
        found.update({f"o{i + 1}{c + 1}": float(out[i, c]) for i in range(2) for c in range(out.shape[1])})
        return found

    def mistakes(self, params: AttentionParams) -> Mistakes:
        values, found = params.values, Mistakes()
        columns = params.scores()
        rows = weights(columns)
        right = combine(rows, values)[1][0]

        def second_output(rows: list[list[sp.Expr]], table=values) -> sp.Expr:
            return combine(rows, table)[1][0]

        raw = params.scores(sp.Integer(1))
        by_d = params.scores(sp.Integer(params.dimension))
        # Softmax over the queries (each column) instead of over the keys (each row).
        down = [[first_weight(columns[1][j] - columns[0][j]) for j in range(2)]]
        down.append([1 - down[0][0], 1 - down[0][1]])
        for name, description, wrong in (
            ("no_scaling", "left out the 1/√d_k scaling", second_output(weights(raw))),
            ("divided_by_d", "divided the scores by d_k instead of √d_k", second_output(weights(by_d))),
            (
                "negated_scores",
                "took the softmax of −S (e^{−s} in place of e^{s})",
                second_output([[1 - a, a] for a, _ in rows]),
            ),
            (
                "softmax_over_queries",
                "normalised each column (over the queries) instead of each row",
                second_output(down),
            ),
            ("uniform_weights", "gave both keys weight 1/2", (values[0][0] + values[1][0]) / 2),
            (
                "hard_attention",
                "took the value of the higher-scoring key alone",
                values[0][0] if columns[1][0] > columns[1][1] else values[1][0],
            ),
            (
                "value_transposed",
                "took the weighted sum along a row of V instead of down its column",
                rows[1][0] * values[0][0] + rows[1][1] * values[0][1] if len(values[0]) > 1 else None,
            ),
            (
                "not_normalised",
                "left the exponentials unnormalised",
                sp.exp(columns[1][0]) * values[0][0] + sp.exp(columns[1][1]) * values[1][0],
            ),
            ("sign_slip", "lost the sign of the output", -right),
            (
                "keys_averaged",
                "averaged the keys instead of the values",
                rows[1][0] * params.keys[0][0] + rows[1][1] * params.keys[1][0],
            ),
            ("first_query", "used the first query's weights for the second row", combine(rows, values)[0][0]),
        ):
            if wrong is not None:  # a one-column V has no row to sum along
                found.add(name, description, o21=wrong)
        return found

    def plausible(self, params: AttentionParams, values: tuple) -> bool:
        """An output is a value plus a multiple of one weight, c + b/(1 + e^{Δ}): options of
        another shape would give themselves away."""
        return all(isinstance(v, sp.Rational) or sigmoid_form(v) is not None for v in values)

    def value_tex(self, params: AttentionParams, value: sp.Expr) -> Math:
        return sigmoid_tex(value)

    def rubric(self, params: AttentionParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"the scores $QK^\top/\sqrt{d_k}$"), 1),
            (Markup("the softmax along each row"), 2),
            (Markup(r"the output $O = AV$"), 2),
            (Markup("the role of the scaling, explained"), 1),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: AttentionParams) -> dict:
        return {
            "Q": Math(matrix(params.queries)),
            "K": Math(matrix(params.keys)),
            "V": Math(matrix(params.values)),
            "d": params.dimension,
        }
