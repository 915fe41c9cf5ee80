from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from variantex.answer_engine.checking import Claim, claim_matches
from variantex.answer_engine.errors import InputError, InvalidParams
from variantex.exams.audit import audit_file, audit_item, describe
from variantex.generators import families
from variantex.generators.base import confusable_mistakes
from variantex.generators.variant import variant_from_data

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "keys-to-check.yaml"


def test_exactly_the_wrong_items_are_flagged():
    verdicts = {v.id: v for v in audit_file(EXAMPLE)}
    assert {i for i, v in verdicts.items() if not v.ok} == {
        "eig-trace",
        "relu-sign",
        "relu-rounded",
        "loss-mae",
        "shapley-split",
    }


def test_wrong_claims_name_the_mistake_behind_them():
    verdicts = {v.id: v for v in audit_file(EXAMPLE)}

    def mistakes(item):
        return {m.name for part in verdicts[item].parts for m in part.mistakes}

    assert mistakes("eig-trace") == {"trace_as_missing_eigenvalue"}
    assert "sign_slip" in mistakes("relu-sign")
    # A > B > C is the MSE order, and also the order of the sets' largest residuals (3, 1, ½).
    assert mistakes("loss-mae") == {"ordered_by_mse", "largest_residual"}
    assert mistakes("shapley-split") == {"equal_split_over_all_players"}
    assert mistakes("relu-rounded") == set()


def test_lines_state_the_correct_answer_and_tolerance():
    verdicts = {v.id: v for v in audit_file(EXAMPLE)}
    assert describe(verdicts["eig-trace"]).startswith("eig-trace: WRONG — det: claimed 60, correct 30")
    rounded = describe(verdicts["relu-rounded"])
    # w1_new = 2.0125 is within 1 % of 2, what "the gradient vanishes" gives: this variant
    # takes decimals within 0.1 %, so that no decimal passes for both.
    assert "correct -1/8" in rounded and "(decimals compared within 0.1% relative)" in rounded
    assert describe(verdicts["relu-ok"]) == "relu-ok: OK (numeric claims within 0.1% relative)"


def test_a_decimal_a_named_mistake_also_gives_is_never_a_plain_ok():
    """guess-and-check states 4 significant figures; for params someone wrote (never redrawn)
    a claim within that precision of the key and of a named mistake is ambiguous, not OK."""
    family = next(f for f in families() if f.id == "guess-and-check")
    for seed in range(2000):
        params = family.draw(np.random.default_rng(seed), "bound", {})
        rules = family.rules_for(params)
        close = confusable_mistakes(family, params, rules.tolerance)
        if not close:
            continue
        key, mistake = (float(sp.N(v, 30)) for v in (family.solve(params).values["bound"], close[0].values["bound"]))
        # The decimal nearest the mistake that the key's tolerance still accepts.
        claim = Claim.read(f"{key + (0.99 if mistake > key else -0.99) * 5e-4 * key:.8g}")
        if claim_matches(claim, close[0].values["bound"], rules):
            break
    else:
        pytest.fail("no guess-and-check params with a decimal that passes for the key and a named mistake")
    variant = variant_from_data(family, family.dump(params))
    verdict = audit_item("gc", variant, {"bound": claim})
    assert not verdict.ok
    assert describe(verdict).startswith("gc: AMBIGUOUS — bound: claimed ")
    assert close[0].name in describe(verdict) and "give more digits or the exact value" in describe(verdict)
    with pytest.raises(InvalidParams, match="within the stated precision"):
        variant.usable_as("numeric")  # a draw like this one is redrawn


@pytest.mark.parametrize(
    "text, message",
    [
        ("- {id: a, family: nope, params: {}, answer: 1}", r"keys.yaml:1: item 'a': family: unknown family 'nope'"),
        (
            "- {id: a, family: eigen-determinant, params: {eigenvectors: [[1, 2], [2, 4]], eigenvalues: [1, 2], trace: 3}, answer: 1}",
            "linearly dependent",
        ),
        (
            "- {id: a, family: eigen-determinant, params: {eigenvectors: [[1, 0]], eigenvalues: [1], trace: 3}, answer: {dett: 1}}",
            "answer.dett: unknown part",
        ),
        ("- {id: a, family: shapley-and, params: {players: [a, b], required: [a]}, answer: 1}", "several parts"),
        ("- {id: a, family: shapley-and}", "params: missing"),
        ("just text", "non-empty YAML list"),
        ("- [unclosed", "not valid YAML"),
    ],
)
def test_bad_keys_files_give_one_clear_error(tmp_path, text, message):
    path = tmp_path / "keys.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as caught:
        audit_file(path)
    assert "\n" not in str(caught.value)


def test_a_wrong_claim_shows_the_correct_closed_form_with_its_decimal():
    """Issue 26: `correct 3*log(3)/16 + 3/4 ≈ 0.9560`, not a closed form alone."""
    from click.testing import CliRunner

    from variantex.cli import cli

    result = CliRunner().invoke(cli, ["check", str(EXAMPLE)])
    assert result.exit_code == 1
    assert "claimed 1/8, correct -1/8 (≈ -0.125)" in result.output
    assert "correct 30 —" in result.output  # a whole number needs no decimal
