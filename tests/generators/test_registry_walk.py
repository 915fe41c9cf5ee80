"""One test walks the whole registry across many seeds, every family and every format.

For each variant: params are valid and round-trip through dump/parse; the draw lands on the
requested branch; solve equals the independent verify (Variant.solution raises otherwise);
options are distinct as printed and exactly one passes the answer check; the templates render
with no undefined variable; the worked steps read as plain text.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from answer_engine.checking import value_matches
from answer_engine.formatting import latex_to_text
from generators import families
from generators.variant import draw_variant
from tests.conftest import render_question

SEEDS = 200

# Option combinations worth covering in the walk, per family (the default is always included).
OPTION_SETS = {
    "loss-ordering": [{}, {"metric": "mae"}, {"metric": "both"}],
    "eigen-determinant": [{}, {"shared": True}, {"dimension": 4}],
    "relu-backprop": [{}, {"loss": "cross_entropy"}, {"outputs": 2}, {"calculator": True}],
    "shapley-and": [{}, {"players": 3}, {"payoff": 6}],
}


def assert_variant_sound(variant, branch, fmt):
    family, params = variant.family, variant.params
    assert family.parse(family.dump(params)) == params
    assert variant.branch == branch
    values = variant.solution.values
    assert [p.name for p in family.parts(params)] == list(values)
    if fmt == "mcq":
        options = variant.options
        printed = [option.printed for option in options]
        assert len(options) == family.choices
        assert len(set(printed)) == len(printed), printed
        correct = tuple(values[name] for name in family.mcq_parts(params))
        passing = [
            option for option in options
            if all(value_matches(v, c, family.tolerance) for v, c in zip(option.values, correct))
        ]
        assert len(passing) == 1 and passing[0].correct
    for key in (False, True):
        text = render_question(variant, fmt, key)
        assert "\\subsection*{Question 1" in text
    for step in variant.solution.steps:
        assert "\\" not in latex_to_text(step), step


def _cases():
    for family in families():
        for fmt in family.formats:
            yield pytest.param(family, fmt, id=f"{family.id}-{fmt}")


@pytest.mark.slow
@pytest.mark.parametrize("family,fmt", list(_cases()))
def test_registry_walk(family, fmt):
    combos = list(itertools.product(family.branches, OPTION_SETS[family.id]))
    seen_branches = set()
    for seed in range(SEEDS):
        branch, options = combos[seed % len(combos)]
        variant = draw_variant(family, np.random.default_rng(seed), branch, options, fmt)
        assert_variant_sound(variant, branch, fmt)
        seen_branches.add(variant.branch)
    assert seen_branches == set(family.branches)


def test_every_family_has_templates_and_option_sets():
    from importlib import resources

    for family in families():
        assert resources.files("templates").joinpath(family.id, "stem.tex.j2").is_file()
        assert family.id in OPTION_SETS


@pytest.mark.slow
@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=st.data(), seed=st.integers(min_value=0, max_value=2**63 - 1))
def test_any_seed_any_branch(data, seed):
    family = data.draw(st.sampled_from(families()), label="family")
    branch = data.draw(st.sampled_from(family.branches), label="branch")
    fmt = data.draw(st.sampled_from(family.formats), label="format")
    options = data.draw(st.sampled_from(OPTION_SETS[family.id]), label="options")
    variant = draw_variant(family, np.random.default_rng(seed), branch, options, fmt)
    assert_variant_sound(variant, branch, fmt)


@pytest.mark.parametrize("family", families(), ids=lambda f: f.id)
def test_same_seed_same_variant(family):
    first = draw_variant(family, np.random.default_rng(7), family.branches[0], {}, "mcq")
    second = draw_variant(family, np.random.default_rng(7), family.branches[0], {}, "mcq")
    assert first.params == second.params
    assert [o.printed for o in first.options] == [o.printed for o in second.options]
