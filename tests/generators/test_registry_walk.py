"""One test walks the whole registry across many seeds, every family, format, branch and option set.

Each family declares its option sets and edge cases itself, so a new family is covered
with no edit here (tests/test_family_kit.py proves it with a family defined in a test).
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.walk import assert_edge_case, assert_variant_sound, dead_mistakes, render_all
from variantex.generators import families
from variantex.generators.variant import draw_variant, variant_from_data

SEEDS = 200


def _cases():
    for family in families():
        for fmt in family.formats:
            yield pytest.param(family, fmt, id=f"{family.id}-{fmt}")


def walk(family, fmt, seeds):
    combos = list(itertools.product(family.branches, family.option_sets))
    seen_branches = set()
    variants = [variant_from_data(family, case.params) for case in family.edge_cases]
    for seed in range(seeds):
        branch, options = combos[seed % len(combos)]
        variant = draw_variant(family, np.random.default_rng(seed), branch, options, fmt)
        assert_variant_sound(variant, branch, fmt)
        seen_branches.add(variant.branch)
        variants.append(variant)
    assert seen_branches == set(family.branches)
    dead = dead_mistakes(variants).get(family.id, set())
    assert not dead, (
        f"{family.id}: named mistakes that never survive the distinctness filter over "
        f"{len(variants)} variants (dead): {', '.join(sorted(dead))}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("family,fmt", list(_cases()))
def test_registry_walk(family, fmt):
    walk(family, fmt, SEEDS)


@pytest.mark.parametrize("family,fmt", list(_cases()))
def test_every_branch_and_option_set_renders(family, fmt):
    """Fast: a misspelled template variable or broken markup fails `make test-fast` too."""
    for branch, options in itertools.product(family.branches, family.option_sets):
        variant = draw_variant(family, np.random.default_rng(1), branch, options, fmt)
        render_all(variant, fmt)


@pytest.mark.parametrize("family", families(), ids=lambda f: f.id)
def test_edge_cases_give_their_hand_worked_answers(family):
    assert len(family.edge_cases) >= 2, f"{family.id} declares too few edge cases"
    for case in family.edge_cases:
        assert_edge_case(family, case)


@pytest.mark.parametrize("family", families(), ids=lambda f: f.id)
def test_every_family_declares_what_the_walk_needs(family):
    assert family.stem_source()
    assert family.option_sets and {} in [dict(o) for o in family.option_sets]
    for options in family.option_sets:
        family.check_options(options)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=st.data(), seed=st.integers(min_value=0, max_value=2**63 - 1))
def test_any_seed_any_branch(data, seed):
    family = data.draw(st.sampled_from(families()), label="family")
    branch = data.draw(st.sampled_from(family.branches), label="branch")
    fmt = data.draw(st.sampled_from(family.formats), label="format")
    options = data.draw(st.sampled_from(family.option_sets), label="options")
    variant = draw_variant(family, np.random.default_rng(seed), branch, options, fmt)
    assert_variant_sound(variant, branch, fmt)


@pytest.mark.parametrize("family", families(), ids=lambda f: f.id)
def test_same_seed_same_variant(family):
    fmt = "mcq" if "mcq" in family.formats else family.formats[0]
    first = draw_variant(family, np.random.default_rng(7), family.branches[0], {}, fmt)
    second = draw_variant(family, np.random.default_rng(7), family.branches[0], {}, fmt)
    assert first.params == second.params
    if fmt == "mcq":
        assert [o.printed for o in first.options] == [o.printed for o in second.options]
