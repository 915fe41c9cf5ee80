"""`laplace-mle`: Laplace noise makes the maximum-likelihood estimate a least-absolute-
deviations fit; which rewritings of that objective keep its optimum.

Observations y_i = μ + ε_i with independent Laplace noise, p(ε) = e^{−|ε|/b}/(2b), have
negative log-likelihood n·log(2b) + (1/b)·Σ|y_i − μ|. For any b > 0 it is smallest where
Σ|y_i − μ| is: at the median. Setting the derivative in b to zero gives b̂ = Σ|y_i − μ̂|/n.
An objective has the same optimum when it is a strictly increasing function of
L(μ) = Σ|y_i − μ| that is minimised (a positive multiple, a constant added, log L, L² as
L ≥ 0) or a strictly decreasing one that is maximised (−L, 1/L, the likelihood itself).
The odd one out is either a *direction* slip (a decreasing function minimised, so no
optimum at all) or a different *residual* loss (squared residuals: the mean; the largest
residual: the midrange), which on data with an outlier moves the optimum.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, plus, row_tuple, tex
from variantex.generators import draws
from variantex.generators.base import Family, Part, Solution, TextAnswer
from variantex.generators.kit import EdgeCase, Mistakes, choice_of, choices_of, vector

DIRECTION, RESIDUAL = "direction", "residual"
L = r"\sum_{i} |y_i - \mu|"


@dataclass(frozen=True)
class Objective:
    shown: str  # markup: "minimise $…$"
    synonyms: tuple[str, ...]
    why: str  # markup: why it keeps the optimum, or why not
    misread: str = ""  # for one that keeps it: the misconception of a student who picks it


# Each keeps the optimum of L: the misconception is believing it does not.
EQUIVALENT = {
    "scaled": Objective(
        f"minimise $\\frac{{1}}{{b}}{L}$",
        ("1/b times the sum", "scaled by 1/b", "scaled"),
        "a positive multiple of $L$ ($b > 0$)",
        "thought multiplying the objective by a positive constant moves its minimiser",
    ),
    "averaged": Objective(
        f"minimise $\\frac{{1}}{{n}}{L}$",
        ("mean absolute error", "averaged", "1/n times the sum"),
        "a positive multiple of $L$",
        "thought averaging instead of summing the absolute residuals moves the minimiser",
    ),
    "shifted": Objective(
        f"minimise $n \\log(2b) + \\frac{{1}}{{b}}{L}$",
        ("negative log-likelihood", "nll", "shifted"),
        "the negative log-likelihood: $L/b$ plus a term without $\\mu$",
        "thought the term $n \\log(2b)$, which does not involve $\\mu$, moves the minimiser",
    ),
    "logged": Objective(
        f"minimise $\\log {L}$",
        ("log of the sum", "logged"),
        "$\\log$ is strictly increasing and $L > 0$",
        "thought taking the log of the (positive) objective moves its minimiser",
    ),
    "squared-sum": Objective(
        f"minimise $({L})^2$",
        ("square of the sum", "squared sum"),
        "squaring is strictly increasing on $L \\ge 0$",
        "confused squaring the whole (non-negative) sum with squaring each residual",
    ),
    "negated-max": Objective(
        f"maximise $-{L}$",
        ("maximise minus the sum", "maximise the negated sum"),
        "maximising $-L$ is minimising $L$",
        "thought negating the objective changes the optimum even when minimise becomes maximise",
    ),
    "likelihood": Objective(
        "maximise $\\prod_{i} \\frac{1}{2b} e^{-|y_i - \\mu|/b}$",
        ("likelihood", "maximise the likelihood", "product of densities"),
        "the likelihood $(2b)^{-n} e^{-L/b}$ is a strictly decreasing function of $L$, maximised",
        "thought the likelihood is optimised elsewhere than its negative log",
    ),
    "reciprocal-max": Objective(
        f"maximise $1 \\big/ {L}$",
        ("maximise the reciprocal", "maximise 1/sum"),
        "$1/L$ is strictly decreasing in $L > 0$, and it is maximised",
        "thought maximising the reciprocal of the (positive) objective moves the optimum",
    ),
}
# A decreasing function of L minimised: pushed to |μ| → ∞, no optimum.
DIRECTION_SLIPS = {
    "negated-min": Objective(
        f"minimise $-{L}$",
        ("minimise minus the sum", "minimise the negated sum"),
        "$-L$ decreases without bound as $|\\mu| \\to \\infty$: minimising it maximises $L$, and there is no optimum",
    ),
    "log-max": Objective(
        f"maximise $\\log {L}$",
        ("maximise the log of the sum", "maximise log"),
        "$\\log L$ grows without bound as $|\\mu| \\to \\infty$: maximising it maximises $L$, and there is no optimum",
    ),
    "reciprocal-min": Objective(
        f"minimise $1 \\big/ {L}$",
        ("minimise the reciprocal", "minimise 1/sum"),
        "$1/L \\to 0$ as $|\\mu| \\to \\infty$: minimising it maximises $L$, and there is no optimum",
    ),
}
# A different loss on each residual: a different estimator.
RESIDUAL_SLIPS = {
    "squared-residuals": Objective(
        "minimise $\\sum_{i} (y_i - \\mu)^2$",
        ("sum of squared residuals", "squared residuals", "least squares", "squared errors"),
        "squares each residual: least squares, minimised at the mean",
    ),
    "max-residual": Objective(
        "minimise $\\max_{i} |y_i - \\mu|$",
        ("largest residual", "max residual", "maximum absolute residual"),
        "the largest residual, minimised at the midrange",
    ),
}
SLIPS = {**DIRECTION_SLIPS, **RESIDUAL_SLIPS}
OBJECTIVES = {**EQUIVALENT, **SLIPS}
SHOWN_EQUIVALENTS = 4


@dataclass(frozen=True)
class LaplaceMleParams:
    data: tuple[sp.Rational, ...] = vector()  # y_1, …, y_n as printed (not sorted)
    odd: str = choice_of(tuple(SLIPS))  # the objective that is NOT equivalent
    shown: tuple[str, ...] = choices_of(
        tuple(EQUIVALENT), SHOWN_EQUIVALENTS, default=("scaled", "shifted", "logged", "negated-max")
    )

    def __post_init__(self) -> None:
        if len(self.data) % 2 == 0 or not 3 <= len(self.data) <= 9:
            raise InvalidParams("give an odd number of observations, 3 to 9 (a unique median)", "data")
        if self.odd in RESIDUAL_SLIPS and residual_optimum(self) == median(self.data):
            raise InvalidParams(
                f"on these data {self.odd} has its optimum at the median too: no objective would be the odd one out",
                "data",
            )

    @property
    def n(self) -> int:
        return len(self.data)


def median(data: tuple[sp.Rational, ...]) -> sp.Rational:
    return sorted(data)[len(data) // 2]


def mean(data: tuple[sp.Rational, ...]) -> sp.Rational:
    return sum(data, sp.Integer(0)) / len(data)


def midrange(data: tuple[sp.Rational, ...]) -> sp.Rational:
    return (min(data) + max(data)) / 2


def residual_optimum(params: LaplaceMleParams) -> sp.Rational:
    return mean(params.data) if params.odd == "squared-residuals" else midrange(params.data)


def absolute_deviations(data: tuple[sp.Rational, ...], centre: sp.Rational) -> list[sp.Rational]:
    return [abs(y - centre) for y in data]


def options_in_order(params: LaplaceMleParams) -> list[str]:
    """The candidate objectives as the open question lists them: the shown ones in their
    given order, the odd one at a place fixed by the data (so a hand-set variant prints the
    same list, and the place does not give the key away)."""
    listed = list(params.shown)
    listed.insert(int(sum(params.data)) % (len(listed) + 1), params.odd)
    return listed


class LaplaceMle(Family):
    id = "laplace-mle"
    title = "Laplace noise: the maximum-likelihood estimate, and objectives with the same optimum"
    formats = ("mcq", "numeric", "open", "tf")
    branches = (DIRECTION, RESIDUAL)
    params_type = LaplaceMleParams
    verify_tolerance = 1e-6  # b̂ is found by bisecting a finite-difference slope
    text_answers = {name: TextAnswer(o.shown, o.synonyms) for name, o in OBJECTIVES.items()}
    edge_cases = (
        EdgeCase(
            "an outlier pulls the mean (least squares) away from the median",
            {"data": [3, 1, 100, 2, 4], "odd": "squared-residuals"},
            {"mu": 3, "b": "101/5", "odd": "squared-residuals"},
        ),
        EdgeCase(
            "three observations: the middle one; minimising −L has no optimum",
            {
                "data": [5, -1, 2],
                "odd": "negated-min",
                "shown": ["likelihood", "reciprocal-max", "averaged", "squared-sum"],
            },
            {"mu": 2, "b": 2, "odd": "negated-min"},
        ),
        EdgeCase(
            "nine observations with ties at the median; the midrange differs",
            {"data": [0, 4, 4, 4, 1, 9, 4, 2, 30], "odd": "max-residual"},
            {"mu": 4, "b": "40/9", "odd": "max-residual"},
        ),
    )

    def branch_of(self, params: LaplaceMleParams) -> str:
        return DIRECTION if params.odd in DIRECTION_SLIPS else RESIDUAL

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> LaplaceMleParams:
        n = draws.pick(rng, [5, 7])
        # A cluster of small readings and one outlier on either side: the median stays in
        # the cluster while the mean and the midrange are pulled away.
        cluster = [draws.small_int(rng, 0, 9) for _ in range(n - 1)]
        outlier = draws.pick(rng, [-1, 1]) * draws.small_int(rng, 15, 30)
        data = tuple(sp.Integer(v) for v in draws.shuffled(rng, [*cluster, outlier]))
        odd = draws.pick(rng, list(DIRECTION_SLIPS if branch == DIRECTION else RESIDUAL_SLIPS))
        shown = tuple(draws.shuffled(rng, draws.subset(rng, list(EQUIVALENT), SHOWN_EQUIVALENTS)))
        return LaplaceMleParams(data, odd, shown)  # InvalidParams (no odd one out) asks for a redraw

    # --- answers ----------------------------------------------------------------
    def parts(self, params: LaplaceMleParams) -> tuple[Part, ...]:
        return (
            Part("mu", Math(r"\hat{\mu}")),
            Part("b", Math(r"\hat{b}")),
            Part(
                "odd",
                Math(r"\text{not equivalent}"),
                text_answers=tuple(OBJECTIVES),
                sentence="Of the objectives listed, the one whose optimum is not at the likelihood's $\\mu$ is: {}.",
            ),
        )

    def mcq_parts(self, params: LaplaceMleParams) -> tuple[str, ...]:
        return ("odd",)

    def numeric_parts(self, params: LaplaceMleParams) -> tuple[str, ...]:
        return ("mu", "b")

    def solve(self, params: LaplaceMleParams) -> Solution:
        data, n = params.data, params.n
        mu = median(data)
        deviations = absolute_deviations(data, mu)
        total = sum(deviations, sp.Integer(0))
        scale = total / n
        keep = [f"{OBJECTIVES[name].shown} ({EQUIVALENT[name].why})" for name in params.shown]
        odd = SLIPS[params.odd]
        where = ""
        if params.odd in RESIDUAL_SLIPS:
            where = r"; on these data at $%s$, not at the median $%s$" % (tex(residual_optimum(params)), tex(mu))
        steps = (
            Markup(
                r"The negative log-likelihood is $-\log p(y \mid \mu, b) = n \log(2b) + \frac{1}{b}%s$. "
                r"For any $b > 0$ it is smallest in $\mu$ where $L(\mu) = %s$ is." % (L, L)
            ),
            Markup(
                r"$L$ is smallest where as many observations lie below $\mu$ as above: at the median. Sorted, "
                r"the data are $%s$, so $\hat{\mu} = %s$." % (row_tuple(sorted(data)), tex(mu))
            ),
            Markup(
                r"Setting $\frac{\partial}{\partial b}(n \log(2b) + L(\hat{\mu})/b) = \frac{n}{b} "
                r"- \frac{L(\hat{\mu})}{b^2} = 0$ gives $\hat{b} = L(\hat{\mu})/n = (%s)/%d = %s$."
                % (plus(deviations), n, tex(scale))
            ),
            Markup("Same optimum as $L$: " + "; ".join(keep) + "."),
            Markup(f"Not equivalent: {odd.shown}, which {odd.why}{where}."),
        )
        return Solution({"mu": mu, "b": scale, "odd": params.odd}, steps)

    def verify(self, params: LaplaceMleParams) -> dict:
        """Floats only: the log-likelihood evaluated and optimised numerically. μ̂ by brute
        force over the kinks of the piecewise-linear objective (the data), b̂ by bisecting a
        finite-difference slope in b, and the odd objective by locating every candidate's
        optimum on a wide grid (an optimum at its edge: none) and zooming in."""
        y = np.array([float(v) for v in params.data])
        b_any = 1.7  # the optimum in μ must not depend on b

        def nll(mu: np.ndarray, b: float) -> np.ndarray:
            log_density = -np.abs(y[None, :] - mu[:, None]) / b - np.log(2 * b)
            return -np.sum(log_density, axis=1)

        mu = float(y[int(np.argmin(nll(y, b_any)))])

        def nll_in_b(b: float) -> float:
            return sum(abs(value - mu) / b + math.log(2 * b) for value in y.tolist())

        low, high, h = 1e-6, 1e6, 1e-5
        while high / low > 1 + 1e-12:  # bisection on a log scale
            middle = math.sqrt(low * high)
            slope = (nll_in_b(middle * (1 + h)) - nll_in_b(middle * (1 - h))) / (2 * h * middle)
            low, high = (middle, high) if slope < 0 else (low, middle)
        scale = math.sqrt(low * high)

        span = float(np.ptp(y)) or 1.0
        reference = _optimum(lambda grid: nll(grid, b_any), y, span)
        objectives = _objectives(y, b_any)
        odd = [
            name
            for name in (*params.shown, params.odd)
            if (found := _optimum(objectives[name], y, span)) is None or abs(found - reference) > 1e-5 * span
        ]
        return {"mu": mu, "b": scale, "odd": odd[0] if len(odd) == 1 else f"{len(odd)} candidates differ"}

    def mistakes(self, params: LaplaceMleParams) -> Mistakes:
        data, n = params.data, params.n
        found = Mistakes()
        # The options: every objective that keeps the optimum, those shown first.
        for name in (*params.shown, *(e for e in EQUIVALENT if e not in params.shown)):
            found.add(f"{name.replace('-', '_')}_thought_different", EQUIVALENT[name].misread, odd=name)
        mu = median(data)
        total = sum(absolute_deviations(data, mu), sp.Integer(0))
        centre = mean(data)
        listed = data[n // 2]
        found.add(
            "mean_for_median",
            "took the mean (the least-squares, Gaussian estimate) for the median",
            mu=centre,
            b=sum(absolute_deviations(data, centre), sp.Integer(0)) / n,
        )
        if listed != mu:
            found.add(
                "middle_of_unsorted_list",
                "took the middle observation as listed, without sorting",
                mu=listed,
                b=sum(absolute_deviations(data, listed), sp.Integer(0)) / n,
            )
        found.add(
            "midrange_for_median",
            "took the midpoint of the smallest and largest observations",
            mu=midrange(data),
            b=sum(absolute_deviations(data, midrange(data)), sp.Integer(0)) / n,
        )
        found.add("scale_over_n_minus_one", "divided the absolute deviations by n − 1", b=total / (n - 1))
        found.add("scale_not_averaged", "summed the absolute deviations without dividing by n", b=total)
        variance = sum(((y - centre) ** 2 for y in data), sp.Integer(0)) / n
        found.add(
            "standard_deviation_for_scale",
            "used the standard deviation (the Gaussian scale) for b",
            b=sp.sqrt(variance),
        )
        found.add(
            "scale_from_mean",
            "measured the absolute deviations from the mean, not the median",
            b=sum(absolute_deviations(data, centre), sp.Integer(0)) / n,
        )
        return found

    def rubric(self, params: LaplaceMleParams) -> list[tuple[Markup, int]]:
        return [
            (Markup(r"the negative log-likelihood $n \log(2b) + \frac{1}{b}\sum_i |y_i - \mu|$"), 1),
            (Markup(r"$\hat{\mu}$ = the median of the sorted data"), 1),
            (Markup(r"$\hat{b}$ = the mean absolute deviation from $\hat{\mu}$, from the derivative in $b$"), 1),
            (
                Markup(
                    "the objective that is not equivalent, and why each other one keeps the optimum "
                    "(monotone transformations, and the direction of optimisation)"
                ),
                2,
            ),
        ]

    # --- presentation -----------------------------------------------------------
    def context(self, params: LaplaceMleParams) -> dict:
        return {
            "data": row_tuple(params.data),
            "n": params.n,
            "objectives": [Markup(OBJECTIVES[name].shown) for name in options_in_order(params)],
        }


def _objectives(y: np.ndarray, b: float) -> dict:
    """Every candidate objective of μ (on a grid of μ), written as a quantity to minimise."""

    def residuals(mu):
        return y[None, :] - mu[:, None]

    def total(mu):
        return np.sum(np.abs(residuals(mu)), axis=1)

    return {
        "scaled": lambda mu: total(mu) / b,
        "averaged": lambda mu: total(mu) / len(y),
        "shifted": lambda mu: len(y) * np.log(2 * b) + total(mu) / b,
        "logged": lambda mu: np.log(total(mu)),
        "squared-sum": lambda mu: total(mu) ** 2,
        "negated-max": lambda mu: -(-total(mu)),  # noqa: B002 - on purpose: maximise −L: minimise its negative
        "likelihood": lambda mu: -np.prod(np.exp(-np.abs(residuals(mu)) / b) / (2 * b), axis=1),
        "reciprocal-max": lambda mu: -(1 / total(mu)),
        "negated-min": lambda mu: -total(mu),
        "log-max": lambda mu: -np.log(total(mu)),
        "reciprocal-min": lambda mu: 1 / total(mu),
        "squared-residuals": lambda mu: np.sum(residuals(mu) ** 2, axis=1),
        "max-residual": lambda mu: np.max(np.abs(residuals(mu)), axis=1),
    }


def _optimum(objective, y: np.ndarray, span: float) -> float | None:
    """Where `objective` is smallest: None when that is fifty spans beyond the data (it has
    no optimum); else found on a grid over the data and three zooms around the best point
    (to about span/10⁶)."""
    low, high = float(y.min()), float(y.max())
    grid = np.concatenate(([low - 50 * span], np.linspace(low, high, 401), [high + 50 * span]))
    for zoom in range(4):
        at = int(np.argmin(objective(grid)))
        if zoom == 0 and at in (0, len(grid) - 1):
            return None
        best, step = float(grid[at]), float(grid[2] - grid[1])
        low, high = best - 2 * step, best + 2 * step
        grid = np.linspace(low, high, 41)
    return best
