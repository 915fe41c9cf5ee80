"""Roster builds: per-student variants, fairness, uniqueness, shuffles, bad rosters."""

import csv
import json
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import requires_tex
from variantex.answer_engine.errors import InputError
from variantex.cli import cli
from variantex.exams.build import build
from variantex.exams.manifest import recompute
from variantex.exams.roster import read_roster

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "four-families.yaml"
ROSTER = ROOT / "examples" / "roster.csv"


def write_roster(path: Path, rows: list[list[str]], header=("id", "name")) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def manifest_papers(result) -> list[dict]:
    return json.loads((result.out / "manifest.json").read_text(encoding="utf-8"))["papers"]


def params_by_student(result) -> dict[str, dict[str, object]]:
    return {p["student"]["id"]: {q["slot"]: q["params"] for q in p["questions"]} for p in manifest_papers(result)}


def test_roster_reads_ids_names_and_extra_columns():
    students = read_roster(ROSTER)
    assert len(students) == 30
    assert students[1].id == "S1001" and students[1].name == "O'Brien, Siobhán"
    assert dict(students[0].fields) == {"email": "s1000@uni.example", "section": "A"}


@pytest.mark.parametrize(
    "content, message",
    [
        ("id,name\nA1,Ann\nA1,Bob\n", "roster.csv:3: id 'A1' repeats line 2"),
        ("id,name\n,Ann\n", "roster.csv:2: empty id"),
        ("id,nom\nA1,Ann\n", "roster.csv:1: missing column 'name' (columns: id, nom)"),
        ("", "roster.csv: the roster is empty"),
        ("id,name\n", "roster.csv: the roster has a header but no students"),
        ("id,name\nA1,Ann,extra\n", "roster.csv:2: 3 fields but the header has 2"),
        ("id,name\na/b,Ann\na_b,Bob\n", "would share the file name a_b.pdf"),
        ("id,name,id\nA1,Ann,A2\n", "a column name is repeated"),
    ],
)
def test_bad_rosters_give_one_line_errors(tmp_path, content, message):
    path = tmp_path / "roster.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        read_roster(path)
    assert "\n" not in str(caught.value)


def test_roster_in_the_wrong_encoding_names_the_line(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("id,name\nA1,Ann\nA2,Jürgen\n".encode("latin-1"))
    with pytest.raises(InputError, match="roster.csv:3: not UTF-8"):
        read_roster(path)


def test_bad_roster_through_the_cli_exits_2_and_writes_nothing(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name\nA1,Ann\nA1,Bob\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(SAMPLE), "--roster", str(roster), "--out", str(out)])
    assert result.exit_code == 2 and "id 'A1' repeats line 2" in result.output
    assert not out.exists()


def pdf_text(path: Path) -> str:
    """Text in reading layout (the cover's Name/ID table stays on its lines), spaces folded."""
    raw = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return printed_form(" ".join(raw.replace("’", "'").split()))


def printed_form(text: str) -> str:
    """Text as it reads back from a PDF: composed characters, and T1's Eth glyph for Đ
    (T1 fonts print U+0110 with the glyph pdftotext reads as U+00D0)."""
    return unicodedata.normalize("NFC", text).replace("Đ", "Ð")


