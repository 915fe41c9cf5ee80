"""Moodle XML export: valid against our strict subset schema, Moodle's rules, MathJax-parsable
math, keys that round-trip, and `export --check` catching what a hand edit breaks."""

from __future__ import annotations

import base64
import html
import json
import re
import zipfile
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner
from lxml import etree

from tests.conftest import requires_tex
from variantex.cli import cli
from variantex.exams.bank import decimal_text, draw_bank
from variantex.exams.lms.check_moodle import expected_key, moodle_keys
from variantex.exams.lms.checks import check_export, recomputed_view
from variantex.exams.lms.moodle import cloze_escape
from variantex.exams.lms.texcheck import tex_problems
from variantex.exams.spec import load_spec
from variantex.generators.base import NARROWER

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "four-families.yaml"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    if requires_tex.args[0]:
        pytest.skip("TeX Live missing (figures are typeset)")
    out = tmp_path_factory.mktemp("moodle") / "bank.xml"
    result = CliRunner().invoke(cli, ["export", str(SAMPLE), "--to", "moodle", "--variants", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_the_export_has_a_category_per_slot_and_a_question_per_variant(exported):
    root = etree.parse(str(exported)).getroot()
    spec = load_spec(SAMPLE)
    categories = [q.findtext("category/text") for q in root.iter("question") if q.get("type") == "category"]
    assert categories == [f"$course$/top/{spec.title}/{q.slot}" for q in spec.questions]
    kinds = {q.findtext("idnumber"): q.get("type") for q in root.iter("question") if q.get("type") != "category"}
    assert len(kinds) == 4 * len(spec.questions)
    expected = {"mcq": {"multichoice"}, "open": {"essay"}, "numeric": {"numerical", "multianswer", "shortanswer"}}
    for question in spec.questions:
        for n in range(1, 5):
            assert kinds[f"{question.slot}-v00{n}"] in expected[question.format]
    assert kinds["eigen-undetermined-v001"] == "shortanswer"  # a word answer
    assert kinds["backprop-v001"] == "multianswer"  # several numbers: one Cloze question


def test_the_export_passes_every_check_and_its_keys_round_trip(exported):
    assert check_export(exported).problems == [] and check_export(exported).keys_recomputed
    manifest = json.loads(exported.with_suffix(".manifest.json").read_text())
    keys = moodle_keys(exported.read_text())
    checked = 0
    for slot in manifest["slots"]:
        for variant in slot["variants"]:
            read = keys[variant["question"]]
            if slot["format"] == "mcq":
                assert read["correct"] == variant["key"]["correct"] and read["options"] == variant["key"]["options"]
            elif slot["format"] == "numeric":  # decimals, tolerances and words, as the manifest recorded them
                assert read["parts"] == [
                    {k: p[k] for k in ("answer", "tolerance", "accepted") if k in p} for p in variant["key"]["parts"]
                ]
                checked += 1
            assert read == expected_key(recomputed_view(slot, variant))
    assert checked == 4 * sum(s["format"] == "numeric" for s in manifest["slots"])


def test_wrong_answers_carry_feedback_naming_the_mistake(exported):
    bank = draw_bank(load_spec(SAMPLE), load_spec(SAMPLE).seed, 4)
    root = etree.parse(str(exported)).getroot()
    questions = {q.findtext("idnumber"): q for q in root.iter("question")}
    slot = next(s for s in bank.slots if s.spec.format == "mcq")
    for variant in slot.variants:
        answers = questions[f"{slot.spec.slot}-{variant.id}"].findall("answer")
        for option, answer in zip(variant.view.options, answers):
            feedback = answer.findtext("feedback/text")
            if option.correct:
                assert answer.get("fraction") == "100" and feedback == "Correct."
            else:
                assert answer.get("fraction") == "0" and option.mistake.description in feedback


def test_numeric_answers_are_decimals_with_the_variant_tolerance_as_absolute(exported):
    assert decimal_text(sp.Rational(1, 3)) == "0.333333333333333"
    assert decimal_text(sp.Rational(-7, 2)) == "-3.5" and decimal_text(sp.Integer(0)) == "0"
    manifest = json.loads(exported.with_suffix(".manifest.json").read_text())
    slot = next(s for s in manifest["slots"] if s["slot"] == "backprop")
    for variant in slot["variants"]:
        for part in variant["key"]["parts"]:
            value = sp.Rational(part["value"]) if isinstance(part["value"], (int, str)) else None
            if value is None:
                continue
            tolerance = sp.Rational(part["tolerance"])
            # 1 %, or narrower where a named mistake comes within 1 % of the key (generators/base.py).
            relative = next(r for r in NARROWER if abs(value) * r <= tolerance)
            assert tolerance < abs(value) * relative * sp.Rational(1000001, 1000000) + sp.Rational(1, 10**12)
            assert abs(sp.Rational(part["answer"]) - value) <= abs(value) * sp.Rational(1, 10**14)


def test_figures_are_embedded_svg_files(exported):
    root = etree.parse(str(exported)).getroot()
    question = next(q for q in root.iter("question") if q.findtext("idnumber") == "losses-v001")
    files = question.findall("questiontext/file")
    assert len(files) == 1 and files[0].get("name") == "losses-v001-figure1.svg"
    picture = etree.fromstring(base64.b64decode(files[0].text))
    assert picture.tag == "{http://www.w3.org/2000/svg}svg"
    assert [t.text for t in picture.iter("{*}text") if t.text.startswith("Dataset")] == [
        "Dataset A",
        "Dataset B",
        "Dataset C",
    ]
    assert len(list(picture.iter("{*}circle"))) >= 9  # every data point drawn
    assert "@@PLUGINFILE@@/losses-v001-figure1.svg" in question.findtext("questiontext/text")


@requires_tex
def test_a_figure_drawn_only_in_tikz_becomes_a_png():
    from variantex.exams.lms.figures import FigureFiles
    from variantex.generators.markup import Figure

    tikz_only = Figure("\\begin{tikzpicture}\\draw (0,0) -- (1,1);\\end{tikzpicture}", "a line")
    suffix, data = FigureFiles([tikz_only]).file(tikz_only)
    assert suffix == ".png" and data.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_same_seed_gives_the_same_bytes(exported, tmp_path):
    again = tmp_path / "again.xml"
    assert run("export", str(SAMPLE), "--variants", "4", "--out", str(again)).exit_code == 0
    assert again.read_bytes() == exported.read_bytes()


def _edited(exported: Path, tmp_path: Path, edit) -> Path:
    target = tmp_path / "edited.xml"
    target.write_text(edit(exported.read_text()))
    (tmp_path / "edited.manifest.json").write_text(exported.with_suffix(".manifest.json").read_text())
    return target


def _first_question(text: str, kind: str) -> tuple[int, int]:
    start = text.index(f'<question type="{kind}">')
    return start, text.index("</question>", start)


def test_check_catches_a_wrong_key_moved_in_a_multichoice(exported, tmp_path):
    def move_key(text: str) -> str:
        start, end = _first_question(text, "multichoice")
        question = text[start:end].replace('fraction="100"', 'fraction="X"', 1)
        question = question.replace('fraction="0"', 'fraction="100"', 1).replace('fraction="X"', 'fraction="0"', 1)
        return text[:start] + question + text[end:]

    result = run("export", "--check", str(_edited(exported, tmp_path, move_key)))
    assert result.exit_code == 1
    assert re.search(r"edited\.xml:\d+: losses-v001: marks answer [A-E] correct but the key is [A-E]", result.output)


def test_check_catches_an_edited_number_and_tolerance(exported, tmp_path):
    edits = iter(
        [
            lambda m: f"NUMERICAL:={m.group(1)}1:{m.group(2)}#",  # a digit more on the first value
            lambda m: f"NUMERICAL:={m.group(1)}:5#",
        ]
    )  # a generous tolerance on the second

    def edit(text: str) -> str:
        return re.sub(r"NUMERICAL:=(-?[0-9.]+):([0-9.]+)#", lambda m: next(edits)(m), text, count=2)

    result = run("export", "--check", str(_edited(exported, tmp_path, edit)))
    assert result.exit_code == 1
    assert re.search(
        r"losses-values-v001: part 1 states .*1 ± .* but the key .*; part 2 states .* ± 5 but", result.output
    )


def test_check_catches_a_manifest_key_edited_to_match_a_wrong_file(exported, tmp_path):
    target = tmp_path / "bank.xml"
    target.write_text(exported.read_text())
    manifest = json.loads(exported.with_suffix(".manifest.json").read_text())
    slot = next(s for s in manifest["slots"] if s["format"] == "mcq")
    key = slot["variants"][0]["key"]
    key["correct"] = "A" if key["correct"] != "A" else "B"
    (tmp_path / "bank.manifest.json").write_text(json.dumps(manifest))
    result = run("export", "--check", str(target))
    assert (
        result.exit_code == 1 and "the manifest's key differs from the key recomputed from its params" in result.output
    )


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace("<quiz>", "<quiz><question>", 1), "not well-formed XML"),
        (lambda t: t.replace("<![CDATA[<p>", "<![CDATA[<p>]]>", 1), "not well-formed XML"),
        (lambda t: t.replace('fraction="0"', 'fraction="55"', 1), "fraction 55 is not in Moodle's grade set"),
        (lambda t: t.replace('fraction="0"', 'fraction="100"', 1), "exactly one 100% answer, has 2"),
        (
            lambda t: re.sub(r'<file name="[^"]+" path="/" encoding="base64">[^<]*</file>', "", t, count=1),
            "has no <file> in <questiontext>",
        ),
        (lambda t: t.replace(r"\frac{", r"\frac{{", 1), "1 unclosed brace(s)"),
        (lambda t: t.replace(r"\frac{", r"\fracc{", 1), "MathJax has no macro \\fracc"),
        (lambda t: t.replace("<defaultgrade>", "<defaultgrade>-", 1), "schema:"),
        (lambda t: t.replace("<single>true</single>", "<single>yes</single>", 1), "schema:"),
    ],
)
def test_check_reports_hand_edits_one_line_each(exported, tmp_path, edit, message):
    result = run("export", "--check", str(_edited(exported, tmp_path, edit)))
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert all(line.startswith(str(tmp_path / "edited.xml")) for line in result.stdout.splitlines())


