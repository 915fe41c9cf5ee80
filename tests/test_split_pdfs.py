"""A per-student PDF carries what a PDF that stands alone must (its fonts, each once) and,
apart from them, no more than twice its share of the combined exam.pdf: pages, figures and
stamps are not duplicated when a chunk's PDF is cut per student (issue 30, small split PDFs)."""

from __future__ import annotations

import csv
from pathlib import Path

import pikepdf
import pytest

from tests.conftest import requires_tex
from variantex.exams.build import build

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "sample-exam.yaml"  # figures, every format, an answer sheet

pytestmark = [pytest.mark.slow, requires_tex]


def font_programs(path: Path) -> tuple[int, list[str]]:
    """(bytes of the embedded font programs as stored, the base font of each program)."""
    total, names, seen = 0, [], set()
    with pikepdf.open(path) as pdf:
        for font in (o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"):
            descriptor = font.get("/FontDescriptor")
            program = None if descriptor is None else descriptor.get("/FontFile") or descriptor.get("/FontFile3")
            if program is None or program.objgen in seen:
                continue
            seen.add(program.objgen)
            total += len(program.read_raw_bytes())
            names.append(str(font.BaseFont).split("+")[-1])
    return total, names


def test_a_per_student_pdf_is_its_fonts_and_at_most_twice_its_share(tmp_path):
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["id", "name"], *([f"S{i:03d}", f"Student {i}"] for i in range(40))])
    result = build(SPEC, tmp_path / "out", roster=roster)
    combined = result.out / "exam.pdf"
    fonts, _ = font_programs(combined)
    share = (combined.stat().st_size - fonts) / 40
    for paper in sorted((result.out / "exams").glob("*.pdf")):
        own_fonts, names = font_programs(paper)
        assert len(names) == len(set(names)), f"{paper.name}: a font embedded twice: {sorted(names)}"
        rest = paper.stat().st_size - own_fonts
        assert rest <= 2 * share, f"{paper.name}: {rest} bytes besides its fonts, share {share:.0f}"
