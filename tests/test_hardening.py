"""Hardening: hostile inputs, output folders that lose nothing, tamper-evident manifests,
safe CSV, builds that are killed, reproducible PDFs, chunked TeX."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import requires_tex
from tests.hostile_corpus import CASES
from tests.test_build import pdf_text
from variantex.cli import cli
from variantex.exams.build import build
from variantex.exams.csvfiles import safe_cell
from variantex.exams.exporters.latex import chunk_sizes
from variantex.exams.latex import tex_environment
from variantex.exams.outputs import MARKER

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "four-families.yaml"
VARIANTEX = [sys.executable, "-m", "variantex.cli"]


def invoke(*args, cwd: Path | None = None):
    previous = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(previous)


def one_line_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


SPEC_ONE = "title: T\nquestions:\n  - family: shapley-and\n    format: mcq\n    points: 2\n"


def write_roster(path: Path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["id", "name"], *rows])
    return path


# --- hostile inputs -------------------------------------------------------------------------


def test_every_hostile_input_is_refused_in_one_line_without_a_traceback(tmp_path):
    """The corpus runs in a child process with a time limit: a hang fails here, it cannot
    stall the suite. (Refusal times are printed by benchmarks/hostile_inputs.py.)"""
    completed = subprocess.run(
        [sys.executable, "-m", "tests.hostile_corpus", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    results = json.loads(completed.stdout)
    assert [r["case"] for r in results] == list(CASES)
    for result in results:
        where = f"{result['case']}: {result['lines']}"
        assert result["exit"] == 2, where
        assert len(result["lines"]) == 1 and result["lines"][0].startswith("error: "), where
        assert not result["traceback"], where
        assert result["untouched"], where  # nothing written beside the inputs
        assert result["seconds"] < 5, where  # a generous bound: this catches hangs, not slowness


def test_a_non_terminating_slope_builds(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "title: T\nquestions:\n  - family: loss-ordering\n    format: numeric\n    points: 2\n"
        '    params: {line: {slope: "1/3", intercept: 0}, datasets: {A: [[0, 1], [3, 3]], '
        "B: [[0, 0], [3, 2]], C: [[0, 2], [3, 5]]}}\n"
    )
    result = invoke("build", spec, "--no-pdf", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    tex = (tmp_path / "out" / "exam.tex").read_text()
    assert r"\begin{pgfpicture}" in tex  # plotted (in floats, for drawing only)
    assert r"y = \frac{1}{3} x" in tex  # while the stem stays exact


# --- output folders ---------------------------------------------------------------------------


@pytest.fixture
def user_folder(tmp_path):
    folder = tmp_path / "work"
    (folder / "sub").mkdir(parents=True)
    (folder / "spec.yaml").write_text(SAMPLE.read_text())
    (folder / "notes.txt").write_text("my notes")
    (folder / "sub" / "keep.txt").write_text("keep")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_out_refuses_a_folder_it_did_not_make(user_folder):
    before = snapshot(user_folder)
    result = invoke("build", "spec.yaml", "--no-pdf", "--out", ".", cwd=user_folder)
    assert result.exit_code == 2
    assert "not empty and was not written by variantex" in one_line_error(result)
    assert snapshot(user_folder) == before


def test_force_writes_into_it_and_deletes_nothing(user_folder):
    before = snapshot(user_folder)
    result = invoke("build", "spec.yaml", "--no-pdf", "--out", ".", "--force", cwd=user_folder)
    assert result.exit_code == 0, result.output
    after = snapshot(user_folder)
    assert {name: after[name] for name in before} == before
    assert {"exam.tex", "key.tex", "manifest.json", MARKER} <= set(after)


def test_a_rebuild_replaces_only_what_the_last_build_wrote(tmp_path):
    out = tmp_path / "out"
    roster = write_roster(tmp_path / "r.csv", [["S1", "Ann"], ["S2", "Bob"]])
    assert build(SAMPLE, out, roster=roster, make_pdf=False).files
    (out / "grades").mkdir()
    (out / "grades" / "scores.csv").write_text("id,total\n")
    (out / "mine.txt").write_text("mine")
    build(SAMPLE, out, make_pdf=False)  # a practice build: no key.csv this time
    names = {p.name for p in out.iterdir()}
    assert "key.csv" not in names  # the old build's file it did not write again
    assert (out / "grades" / "scores.csv").read_text() == "id,total\n" and (out / "mine.txt").exists()
    assert json.loads((out / MARKER).read_text())["files"] == ["exam.tex", "key.tex", "manifest.json"]


def test_stale_staging_of_a_dead_build_is_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".out.tmp-{dead.pid}-abcd"
    live = tmp_path / f".out.tmp-{os.getpid()}-efgh"
    for folder in (stale, live):
        folder.mkdir()
        (folder / "exam.tex").write_text("half")
    build(SAMPLE, tmp_path / "out", make_pdf=False)
    assert not stale.exists() and live.exists()


# --- tamper-evident manifests -------------------------------------------------------------------


@pytest.fixture
def built(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SAMPLE.read_text())
    roster = write_roster(tmp_path / "r.csv", [["S1", "Ann"], ["S2", "Bob"], ["S3", "Cy"]])
    build(spec, tmp_path / "out", roster=roster, make_pdf=False)
    return tmp_path / "out" / "manifest.json"


def edited(manifest: Path, change, reseal: bool = False) -> Path:
    from variantex.exams.manifest import content_digest

    data = json.loads(manifest.read_text())
    change(data)
    if reseal:
        data["digest"] = content_digest(data)
    manifest.write_text(json.dumps(data))
    return manifest


def _swap_seeds(data):
    questions = data["papers"][0]["questions"]
    questions[0]["seed"], questions[1]["seed"] = questions[1]["seed"], questions[0]["seed"]


def _swap_records(data):
    first, second = data["papers"][0], data["papers"][1]
    first["questions"][0], second["questions"][0] = second["questions"][0], first["questions"][0]


def _points(data):
    data["papers"][0]["questions"][0]["points"] = "300"


def _name(data):
    data["papers"][1]["student"]["name"] = "Mallory"


def _spec_hash(data):
    data["spec"]["sha256"] = "0" * 64


def _points_with_spec_elsewhere(data):
    _points(data)
    data["spec"]["path"] = "../nowhere/spec.yaml"


def _student_removed(data):
    del data["papers"][2]


def _title(data):
    data["spec"]["title"] = "Another exam"


def _variety(data):
    data["variety"][0]["distinct"] = 1


def _extra_field(data):
    data["papers"][0]["questions"][0]["bonus"] = 5


def _extra_top_field(data):
    data["grades_released"] = True


def _roster_elsewhere(data):
    data["roster"]["path"] = "../nowhere/r.csv"


@pytest.mark.parametrize(
    "change,reseal,expected",
    [
        (_swap_seeds, False, "content digest"),
        (_swap_records, False, "content digest"),
        (_points, False, "content digest"),
        (_name, False, "content digest"),
        (_spec_hash, False, "content digest"),
        (_swap_seeds, True, "not the one (exam seed, student, slot) gives"),
        (_swap_records, True, "not the one (exam seed, student, slot) gives"),
        (_points, True, "stored points '300' but the spec and seed give '4'"),
        (_name, True, "name or fields differ from the roster"),
        (_spec_hash, True, "changed after the build"),
        (_points_with_spec_elsewhere, True, "the spec is not at"),
        (_roster_elsewhere, True, "the roster is not at"),
        (_student_removed, True, "do not match the roster's students"),
        (_title, True, "spec: stored"),
        (_variety, True, "variety: stored"),
        (_extra_field, True, "a field 'bonus' the build does not write"),
        (_extra_top_field, True, "grades_released: stored True"),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_verify_catches_every_edit_even_a_resealed_one(built, change, reseal, expected):
    assert invoke("verify", built).exit_code == 0
    edited(built, change, reseal)
    result = invoke("verify", built)
    assert result.exit_code == 1
    assert expected in result.output
    responses = built.parent / "responses.csv"
    responses.write_text("S1,A\n")
    refused = invoke("grade", built, responses)
    assert refused.exit_code == 1 and "variantex verify" in refused.output


def test_without_spec_waives_the_sources_and_says_what_it_could_not_check(built):
    edited(built, _points_with_spec_elsewhere, reseal=True)
    waived = invoke("verify", built, "--without-spec")
    assert waived.exit_code == 0, waived.output
    assert "note: without the spec and roster, these were not re-derived: points" in waived.output


def test_rebuild_also_requires_the_same_versions(built):
    assert invoke("verify", built, "--rebuild").exit_code == 0
    edited(built, lambda data: data["versions"].update(sympy="0.0.1"), reseal=True)
    assert invoke("verify", built).exit_code == 0  # versions are the environment's, not the spec's
    rebuilt = invoke("verify", built, "--rebuild")
    assert rebuilt.exit_code == 1 and "versions: stored" in rebuilt.output


# --- CSV formula injection ----------------------------------------------------------------------


def test_csv_cells_cannot_run_formulas(tmp_path):
    names = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)", "Ann"]
    roster = write_roster(tmp_path / "r.csv", [[f"S{i}", name] for i, name in enumerate(names)])
    result = build(SAMPLE, tmp_path / "out", roster=roster, make_pdf=False)
    rows = list(csv.reader(Path(result.out / "key.csv").read_text(encoding="utf-8").splitlines()))
    written = {row[0]: row[1] for row in rows[1:]}
    for i, name in enumerate(names):
        assert written[f"S{i}"] == (name if name == "Ann" else "'" + name)
    assert [safe_cell(v) for v in ("-1/8", "-0.25", "+3", "-2+3", "-sqrt(2)")] == [
        "-1/8",
        "-0.25",
        "+3",
        "'-2+3",
        "'-sqrt(2)",
    ]
    responses = tmp_path / "resp.csv"
    responses.write_text("".join(f"S{i},A\n" for i in range(len(names))))
    assert invoke("grade", result.out / "manifest.json", responses).exit_code == 0
    scores = list(csv.reader(Path(result.out / "grades" / "scores.csv").read_text(encoding="utf-8").splitlines()))
    assert {row[1] for row in scores[1:]} >= {"'+1+1", "'@SUM(1)", "Ann"}


def test_unprintable_exam_text_is_warned_about(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(SAMPLE.read_text().replace('title: "Final exam — sample"', 'title: "Final 🎓 امتحان"'))
    result = build(spec, tmp_path / "out", make_pdf=False)
    assert any("title: pdflatex cannot print" in w for w in result.warnings), result.warnings


# --- scale, reproducibility, kills (TeX) ------------------------------------------------------


def test_chunks_share_the_work_fairly():
    assert chunk_sizes(30) == [30] and chunk_sizes(1) == [1]
    assert chunk_sizes(120) == [30, 30, 30, 30]
    assert chunk_sizes(500) == [63, 63, 63, 63, 62, 62, 62, 62]
    assert sum(chunk_sizes(10_000)) == 10_000 and max(chunk_sizes(10_000)) == 100
    assert max(chunk_sizes(1001)) - min(chunk_sizes(1001)) <= 1


@pytest.mark.slow
@requires_tex
def test_a_chunked_build_is_the_same_bytes_with_one_worker_or_two(tmp_path):
    """Workers draw, typeset and cut their own chunks; whatever their number, every file of
    the build is the same, PDFs and the streamed manifest, key.csv and exam.json included."""
    roster = write_roster(tmp_path / "r.csv", [[f"S{i:03d}", f"Student {i}"] for i in range(60)])
    first = build(SAMPLE, tmp_path / "a", roster=roster, outputs=["pdf", "json"], jobs=1)
    second = build(SAMPLE, tmp_path / "b", roster=roster, outputs=["pdf", "json"], jobs=2)
    assert len(chunk_sizes(60)) == 2  # this build really ran in chunks
    files = [f for f in first.files if f.suffix in (".pdf", ".json", ".csv", ".tex")]
    assert sorted(map(str, files)) == sorted(
        str(f) for f in second.files if f.suffix in (".pdf", ".json", ".csv", ".tex")
    )
    assert len([f for f in files if f.parent.name == "exams"]) == 60
    for name in files:
        assert (first.out / name).read_bytes() == (second.out / name).read_bytes(), name
    assert "Student 42" in pdf_text(first.out / "exams" / "S042.pdf")
    assert "Student 59" in pdf_text(first.out / "keys" / "S059.pdf")
    per_student = sum(pages(first.out / "exams" / f"S{i:03d}.pdf") for i in range(60))
    assert pages(first.out / "exam.pdf") == per_student  # the joined chunks hold every paper, once
    assert pdf_text(first.out / "exam.pdf").count("End of the exam") == 60
    verified = invoke("verify", second.out / "manifest.json")
    assert verified.exit_code == 0, verified.output
    view = json.loads((second.out / "exam.json").read_text(encoding="utf-8"))
    assert [p["student"]["id"] for p in view["papers"]] == [f"S{i:03d}" for i in range(60)]


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))


def _start_build(tmp_path: Path, students: int) -> tuple[subprocess.Popen, Path]:
    roster = write_roster(tmp_path / "r.csv", [[f"S{i:03d}", f"Student {i}"] for i in range(students)])
    out = tmp_path / "out"
    process = subprocess.Popen(
        [*VARIANTEX, "build", str(SAMPLE), "--roster", str(roster), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process, out


def _wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the build never reached the stage to interrupt"
        time.sleep(0.05)


def _staging(tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]


def _tex_running_under(folder: Path) -> bool:
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = status.read_bytes()
        except OSError:
            continue
        if b"pdflatex" in command:
            cwd = status.parent / "cwd"
            try:
                if str(folder) in os.readlink(cwd):
                    return True
            except OSError:
                continue
    return False


@pytest.mark.slow
@requires_tex
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_removes_staging_and_stops_tex(tmp_path, signum):
    process, _ = _start_build(tmp_path, 60)
    _wait_for(lambda: _tex_running_under(tmp_path))
    process.send_signal(signum)
    output, _ = process.communicate(timeout=30)  # EOF: nobody else holds our stdout
    assert process.returncode == 128 + signum
    _wait_for(lambda: not _tex_running_under(tmp_path), 10)
    assert _staging(tmp_path) == [] and not (tmp_path / "out").exists()


@pytest.mark.slow
@requires_tex
def test_sigkill_leaves_no_workers_and_the_next_build_cleans_up(tmp_path):
    process, out = _start_build(tmp_path, 240)  # enough papers that cutting them takes seconds
    _wait_for(lambda: any(any((s / "exams").glob("*.pdf")) for s in _staging(tmp_path) if (s / "exams").is_dir()))
    assert process.poll() is None, "the build finished before it could be killed mid-split"
    process.kill()
    process.communicate(timeout=30)  # EOF: no orphaned worker holds our stdout
    _wait_for(lambda: not _tex_running_under(tmp_path), 10)
    assert _staging(tmp_path)  # debris, as after any SIGKILL
    build(SAMPLE, out, make_pdf=False)
    assert _staging(tmp_path) == []


def test_fractional_points_print_in_running_text():
    import sympy as sp

    from variantex.exams.exporters.latex import points_text

    assert points_text(sp.Rational(1, 2)) == r"$\tfrac{1}{2}$"
    assert points_text(sp.Rational(7, 2)) == r"$3\tfrac{1}{2}$"
    assert points_text(sp.Integer(4)) == "4"


@pytest.mark.slow
@requires_tex
def test_a_half_point_question_compiles(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(
        'title: T\nquestions:\n  - family: shapley-and\n    format: mcq\n    points: "1/2"\n'
        "  - family: eigen-determinant\n    format: numeric\n    points: 1.5\n"
    )
    out = build(spec, tmp_path / "out").out
    assert "Question 1" in pdf_text(out / "exam.pdf") and "2 points in total" in pdf_text(out / "exam.pdf")


@pytest.mark.slow
@requires_tex
def test_the_sample_has_no_line_in_the_margin_and_strict_catches_one(tmp_path):
    roster = ROOT / "examples" / "roster.csv"
    result = build(SAMPLE, tmp_path / "sample", roster=roster, strict=True)  # would raise on a layout problem
    assert not [w for w in result.warnings if "margin" in w or "no font" in w]
    spec = tmp_path / "wide.yaml"
    spec.write_text(SAMPLE.read_text().replace('title: "Final exam — sample"', 'title: "' + "Unbreakable" * 12 + '"'))
    from variantex.answer_engine.errors import CompileError

    with pytest.raises(CompileError, match="--strict: .* runs .*pt into the margin"):
        build(spec, tmp_path / "wide", strict=True)
    assert any("into the margin" in w for w in build(spec, tmp_path / "lenient").warnings)


@pytest.fixture
def one_paper_chunks(monkeypatch):
    """Chunks of one or two papers, so a few students make several chunks (and TeX runs)."""
    from variantex.exams.exporters import latex as exporter

    monkeypatch.setattr(exporter, "MIN_CHUNK", 1)
    monkeypatch.setattr(exporter, "MAX_CHUNK", 2)


def test_chunks_join_into_the_one_rendering(tmp_path, one_paper_chunks):
    """exam.tex and key.tex from chunks made by two workers are byte for byte one rendering
    of every paper."""
    from variantex.exams.assemble import assemble
    from variantex.exams.exporters.latex import paper_contexts, render_papers
    from variantex.exams.roster import read_roster
    from variantex.exams.spec import load_spec
    from variantex.exams.view import exam_view

    spec = load_spec(SAMPLE)
    roster = write_roster(tmp_path / "r.csv", [[f"S{i}", f"Student {i}"] for i in range(5)])
    whole = exam_view(spec, assemble(spec, 1, read_roster(roster)))
    result = build(SAMPLE, tmp_path / "out", seed=1, roster=roster, make_pdf=False, jobs=2, scan=False)
    contexts = paper_contexts(whole)
    for kind in ("exam", "key"):
        joined = (result.out / f"{kind}.tex").read_text(encoding="utf-8")
        assert joined == render_papers(whole, key=kind == "key", contexts=contexts)
        assert [f"VARIANTEX-PAPER {n} " in joined for n in range(1, 6)] == [True] * 5


@pytest.mark.slow
@requires_tex
def test_where_processes_cannot_fork_a_build_runs_in_one_and_writes_the_same_bytes(
    tmp_path, monkeypatch, one_paper_chunks
):
    roster = write_roster(tmp_path / "r.csv", [[f"S{i}", f"Student {i}"] for i in range(3)])
    forked = build(SAMPLE, tmp_path / "forked", roster=roster, jobs=2)
    from variantex.exams import latex as tex_run

    monkeypatch.setattr(tex_run, "CAN_FORK", False)
    alone = build(SAMPLE, tmp_path / "alone", roster=roster, jobs=2)
    assert sorted(map(str, alone.files)) == sorted(map(str, forked.files))
    for name in forked.files:
        assert (alone.out / name).read_bytes() == (forked.out / name).read_bytes(), name


@pytest.mark.slow
@requires_tex
def test_layout_problems_in_a_later_chunk_name_lines_of_the_joined_file(tmp_path, one_paper_chunks):
    import re

    wide = tmp_path / "wide.yaml"
    wide.write_text(SAMPLE.read_text().replace('title: "Final exam — sample"', 'title: "' + "Unbreakable" * 12 + '"'))
    roster = write_roster(tmp_path / "r.csv", [[f"S{i}", f"Student {i}"] for i in range(3)])
    result = build(wide, tmp_path / "out", roster=roster, jobs=2)
    out = result.out
    lines = {kind: (out / f"{kind}.tex").read_text(encoding="utf-8").splitlines() for kind in ("exam", "key")}
    named = [
        (kind, int(line))
        for kind, line in (
            re.match(r"(exam|key)\.tex: a line runs .* \(TeX source line (\d+)\)", w).groups()
            for w in result.layout
            if "margin" in w
        )
    ]
    assert len(named) >= 6  # the title on each of three covers, in the exam and the key
    for kind, line in named:
        assert "Unbreakable" in lines[kind][line - 1], (kind, line)
    third = max(i for i, text in enumerate(lines["exam"], start=1) if "VARIANTEX-PAPER 3 " in text)
    assert any(kind == "exam" and line > third for kind, line in named)  # the later chunk's, mapped
    assert sorted(p.name for p in (out / "exams").iterdir()) == ["S0.pdf", "S1.pdf", "S2.pdf"]
    assert not (out / ".parts").exists()
    assert sum("into the margin" in w for w in result.warnings) == 5  # the rest counted, not listed
    assert any(re.match(r"… and \d+ more layout problems", w) for w in result.warnings)


def test_the_manifest_streamed_paper_by_paper_is_the_one_written_whole(tmp_path):
    """ManifestStream writes the bytes write_manifest writes for the whole manifest, its
    digest included, however the fields fall before and after the papers."""
    from variantex.exams.manifest import ManifestStream, paper_texts, write_manifest

    head = {"manifest_version": 2, "versions": {"python": "3.11"}, "spec": {"path": "é.yaml"}, "seed": 7}
    papers = [
        {"student": {"id": f"S{i}", "name": "Zoë"}, "questions": [{"slot": "q1", "x": [1, "½"]}]} for i in range(3)
    ]
    tail = {"scan": {"answers": "separate", "marks": [[1, 2]]}, "variety": [{"slot": "q1", "distinct": 3}]}
    stream = ManifestStream(tmp_path / "streamed.json", head)
    stream.add([paper_texts(p) for p in papers[:2]])
    stream.add([paper_texts(papers[2])])
    stream.close(tail)
    write_manifest(tmp_path / "whole.json", {**head, "papers": papers, **tail})
    assert (tmp_path / "streamed.json").read_bytes() == (tmp_path / "whole.json").read_bytes()
    with pytest.raises(ValueError, match="sorts before"):
        ManifestStream(tmp_path / "bad.json", head).close({"digits": 1})


def test_one_run_shares_each_figure_and_keeps_both_parts_line_for_line():
    from variantex.exams.assemble import assemble
    from variantex.exams.exporters.latex import document_parts, one_run, paper_contexts, render_papers
    from variantex.exams.roster import read_roster
    from variantex.exams.spec import load_spec
    from variantex.exams.view import exam_view

    spec = load_spec(SAMPLE)
    with tempfile.TemporaryDirectory() as scratch:
        students = read_roster(write_roster(Path(scratch) / "r.csv", [["S1", "Ann"], ["S2", "Bo"]]))
    chunk = exam_view(spec, assemble(spec, 1, students))
    contexts = paper_contexts(chunk)
    exam, key = (render_papers(chunk, key=kind == "key", contexts=contexts) for kind in ("exam", "key"))
    document, exam_start, key_start = one_run(exam, key)
    figures = exam.count(r"\begin{pgfpicture}")
    assert figures >= 2 and key.count(r"\begin{pgfpicture}") == figures  # the sample draws figures
    assert document.count(r"\begin{pgfpicture}") == figures  # typeset once, in the exam's papers
    lines = document.splitlines()
    # Each figure saved in the exam's papers and used again in the key's.
    assert document.count(r"\vxsavefigure{") == "\n".join(lines[key_start:]).count(r"\vxusefigure{") == figures
    # Line for line: what TeX names in either part is the same line of exam.tex or key.tex.
    for source, start in ((exam, exam_start), (key, key_start)):
        body = document_parts(source)[1]
        in_figures = {
            line
            for match in re.finditer(r"\\begin\{pgfpicture\}.*?\\end\{pgfpicture\}", body, re.DOTALL)
            for line in range(body[: match.start()].count("\n"), body[: match.end()].count("\n") + 1)
        }
        assert len(in_figures) > figures
        for number, text in enumerate(body.splitlines()):
            if number not in in_figures:
                assert lines[start + number] == text, (start + number, text)


@pytest.mark.slow
@requires_tex
def test_the_shared_run_prints_what_exam_tex_and_key_tex_print_alone(tmp_path):
    roster = write_roster(tmp_path / "r.csv", [[f"S{i}", f"Student {i}"] for i in range(3)])
    # Without answer sheets: page codes and marks are stamped on the PDF after TeX (exams/stamp.py),
    # so exam.tex typeset alone has none; everything TeX draws is compared here.
    result = build(SAMPLE, tmp_path / "out", roster=roster, jobs=1, scan=False)
    alone = tmp_path / "alone"
    alone.mkdir()
    for kind in ("exam", "key"):
        shutil.copy(result.out / f"{kind}.tex", alone)
        subprocess.run(
            ["pdflatex", "-interaction=batchmode", f"{kind}.tex"],
            cwd=alone,
            check=True,
            stdout=subprocess.DEVNULL,
            env=tex_environment(),
        )
        ours, theirs = page_images(result.out / f"{kind}.pdf"), page_images(alone / f"{kind}.pdf")
        assert len(ours) == len(theirs) == pages(alone / f"{kind}.pdf")
        for number, (mine, standalone) in enumerate(zip(ours, theirs), start=1):
            # A form is placed at coordinates rounded differently (by 0.001pt), which can flip
            # the odd anti-aliased pixel; a figure out of place differs in thousands.
            differing = sum(a != b for a, b in zip(mine, standalone))
            assert differing <= len(mine) // 2000, (kind, number, differing)


def page_images(pdf: Path) -> list[bytes]:
    """Each page as grey pixels at 50 dpi."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["pdftoppm", "-r", "50", "-gray", str(pdf), f"{scratch}/page"], check=True)
        return [path.read_bytes() for path in sorted(Path(scratch).glob("page-*.pgm"))]


