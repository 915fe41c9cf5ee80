"""Writing CSV files that spreadsheets open safely.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`). Following
OWASP's rule, such a cell is written with a leading apostrophe (`'=HYPERLINK(…)`), which
spreadsheets show as text; to recover the original, drop one leading apostrophe from a cell
that has one followed by one of those characters. Plain numbers (`-3`, `-1/8`, `-0.25`)
cannot run anything and are written as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?(/\d+)?$")


def safe_cell(value: object) -> str:
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def write_rows(path: Path, rows: Iterable[Sequence[object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(safe_rows(rows))


def safe_rows(rows: Iterable[Sequence[object]]) -> Iterator[list[str]]:
    """Rows with every cell made safe (`safe_cell`), for a CSV written a few rows at a time."""
    return ([safe_cell(cell) for cell in row] for row in rows)
