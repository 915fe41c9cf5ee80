"""`variantex scan` against synthetic scans of real builds, whose truth is known.

The papers are built and typeset for real, rasterised, marked as students and graders mark
them (tests/scansim.py), degraded (rotation, scale, perspective, blur, noise, JPEG,
upside-down pages, shuffling) and scanned; the tests then count: every page identified,
every clear mark read right, no mark read as another answer, every double or unclear mark
left for review.
"""

from __future__ import annotations

import csv
import json
import re
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tests import scansim
from variantex.cli import cli
from variantex.exams.build import build as build_exam

pytestmark = pytest.mark.slow

SPEC = """title: "Scan test"
course: "CS-433"
seed: 11
questions:
  - {id: losses, family: loss-ordering, format: mcq, points: 4, branch: contrast, options: {metric: mse}}
  - {id: tf1, family: tf-minimax, format: tf, points: 3}
  - {id: eigen, family: eigen-determinant, format: mcq, points: 3}
  - {id: values, family: loss-ordering, format: numeric, points: 3, options: {metric: mae}}
  - {id: tf2, family: hoeffding-bound, format: tf, points: 2}
  - {id: open, family: shapley-and, format: open, points: 5, branch: weighted}
  - {id: gd, family: gd-step, format: mcq, points: 2}
"""
ROSTER = "id,name\nA1,Ada Lovelace\nB2,Alan Turing\nC3,Grace Hopper\nD4,Emmy Noether\n"


