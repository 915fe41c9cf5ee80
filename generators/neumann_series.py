"""`neumann-series`: approximating A⁻¹ by the partial sums S_r = Σ_{i=0}^{r} (I − A)^i.

For a symmetric A with eigenvalues in (0, 1) the series converges to A⁻¹ and the spectral
norm of the truncation error is at most λ_min⁻¹(1 − λ_min)^{r+1} (equal to it for a diagonal
A). The `partial-sum` branch asks for S_r of a small diagonal matrix and the error bound; the
`smallest-r` branch for the fewest terms that guarantee a target error ε (drawn with
λ_min = 1/4 or 1/3, so r is 8 to 28 and a calculator's logarithms help).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, integer, number, vector

PARTIAL_SUM, SMALLEST_R = "partial-sum", "smallest-r"
ENTRIES = tuple(sp.Rational(p, q) for p, q in ((1, 4), (1, 3), (1, 2), (2, 3), (3, 4)))
MAX_R = 60
TARGETS = tuple(sp.Rational(1, n) for n in (10, 20, 50, 100, 200, 1000))


@dataclass(frozen=True)
class NeumannParams:
    diagonal: tuple[sp.Rational, ...] = vector()  # A = diag(diagonal), entries in (0, 1)
    r: int | None = integer(default=None, low=0, high=6)  # partial-sum: the last power summed
    epsilon: sp.Rational | None = number(default=None)  # smallest-r: the target error

    def __post_init__(self) -> None:
        if not 1 <= len(self.diagonal) <= 3:
            raise InvalidParams("give 1 to 3 diagonal entries", "diagonal")
        for i, entry in enumerate(self.diagonal):
            if not 0 < entry < 1:
                raise InvalidParams(f"{entry} is not in (0, 1): the series would not converge", f"diagonal[{i}]")
        if (self.r is None) == (self.epsilon is None):
            raise InvalidParams("give r (for S_r) or epsilon (for the smallest r), not both", "r")
        if self.epsilon is not None:
            if self.epsilon <= 0:
                raise InvalidParams("the target error must be positive", "epsilon")
            if smallest_r(self) > MAX_R:
                raise InvalidParams(f"the target needs more than {MAX_R} terms", "epsilon")

    @property
    def smallest_eigenvalue(self) -> sp.Rational:
        return min(self.diagonal)


def error_bound(low: sp.Rational, r: int) -> sp.Rational:
    return (1 - low) ** (r + 1) / low


def smallest_r(params: NeumannParams, low: sp.Rational | None = None, shift: int = 1) -> int:
    low = params.smallest_eigenvalue if low is None else low
    r = 0
    while (1 - low) ** (r + shift) / low > params.epsilon and r <= MAX_R:
        r += 1
    return r


def partial_sum(entry: sp.Rational, r: int) -> sp.Rational:
    return sum(((1 - entry) ** i for i in range(r + 1)), sp.Integer(0))


class NeumannSeries(Family):
    id = "neumann-series"
    title = "Neumann series for the inverse: partial sums and truncation error"
    branches = (PARTIAL_SUM, SMALLEST_R)
    params_type = NeumannParams
    edge_cases = (
        EdgeCase(
            "A = diag(1/2, 1/4), r = 2: S_2 = diag(7/4, 37/16), error bound 27/16",
            {"diagonal": ["1/2", "1/4"], "r": 2},
            {"s1": "7/4", "s2": "37/16", "error": "27/16"},
        ),
        EdgeCase("r = 0 keeps only I", {"diagonal": ["1/2"], "r": 0}, {"s1": 1, "error": 1}),
        EdgeCase(
            "the smallest r for ε = 1/100 with λ_min = 1/2", {"diagonal": ["1/2", "3/4"], "epsilon": "1/100"}, {"r": 7}
        ),
    )

    def branch_of(self, params: NeumannParams) -> str:
        return PARTIAL_SUM if params.r is not None else SMALLEST_R

    def needs_calculator(self, params: NeumannParams) -> bool:
        """The fewest terms compares (1 − λ_min)^(r+1) with ελ_min for r up to 28: logarithms."""
        return self.branch_of(params) == SMALLEST_R

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> NeumannParams:
        size = draws.small_int(rng, 1, 3) if branch == SMALLEST_R else draws.small_int(rng, 2, 3)
        if branch == PARTIAL_SUM:
            diagonal = tuple(draws.pick(rng, list(ENTRIES)) for _ in range(size))
            return NeumannParams(diagonal, r=draws.small_int(rng, 1, 3))
        # λ_min of 1/4 or 1/3: then r is 8 to 28 and the slips (λ_max, the factor, the power,
        # where to stop) spread to four distinct wrong r on each side of the key. With λ_min
        # of 1/2 or more every slip moves r by one or two, and five options would need fillers.
        smallest = draws.pick(rng, [sp.Rational(1, 4), sp.Rational(1, 3)])
        others = [entry for entry in ENTRIES if entry >= smallest]
        diagonal = draws.shuffled(rng, [smallest, *(draws.pick(rng, others) for _ in range(size - 1))])
        return NeumannParams(tuple(diagonal), epsilon=draws.pick(rng, list(TARGETS)))

    # --- answers ----------------------------------------------------------------
    def parts(self, params: NeumannParams) -> tuple[Part, ...]:
        if params.r is None:
            return (Part("r", Math("r")),)
        entries = tuple(
            Part(f"s{i + 1}", Math(f"(S_{{{params.r}}})_{{{i + 1}{i + 1}}}")) for i in range(len(params.diagonal))
        )
        return entries + (Part("error", Math(r"\lambda_{\min}^{-1}(1 - \lambda_{\min})^{r+1}")),)

    def mcq_parts(self, params: NeumannParams) -> tuple[str, ...]:
        return ("r",) if params.r is None else ("error",)

    def solve(self, params: NeumannParams) -> Solution:
        low = params.smallest_eigenvalue
        if params.r is None:
            r = smallest_r(params)
            steps = (
                Markup(
                    r"The eigenvalues of $A$ are its diagonal entries; $\lambda_{\min} = %s$, so the error "
                    r"after the terms up to $(I-A)^r$ is at most $%s^{-1} \cdot (%s)^{r+1}$."
                    % (tex(low), tex(low), tex(1 - low))
                ),
                Markup(
                    r"It first drops to $%s$ or below at $r = %s$: $%s \cdot (%s)^{%d} = %s \le %s$, while $r = %d$ "
                    r"gives $%s$."
                    % (
                        tex(params.epsilon),
                        r,
                        tex(1 / low),
                        tex(1 - low),
                        r + 1,
                        tex(error_bound(low, r)),
                        tex(params.epsilon),
                        r - 1,
                        tex(error_bound(low, r - 1)) if r > 0 else r"\text{—}",
                    )
                ),
            )
            return Solution({"r": sp.Integer(r)}, steps)
        r = params.r
        values = {f"s{i + 1}": partial_sum(d, r) for i, d in enumerate(params.diagonal)}
        values["error"] = error_bound(low, r)
        steps = (
            Markup(
                r"$I - A$ is diagonal with entries $1 - a_{jj}$, so $S_{%d} = \sum_{i=0}^{%d} (I - A)^i$ is "
                r"diagonal with entries $\sum_{i=0}^{%d} (1 - a_{jj})^i$." % (r, r, r)
            ),
            *(
                Markup(
                    r"$(S_{%d})_{%d%d} = %s = %s$ (the inverse entry is $%s$)."
                    % (
                        r,
                        i + 1,
                        i + 1,
                        " + ".join(tex((1 - d) ** k) for k in range(r + 1)),
                        tex(values[f"s{i + 1}"]),
                        tex(1 / d),
                    )
                )
                for i, d in enumerate(params.diagonal)
            ),
            Markup(
                r"With $\lambda_{\min} = %s$ the error bound is $%s^{-1} (%s)^{%d} = %s$."
                % (tex(low), tex(low), tex(1 - low), r + 1, tex(values["error"]))
            ),
        )
        return Solution(values, steps)

    def verify(self, params: NeumannParams) -> dict:
        """numpy, no closed forms: the matrix powers summed, the error measured as the spectral
        norm of A⁻¹ − S_r, and r found by summing until that norm is small enough."""
        a = np.diag([float(d) for d in params.diagonal])
        identity = np.eye(len(params.diagonal))
        inverse = np.linalg.inv(a)

        def partial(r: int) -> np.ndarray:
            total, power = np.zeros_like(a), identity.copy()
            for _ in range(r + 1):
                total += power
                power = power @ (identity - a)
            return total

        if params.r is None:
            r = 0
            while np.linalg.norm(inverse - partial(r), 2) > float(params.epsilon) * (1 + 1e-12):
                r += 1
            return {"r": float(r)}
        summed = partial(params.r)
        values = {f"s{i + 1}": float(summed[i, i]) for i in range(len(params.diagonal))}
        values["error"] = float(np.linalg.norm(inverse - summed, 2))
        return values

    def mistakes(self, params: NeumannParams) -> Mistakes:
        low, high = params.smallest_eigenvalue, max(params.diagonal)
        found = Mistakes()
        if params.r is None:
            return _smallest_r_mistakes(params, low, high)
        r = params.r
        found.add("exponent_r", "used (1 − λ_min)^r instead of (1 − λ_min)^{r+1}", error=(1 - low) ** r / low)
        found.add("exponent_r_plus_two", "used (1 − λ_min)^{r+2}", error=(1 - low) ** (r + 2) / low)
        found.add("largest_eigenvalue", "used λ_max instead of λ_min", error=error_bound(high, r))
        found.add("without_inverse_factor", "left out the factor λ_min⁻¹", error=(1 - low) ** (r + 1))
        found.add("squared_inverse_factor", "divided by λ_min² instead of λ_min", error=(1 - low) ** (r + 1) / low**2)
        found.add("exponent_r_minus_one", "used (1 − λ_min)^{r−1}", error=(1 - low) ** (r - 1) / low)
        found.add("powers_of_lambda", "raised λ_min instead of 1 − λ_min", error=low ** (r + 1) / low)
        found.add(
            "multiplied_by_lambda", "multiplied by λ_min instead of dividing by it", error=(1 - low) ** (r + 1) * low
        )
        found.add("largest_without_factor", "used λ_max and left out the factor λ⁻¹", error=(1 - high) ** (r + 1))
        found.add(
            "power_of_ratio",
            "raised the whole ratio (1 − λ_min)/λ_min to the power r + 1",
            error=((1 - low) / low) ** (r + 1),
        )
        for i, d in enumerate(params.diagonal):
            found.add(
                f"one_term_short_{i + 1}",
                "summed the powers only up to r − 1",
                slips=1,
                **{f"s{i + 1}": partial_sum(d, r - 1)},
            )
        return found

    # --- presentation -----------------------------------------------------------
    def context(self, params: NeumannParams) -> dict:
        entries = ", ".join(tex(d) for d in params.diagonal)
        return {
            "A": Math(r"\operatorname{diag}(%s)" % entries) if len(params.diagonal) > 1 else Math(entries),
            "size": len(params.diagonal),
            "r": params.r,
            "epsilon": params.epsilon,
        }


def _smallest_r_mistakes(params: NeumannParams, low: sp.Rational, high: sp.Rational) -> Mistakes:
    """The smallest r as a student gets it wrong: slips in the bound λ⁻¹(1 − λ)^{r+1} (which
    eigenvalue, the factor, the power), one at a time or two together."""
    r = smallest_r(params)
    eigenvalue = (("", "", low), ("largest_eigenvalue", "used λ_max instead of λ_min", high))
    factor = (
        ("", "", lambda lam: 1 / lam),
        ("without_inverse_factor", "left out the factor λ_min⁻¹", lambda lam: sp.Integer(1)),
        ("squared_inverse_factor", "divided by λ_min² instead of λ_min", lambda lam: 1 / lam**2),
        ("multiplied_by_lambda", "multiplied by λ_min instead of dividing by it", lambda lam: lam),
    )
    power = (
        ("", "", 1),
        ("exponent_r", "used (1 − λ_min)^r instead of (1 − λ_min)^{r+1}", 0),
        ("exponent_r_plus_two", "used (1 − λ_min)^{r+2}", 2),
    )
    # Stopping a power early or late gives the same r as the power r + 2 or r: those name it.
    found = Mistakes()
    combinations = sorted(
        itertools.product(eigenvalue, factor, power),
        key=lambda slips: sum(1 for name, _, _ in slips if name),  # one slip, then two
    )
    for (e_name, e_text, lam), (f_name, f_text, scale), (p_name, p_text, shift) in combinations:
        names = [n for n in (e_name, f_name, p_name) if n]
        if not 1 <= len(names) <= 2:
            continue
        value = _smallest(params, lambda k, lam=lam, scale=scale, shift=shift: (1 - lam) ** (k + shift) * scale(lam))
        if value == r:
            continue
        texts = [t for t in (e_text, f_text, p_text) if t]
        description = texts[0] + (", and " + texts[1][0].lower() + texts[1][1:] if len(texts) > 1 else "")
        found.add("+".join(names), description, slips=len(names), r=sp.Integer(value))
    return found


def _smallest(params: NeumannParams, bound) -> int:
    r = 0
    while bound(r) > params.epsilon and r <= MAX_R:
        r += 1
    return r
