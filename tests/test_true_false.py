"""The true/false format end to end: spec, build, key, grade, check, exports, PDF and page."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.browser import chromium, requires_browser
from tests.conftest import requires_tex
from tests.test_build import pdf_text
from variantex.answer_engine.checking import read_tf
from variantex.cli import cli
from variantex.exams.build import build
from variantex.exams.grading import grade

SPEC = """title: True or false
seed: 5
questions:
  - {id: att, family: tf-attention-cost, format: tf, points: 4}
  - {id: svm, family: tf-svm-support-vectors, format: tf, points: 3, scoring: all-or-nothing,
     options: {statements: 5, true_counts: [2, 3]}}
  - {id: mc, family: eigen-determinant, format: mcq, points: 2}
"""
STUDENTS = [["A", "Ann"], ["B", "Bob"], ["C", "Cy"]]


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def built(tmp_path):
    write(tmp_path, "spec.yaml", SPEC)
    with open(tmp_path / "roster.csv", "w", newline="") as handle:
        csv.writer(handle).writerows([["id", "name"], *STUDENTS])
    result = build(tmp_path / "spec.yaml", tmp_path / "out", roster=tmp_path / "roster.csv", make_pdf=False)
    manifest = json.loads((result.out / "manifest.json").read_text())
    return tmp_path, result.out, {p["student"]["id"]: p["questions"] for p in manifest["papers"]}


def key_of(record) -> str:
    return "".join(
        "T" if record["answers"][f"s{i}"] == {"text": "true"} else "F" for i in range(1, len(record["answers"]) + 1)
    )


def flipped(key: str, count: int) -> str:
    return "".join(("F" if c == "T" else "T") if i < count else c for i, c in enumerate(key))


def test_read_tf_takes_the_ways_students_write_marks():
    assert read_tf("TFFT", 4) == [True, False, False, True]
    assert read_tf("t, f ,F,t", 4) == [True, False, False, True]
    assert read_tf("T F - T", 4) == [True, False, None, True]
    assert read_tf("T,,F,T", 4) == [True, None, False, True]
    assert read_tf("true;false", 2) == [True, False]
    assert read_tf("false", 1) == [False]
    assert read_tf("TFX", 3) == "('X' is not T, F or a blank)"
    assert "expected 4 marks" in read_tf("TFT", 4)


def test_key_csv_manifest_and_verify_agree(built):
    folder, out, papers = built
    rows = list(csv.DictReader(Path(out / "key.csv").read_text(encoding="utf-8").splitlines()))
    for row in rows:
        record = next(q for q in papers[row["student"]] if q["slot"] == row["slot"])
        if record["format"] == "tf":
            assert row["correct_response"] == key_of(record)
            assert record["scoring"] == ("all-or-nothing" if record["slot"] == "svm" else "per-statement")
    svm = [key_of(q) for paper in papers.values() for q in paper if q["slot"] == "svm"]
    assert all(len(k) == 5 and k.count("T") in (2, 3) for k in svm)
    result = run("verify", out / "manifest.json")
    assert result.exit_code == 0, result.output


def test_grading_per_statement_and_all_or_nothing(built):
    folder, out, papers = built
    rows = [["id", "q1", "q2", "q3"]]
    expected = {}
    for student, questions in papers.items():
        att = next(q for q in questions if q["slot"] == "att")
        svm = next(q for q in questions if q["slot"] == "svm")
        cells = {
            "A": (key_of(att), ",".join(key_of(svm))),  # everything right
            "B": (flipped(key_of(att), 1), flipped(key_of(svm), 1)),  # one slip in each
            "C": ("-" + key_of(att)[1:], "TFX??"),
        }[student]  # a blank; an unreadable sheet
        rows.append([student, *cells, ""])
        expected[student] = cells
    path = folder / "responses.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = grade(json.loads((out / "manifest.json").read_text()), path)
    marks = {s.id: {m.slot: m for m in s.marks} for s in report.students}
    assert marks["A"]["att"].points == 4 and marks["A"]["svm"].points == 3
    assert marks["B"]["att"].points == 3  # 3 of 4 statements: 3/4 of 4 points
    assert marks["B"]["svm"].points == 0 and marks["B"]["svm"].status == "partial"  # all or nothing
    assert marks["C"]["att"].points == 3  # the blank earns nothing, costs nothing
    assert marks["C"]["svm"].status == "unreadable" and "'X' is not T, F or a blank" in marks["C"]["svm"].note
    slipped = next(q for q in papers["B"] if q["slot"] == "att")
    first_fact = slipped["params"]["statements"][0]["fact"]
    assert marks["B"]["att"].mistakes == (f"misjudged fact {first_fact}",)


def test_check_audits_true_false_keys(tmp_path):
    keys = write(
        tmp_path,
        "keys.yaml",
        """
