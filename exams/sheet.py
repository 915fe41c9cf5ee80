"""The machine-readable answer sheet: where every bubble is, laid out here rather than by TeX.

A scannable roster build gives each paper an answer sheet at its end: one row per
multiple-choice question (a bubble per letter), true/false statements four to a row (a T and
an F bubble each), and for numeric parts and open questions a row of score boxes that a
grader fills after marking (0, ½, 1, … up to the points the part is worth). Every position
is computed here, in millimetres from the page's top-left corner, before TeX runs; TeX
places the sheet's drawing at exactly these points (`tex_pages`), and the manifest records
them (`sheet_rows`), so the scanner reads bubbles where they were printed and never looks
for them in the picture.

Every page of a scannable paper also carries four registration marks and a QR code naming
the exam, the student and the page (stamped onto the PDF after TeX: exams/stamp.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from variantex.answer_engine.formatting import Latex, escape

LAYOUT_VERSION = 1
NAME_MM = 120  # the widest a name line may print on a sheet (left of the page code)
MARK_MM = 5.0  # side of a registration mark (a filled square)
MARK_INSET = 12.0  # a mark's centre from the page's edges
BUBBLE_RADIUS = 2.2
ROW_PITCH = 8.0
FIRST_ROW = (64.0, 40.0)  # the first row's y on the sheet's first page, and on a continuation page


@dataclass(frozen=True)
class PaperSize:
    """A paper size and what sits near its bottom edge: everything else is placed from the
    top-left corner and fits both sizes (RIGHT_X < 210 mm)."""

    name: str  # as the spec and LaTeX's geometry name it: a4, letter
    page: tuple[float, float]  # width, height in mm

    @property
    def marks(self) -> tuple[tuple[float, float], ...]:
        """The registration marks' centres: top-left, top-right, bottom-right, bottom-left."""
        width, height = self.page
        right, bottom = width - MARK_INSET, height - MARK_INSET
        return ((MARK_INSET, MARK_INSET), (right, MARK_INSET), (right, bottom), (MARK_INSET, bottom))

    @property
    def code(self) -> tuple[float, float, float]:
        """The page code: left, top, side (in the bottom margin, clear of the footer text)."""
        return (22.0, self.page[1] - 19.0, 15.0)

    @property
    def last_row(self) -> float:
        return self.page[1] - 31.0


PAPERS = {"a4": PaperSize("a4", (210.0, 297.0)), "letter": PaperSize("letter", (215.9, 279.4))}
A4 = PAPERS["a4"]
LABEL_X = 22.0  # the question label's left edge
BUBBLES_X = 54.0  # the first bubble's centre
RIGHT_X = 186.0  # no bubble centre beyond this
CELL = 10.0  # bubble pitch in a row of letters
SCORE_CELL = 11.0  # and of scores (their labels, like 1½, are wider)
STATEMENT = 35.0  # width of one true/false statement's group (number, T bubble, F bubble)
MAX_SCORES = 12  # score boxes in one row

PAYLOAD_PREFIX = "VX1"


def page_payload(exam_id: str, label: str, student_id: str) -> str:
    """What a page's QR code holds: the exam, the page (`3` for the paper's third page, `S1`
    for its answer sheet's first) and the student; no answers. The id goes last, so any
    character it has cannot shift the other fields."""
    return f"{PAYLOAD_PREFIX}|{exam_id}|{label}|{student_id}"


def read_payload(text: str) -> tuple[str, str, str] | None:
    """(exam id, page label, student id) from a QR code's text, or None if it is not ours."""
    parts = text.split("|", 3)
    if len(parts) != 4 or parts[0] != PAYLOAD_PREFIX or not parts[1] or not parts[2] or not parts[3]:
        return None
    return parts[1], parts[2], parts[3]


def exam_identity(spec_sha256: str, roster_sha256: str | None, seed: int) -> str:
    """A short name for one exam: the same spec, roster and seed (hence the same papers) give
    the same id, and anything else another one, so a page from another exam is told apart."""
    text = f"{spec_sha256}:{roster_sha256 or ''}:{seed}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# --- what a paper asks for, and its rows --------------------------------------------------


@dataclass(frozen=True)
class Ask:
    """What one printed question needs on the sheet, read from a view or a manifest record."""

    number: int
    format: str
    letters: tuple[str, ...] = ()  # mcq
    statements: int = 0  # tf
    parts: tuple[str, ...] = ()  # numeric part labels (plain text), graded by hand
    points: Fraction = Fraction(1)


@dataclass(frozen=True)
class Bubble:
    x: float  # its centre, in mm from the page's top-left corner
    y: float
    value: str  # an option letter, "3T"/"3F" (statement 3), or points as an exact fraction ("3/2")


