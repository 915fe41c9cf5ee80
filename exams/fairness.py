"""Does a multiple-choice key leak? Per family and branch, where the correct option lands.

Over many draws, counting each distinct variant once (its letter is fixed, so a repeat
would weigh it rather than test anything): how often the correct option is each letter, how often (for a single
numeric answer) it has each rank among the numbers shown, and how often some distractor
is ruled out for free by the family's own plausibility rule (an axiom such as
efficiency). Uniformity is judged with Pearson's χ² test; p > 0.01 passes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp

from variantex.exams.assemble import LETTERS
from variantex.generators.base import Family
from variantex.generators.variant import draw_variant


@dataclass
class FairnessRow:
    family: str
    branch: str
    draws: int
    distinct: int = 0  # distinct variants among the draws: each counts once
    letters: Counter = field(default_factory=Counter)
    ranks: Counter = field(default_factory=Counter)  # only for a single numeric answer
    implausible: int = 0  # draws in which some distractor breaks the family's own rule
    choices: int = 0  # options per variant on this branch

    def p_letters(self, choices: int | None = None) -> float:
        return chi_square_p([self.letters[letter] for letter in LETTERS[: choices or self.choices]])

    def p_ranks(self, choices: int | None = None) -> float | None:
        if sum(self.ranks.values()) < self.distinct:
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
    seen = set()
    for seed in range(draws):
        variant = draw_variant(family, np.random.default_rng(seed), branch, options or {}, "mcq")
        if variant.params in seen:
            continue  # a variant's letter is fixed: counting repeats would weigh it, not test it
        seen.add(variant.params)
        row.distinct += 1
        printed = variant.options
        row.choices = max(row.choices, len(printed))
        correct = next(i for i, option in enumerate(printed) if option.correct)
        row.letters[LETTERS[correct]] += 1
        values = [option.values for option in printed]
        if all(len(v) == 1 and not isinstance(v[0], str) for v in values):
            numbers = sorted(float(sp.N(v[0], 30)) for v in values)
            row.ranks[numbers.index(float(sp.N(printed[correct].values[0], 30)))] += 1
        if any(not family.plausible(variant.params, option.values) for option in printed if not option.correct):
            row.implausible += 1
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
    lines = [head + "   p(letter)  p(rank)  ruled out  variants"]
    for row in rows:
        p_rank = row.p_ranks()  # against the branch's own number of options
        lines.append(
            f"{row.family:<20} {row.branch:<13} "
            + " ".join(
                f"{row.letters[letter]:>5}" if i < row.choices else f"{'':>5}"
                for i, letter in enumerate(LETTERS[:choices])
            )
            + f"   {row.p_letters():9.3f}  {'   -   ' if p_rank is None else f'{p_rank:7.3f}'}"
            + f"  {row.implausible / row.distinct:8.1%}  {row.distinct:>6}"
        )
    return lines
