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
from collections.abc import Iterable, Sequence
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
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
