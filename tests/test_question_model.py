"""The question model's guarantees: markup escaping, values not print, text and infinite answers."""

import json

import pytest
import sympy as sp
from click.testing import CliRunner

from tests.walk import assert_view_valid
from variantex.answer_engine.checking import Claim, claim_matches
from variantex.answer_engine.exact import dump_value, exact_equal, load_value
from variantex.answer_engine.formatting import markup_text
from variantex.cli import cli
from variantex.exams.build import build
from variantex.exams.exporters.latex import inline
from variantex.generators import family
from variantex.generators.markup import (
    Bullets,
    DisplayMath,
    MarkupError,
    MathSpan,
    Paragraph,
    Text,
    math_token,
    parse_blocks,
    parse_inline,
    user_token,
)

HOSTILE = r"O'Brien $x$ \input{/etc/passwd} 50% #1 a_b {x} ~ ^ & \\"


def test_user_text_stays_literal_in_text_and_escaped_in_math():
    spans = parse_inline("Name: " + user_token(HOSTILE) + ", player $\\phi_{" + user_token(HOSTILE) + "}$.")
    assert spans[0] == Text("Name: " + HOSTILE + ", player ")
    assert isinstance(spans[1], MathSpan) and "\\input" not in spans[1].tex.replace("\\textbackslash{}", "")
    assert spans[1].tex.startswith("\\phi_{\\text{") and "\\$" in spans[1].tex and "\\#" in spans[1].tex
    latex = inline(spans)
    assert "\\input{" not in latex and "\\textbackslash{}input" in latex


def test_markup_syntax():
    blocks = parse_blocks("One $x^2$\nline.\n\n$$ \\sum_i x_i $$\n\n- first $a$\n- second\n  continued\n\nCost \\$5.")
    assert blocks == (
        Paragraph((Text("One "), MathSpan("x^2"), Text(" line."))),
        DisplayMath("\\sum_i x_i"),
        Bullets(((Text("first "), MathSpan("a")), (Text("second continued"),))),
        Paragraph((Text("Cost $5."),)),
    )
    assert parse_inline("value " + math_token("\\frac{1}{2}")) == (Text("value "), MathSpan("\\frac{1}{2}"))
    assert parse_inline(markup_text("a $ and \\ b")) == (Text("a $ and \\ b"),)
    with pytest.raises(MarkupError, match="unclosed"):
        parse_inline("half $x open")


@pytest.mark.parametrize(
    "value",
    [
        sp.Integer(-3),
        sp.Rational(3, 4),
        sp.oo,
        -sp.oo,
        sp.sqrt(2) / 2,
        sp.log(2),
        1 / (1 + sp.exp(-1)),
        "undetermined",
        "B > A > C",
    ],
)
def test_every_value_has_one_json_form(value):
    stored = json.loads(json.dumps(dump_value(value)))
    assert exact_equal(load_value(stored), value)


@pytest.mark.parametrize("written", ["infinity", "∞", "inf", "+inf", "oo", "Infinite"])
def test_infinity_is_a_value_written_many_ways(written):
    assert claim_matches(Claim.read(written), sp.oo)
    assert not claim_matches(Claim.read(written), -sp.oo)
    assert not claim_matches(Claim.read("1e30"), sp.oo)


@pytest.mark.parametrize(
    "written",
    ["cannot be determined", "Can't be determined", "undetermined", "not enough information", "indeterminate"],
)
def test_text_answers_accept_their_synonyms(written):
    rules = family("eigen-determinant").rules
    assert claim_matches(Claim.read(written), "undetermined", rules)
    assert not claim_matches(Claim.read(written), "dimension unknown", rules)
    assert claim_matches(Claim.read("size unknown"), "dimension unknown", rules)


def test_check_accepts_synonyms_and_grade_reads_them(tmp_path):
    keys = tmp_path / "keys.yaml"
    keys.write_text(
        "- {id: a, family: eigen-determinant, answer: can't be determined,\n"
        "   params: {eigenvectors: [[1, 0, 0, 0], [0, 1, 0, 0]], eigenvalues: [2, 3], trace: 10}}\n"
        "- {id: b, family: eigen-determinant, answer: not enough information,\n"
        "   params: {eigenvectors: [[1, 0, 0], [0, 1, 0]], eigenvalues: [2, 3], trace: 10}}\n"
    )
    result = CliRunner().invoke(cli, ["check", str(keys)])
    assert result.exit_code == 1
    assert "a: OK" in result.output
    assert (
        "b: WRONG — det: claimed not enough information, correct 30 — named mistake: "
        "cannot_be_determined_when_it_can" in result.output
    )


def test_an_older_manifest_gets_one_clear_line(tmp_path):
    result = build("tests/fixtures/four-families.yaml", tmp_path / "out", make_pdf=False)
    manifest = json.loads((result.out / "manifest.json").read_text())
    manifest["manifest_version"] = 1
    old = tmp_path / "old.json"
    old.write_text(json.dumps(manifest))
    outcome = CliRunner().invoke(cli, ["verify", str(old)])
    assert outcome.exit_code == 2
    lines = outcome.output.strip().splitlines()
    assert len(lines) == 1 and "manifest version 1 was written by an older variantex" in lines[0]
    assert "Traceback" not in outcome.output


def test_verify_compares_values_not_print(tmp_path):
    result = build("tests/fixtures/four-families.yaml", tmp_path / "out", make_pdf=False)
    manifest = json.loads((result.out / "manifest.json").read_text())
    record = next(q for q in manifest["papers"][0]["questions"] if q["family"] == "shapley-and")
    name, value = next(iter(record["answers"].items()))
    number = sp.Rational(load_value(value))
    record["answers"][name] = f"{number.p * 3}/{number.q * 3}"  # the same value, written differently
    from variantex.exams.manifest import recompute

    assert recompute(manifest) == []
    record["answers"][name] = str(number + 1)
    assert len(recompute(manifest)) == 1


def test_build_writes_the_exam_view_as_json(tmp_path):
    result = build("tests/fixtures/four-families.yaml", tmp_path / "out", outputs=["json"])
    assert not (result.out / "exam.tex").exists()
    exam = json.loads((result.out / "exam.json").read_text())
    assert exam["schema"] == "variantex.exam-view" and exam["title"]
    for question in exam["papers"][0]["questions"]:
        assert_view_valid(question)
        if question["format"] == "mcq":
            assert sum(option["correct"] for option in question["options"]) == 1
