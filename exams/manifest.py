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

from answer_engine.errors import InputError
from answer_engine.formatting import plain
from exams.assemble import (
    LETTERS,
    Paper,
    QuestionInstance,
    correct_letter,
    ordered_options,
)
from exams.inputs import read_text
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
    record: dict[str, Any] = {
        "slot": instance.spec.slot,
        "number": instance.number,
        "family": variant.family.id,
        "format": instance.spec.format,
        "points": plain(instance.spec.points),
        "seed": instance.seed,
        "params": variant.family.dump(variant.params),
    }
    if instance.option_order:
        record["option_order"] = list(instance.option_order)
    record.update(question_record_from(variant, record))
    return record


def build_manifest(spec: ExamSpec, exam_seed: int, papers: list[Paper]) -> dict[str, Any]:
    return {
        "manifest_version": FORMAT_VERSION,
        "versions": versions(),
        "spec": {"path": spec.path, "sha256": spec.sha256, "title": spec.title, "course": spec.course},
        "seed": exam_seed,
        "slots": [q.slot for q in spec.questions],
        "papers": [
            {
                "student": {"id": p.student.id, "name": p.student.name, **dict(p.student.fields)} if p.student else None,
                "questions": [question_record(q) for q in p.questions],
            }
            for p in papers
        ],
    }


def load_manifest(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        manifest = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise InputError(f"not a variantex manifest (JSON error: {error.msg})", f"{path}:{error.lineno}") from None
    if not isinstance(manifest, dict) or "papers" not in manifest or "manifest_version" not in manifest:
        raise InputError("not a variantex manifest (no papers)", str(path))
    return manifest


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def recompute(manifest: dict[str, Any]) -> list[str]:
    """Re-derive every answer and option from the stored params alone (no RNG).

    Returns one line per difference; an empty list means every stored key is reproduced.
    """
    from generators import family as family_by_id
    from generators.variant import variant_from_data

    problems = []
    for paper in manifest["papers"]:
        owner = (paper.get("student") or {}).get("id") or "practice"
        for record in paper["questions"]:
            where = f"{owner} question {record['number']} ({record['family']})"
            try:
                variant = variant_from_data(family_by_id(record["family"]), record["params"], record["format"])
                fresh = question_record_from(variant, record)
            except InputError as error:
                problems.append(f"{where}: the stored params are not valid: {error}")
                continue
            except (IndexError, TypeError) as error:
                problems.append(f"{where}: the stored option order is damaged ({error})")
                continue
            for name in ("answers", "options", "correct", "branch"):
                if fresh.get(name) != record.get(name):
                    problems.append(f"{where}: stored {name} {record.get(name)!r} but the params give {fresh.get(name)!r}")
    return problems


def question_record_from(variant, record: dict[str, Any]) -> dict[str, Any]:
    fresh: dict[str, Any] = {
        "branch": variant.branch,
        "answers": {name: plain(value) for name, value in variant.solution.values.items()},
    }
    if record["format"] == "mcq":
        printed = ordered_options(variant, record.get("option_order") or ())
        fresh["options"] = [
            {"letter": LETTERS[i], "printed": str(o.printed), "mistake": o.mistake.name if o.mistake else None}
            for i, o in enumerate(printed)
        ]
        fresh["correct"] = correct_letter(printed)
    return fresh
