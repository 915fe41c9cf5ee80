"""Multiple-choice keys cannot be guessed from position, rank or an axiom, for every family."""

import pytest
import sympy as sp

from variantex.exams.assemble import correct_letter, draw_slot, ordered_options
from variantex.exams.fairness import audit_branch, chi_square_p
from variantex.exams.spec import QuestionSpec
from variantex.generators import families
from variantex.generators.variant import variant_from_data

DRAWS = 2000


def test_chi_square_p_values():
    assert chi_square_p([100, 100, 100, 100, 100]) == pytest.approx(1.0)
    assert chi_square_p([500, 0, 0, 0, 0]) < 1e-6
    assert 0.2 < chi_square_p([95, 105, 98, 110, 92]) < 0.95


def _branches():
    for family in families():
        if "mcq" in family.formats:
            for branch in family.branches:
                yield pytest.param(family, branch, id=f"{family.id}-{branch}")


@pytest.mark.slow
@pytest.mark.parametrize("family,branch", list(_branches()))
def test_the_correct_option_lands_anywhere(family, branch):
    """Counted per draw, as a class gets them (a variant many students draw counts each time):
    the key's letter as arranged and with shuffle_options, and its rank among the numbers."""
    row = audit_branch(family, branch, DRAWS)
    assert row.choices == 5, "every family offers five options, each a named mistake"
    assert row.distinct >= 100, f"only {row.distinct} distinct variants: too few to judge (or to give a class)"
    assert row.p_letters() > 0.01, dict(row.letters)
    assert row.p_letters(shuffled=True) > 0.01, dict(row.shuffled)
    p_rank = row.p_ranks()
    if p_rank is not None:
        assert p_rank > 0.01, dict(row.ranks)
    # No distractor is ruled out for free in every variant (e.g. by efficiency).
    assert row.implausible < row.draws


def test_students_who_draw_the_same_variant_see_its_key_at_different_letters():
    """diffusion-forward `marginal` has ~130 distinct variants, some drawn by 1 % of a class:
    were the options a function of the params, each such variant would put its key at one
    letter for all of them (letters 310/131/224/178/157 over 1,000 draws before the fix)."""
    family = next(f for f in families() if f.id == "diffusion-forward")
    question = QuestionSpec("q1", family, "mcq", sp.Integer(1), "marginal")
    letters: dict = {}
    for student in range(300):
        _, variant, _, order, arrangement = draw_slot(question, 7, f"S{student}", False, "test")
        printed = ordered_options(variant, order, arrangement)
        letters.setdefault(variant.params, set()).add(correct_letter(printed))
    repeated = [seen for seen in letters.values() if len(seen) > 1]
    assert len(repeated) >= 10, letters


def test_an_arrangement_is_a_pure_function_of_the_variant_and_its_number():
    family = next(f for f in families() if f.id == "neumann-series")
    question = QuestionSpec("q1", family, "mcq", sp.Integer(1), "partial-sum")
    _, variant, _, _, arrangement = draw_slot(question, 3, "S1", False, "test")
    again = variant_from_data(family, family.dump(variant.params))
    assert again.arranged(arrangement) == variant.arranged(arrangement)
    assert {correct_letter(variant.arranged(n)) for n in range(40)} == set("ABCDE")
