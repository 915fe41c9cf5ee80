"""Multiple-choice keys cannot be guessed from position, rank or an axiom, for every family."""

import pytest

from variantex.exams.fairness import audit_branch, chi_square_p
from variantex.generators import families

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
    row = audit_branch(family, branch, DRAWS)
    assert row.distinct >= 100, f"only {row.distinct} distinct variants: too few to judge (or to give a class)"
    assert row.p_letters() > 0.01, dict(row.letters)
    p_rank = row.p_ranks()
    if p_rank is not None:
        assert p_rank > 0.01, dict(row.ranks)
    # No distractor is ruled out for free in every variant (e.g. by efficiency).
    assert row.implausible < row.distinct
