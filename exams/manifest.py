"""The build manifest: everything needed to recompute every key without the RNG.

It records the versions, the spec's hash, the exam seed and, per paper and question, the
derived seed, the family, format, branch, the exact params, the answers and the printed
options. `recompute` re-derives every answer from the stored params alone.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from answer_engine.formatting import plain
from exams.assemble import Paper, QuestionInstance
from exams.render import LETTERS
from exams.spec import ExamSpec

FORMAT_VERSION = 1
_PACKAGES = ("variantex", "sympy", "numpy", "jinja2", "pylatex", "click", "PyYAML")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "unknown"
    return found


def question_record(instance: QuestionInstance) -> dict[str, Any]:
    variant = instance.variant
    family = variant.family
    record: dict[str, Any] = {
        "slot": instance.spec.slot,
        "number": instance.number,
        "family": family.id,
        "format": instance.spec.format,
        "points": plain(instance.spec.points),
        "branch": variant.branch,
        "seed": instance.seed,
        "params": family.dump(variant.params),
        "answers": {name: plain(value) for name, value in variant.solution.values.items()},
    }
    if instance.spec.format == "mcq":
        record["options"] = [
            {"letter": LETTERS[i], "printed": str(option.printed),
             "mistake": option.mistake.name if option.mistake else None}
            for i, option in enumerate(variant.options)
        ]
        record["correct"] = next(LETTERS[i] for i, o in enumerate(variant.options) if o.correct)
    return record


def build_manifest(spec: ExamSpec, exam_seed: int, papers: list[Paper]) -> dict[str, Any]:
    return {
        "manifest_version": FORMAT_VERSION,
        "versions": versions(),
        "spec": {"path": spec.path, "sha256": spec.sha256, "title": spec.title, "course": spec.course},
        "seed": exam_seed,
        "papers": [
            {
                "student": {"id": p.student.id, "name": p.student.name, **dict(p.student.fields)} if p.student else None,
                "questions": [question_record(q) for q in p.questions],
            }
            for p in papers
        ],
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
