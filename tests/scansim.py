"""Synthetic scans with known truth, from real builds: the built PDFs rasterised, marked as
students and graders mark them, then degraded as scanners and phones degrade them.

Everything is drawn from an explicit numpy Generator, so a failing case reproduces from
its seed. The truth is what a person reading the paper would say: the response cells of
`grade` for every student, plus which bubbles carry only a faint or erased mark (those a
scanner may flag for review, but never read as another answer).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium

CLEAR_STYLES = ("fill", "cross", "tick", "partial", "pencil")
PEN, PENCIL, ERASED_GREY = 35, 120, 222


def render(pdf: Path, dpi: int) -> list[np.ndarray]:
    document = pdfium.PdfDocument(str(pdf))
    try:
        pages = []
        for page in document:
            picture = page.render(scale=dpi / 72, grayscale=True).to_numpy()
            pages.append(np.array(picture[:, :, 0] if picture.ndim == 3 else picture))
        return pages
    finally:
        document.close()


def draw_mark(image: np.ndarray, x_mm: float, y_mm: float, style: str, dpi: int, radius_mm: float, rng) -> None:
    """A student's mark in the bubble centred at (x, y) mm."""
    s = dpi / 25.4
    cx, cy, r = x_mm * s, y_mm * s, radius_mm * s
    width = max(1, int(round(0.45 * s)))  # a 0.45 mm pen line

    def pt(dx: float, dy: float) -> tuple[int, int]:
        return int(round(cx + dx * r)), int(round(cy + dy * r))

    jitter = rng.uniform(-0.12, 0.12, size=2)
    if style in ("fill", "pencil", "erased"):
        colour = {"fill": PEN, "pencil": PENCIL, "erased": ERASED_GREY}[style]
        cv2.circle(image, pt(*jitter * 0.5), int(r * rng.uniform(0.8, 0.95)), colour, -1, lineType=cv2.LINE_AA)
    elif style == "partial":  # about two thirds of the bubble scribbled in
        cv2.ellipse(image, pt(0, 0), (int(r * 0.85), int(r * 0.85)), rng.uniform(0, 360), 0, 240, PEN, -1)
    elif style == "cross":
        cv2.line(image, pt(-0.75, -0.75), pt(0.75, 0.75), PEN, width + 1, cv2.LINE_AA)
        cv2.line(image, pt(-0.75, 0.75), pt(0.75, -0.75), PEN, width + 1, cv2.LINE_AA)
    elif style == "tick":
        points = np.array([pt(-0.6, 0.0), pt(-0.15, 0.55), pt(0.7, -0.7)], dtype=np.int32)
        cv2.polylines(image, [points], False, PEN, width + 1, cv2.LINE_AA)
    elif style == "faint":  # a light pencil tick: a person may hesitate, so may the scanner
        points = np.array([pt(-0.5, 0.0), pt(-0.1, 0.5), pt(0.6, -0.6)], dtype=np.int32)
        cv2.polylines(image, [points], False, 200, width, cv2.LINE_AA)
    else:
        raise ValueError(style)


def stray_mark(image: np.ndarray, dpi: int, rng) -> None:
    """A doodle in the sheet's empty lower part, away from every bubble."""
    s = dpi / 25.4
    x, y = rng.uniform(60, 150) * s, rng.uniform(235, 262) * s
    points = np.array([[x + rng.uniform(-40, 40), y + rng.uniform(-20, 20)] for _ in range(5)], dtype=np.int32)
    cv2.polylines(image, [points], False, PEN, 3, cv2.LINE_AA)


@dataclass
class Degradation:
    rotate: float = 0.0  # degrees, uniform in ±rotate
    scale: float = 0.0  # relative, uniform in ±scale
    perspective: float = 0.0  # corner shift as a share of the page size
    noise: float = 0.0  # grey levels (standard deviation)
    blur: float = 0.0  # pixels (standard deviation)
    jpeg: int | None = None  # quality
    upside_down: float = 0.0  # share of pages turned 180°


def degrade(image: np.ndarray, how: Degradation, rng) -> np.ndarray:
    h, w = image.shape
    pad = int(0.06 * max(h, w))  # the scanner bed is larger than the page
    canvas = np.full((h + 2 * pad, w + 2 * pad), 235, np.uint8)
    canvas[pad : pad + h, pad : pad + w] = image
    H, W = canvas.shape
    centre = (W / 2, H / 2)
    angle = rng.uniform(-how.rotate, how.rotate)
    scale = 1 + rng.uniform(-how.scale, how.scale)
    affine = np.vstack([cv2.getRotationMatrix2D(centre, angle, scale), [0, 0, 1]])
    corners = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    shifted = corners + rng.uniform(-how.perspective, how.perspective, size=(4, 2)).astype(np.float32) * [W, H]
    warp = cv2.getPerspectiveTransform(corners, shifted.astype(np.float32)) @ affine
    out = cv2.warpPerspective(canvas, warp, (W, H), flags=cv2.INTER_LINEAR, borderValue=235)
    if how.blur:
        out = cv2.GaussianBlur(out, (0, 0), how.blur)
    if how.noise:
        out = np.clip(out.astype(np.float32) + rng.normal(0, how.noise, out.shape), 0, 255).astype(np.uint8)
    if how.jpeg:
        ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, how.jpeg])
        out = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    if rng.random() < how.upside_down:
        out = cv2.rotate(out, cv2.ROTATE_180)
    return out


