"""The JSON exporter: the exam view itself, for other tools (schema: docs/question-view.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from variantex.exams.view import ExamView


class JsonExporter:
    name = "json"

    def write(self, exam: ExamView, folder: Path, report: Callable[[str], None]) -> list[Path]:
        path = folder / "exam.json"
        path.write_text(json.dumps(exam.as_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return [path]
