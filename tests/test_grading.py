"""Grading response sheets against each student's own key; verify on fresh and tampered manifests."""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from variantex.answer_engine.errors import InputError
from variantex.cli import cli
from variantex.exams.build import build
from variantex.exams.grading import grade, item_rows, scores_rows
from variantex.exams.manifest import load_manifest
from variantex.generators import family as family_by_id
from variantex.generators.variant import variant_from_data

SPEC = """title: Quiz
seed: 11
shuffle_questions: true
shuffle_options: true
questions:
  - {id: mc, family: eigen-determinant, format: mcq, points: 3}
  - {id: num, family: loss-ordering, format: numeric, points: 3, options: {metric: mae}}
  - {id: open, family: relu-backprop, format: open, points: 4, branch: dead}
"""
STUDENTS = [["A", "Ann"], ["B", "Bob"], ["C", "Cy"], ["D", "Di"], ["E", "Ed"], ["F", "Fay"]]


@pytest.fixture
def built(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC)
    with open(tmp_path / "roster.csv", "w", newline="") as handle:
        csv.writer(handle).writerows([["id", "name"], *STUDENTS])
    result = build(tmp_path / "spec.yaml", tmp_path / "out", roster=tmp_path / "roster.csv", make_pdf=False)
    manifest = json.loads((result.out / "manifest.json").read_text())
    return tmp_path, result.out / "manifest.json", {p["student"]["id"]: p["questions"] for p in manifest["papers"]}


def printed(questions, slot):
    """(printed position, record) of a slot on one student's (shuffled) paper."""
    return next((i, q) for i, q in enumerate(questions) if q["slot"] == slot)


def sheet(questions, answers: dict[str, str]) -> list[str]:
    cells = [""] * len(questions)
    for slot, answer in answers.items():
        cells[printed(questions, slot)[0]] = answer
    return cells


def numeric_answer(record) -> list[str]:
    return [str(record["answers"][name]) for name in ("A", "B", "C")]


def write_responses(folder: Path, rows) -> Path:
    path = folder / "responses.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_grades_each_student_against_their_own_paper(built):
    folder, manifest, papers = built
    a, c, d = papers["A"], papers["C"], papers["D"]
    mistake = next(o for o in printed(c, "mc")[1]["options"] if o["mistake"])
    c_num = numeric_answer(printed(c, "num")[1])
    rows = [
        ["id", "q1", "q2", "q3"],
        ["A"]
        + sheet(
            a,
            {"mc": printed(a, "mc")[1]["correct"], "num": "; ".join(numeric_answer(printed(a, "num")[1])), "open": "4"},
        ),
        ["B", "", "", ""],
        ["C"] + sheet(c, {"mc": mistake["letter"], "num": f"{c_num[0]}; 99; 98", "open": "2.5"}),
        ["D"] + sheet(d, {"mc": "Z", "num": "abc; 1; 2", "open": "9"}),
        ["E", printed(papers["E"], "mc")[1]["correct"] if printed(papers["E"], "mc")[0] == 0 else ""],
    ]
    report = grade(load_manifest(manifest), write_responses(folder, rows))
    totals = {s.id: s.total for s in report.students}
    assert totals["A"] == 10
    assert totals["B"] == 0
    assert totals["C"] == 1 + sp_half(5)  # one of three numeric parts (3 × 1/3) + 2.5 awarded
    assert totals["D"] == 0
    # F sent no response row: absent, listed apart and never averaged in as a zero
    assert "F" not in totals and [s.id for s in report.absent] == ["F"]
    assert ["F", report.absent[0].name] + ["absent"] * 4 in scores_rows(report)
    assert all(row[4] == str(len(report.students)) for row in item_rows(report)[1:])
    items = {row[0]: row for row in item_rows(report)}
    assert item_rows(report)[0][-1] == "letters_chosen" and items["num"][-1] == ""
    marked = sorted(
        m.response.upper()
        for s in report.students
        for m in s.marks
        if m.slot == "mc" and m.status != "unreadable" and m.response
    )
    expected = "; ".join(f"{letter} ×{marked.count(letter)}" for letter in sorted(set(marked)))
    assert items["mc"][-1] == expected and expected  # D's "Z" is unreadable, not a letter chosen
    assert len(report.unreadable) == 3 and all(u.startswith("D question") for u in report.unreadable)
    assert any("F: no response row" in w for w in report.warnings)
    assert any("E gave 1 of 3 responses" in w for w in report.warnings)
    c_marks = {m.slot: m for m in next(s for s in report.students if s.id == "C").marks}
    assert c_marks["mc"].mistakes == (mistake["mistake"],) and c_marks["num"].status == "partial"