@dataclass
class Truth:
    """What a person reads on the papers: each student's cells as `grade` takes them, and the
    (student, question) cells a scanner may leave for review (faint, erased, double marks)."""

    cells: dict[str, list[str]] = field(default_factory=dict)
    may_flag: set[tuple[str, int]] = field(default_factory=set)
    must_flag: set[tuple[str, int]] = field(default_factory=set)

    def write_csv(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            width = max(len(c) for c in self.cells.values())
            writer.writerow(["id"] + [f"q{i}" for i in range(1, width + 1)])
            for student, cells in self.cells.items():
                writer.writerow([student, *cells])


@dataclass
class Marking:
    """How students mark: the styles of clear marks, and how often the harder cases come."""

    styles: tuple[str, ...] = CLEAR_STYLES
    blank: float = 0.1  # a question (or statement) left blank
    faint: float = 0.0  # a faint mark instead of a clear one
    erased: float = 0.0  # an erased mark beside the clear one
    double: float = 0.0  # two options marked
    stray: float = 0.0  # a doodle on the sheet


def mark_papers(
    manifest: dict[str, Any], pdf_pages: dict[str, list[np.ndarray]], dpi: int, marking: Marking, rng
) -> Truth:
    """Mark every paper's answer sheet in `pdf_pages` (student -> rendered pages, changed in
    place) and return the truth."""
    geometry = manifest["scan"]
    radius = geometry["bubble_radius"]
    truth = Truth()
    for paper in manifest["papers"]:
        student = paper["student"]["id"]
        pages = pdf_pages[student]
        sheet_start = _sheet_start(paper, len(pages))
        cells = [""] * len(paper["questions"])
        by_question: dict[int, list[dict]] = {}
        for row in paper["sheet"]:
            by_question.setdefault(row["question"], []).append(row)

        def bubble(row: dict, value: str, style: str, pages=pages, start=sheet_start) -> None:
            x, y = next((x, y) for x, y, v in row["bubbles"] if v == value)
            draw_mark(pages[page_index(row["page"], start)], x, y, style, dpi, radius, rng)

        for question, rows in by_question.items():
            kind = rows[0]["kind"]
            if kind == "choice":
                letters = [v for _, _, v in rows[0]["bubbles"]]
                if rng.random() < marking.blank:
                    continue
                chosen = str(rng.choice(letters))
                if rng.random() < marking.faint:
                    bubble(rows[0], chosen, "faint")
                    truth.may_flag.add((student, question))
                    cells[question - 1] = chosen  # if the scanner reads it at all, it must read this
                    continue
                bubble(rows[0], chosen, str(rng.choice(marking.styles)))
                cells[question - 1] = chosen
                others = [v for v in letters if v != chosen]
                if rng.random() < marking.erased:
                    bubble(rows[0], str(rng.choice(others)), "erased")
                    truth.may_flag.add((student, question))
                elif rng.random() < marking.double:
                    bubble(rows[0], str(rng.choice(others)), str(rng.choice(marking.styles)))
                    truth.must_flag.add((student, question))
                    cells[question - 1] = "?"
            elif kind == "tf":
                answer = []
                for row in rows:
                    for statement in sorted({v[:-1] for _, _, v in row["bubbles"]}, key=int):
                        if rng.random() < marking.blank:
                            answer.append("_")
                            continue
                        letter = "T" if rng.random() < 0.5 else "F"
                        bubble(row, statement + letter, str(rng.choice(marking.styles)))
                        answer.append(letter)
                cells[question - 1] = "" if set(answer) <= {"_"} else "".join(answer)
            else:  # score rows: a grader marks one box per part
                parts: dict[int, list[tuple[dict, str]]] = {}
                for row in rows:
                    parts.setdefault(row["item"], []).extend((row, v) for _, _, v in row["bubbles"])
                given = []
                for boxes in parts.values():
                    row, value = boxes[int(rng.integers(len(boxes)))]
                    bubble(row, value, str(rng.choice(("fill", "cross", "tick"))))
                    given.append(value)
                cells[question - 1] = "; ".join(f"[{v}]" for v in given) if rows[0]["item"] else given[0]
        if rng.random() < marking.stray and sheet_start is not None:
            stray_mark(pages[sheet_start], dpi, rng)
        truth.cells[student] = cells
    return truth


def _sheet_start(paper: dict, page_count: int) -> int | None:
    """A separate answer sheet's first page (0-based): the sheet and its blank back, if any,
    end the paper. None when the answers are on the question pages."""
    labels = [row["page"] for row in paper["sheet"] if row["page"].startswith("S")]
    if not labels:
        return None
    sheet_pages = max(int(label[1:]) for label in labels)
    return page_count - sheet_pages - (sheet_pages % 2)


def page_index(label: str, sheet_start: int | None) -> int:
    """The 0-based page of a paper that a page code's label names."""
    if label.startswith("S"):
        assert sheet_start is not None
        return sheet_start + int(label[1:]) - 1
    return int(label) - 1


def equal_value(cell: str, truth: str) -> bool:
    """Same response, with score values compared as numbers ([1/2] and [0.5] alike)."""
    if cell == truth:
        return True
    try:
        a = [Fraction(c.strip().strip("[]")) for c in cell.split(";")]
        b = [Fraction(c.strip().strip("[]")) for c in truth.split(";")]
    except ValueError:
        return False
    return a == b


def write_scans(pages: list[np.ndarray], folder: Path, stem: str, as_pdf_every: int = 0) -> list[Path]:
    """Pages as PNG files (several pages per TIFF/PDF are tested elsewhere)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, page in enumerate(pages):
        path = folder / f"{stem}-{index:04d}.png"
        cv2.imwrite(str(path), page)
        paths.append(path)
    return paths