def test_export_refuses_bad_input_with_one_line_and_exit_2(tmp_path):
    foreign = tmp_path / "notes.xml"
    foreign.write_text("my own notes\n")
    for args, message in [
        (["export", str(SAMPLE), "--variants", "0", "--out", str(tmp_path / "b.xml")], "--variants"),
        (["export", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "b.xml")], "missing.yaml"),
        (["export", str(SAMPLE), "--out", str(foreign)], "was not written by variantex export"),
        (["export", str(SAMPLE), "--out", str(tmp_path / "nowhere" / "b.xml")], "no such folder"),
        (["export", "--check", str(foreign)], "not a variantex LMS export"),
        (["export"], "give a SPEC"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert foreign.read_text() == "my own notes\n"


def test_cloze_escaping_and_tex_checks():
    assert cloze_escape('a}b#c~d/e"f\\g') == 'a\\}b\\#c\\~d\\/e\\"f\\\\g'
    assert tex_problems(r"\frac{1}{2} + \sqrt{x} \le \left( \begin{pmatrix} 1 \\ 2 \end{pmatrix} \right)") == []
    assert tex_problems(r"\frac{1}{2") == ["1 unclosed brace(s) {"]
    assert tex_problems(r"\left( x") == ["\\left without \\right"]
    assert tex_problems(r"\begin{pmatrix} 1 \end{bmatrix}") == ["\\end{bmatrix} does not close the open environment"]
    assert tex_problems(r"x}") == ["a closing brace } with no opening one"]


WEIGHTS_SPEC = """title: W
seed: 3
questions:
  - {id: tf3, family: tf-minimax, format: tf, points: 4, options: {statements: 3}}
  - {id: tf4, family: tf-minimax, format: tf, points: 4, options: {statements: 4}}
  - {id: num2, family: gd-step, format: numeric, points: 3}
  - {id: und, family: eigen-determinant, format: numeric, points: 2, branch: undetermined}
"""


def _weights(text: str) -> dict[str, list[int]]:
    keys = moodle_keys(text)
    return {ident: key["weights"] for ident, key in keys.items() if "weights" in key}


def test_cloze_marks_are_the_slots_points_in_equal_shares(tmp_path):
    (tmp_path / "w.yaml").write_text(WEIGHTS_SPEC)
    out = tmp_path / "w.xml"
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "w.yaml"), "--variants", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    weights = _weights(out.read_text(encoding="utf-8"))
    # Moodle marks a Cloze question out of the sum of its weights: 4 points over 4 statements
    # is 1 each; 4 over 3 cannot be whole, so 4 each (12 marks, the same shares), and said so.
    assert sorted(ident.split("-")[0] for ident in weights) == ["num2", "num2", "tf3", "tf3", "tf4", "tf4"]
    assert all(w == [1, 1, 1, 1] for ident, w in weights.items() if ident.startswith("tf4"))
    assert all(w == [4, 4, 4] for ident, w in weights.items() if ident.startswith("tf3"))
    assert all(w == [3, 3] for ident, w in weights.items() if ident.startswith("num2"))
    assert "question tf3: Moodle weighs Cloze parts in whole numbers, so its 4 points are written as 12 marks" in (
        result.output
    )
    assert "question num2" in result.output and "question tf4" not in result.output
    assert CliRunner().invoke(cli, ["export", "--check", str(out)]).exit_code == 0


