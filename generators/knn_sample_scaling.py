"""`knn-sample-scaling`: how many samples the 1-NN bound asks for, in d dimensions or on a plane.

For a c-Lipschitz regression function on the unit cube of R^d, the expected error of the
1-nearest-neighbour classifier obeys E[L(f_N)] ≤ 2L* + 4c·√d·N^{−1/(d+1)}. For an excess
error of at most ε over 2L* it suffices that N ≥ (4c√d/ε)^{d+1}, so halving ε multiplies N
by 2^{d+1}: the curse of dimensionality. When the data lie on a p-dimensional plane inside
R^D — only p coordinates vary, so the data fill a unit p-cube — the bound holds with p in
place of D (distances within that cube are at most √p), so N grows like 2^{p+1}, not
2^{D+1}. The branches are `ambient` (data fill the unit cube of R^d) and `plane` (data fill
[0, 1]^p × {0}^{D−p}). Dimensions are perfect squares so that √d is whole; drawn variants
have a whole base 4c√d/ε, so N = base^{d+1} ≤ 10⁶ is worked out without a calculator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, grouped, tex
from variantex.answer_engine.search import crossing, smallest_whole
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, integer, number

AMBIENT, PLANE = "ambient", "plane"
LIPSCHITZ = tuple(sorted({sp.Rational(p, q) for q in (2, 3, 4, 5, 6, 8) for p in range(1, 3 * q + 1)}))
MAX_SAMPLES = 10**6


@dataclass(frozen=True)
class KnnParams:
    dimension: int = integer(low=1, high=400)  # d, or the ambient D on the plane branch
    lipschitz: sp.Rational = number(positive=True)  # c
    epsilon: sp.Rational = number(positive=True)  # the target excess error over 2L*
    plane: int | None = integer(default=None, low=1, high=400)  # p: the data's plane dimension

    def __post_init__(self) -> None:
        if self.plane is not None and self.plane >= self.dimension:
            raise InvalidParams("the plane's dimension p is smaller than the ambient D", "plane")
        if not sp.sqrt(self.effective).is_rational:
            raise InvalidParams(
                "the (effective) dimension must be a square (1, 4, 9, …) so that √d is exact",
                "plane" if self.plane is not None else "dimension",
            )
        if len(str(samples(self, self.effective))) > 30:
            raise InvalidParams("the bound asks for more than 10^30 samples: choose a larger ε", "epsilon")

    @property
    def effective(self) -> int:
        return self.plane if self.plane is not None else self.dimension


def samples(
    params: KnnParams,
    dimension: int,
    exponent_shift: int = 1,
    root: bool = True,
    four: bool = True,
    epsilon: sp.Rational | None = None,
) -> sp.Integer:
    """⌈(4c√d/ε)^{d+1}⌉ with the slips students make switched by the arguments."""
    base = (4 if four else 1) * params.lipschitz * (sp.sqrt(dimension) if root else 1)
    return exact.ceiling((base / (params.epsilon if epsilon is None else epsilon)) ** (dimension + exponent_shift))


class KnnSampleScaling(Family):
    id = "knn-sample-scaling"
    title = "Samples for the 1-NN bound 2L* + 4c·√d·N^(−1/(d+1)): the curse of dimension, and data on a plane"
    branches = (AMBIENT, PLANE)
    params_type = KnnParams
    edge_cases = (
        EdgeCase(
            "d = 1, c = 1, ε = 1: N = 4² = 16, halving ε multiplies N by 4",
            {"dimension": 1, "lipschitz": 1, "epsilon": 1},
            {"n": 16, "factor": 4},
        ),
        EdgeCase(
            "d = 4, c = 1/2, ε = 1/2: (4·(1/2)·2·2)^5 = 8^5",
            {"dimension": 4, "lipschitz": "1/2", "epsilon": "1/2"},
            {"n": 32768, "factor": 32},
        ),
        EdgeCase(
            "a line (p = 1) inside R^9: the ambient dimension plays no part",
            {"dimension": 9, "lipschitz": 1, "epsilon": "1/2", "plane": 1},
            {"n": 64, "factor": 4},
        ),
    )

    def branch_of(self, params: KnnParams) -> str:
        return AMBIENT if params.plane is None else PLANE

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> KnnParams:
        # Calculator-free: the base 4c√d/ε is a whole number, so N = base^(d+1) exactly, and at
        # most a million (3^10, 12^5, 2^17), worked out by hand.
        if branch == AMBIENT:
            # d = 16 would allow only the base 2, where most slips round to the same N.
            dimension, plane = draws.pick(rng, [4, 9]), None
        else:
            plane = draws.pick(rng, [4, 9])
            dimension = draws.pick(rng, [d for d in (16, 25, 36) if d > plane])
        effective = plane if plane is not None else dimension
        base = draws.pick(rng, [b for b in range(2, 13) if b ** (effective + 1) <= MAX_SAMPLES])
        lipschitz = draws.pick(rng, LIPSCHITZ)
        epsilon = 4 * lipschitz * sp.sqrt(effective) / base
        if epsilon > 1 or sp.denom(epsilon) > 20:
            raise InvalidParams("the excess error would be above 1 or an awkward fraction", "epsilon")  # redrawn
        return KnnParams(dimension, lipschitz, epsilon, plane)

    # --- answers ----------------------------------------------------------------
    def parts(self, params: KnnParams) -> tuple[Part, ...]:
        return (Part("n", Math("N")), Part("factor", Math(r"N(\varepsilon/2) / N(\varepsilon)")))

    def value_tex(self, params: KnnParams, value: sp.Expr) -> Math:
        return grouped(int(value)) if isinstance(value, sp.Integer) else super().value_tex(params, value)

    def solve(self, params: KnnParams) -> Solution:
        d, c, eps = params.effective, params.lipschitz, params.epsilon
        root = sp.sqrt(d)
        n = samples(params, d)
        base = 4 * c * root / eps
        # A fraction to a power needs its parentheses: (96/5)^10, not 96/5^10.
        power = tex(base) if base.is_integer else r"\left(%s\right)" % tex(base)
        factor = sp.Integer(2) ** (d + 1)
        where = (
            (
                r"Only $%d$ coordinates vary: the data fill a $%d$-dimensional unit cube, and the nearest "
                r"neighbour is found within it, so the bound holds with $d = %d$, not $d = %d$. "
                % (d, d, d, params.dimension)
            )
            if params.plane
            else ""
        )
        steps = (
            Markup(
                where + r"The excess error $4c\sqrt{d}\,N^{-1/(d+1)} \le \varepsilon$ exactly when "
                r"$N \ge (4c\sqrt{d}/\varepsilon)^{d+1}$."
            ),
            Markup(
                r"Here $\frac{4 \cdot %s \cdot %s}{%s} = %s$, so $N \ge %s^{%d}$%s: $N = %s$."
                % (
                    tex(c),
                    tex(root),
                    tex(eps),
                    tex(base),
                    power,
                    d + 1,
                    "" if base.is_integer else ", rounded up to a whole number",
                    grouped(int(n)),
                )
            ),
            Markup(
                r"Halving $\varepsilon$ doubles the base: $N$ grows by $2^{%d} = %d$%s."
                % (
                    d + 1,
                    factor,
                    r", not the $2^{%d}$ the ambient dimension would suggest" % (params.dimension + 1)
                    if params.plane
                    else "",
                )
            ),
        )
        return Solution({"n": n, "factor": factor}, steps)

    def verify(self, params: KnnParams) -> dict:
        """Floats: the smallest whole N whose bound 4c√d·N^{−1/(d+1)} is at most ε, by doubling
        and bisection on the bound itself (compared in logarithms, with a hair of slack for the
        exact-equality case); the factor from the real N at which the bound equals ε and ε/2,
        each found by bisection on log N."""
        d = params.effective
        scale = math.log(4 * float(params.lipschitz) * math.sqrt(d))

        def log_bound(log_n: float) -> float:
            return scale - log_n / (d + 1)

        def smallest(epsilon: float) -> int:
            return smallest_whole(lambda n: log_bound(math.log(n)) <= math.log(epsilon) + 1e-12)

        def threshold(epsilon: float) -> float:  # log N where the bound is exactly ε
            return crossing(lambda log_n: log_bound(log_n) > math.log(epsilon), -10.0, 200.0)

        epsilon = float(params.epsilon)
        # Floats resolve a large N only to about 1e-12 of itself: compared within tolerance.
        return {"n": float(smallest(epsilon)), "factor": math.exp(threshold(epsilon / 2) - threshold(epsilon))}

    def mistakes(self, params: KnnParams) -> Mistakes:
        d = params.effective
        root, four, eps = sp.sqrt(d), sp.Integer(4), params.epsilon
        base = 4 * params.lipschitz * root / eps
        # Slips in the base 4c√d/ε (what it is multiplied by) and in the power d + 1; a
        # student can make one of each, or two in the base.
        in_base = (
            ("no_square_root", "left out the √d", 1 / root),
            ("no_four", "left out the constant 4", 1 / four),
            ("d_for_root", "used d instead of √d", root),
            ("epsilon_halved", "solved for ε/2 instead of ε", sp.Integer(2)),
            ("epsilon_doubled", "solved for 2ε (took ε as the total over 2L*, halved)", sp.Rational(1, 2)),
        )
        in_power = (
            ("exponent_d", "raised to the power d instead of d + 1", -1),
            ("exponent_d_plus_two", "raised to the power d + 2", 1),
        )
        # Pairs that undo each other, or come to one slip's number (¼·2 = ½) or to a number so
        # small that it rounds up to what simpler slips give.
        exclusive = {
            frozenset(pair)
            for pair in (
                ("no_square_root", "d_for_root"),
                ("epsilon_halved", "epsilon_doubled"),
                ("no_four", "epsilon_halved"),
                ("no_square_root", "epsilon_doubled"),
            )
        }
        # One slip first, then two (the same number is credited to the simpler explanation).
        slips: list[tuple[tuple[str, ...], tuple[str, ...], sp.Expr, int]] = [
            ((name,), (description,), sp.Integer(1), shift) for name, description, shift in in_power
        ]
        slips += [((name,), (description,), factor, 0) for name, description, factor in in_base]
        for i, (name, description, factor) in enumerate(in_base):
            for power_name, power_description, shift in in_power:
                slips.append(((name, power_name), (description, power_description), factor, shift))
            for other, other_description, other_factor in in_base[i + 1 :]:
                if frozenset((name, other)) not in exclusive:
                    slips.append(((name, other), (description, other_description), factor * other_factor, 0))
        found = Mistakes()
        for names, descriptions, factor, shift in slips:
            n = exact.ceiling((base * factor) ** (d + 1 + shift))
            # A wrong power alone also gives a wrong factor for halving ε: 2 to that power.
            factor_part = {"factor": sp.Integer(2) ** (d + 1 + shift)} if shift and len(names) == 1 else {}
            parts = {"n": n} if len(str(n)) <= 40 else {}
            if parts or factor_part:
                found.add(
                    "+".join(names),
                    ", and ".join(descriptions[:1] + tuple(t[0].lower() + t[1:] for t in descriptions[1:])),
                    slips=len(names),
                    **parts,
                    **factor_part,
                )
        if params.plane is not None:
            found.add(
                "ambient_dimension",
                "used the ambient dimension D instead of the plane's p",
                n=samples(params, params.dimension),
                factor=sp.Integer(2) ** (params.dimension + 1),
            )
        found.add("factor_two", "took halving ε to double N", factor=sp.Integer(2))
        found.add("factor_linear", "took the factor to be d + 1", factor=sp.Integer(d + 1))
        return found

    def rubric(self, params: KnnParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"the bound solved for $N$: $(4c\sqrt{d}/\varepsilon)^{d+1}$"), 2),
            (Markup(r"the number"), 1),
            (Markup(r"the factor $2^{d+1}$ for halving $\varepsilon$"), 1),
            (Markup("which dimension counts (the data's, not the ambient one), explained"), 2),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: KnnParams) -> dict:
        return {"D": params.dimension, "p": params.plane, "c": params.lipschitz, "epsilon": params.epsilon}