@pytest.mark.slow
@requires_tex
def test_thirty_awkward_names_each_get_their_own_pdf_and_variants(tmp_path):
    result = build(SAMPLE, tmp_path / "out", roster=ROSTER)
    out = result.out
    students = read_roster(ROSTER)
    from tests.test_hardening import pages as page_count

    pages = 0
    for student in students:
        exam, key = out / "exams" / f"{student.id}.pdf", out / "keys" / f"{student.id}.pdf"
        text = pdf_text(exam)
        # Every name in its own script (李小龙 through XeTeX: exams/names.py), never "???".
        assert f"Name: {printed_form(student.name)}" in text and f"Student ID: {student.id}" in text
        assert "Answer key" in pdf_text(key) and student.id in pdf_text(key)
        pages += page_count(exam)
    assert page_count(out / "exam.pdf") == pages
    params = params_by_student(result)
    for slot in ("losses", "eigen", "shapley"):
        assert len({json.dumps(params[s.id][slot]) for s in students}) == 30  # a different variant for everyone
    assert not any("name" in w for w in result.warnings), result.warnings
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["papers"][3]["student"] == {
        "id": "S1003",
        "name": "Ærøskøbing & Søn",
        "email": "s1003@uni.example",
        "section": "A",
    }
    with open(out / "key.csv", encoding="utf-8") as handle:
        assert sum(1 for _ in csv.reader(handle)) == 1 + 30 * 8


def test_adding_a_student_never_changes_anyone_else(tmp_path):
    rows = [["A1", "Ann"], ["B2", "Bob"], ["C3", "Cy"]]
    small = build(SAMPLE, tmp_path / "a", roster=write_roster(tmp_path / "r1.csv", rows), make_pdf=False)
    more_rows = rows[:1] + [["N9", "New"]] + rows[1:]
    large = build(SAMPLE, tmp_path / "b", roster=write_roster(tmp_path / "r2.csv", more_rows), make_pdf=False)
    before, after = params_by_student(small), params_by_student(large)
    assert all(after[s] == before[s] for s in before)


def test_every_student_gets_the_same_branch_of_a_slot_unless_mixed(tmp_path):
    rows = [[f"S{i}", f"Student {i}"] for i in range(25)]
    roster = write_roster(tmp_path / "r.csv", rows)
    result = build(SAMPLE, tmp_path / "a", roster=roster, make_pdf=False)
    for slot in ("losses", "eigen", "backprop", "dead-relu", "shapley-weighted"):
        branches = {q["branch"] for p in manifest_papers(result) for q in p["questions"] if q["slot"] == slot}
        assert len(branches) == 1, (slot, branches)
    spec = tmp_path / "mixed.yaml"
    spec.write_text("title: T\nquestions:\n  - {family: relu-backprop, format: numeric, points: 2, branch: mixed}\n")
    mixed = build(spec, tmp_path / "b", roster=roster, make_pdf=False)
    assert {p["questions"][0]["branch"] for p in manifest_papers(mixed)} == {"live", "dead", "leaky"}


def test_shuffles_are_per_student_recorded_and_verifiable(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(SAMPLE.read_text() + "shuffle_questions: true\nshuffle_options: true\n")
    roster = write_roster(tmp_path / "r.csv", [[f"S{i}", f"Student {i}"] for i in range(12)])
    result = build(spec, tmp_path / "out", roster=roster, make_pdf=False)
    orders = {tuple(q["slot"] for q in p["questions"]) for p in manifest_papers(result)}
    assert len(orders) > 1
    correct_letters = {
        r["correct"]
        for p in json.loads((result.out / "manifest.json").read_text())["papers"]
        for r in p["questions"]
        if r["format"] == "mcq"
    }
    assert len(correct_letters) > 1
    assert recompute(json.loads((result.out / "manifest.json").read_text())) == []


def test_unique_variants_fails_clearly_when_students_would_share(tmp_path):
    spec = tmp_path / "u.yaml"
    spec.write_text(
        "title: T\nunique_variants: true\nquestions:\n"
        "  - {family: eigen-determinant, format: numeric, points: 1,"
        " params: {eigenvectors: [[1, 0]], eigenvalues: [2], trace: 5}}\n"
    )
    roster = write_roster(tmp_path / "r.csv", [["A", "Ann"], ["B", "Bob"]])
    with pytest.raises(InputError, match="unique_variants is on but question q1 .* has 1 distinct variants for 2"):
        build(spec, tmp_path / "out", roster=roster, make_pdf=False)
    assert not (tmp_path / "out").exists()
