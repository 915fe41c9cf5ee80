"""Every name printed in its own script (issue 26, item 1): names pdflatex cannot print go
through XeTeX into names.pdf (exams/names.py) and the papers place them as text."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import requires_tex
from tests.test_roster import pdf_text, printed_form, write_roster
from variantex.exams import names
from variantex.exams.build import build

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "four-families.yaml"
# The international roster: one student in eight had a blank line to write on.
WORLD = ["王小明", "김민준", "田中 花子", "Агата Смирнова", "Nguyễn Thị Minh Khai", "Ἀλέξανδρος Παπαδόπουλος"]
requires_xetex = pytest.mark.skipif(shutil.which("xetex") is None, reason="xetex missing: run `make setup`")


def test_only_names_pdflatex_cannot_print_get_a_page_in_roster_order():
    pages = names.name_pages(["Zoë Ñúñez", "王小明", "Łukasz", "Агата", "王小明", "김민준"])
    assert pages == {"王小明": 1, "Агата": 3, "김민준": 5}  # regular on odd pages, bold on the next


def test_a_script_picks_its_cjk_font():
    assert [names.cjk_script(n) for n in ("王小明", "田中 はな", "김민준")] == ["SC", "JP", "KR"]


def test_the_preamble_places_a_name_page_at_the_depth_xetex_set_it():
    preamble = (ROOT / "templates" / "preamble.tex.j2").read_text(encoding="utf-8")
    depth, height = (float(x) for x in re.search(r"raisebox\{-([\d.]+)em\}.*height=([\d.]+)em", preamble).groups())
    assert depth == names.DEPTH_PT / names.SIZE_PT
    assert height == (names.HEIGHT_PT + names.DEPTH_PT) / names.SIZE_PT


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page.strip() for page in text.split("\f")[:-1]]


@requires_xetex
@requires_tex
def test_names_in_six_scripts_are_set_regular_and_bold(tmp_path):
    awkward = "李{小}龙 %#\\ 50"  # TeX's specials in XeTeX's initial mode are set by code
    pages = names.name_pages([*WORLD, awkward])
    assert names.typeset_names(pages, tmp_path) == []
    texts = _page_texts(tmp_path / names.NAMES_PDF)
    assert texts == [printed_form(n) for name in pages for n in (name, name)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["names.pdf"]  # no .tex or .log left


@requires_xetex
@requires_tex
def test_a_name_no_installed_font_prints_gets_a_line_and_a_warning(tmp_path):
    pages = names.name_pages(["ꯃꯤꯇꯩ Meitei", "Агата"])  # Meetei Mayek: in none of the three fonts
    warnings = names.typeset_names(pages, tmp_path)
    assert len(warnings) == 1 and "ꯃꯤꯇꯩ" in warnings[0] and "a line to write it on" in warnings[0]
    assert _page_texts(tmp_path / names.NAMES_PDF) == ["", "", "Агата", "Агата"]


def test_without_xetex_the_build_says_so_and_writes_no_names(tmp_path, monkeypatch):
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda program: None if program == "xetex" else real(program))
    warnings = names.typeset_names(names.name_pages(WORLD), tmp_path)
    assert warnings == [
        "xetex not found: 6 name(s) in other scripts get a line to write on (run `make setup`, which installs it)"
    ]
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
@requires_xetex
@requires_tex
def test_a_roster_of_the_world_prints_every_name_on_cover_sheet_and_last_page(tmp_path):
    rows = [[f"W{i}", name] for i, name in enumerate(WORLD)] + [["L1", "Ann O'Neil"]]
    result = build(SAMPLE, tmp_path / "out", roster=write_roster(tmp_path / "r.csv", rows), strict=True)
    assert not any("name" in w for w in result.warnings), result.warnings
    for student_id, name in rows:
        text = pdf_text(result.out / "exams" / f"{student_id}.pdf")
        shown = printed_form(name)
        assert f"Name: {shown} Student ID: {student_id}" in text  # the cover
        assert f"{shown} ({student_id})" in text  # the answer sheet
        assert f"End of the exam for {shown}." in text
        assert f"End of the answer key for {shown}." in pdf_text(result.out / "keys" / f"{student_id}.pdf")
    # exam.tex compiled by hand without names.pdf: a line on the cover, the ID on the last page.
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(result.out / "exam.tex", alone)
    subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "exam.tex"],
        cwd=alone,
        check=True,
        capture_output=True,
    )
    text = pdf_text(alone / "exam.pdf")
    assert "End of the exam for W0." in text and "王小明" not in text


def _every_family_spec(path: Path) -> Path:
    from variantex.generators import families

    formats = ["mcq", "numeric", "tf", "open"]
    lines = ["course: CS-433 Machine Learning", "title: Every family", "seed: 7", "questions:"]
    for index, chosen in enumerate(families()):
        fmt = next(f for f in formats[index % 4 :] + formats if f in chosen.formats)
        lines.append(f"  - {{family: {chosen.id}, format: {fmt}, points: 2}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
@requires_xetex
@requires_tex
def test_forty_students_of_the_world_take_an_exam_of_every_family_strictly(tmp_path):
    """Issue 26, done when: a 40-student build of every family, the international roster
    included, passes --strict with every name printed."""
    others = ["Siobhán O'Brien", "Zoë Ñúñez", "Łukasz Dvořák", "Ærøskøbing & Søn"]
    long_name = "Bartholomew Alexander Montgomery-Featherstonehaugh de la Cruz"
    pool = [*WORLD, long_name, *others]
    rows = [[f"S{k:02d}", pool[k % len(pool)] + (f" {k // len(pool)}" if k >= len(pool) else "")] for k in range(40)]
    spec = _every_family_spec(tmp_path / "every.yaml")
    result = build(spec, tmp_path / "out", roster=write_roster(tmp_path / "r.csv", rows), strict=True)
    assert not any("name" in w for w in result.warnings), result.warnings
    for student_id, name in rows:
        cover = " ".join(pdf_text(result.out / "exams" / f"{student_id}.pdf").split("Instructions")[0].split())
        assert f"Name: {printed_form(name)} Student ID: {student_id}" in cover
