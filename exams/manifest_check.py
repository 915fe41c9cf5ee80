"""The shape of a build manifest, checked field by field before anything reads it.

A manifest that was cut, hand-edited or made by another program gets one line naming the
first field that is missing or of the wrong type (`papers[3].questions[2].family:
missing`), never a traceback; unknown families and formats are refused here too.
"""

from __future__ import annotations

from typing import Any

from variantex.answer_engine.errors import InputError
from variantex.exams.spec import SCORINGS
from variantex.generators import family as family_by_id

_TEXT, _INT = str, int


class _Shape:
    def __init__(self, path: str):
        self.path = path

    def fail(self, where: str, message: str) -> InputError:
        return InputError(f"not a valid manifest: {message}", f"{self.path}: {where}")

    def field(self, data: Any, name: str, kind: type | tuple, where: str, optional: bool = False) -> Any:
        here = f"{where}.{name}" if where else name
        if not isinstance(data, dict):
            raise self.fail(where or "(top)", "expected an object")
        if name not in data:
            if optional:
                return None
            raise self.fail(here, "missing")
        value = data[name]
        if optional and value is None:
            return None
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(here, f"expected {_name(kind)}, got {value!r}")
        if not isinstance(value, kind):
            raise self.fail(here, f"expected {_name(kind)}, got {type(value).__name__}")
        return value


def _name(kind: type | tuple) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    words = {str: "text", int: "a whole number", list: "a list", dict: "an object", bool: "true/false"}
    return " or ".join(words.get(k, k.__name__) for k in kinds)


def check_shape(manifest: Any, path: str) -> None:
    shape = _Shape(path)
    if not isinstance(manifest, dict):
        raise shape.fail("(top)", "expected a JSON object")
    shape.field(manifest, "seed", _INT, "")
    spec = shape.field(manifest, "spec", dict, "")
    shape.field(spec, "path", _TEXT, "spec")
    shape.field(spec, "sha256", _TEXT, "spec")
    slots = shape.field(manifest, "slots", list, "")
    if not all(isinstance(s, str) for s in slots):
        raise shape.fail("slots", "expected a list of slot ids")
    papers = shape.field(manifest, "papers", list, "")
    if not papers:
        raise shape.fail("papers", "no papers")
    for p, paper in enumerate(papers):
        where = f"papers[{p}]"
        student = shape.field(paper, "student", dict, where, optional=True)
        if student is not None:
            shape.field(student, "id", _TEXT, f"{where}.student")
            shape.field(student, "name", _TEXT, f"{where}.student")
        questions = shape.field(paper, "questions", list, where)
        if len(questions) != len(slots):
            raise shape.fail(f"{where}.questions", f"{len(questions)} questions but {len(slots)} slots")
        for q, record in enumerate(questions):
            _check_question(shape, record, f"{where}.questions[{q}]")
        rows = shape.field(paper, "sheet", list, where, optional=True)
        for r, row in enumerate(rows or []):
            _check_row(shape, row, len(questions), f"{where}.sheet[{r}]")
    scan = shape.field(manifest, "scan", dict, "", optional=True)
    if scan is not None:
        _check_scan(shape, scan)


def _number_pair(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    )


def _check_scan(shape: _Shape, scan: dict) -> None:
    """The answer-sheet geometry `scan` reads pages with (exams/manifest.scan_record)."""
    shape.field(scan, "exam", _TEXT, "scan")
    shape.field(scan, "answers", _TEXT, "scan")
    for name, count in (("page", 2), ("code", 3)):
        value = shape.field(scan, name, list, "scan")
        if len(value) != count or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise shape.fail(f"scan.{name}", f"expected {count} numbers")
    marks = shape.field(scan, "marks", list, "scan")
    if len(marks) != 4 or not all(_number_pair(m) for m in marks):
        raise shape.fail("scan.marks", "expected four [x, y] points")
    shape.field(scan, "mark_size", (int, float), "scan")
    shape.field(scan, "bubble_radius", (int, float), "scan")


def _check_row(shape: _Shape, row: Any, questions: int, where: str) -> None:
    number = shape.field(row, "question", _INT, where)
    if not 1 <= number <= questions:
        raise shape.fail(f"{where}.question", f"no question {number} on this paper")
    shape.field(row, "kind", _TEXT, where)
    shape.field(row, "item", _INT, where)
    shape.field(row, "page", _TEXT, where)
    shape.field(row, "label", _TEXT, where)
    for b, bubble in enumerate(shape.field(row, "bubbles", list, where)):
        if not (
            isinstance(bubble, list) and len(bubble) == 3 and _number_pair(bubble[:2]) and isinstance(bubble[2], str)
        ):
            raise shape.fail(f"{where}.bubbles[{b}]", "expected [x, y, value]")


def _check_question(shape: _Shape, record: Any, where: str) -> None:
    family_id = shape.field(record, "family", _TEXT, where)
    try:
        family = family_by_id(family_id)
    except InputError as error:
        raise shape.fail(f"{where}.family", error.message) from None
    fmt = shape.field(record, "format", _TEXT, where)
    if fmt not in family.formats:
        raise shape.fail(f"{where}.format", f"{family.id} has no format {fmt!r}")
    shape.field(record, "slot", _TEXT, where)
    shape.field(record, "number", _INT, where)
    shape.field(record, "points", (_TEXT, _INT), where)
    shape.field(record, "params", dict, where)
    shape.field(record, "answers", dict, where)
    shape.field(record, "branch", _TEXT, where)
    seed = shape.field(record, "seed", dict, where, optional=True)
    if seed is not None:
        shape.field(seed, "entropy", _INT, f"{where}.seed")
        key = shape.field(seed, "spawn_key", list, f"{where}.seed")
        if not all(isinstance(k, int) and not isinstance(k, bool) for k in key):
            raise shape.fail(f"{where}.seed.spawn_key", "expected a list of whole numbers")
    order = shape.field(record, "option_order", list, where, optional=True)
    if order is not None and not all(isinstance(i, int) and not isinstance(i, bool) for i in order):
        raise shape.fail(f"{where}.option_order", "expected a list of whole numbers")
    arrangement = shape.field(record, "arrangement", _INT, where, optional=True)
    if arrangement is not None and arrangement < 0:
        raise shape.fail(f"{where}.arrangement", "expected a whole number ≥ 0")
    if fmt == "tf":
        scoring = shape.field(record, "scoring", _TEXT, where)
        if scoring not in SCORINGS:
            raise shape.fail(f"{where}.scoring", f"expected one of {', '.join(SCORINGS)}")
    if fmt == "mcq":
        shape.field(record, "correct", _TEXT, where)
        for i, option in enumerate(shape.field(record, "options", list, where)):
            shape.field(option, "letter", _TEXT, f"{where}.options[{i}]")
            shape.field(option, "values", list, f"{where}.options[{i}]")
            shape.field(option, "mistake", _TEXT, f"{where}.options[{i}]", optional=True)
