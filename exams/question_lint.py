"""`variantex lint`: walk a question file over many draws, as the registry walk does for the
built-in families, and say what a student would meet: constraints that (almost) never hold,
draws with no answer, keys the second computation disputes, mistakes that give the key (dead
distractors), options that are not distinct, a correct letter or rank that gives the key
away, and answers with more digits than a question means to ask for.

Problems make `lint` exit 1; notes are said and pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from variantex.answer_engine.checking import value_matches
from variantex.answer_engine.errors import InputError, InvalidParams, VerificationError
from variantex.exams.question_files import FileParams, QuestionFileFamily, StaticFamily

RARE = 0.05  # below this share of draws meeting the constraints: a problem
SELDOM = 0.5  # below this: a note
DEAD = 0.5  # a mistake giving the key in more draws than this is dead
UGLY_DENOMINATOR = 1000  # an exact answer with a larger denominator has more digits than a question means
FAIR_P = 0.01


@dataclass
class Report:
    family: str
    path: str
    draws: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def lint(family: QuestionFileFamily | StaticFamily, draws: int = 200) -> Report:
    report = Report(family.id, family.source.path, draws)
    if isinstance(family, StaticFamily):  # one question for everyone: its letters are what can go wrong
        _formats(family, report)
        return report
    rng = np.random.default_rng(2027)
    failed: Counter[str] = Counter()
    accepted: list[FileParams] = []
    for _ in range(draws * 5):
        if len(accepted) == draws:
            break
        try:
            accepted.append(family.draw_any(rng))
        except InvalidParams as error:
            failed[error.message] += 1
    tries = len(accepted) + sum(failed.values())
    share = len(accepted) / tries
    if failed:
        worst, count = failed.most_common(1)[0]
        line = f"{share:.0%} of draws meet the constraints (most often failed: {worst}, {count} times)"
        if share < RARE:
            report.problems.append(f"constraints rarely hold: {line}")
        elif share < SELDOM:
            report.notes.append(line)
    if len(family.branches) > 1:
        shares = Counter(family.branch_of(params) for params in accepted)
        report.notes.append(
            "branches: " + ", ".join(f"{name} {shares[name] / max(1, len(accepted)):.0%}" for name in family.branches)
        )
        report.problems += [f"branch {name!r} is never drawn" for name in family.branches if not shares[name]]
    _answers(family, accepted, report)
    _formats(family, report)
    return report


def _answers(family: QuestionFileFamily, accepted: list[FileParams], report: Report) -> None:
    from variantex.generators.variant import Variant

    unanswered, disputed, ugly = Counter[str](), [], Counter[str]()
    dead: Counter[tuple[str, str]] = Counter()  # (mistake, branch): draws where it gives the key
    on_branch: Counter[str] = Counter()
    solved = 0
    for params in accepted:
        try:
            variant = Variant(family, params)
            solution = variant.solution  # solved exactly and verified
        except VerificationError as error:
            disputed.append(str(error))
            continue
        except InvalidParams as error:
            unanswered[error.message] += 1
            continue
        solved += 1
        branch = family.branch_of(params)
        on_branch[branch] += 1
        rules = family.rules_for(params)
        for mistake in family.mistakes(params):
            if all(value_matches(value, solution.values[name], rules) for name, value in mistake.values.items()):
                dead[mistake.name, branch] += 1
        for name, value in solution.values.items():
            if isinstance(value, sp.Rational) and value.q > UGLY_DENOMINATOR:
                ugly[name] += 1
    if unanswered:
        reason, count = unanswered.most_common(1)[0]
        report.problems.append(f"{sum(unanswered.values())} of {len(accepted)} draws have no answer ({reason})")
    if disputed:
        report.problems.append(f"{len(disputed)} keys disputed by the second computation; first: {disputed[0]}")
    for name in (m.name for m in family.source.mistakes):
        total = sum(dead[name, branch] for branch in on_branch)
        # Dead: it gives the key in most draws of every branch (alive on one branch is a use).
        if solved and all(dead[name, branch] > DEAD * count for branch, count in on_branch.items()):
            report.problems.append(f"mistake {name!r} gives the key in {total} of {solved} draws: a dead distractor")
        elif total:
            report.notes.append(f"mistake {name!r} gives the key in {total} of {solved} draws (not offered there)")
    for name, count in ugly.items():
        report.notes.append(
            f"part {name!r} is a fraction with a denominator over {UGLY_DENOMINATOR} in {count} of {solved} draws: "
            "more digits than a hand computation gives"
        )


def _formats(family: QuestionFileFamily | StaticFamily, report: Report) -> None:
    from variantex.exams.fairness import audit_branch
    from variantex.generators.variant import draw_variant

    for fmt in family.formats:
        for branch in family.branches:
            failures = 0
            for seed in range(20):
                try:
                    draw_variant(family, np.random.default_rng(seed), branch, {}, fmt)
                except InputError:
                    failures += 1
            if failures:
                report.problems.append(
                    f"{fmt}, branch {branch}: {failures} of 20 draws give no usable question (options not distinct?)"
                )
    if "mcq" not in family.formats:
        report.notes.append(
            "no multiple choice: in most draws the named mistakes cannot put the key at every rank among three "
            "options (add mistakes on both sides of the key)"
        )
        return
    for branch in family.branches:
        try:
            row = audit_branch(family, branch, report.draws)
        except InputError as error:
            report.problems.append(f"mcq, branch {branch}: {error}")
            continue
        for what, p in (("letter", row.p_letters()), ("letter with shuffle_options", row.p_letters(shuffled=True))):
            if p < FAIR_P:
                report.problems.append(
                    f"branch {branch}: the correct {what} is not uniform over {row.draws} draws (p = {p:.4f})"
                )
        ranks = row.p_ranks()
        if ranks is not None and ranks < FAIR_P:
            report.problems.append(f"branch {branch}: the correct option's rank is not uniform (p = {ranks:.4f})")


def lines(report: Report) -> list[str]:
    head = f"{report.path} ({report.family}): {report.draws} draws"
    if not report.problems:
        head += ": no problems"
    return [head, *(f"  problem: {p}" for p in report.problems), *(f"  note: {n}" for n in report.notes)]
