"""Precision, recall and F1 of a classifier, from its confusion-matrix counts.

An example variantex plug-in (docs/plugins.md): every import below is from the public API,
`variantex.generators.*` and `variantex.answer_engine.*`, and nothing else of variantex.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from variantex.answer_engine.errors import InvalidParams
from variantex.answer_engine.formatting import Markup, equals
from variantex.generators.base import Family, Part, Solution
from variantex.generators.kit import EdgeCase, Mistakes, integer

STEM = r"""
<% block stem %>
A classifier is tested on << q.total >> examples. It marks << q.tp + q.fp >> of them positive, of which
<< q.tp >> are truly positive; << q.fn >> truly positive examples are marked negative.
<% endblock %>
<% block ask %>
<% if asked | length == 1 %>What is its $F_1$ score?<% else %>Compute its precision, its recall and its $F_1$ score.<% endif %>
<% endblock %>
"""


@dataclass(frozen=True)
class Counts:
    tp: int = integer(low=1)
    fp: int = integer(low=0)
    fn: int = integer(low=0)
    tn: int = integer(low=0)

    def __post_init__(self) -> None:
        if self.fp == self.fn:
            # Then precision = recall = F1 and the question asks one number three times.
            raise InvalidParams("fp and fn must differ (precision would equal recall)", "fn")

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


class PrecisionRecall(Family):
    id = "precision-recall"
    title = "Precision, recall and F1 from a confusion matrix"
    formats = ("mcq", "numeric", "open")
    # Which error dominates: the branch tells the two kinds of variant apart for fairness.
    branches = ("more-false-positives", "more-false-negatives")
    params_type = Counts
    stem_template = STEM
    edge_cases = (
        EdgeCase(
            "8 of 10 flagged are right, 8 of 12 positives found",
            {"tp": 8, "fp": 2, "fn": 4, "tn": 6},
            {"precision": "4/5", "recall": "2/3", "f1": "8/11"},
        ),
        EdgeCase(
            "one hit, no false alarm",
            {"tp": 1, "fp": 0, "fn": 3, "tn": 5},
            {"precision": 1, "recall": "1/4", "f1": "2/5"},
        ),
    )

    def draw(self, rng: np.random.Generator, branch: str, options: dict) -> Counts:
        tp = int(rng.integers(3, 13))
        small, large = sorted(int(v) for v in rng.choice(np.arange(1, 10), size=2, replace=False))
        fp, fn = (large, small) if branch == "more-false-positives" else (small, large)
        return Counts(tp=tp, fp=fp, fn=fn, tn=int(rng.integers(5, 40)))

    def branch_of(self, params: Counts) -> str:
        return "more-false-positives" if params.fp > params.fn else "more-false-negatives"

    def parts(self, params: Counts) -> tuple[Part, ...]:
        return (Part("f1", "F_1"), Part("precision", r"\text{precision}"), Part("recall", r"\text{recall}"))

    def solve(self, params: Counts) -> Solution:
        tp, fp, fn = (sp.Integer(v) for v in (params.tp, params.fp, params.fn))
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall)
        return Solution(
            {"f1": f1, "precision": precision, "recall": recall},
            (
                Markup(r"Precision $= \frac{TP}{TP + FP} = \frac{%d}{%d} %s$." % (tp, tp + fp, equals(precision))),
                Markup(r"Recall $= \frac{TP}{TP + FN} = \frac{%d}{%d} %s$." % (tp, tp + fn, equals(recall))),
                Markup(r"$F_1 = \frac{2PR}{P + R} %s$, the harmonic mean of the two." % equals(f1)),
            ),
        )

    def verify(self, params: Counts) -> dict[str, float]:
        """Independently: build the labels and predictions, count, and take F1 from its
        definition over the counts (2·TP / (2·TP + FP + FN)), not from P and R."""
        truth = np.array([1] * params.tp + [0] * params.fp + [1] * params.fn + [0] * params.tn)
        guess = np.array([1] * (params.tp + params.fp) + [0] * (params.fn + params.tn))
        hits = float(np.sum((truth == 1) & (guess == 1)))
        return {
            "precision": hits / float(np.sum(guess == 1)),
            "recall": hits / float(np.sum(truth == 1)),
            "f1": 2 * hits / (float(np.sum(guess == 1)) + float(np.sum(truth == 1))),
        }

    def mistakes(self, params: Counts) -> Mistakes:
        tp, fp, fn, tn = (sp.Integer(v) for v in (params.tp, params.fp, params.fn, params.tn))
        p, r = tp / (tp + fp), tp / (tp + fn)
        found = Mistakes()
        found.add(
            "arithmetic_mean",
            "averaged precision and recall instead of the harmonic mean",
            f1=(p + r) / 2,
            precision=p,
            recall=r,
        )
        found.add("forgot_the_two", "wrote F1 = PR/(P + R), dropping the factor 2", f1=p * r / (p + r))
        found.add("product", "multiplied precision and recall", f1=p * r)
        found.add("jaccard", "computed TP/(TP + FP + FN), the Jaccard index", f1=tp / (tp + fp + fn))
        found.add("accuracy", "computed the accuracy (TP + TN)/total", f1=(tp + tn) / (tp + fp + fn + tn))
        found.add("precision_only", "stopped at the precision", f1=p)
        found.add("recall_only", "stopped at the recall", f1=r)
        found.add("ignored_false_negatives", "left FN out of F1's denominator", f1=2 * tp / (2 * tp + fp))
        found.add("ignored_false_positives", "left FP out of F1's denominator", f1=2 * tp / (2 * tp + fn))
        found.add("geometric_mean", "took the geometric mean √(PR)", f1=sp.sqrt(p * r))
        found.add("swapped_fp_fn", "took precision as TP/(TP + FN) and recall as TP/(TP + FP)", precision=r, recall=p)
        return found

    def context(self, params: Counts) -> dict:
        return {"tp": params.tp, "fp": params.fp, "fn": params.fn, "total": params.total}
