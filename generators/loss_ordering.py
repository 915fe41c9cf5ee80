"""`loss-ordering`: MSE and MAE of one fixed line on three small datasets.

Students order the datasets by mean squared and mean absolute error of y = a·x + b. The
`contrast` branch guarantees the two orders differ, both strict (a set with one large
outlier: squared error punishes it, absolute error does not), which is the point of the
original question; drawn datasets never tie in either loss. Every wrong ordering offered is
a named slip (the other loss, sums, n − 1, the worst point alone, smallest first), never a
filler; draws without enough of them are redrawn.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, Math, coefficient, escape, latex_to_text, signed, tex
from variantex.generators import drawing, draws
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import Choice, EdgeCase, Flag, Mistakes, choice, require_fields, sequence
from variantex.generators.markup import Figure, MathSpan, Table, Text

METRICS = ("mse", "mae", "both")
MAX_POINTS = 12
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,2}$")

Point = tuple[sp.Rational, sp.Rational]


@dataclass(frozen=True)
class LossOrderingParams:
    slope: sp.Rational
    intercept: sp.Rational
    datasets: tuple[tuple[str, tuple[Point, ...]], ...]
    metric: str = "mse"

    def __post_init__(self) -> None:
        choice(self.metric, METRICS, "metric")
        if len(self.datasets) != 3:
            raise InvalidParams(f"expected exactly 3 datasets, got {len(self.datasets)}", "datasets")
        names = [name for name, _ in self.datasets]
        for name, points in self.datasets:
            if not _NAME.match(name):
                raise InvalidParams("dataset names are 1-3 letters/digits starting with a letter", f"datasets.{name}")
            if not points:
                raise InvalidParams(
                    "has no points, so its mean loss is undefined (zero-width data)", f"datasets.{name}"
                )
            if len(points) > MAX_POINTS:
                raise InvalidParams(
                    f"has {len(points)} points; at most {MAX_POINTS} fit a question", f"datasets.{name}"
                )
        if len(set(names)) != len(names):
            raise InvalidParams("dataset names must differ", "datasets")
        # Only the metrics the question asks about must order strictly; a tie in the other
        # one is no flaw (the steps then say the two losses cannot be compared there).
        for metric in ("mse", "mae") if self.metric == "both" else (self.metric,):
            values = _mean_fractions(self, metric)
            for (first, a), (second, b) in itertools.combinations(values.items(), 2):
                if a == b:
                    raise InvalidParams(
                        f"{metric.upper()} of {first} and {second} tie at {a}: the ordering must be strict",
                        "datasets",
                    )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.datasets)


def residuals(params: LossOrderingParams, points: tuple[Point, ...]) -> list[sp.Rational]:
    return [y - (params.slope * x + params.intercept) for x, y in points]


@lru_cache(maxsize=8192)
def _residual_fractions(params: LossOrderingParams) -> dict[str, list[Fraction]]:
    """Residuals as exact Python Fractions: the same numbers, much cheaper arithmetic than sympy."""
    slope, intercept = _fraction(params.slope), _fraction(params.intercept)
    return {
        name: [_fraction(y) - (slope * _fraction(x) + intercept) for x, y in points] for name, points in params.datasets
    }


def _fraction(value: sp.Rational) -> Fraction:
    return Fraction(int(value.p), int(value.q))


@lru_cache(maxsize=16384)
def _mean_fractions(params: LossOrderingParams, metric: str) -> dict[str, Fraction]:
    """Mean losses as Fractions: what validation and branch checks compare, without sympy."""
    return {
        name: sum((v * v if metric == "mse" else abs(v) for v in r), Fraction(0)) / len(r)
        for name, r in _residual_fractions(params).items()
    }


@lru_cache(maxsize=8192)
def mean_losses(params: LossOrderingParams, metric: str, total: bool = False, denominator_shift: int = 0) -> dict:
    """Exact mean (or total) squared/absolute residual per dataset (None when undefined)."""
    losses = {}
    for name, r in _residual_fractions(params).items():
        summed = sum((v * v if metric == "mse" else abs(v) for v in r), Fraction(0))
        count = len(r) - denominator_shift
        value = summed if total else (summed / count if count > 0 else None)
        losses[name] = None if value is None else sp.Rational(value.numerator, value.denominator)
    return losses


def order_text(losses: Mapping[str, Any]) -> str | None:
    """ "A > B > C" by decreasing loss; None when values tie or are undefined (no strict order)."""
    if any(v is None for v in losses.values()) or len(set(losses.values())) < len(losses):
        return None
    return decreasing(sorted(losses, key=lambda n: losses[n], reverse=True))


def decreasing(names: list[str]) -> str:
    return " > ".join(names)


class LossOrdering(Family):
    id = "loss-ordering"
    title = "Order datasets by MSE and MAE of a fixed line"
    branches = ("agree", "contrast")
    draw_options = {
        "metric": "mse | mae | both (default mse): which loss the question orders by",
        "contrast": "true: the MSE order differs from the MAE order (same as branch: contrast)",
    }
    option_kinds = {"metric": Choice(METRICS), "contrast": Flag()}
    option_sets = ({}, {"metric": "mae"}, {"metric": "both"})
    edge_cases = (
        EdgeCase(
            "one outlier: MSE and MAE order the sets differently",
            {
                "line": {"slope": 1, "intercept": 0},
                "datasets": {
                    "A": [[0, 3], [1, 1], [2, 2], [3, 3]],
                    "B": [[0, 2], [1, 3], [2, 0], [3, 5]],
                    "C": [[0, 1], [1, 0], [2, 3], [3, 2]],
                },
                "metric": "both",
            },
            {
                "mse_A": "9/4",
                "mae_A": "3/4",
                "mse_B": 4,
                "mae_B": 2,
                "mse_C": 1,
                "mae_C": 1,
                "mse_order": "B > A > C",
                "mae_order": "B > C > A",
            },
        ),
        EdgeCase(
            "half-integer slope, exact fractions",
            {
                "line": {"slope": "1/2", "intercept": 1},
                "datasets": {"A": [[0, 2], [2, 2]], "B": [[0, 1], [2, 4]], "C": [[0, 3], [2, 0]]},
            },
            {"A": "1/2", "B": 2, "C": 4, "order": "C > B > A"},
        ),
    )

    def default_branch(self, options: Mapping[str, Any]) -> str:
        return "contrast" if self.option(options, "contrast", False) else self.branches[0]

    # --- params -----------------------------------------------------------------
    def parse(self, data: Mapping[str, Any]) -> LossOrderingParams:
        require_fields(data, ["line", "datasets"], ["metric"])
        line = data["line"]
        if not isinstance(line, Mapping):
            raise InvalidParams("expected {slope, intercept}", "line")
        require_fields(line, ["slope", "intercept"])
        if not isinstance(data["datasets"], Mapping):
            raise InvalidParams("expected a mapping of names to point lists, e.g. {A: [[0, 1], [1, 2]]}", "datasets")
        datasets = []
        for name, points in data["datasets"].items():
            field = f"datasets.{name}"
            parsed = []
            for i, point in enumerate(sequence(points, field)):
                pair = sequence(point, f"{field}[{i}]")
                if len(pair) != 2:
                    raise InvalidParams("each point is [x, y]", f"{field}[{i}]")
                parsed.append((exact.rational(pair[0], f"{field}[{i}].x"), exact.rational(pair[1], f"{field}[{i}].y")))
            datasets.append((str(name), tuple(parsed)))
        return LossOrderingParams(
            slope=exact.rational(line["slope"], "line.slope"),
            intercept=exact.rational(line["intercept"], "line.intercept"),
            datasets=tuple(datasets),
            metric=data.get("metric", "mse"),
        )

    def dump(self, params: LossOrderingParams) -> dict:
        return {
            "line": {"slope": exact.dump_number(params.slope), "intercept": exact.dump_number(params.intercept)},
            "datasets": {
                name: [[exact.dump_number(x), exact.dump_number(y)] for x, y in points]
                for name, points in params.datasets
            },
            "metric": params.metric,
        }

    def branch_of(self, params: LossOrderingParams) -> str:
        # Contrast means two strict orders that differ, not one loss with a tie (which would
        # make the orders "differ" for no reason the question is about).
        mse, mae = order_text(_mean_fractions(params, "mse")), order_text(_mean_fractions(params, "mae"))
        return "contrast" if mse is not None and mae is not None and mse != mae else "agree"

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> LossOrderingParams:
        contrast = self.option(options, "contrast", None)
        if contrast is not None and (branch == "contrast") != contrast:
            raise InvalidParams(
                f"option contrast={str(contrast).lower()} contradicts branch {branch}", "options.contrast"
            )
        metric = self.option(options, "metric", "mse")
        slope = draws.pick(rng, [sp.Rational(v, 2) for v in (-2, -1, 1, 2, 3)])
        intercept = sp.Integer(draws.small_int(rng, -2, 3))
        # The contrast branch gets one set with a single large outlier; the others have
        # evenly spread residuals. Both branches draw the same sizes and residual range.
        outlier_slot = int(rng.integers(3)) if branch == "contrast" else -1
        datasets, residual_sets = [], []
        for slot, name in enumerate("ABC"):
            size = int(rng.integers(4, 7))
            xs = sorted(draws.subset(rng, list(range(0, 7)), size))
            if slot == outlier_slot:
                small = [draws.small_int(rng, -1, 1) for _ in range(size - 1)]
                res = small + [draws.pick(rng, [-3, 3])]
                res = draws.shuffled(rng, res)
            else:
                res = [draws.pick(rng, [-2, -1, 1, 2]) * (1 if rng.random() < 0.8 else 0) for _ in range(size)]
            datasets.append((name, xs, res))
            residual_sets.append(res)
        # The residuals drawn are whole numbers: judge ties and the branch on them first (most
        # proposals are redrawn), and build the exact params only for one that is kept.
        orders = [_integer_order(residual_sets, square) for square in (True, False)]
        if None in orders:
            raise InvalidParams("two datasets tie in MSE or MAE: the comparison would rest on the tie")  # redrawn
        if (orders[0] != orders[1]) != (branch == "contrast"):
            raise InvalidParams(f"draw landed on the other branch, wanted {branch}")
        exact = tuple(
            (name, tuple((sp.Integer(x), slope * x + intercept + r) for x, r in zip(xs, res)))
            for name, xs, res in datasets
        )
        # The residuals are exactly the whole numbers judged above: branch_of agrees.
        return LossOrderingParams(slope, intercept, exact, metric)

    # --- answers ----------------------------------------------------------------
    def _metrics(self, params: LossOrderingParams) -> tuple[str, ...]:
        return ("mse", "mae") if params.metric == "both" else (params.metric,)

    def _prefix(self, params: LossOrderingParams, metric: str) -> str:
        return f"{metric}_" if params.metric == "both" else ""

    def parts(self, params: LossOrderingParams) -> tuple[Part, ...]:
        parts = []
        for metric in self._metrics(params):
            prefix = self._prefix(params, metric)
            parts.append(Part(f"{prefix}order", Math(r"\text{%s order}" % metric.upper())))
            for name in params.names:
                parts.append(Part(f"{prefix}{name}", Math(r"\mathrm{%s}_{%s}" % (metric.upper(), name))))
        return tuple(parts)

    def mcq_parts(self, params: LossOrderingParams) -> tuple[str, ...]:
        return tuple(f"{self._prefix(params, m)}order" for m in self._metrics(params))

    def numeric_parts(self, params: LossOrderingParams) -> tuple[str, ...]:
        return tuple(p.name for p in self.parts(params) if not p.name.endswith("order"))

    def _values(
        self, params: LossOrderingParams, orders: Mapping[str, str | None], losses: Mapping[str, Mapping]
    ) -> dict:
        values: dict = {}
        for metric in self._metrics(params):
            prefix = self._prefix(params, metric)
            if orders.get(metric) is not None:
                values[f"{prefix}order"] = orders[metric]
            for name, loss in losses.get(metric, {}).items():
                if loss is not None:
                    values[f"{prefix}{name}"] = loss
        return values

    def solve(self, params: LossOrderingParams) -> Solution:
        losses = {m: mean_losses(params, m) for m in ("mse", "mae")}
        orders = {m: order_text(losses[m]) for m in ("mse", "mae")}
        line = line_equation(params)
        steps = [Markup(r"Residuals $r_i = y_i - (%s)$ of the line $%s$ on each dataset:" % (_rhs(params), line))]
        for name, points in params.datasets:
            r = residuals(params, points)
            n = len(points)
            squares = " + ".join(tex(v**2) for v in r)
            absolutes = " + ".join(tex(abs(v)) for v in r)
            steps.append(
                Markup(
                    r"%s: $r = (%s)$, $\mathrm{MSE}_{%s} = \frac{1}{%d}(%s) = %s$, "
                    r"$\mathrm{MAE}_{%s} = \frac{1}{%d}(%s) = %s$."
                    % (
                        name,
                        ", ".join(tex(v) for v in r),
                        name,
                        n,
                        squares,
                        tex(losses["mse"][name]),
                        name,
                        n,
                        absolutes,
                        tex(losses["mae"][name]),
                    )
                )
            )
        for metric in self._metrics(params):
            steps.append(Markup(r"Decreasing %s: $%s$." % (metric.upper(), orders[metric])))
        if None in orders.values():
            tied = next(m for m, order in orders.items() if order is None)
            steps.append(Markup(r"(Two datasets tie in %s, so that loss gives no strict order here.)" % tied.upper()))
        elif orders["mse"] != orders["mae"]:
            steps.append(
                Markup(
                    r"The orders differ: squaring lets one large residual dominate the MSE, "
                    r"while the MAE weighs every unit of error the same."
                )
            )
        else:
            steps.append(
                Markup(
                    r"Here both losses give the same order; they can differ when one set has a single large "
                    r"residual, which squaring punishes far more than the absolute value does."
                )
            )
        return Solution(self._values(params, orders, {m: losses[m] for m in self._metrics(params)}), tuple(steps))

    def verify(self, params: LossOrderingParams) -> dict:
        values: dict = {}
        line = np.array([float(params.slope), float(params.intercept)])
        floats = {}
        for name, points in params.datasets:
            xy = np.array([[float(x), float(y)] for x, y in points])
            r = xy[:, 1] - (line[0] * xy[:, 0] + line[1])
            floats[name] = {"mse": float(np.mean(r**2)), "mae": float(np.mean(np.abs(r)))}
        for metric in self._metrics(params):
            prefix = self._prefix(params, metric)
            ranked = sorted(floats, key=lambda n: -floats[n][metric])
            values[f"{prefix}order"] = decreasing(ranked)
            for name in floats:
                values[f"{prefix}{name}"] = floats[name][metric]
        return values

    def mistakes(self, params: LossOrderingParams) -> Mistakes:
        metrics = self._metrics(params)
        correct = {m: mean_losses(params, m) for m in ("mse", "mae")}
        orders = {m: order_text(correct[m]) for m in ("mse", "mae")}
        increasing = {m: decreasing(list(reversed(orders[m].split(" > ")))) for m in metrics}
        found = Mistakes()
        if params.metric == "both":
            found.add(
                "same_order_for_both",
                "assumed MAE orders the sets as MSE does",
                self._values(params, {"mse": orders["mse"], "mae": orders["mse"]}, {}),
            )
            found.add(
                "metrics_swapped",
                "swapped the MSE and MAE orders",
                self._values(params, {"mse": orders["mae"], "mae": orders["mse"]}, {}),
            )
        else:
            other = "mae" if params.metric == "mse" else "mse"
            found.add(
                f"ordered_by_{other}",
                f"ordered by {other.upper()} instead of {params.metric.upper()}",
                self._values(params, {params.metric: orders[other]}, {params.metric: correct[other]}),
            )
        found.add(
            "increasing_order",
            "listed the datasets from smallest to largest loss",
            self._values(params, increasing, {}),
        )
        found.add(
            "sum_instead_of_mean",
            "summed the losses without dividing by the number of points",
            self._values(
                params,
                {m: order_text(mean_losses(params, m, total=True)) for m in metrics},
                {m: mean_losses(params, m, total=True) for m in metrics},
            ),
        )
        found.add(
            "divided_by_n_minus_1",
            "divided by n − 1 as for a sample variance",
            self._values(
                params,
                {m: order_text(mean_losses(params, m, denominator_shift=1)) for m in metrics},
                {m: mean_losses(params, m, denominator_shift=1) for m in metrics},
            ),
        )
        if params.metric != "both":
            found.add(
                "squared_mean_residual",
                "squared the mean residual instead of averaging squares"
                if params.metric == "mse"
                else "took |mean residual| instead of the mean of |r|",
                self._values(params, {}, {params.metric: _signed_mean(params, params.metric)}),
            )
        for name, description, slope, intercept in (
            ("intercept_dropped", "left out the intercept b: residuals y − a·x", params.slope, sp.Integer(0)),
            ("line_ignored", "took the losses of y itself, not of y − (a·x + b)", sp.Integer(0), sp.Integer(0)),
        ):
            if (slope, intercept) == (params.slope, params.intercept):
                continue
            with_line = {m: _losses_about(params, m, slope, intercept) for m in metrics}
            found.add(
                name, description, self._values(params, {m: order_text(with_line[m]) for m in metrics}, with_line)
            )
            if params.metric != "both":
                found.add(
                    f"{name}+increasing_order",
                    f"{description[0].lower()}{description[1:]}, and listed from smallest to largest",
                    self._values(params, {params.metric: _reversed(order_text(with_line[params.metric]))}, {}),
                    slips=2,
                )
        largest = {m: order_text(_largest_residual(params)) for m in metrics}
        found.add(
            "largest_residual", "ordered the sets by their largest single |residual|", self._values(params, largest, {})
        )
        if params.metric != "both":
            # Two slips at once, each one a student makes alone.
            other = "mae" if params.metric == "mse" else "mse"
            found.add(
                f"ordered_by_{other}+increasing_order",
                f"ordered by {other.upper()}, and from smallest to largest",
                self._values(params, {params.metric: _reversed(orders[other])}, {}),
                slips=2,
            )
            found.add(
                "sum_instead_of_mean+increasing_order",
                "summed the losses without dividing by n, and listed them from smallest to largest",
                self._values(
                    params, {params.metric: _reversed(order_text(mean_losses(params, params.metric, total=True)))}, {}
                ),
                slips=2,
            )
        if params.metric == "both":
            # A slip made in one of the two orders only (the other one right).
            for mistake in list(found):
                if mistake.name in ("same_order_for_both", "metrics_swapped"):
                    continue
                for metric in metrics:
                    wrong = mistake.values.get(f"{metric}_order")
                    if wrong is not None and wrong != orders[metric]:
                        right = orders["mae" if metric == "mse" else "mse"]
                        pair = {metric: wrong, ("mae" if metric == "mse" else "mse"): right}
                        found.add(
                            f"{mistake.name}_in_{metric}",
                            f"{mistake.description} (in the {metric.upper()} order only)",
                            self._values(params, pair, {}),
                        )
        return found

    def show_value(self, params: LossOrderingParams, value) -> Markup:
        # Orderings are math ("A > B > C"); dataset names are validated letters and digits.
        return Markup("$%s$" % value) if isinstance(value, str) else super().show_value(params, value)

    def show_values(self, params: LossOrderingParams, values: tuple) -> Markup:
        if params.metric == "both" and all(isinstance(v, str) for v in values):
            return Markup("MSE: $%s$; MAE: $%s$" % values)
        return super().show_values(params, values)

    # --- presentation -----------------------------------------------------------
    def context(self, params: LossOrderingParams) -> dict:
        return {
            "line": Math(line_equation(params)),
            "metric": params.metric,
            "names": list(params.names),
            "figure": scatter_figure(params),
            "points": Table(
                header=((Text("Dataset"),), (Text("Points "), MathSpan("(x, y)"))),
                rows=tuple(
                    ((Text(name),), (MathSpan(", ".join(f"({tex(x)}, {tex(y)})" for x, y in points)),))
                    for name, points in params.datasets
                ),
            ),
        }


PANEL_WIDTH, PANEL_HEIGHT, PANEL_GAP = 4.2, 3.4, 1.2  # cm


def _ticks(low: float, high: float) -> list[int]:
    """Integer tick positions inside [low, high], at most six of them."""
    step = next(s for s in (1, 2, 5, 10, 20, 50) if (high - low) / s <= 6)
    first = -(-int(low) // step) * step if low > 0 else (int(low) // step) * step
    return [t for t in range(first, int(high) + 1, step) if low <= t <= high]


def scatter_figure(params: LossOrderingParams) -> Figure:
    """The three scatter plots with the dashed line, drawn from the params (pgf and SVG).

    Positions are laid out here (floats, for drawing only; the numbers the question gives
    are exact in the stem and the table). pgfplots dominated the TeX time of a roster
    build; plain TikZ typeset fifteen times faster, pgf's basic layer (drawing.pgf) two and
    a half times faster again.
    """
    xs = [float(x) for _, points in params.datasets for x, _ in points]
    ys = [float(y) for _, points in params.datasets for _, y in points]
    xmin, xmax, ymin, ymax = min(xs) - 1, max(xs) + 1, min(ys) - 1, max(ys) + 1
    sx, sy = PANEL_WIDTH / (xmax - xmin), PANEL_HEIGHT / (ymax - ymin)
    slope, intercept = float(params.slope), float(params.intercept)
    items: list[drawing.Item] = []
    for panel, (name, points) in enumerate(params.datasets):
        left = panel * (PANEL_WIDTH + PANEL_GAP)
        right = left + PANEL_WIDTH

        def at(x: float, y: float, left: float = left) -> drawing.Point:
            return (left + (x - xmin) * sx, (y - ymin) * sy)

        grid, labels = [], []
        for t in _ticks(xmin, xmax):
            grid.append((at(t, ymin), at(t, ymax)))
            labels.append(drawing.Label(at(t, ymin)[:1] + (-0.08,), "top", f"${t}$", str(t), "scriptsize"))
        for t in _ticks(ymin, ymax):
            grid.append((at(xmin, t), at(xmax, t)))
            labels.append(drawing.Label((left - 0.08, at(xmin, t)[1]), "right", f"${t}$", str(t), "scriptsize"))
        items.append(drawing.Segments(tuple(grid), color="gray!25"))
        items.append(drawing.Frame((left, 0.0), (right, PANEL_HEIGHT)))
        line = drawing.Segments(
            ((at(xmin, slope * xmin + intercept), at(xmax, slope * xmax + intercept)),), dashed=True, thick=True
        )
        items.append(drawing.Clipped((left, 0.0), (right, PANEL_HEIGHT), (line,)))
        items.append(drawing.Dots(tuple(at(float(x), float(y)) for x, y in points)))
        items += labels
        items.append(
            drawing.Label(
                (left + PANEL_WIDTH / 2, PANEL_HEIGHT + 0.1),
                "bottom",
                f"Dataset {escape(name)}",
                f"Dataset {name}",
                "small",
            )
        )
    description = (
        f"Three scatter plots, datasets {', '.join(params.names)}, each with the dashed line "
        f"{latex_to_text('$' + line_equation(params) + '$')}."
    )
    return Figure(drawing.pgf(items), description, ("tikz",), drawing.svg(items, description))


def line_equation(params: LossOrderingParams) -> str:
    return ("y = %s %s" % (coefficient(params.slope, "x"), signed(params.intercept))).strip()


def _rhs(params: LossOrderingParams) -> str:
    return ("%s %s" % (coefficient(params.slope, "x_i"), signed(params.intercept))).strip()


def _losses_about(params: LossOrderingParams, metric: str, slope: sp.Rational, intercept: sp.Rational) -> dict:
    """Mean losses of every dataset about another line (a slip in the prediction)."""
    losses = {}
    for name, points in params.datasets:
        r = [y - (slope * x + intercept) for x, y in points]
        losses[name] = sum((v * v if metric == "mse" else abs(v) for v in r), sp.Integer(0)) / len(r)
    return losses


def _integer_order(residual_sets: list[list[int]], square: bool) -> tuple[int, ...] | None:
    """The datasets' order by mean squared (or absolute) whole-number residual, largest first;
    None on a tie. Means compare as cross-multiplied sums: no fractions needed."""
    means = [(sum(r * r if square else abs(r) for r in res), len(res)) for res in residual_sets]
    for (a, n), (b, m) in itertools.combinations(means, 2):
        if a * m == b * n:
            return None
    return tuple(sorted(range(len(means)), key=lambda i: Fraction(*means[i]), reverse=True))


def _largest_residual(params: LossOrderingParams) -> dict:
    """The largest |residual| per dataset: what a student who looks only at the worst point sees."""
    return {name: max(abs(r) for r in residuals(params, points)) for name, points in params.datasets}


def _reversed(order: str | None) -> str | None:
    return None if order is None else decreasing(list(reversed(order.split(" > "))))


def _signed_mean(params: LossOrderingParams, metric: str) -> dict:
    """The mistake of averaging signed residuals first: (mean r)² or |mean r|."""
    values = {}
    for name, points in params.datasets:
        mean = sum(residuals(params, points), sp.Integer(0)) / len(points)
        values[name] = mean**2 if metric == "mse" else abs(mean)
    return values
