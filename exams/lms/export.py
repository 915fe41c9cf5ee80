"""`variantex export`: a spec's question bank as an LMS file, plus the bank manifest beside it.

Both files are written to temporary names and moved into place only when complete and
checked (schemas and semantic rules; the keys were verified twice while drawing). An
existing file is replaced only when variantex wrote it, or with `force`.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from variantex.answer_engine.errors import InputError, VerificationError
from variantex.answer_engine.formatting import plain
from variantex.exams.bank import Bank, bank_manifest, draw_bank
from variantex.exams.lms import canvas, check_canvas, check_moodle, check_qti21, moodle, qti21
from variantex.exams.lms.checks import manifest_beside
from variantex.exams.spec import ALL_OR_NOTHING, load_spec

MAX_VARIANTS = 10_000


@dataclass(frozen=True)
class Target:
    write: Callable[[Bank], str | bytes]
    marker: str
    suffix: str
    check: Callable
    # Moodle's Cloze and Canvas's drop-downs score each true/false statement on its own.
    all_or_nothing: bool = False


TARGETS = {
    "moodle": Target(moodle.export_moodle, moodle.MARKER, ".xml", check_moodle.check),
    "canvas": Target(canvas.export_canvas, canvas.MARKER, ".zip", check_canvas.check),
    "qti21": Target(qti21.export_qti21, qti21.MARKER, ".zip", check_qti21.check, all_or_nothing=True),
}


@dataclass
class ExportResult:
    file: Path
    manifest: Path
    questions: int
    warnings: tuple[str, ...] = ()


def default_name(spec: str | Path, target: str) -> str:
    return f"{Path(spec).stem}-{target}{TARGETS[target].suffix}"


def export(
    spec_path: str | Path, target: str, variants: int, out: str | Path, seed: int | None = None, force: bool = False
) -> ExportResult:
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r} (targets: {', '.join(TARGETS)})", "--to")
    if not 1 <= variants <= MAX_VARIANTS:
        raise InputError(f"must be between 1 and {MAX_VARIANTS}, not {variants}", "--variants")
    chosen = TARGETS[target]
    file = Path(out)
    manifest_file = manifest_beside(file)
    for existing, marker in ((file, chosen.marker), (manifest_file, '"schema": "variantex.bank"')):
        _refuse_foreign(existing, marker, force)
    if not file.parent.is_dir():
        raise InputError("no such folder", f"--out {file.parent}")
    spec = load_spec(spec_path)
    for question in spec.questions:
        if question.format == "tf" and question.scoring == ALL_OR_NOTHING and not chosen.all_or_nothing:
            raise InputError(
                f"{target} scores each true/false statement on its own, so it cannot import "
                "all-or-nothing scoring: use scoring: per-statement, or export to qti21",
                f"{spec_path}: question {question.slot}: scoring",
            )
    bank = draw_bank(spec, spec.seed if seed is None else seed, variants)
    repeated = repeated_variants(bank)
    if spec.unique_variants and repeated:
        raise InputError(
            f"unique_variants is on but {repeated[0]} (try another seed, branch: mixed, or fewer variants)",
            str(spec_path),
        )
    content = chosen.write(bank)
    data = content.encode("utf-8") if isinstance(content, str) else content
    _, problems = chosen.check(file.name, content if isinstance(content, str) else zipfile.ZipFile(io.BytesIO(data)))
    if problems:  # a writer bug, never the user's input: refuse to hand it over
        raise VerificationError(f"the export fails its own check: {problems[0]}")
    spec_record = os.path.relpath(Path(spec_path).resolve(), file.parent.resolve())
    manifest = bank_manifest(bank, spec_record, target)
    temporary = [
        file.with_name(f".{file.name}.tmp-{os.getpid()}"),
        manifest_file.with_name(f".{manifest_file.name}.tmp-{os.getpid()}"),
    ]
    try:
        temporary[0].write_bytes(data)
        temporary[1].write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temporary[0], file)
        os.replace(temporary[1], manifest_file)
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror}", f"--out {file}") from None
    finally:
        for path in temporary:
            path.unlink(missing_ok=True)
    notes = repeated + (scaled_marks(bank) if target == "moodle" else [])
    return ExportResult(file, manifest_file, sum(len(s.variants) for s in bank.slots), tuple(notes))


def repeated_variants(bank: Bank) -> list[str]:
    """Slots of the bank where two variants are the same question (as `build` warns per student)."""
    notes = []
    for slot in bank.slots:
        distinct = len({json.dumps(v.params, sort_keys=True) for v in slot.variants})
        if distinct < len(slot.variants):
            notes.append(
                f"question {slot.spec.slot} ({slot.spec.family.id}) has {distinct} distinct variants among "
                f"{len(slot.variants)}, so the bank repeats a question"
            )
    return notes


def scaled_marks(bank: Bank) -> list[str]:
    """Slots whose Moodle Cloze questions cannot carry the slot's points as whole weights,
    so they are out of a multiple of them (same proportions, hence the same share)."""
    notes = []
    for slot in bank.slots:
        marks = sorted({moodle.cloze_marks(v.view) for v in slot.variants if moodle.is_cloze(v.view)})
        points = slot.spec.points
        if marks and marks != [points]:
            notes.append(
                f"question {slot.spec.slot}: Moodle weighs Cloze parts in whole numbers, so its {plain(points)} "
                f"points are written as {' or '.join(map(str, marks))} marks in the same proportions; set its "
                f"maximum mark to {plain(points)} in the quiz"
            )
    return notes


def _refuse_foreign(path: Path, marker: str, force: bool) -> None:
    if not path.exists() or force:
        return
    if path.is_dir():
        raise InputError("is a folder; --out names the file to write", f"--out {path}")
    if marker not in _head(path):
        raise InputError("exists and was not written by variantex export (use --force to replace it)", str(path))


def _head(path: Path) -> str:
    """The start of a file, or of the manifest inside a zip: where variantex leaves its mark."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive, archive.open("imsmanifest.xml") as handle:
                return handle.read(4096).decode("utf-8", errors="replace")
        with open(path, "rb") as handle:
            return handle.read(4096).decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""
