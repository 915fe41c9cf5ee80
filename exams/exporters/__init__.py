"""Exporters: each turns an `ExamView` (exams/view.py) into one kind of output.

An exporter has a `name` and `write(exam, folder, report)`, writing its files into the
build's staging folder (moved into place only when every exporter succeeded). A new
output (HTML, an LMS format) is a new module here and one entry in `EXPORTERS`; no
family changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from variantex.exams.view import ExamView


class Exporter(Protocol):
    name: str

    def write(self, exam: ExamView, folder: Path, report: Callable[[str], None]) -> list[Path]:
        """Write this output's files into `folder`; return them."""


def exporter(name: str, **settings) -> Exporter:
    from variantex.exams.exporters.json import JsonExporter
    from variantex.exams.exporters.latex import LatexExporter

    found = {"latex": LatexExporter, "json": JsonExporter}
    return found[name](**settings)
