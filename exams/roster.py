"""Reading a class roster: a CSV file with at least the columns `id` and `name`.

Extra columns (email, section, …) are carried into the manifest. Every problem is a
one-line error naming the file and line: wrong encoding, missing columns, an empty or
repeated id, a row with too many fields, an empty roster.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from variantex.answer_engine.errors import InputError
from variantex.exams.assemble import Student
from variantex.exams.inputs import read_csv_rows

REQUIRED = ("id", "name")
MAX_ID = 64


def file_stem(student_id: str) -> str:
    """A file name for a student's PDFs: the id with anything unsafe replaced by '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", student_id).lstrip(".") or "_"


def read_roster(path: str | Path) -> list[Student]:
    path = Path(path)
    rows = read_csv_rows(path)
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise InputError("the roster is empty", str(path))
    lines = _first_lines(rows)
    for number, row in numbered:
        if any("\n" in cell or "\r" in cell for cell in row):
            raise InputError("a quoted field runs over several lines (an unclosed quote?)", f"{path}:{lines[number]}")
    header_line, header = numbered[0]
    columns = [cell.strip() for cell in header]
    lowered = [c.lower() for c in columns]
    if len(columns) == 1 and ";" in columns[0]:
        raise InputError(
            "the roster is separated by ';'; save it as comma-separated CSV (id,name,…)", f"{path}:{header_line}"
        )
    for name in REQUIRED:
        if name not in lowered:
            raise InputError(f"missing column {name!r} (columns: {', '.join(columns)})", f"{path}:{header_line}")
    if len(set(lowered)) != len(lowered):
        raise InputError("a column name is repeated", f"{path}:{header_line}")
    id_at, name_at = lowered.index("id"), lowered.index("name")
    students: list[Student] = []
    first_seen: dict[str, int] = {}
    stems: dict[str, str] = {}
    for number, row in numbered[1:]:
        where = f"{path}:{lines[number]}"
        if len(row) > len(columns):
            raise InputError(f"{len(row)} fields but the header has {len(columns)}", where)
        cells = [cell.strip() for cell in row] + [""] * (len(columns) - len(row))
        student_id, name = cells[id_at], cells[name_at]
        if not student_id:
            raise InputError("empty id", where)
        if len(student_id) > MAX_ID:
            raise InputError(f"id longer than {MAX_ID} characters", where)
        hidden = next((c for c in student_id if unicodedata.category(c) in ("Cc", "Cf")), None)
        if hidden is not None:
            # zero-width joiners, bidi overrides: two ids that look alike but differ
            raise InputError(f"id {student_id!r} holds the invisible character U+{ord(hidden):04X}", where)
        # é typed as one character or as e + combining accent is the same id to a person
        key = unicodedata.normalize("NFC", student_id)
        if key in first_seen:
            raise InputError(f"id {student_id!r} repeats line {first_seen[key]}", where)
        stem = file_stem(student_id)
        if stem in stems:
            raise InputError(f"id {student_id!r} and {stems[stem]!r} would share the file name {stem}.pdf", where)
        first_seen[key], stems[stem] = number, student_id
        extra = tuple((columns[i], cells[i]) for i in range(len(columns)) if i not in (id_at, name_at))
        students.append(Student(student_id, name, extra))
    if not students:
        raise InputError("the roster has a header but no students", str(path))
    return students


def _first_lines(rows: list[list[str]]) -> dict[int, int]:
    """Row number -> the file line it starts on (a quoted field may span lines)."""
    lines, line = {}, 1
    for number, row in enumerate(rows, start=1):
        lines[number] = line
        line += 1 + sum(cell.count("\n") for cell in row)
    return lines