@dataclass(frozen=True)
class Row:
    """One row of bubbles; a question may take several (true/false statements, long score rows)."""

    question: int
    kind: str  # "choice" (one letter), "tf" (per statement), "score" (points a grader gives)
    item: int  # tf: the first statement in this row (1-based); score: the numeric part (0 = whole question)
    page: str  # the label its page's code carries: "S1" (answer sheet page 1) or "3" (the paper's page 3)
    bubbles: tuple[Bubble, ...]
    label: str  # printed left of the row

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "kind": self.kind,
            "item": self.item,
            "page": self.page,
            "bubbles": [[b.x, b.y, b.value] for b in self.bubbles],
            "label": self.label,
        }


def score_values(points: Fraction) -> list[Fraction]:
    """The score boxes for a part worth `points`: half points when that makes few enough
    boxes, else whole points (or coarser), always ending with the full points."""
    for step in (Fraction(1, 2), Fraction(1), Fraction(2), Fraction(5), Fraction(10)):
        values = [step * k for k in range(int(points / step) + 1)]
        if values[-1] != points:
            values.append(points)
        if len(values) <= 2 * MAX_SCORES or step == 10:
            return values
    raise AssertionError("unreachable")


def fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _row_groups(ask: Ask) -> list[tuple[str, int, str, list[tuple[float, str]]]]:
    """(kind, item, label, bubbles) for each row the question needs, bubbles at x offsets."""
    label = f"Q{ask.number}"
    if ask.format == "mcq":
        return [("choice", 0, label, [(BUBBLES_X + CELL * i, letter) for i, letter in enumerate(ask.letters)])]
    if ask.format == "tf":
        rows = []
        per_row = int((RIGHT_X - BUBBLES_X) // STATEMENT) + 1
        for first in range(1, ask.statements + 1, per_row):
            bubbles = []
            for k, statement in enumerate(range(first, min(first + per_row, ask.statements + 1))):
                left = BUBBLES_X + STATEMENT * k
                bubbles += [(left + 5.0, f"{statement}T"), (left + 15.0, f"{statement}F")]
            rows.append(("tf", first, label, bubbles))
        return rows
    rows = []
    for item, name, values in score_rows(ask):
        for start in range(0, len(values), MAX_SCORES):
            chunk = values[start : start + MAX_SCORES]
            rows.append(("score", item, name, [(BUBBLES_X + SCORE_CELL * i, v) for i, v in enumerate(chunk)]))
    return rows


def score_rows(ask: Ask) -> list[tuple[int, str, list[str]]]:
    """(part, label, score values) for a numeric or open question: one row per numeric part
    (each worth an equal share) or one for the whole open question (part 0)."""
    label = f"Q{ask.number}"
    if ask.format == "numeric":
        shares = [
            (index, f"{label}.{index}" if len(ask.parts) > 1 else label, ask.points / len(ask.parts))
            for index in range(1, len(ask.parts) + 1)
        ]
    else:
        shares = [(0, label, ask.points)]
    return [(item, name, [fraction_text(v) for v in score_values(share)]) for item, name, share in shares]


def sheet_rows(asks: Sequence[Ask], paper: PaperSize = A4) -> list[Row]:
    """Every row of one paper's answer sheet, paged: the first page leaves room for the
    header, a question's rows stay on one page."""
    rows: list[Row] = []
    page, y = 1, FIRST_ROW[0]
    for ask in asks:
        groups = _row_groups(ask)
        if y + ROW_PITCH * (len(groups) - 1) > paper.last_row:
            page, y = page + 1, FIRST_ROW[1]
        for kind, item, label, bubbles in groups:
            rows.append(Row(ask.number, kind, item, f"S{page}", tuple(Bubble(x, y, v) for x, v in bubbles), label))
            y += ROW_PITCH
    return rows


def sheet_page(row: Row) -> int:
    """The answer-sheet page (1-based) of a row of a separate sheet."""
    return int(row.page[1:])


def sheet_pages(rows: Sequence[Row]) -> int:
    return max((sheet_page(row) for row in rows), default=1)


# --- from a view (TeX) and from a manifest record (scanner, verify) ------------------------


def ask_from_view(view: Any) -> Ask:
    points = Fraction(int(view.points.p), int(view.points.q))
    return Ask(
        number=view.number,
        format=view.format,
        letters=tuple(o.letter for o in view.options),
        statements=len(view.statements),
        parts=tuple(part.name for part in view.asked) if view.format == "numeric" else (),
        points=points,
    )


def ask_from_instance(instance: Any) -> Ask:
    from variantex.exams.assemble import LETTERS

    fmt = instance.spec.format
    params = instance.variant.params
    family = instance.family
    points = Fraction(int(instance.spec.points.p), int(instance.spec.points.q))
    return Ask(
        number=instance.number,
        format=fmt,
        letters=tuple(LETTERS[: len(instance.printed_options)]) if fmt == "mcq" else (),
        statements=len(family.statements(params)) if fmt == "tf" else 0,
        parts=tuple(family.numeric_parts(params)) if fmt == "numeric" else (),
        points=points,
    )


# --- the sheet in TeX ------------------------------------------------------------------------


def _put(x: float, y: float, content: str) -> str:
    return f"\\put({x:.2f},{-y:.2f}){{{content}}}"


def _bubble(x: float, y: float) -> str:
    return _put(x, y, "\\vxbubble")  # defined once per document (templates/exam.tex.j2)


def score_text(value: str) -> str:
    if "/" not in value:
        return value
    numerator, denominator = (int(n) for n in value.split("/"))
    whole, part = divmod(numerator, denominator)
    fraction = f"\\tfrac{{{part}}}{{{denominator}}}"
    return f"${whole if whole else ''}{fraction}$"


def tex_pages(rows: Sequence[Row], title: str, student: Latex) -> list[Latex]:
    """The drawing of each sheet page, for `\\AddToHookNext{shipout/foreground}` (a picture
    whose origin is the page's top-left corner, y upward, in the unit the caller sets: mm).
    `title` is user text, escaped here; `student` (name and id) is LaTeX already."""
    pages: list[list[str]] = [[] for _ in range(sheet_pages(rows))]
    for number, drawing in enumerate(pages, start=1):
        top = 28.0
        if number == 1:
            drawing.append(_put(LABEL_X, top, f"\\makebox(0,0)[l]{{\\Large\\bfseries Answer sheet: {escape(title)}}}"))
            drawing.append(_put(LABEL_X, top + 9, f"\\makebox(0,0)[l]{{\\vxfit{{{NAME_MM}mm}}{{\\large {student}}}}}"))
            lines = (
                "Fill the circle of your answer completely, with a dark pen or pencil. Only this sheet is read.",
                "To change an answer, erase it completely. Do not write anywhere near the corner squares or the code.",
                "Score rows (Q… points) are filled in by the grader.",
            )
            for k, line in enumerate(lines):
                drawing.append(_put(LABEL_X, top + 17 + 5 * k, f"\\makebox(0,0)[l]{{\\small {line}}}"))
        else:
            drawing.append(
                _put(
                    LABEL_X,
                    top,
                    f"\\makebox(0,0)[l]{{\\vxfit{{{NAME_MM}mm}}{{\\bfseries Answer sheet (page {number}): {student}}}}}",
                )
            )
    for row in rows:
        drawing = pages[sheet_page(row) - 1]
        label = escape(row.label) + (" points" if row.kind == "score" else "")
        y = row.bubbles[0].y
        drawing.append(_put(LABEL_X, y, f"\\makebox(0,0)[l]{{\\bfseries\\small {label}}}"))
        for bubble in row.bubbles:
            if row.kind == "tf":
                statement, letter = bubble.value[:-1], bubble.value[-1]
                if letter == "T":
                    drawing.append(_put(bubble.x - 9.5, y, f"\\makebox(0,0)[r]{{\\small {statement}.}}"))
                text = letter
            else:
                text = score_text(bubble.value) if row.kind == "score" else bubble.value
            drawing.append(_put(bubble.x - BUBBLE_RADIUS - 0.8, y, f"\\makebox(0,0)[r]{{\\small {text}}}"))
            drawing.append(_bubble(bubble.x, y))
    return [Latex("\n".join(drawing)) for drawing in pages]


# --- answers on the question pages: positions TeX reports ----------------------------------

SEPARATE, ON_PAGES, NONE = "separate", "on-pages", "none"
ANSWER_SHEETS = (SEPARATE, ON_PAGES, NONE)
_PT_TO_MM = 25.4 / 72.27 / 65536  # TeX's scaled points
# \vxhere (templates/exam.tex.j2) saves its position, then draws the bubble this far right of
# and above it: the bubble's centre is the saved point plus these.
HERE_DX, HERE_DY = BUBBLE_RADIUS, 0.8


def bubble_token(kind: str, value: str, item: int = 0) -> str:
    """What the template writes beside a bubble on a question page (read back by `rows_from_log`)."""
    return f"{kind}:{item}:{value}"


def rows_from_log(bubbles: Sequence[tuple[int, int, str, int, int]], paper: PaperSize = A4) -> list[Row]:
    """One paper's rows from the bubbles TeX logged on its question pages: (page of the paper,
    question, token, x, y), x and y in scaled points from the page's bottom-left corner at the
    bubble's centre."""
    grouped: dict[tuple[int, str, int, int], list[Bubble]] = {}
    for page, question, token, x, y in bubbles:
        kind, part, value = token.split(":", 2)
        key = (question, kind, int(part), page)
        bubble = Bubble(round(x * _PT_TO_MM + HERE_DX, 2), round(paper.page[1] - y * _PT_TO_MM - HERE_DY, 2), value)
        grouped.setdefault(key, []).append(bubble)
    rows = []
    for (question, kind, number, page), found in sorted(grouped.items()):
        label = f"Q{question}" + (f" statement {number}" if kind == "tf" else f".{number}" if number else "")
        rows.append(Row(question, kind, number, str(page), tuple(found), label))
    return rows