# --- output folders: mounts, a user's own files, the marker, empty names --------------------------


@pytest.fixture
def mount(tmp_path):
    """Mount a small tmpfs (root only: skipped elsewhere); yields a function taking options."""
    mounted = []

    def make(options: str = "size=8m") -> Path:
        point = tmp_path / f"mount{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("cannot mount a tmpfs here (needs root)")
        mounted.append(point)
        return point

    yield make
    for point in mounted:
        subprocess.run(["umount", str(point)], capture_output=True)


def test_out_on_a_mount_point_builds_there(tmp_path, mount):
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC_ONE)
    point = mount()
    result = invoke("build", spec, "--no-pdf", "--out", point)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in point.iterdir()) == [".variantex-output", "exam.tex", "key.tex", "manifest.json"]


def test_out_on_a_read_only_mount_is_one_line(tmp_path, mount):
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC_ONE)
    point = mount("size=1m,ro")
    result = invoke("build", spec, "--no-pdf", "--out", point)
    assert result.exit_code == 2 and result.output.strip().splitlines() == [
        f"error: --out {point}: cannot write there (Read-only file system)"
    ]


def test_force_never_replaces_a_users_own_files_without_overwrite(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC_ONE)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "exam.tex").write_text("my own notes")
    (out / "manifest.json").write_text("{}")
    (out / "notes.txt").write_text("keep")
    refused = invoke("build", spec, "--no-pdf", "--out", out, "--force")
    assert refused.exit_code == 2 and "did not write that this build would replace (exam.tex, manifest.json)" in (
        refused.output
    )
    assert (out / "exam.tex").read_text() == "my own notes"
    forced = invoke("build", spec, "--no-pdf", "--out", out, "--force", "--overwrite")
    assert forced.exit_code == 0 and "notes.txt" not in forced.output  # it lists what it wrote, only
    assert (out / "notes.txt").read_text() == "keep" and (out / "exam.tex").read_text() != "my own notes"


