"""Statement banks: every fact decided twice, both truth values reachable, fair true counts."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
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


def test_scheduled_sampling_counts_the_inputs_the_loss_terms_fact_defines():
    """Issue 25: a T-token target has T - 1 inputs (loss-terms), the first given and never
    replaced, so all inputs stay ground truth with chance (1 - ε)^(T - 2): 2/3 for ε = 1/3, T = 3."""
    bank = family("tf-teacher-forcing")
    facts = {f.id: f for f in bank.facts}
    sampling, terms = facts["scheduled-sampling"], facts["loss-terms"]
    for length in (3, 4, 5):
        inputs = length - 1  # one per loss term, as loss-terms counts them
        assert terms.holds({"length": length, "claimed": inputs})
        for eps in (sp.Rational(1, 4), sp.Rational(1, 3), sp.Rational(1, 2)):
            right = (1 - eps) ** (inputs - 1)
            assert sampling.holds({"eps": eps, "length": length, "claimed": right})
            assert sampling.check({"eps": eps, "length": length, "claimed": right})
            wrong = (1 - eps) ** inputs  # the first input counted as replaceable
            assert not sampling.holds({"eps": eps, "length": length, "claimed": wrong})
            assert not sampling.check({"eps": eps, "length": length, "claimed": wrong})
    assert sampling.holds({"eps": sp.Rational(1, 3), "length": 3, "claimed": sp.Rational(2, 3)})


def test_negations_with_two_readings_are_written_as_sentences_of_their_own():
    """Issue 25: "not convex in x and concave in y" reads two ways; "keeps moving forever" is
    literally true of iterates that converge without ever arriving."""
    minimax = {f.id: f for f in family("tf-minimax").facts}["convex-concave"]
    numbers = {"a": sp.Integer(0), "k": sp.Integer(1), "b": sp.Integer(-2)}
    assert "is not both convex in $x$ and concave in $y$" in minimax.denies(numbers)
    assert not minimax.holds(numbers) and not minimax.check(numbers)
    sgd = {f.id: f for f in family("tf-sgd-vs-gd").facts}["constant-step-keeps-moving"]
    same = {"a": sp.Integer(2), "b": sp.Integer(2), "eta": sp.Rational(1, 4)}
    assert "converge to no single point" in sgd.says(same) and "keeps moving" not in sgd.says(same)
    assert not sgd.holds(same) and not sgd.check(same)  # w_t = 2 - 2(3/4)^t converges to 2
    apart = {"a": sp.Integer(0), "b": sp.Integer(4), "eta": sp.Rational(1, 4)}
    assert sgd.holds(apart) and sgd.check(apart)


@pytest.mark.parametrize("bank,fact", FACTS, ids=lambda x: getattr(x, "id", ""))
def test_no_negation_puts_not_before_a_quantifier_or_a_conjunction(bank, fact):
    """A negation is a sentence of its own: "does not stay correctly classified under every
    perturbation" reads as "not (under every)" and as "under every, not". Only the explicit
    "not both … and …" may combine them. Judged on the main clause (before any parenthesis)."""
    import re

    from variantex.answer_engine.formatting import latex_to_text

    rng = np.random.default_rng(11)
    for _ in range(5):
        clause = latex_to_text(fact.denies(_numbers(fact, rng))).split(" (")[0]
        found = re.search(r"\bnot\b(?!\s+both\b).*?\b(every|all|each|and|or)\b", clause)
        assert found is None, clause


def test_an_svm_point_is_never_added_twice():
    add = {f.id: f for f in family("tf-svm-support-vectors").facts}["add-point"]
    rng = np.random.default_rng(5)
    for _ in range(200):
        drawn = add.draw(rng)
        listed = {drawn[name] for name in ("n1", "n2", "p1", "p2")}
        assert drawn["added"] not in listed


def test_boundary_points_have_a_stated_convention():
    """Issue 25: sign(0) is a boundary case; each robustness statement says how it counts."""
    facts = {f.id: f for f in family("tf-adversarial-tradeoff").facts}
    rng = np.random.default_rng(0)
    for name in ("robust-count", "robust-separator-exists"):
        numbers = _numbers(facts[name], rng)
        for text in (facts[name].says(numbers), facts[name].denies(numbers)):
            assert "counts as misclassified" in text, (name, text)
    stays = [f for f in facts.values() if "correctly classified" in f.says(_numbers(f, rng))]
    assert len(stays) >= 2 and all("counts as misclassified" in f.says(_numbers(f, rng)) for f in stays)
