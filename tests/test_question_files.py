"""Question files (issue 28, first part): an instructor's own randomized question in YAML,
drawn, solved exactly, checked a second way and built like a built-in family."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from tests.conftest import requires_tex
from variantex.answer_engine import expressions
from variantex.answer_engine.errors import InputError, InvalidParams
from variantex.cli import cli
from variantex.exams.question_files import load
from variantex.generators.variant import draw_variant, variant_from_data

ROOT = Path(__file__).resolve().parents[1]
CROSS_ENTROPY = ROOT / "examples" / "questions" / "cross-entropy.yaml"

GOOD = """id: scaled-sum
title: A scaled sum
params:
  a: {integer: [1, 9]}
  b: {rational: [1/4, 2], step: 1/4}
  c: a + b
require: [a != 4]
stem: |
  Let $a = {{ a }}$ and $b = {{ b }}$.
parts:
  - name: s
    label: s
    answer: 2*c
    check: a + a + b + b
  - name: t
    answer: s / 2 - b
mistakes:
  - name: once
    description: added a and b once
    values: {s: c}
  - name: squared
    description: squared the sum
    values: {s: c^2}
solution:
  - "$s = 2({{ a }} + {{ b }}) = {{ s }}$."
"""


pytestmark = pytest.mark.usefixtures("forget_question_files")  # tests/conftest.py


def write(folder: Path, text: str, name: str = "q.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_draws_solves_exactly_and_is_checked_a_second_way():
    family = load(CROSS_ENTROPY)
    assert family.id == "cross-entropy-value" and family.formats[:2] == ("mcq", "numeric")
    variant = variant_from_data(family, {"y": 1, "p": "1/4"}, "numeric")
    assert variant.solution.values["loss"] == sp.log(4)  # -ln(1/4), exactly
    assert family.verify(variant.params)["loss"] == pytest.approx(float(sp.log(4)), rel=1e-15)
    for fmt in family.formats:
        for seed in range(10):
            drawn = draw_variant(family, np.random.default_rng(seed), "standard", {}, fmt)
            assert family.parse(family.dump(drawn.params)) == drawn.params  # the manifest recomputes it
            assert drawn.params.values["p"] != sp.Rational(1, 2)  # require: p != 1/2


def test_derived_params_earlier_parts_and_the_check_route(tmp_path):
    family = load(write(tmp_path, GOOD))
    variant = variant_from_data(family, {"a": 3, "b": "1/2"}, "numeric")
    assert variant.solution.values == {"s": 7, "t": 3}
    assert "= 7$" in variant.solution.steps[0]
    with pytest.raises(InvalidParams, match="fails 'a != 4'"):
        family.parse({"a": 4, "b": 1})


def test_a_wrong_key_is_caught_by_the_author_s_check(tmp_path):
    from variantex.answer_engine.errors import VerificationError

    wrong = GOOD.replace("check: a + a + b + b", "check: a + a + b")
    family = load(write(tmp_path, wrong))
    with pytest.raises(VerificationError, match=r"q\.yaml: scaled-sum \{'a': 3, 'b': '1/2'\}: .*disagree: s:"):
        variant_from_data(family, {"a": 3, "b": "1/2"}, "numeric")


@pytest.mark.parametrize(
    "edit, message",
    [
        (("answer: 2*c", "answer: 2*cc"), "q.yaml:13: parts[0].answer: unknown name 'cc' in '2*cc'"),
        (("answer: 2*c", "answer: __import__('os')"), "q.yaml:13: parts[0].answer: unexpected '__import__'"),
        (("answer: 2*c", "answer: c.real"), "q.yaml:13: parts[0].answer: unexpected '.'"),
        (("answer: 2*c", "answer: 'lambda: c'"), "q.yaml:13: parts[0].answer: unexpected ':'"),
        (("c: a + b", "c: c + b"), "q.yaml:6: params.c: c uses c, which is not defined before it"),
        (("  c: a + b\n", "  c: a + d\n  d: c + 1\n"), "q.yaml:6: params.c: c uses d, which is not defined before it"),
        (("$b = {{ b }}$", "$b = {{ sigma }}$"), "q.yaml:8: stem: {{ sigma }} names no param"),
        (("    answer: s / 2 - b\n", ""), "q.yaml:15: parts[1].answer: missing"),
        (
            ("require: [a != 4]", "require: [a > 20]"),
            "no draw in 1000 meets the file's constraints: the draw fails 'a > 20'",
        ),
        (("id: scaled-sum", "id: gd-step"), "q.yaml:1: id: the id 'gd-step' is taken by the family"),
        (("  b: {rational", "  b: {real"), "q.yaml:5: params.b.real: unknown field"),
        (("title: A scaled sum\n", "title: A scaled sum\nauthor: me\n"), "q.yaml:3: author: unknown field"),
        (("values: {s: c}", "values: {z: c}"), "q.yaml:20: mistakes[0].values.z: no part 'z'"),
        (("answer: 2*c", "answer: 9^9^9^c"), "q.yaml:11: parts[0].answer: no draw gives an answer: s: an exponent"),
    ],
)
def test_every_mistake_in_a_file_is_one_line_naming_file_line_and_field(tmp_path, edit, message):
    old, new = edit
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(InputError) as caught:
        load(path)
    text = str(caught.value)
    assert message in text and "\n" not in text, text


def test_a_huge_exponent_is_refused_before_any_exact_work():
    tree = expressions.parse("9^9^9^9")
    with pytest.raises(expressions.TooLarge, match="exponent"):
        tree.exact({})
    with pytest.raises(expressions.TooLarge):
        expressions.parse("exp(exp(exp(100)))").exact({})


def _spec(folder: Path) -> Path:
    (folder / "questions").mkdir(exist_ok=True)
    (folder / "questions" / "ce.yaml").write_text(CROSS_ENTROPY.read_text(encoding="utf-8"), encoding="utf-8")
    spec = folder / "spec.yaml"
    spec.write_text(
        "title: Own questions\nseed: 3\nquestions:\n"
        "  - {id: ce, question: questions/ce.yaml, format: mcq, points: 2}\n"
        "  - {id: ce-num, question: questions/ce.yaml, format: numeric, points: 2}\n"
        "  - {id: gd, family: gd-step, format: numeric, points: 2}\n",
        encoding="utf-8",
    )
    (folder / "roster.csv").write_text("id,name\nA1,Ann\nB2,Bo\nC3,Cy\n", encoding="utf-8")
    return spec


def built(spec: Path, folder: Path) -> Path:
    """`variantex build SPEC --roster roster.csv --no-pdf` into folder/out; the out folder."""
    out = folder / "out"
    result = CliRunner().invoke(
        cli, ["build", str(spec), "--roster", str(folder / "roster.csv"), "--no-pdf", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_a_spec_builds_question_files_beside_built_in_families_and_verify_recomputes_them(tmp_path):
    out = built(_spec(tmp_path), tmp_path)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    families = {q["family"] for p in manifest["papers"] for q in p["questions"]}
    assert families == {"cross-entropy-value", "gd-step"}
    verified = CliRunner().invoke(cli, ["verify", str(out / "manifest.json")])
    assert verified.exit_code == 0, verified.output


def test_a_bad_question_file_stops_the_build_with_one_line_exit_2(tmp_path):
    spec = _spec(tmp_path)
    bad = (tmp_path / "questions" / "ce.yaml").read_text(encoding="utf-8").replace("-y*ln(p)", "-y*ln(q)", 1)
    (tmp_path / "questions" / "ce.yaml").write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(spec), "--no-pdf", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "ce.yaml:" in result.output and "unknown name 'q'" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


@pytest.mark.slow
@requires_tex
def test_a_question_file_reaches_the_pdf_exam_and_key(tmp_path):
    from tests.test_build import pdf_text
    from variantex.exams.build import build

    spec = _spec(tmp_path)
    result = build(spec, tmp_path / "out", roster=tmp_path / "roster.csv", strict=True)
    exam, key = pdf_text(result.out / "exams" / "A1.pdf"), pdf_text(result.out / "keys" / "A1.pdf")
    assert "A classifier predicts" in exam and "binary cross-entropy" in exam
    assert "The loss keeps the term of the true class" in key


def test_a_fresh_process_verifies_and_grades_a_build_and_a_changed_file_fails_clearly(tmp_path):
    import subprocess
    import sys

    out = built(_spec(tmp_path), tmp_path)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [record] = manifest["question_files"]
    assert record["id"] == "cross-entropy-value" and record["path"] == "../questions/ce.yaml"
    command = [sys.executable, "-m", "variantex.cli", "verify", str(out / "manifest.json")]
    fresh = subprocess.run(command, capture_output=True, text=True)  # no question file loaded beforehand
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    question = tmp_path / "questions" / "ce.yaml"
    question.write_text(question.read_text(encoding="utf-8").replace("7/8", "3/4"), encoding="utf-8")
    changed = subprocess.run(command, capture_output=True, text=True)
    assert changed.returncode == 2 and "ce.yaml changed after the build" in changed.stderr, changed.stderr


EXAMPLES = sorted((ROOT / "examples" / "questions").glob("*.yaml"))


def test_ten_examples_each_short_and_each_passing_lint():
    assert len(EXAMPLES) >= 10
    for path in EXAMPLES:
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 40, path
    result = CliRunner().invoke(cli, ["lint", "--draws", "60", *map(str, EXAMPLES)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": no problems") == len(EXAMPLES)


def test_lint_finds_a_dead_distractor_and_rare_constraints(tmp_path):
    dead = GOOD.replace("values: {s: c^2}", "values: {s: 2*c}").replace(
        "require: [a != 4]", "require: [a == 4 or a == 5]"
    )
    path = write(tmp_path, dead)
    result = CliRunner().invoke(cli, ["lint", "--draws", "40", str(path)])
    assert result.exit_code == 1, result.output
    assert "problem: mistake 'squared' gives the key in 40 of 40 draws: a dead distractor" in result.output
    assert "note: 22% of draws meet the constraints" in result.output or "meet the constraints" in result.output


def _every_example_spec(folder: Path) -> Path:
    lines = ["title: Own questions", "seed: 5", "calculator: true", "questions:"]
    for path in EXAMPLES:
        family = load(path)
        for fmt in family.formats:
            lines.append(f"  - {{id: {family.id}-{fmt}, question: {path}, format: {fmt}, points: 2}}")
    spec = folder / "every.yaml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "roster.csv").write_text("id,name\nA1,Ann\nB2,Bo\n", encoding="utf-8")
    return spec


def test_every_example_in_every_format_builds_verifies_and_exports(tmp_path):
    spec = _every_example_spec(tmp_path)
    out = built(spec, tmp_path)
    assert CliRunner().invoke(cli, ["verify", str(out / "manifest.json")]).exit_code == 0
    for target in ("moodle", "canvas", "qti21"):
        exported = CliRunner().invoke(
            cli, ["export", str(spec), "--to", target, "-n", "3", "--out", str(tmp_path / target)]
        )
        assert exported.exit_code == 0, exported.output
    practice = CliRunner().invoke(
        cli,
        ["--questions", str(ROOT / "examples" / "questions"), "practice", "svm-margin:numeric", "conv-output-size:mcq",
         "-n", "3", "--to", "html", "--out", str(tmp_path / "practice")],
    )  # fmt: skip
    assert practice.exit_code == 0, practice.output
    assert "hard-margin SVM" in (tmp_path / "practice" / "practice.html").read_text(encoding="utf-8")


@pytest.mark.slow
@requires_tex
def test_every_example_typesets_in_its_formats(tmp_path):
    from variantex.exams.build import build

    spec = _every_example_spec(tmp_path)
    build(spec, tmp_path / "out", roster=tmp_path / "roster.csv", strict=True)


STATIC = ROOT / "examples" / "questions" / "knn-bias-static.yaml"


def test_a_static_question_keeps_its_text_and_options_and_shuffles_them_fairly():
    from variantex.exams.fairness import audit_branch

    family = load(STATIC)
    assert family.formats == ("mcq",) and family.choices == 4
    variant = variant_from_data(family, {}, "mcq")
    assert variant.solution.values["choice"] == "Its bias grows and its variance shrinks."
    row = audit_branch(family, "standard", 400)
    assert row.distinct == 1 and row.p_letters() > 0.01 and set(row.letters) == set("ABCD")


@pytest.mark.parametrize(
    "edit, message",
    [
        (("      correct: true\n", ""), "knn-bias-static.yaml:5: static.options: mark exactly one option correct: true"),
        (("why: swapped bias and variance", "correct: true"), "mark exactly one option correct: true"),
        (("text: Both its bias", "text: Its bias shrinks and its variance grows.\n      note: Both its bias"),
         "static.options[2].note: unknown field"),
    ],
)  # fmt: skip
def test_a_bad_static_question_is_one_line(tmp_path, edit, message):
    old, new = edit
    text = STATIC.read_text(encoding="utf-8")
    assert old in text
    path = write(tmp_path, text.replace(old, new), "knn-bias-static.yaml")
    with pytest.raises(InputError, match=re.escape(message)):
        load(path)


def _sectioned(folder: Path, extra: str = "") -> Path:
    spec = folder / "sections.yaml"
    spec.write_text(
        f"title: Sections\nseed: 2\n{extra}questions:\n"
        "  - section: 'Part A: concepts'\n"
        f"  - {{question: {STATIC}, format: mcq, points: 1}}\n"
        "  - section: 'Part B: computations'\n"
        f"  - {{question: {CROSS_ENTROPY}, format: numeric, points: 2}}\n"
        "  - {family: gd-step, format: numeric, points: 2}\n",
        encoding="utf-8",
    )
    (folder / "roster.csv").write_text("id,name\nA1,Ann\nB2,Bo\n", encoding="utf-8")
    return spec


def test_sections_head_their_questions_and_refuse_shuffling(tmp_path):
    from variantex.exams.spec import load_spec

    spec = load_spec(_sectioned(tmp_path))
    assert [(q.slot, q.section) for q in spec.questions] == [
        ("q1", "Part A: concepts"),
        ("q2", "Part B: computations"),
        ("q3", ""),
    ]
    bad = _sectioned(tmp_path / "..", "shuffle_questions: true\n")
    with pytest.raises(
        InputError, match=r"sections.yaml:5: questions\[0\].section: sections keep their questions in order"
    ):
        load_spec(bad)


@pytest.mark.slow
@requires_tex
def test_sections_and_a_static_question_reach_the_printed_exam(tmp_path):
    from tests.test_build import pdf_text
    from variantex.exams.build import build

    result = build(_sectioned(tmp_path), tmp_path / "out", roster=tmp_path / "roster.csv", strict=True)
    assert not any("share a question" in w for w in result.warnings)  # static: the same for everyone by design
    exam = " ".join(pdf_text(result.out / "exams" / "A1.pdf").split())
    assert (
        exam.index("Part A: concepts") < exam.index("As the number of neighbours") < exam.index("Part B: computations")
    )
    key = " ".join(pdf_text(result.out / "keys" / "A1.pdf").split())
    assert "Averaging over more neighbours" in key and "Part B: computations" in key


def test_the_schema_accepts_every_example_and_the_docs_files_load(tmp_path):
    import jsonschema
    import yaml

    schema = json.loads((ROOT / "docs" / "question-file.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for path in EXAMPLES:
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))), path
    guide = (ROOT / "docs" / "question-files.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", guide + readme, re.DOTALL) if b.startswith("id:")]
    assert len(blocks) == 3  # two in the guide, the README's complete file
    for index, block in enumerate(blocks):
        assert not list(validator.iter_errors(yaml.safe_load(block)))
        family = load(write(tmp_path, block, f"doc{index}.yaml"))
        assert draw_variant(family, np.random.default_rng(0), "standard", {}, family.formats[0])


def test_branches_keep_a_slot_on_one_structure_and_the_tolerance_is_the_file_s(tmp_path):
    from variantex.answer_engine.checking import Claim, claim_matches

    conv = load(ROOT / "examples" / "questions" / "conv-output-size.yaml")
    assert conv.branches == ("padded", "unpadded")
    for branch, padded in (("padded", True), ("unpadded", False)):
        for seed in range(15):
            variant = draw_variant(conv, np.random.default_rng(seed), branch, {}, "numeric")
            assert (variant.params.values["p"] > 0) == padded and conv.branch_of(variant.params) == branch
    bayes = load(ROOT / "examples" / "questions" / "bayes-error.yaml")
    variant = variant_from_data(bayes, {"d": 2, "sigma": 2}, "numeric")
    key = float(variant.solution.values["R"])  # Φ(−1/2) ≈ 0.3085
    rules = bayes.rules_for(variant.params)
    assert claim_matches(Claim.read(f"{key + 0.0009:.4f}"), variant.solution.values["R"], rules)
    assert not claim_matches(Claim.read(f"{key + 0.002:.4f}"), variant.solution.values["R"], rules)
    with pytest.raises(InputError, match=r"q.yaml:\d+: tolerance: expected exact or one of relative"):
        load(write(tmp_path, GOOD + "tolerance: {percent: 5}\n"))
    with pytest.raises(InputError, match=r"q.yaml:\d+: branches: expected two or more branch names"):
        load(write(tmp_path, GOOD + "branches: {only: a > 0}\n"))


def test_vectors_and_matrices_are_drawn_stored_and_computed_exactly():
    layer = load(ROOT / "examples" / "questions" / "linear-layer.yaml")
    variant = variant_from_data(layer, {"W": [[2, -2], [-1, 3]], "x": [1, 2], "b": [1, -2]}, "numeric")
    assert variant.params.values["z"] == sp.ImmutableMatrix([-1, 3])  # W x + b
    assert variant.solution.values == {"s": 3}  # max(0, -1) + max(0, 3)
    assert layer.dump(variant.params) == {"W": [[2, -2], [-1, 3]], "x": [1, 2], "b": [1, -2]}
    for seed in range(10):
        drawn = draw_variant(layer, np.random.default_rng(seed), "standard", {}, "numeric")
        assert layer.parse(layer.dump(drawn.params)) == drawn.params
    with pytest.raises(InvalidParams, match="expected a 2×2 array"):
        layer.parse({"W": [1, 2], "x": [1, 2], "b": [1, 2]})
    assert (
        expressions.parse("det(M) + trace(M) + M[2, 1]", {"M"}).exact({"M": sp.ImmutableMatrix([[1, 2], [3, 4]])}) == 6
    )
    assert expressions.parse("dot(u, v) / norm(u)^2", {"u", "v"}).exact(
        {"u": sp.ImmutableMatrix([3, 4]), "v": sp.ImmutableMatrix([1, 2])}
    ) == sp.Rational(11, 25)
    with pytest.raises(InvalidParams, match=r"no entry \[3\]"):
        expressions.parse("v[3]", {"v"}).exact({"v": sp.ImmutableMatrix([1, 2])})


def test_a_text_part_is_judged_by_its_words_and_their_synonyms():
    from variantex.exams.audit import judge_claim

    series = load(ROOT / "examples" / "questions" / "geometric-series.yaml")
    assert series.branches == ("converges", "diverges")
    converging = variant_from_data(series, {"num": 1, "den": 4}, "numeric")
    assert converging.solution.values == {"behaviour": "converges", "total": sp.Rational(4, 3)}
    assert judge_claim(converging, "behaviour", "It converges")[0] == "correct"  # a synonym
    assert judge_claim(converging, "behaviour", "yes")[0] == "correct"
    assert judge_claim(converging, "behaviour", "diverges") == ("mistake", "took a ratio below 1 to diverge")
    assert judge_claim(converging, "total", "4/3")[0] == "correct"
    diverging = variant_from_data(series, {"num": 9, "den": 2}, "numeric")
    assert diverging.solution.values == {"behaviour": "diverges", "total": 0}
    statements = series.statements(diverging.params)  # true/false from the key and the mistakes
    assert statements and all(s.truth in (True, False) for s in statements)


def test_a_file_refused_half_way_never_turns_up_among_the_families(tmp_path):
    from variantex.generators import families

    with pytest.raises(InputError, match="no draw in 1000"):
        load(write(tmp_path, GOOD.replace("require: [a != 4]", "require: [a > 20]")))
    assert "scaled-sum" not in {family.id for family in families()}