def sp_half(n):
    import sympy as sp

    return sp.Rational(n, 2)


def test_cli_grade_writes_scores_and_item_report(built):
    folder, manifest, papers = built
    rows = [[sid] + sheet(q, {"mc": printed(q, "mc")[1]["correct"]}) for sid, q in papers.items()]
    rows[0] = [rows[0][0]] + [""] * 3
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(write_responses(folder, rows))])
    assert result.exit_code == 0, result.output
    assert "graded 6 students" in result.output
    grades = manifest.parent / "grades"
    scores = list(csv.DictReader((grades / "scores.csv").read_text(encoding="utf-8").splitlines()))
    assert [s["total"] for s in scores] == ["0", "3", "3", "3", "3", "3"]
    items = {r["slot"]: r for r in csv.DictReader((grades / "items.csv").read_text(encoding="utf-8").splitlines())}
    assert items["mc"]["share_correct"] == "0.83" and items["mc"]["blank"] == "1"
    assert items["mc"]["discrimination"] == "" or float(items["mc"]["discrimination"]) >= -1


@pytest.mark.parametrize(
    "rows, message",
    [
        ([["Z9", "A"]], "responses.csv:1: unknown student 'Z9'"),
        ([["A", "A", "B", "C", "D"]], "responses.csv:1: 4 responses but A's exam has 3 questions"),
        ([["A", "A"], ["A", "B"]], "responses.csv:2: student 'A' already answered on line 1"),
        ([], "no responses"),
    ],
)
def test_bad_response_files_exit_2_with_one_line(built, rows, message):
    folder, manifest, _ = built
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(write_responses(folder, rows))])
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (manifest.parent / "grades").exists()


def test_verify_passes_fresh_and_fails_tampered(built):
    _, manifest, _ = built
    ok = CliRunner().invoke(cli, ["verify", str(manifest)])
    assert ok.exit_code == 0 and "verified 18 keys" in ok.output
    data = json.loads(manifest.read_text())
    record = next(q for q in data["papers"][2]["questions"] if q["slot"] == "num")
    record["answers"]["A"] = "7/2"
    manifest.write_text(json.dumps(data))
    bad = CliRunner().invoke(cli, ["verify", str(manifest)])
    assert bad.exit_code == 1
    assert "MISMATCH C question" in bad.output and "stored answers" in bad.output
    with pytest.raises(InputError, match="do not follow from the stored params"):
        grade(load_manifest(manifest), write_responses(manifest.parent, [["C", "A", "1; 2; 3", "1"]]))


def test_verify_catches_a_tampered_option_letter(built):
    _, manifest, _ = built
    data = json.loads(manifest.read_text())
    record = next(q for q in data["papers"][0]["questions"] if q["slot"] == "mc")
    record["correct"] = "E" if record["correct"] != "E" else "A"
    manifest.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["verify", str(manifest)])
    assert result.exit_code == 1 and "stored correct" in result.output


def test_each_mcq_records_its_arrangement_and_verify_recomputes_the_options_from_it(built):
    _, manifest, _ = built
    data = json.loads(manifest.read_text())
    records = [q for paper in data["papers"] for q in paper["questions"] if q["format"] == "mcq"]
    assert records and all(isinstance(q["arrangement"], int) for q in records)
    assert len({q["arrangement"] for q in records}) == len(records)  # per student, not per variant
    record = records[0]
    # Another arrangement of the same params arranges the options another way: verify notices.
    record["arrangement"] += 1
    manifest.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["verify", str(manifest)])
    assert result.exit_code == 1 and "stored options" in result.output
    record["arrangement"] = -1
    manifest.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["verify", str(manifest)])
    assert result.exit_code == 2 and "arrangement" in result.output


@pytest.mark.parametrize(
    "content, message",
    [("{not json", "not a variantex manifest (JSON error"), ('{"a": 1}', "not a variantex manifest (no papers)")],
)
def test_verify_bad_manifest_is_bad_input(tmp_path, content, message):
    path = tmp_path / "m.json"
    path.write_text(content)
    result = CliRunner().invoke(cli, ["verify", str(path)])
    assert result.exit_code == 2 and message in result.output


