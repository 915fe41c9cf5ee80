"""Statement banks: every fact decided twice, both truth values reachable, fair true counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from variantex.answer_engine import exact
from variantex.answer_engine.errors import InvalidParams
from variantex.generators import families, family
from variantex.generators.statements import StatementBank
from variantex.generators.variant import draw_variant

BANKS = [f for f in families() if isinstance(f, StatementBank)]
FACTS = [(bank, fact) for bank in BANKS for fact in bank.facts]


def _numbers(fact, rng) -> dict:
    drawn = fact.draw(rng)
    return {name: exact.rational(drawn[name]) for name in fact.numbers}


def test_the_banks_the_issue_names_are_there_with_eight_facts_each():
    ids = {bank.id for bank in BANKS}
    assert {
        "tf-attention-cost",
        "tf-separable-logistic",
        "tf-sgd-vs-gd",
        "tf-svm-support-vectors",
        "tf-minimax",
        "tf-adversarial-tradeoff",
        "tf-teacher-forcing",
        "tf-kmeans-gmm",
        "tf-bias-variance",
        "tf-final-exam",
    } <= ids
    for bank in BANKS:
        assert len(bank.facts) >= 8, bank.id
        assert len({fact.id for fact in bank.facts}) == len(bank.facts), bank.id


@pytest.mark.parametrize("bank,fact", FACTS, ids=lambda x: getattr(x, "id", ""))
def test_each_fact_is_decided_alike_by_both_routes_and_takes_both_truth_values(bank, fact):
    """The exact decision and the independent one agree on 150 draws, and the drawn numbers make
    the claim true on some papers and false on others (a fact is parametrised, not a fixed label)."""
    rng = np.random.default_rng(hash(fact.id) % (1 << 32))
    seen = set()
    for _ in range(150):
        numbers = _numbers(fact, rng)
        assert fact.valid(numbers) is None, (fact.id, numbers)
        holds = bool(fact.holds(numbers))
        assert holds == bool(fact.check(numbers)), (fact.id, numbers)
        seen.add(holds)
        says, denies = fact.says(numbers), fact.denies(numbers)
        assert says != denies and says.strip() and fact.why(numbers).strip()
    assert seen == {True, False}, f"{bank.id}/{fact.id}: the draws never make the claim {not seen.pop()}"


@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.id)
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_truth_follows_from_the_fact_and_the_negation(bank, seed):
    variant = draw_variant(bank, np.random.default_rng(seed), bank.branches[0], {}, "tf")
    statements = bank.statements(variant.params)
    for drawn, statement, part in zip(variant.params.statements, statements, bank.parts(variant.params)):
        fact = bank.fact(drawn.fact)
        assert statement.truth == (bool(fact.holds(drawn.numbers)) != drawn.negated)
        assert statement.text == (fact.denies if drawn.negated else fact.says)(drawn.numbers)
        assert variant.solution.values[part.name] == ("true" if statement.truth else "false")
    assert len({d.fact for d in variant.params.statements}) == len(statements)


def _true_counts(bank, options, draws=300):
    counts = []
    for seed in range(draws):
        variant = draw_variant(bank, np.random.default_rng(seed), bank.branches[0], options, "tf")
        counts.append(sum(s.truth for s in bank.statements(variant.params)))
    return counts


def test_true_counts_follow_the_stated_distribution():
    bank = family("tf-attention-cost")
    default = _true_counts(bank, {})
    assert set(default) == {1, 2, 3}  # k = 4: never all true, never all false
    assert all(60 <= default.count(c) <= 140 for c in (1, 2, 3))  # uniform: 100 expected each
    assert set(_true_counts(bank, {"statements": 5, "true_counts": [2]}, 60)) == {2}
    weighted = _true_counts(bank, {"statements": 6, "true_counts": {1: 3, 5: 1}})
    assert set(weighted) == {1, 5} and 180 <= weighted.count(1) <= 270
    assert set(_true_counts(bank, {"statements": 3, "true_counts": [0, 3]}, 60)) == {0, 3}


def test_bad_bank_options_and_params_name_the_field():
    bank = family("tf-attention-cost")
    with pytest.raises(InvalidParams, match="true count above"):
        draw_variant(bank, np.random.default_rng(0), bank.branches[0], {"statements": 3, "true_counts": [4]}, "tf")
    with pytest.raises(InvalidParams) as error:
        bank.check_options({"statements": 9})
    assert error.value.where == "options.statements"
    with pytest.raises(InvalidParams) as error:
        bank.parse({"statements": [{"fact": "scores-vs-projections", "n": 4}]})
    assert error.value.where == "statements[0].d"
    with pytest.raises(InvalidParams, match="once"):
        bank.parse({"statements": [{"fact": "doubling-length", "n": 4, "factor": 4}] * 2})