@pytest.fixture(scope="module")
def exam(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scan-exam")
    (folder / "spec.yaml").write_text(SPEC, encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    build_exam(folder / "spec.yaml", folder / "out", roster=folder / "roster.csv")
    # The same spec with another seed: another exam, whose pages must not be taken for these.
    build_exam(folder / "spec.yaml", folder / "other", roster=folder / "roster.csv", seed=12)
    # Answers on the question pages, where TeX put each bubble.
    (folder / "pages.yaml").write_text(SPEC + "answer_sheet: on-pages\n", encoding="utf-8")
    build_exam(folder / "pages.yaml", folder / "pages", roster=folder / "roster.csv")
    return folder


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def rendered(build: Path, dpi: int) -> dict[str, list[np.ndarray]]:
    return {
        p["student"]["id"]: scansim.render(build / "exams" / f"{p['student']['id']}.pdf", dpi)
        for p in manifest_of(build)["papers"]
    }


def scan(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def responses(folder: Path) -> dict[str, list[str]]:
    with (folder / "responses.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return {row[0]: row[1:] for row in rows[1:]}


def decisions(folder: Path) -> list[dict[str, str]]:
    with (folder / "decisions.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def misreads(truth: scansim.Truth, read: dict[str, list[str]]) -> list[str]:
    """Cells read as something else than the truth (REVIEW is never a misread)."""
    wrong = []
    for student, cells in truth.cells.items():
        for number, (want, got) in enumerate(zip(cells, read[student]), start=1):
            if got != "REVIEW" and not scansim.equal_value(got, want):
                wrong.append(f"{student} q{number}: read {got!r}, truth {want!r}")
    return wrong


def flagged(read: dict[str, list[str]]) -> set[tuple[str, int]]:
    return {(s, n) for s, cells in read.items() for n, cell in enumerate(cells, start=1) if cell == "REVIEW"}


STANDARD = scansim.Degradation(rotate=3, scale=0.03, perspective=0.003, noise=6, blur=0.8, jpeg=50, upside_down=0.3)


def test_clear_marks_at_200_dpi_are_read_exactly_and_grade_like_the_truth(exam, tmp_path):
    rng = np.random.default_rng(1)
    pages = rendered(exam / "out", 200)
    truth = scansim.mark_papers(manifest_of(exam / "out"), pages, 200, scansim.Marking(blank=0.15), rng)
    scans = [scansim.degrade(p, STANDARD, rng) for paper in pages.values() for p in paper]
    scans.append(np.full_like(scans[0], 250))  # a blank page slipped into the pile
    scans.append(scansim.degrade(rendered(exam / "other", 200)["B2"][-1], STANDARD, rng))  # another exam's sheet
    order = rng.permutation(len(scans))
    files = scansim.write_scans([scans[i] for i in order], tmp_path / "scans", "pile")

    result = scan("scan", *files, "--manifest", exam / "out" / "manifest.json", "--out", tmp_path / "read")
    assert result.exit_code == 1, result.output  # the two stray pages wait for a decision
    read = responses(tmp_path / "read")
    assert misreads(truth, read) == []
    assert flagged(read) == set()
    assert read == truth.cells
    items = decisions(tmp_path / "read")
    assert sorted(i["what"].split(":")[0] for i in items) == ["a page of another exam", "no variantex code found"]
    summary = json.loads((tmp_path / "read" / "scan.json").read_text(encoding="utf-8"))
    assert sum(p["outcome"] == "read" for p in summary["pages"]) == len(scans) - 2  # every page of the exam
    html = (tmp_path / "read" / "review.html").read_text(encoding="utf-8")
    assert "a page of another exam" in html and html.count("<img") == 2

    # Ignoring both pages settles everything: exit 0, and --grade scores exactly as grading the truth.
    settled = tmp_path / "decisions.csv"
    settled.write_text("item,decision\n" + "".join(f"{i['item']},ignore\n" for i in items), encoding="utf-8")
    result = scan(
        "scan",
        *files,
        "--manifest",
        exam / "out" / "manifest.json",
        "--out",
        tmp_path / "graded",
        "--decisions",
        settled,
        "--grade",
    )
    assert result.exit_code == 0, result.output
    truth.write_csv(tmp_path / "truth.csv")
    direct = scan("grade", exam / "out" / "manifest.json", tmp_path / "truth.csv", "--out", tmp_path / "direct")
    assert direct.exit_code == 0, direct.output
    assert (tmp_path / "graded" / "scores.csv").read_text() == (tmp_path / "direct" / "scores.csv").read_text()


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_hard_marks_are_flagged_never_misread(exam, tmp_path, dpi):
    rng = np.random.default_rng(dpi)
    pages = rendered(exam / "out", dpi)
    marking = scansim.Marking(blank=0.1, faint=0.2, erased=0.25, double=0.5, stray=0.5)
    truth = scansim.mark_papers(manifest_of(exam / "out"), pages, dpi, marking, rng)
    harsh = scansim.Degradation(rotate=5, scale=0.03, perspective=0.004, noise=8, blur=1.0, jpeg=50, upside_down=0.5)
    scans = [scansim.degrade(p, harsh, rng) for paper in pages.values() for p in paper]
    files = scansim.write_scans([scans[i] for i in rng.permutation(len(scans))], tmp_path / "scans", "pile")
    result = scan("scan", *files, "--manifest", exam / "out" / "manifest.json", "--out", tmp_path / "read")
    read = responses(tmp_path / "read")
    assert misreads(truth, read) == []
    assert truth.must_flag <= flagged(read)  # every double mark goes to a person
    assert flagged(read) <= truth.must_flag | truth.may_flag  # and nothing clear does
    assert truth.must_flag, "the draw made no double mark: the test would prove nothing"
    assert result.exit_code == 1
    summary = json.loads((tmp_path / "read" / "scan.json").read_text(encoding="utf-8"))
    assert all(p["outcome"] == "read" for p in summary["pages"])
    crops = list((tmp_path / "read" / "review").glob("*.png"))
    assert len(crops) >= len(truth.must_flag)


def test_missing_and_twice_scanned_sheets_are_reported(exam, tmp_path):
    rng = np.random.default_rng(7)
    pages = rendered(exam / "out", 150)
    truth = scansim.mark_papers(manifest_of(exam / "out"), pages, 150, scansim.Marking(blank=0), rng)
    sheet = {sid: len(p) - 2 for sid, p in pages.items()}  # one sheet page, then its blank back
    piles = []
    for sid, paper in pages.items():
        if sid == "A1":
            piles += paper[: sheet[sid]]  # A1's answer sheet is missing
        elif sid == "D4":
            continue  # D4 was absent: no page at all
        else:
            piles += paper
    piles.append(pages["B2"][sheet["B2"]])  # B2's sheet scanned twice, the same
    changed = pages["C3"][sheet["C3"]].copy()
    first_row = manifest_of(exam / "out")["papers"][2]["sheet"][0]
    x, y = next((x, y) for x, y, letter in first_row["bubbles"] if letter != truth.cells["C3"][0])
    scansim.draw_mark(changed, x, y, "fill", 150, 2.2, rng)
    piles.append(changed)  # C3's sheet again, with one more mark
    files = scansim.write_scans(piles, tmp_path / "scans", "pile")
    result = scan("scan", *files, "--manifest", exam / "out" / "manifest.json", "--out", tmp_path / "read")
    assert result.exit_code == 1
    read = responses(tmp_path / "read")
    assert "D4" not in read and "no pages for 1 student(s): D4" in result.output
    assert set(read["A1"]) == {"REVIEW"}
    assert read["B2"] == truth.cells["B2"]
    assert "REVIEW" in read["C3"]
    whats = [i["what"] for i in decisions(tmp_path / "read")]
    assert any("answer sheet page 1 is not in the scans" in w for w in whats)
    assert any("scanned twice with different marks" in w for w in whats)
    assert "same marks; read once" in (tmp_path / "read" / "review.html").read_text(encoding="utf-8")


def test_decisions_settle_items_and_bad_decisions_name_their_line(exam, tmp_path):
    rng = np.random.default_rng(3)
    pages = rendered(exam / "out", 150)
    scansim.mark_papers(manifest_of(exam / "out"), pages, 150, scansim.Marking(double=1.0, blank=0), rng)
    files = scansim.write_scans([p for paper in pages.values() for p in paper], tmp_path / "scans", "pile")
    manifest = exam / "out" / "manifest.json"
    first = scan("scan", *files, "--manifest", manifest, "--out", tmp_path / "read")
    assert first.exit_code == 1
    items = decisions(tmp_path / "read")
    assert items and all("several options marked" in i["what"] for i in items)
    answer = tmp_path / "decisions.csv"
    answer.write_text("item,decision\n" + "".join(f"{i['item']},blank\n" for i in items), encoding="utf-8")
    second = scan("scan", *files, "--manifest", manifest, "--out", tmp_path / "again", "--decisions", answer)
    assert second.exit_code == 0, second.output
    read = responses(tmp_path / "again")
    for item in items:
        student, question = item["item"].split("/q")
        assert read[student][int(question) - 1] == ""
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(f"item,decision\n{items[0]['item']},Z\n", encoding="utf-8")
    bad = scan("scan", *files, "--manifest", manifest, "--out", tmp_path / "bad", "--decisions", wrong)
    assert bad.exit_code == 2
    assert f"{wrong}:2" in bad.output and "'Z' is not a response grade reads" in bad.output
    stale = tmp_path / "stale.csv"
    stale.write_text("item,decision\nZ9/q1,A\n", encoding="utf-8")
    bad = scan("scan", *files, "--manifest", manifest, "--out", tmp_path / "bad", "--decisions", stale)
    assert bad.exit_code == 2 and "no review item 'Z9/q1'" in bad.output
    assert not (tmp_path / "bad").exists()  # nothing half-written


def test_many_pages_per_file_pdf_and_tiff(exam, tmp_path):
    from PIL import Image

    rng = np.random.default_rng(5)
    pages = rendered(exam / "out", 200)
    truth = scansim.mark_papers(manifest_of(exam / "out"), pages, 200, scansim.Marking(), rng)
    images = [Image.fromarray(scansim.degrade(p, STANDARD, rng)) for paper in pages.values() for p in paper]
    half = len(images) // 2
    images[0].save(tmp_path / "first.pdf", save_all=True, append_images=images[1:half], resolution=200.0)
    images[half].save(tmp_path / "second.tiff", save_all=True, append_images=images[half + 1 :], compression="tiff_lzw")
    result = scan(
        "scan",
        tmp_path / "second.tiff",
        tmp_path / "first.pdf",
        "--manifest",
        exam / "out" / "manifest.json",
        "--out",
        tmp_path / "read",
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.output
    assert responses(tmp_path / "read") == truth.cells


def _huge_png(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims width × height pixels (its data is never decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def test_bad_scans_get_one_line_errors_or_a_flagged_page(exam, tmp_path):
    import pikepdf

    manifest = exam / "out" / "manifest.json"
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    thousands = tmp_path / "thousands.pdf"
    with pikepdf.new() as pdf:
        for _ in range(10_000):
            pdf.add_blank_page()
        pdf.save(thousands)
    for path, message in (
        (empty, "the file is empty (0 bytes)"),
        (corrupt, "not a readable image"),
        (text, "not a scan variantex reads"),
        (thousands, "10000 pages; a file may hold at most 5000"),
        (tmp_path / "nowhere.png", "no such file"),
    ):
        result = scan("scan", path, "--manifest", manifest, "--out", tmp_path / "read")
        assert result.exit_code == 2, (path, result.output)
        assert message in result.output and str(path) in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output
    assert not (tmp_path / "read").exists()

    huge = tmp_path / "huge.png"
    _huge_png(huge, 25_000, 20_000)  # 500 megapixels
    result = scan("scan", huge, "--manifest", manifest, "--out", tmp_path / "flagged")
    assert result.exit_code == 1
    [item] = decisions(tmp_path / "flagged")
    assert item["item"] == "page:huge.png page 1" and "500 megapixels" in item["what"]


def test_a_build_without_answer_sheets_cannot_be_scanned(tmp_path):
    folder = tmp_path
    (folder / "spec.yaml").write_text(SPEC, encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(folder / "spec.yaml"),
            "--roster",
            str(folder / "roster.csv"),
            "--out",
            str(folder / "out"),
            "--no-scan",
            "--to",
            "tex",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Answer sheet" not in (folder / "out" / "exam.tex").read_text(encoding="utf-8")
    page = folder / "page.png"
    import cv2

    cv2.imwrite(str(page), np.full((100, 100), 255, np.uint8))
    result = scan("scan", page, "--manifest", folder / "out" / "manifest.json")
    assert result.exit_code == 2 and "built without answer sheets" in result.output


def test_answers_on_the_question_pages_are_read_where_tex_put_them(exam, tmp_path):
    manifest = manifest_of(exam / "pages")
    assert manifest["scan"]["answers"] == "on-pages"
    assert all(not row["page"].startswith("S") for paper in manifest["papers"] for row in paper["sheet"])
    assert {row["kind"] for row in manifest["papers"][0]["sheet"]} == {"choice", "tf", "score"}
    rng = np.random.default_rng(11)
    pages = rendered(exam / "pages", 200)
    truth = scansim.mark_papers(manifest, pages, 200, scansim.Marking(blank=0.15), rng)
    scans = [scansim.degrade(p, STANDARD, rng) for paper in pages.values() for p in paper]
    files = scansim.write_scans([scans[i] for i in rng.permutation(len(scans))], tmp_path / "scans", "pile")
    result = scan("scan", *files, "--manifest", exam / "pages" / "manifest.json", "--out", tmp_path / "read", "--grade")
    assert result.exit_code == 0, result.output
    assert responses(tmp_path / "read") == truth.cells
    assert (tmp_path / "read" / "scores.csv").is_file()
    # The rows came from TeX, so verify keeps them as stored (sealed by the digest) and passes.
    verified = scan("verify", exam / "pages" / "manifest.json")
    assert verified.exit_code == 0, verified.output


def test_the_manifest_sheet_rows_are_rebuilt_by_verify(exam, tmp_path):
    import shutil

    from variantex.exams.manifest import content_digest

    copy = tmp_path / "out"
    shutil.copytree(exam / "out", copy)
    shutil.copy(exam / "spec.yaml", tmp_path / "spec.yaml")
    shutil.copy(exam / "roster.csv", tmp_path / "roster.csv")
    assert scan("verify", copy / "manifest.json").exit_code == 0
    manifest = manifest_of(copy)
    manifest["papers"][1]["sheet"][0]["bubbles"][0][0] += 10.0  # a bubble moved
    manifest["digest"] = content_digest(manifest)  # and the manifest resealed
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = scan("verify", copy / "manifest.json")
    assert result.exit_code == 1 and "B2: stored sheet differs" in result.output


def test_a_build_without_bubble_positions_is_refused(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC + "answer_sheet: on-pages\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    built = scan(
        "build", tmp_path / "spec.yaml", "--roster", tmp_path / "roster.csv", "--out", tmp_path / "out", "--to", "tex"
    )
    assert built.exit_code == 0, built.output
    import cv2

    cv2.imwrite(str(tmp_path / "page.png"), np.full((100, 100), 255, np.uint8))
    result = scan("scan", tmp_path / "page.png", "--manifest", tmp_path / "out" / "manifest.json")
    assert result.exit_code == 2 and "records no bubble positions" in result.output


def test_degenerate_registration_is_a_flagged_page_not_a_crash(exam, tmp_path):
    """A page whose code reads but whose corners are covered by a straight ink stroke through
    three marks' places: flagged for review, never a traceback."""
    import cv2

    page = rendered(exam / "out", 150)["A1"][-2].copy()
    s = 150 / 25.4
    for x, y in ((12, 12), (198, 12), (198, 285)):  # blot out three marks
        cv2.rectangle(page, (int((x - 6) * s), int((y - 6) * s)), (int((x + 6) * s), int((y + 6) * s)), 255, -1)
    cv2.imwrite(str(tmp_path / "page.png"), page)
    result = scan("scan", tmp_path / "page.png", "--manifest", exam / "out" / "manifest.json", "--out", tmp_path / "r")
    assert result.exit_code == 1, result.output
    [item] = [i for i in decisions(tmp_path / "r") if i["item"].startswith("page:")]
    assert "could not be registered" in item["what"]


def test_a_bad_answer_sheet_option_names_its_line(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC + "answer_sheet: maybe\n", encoding="utf-8")
    result = scan("build", tmp_path / "spec.yaml", "--to", "tex", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "answer_sheet" in result.output and "expected one of separate, on-pages, none" in result.output
    assert re.search(r"spec\.yaml:\d+", result.output) and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("answers", ["separate", "on-pages"])
def test_letter_paper_is_printed_letter_and_scanned_exactly(tmp_path, answers):
    """Issue 26: paper size is the spec's (a4 or letter); marks, code and sheet rows follow
    the page, the manifest records it, and the scanner reads the page it was printed on."""
    (tmp_path / "spec.yaml").write_text(SPEC + f"paper: letter\nanswer_sheet: {answers}\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    build_exam(tmp_path / "spec.yaml", tmp_path / "out", roster=tmp_path / "roster.csv", strict=True)
    manifest = manifest_of(tmp_path / "out")
    assert manifest["scan"]["page"] == [215.9, 279.4] and manifest["scan"]["marks"][2] == [203.9, 267.4]
    assert (
        max(b[1] for p in manifest["papers"] for row in p["sheet"] for b in row["bubbles"]) < 279.4 - 22
    )  # above the code
    for name in ("exam.pdf", "key.pdf"):
        info = subprocess.run(["pdfinfo", str(tmp_path / "out" / name)], capture_output=True, text=True).stdout
        assert "612 x 792 pts (letter)" in info, info
    rng = np.random.default_rng(5)
    pages = rendered(tmp_path / "out", 200)
    truth = scansim.mark_papers(manifest, pages, 200, scansim.Marking(blank=0.15), rng)
    scans = [scansim.degrade(p, STANDARD, rng) for paper in pages.values() for p in paper]
    files = scansim.write_scans(scans, tmp_path / "scans", "pile")
    result = scan("scan", *files, "--manifest", tmp_path / "out" / "manifest.json", "--out", tmp_path / "read")
    assert result.exit_code == 0, result.output
    assert responses(tmp_path / "read") == truth.cells
    verified = scan("verify", tmp_path / "out" / "manifest.json")
    assert verified.exit_code == 0, verified.output


def test_a_paper_size_other_than_a4_or_letter_names_its_line(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC + "paper: legal\n", encoding="utf-8")
    result = scan("build", tmp_path / "spec.yaml", "--no-pdf", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "spec.yaml:12: paper: expected one of a4, letter" in result.output