@pytest.mark.parametrize("marker", ['{"files": "exam.tex"}', '{"files": [1, 2]}', "[]", "not json"])
def test_a_malformed_marker_means_not_ours(tmp_path, marker):
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC_ONE)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".variantex-output").write_text(marker)
    (out / "e").write_text("a user's file named like a character of 'exam.tex'")
    result = invoke("build", spec, "--no-pdf", "--out", out)
    assert result.exit_code == 2 and "was not written by variantex" in result.output
    assert (out / "e").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["build", "s.yaml", "--no-pdf", "--out", ""],
        ["practice", "gd-step", "--count", "1", "--out", " "],
        ["export", "s.yaml", "--out", ""],
    ],
    ids=["build", "practice", "export"],
)
def test_an_empty_out_is_refused(tmp_path, command, monkeypatch):
    (tmp_path / "s.yaml").write_text(SPEC_ONE)
    monkeypatch.chdir(tmp_path)
    result = invoke(*command)
    assert result.exit_code == 2 and "Invalid value for '--out': an empty name" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_verify_says_which_printed_papers_differ_from_the_manifest(built):
    data = json.loads(built.read_text())
    assert all(len(paper["tex_sha256"]) == 64 for paper in data["papers"])  # one digest a paper
    exam = built.parent / "exam.tex"
    text = exam.read_text(encoding="utf-8")
    second = [m.start() for m in re.finditer(r"^\\typeout\{VARIANTEX-PAPER", text, re.MULTILINE)][1]
    exam.write_text(text[:second] + text[second:].replace("Question 1", "Question one", 1), encoding="utf-8")
    result = invoke("verify", built)
    assert result.exit_code == 1
    assert "MISMATCH S2: the paper in exam.tex is not the one built with this manifest" in result.output
    assert "S1:" not in result.output and "S3:" not in result.output
