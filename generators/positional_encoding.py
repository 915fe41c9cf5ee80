"""`positional-encoding`: sinusoidal position encodings and the rotation that shifts them.

A sinusoidal encoding of position n stacks, for each frequency ω_j, the pair
(sin nω_j, cos nω_j). By the angle-addition formulas the pair of position n + k is the pair
of position n times a fixed 2×2 block, [[cos kω, sin kω], [−sin kω, cos kω]], so W_k with
r_{n+k} = W_k·r_n is block-diagonal, depends only on the offset k,
and attention can express "k positions back" linearly. A sine-only encoding (sin nω_j alone)
has no such matrix: sin((n + k)ω) = sin nω cos kω + cos nω sin kω needs the cosine it lacks.
The transformer's frequencies are 1/10000^{2j/d}; here, so that every value is exact and the
question calculator-free, the frequencies are toy angles ω_j = π/m_j (drawn m_j in 2, 3, 4, 6; params may also give 12),
so that a drawn variant's sines and cosines are 0, ±1/2, ±√2/2, ±√3/2 or ±1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, matrix, paren, row_tuple, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution, TextAnswer
from variantex.generators.kit import EdgeCase, Mistakes, integer, vector

ROTATION = "rotation"
NO, YES = "no", "yes"
DIVISORS = (2, 3, 4, 6, 12)
BLOCK_PARTS = ("b11", "b12", "b21", "b22")


@dataclass(frozen=True)
class EncodingParams:
    divisors: tuple[sp.Rational, ...] = vector()  # ω_j = π/m_j, one frequency per pair
    position: int = integer(low=0, high=1000)  # n
    offset: int = integer(low=1, high=1000)  # k
    block: int = integer(low=1, high=8)  # which frequency's block of W_k is asked (1-based)

    def __post_init__(self) -> None:
        if not 1 <= len(self.divisors) <= 3:
            raise InvalidParams("give 1 to 3 frequencies", "divisors")
        for i, m in enumerate(self.divisors):
            if not m.is_integer or int(m) not in DIVISORS:
                raise InvalidParams(f"each m_j is one of {', '.join(map(str, DIVISORS))} (ω = π/m)", f"divisors[{i}]")
        if self.block > len(self.divisors):
            raise InvalidParams(f"there are only {len(self.divisors)} frequencies", "block")

    def omega(self, j: int) -> sp.Expr:
        return sp.pi / self.divisors[j]


def rotation_block(angle: sp.Expr) -> tuple[sp.Expr, ...]:
    """B with (sin(a + b), cos(a + b))ᵀ = B·(sin a, cos a)ᵀ for b = angle, read row by row."""
    return (sp.cos(angle), sp.sin(angle), -sp.sin(angle), sp.cos(angle))


class PositionalEncoding(Family):
    id = "positional-encoding"
    title = "Sinusoidal positional encodings: values, the rotation W_k that shifts them by k, and sine-only encodings"
    branches = (ROTATION,)
    params_type = EncodingParams
    text_answers = {
        NO: TextAnswer("no", ("there is none", "no such matrix", "impossible", "it does not exist")),
        YES: TextAnswer("yes", ("there is one", "it exists")),
    }
    edge_cases = (
        EdgeCase(
            "ω = π/2, n = 1, k = 1: the pair (1, 0) moves to (0, −1)",
            {"divisors": [2], "position": 1, "offset": 1, "block": 1},
            {"e1": 1, "e2": 0, "b11": 0, "b12": 1, "b21": -1, "b22": 0, "shifted": 0, "sine_only": NO},
        ),
        EdgeCase(
            "ω = π/6, n = 2, k = 1: sin(π/3) = √3/2, and the block rotates by π/6",
            {"divisors": [6, 4], "position": 2, "offset": 1, "block": 1},
            {
                "e1": "sqrt(3)/2",
                "e2": "1/2",
                "e3": 1,
                "e4": 0,
                "b11": "sqrt(3)/2",
                "b12": "1/2",
                "b21": "-1/2",
                "b22": "sqrt(3)/2",
                "shifted": 1,
            },
        ),
        EdgeCase(
            "k a full period (k = 2m): W_k is the identity, and sine-only encodings keep one",
            {"divisors": [3], "position": 1, "offset": 6, "block": 1},
            {"b11": 1, "b12": 0, "b21": 0, "b22": 1, "shifted": "sqrt(3)/2", "sine_only": YES},
        ),
    )

    def branch_of(self, params: EncodingParams) -> str:
        return ROTATION

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> EncodingParams:
        # No π/12: its sines, (√6 ± √2)/4, are not among the values the question can promise.
        divisors = tuple(sp.Integer(m) for m in draws.subset(rng, [2, 3, 4, 6], 2))
        # The block asked is for a frequency with angles whose sine and cosine differ in size
        # (π/4's multiples have |sin| = |cos|, so its swaps would not show; π/2's are 0 and ±1).
        blocks = [i + 1 for i, m in enumerate(divisors) if m not in (2, 4)]
        if not blocks:
            raise InvalidParams("π/2 and π/4 alone leave no block whose swaps show", "divisors")  # redrawn
        block = draws.pick(rng, blocks)
        m = int(divisors[block - 1])
        # An offset whose angle kω has a sine and a cosine that are nonzero and of different
        # sizes, so that swapping them or their signs is visible.
        offsets = [k for k in range(1, 2 * m) if (2 * k) % m != 0 and (4 * k) % m != 0]
        return EncodingParams(divisors, draws.small_int(rng, 1, 5), draws.pick(rng, offsets), block)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: EncodingParams) -> tuple[Part, ...]:
        entries = tuple(
            Part(f"e{i + 1}", Math(f"(r_{{{params.position}}})_{{{i + 1}}}")) for i in range(2 * len(params.divisors))
        )
        j = params.block
        block = tuple(Part(name, Math(f"(B_{j})_{{{name[1]}{name[2]}}}")) for name in BLOCK_PARTS)
        return (
            entries
            + block
            + (
                Part("shifted", Math(f"(r_{{{params.position + params.offset}}})_{{{2 * j - 1}}}")),
                Part("sine_only", Math(r"\text{a fixed matrix for sine-only encodings}"), text_answers=(NO, YES)),
            )
        )

    def mcq_parts(self, params: EncodingParams) -> tuple[str, ...]:
        return BLOCK_PARTS

    def numeric_parts(self, params: EncodingParams) -> tuple[str, ...]:
        return tuple(part.name for part in self.parts(params) if part.name != "sine_only")

    def solve(self, params: EncodingParams) -> Solution:
        n, k, j = params.position, params.offset, params.block - 1
        values: dict[str, Any] = {}
        for i in range(len(params.divisors)):
            values[f"e{2 * i + 1}"] = sp.sin(n * params.omega(i))
            values[f"e{2 * i + 2}"] = sp.cos(n * params.omega(i))
        omega = params.omega(j)
        block = rotation_block(k * omega)
        values.update(zip(BLOCK_PARTS, block))
        values["shifted"] = sp.sin((n + k) * omega)
        values["sine_only"] = YES if all((k / m).is_integer for m in params.divisors) else NO
        pairs = ", ".join(
            r"\sin(%s), \cos(%s)" % (tex(n * params.omega(i)), tex(n * params.omega(i)))
            for i in range(len(params.divisors))
        )
        steps = (
            Markup(
                r"$r_{%d} = (%s)^\top = %s^\top$."
                % (n, pairs, row_tuple([values[f"e{i + 1}"] for i in range(2 * len(params.divisors))]))
            ),
            Markup(
                r"Angle addition: $\sin((n+k)\omega) = \sin(n\omega) \cos(k\omega) + \cos(n\omega) \sin(k\omega)$ and "
                r"$\cos((n+k)\omega) = \cos(n\omega) \cos(k\omega) - \sin(n\omega) \sin(k\omega)$, so "
                r"$(\sin((n+k)\omega), \cos((n+k)\omega))^\top = B\, (\sin(n\omega), \cos(n\omega))^\top$ with "
                r"$B = \begin{bmatrix}\cos(k\omega) & \sin(k\omega)\\ -\sin(k\omega) & \cos(k\omega)\end{bmatrix}$, "
                r"the same for every $n$; $W_k$ is block-diagonal with one such block per frequency."
            ),
            Markup(
                r"For $\omega_{%d} = %s$ and $k = %d$: $k\omega = %s$ and $B_{%d} = %s$."
                % (j + 1, tex(omega), k, tex(k * omega), j + 1, matrix([block[:2], block[2:]]))
            ),
            Markup(
                r"Check: $(r_{%d})_{%d} = \sin(%s) = %s$, the first row of $B_{%d}$ times "
                r"$(\sin(n\omega), \cos(n\omega))$: $%s \cdot %s + %s \cdot %s$."
                % (
                    n + k,
                    2 * j + 1,
                    tex((n + k) * omega),
                    tex(values["shifted"]),
                    j + 1,
                    paren(block[0]),
                    paren(values[f"e{2 * j + 1}"]),
                    paren(block[1]),
                    paren(values[f"e{2 * j + 2}"]),
                )
            ),
            Markup(
                r"A sine-only encoding has such a matrix only when every $k\omega_j$ is a multiple of $\pi$ "
                r"($\sin((n+k)\omega) = \pm\sin(n\omega)$); otherwise $\sin((n+k)\omega)$ needs $\cos(n\omega)$, "
                r"which is not a fixed linear function of $\sin(n\omega)$ (with $\omega = \pi/m$, positions $n$ and "
                r"$m - n$ share $\sin(n\omega)$ but not $\cos(n\omega)$). Here: %s."
                % (
                    r"yes, $W_k$ restricted to the sines is a diagonal of $\pm 1$"
                    if values["sine_only"] == YES
                    else "no"
                )
            ),
        )
        return Solution(values, steps)

    def verify(self, params: EncodingParams) -> dict:
        """numpy floats: encodings computed with np.sin/np.cos at positions 0…11; the block found
        by least squares from those pairs and the pairs k positions later; the sine-only question
        answered by the residual of the best linear map from sin nω to sin (n+k)ω."""
        j = params.block - 1
        omegas = np.pi / np.array([float(m) for m in params.divisors])
        n, k = params.position, params.offset
        found: dict[str, Any] = {}
        for i, omega in enumerate(omegas):
            found[f"e{2 * i + 1}"] = float(np.sin(n * omega))
            found[f"e{2 * i + 2}"] = float(np.cos(n * omega))
        positions = np.arange(12)
        omega = omegas[j]
        now = np.stack([np.sin(positions * omega), np.cos(positions * omega)], axis=1)
        later = np.stack([np.sin((positions + k) * omega), np.cos((positions + k) * omega)], axis=1)
        block, *_ = np.linalg.lstsq(now, later, rcond=None)
        found.update(zip(BLOCK_PARTS, (float(x) for x in block.T.ravel())))  # rows times B: W is Bᵀ
        found["shifted"] = float(np.sin((n + k) * omega))
        positions = np.arange(48)  # two periods of the slowest toy frequency
        sines = np.sin(np.outer(positions, omegas))
        shifted = np.sin(np.outer(positions + k, omegas))
        fit, *_ = np.linalg.lstsq(sines, shifted, rcond=None)
        error = float(np.abs(sines @ fit - shifted).max())
        found["sine_only"] = NO if error > 1e-6 else YES
        return found

    def mistakes(self, params: EncodingParams) -> Mistakes:
        n, k, j = params.position, params.offset, params.block - 1
        omega = params.omega(j)
        c, s = sp.cos(k * omega), sp.sin(k * omega)
        found = Mistakes()
        for name, description, block in (
            ("rotation_reversed", "rotated the other way (the transpose: sin and −sin swapped)", (c, -s, s, c)),
            ("sine_cosine_swapped", "put sin kω on the diagonal and cos kω off it", (s, c, -c, s)),
            ("no_minus_sign", "left out the minus sign of the rotation", (c, s, s, c)),
            ("position_not_offset", "used the position n instead of the offset k", rotation_block(n * omega)),
            (
                "absolute_position",
                "used the target position n + k instead of the offset k",
                rotation_block((n + k) * omega),
            ),
            ("identity", "took W_k as the identity (positions are just added)", (1, 0, 0, 1)),
            ("angle_in_degrees", "read kω as k·(180/m) radians", rotation_block(k * 180 / params.divisors[j])),
            ("half_angle", "used the angle kω/2", rotation_block(k * omega / 2)),
        ):
            found.add(name, description, **dict(zip(BLOCK_PARTS, (sp.sympify(v) for v in block))))
        found.add("cos_for_sin", "computed the shifted entry with cos instead of sin", shifted=sp.cos((n + k) * omega))
        found.add("sine_only_assumed", "assumed the same rotation works for sine-only encodings", sine_only=YES)
        return found

    def show_values(self, params: EncodingParams, values: tuple) -> Markup:
        """A block option prints as the 2×2 matrix it is."""
        if len(values) == 4:
            return Markup("$%s$" % matrix([values[:2], values[2:]]))
        return super().show_values(params, values)

    def rubric(self, params: EncodingParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"the encoding $r_n$"), 1),
            (Markup("the rotation block from angle addition, independent of n"), 2),
            (Markup(r"$(r_{n+k})$ from $r_n$ and the block"), 1),
            (
                Markup(r"why sine-only encodings keep such a matrix here (every $k\omega_j$ a multiple of $\pi$)")
                if self.solve(params).values["sine_only"] == YES
                else Markup("why sine-only encodings have no such matrix"),
                2,
            ),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: EncodingParams) -> dict:
        return {
            "omegas": Math(
                ", ".join(r"\omega_{%d} = %s" % (i + 1, tex(params.omega(i))) for i in range(len(params.divisors)))
            ),
            "layout": Math(
                "(%s)^\\top"
                % ", ".join(
                    r"\sin(n\omega_{%d}), \cos(n\omega_{%d})" % (i, i) for i in range(1, len(params.divisors) + 1)
                )
            ),
            "sines": Math(
                "(%s)^\\top" % ", ".join(r"\sin(n\omega_{%d})" % i for i in range(1, len(params.divisors) + 1))
            ),
            "count": len(params.divisors),
            "d": 2 * len(params.divisors),
            "n": params.position,
            "k": params.offset,
            "j": params.block,
            "last": 2 * len(params.divisors) - 1,
        }