def test_check_catches_a_changed_cloze_weight(tmp_path):
    (tmp_path / "w.yaml").write_text(WEIGHTS_SPEC)
    out = tmp_path / "w.xml"
    assert (
        CliRunner().invoke(cli, ["export", str(tmp_path / "w.yaml"), "--variants", "1", "--out", str(out)]).exit_code
        == 0
    )
    text = out.read_text(encoding="utf-8")
    out.write_text(text.replace("{1:MULTICHOICE", "{2:MULTICHOICE", 1), encoding="utf-8")
    checked = CliRunner().invoke(cli, ["export", "--check", str(out)])
    assert checked.exit_code == 1
    assert "sub-question weights add up to 5" in checked.output
    assert "the parts weigh [2, 1, 1, 1] but the slot's points in equal whole shares are [1, 1, 1, 1]" in checked.output


@pytest.mark.parametrize("target", ["moodle", "canvas", "qti21"])
def test_every_synonym_check_accepts_is_an_accepted_answer(tmp_path, target):
    (tmp_path / "w.yaml").write_text(WEIGHTS_SPEC)
    out = tmp_path / f"bank-{target}"
    result = CliRunner().invoke(
        cli, ["export", str(tmp_path / "w.yaml"), "--to", target, "--variants", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    if target == "moodle":
        content = out.read_text(encoding="utf-8")
    else:
        with zipfile.ZipFile(out) as archive:
            content = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    for synonym in ("cannot be determined", "can&apos;t be determined", "not enough information", "indeterminate"):
        written = synonym.replace("&apos;", "'")
        assert synonym in content or written in content or html.escape(written) in content, synonym


def test_export_warns_about_repeated_variants_and_refuses_them_when_unique(tmp_path):
    spec = tmp_path / "rep.yaml"
    spec.write_text("title: T\nseed: 1\nquestions:\n  - {id: he, family: he-init, format: numeric, points: 2}\n")
    out = tmp_path / "rep.xml"
    warned = CliRunner().invoke(cli, ["export", str(spec), "--variants", "60", "--out", str(out)])
    assert warned.exit_code == 0
    assert "warning: question he (he-init) has 52 distinct variants among 60, so the bank repeats a question" in (
        warned.output
    )
    spec.write_text(spec.read_text() + "unique_variants: true\n")
    refused = CliRunner().invoke(cli, ["export", str(spec), "--variants", "60", "--out", str(tmp_path / "r2.xml")])
    assert refused.exit_code == 2 and "unique_variants is on but question he" in refused.output
    assert not (tmp_path / "r2.xml").exists()
