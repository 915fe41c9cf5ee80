"""The JSON exporter: the exam view itself, for other tools (schema: docs/question-view.md).

exam.json is written as the build's chunks arrive: the exam's fields, then one paper per
line (JSON's own C encoder writes a line; an indented document needs the pure-Python one,
which took a third of a 2,000-student build), so a roster of any size streams through.
"""

from __future__ import annotations

import json
from pathlib import Path

from variantex.exams.view import ExamView, paper_json


def paper_lines(view: ExamView) -> list[str]:
    """Each paper of a chunk as its line of exam.json (made in the worker that drew it)."""
    return [json.dumps(paper_json(p), ensure_ascii=False) for p in view.papers]


class JsonStream:
    """exam.json: the exam's fields at once, each chunk's paper lines in order (`add`), the
    closing brackets (`close`)."""

    def __init__(self, folder: Path, head: dict):
        self.path = folder / "exam.json"
        self.handle = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 (closed by close or abort)
        opening = json.dumps({**head, "papers": []}, indent=1, ensure_ascii=False)
        self.handle.write(opening[: opening.rindex("[]")] + "[")
        self.first = True

    def add(self, lines: list[str]) -> None:
        for line in lines:
            self.handle.write(("\n" if self.first else ",\n") + "  " + line)
            self.first = False

    def close(self) -> list[Path]:
        self.handle.write("\n ]\n}\n")
        self.handle.close()
        return [self.path]

    def abort(self) -> None:
        self.handle.close()