- id: right
  family: tf-attention-cost
  params:
    statements:
      - {fact: scores-vs-projections, n: 512, d: 64}
      - {fact: doubling-length, n: 256, factor: 4}
      - {fact: causal-scores, n: 10, kept: 45}
  answer: TTF
- id: listed
  family: tf-attention-cost
  params:
    statements:
      - {fact: scores-vs-projections, n: 512, d: 64}
      - {fact: doubling-length, n: 256, factor: 4}
  answer: [true, null]
- id: wrong
  family: tf-attention-cost
  params:
    statements:
      - {fact: scores-vs-projections, n: 512, d: 64}
      - {fact: causal-scores, n: 10, kept: 45}
  answer: {s1: true, s2: true}
""",
    )
    result = run("check", keys)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "right: OK" and lines[1] == "listed: OK"
    assert lines[2].startswith("wrong: WRONG — s2: claimed true, correct false — named mistake: causal-scores")
    assert "n(n+1)/2 = 55" in lines[2]
    bad = write(
        tmp_path,
        "bad.yaml",
        "- id: x\n  family: tf-attention-cost\n  params: {statements: "
        "[{fact: doubling-length, n: 8, factor: 4}]}\n  answer: TF\n",
    )
    result = run("check", bad)
    assert result.exit_code == 2
    assert (
        result.output.strip() == f"error: {bad}:4: item 'x': answer: cannot read 'TF' (expected 1 marks, T or F "
        "each, e.g. T)"
    )


@pytest.mark.parametrize(
    "entry,message",
    [
        (
            "{family: eigen-determinant, format: mcq, points: 2, scoring: all-or-nothing}",
            "scoring is for true/false questions (format: tf)",
        ),
        (
            "{family: tf-minimax, format: tf, points: 2, scoring: sometimes}",
            "expected one of per-statement, all-or-nothing, got 'sometimes'",
        ),
        ("{family: tf-minimax, format: tf, points: 2, options: {statements: 12}}", "options.statements"),
        ("{family: tf-minimax, format: mcq, points: 2}", "tf-minimax has no format 'mcq' (formats: tf)"),
        (
            "{family: tf-minimax, format: tf, points: 2, options: {statements: 3, true_counts: [1, 4]}}",
            "spec.yaml:3: questions[0]: options.true_counts: a true count above the 3 statements",
        ),
        (
            "{family: tf-minimax, format: tf, points: 2, options: {true_counts: {2: -1}}}",
            "options.true_counts.2: expected a whole number ≥ 0, got -1",
        ),
    ],
)
def test_bad_true_false_specs_are_one_line_exit_2(tmp_path, entry, message):
    spec = write(tmp_path, "spec.yaml", f"title: T\nquestions:\n  - {entry}\n")
    result = run("build", spec, "--out", tmp_path / "out", "--to", "tex")
    assert result.exit_code == 2 and message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_exports_carry_each_statement_and_their_checks_catch_a_flipped_key(tmp_path):
    spec = write(tmp_path, "spec.yaml", SPEC)
    for target, suffix in (("qti21", ".zip"), ("moodle", ".xml"), ("canvas", ".zip")):
        out = tmp_path / f"bank-{target}{suffix}"
        result = run("export", spec, "--to", target, "--variants", "3", "--out", out)
        if target == "qti21":
            assert result.exit_code == 0, result.output
            assert run("export", "--check", out).exit_code == 0
        else:  # Moodle's Cloze and Canvas's drop-downs score statements one by one
            assert result.exit_code == 2 and "cannot import all-or-nothing scoring" in result.output
    per_statement = write(tmp_path, "per.yaml", SPEC.replace(" scoring: all-or-nothing,", ""))
    for target, suffix in (("moodle", ".xml"), ("canvas", ".zip")):
        out = tmp_path / f"per-{target}{suffix}"
        result = run("export", per_statement, "--to", target, "--variants", "3", "--out", out)
        assert result.exit_code == 0, result.output
        assert run("export", "--check", out).exit_code == 0
    moodle = (tmp_path / "per-moodle.xml").read_text()
    # every statement of every variant, weighted so that each question is out of its points
    # (4 points over 4 statements: 1 each; 3 over 5: 3 each, 15 marks in the same shares)
    assert moodle.count("{1:MULTICHOICE:=") == 3 * 4 and moodle.count("{3:MULTICHOICE:=") == 3 * 5
    first = moodle.index("{1:MULTICHOICE:=")
    right = moodle[first + len("{1:MULTICHOICE:=") :].split("#", 1)[0]
    other = "False" if right == "True" else "True"
    tampered = moodle[:first] + "{1:MULTICHOICE:=" + other + moodle[first + len("{1:MULTICHOICE:=") + len(right) :]
    (tmp_path / "per-moodle.xml").write_text(tampered)
    result = run("export", "--check", tmp_path / "per-moodle.xml")
    assert (
        result.exit_code == 1
        and f"part 1 states {other} but the key recomputed from params is {right}" in result.output
    )


@pytest.mark.slow
@requires_tex
def test_the_pdfs_print_statements_boxes_key_and_justifications(built):
    folder, out, papers = built
    result = build(folder / "spec.yaml", folder / "pdf", roster=folder / "roster.csv", strict=True)
    exam, key = pdf_text(result.out / "exams" / "A.pdf"), pdf_text(result.out / "keys" / "A.pdf")
    att = next(q for q in papers["A"] if q["slot"] == "att")
    assert "True/false: mark T or F for each statement." in exam
    assert "each statement earns an equal share of the points" in exam
    assert "the points count only when every statement is marked right" in exam
    assert exam.count("T □ F □") == 4 + 5
    assert f"Key: {key_of(att)}." in key
    assert "Statement 1 is " in key
    assert "Key:" not in exam and "Statement 1 is " not in exam


@requires_browser
def test_the_practice_page_checks_each_statement(tmp_path):
    from selenium.webdriver.common.by import By

    out = tmp_path / "set"
    result = run("practice", "tf-sgd-vs-gd:tf", "--count", "2", "--seed", "3", "--out", out, "--to", "html")
    assert result.exit_code == 0, result.output
    with chromium() as browser:
        browser.get((out / "practice.html").as_uri())
        form = browser.find_element(By.CSS_SELECTOR, 'form[data-variant="tf-sgd-vs-gd-v001"]')
        truths = [s.get_attribute("value") for s in form.find_elements(By.CSS_SELECTOR, "input[data-statement]")]
        assert len(truths) == 8  # 4 statements, T and F each
        form.find_element(By.CSS_SELECTOR, 'input[data-statement="1"][value="T"]').click()
        form.find_element(By.CSS_SELECTOR, 'input[data-statement="2"][value="F"]').click()
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        lines = [line.text.replace("\n", " ") for line in form.find_elements(By.CSS_SELECTOR, ".feedback p")]
        assert len(lines) == 4 and lines[2] == "Statement 3: no answer yet."
        key = browser.find_element(By.ID, "tf-sgd-vs-gd-v001-solution").get_attribute("textContent")
        truth = key.split("Key:")[1].strip()[:4]
        assert lines[0] == ("Statement 1: correct." if truth[0] == "T" else lines[0])
        if truth[0] == "F":
            assert lines[0].startswith("Statement 1: not correct. It is false: ")
        assert (lines[1] == "Statement 2: correct.") == (truth[1] == "F")


def test_a_family_offers_statements_about_its_own_answers(tmp_path):
    """hoeffding-bound in the tf format: one statement per part, the key's value (true) or a
    named mistake's (false); key.csv, grade and check all judge them."""
    spec = write(
        tmp_path,
        "spec.yaml",
        "title: T\nseed: 2\nquestions:\n  - {id: h, family: hoeffding-bound, format: tf, points: 2}\n",
    )
    roster = write(tmp_path, "roster.csv", "id,name\nA,Ann\n")
    result = build(spec, tmp_path / "out", roster=roster, make_pdf=False)
    manifest = json.loads((result.out / "manifest.json").read_text())
    record = manifest["papers"][0]["questions"][0]
    from variantex.generators import family
    from variantex.generators.statements import answer_statements

    chosen = family("hoeffding-bound")
    params = chosen.parse(record["params"])
    statements = answer_statements(chosen, params)
    assert len(statements) == 2 and sum(s.truth for s in statements) == 1  # k = 2: one true, one false
    false = next(s for s in statements if not s.truth)
    assert false.mistake and "is what you get if you" in false.why
    key = "".join("T" if s.truth else "F" for s in statements)
    rows = list(csv.DictReader(Path(result.out / "key.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0]["correct_response"] == key
    responses = write(tmp_path, "responses.csv", f"id,h\nA,{key}\n")
    marks = grade(manifest, responses).students[0].marks
    assert marks[0].points == 2
    wrong = "".join("F" if c == "T" else "T" for c in key)
    write(tmp_path, "responses.csv", f"id,h\nA,{wrong}\n")
    marks = grade(manifest, responses).students[0].marks
    assert marks[0].points == 0 and false.mistake in marks[0].mistakes
    keys = write(
        tmp_path,
        "keys.yaml",
        f"- id: right\n  family: hoeffding-bound\n  format: tf\n  params: "
        f"{json.dumps(record['params'])}\n  answer: {key}\n"
        f"- id: wrong\n  family: hoeffding-bound\n  format: tf\n  params: "
        f"{json.dumps(record['params'])}\n  answer: {wrong}\n",
    )
    result = run("check", keys)
    lines = result.output.splitlines()
    assert result.exit_code == 1 and lines[0] == "right: OK"
    assert lines[1].startswith("wrong: WRONG") and false.mistake in lines[1]