def test_responses_in_the_wrong_encoding_exit_2(built):
    folder, manifest, _ = built
    path = folder / "responses.csv"
    path.write_bytes("A,A,1,2\nB,Ü,1,2\n".encode("latin-1"))
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(path)])
    assert result.exit_code == 2 and "responses.csv:2: not UTF-8" in result.output


def _reseal(manifest: Path, data: dict) -> None:
    """An edit as an attacker makes it: the content digest recomputed, so the seal holds."""
    from variantex.exams.manifest import content_digest

    data["digest"] = content_digest(data)
    manifest.write_text(json.dumps(data))


def _swap_correct_option(record: dict) -> str:
    """Swap the correct option's values with a wrong one's and mark that letter correct."""
    right = next(o for o in record["options"] if o["mistake"] is None)
    wrong = next(o for o in record["options"] if o["mistake"] is not None)
    right["values"], wrong["values"] = wrong["values"], right["values"]
    right["mistake"], wrong["mistake"] = wrong["mistake"], None
    record["correct"] = wrong["letter"]
    return wrong["letter"]


@pytest.mark.parametrize(
    "edit, difference",
    [
        (_swap_correct_option, "stored options"),
        (lambda record: record["answers"].update(det="999"), "stored answers"),
        (lambda record: record["options"][0].update(letter="Z"), "stored options"),
        (
            lambda record: record.update(branch="undetermined" if record["branch"] != "undetermined" else "two-known"),
            "stored branch",
        ),
    ],
    ids=["swapped-options", "answer-value", "option-label", "branch"],
)
def test_grade_refuses_a_resealed_manifest_whose_keys_differ(built, edit, difference):
    folder, manifest, papers = built
    data = json.loads(manifest.read_text())
    record = next(q for q in data["papers"][0]["questions"] if q["slot"] == "mc")
    edit(record)
    _reseal(manifest, data)
    student = data["papers"][0]["student"]["id"]
    responses = write_responses(folder, [[student, *sheet(papers[student], {"mc": record["correct"]})]])
    verified = CliRunner().invoke(cli, ["verify", str(manifest)])
    graded = CliRunner().invoke(cli, ["grade", str(manifest), str(responses)])
    assert verified.exit_code == 1 and graded.exit_code == 1, graded.output
    assert f"MISMATCH {student} question" in graded.output and difference in graded.output
    assert "nothing was graded" in graded.output and not (manifest.parent / "grades").exists()


def test_marks_come_from_recomputed_keys_even_when_the_library_is_handed_a_forged_manifest(built):
    folder, manifest, papers = built
    data = json.loads(manifest.read_text())
    record = next(q for q in data["papers"][0]["questions"] if q["slot"] == "mc")
    forged_letter = _swap_correct_option(record)
    student = data["papers"][0]["student"]["id"]
    responses = write_responses(folder, [[student, *sheet(papers[student], {"mc": forged_letter})]])
    report = grade(data, responses)
    mark = next(m for m in report.students[0].marks if m.slot == "mc")
    assert mark.points == 0  # the forged "correct" letter earns nothing


def test_items_name_a_misjudged_fact_as_a_fact(tmp_path):
    """A statement bank's wrong mark is a misjudged fact, not a named slip: items.csv says so."""
    (tmp_path / "spec.yaml").write_text(
        "title: TF\nseed: 3\nquestions:\n  - {id: tf, family: tf-minimax, format: tf, points: 4}\n"
    )
    write_responses(tmp_path, [["id", "name"], ["A", "Ann"], ["B", "Bob"]]).rename(tmp_path / "roster.csv")
    result = build(tmp_path / "spec.yaml", tmp_path / "out", roster=tmp_path / "roster.csv", make_pdf=False)
    manifest = load_manifest(result.out / "manifest.json")
    record = manifest["papers"][0]["questions"][0]
    variant = variant_from_data(family_by_id(record["family"]), record["params"], "tf")
    wrong = "".join("F" if s.truth else "T" for s in variant.family.statements(variant.params))
    report = grade(manifest, write_responses(tmp_path, [["A", wrong], ["B", ""]]))
    items = item_rows(report)
    assert items[1][items[0].index("mistakes_chosen")].startswith("misjudged fact ")
