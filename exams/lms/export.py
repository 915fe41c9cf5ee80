"""`variantex export`: a spec's question bank as an LMS file, plus the bank manifest beside it.

Both files are written to temporary names and moved into place only when complete and
checked (schema and semantic checks; keys were verified twice while drawing). An existing
file is replaced only when variantex wrote it, or with `force`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from answer_engine.errors import InputError, VerificationError
from exams.lms import moodle
from exams.lms.bank import bank_manifest, draw_bank
from exams.lms.checks import check_moodle, manifest_beside
from exams.spec import load_spec

TARGETS = {"moodle": (moodle.export_moodle, moodle.MARKER)}
MAX_VARIANTS = 10_000


@dataclass
class ExportResult:
    file: Path
    manifest: Path
    questions: int


def export(spec_path: str | Path, target: str, variants: int, out: str | Path, seed: int | None = None,
           force: bool = False) -> ExportResult:
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r} (targets: {', '.join(TARGETS)})", "--to")
    if not 1 <= variants <= MAX_VARIANTS:
        raise InputError(f"must be between 1 and {MAX_VARIANTS}, not {variants}", "--variants")
    file = Path(out)
    manifest_file = manifest_beside(file)
    writer, marker = TARGETS[target]
    for existing in (file, manifest_file):
        _refuse_foreign(existing, marker if existing == file else '"schema": "variantex.bank"', force)
    if not file.parent.is_dir():
        raise InputError("no such folder", f"--out {file.parent}")
    spec = load_spec(spec_path)
    bank = draw_bank(spec, spec.seed if seed is None else seed, variants)
    text = writer(bank)
    spec_record = os.path.relpath(Path(spec_path).resolve(), file.parent.resolve())
    manifest = bank_manifest(bank, spec_record, target)
    problems = check_moodle(file.name, text, None)
    if problems:  # a writer bug, never the user's input: refuse to hand it over
        raise VerificationError(f"the export fails its own check: {problems[0]}")
    temporary = [file.with_name(f".{file.name}.tmp-{os.getpid()}"),
                 manifest_file.with_name(f".{manifest_file.name}.tmp-{os.getpid()}")]
    try:
        temporary[0].write_text(text, encoding="utf-8")
        temporary[1].write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temporary[0], file)
        os.replace(temporary[1], manifest_file)
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror}", f"--out {file}") from None
    finally:
        for path in temporary:
            path.unlink(missing_ok=True)
    return ExportResult(file, manifest_file, sum(len(s.variants) for s in bank.slots))


def _refuse_foreign(path: Path, marker: str, force: bool) -> None:
    if not path.exists() or force:
        return
    if path.is_dir():
        raise InputError("is a folder; --out names the file to write", f"--out {path}")
    with open(path, "rb") as handle:
        head = handle.read(4096).decode("utf-8", errors="replace")
    if marker not in head:
        raise InputError("exists and was not written by variantex export (use --force to replace it)", str(path))
