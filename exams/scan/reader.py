"""One scanned page read: identified by its code, registered by its marks, its bubbles
measured and turned into the answer cells `grade` reads, or a problem for a person.

`read_page` runs in a worker process and returns only plain, picklable data (and PNG
crops of what the review must show), so pages are read in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from variantex.exams.scan import bubbles as fill
from variantex.exams.scan.pages import PageRef, TooLarge, load
from variantex.exams.scan.register import CANONICAL_PX_PER_MM, Unreadable, canonical, find_code, register

# Page outcomes.
READ, NO_CODE, OTHER_EXAM, UNKNOWN_STUDENT, UNREGISTERED, TOO_LARGE, BROKEN = (
    "read",
    "no variantex code found",
    "a page of another exam",
    "a student who is not in the manifest",
    "could not be registered",
    "too large",
    "could not be decoded",
)


@dataclass
class Cell:
    """What one question's bubbles on this page say: `response` in grade's format, or a
    `problem` (then response is what was read, for the reviewer's eyes only)."""

    question: int
    response: str
    problem: str = ""
    notes: list[str] = field(default_factory=list)  # read, but worth a look (an erasure)
    crop: bytes = b""  # PNG of the question's rows, when there is a problem or a note


@dataclass
class PageResult:
    ref: PageRef
    outcome: str
    detail: str = ""
    student: str = ""
    label: str = ""
    cells: list[Cell] = field(default_factory=list)
    thumbnail: bytes = b""  # PNG of the whole page, when it could not be read
    marks: list[list[tuple[str, float, str]]] = field(default_factory=list)  # every bubble (value, darkness, state)


# Set in each worker process by `start_worker` (the manifest's scan geometry and sheet rows).
_CONTEXT: dict[str, Any] = {}


def start_worker(context: dict[str, Any]) -> None:
    _CONTEXT.clear()
    _CONTEXT.update(context)
    cv2.setNumThreads(1)  # one page per process; OpenCV's own threads would only compete


def read_page(ref: PageRef) -> PageResult:
    geometry, sheets = _CONTEXT["geometry"], _CONTEXT["sheets"]
    try:
        image = load(ref)
    except TooLarge as error:
        return PageResult(ref, TOO_LARGE, str(error))
    except (ValueError, OSError) as error:
        return PageResult(ref, BROKEN, str(error))
    code = find_code(image)
    if code is None:
        return _unread(PageResult(ref, NO_CODE), "no readable page code (blank page, or not a variantex page?)", image)
    result = PageResult(ref, READ, student=code.student, label=code.label)
    if code.exam != geometry["exam"]:
        return _unread(result, f"its code names exam {code.exam}, this manifest {geometry['exam']}", image, OTHER_EXAM)
    if code.student not in sheets:
        return _unread(result, f"student {code.student!r}", image, UNKNOWN_STUDENT)
    rows = [row for row in sheets[code.student] if row["page"] == code.label]
    if not rows:  # a page without bubbles (a question page, a sheet's blank back): identified, nothing to read
        return result
    try:
        h = register(image, code, geometry)
        page = canonical(image, h, tuple(geometry["page"]))
        readings = fill.read_rows(page, rows, geometry)
    except (cv2.error, np.linalg.LinAlgError) as error:  # a degenerate registration (marks in a line)
        return _unread(result, f"the page could not be registered ({type(error).__name__})", image, UNREGISTERED)
    except (Unreadable, ValueError) as error:
        return _unread(result, str(error), image, UNREGISTERED)
    result.marks = [[(r.value, r.darkness, r.state) for r in row] for row in readings]
    by_question: dict[int, list[tuple[dict, list[fill.Reading]]]] = {}
    for row, read in zip(rows, readings):
        by_question.setdefault(row["question"], []).append((row, read))
    for question, parts in by_question.items():
        cell = question_cell(question, parts)
        if cell.problem or cell.notes:
            cell.crop = _crop(page, [row for row, _ in parts])
        result.cells.append(cell)
    return result


def _unread(result: PageResult, detail: str, image: np.ndarray, outcome: str = "") -> PageResult:
    """A page left to a person: why, and a picture of it for the review file."""
    result.outcome = outcome or result.outcome
    result.detail = detail
    result.thumbnail = _png(image, 700)
    return result


def question_cell(question: int, parts: list[tuple[dict, list[fill.Reading]]]) -> Cell:
    kind = parts[0][0]["kind"]
    readings = [r for _, read in parts for r in read]
    cell = Cell(question, "")
    cell.notes = [f"{r.value}: read as erased (darkness {r.darkness:.2f})" for r in readings if r.erased]
    unclear = [r for r in readings if r.state == fill.UNCLEAR]
    if unclear:
        cell.problem = "unclear mark: " + ", ".join(f"{r.value} (darkness {r.darkness:.2f})" for r in unclear)
    if kind == "choice":
        marked = [r.value for r in readings if r.state == fill.MARK]
        cell.response = "".join(marked)
        if len(marked) > 1 and not cell.problem:
            cell.problem = "several options marked: " + ", ".join(marked)
        return cell
    if kind == "tf":
        statements: dict[str, list[str]] = {}
        for r in readings:
            statements.setdefault(r.value[:-1], [])
            if r.state == fill.MARK:
                statements[r.value[:-1]].append(r.value[-1])
        both = [s for s, marks in statements.items() if len(marks) > 1]
        if both and not cell.problem:
            cell.problem = "both T and F marked for statement " + ", ".join(both)
        letters = [
            "".join(marks) if len(marks) == 1 else "_" for marks in statements.values()
        ]  # "-" would be CSV-escaped
        cell.response = "" if set(letters) == {"_"} else "".join(letters)
        return cell
    scores: dict[int, list[str]] = {}
    for row, read in parts:
        scores.setdefault(row["item"], []).extend(r.value for r in read if r.state == fill.MARK)
    values = []
    for item, marked in scores.items():
        part = f" part {item}" if item else ""
        if len(marked) != 1 and not cell.problem:
            cell.problem = f"{'no' if not marked else 'more than one'} score marked{part} (by the grader)"
        values.append(marked[0] if marked else "")
    cell.response = "; ".join(f"[{v}]" for v in values) if parts[0][0]["item"] else values[0]
    return cell


def _crop(page: np.ndarray, rows: list[dict]) -> bytes:
    ys = [y for row in rows for _, y, _ in row["bubbles"]]
    top = int((min(ys) - 5) * CANONICAL_PX_PER_MM)
    bottom = int((max(ys) + 5) * CANONICAL_PX_PER_MM)
    return _png(page[max(0, top) : bottom, int(18 * CANONICAL_PX_PER_MM) : int(192 * CANONICAL_PX_PER_MM)], 900)


def _png(image: np.ndarray, width: int) -> bytes:
    if image.shape[1] > width:
        height = int(image.shape[0] * width / image.shape[1])
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".png", image)
    return encoded.tobytes() if ok else b""
