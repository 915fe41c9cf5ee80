"""The build manifest: everything needed to recompute every key without the RNG.

It records the versions, the spec's hash, the exam seed and, per paper and question, the
derived seed, the family, format, branch, the exact params, the answers and the options in
printed order. Answers and options are stored as exact values (answer_engine.exact's JSON
form), never as printed text, so changing how a value prints changes no manifest and
breaks no `verify`. `recompute` re-derives every answer from the stored params alone and
compares values.

Version 2 (this one) stores values; version 1 stored printed LaTeX and is refused with a
one-line message.
"""

from __future__ import annotations

import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from answer_engine.errors import InputError
from answer_engine.exact import dump_value, exact_equal, load_value
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

FORMAT_VERSION = 2
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


def build_manifest(spec: ExamSpec, exam_seed: int, papers: list[Paper], out: Path | None = None) -> dict[str, Any]:
    # The spec's path relative to the output folder: the manifest does not depend on where
    # the build ran, and a folder moved together with its spec still finds it.
    path = os.path.relpath(Path(spec.path).resolve(), out.resolve()) if out else spec.path
    return {
        "manifest_version": FORMAT_VERSION,
        "versions": versions(),
        "spec": {"path": path, "sha256": spec.sha256, "title": spec.title, "course": spec.course},
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
    version = manifest["manifest_version"]
    if version != FORMAT_VERSION:
        if isinstance(version, int) and 0 < version < FORMAT_VERSION:
            raise InputError(f"manifest version {version} was written by an older variantex (this one reads "
                             f"version {FORMAT_VERSION}); rebuild the exam with the same spec, roster and seed "
                             "to get an identical exam with a current manifest", f"{path}: manifest_version")
        raise InputError(f"unknown manifest version {version!r} (this variantex reads version {FORMAT_VERSION})",
                         f"{path}: manifest_version")
    return manifest


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def recompute(manifest: dict[str, Any]) -> list[str]:
    """Re-derive every answer and option from the stored params alone (no RNG).

    Values are compared as values (3/6 and 1/2 are the same answer). Returns one line per
    difference; an empty list means every stored key is reproduced.
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
                if not same_values(name, record.get(name), fresh.get(name)):
                    problems.append(f"{where}: stored {name} {record.get(name)!r} but the params give {fresh.get(name)!r}")
    return problems


def same_values(field: str, stored: Any, fresh: Any) -> bool:
    """A stored record field agrees with the recomputed one; exact values compare as values."""
    if fresh is None:
        return stored is None
    if field == "answers":
        return (isinstance(stored, dict) and stored.keys() == fresh.keys()
                and all(_same_value(stored[name], fresh[name]) for name in fresh))
    if field == "options":
        return (isinstance(stored, list) and len(stored) == len(fresh) and all(
            isinstance(old, dict) and old.get("letter") == new["letter"] and old.get("mistake") == new["mistake"]
            and isinstance(old.get("values"), list) and len(old["values"]) == len(new["values"])
            and all(_same_value(a, b) for a, b in zip(old["values"], new["values"]))
            for old, new in zip(stored, fresh)))
    return stored == fresh


def _same_value(stored: Any, fresh: Any) -> bool:
    try:
        return exact_equal(load_value(stored), load_value(fresh))
    except (InputError, TypeError):
        return False


def question_record_from(variant, record: dict[str, Any]) -> dict[str, Any]:
    fresh: dict[str, Any] = {
        "branch": variant.branch,
        "answers": {name: dump_value(value) for name, value in variant.solution.values.items()},
    }
    if record["format"] == "mcq":
        printed = ordered_options(variant, record.get("option_order") or ())
        fresh["options"] = [
            {"letter": LETTERS[i], "values": [dump_value(v) for v in o.values],
             "mistake": o.mistake.name if o.mistake else None}
            for i, o in enumerate(printed)
        ]
        fresh["correct"] = correct_letter(printed)
    return fresh
