"""Does a multiple-choice key leak? Per family and branch, where the correct option lands.

Over many draws, as a class would get them (each draw is one student's question, through
the same code a build runs, repeats included, since a class sees repeats too): how often
the correct option is each letter as printed without and with `shuffle_options`, how often
(for a single numeric answer) it has each rank among the numbers shown, and how often some
distractor is ruled out for free by the family's own plausibility rule (an axiom such as
efficiency). Uniformity is judged with Pearson's χ² test; p > 0.01 passes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from variantex.exams.assemble import LETTERS, draw_slot, ordered_options
from variantex.exams.spec import QuestionSpec
from variantex.generators.base import Family


@dataclass
class FairnessRow:
    family: str
    branch: str
    draws: int
    distinct: int = 0  # distinct variants among the draws
    letters: Counter = field(default_factory=Counter)  # options in their arranged order
    shuffled: Counter = field(default_factory=Counter)  # with shuffle_options
    ranks: Counter = field(default_factory=Counter)  # only for a single numeric answer
    implausible: int = 0  # draws in which some distractor breaks the family's own rule
    choices: int = 0  # options per variant on this branch

    def p_letters(self, choices: int | None = None, shuffled: bool = False) -> float:
        counts = self.shuffled if shuffled else self.letters
        return chi_square_p([counts[letter] for letter in LETTERS[: choices or self.choices]])

    def p_ranks(self, choices: int | None = None) -> float | None:
        if sum(self.ranks.values()) < self.draws:
            return None  # not every draw had a numeric answer among numbers only
        return chi_square_p([self.ranks[r] for r in range(choices or self.choices)])


def chi_square_p(counts: list[int]) -> float:
    """p-value of Pearson's χ² test that `counts` come from a uniform distribution."""
    total = sum(counts)
    expected = total / len(counts)
    statistic = sum((c - expected) ** 2 / expected for c in counts)
    return float(mpmath.gammainc((len(counts) - 1) / 2, statistic / 2, mpmath.inf, regularized=True))


def audit_branch(family: Family, branch: str, draws: int, options: dict | None = None) -> FairnessRow:
    row = FairnessRow(family.id, branch, draws)
    question = QuestionSpec("q1", family, "mcq", sp.Integer(1), branch, options or {})
    seen = set()
    for student in range(draws):
        # One draw serves both: the arranged options are what a paper without
        # shuffle_options prints; `order` is how shuffle_options would reorder them.
        _, variant, _, order, arrangement = draw_slot(question, 1, f"S{student:05d}", True, "audit")
        arranged = variant.arranged(arrangement)
        printed = ordered_options(variant, order, arrangement)
        row.letters[LETTERS[next(i for i, option in enumerate(arranged) if option.correct)]] += 1
        correct = next(i for i, option in enumerate(printed) if option.correct)
        row.shuffled[LETTERS[correct]] += 1
        seen.add(variant.params)
        row.choices = max(row.choices, len(printed))
        values = [option.values for option in printed]
        if all(len(v) == 1 and not isinstance(v[0], str) for v in values):
            numbers = sorted(float(sp.N(v[0], 30)) for v in values)
            row.ranks[numbers.index(float(sp.N(printed[correct].values[0], 30)))] += 1
        if any(not family.plausible(variant.params, option.values) for option in printed if not option.correct):
            row.implausible += 1
    row.distinct = len(seen)
    return row


def audit(families: list[Family], draws: int) -> list[FairnessRow]:
    return [
        audit_branch(family, branch, draws)
        for family in families
        if "mcq" in family.formats
        for branch in family.branches
    ]


def table(rows: list[FairnessRow], choices: int = 5) -> list[str]:
    head = f"{'family':<20} {'branch':<13} " + " ".join(f"{letter:>5}" for letter in LETTERS[:choices])
    lines = [head + "   p(letter)  p(shuffled)  p(rank)  ruled out  variants"]
    for row in rows:
        p_rank = row.p_ranks()  # against the branch's own number of options
        lines.append(
            f"{row.family:<20} {row.branch:<13} "
            + " ".join(
                f"{row.letters[letter]:>5}" if i < row.choices else f"{'':>5}"
                for i, letter in enumerate(LETTERS[:choices])
            )
            + f"   {row.p_letters():9.3f}  {row.p_letters(shuffled=True):11.3f}"
            + f"  {'   -   ' if p_rank is None else f'{p_rank:7.3f}'}"
            + f"  {row.implausible / row.draws:8.1%}  {row.distinct:>8}"
        )
    return lines
