"""One acceptance set: each LMS accepts, for every exported numeric part, exactly the numbers
`check` and `grade` accept, judged by the LMS's own rule (exams/lms/acceptance.py) on what
the export states, against `check`'s own judgement (claim_matches) of the same typed text.

Typed texts tried per part: the key rounded to 2, 3, 4 and 6 significant figures, the exact
edges of the tolerance when they are finite decimals, and every named mistake's value to 4
and to 15 significant figures.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from variantex.answer_engine.checking import Claim, claim_matches
from variantex.exams.bank import absolute_tolerance, decimal_text, draw_bank, in_words, tolerance_text
from variantex.exams.lms.acceptance import TARGETS, blank_accepts
from variantex.exams.lms.canvas import blank_answers
from variantex.exams.spec import load_spec
from variantex.generators import families


def _terminating(value: sp.Rational) -> str | None:
    """A rational's exact decimal text, when it has one."""
    q = int(value.q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    if q != 1:
        return None
    return decimal_text(value, 40)


def _decimal(text: str) -> str:
    """A typed decimal: `check` reads a bare integer as an exact value (an LMS cannot tell
    580 from 580.0, a difference docs/lms.md lists), so integers are typed with a point."""
    return text if "." in text else text + ".0"


def _typed(view, part, variant) -> list[tuple[str, str]]:
    """(what, typed decimal) for one part."""
    return [(what, _decimal(text)) for what, text in _typed_texts(view, part, variant)]


def _typed_texts(view, part, variant) -> list[tuple[str, str]]:
    value = part.value
    texts = [(f"key to {d} s.f.", decimal_text(value, d)) for d in (2, 3, 4, 6)]
    if isinstance(value, sp.Rational):
        bound = absolute_tolerance(view, part)
        for sign in (-1, 1):
            edge = value + sign * bound
            if isinstance(edge, sp.Rational) and (text := _terminating(edge)) is not None:
                texts.append(("tolerance edge", text))
    family, params = variant.family, variant.params
    for mistake in family.mistakes(params):
        other = mistake.values.get(part.name)
        if mistake.guess or other is None or isinstance(other, str) or not other.is_finite:
            continue
        texts += [(f"mistake {mistake.name}", decimal_text(other, 4)), (f"mistake {mistake.name}", decimal_text(other))]
    return texts


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    numeric = [f for f in families() if "numeric" in f.formats]
    slots = "".join(f"  - {{id: s{i}, family: {f.id}, format: numeric, points: 2}}\n" for i, f in enumerate(numeric))
    spec = Path(tmp_path_factory.mktemp("acceptance")) / "spec.yaml"
    spec.write_text(f'title: "Acceptance"\nseed: 5\nquestions:\n{slots}', encoding="utf-8")
    return draw_bank(load_spec(spec), 5, 12)


def test_every_target_accepts_exactly_what_check_accepts(bank):
    differences, tried = [], 0
    for slot in bank.slots:
        for variant in slot.variants:
            view = variant.view
            rules = variant.variant.family.rules_for(variant.variant.params)
            for part in view.asked:
                if in_words(part):
                    continue
                answer, tolerance = decimal_text(part.value), tolerance_text(view, part)
                blanks = blank_answers(view, part)
                for what, text in _typed(view, part, variant.variant):
                    ours = claim_matches(Claim.read(text), part.value, rules)
                    tried += 1
                    for target, accepts in TARGETS.items():
                        theirs = accepts(answer, tolerance, Fraction(text))
                        if theirs != ours:
                            differences.append(
                                f"{target} {slot.spec.family.id} {part.name} {what} {text}: "
                                f"{'accepts' if theirs else 'rejects'}, check {'accepts' if ours else 'rejects'}"
                            )
                    # A Canvas blank lists texts: none that check rejects, and every rounding of the key
                    # check accepts (the only difference left: longer in-tolerance decimals, docs/lms.md).
                    if blank_accepts(blanks, text) and not ours:
                        differences.append(f"canvas blank {slot.spec.family.id} {part.name} {what} {text}: accepts")
                    if (
                        ours
                        and what.startswith("key")
                        and "." in text.rstrip("0").rstrip(".")
                        and not blank_accepts(blanks, text)
                    ):
                        differences.append(f"canvas blank {slot.spec.family.id} {part.name} {what} {text}: rejects")
    assert tried > 1000
    assert differences == []


def test_the_reported_cases_score_as_check_scores():
    """The issue's examples: 0.33 for 1/3 (±1 %), and 1.24 for 5/4 and 0.496 for 1/2 in a blank."""
    from variantex.answer_engine.checking import Tolerance
    from variantex.exams.view import PartView, QuestionView

    def part_and_view(value):
        part = PartView(name="x", label="x", value=value, shown=())
        view = QuestionView.__new__(QuestionView)
        object.__setattr__(view, "tolerance", Tolerance(relative=sp.Rational(1, 100)))
        return part, view

    part, view = part_and_view(sp.Rational(1, 3))
    for target, accepts in TARGETS.items():
        assert accepts(decimal_text(part.value), tolerance_text(view, part), Fraction("0.33")), target
        assert not accepts(decimal_text(part.value), tolerance_text(view, part), Fraction("0.32")), target
    for value, typed in ((sp.Rational(5, 4), "1.24"), (sp.Rational(1, 2), "0.496")):
        part, view = part_and_view(value)
        assert typed in blank_answers(view, part)
