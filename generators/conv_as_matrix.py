"""`conv-as-matrix`: a 1-D convolution written as a banded matrix with shared weights.

A convolution with kernel w = (w_1, …, w_k), stride s and zero padding p maps an input of
length n to L = ⌊(n + 2p − k)/s⌋ + 1 outputs, y_i = Σ_t w_t·x_{(i−1)s + t − p} (entries of x
outside 1…n are the padding zeros). As a matrix acting on x it is L × n with
M_{i,j} = w_{j − (i−1)s + p} where that index lies in 1…k and 0 elsewhere: row i is the
kernel shifted by s·(i − 1), clipped where it falls on padding. Its k distinct weights are
shared by every row, where a dense layer between the same sizes has L·n free parameters.
The branches are `valid` (stride 1, no padding), `padded` (stride 1, padding ≥ 1: clipped
rows at the ends) and `strided` (stride 2: rows shift by two, and the floor matters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, matrix, row_tuple, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, integer, vector

VALID, PADDED, STRIDED = "valid", "padded", "strided"


@dataclass(frozen=True)
class ConvParams:
    n: int = integer(low=1, high=64)  # input length
    kernel: tuple[sp.Rational, ...] = vector()  # w_1 … w_k
    stride: int = integer(low=1, high=8)
    padding: int = integer(low=0, high=8)
    row: int = integer(low=1, high=64)  # the entry M_{row, col} asked for
    col: int = integer(low=1, high=64)

    def __post_init__(self) -> None:
        k = len(self.kernel)
        if not 1 <= k <= self.n + 2 * self.padding:
            raise InvalidParams("the kernel must fit in the padded input (1 ≤ k ≤ n + 2p)", "kernel")
        if self.padding >= k:
            raise InvalidParams("padding of k or more adds outputs that see only zeros", "padding")
        if self.row > self.length:
            raise InvalidParams(f"the matrix has only {self.length} rows", "row")
        if self.col > self.n:
            raise InvalidParams(f"the matrix has only {self.n} columns", "col")

    @property
    def k(self) -> int:
        return len(self.kernel)

    @property
    def length(self) -> int:
        return output_length(self.n, self.k, self.stride, self.padding)


def output_length(n: int, k: int, stride: int, padding: int) -> int:
    return (n + 2 * padding - k) // stride + 1


def tap(params: ConvParams, row: int, col: int) -> int | None:
    """The kernel index t (1…k) at M_{row, col}, or None off the band."""
    t = col - (row - 1) * params.stride + params.padding
    return t if 1 <= t <= params.k else None


def conv_matrix(params: ConvParams) -> list[list[sp.Rational]]:
    return [
        [params.kernel[t - 1] if (t := tap(params, i, j)) else sp.Integer(0) for j in range(1, params.n + 1)]
        for i in range(1, params.length + 1)
    ]


class ConvAsMatrix(Family):
    id = "conv-as-matrix"
    title = "A 1-D convolution as a banded matrix: output length, entries and shared parameters"
    branches = (VALID, PADDED, STRIDED)
    params_type = ConvParams
    edge_cases = (
        EdgeCase(
            "n = 5, k = 3, valid: L = 3, 15 dense parameters against 3",
            {"n": 5, "kernel": [1, 2, 3], "stride": 1, "padding": 0, "row": 2, "col": 3},
            {"length": 3, "entry": 2, "dense": 15, "ratio": 5},
        ),
        EdgeCase(
            "'same' padding p = 1 keeps the length; the first row is clipped",
            {"n": 5, "kernel": [1, 2, 3], "stride": 1, "padding": 1, "row": 1, "col": 1},
            {"length": 5, "entry": 2, "dense": 25, "ratio": "25/3"},
        ),
        EdgeCase(
            "stride 2 with k = 2: the rows do not overlap, and M_{2,1} is off the band",
            {"n": 6, "kernel": [4, -1], "stride": 2, "padding": 0, "row": 2, "col": 1},
            {"length": 3, "entry": 0, "dense": 18, "ratio": 9},
        ),
        EdgeCase(
            "a kernel as long as the input: one output, a dense row",
            {"n": 4, "kernel": [1, 1, 2, 3], "stride": 1, "padding": 0, "row": 1, "col": 4},
            {"length": 1, "entry": 3, "dense": 4, "ratio": 1},
        ),
        EdgeCase(
            "the floor: (7 + 0 − 2)/2 = 2.5 gives L = 3",
            {"n": 7, "kernel": [1, 2], "stride": 2, "padding": 0, "row": 3, "col": 6},
            {"length": 3, "entry": 2},
        ),
    )

    def branch_of(self, params: ConvParams) -> str:
        if params.stride > 1:
            return STRIDED
        return PADDED if params.padding > 0 else VALID

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> ConvParams:
        k = draws.small_int(rng, 2, 4)
        n = draws.small_int(rng, k + 3, 9)
        stride = 2 if branch == STRIDED else 1
        padding = {VALID: 0, PADDED: draws.small_int(rng, 1, k - 1), STRIDED: draws.small_int(rng, 0, 1)}[branch]
        kernel = tuple(sp.Integer(w) for w in draws.subset(rng, [-3, -2, -1, 1, 2, 3, 4, 5], k))
        kernel = tuple(draws.shuffled(rng, list(kernel)))
        length = output_length(n, k, stride, padding)
        row = draws.small_int(rng, 1, length)
        # Half the entries asked lie on the band, half off it: the band is the point.
        on_band = [j for j in range(1, n + 1) if 1 <= j - (row - 1) * stride + padding <= k]
        off_band = [j for j in range(1, n + 1) if j not in on_band]
        columns = on_band if (not off_band or rng.integers(2)) else off_band
        return ConvParams(n, kernel, stride, padding, row, draws.pick(rng, columns))

    # --- answers ----------------------------------------------------------------
    def parts(self, params: ConvParams) -> tuple[Part, ...]:
        return (
            Part("length", Math("L")),
            Part("entry", Math(f"M_{{{params.row},{params.col}}}")),
            Part("dense", Math(r"\text{dense parameters}")),
            Part("ratio", Math(r"\text{dense} / \text{shared}")),
        )

    def mcq_parts(self, params: ConvParams) -> tuple[str, ...]:
        return ("ratio",)

    def solve(self, params: ConvParams) -> Solution:
        n, k, s, p = params.n, params.k, params.stride, params.padding
        length = params.length
        t = tap(params, params.row, params.col)
        entry = params.kernel[t - 1] if t else sp.Integer(0)
        dense = length * n
        steps = (
            Markup(
                r"Output length: $L = \lfloor (n + 2p - k)/s \rfloor + 1 = \lfloor (%d + %d - %d)/%d \rfloor + 1 = %d$."
                % (n, 2 * p, k, s, length)
            ),
            Markup(
                r"Row $i$ holds the kernel shifted by $s(i - 1)$: $M_{i,j} = w_{j - (i-1)s + p}$ when that index "
                r"is in $1, \ldots, %d$, else $0$%s: $M = %s$."
                % (
                    k,
                    " (where the kernel overlaps the padding its taps are cut off)" if p else "",
                    matrix(conv_matrix(params)),
                )
            ),
            Markup(
                r"$M_{%d,%d}$: index $%d - %d + %d = %d$, %s."
                % (
                    params.row,
                    params.col,
                    params.col,
                    (params.row - 1) * s,
                    p,
                    params.col - (params.row - 1) * s + p,
                    r"so $M_{%d,%d} = w_{%d} = %s$" % (params.row, params.col, t, tex(entry))
                    if t
                    else r"outside $1, \ldots, %d$: off the band, $0$" % k,
                )
            ),
            Markup(
                r"The convolution has $k = %d$ weights, shared by every row; a dense layer from $%d$ inputs to $%d$ "
                r"outputs has $L \cdot n = %d$, that is $%s$ times as many."
                % (k, n, length, dense, tex(sp.Rational(dense, k)))
            ),
        )
        return Solution(
            {"length": sp.Integer(length), "entry": entry, "dense": sp.Integer(dense), "ratio": sp.Rational(dense, k)},
            steps,
        )

    def verify(self, params: ConvParams) -> dict:
        """numpy: the layer applied to each unit vector e_j (padded with np.pad, windows taken
        at the stride) gives column j of the matrix; its shape and entries are then read off."""
        kernel = np.array([float(w) for w in params.kernel])
        columns = []
        for j in range(params.n):
            unit = np.zeros(params.n)
            unit[j] = 1.0
            padded = np.pad(unit, params.padding)
            starts = range(0, len(padded) - len(kernel) + 1, params.stride)
            columns.append([float(padded[a : a + len(kernel)] @ kernel) for a in starts])
        built = np.array(columns).T
        return {
            "length": built.shape[0],
            "entry": float(built[params.row - 1, params.col - 1]),
            "dense": built.size,
            "ratio": built.size / len(kernel),
        }

    def mistakes(self, params: ConvParams) -> Mistakes:
        n, k, s, p = params.n, params.k, params.stride, params.padding
        length = params.length
        found = Mistakes()

        def with_length(name: str, description: str, wrong: sp.Rational | int) -> None:
            wrong = sp.Rational(wrong)
            if wrong > 0 and wrong != length:
                found.add(name, description, length=wrong, dense=wrong * n, ratio=wrong * n / k)

        with_length("no_plus_one", "left out the + 1 of the output length", (n + 2 * p - k) // s)
        with_length("padding_once", "added the padding on one side only", (n + p - k) // s + 1)
        with_length("no_padding", "ignored the padding", (n - k) // s + 1)
        with_length("stride_ignored", "ignored the stride", n + 2 * p - k + 1)
        with_length("ceiling", "rounded (n + 2p − k)/s up instead of down", -((-(n + 2 * p - k)) // s) + 1)
        with_length("kernel_added", "added k instead of subtracting it", (n + 2 * p + k) // s + 1)
        with_length("exact_division", "divided without the floor", sp.Rational(n + 2 * p - k, s) + 1)
        with_length("full_convolution_length", "used the length n + k − 1 of a full convolution", n + k - 1)
        found.add(
            "dense_square", "took the dense layer to be n × n", dense=sp.Integer(n * n), ratio=sp.Rational(n * n, k)
        )
        found.add(
            "dense_padded",
            "counted the padded input n + 2p as the dense layer's inputs",
            dense=sp.Integer(length * (n + 2 * p)),
            ratio=sp.Rational(length * (n + 2 * p), k),
        )
        found.add("shared_per_row", "counted the shared weights once per row (L·k)", ratio=sp.Rational(n, k))
        found.add("ratio_inverted", "divided the shared count by the dense one", ratio=sp.Rational(k, length * n))
        found.add("not_divided", "gave the dense count, not the ratio", ratio=sp.Integer(length * n))
        found.add(
            "biases_counted",
            "counted a bias per output in the dense layer and one in the convolution",
            ratio=sp.Rational(length * n + length, k + 1),
        )
        found.add("kernel_squared", "took a k × k kernel", ratio=sp.Rational(length * n, k * k))
        t = tap(params, params.row, params.col)
        mirrored = params.col + (params.row - 1) * s - p  # shifting the wrong way
        if t:
            found.add(
                "flipped_kernel",
                "read the kernel back to front (that is correlation's mirror image)",
                entry=params.kernel[k - t],
            )
        if 1 <= mirrored <= k:
            found.add("shift_reversed", "shifted the kernel left instead of right", entry=params.kernel[mirrored - 1])
        no_padding = params.col - (params.row - 1) * s
        if 1 <= no_padding <= k:
            found.add(
                "padding_ignored_in_index",
                "indexed the kernel without the padding offset",
                entry=params.kernel[no_padding - 1],
            )
        return found

    def rubric(self, params: ConvParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"the output length, with padding, stride and the floor"), 1),
            (Markup(r"the banded structure: row $i$ is the kernel shifted by $s(i-1)$"), 2),
            (Markup(r"the entry $M_{%d,%d}$" % (params.row, params.col)), 1),
            (Markup(r"shared against dense parameters, and why sharing matters"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: ConvParams) -> dict:
        return {
            "n": params.n,
            "k": params.k,
            "w": Math(row_tuple(params.kernel)),
            "s": params.stride,
            "p": params.padding,
            "row": params.row,
            "col": params.col,
        }
