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

import hashlib
import json
import os
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from variantex.answer_engine.errors import InputError
from variantex.answer_engine.exact import dump_value, exact_equal, load_value
from variantex.answer_engine.formatting import plain
from variantex.exams import seeds, sheet
from variantex.exams.assemble import (
    LETTERS,
    Paper,
    QuestionInstance,
    correct_letter,
    ordered_options,
)
from variantex.exams.inputs import read_json
from variantex.exams.manifest_check import check_shape
from variantex.exams.spec import ExamSpec

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
    if instance.arrangement is not None:
        record["arrangement"] = instance.arrangement
    if instance.spec.format == "tf":
        record["scoring"] = instance.spec.scoring
    record.update(question_record_from(variant, record))
    return record


def build_manifest(
    spec: ExamSpec,
    exam_seed: int,
    papers: list[Paper],
    out: Path | None = None,
    roster: Path | None = None,
    answers: str = sheet.NONE,
    placed: list[list[sheet.Row]] | None = None,
) -> dict[str, Any]:
    """The manifest of a build. `answers` (exams/sheet.py) adds what `scan` needs: a separate
    sheet's rows are laid out here; rows on the question pages are where TeX `placed` them."""
    manifest = manifest_head(spec, exam_seed, out, roster)
    manifest["papers"] = [
        paper_record(paper, answers, spec.paper, placed[index] if placed else []) for index, paper in enumerate(papers)
    ]
    manifest.update(manifest_scan(scan_identity(spec, exam_seed, roster), answers, spec.paper))
    return manifest


def manifest_head(
    spec: ExamSpec, exam_seed: int, out: Path | None = None, roster: Path | None = None
) -> dict[str, Any]:
    """The fields before the papers: versions, the spec's and roster's paths and hashes, the seed, the slots."""

    # Paths relative to the output folder: the manifest does not depend on where the build
    # ran, and a folder moved together with its spec and roster still finds them.
    def relative(path: str | Path) -> str:
        return os.path.relpath(Path(path).resolve(), out.resolve()) if out else str(path)

    return {
        "manifest_version": FORMAT_VERSION,
        "versions": versions(),
        "spec": {"path": relative(spec.path), "sha256": spec.sha256, "title": spec.title, "course": spec.course},
        "roster": {"path": relative(roster), "sha256": file_digest(roster)} if roster else None,
        "seed": exam_seed,
        "slots": [q.slot for q in spec.questions],
        **question_files_record(spec, relative),
    }


def paper_record(paper: Paper, answers: str, paper_size: str, placed: list[sheet.Row]) -> dict[str, Any]:
    """One paper's record: its student, its questions and, in a scannable build, its answer
    rows (a separate sheet's laid out here; rows on the question pages as TeX `placed` them)."""
    record: dict[str, Any] = {
        "student": {"id": paper.student.id, "name": paper.student.name, **dict(paper.student.fields)}
        if paper.student
        else None,
        "questions": [question_record(q) for q in paper.questions],
    }
    if answers == sheet.SEPARATE:
        rows = sheet.sheet_rows([sheet.ask_from_instance(q) for q in paper.questions], sheet.PAPERS[paper_size])
        record["sheet"] = [row.as_json() for row in rows]
    elif answers != sheet.NONE:
        record["sheet"] = [row.as_json() for row in placed]
    return record


def scan_identity(spec: ExamSpec, seed: int, roster: Path | None) -> str | None:
    """The exam id a scannable build prints in its page codes, or None when the spec turns
    answer sheets off."""
    if spec.answer_sheet == sheet.NONE:
        return None
    return sheet.exam_identity(spec.sha256, file_digest(roster) if roster else None, seed)


def manifest_scan(identity: str | None, answers: str, paper: str) -> dict[str, Any]:
    """The scanner's record (the fields after the papers), nothing when no answers are read."""
    if answers == sheet.NONE or identity is None:
        return {}
    return {"scan": scan_record(identity, answers, sheet.PAPERS[paper])}


def question_files_record(spec: ExamSpec, relative: Callable[[str], str]) -> dict[str, Any]:
    """The question files the spec uses, with their content hashes (nothing when none)."""
    from variantex.exams.question_files import FileFamily

    files = {q.family.id: q.family.source for q in spec.questions if isinstance(q.family, FileFamily)}
    if not files:
        return {}
    return {
        "question_files": [
            {"id": family_id, "path": relative(source.path), "sha256": source.sha256}
            for family_id, source in files.items()
        ]
    }


def scan_record(exam_id: str, answers: str, paper: sheet.PaperSize = sheet.A4) -> dict[str, Any]:
    """What the scanner needs beyond each paper's rows: the exam id its page codes carry, where
    the answers are, and the page geometry the papers were printed with (exams/sheet.py), in mm."""
    return {
        "exam": exam_id,
        "answers": answers,
        "layout": sheet.LAYOUT_VERSION,
        "page": list(paper.page),
        "marks": [list(m) for m in paper.marks],
        "mark_size": sheet.MARK_MM,
        "code": list(paper.code),
        "bubble_radius": sheet.BUBBLE_RADIUS,
    }


def file_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def content_digest(manifest: dict[str, Any]) -> str:
    """sha256 of the manifest's content in a canonical JSON form (the digest field left out)."""
    body = {key: value for key, value in manifest.items() if key != "digest"}
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


def load_manifest(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    manifest = read_json(path, "a variantex manifest")
    if not isinstance(manifest, dict) or "papers" not in manifest or "manifest_version" not in manifest:
        raise InputError("not a variantex manifest (no papers)", str(path))
    version = manifest["manifest_version"]
    if version != FORMAT_VERSION:
        if isinstance(version, int) and 0 < version < FORMAT_VERSION:
            raise InputError(
                f"manifest version {version} was written by an older variantex (this one reads "
                f"version {FORMAT_VERSION}); rebuild the exam with the same spec, roster and seed "
                "to get an identical exam with a current manifest",
                f"{path}: manifest_version",
            )
        raise InputError(
            f"unknown manifest version {version!r} (this variantex reads version {FORMAT_VERSION})",
            f"{path}: manifest_version",
        )
    register_question_files(manifest, path)
    check_shape(manifest, str(path))
    return manifest


def register_question_files(manifest: dict[str, Any], path: str | Path) -> None:
    """Load the question files the build used (their families are not built in), refusing
    one that is missing or changed since: its keys would not be the printed ones."""
    from variantex.exams.question_files import load as load_question_file

    records = manifest.get("question_files") or []
    if not isinstance(records, list):
        raise InputError("expected a list", f"{path}: question_files")
    folder = Path(path).resolve().parent
    for index, record in enumerate(records):
        where = f"{path}: question_files[{index}]"
        if not (
            isinstance(record, dict) and isinstance(record.get("path"), str) and isinstance(record.get("sha256"), str)
        ):
            raise InputError("expected id, path and sha256", where)
        file = folder / record["path"]
        if not file.is_file():
            raise InputError(f"the question file {file} this build used is missing", where)
        if file_digest(file) != record["sha256"]:
            raise InputError(
                f"the question file {file} changed after the build: its keys are no longer the printed ones "
                "(restore it, or build again)",
                where,
            )
        load_question_file(file)


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest sealed with its content digest (any later edit shows in `verify`)."""
    sealed = {**manifest, "digest": content_digest(manifest)}
    path.write_text(json.dumps(sealed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class ManifestStream:
    """A manifest written as its papers arrive, byte for byte what `write_manifest` writes
    for the whole: the fields before the papers at once, each paper's record as it comes
    (`add`), the fields after them and the digest at the end (`close`). The content digest
    is taken along the way: the canonical form sorts keys, and "papers" sorts after every
    field written first but "manifest_version", so the fields before it are hashed first,
    the papers as they come, the rest at the end. Memory holds one chunk of records, not the
    roster."""

    def __init__(self, path: Path, head: dict[str, Any]):
        self.head = head
        self.handle = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed by close or abort)
        opening = json.dumps({**head, "papers": []}, indent=2, ensure_ascii=False)
        self.handle.write(opening[: opening.rindex("[]")] + "[")
        self.digest = hashlib.sha256()
        before = {key: value for key, value in head.items() if key < "papers"}
        self.digest.update(_canonical(before)[:-1].encode("utf-8") + (b"," if before else b"") + b'"papers":[')
        self.papers = 0

    def add(self, records: list[tuple[str, str]]) -> None:
        """Papers' records as (`paper_texts`) gives them: indented text and canonical text."""
        for text, canonical in records:
            self.handle.write(("," if self.papers else "") + "\n" + text)
            self.digest.update((("," if self.papers else "") + canonical).encode("utf-8"))
            self.papers += 1

    def close(self, tail: dict[str, Any]) -> None:
        """Write the fields after the papers (`tail`: its keys all sort after "papers") and the digest."""
        if any(key < "papers" for key in tail):
            self.handle.close()
            raise ValueError(f"a manifest field written after the papers sorts before them: {sorted(tail)}")
        rest = {key: value for key, value in self.head.items() if key > "papers"} | tail
        self.digest.update(b"]" + (b"," + _canonical(rest)[1:].encode("utf-8") if rest else b"}"))
        self.handle.write("\n  ]" if self.papers else "]")
        for key, value in tail.items():
            self.handle.write(
                f",\n  {json.dumps(key)}: " + json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            )
        self.handle.write(f',\n  "digest": "{self.digest.hexdigest()}"\n}}\n')
        self.handle.close()

    def abort(self) -> None:
        self.handle.close()


def paper_texts(record: dict[str, Any]) -> tuple[str, str]:
    """A paper's record as `ManifestStream.add` takes it: indented as the manifest's papers
    are, and in the canonical form its digest is taken of."""
    text = "    " + json.dumps(record, indent=2, ensure_ascii=False).replace("\n", "\n    ")
    return text, _canonical(record)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# What recompute() re-derives from a question's params alone (the rebuild compares the rest).
KEY_FIELDS = ("answers", "options", "correct", "branch")
# Each paper of exam.tex starts with this line (templates/exam.tex.j2), so a paper's TeX can
# be cut out and its digest recorded: verify then says which printed papers match.
_PAPER_START = re.compile(r"^\\typeout\{VARIANTEX-PAPER \d+ AFTER", re.MULTILINE)
PAPER_DIGEST = "tex_sha256"


def paper_tex_digests(tex: str) -> list[str]:
    """sha256 of each paper's part of an exam.tex, in order."""
    starts = [match.start() for match in _PAPER_START.finditer(tex)]
    end = tex.rfind("\\end{document}")
    bounds = [*starts[1:], end if end > 0 else len(tex)]
    return [hashlib.sha256(tex[a:b].encode("utf-8")).hexdigest() for a, b in zip(starts, bounds)]


def record_paper_digests(manifest: dict[str, Any], exam_tex: Path) -> None:
    """Add each paper's exam.tex digest to the manifest (when the build wrote exam.tex)."""
    if not exam_tex.is_file():
        return
    digests = paper_tex_digests(exam_tex.read_text(encoding="utf-8"))
    if len(digests) == len(manifest["papers"]):
        for paper, digest in zip(manifest["papers"], digests):
            paper[PAPER_DIGEST] = digest


def printed_paper_problems(manifest: dict[str, Any], folder: Path, notes: list[str] | None) -> list[str]:
    """Which papers of the exam.tex beside the manifest differ from the ones this manifest was
    built with (the digests recorded at build time)."""
    recorded = [paper.get(PAPER_DIGEST) for paper in manifest["papers"]]
    if not any(recorded):
        return []
    exam_tex = folder / "exam.tex"
    if not exam_tex.is_file():
        if notes is not None:
            notes.append("no exam.tex beside the manifest: the printed papers were not compared with it")
        return []
    found = paper_tex_digests(exam_tex.read_text(encoding="utf-8"))
    if len(found) != len(recorded):
        return [f"{exam_tex} has {len(found)} papers but the manifest {len(recorded)}"]
    return [
        f"{(paper.get('student') or {}).get('id') or 'practice'}: the paper in {exam_tex.name} is not the one "
        "built with this manifest"
        for paper, digest, now in zip(manifest["papers"], recorded, found)
        if digest and digest != now
    ]


@dataclass(frozen=True)
class Checks:
    """What `verify` (and `grade`) compare beyond the keys. `without_spec` waives the spec
    and roster (what that leaves unchecked goes to the notes); `versions` also requires the
    package versions of this environment (`verify --rebuild`)."""

    without_spec: bool = False
    versions: bool = False


def tamper_problems(
    manifest: dict[str, Any], manifest_path: str | Path, notes: list[str] | None = None, checks: Checks = Checks()
) -> list[str]:
    """Everything `verify` checks beyond the keys: the seal, the seeds, and the whole manifest
    rebuilt from the spec, roster and seed the build used, field by field. A missing or
    changed spec or roster is a failure unless waived; what a waiver leaves unchecked goes
    to `notes`."""
    problems = []
    if manifest.get("digest") != content_digest(manifest):
        problems.append("the manifest was edited after the build: its content digest does not match")
    exam_seed = manifest["seed"]
    for paper in manifest["papers"]:
        owner = (paper.get("student") or {}).get("id", seeds.PRACTICE)
        for record in paper["questions"]:
            seed = record.get("seed")
            expected = {"entropy": exam_seed, "spawn_key": list(seeds.spawn_key(owner, record["slot"]))}
            if seed is not None and seed != expected:
                problems.append(
                    f"{owner or 'practice'} question {record['number']} ({record['slot']}): the seed is "
                    f"not the one (exam seed, student, slot) gives"
                )
    folder = Path(manifest_path).resolve().parent
    return (
        problems + _against_sources(manifest, folder, notes, checks) + printed_paper_problems(manifest, folder, notes)
    )


WAIVED = (
    "without the spec and roster, these were not re-derived: points, slots, the title and course, "
    "which students sit the exam and their names, option orders, the variety report, and any field "
    "added to the manifest (the keys were still recomputed from the stored params)"
)


def _against_sources(manifest: dict[str, Any], folder: Path, notes: list[str] | None, checks: Checks) -> list[str]:
    """Rebuild the whole manifest from the spec, roster and seed (no TeX) and compare."""
    from variantex.exams.assemble import assemble, variety
    from variantex.exams.roster import read_roster
    from variantex.exams.spec import load_spec

    spec_path = folder / str(manifest["spec"]["path"])
    roster = manifest.get("roster")
    roster_path = folder / str(roster.get("path")) if isinstance(roster, dict) else None
    missing = [
        f"the {what} is not at {path} (or changed after the build)"
        for what, path, digest in (
            ("spec", spec_path, manifest["spec"]["sha256"]),
            ("roster", roster_path, roster.get("sha256") if isinstance(roster, dict) else None),
        )
        if path is not None and (not path.is_file() or file_digest(path) != digest)
    ]
    if missing:
        if checks.without_spec:
            if notes is not None:
                notes.append(WAIVED)
            return []
        return [
            f"{reason}: verify needs the build's spec and roster as they were (or --without-spec)" for reason in missing
        ]
    spec = load_spec(spec_path)
    students = read_roster(roster_path) if roster_path else [None]
    papers = assemble(spec, manifest["seed"], students)
    # Answers on the question pages sit where TeX put them: no rebuild without TeX can say
    # where, so their rows are taken as stored (the content digest still seals them).
    stored_scan = manifest.get("scan") if isinstance(manifest.get("scan"), dict) else None
    answers = str(stored_scan.get("answers", sheet.SEPARATE)) if stored_scan else sheet.NONE
    placed = None
    if answers == sheet.ON_PAGES:
        placed = [[_row(r) for r in p.get("sheet", [])] for p in manifest["papers"]]
    fresh = build_manifest(spec, manifest["seed"], papers, folder, roster_path, answers, placed)
    if roster_path:
        fresh["variety"] = [vars(v) for v in variety(spec, papers)]
    ignored = {"digest"} | (set() if checks.versions else {"versions"})
    problems = []
    for name in sorted((set(manifest) | set(fresh)) - ignored - {"papers"}):
        if manifest.get(name) != fresh.get(name):
            problems.append(
                f"{name}: stored {_short(manifest.get(name))} but the spec, roster and seed give {_short(fresh.get(name))}"
            )
    stored_ids = [(p.get("student") or {}).get("id") for p in manifest["papers"]]
    fresh_ids = [(p.get("student") or {}).get("id") for p in fresh["papers"]]
    if stored_ids != fresh_ids:
        return [
            *problems,
            f"the papers ({len(stored_ids)}) do not match the roster's students ({len(fresh_ids)}): "
            "ids or order differ",
        ]
    for paper, rebuilt in zip(manifest["papers"], fresh["papers"]):
        owner = (rebuilt.get("student") or {}).get("id") or "practice"
        if paper.get("student") != rebuilt.get("student"):
            problems.append(f"{owner}: the student's name or fields differ from the roster")
        for key in sorted((set(paper) | set(rebuilt)) - {"student", "questions", PAPER_DIGEST}):
            if key in paper and key in rebuilt:
                if paper[key] != rebuilt[key]:
                    problems.append(f"{owner}: stored {key} differs from the one the spec and seed give")
            else:
                problems.append(f"{owner}: a field {key!r} the build does not write")
        for record, expected in zip(paper["questions"], rebuilt["questions"]):
            where = f"{owner} question {record.get('number')}"
            for name in sorted((set(record) | set(expected)) - set(KEY_FIELDS)):  # keys: recompute()
                if name not in expected:
                    problems.append(f"{where}: a field {name!r} the build does not write")
                elif record.get(name) != expected[name]:
                    problems.append(
                        f"{where}: stored {name} {_short(record.get(name))} "
                        f"but the spec and seed give {_short(expected[name])}"
                    )
    return problems


def _row(data: dict[str, Any]) -> sheet.Row:
    bubbles = tuple(sheet.Bubble(x, y, value) for x, y, value in data["bubbles"])
    return sheet.Row(data["question"], data["kind"], data["item"], data["page"], bubbles, data["label"])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def recompute(manifest: dict[str, Any]) -> list[str]:
    """Re-derive every answer and option from the stored params alone (no RNG).

    Values are compared as values (3/6 and 1/2 are the same answer). Returns one line per
    difference; an empty list means every stored key is reproduced.
    """
    from variantex.generators import family as family_by_id
    from variantex.generators.variant import variant_from_data

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
            for name in KEY_FIELDS:
                if not same_values(name, record.get(name), fresh.get(name)):
                    problems.append(
                        f"{where}: stored {name} {record.get(name)!r} but the params give {fresh.get(name)!r}"
                    )
    return problems


def same_values(field: str, stored: Any, fresh: Any) -> bool:
    """A stored record field agrees with the recomputed one; exact values compare as values."""
    if fresh is None:
        return stored is None
    if field == "answers":
        return (
            isinstance(stored, dict)
            and stored.keys() == fresh.keys()
            and all(_same_value(stored[name], fresh[name]) for name in fresh)
        )
    if field == "options":
        return (
            isinstance(stored, list)
            and len(stored) == len(fresh)
            and all(
                isinstance(old, dict)
                and old.get("letter") == new["letter"]
                and old.get("mistake") == new["mistake"]
                and isinstance(old.get("values"), list)
                and len(old["values"]) == len(new["values"])
                and all(_same_value(a, b) for a, b in zip(old["values"], new["values"]))
                for old, new in zip(stored, fresh)
            )
        )
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
        printed = ordered_options(variant, record.get("option_order") or (), record.get("arrangement"))
        fresh["options"] = [
            {
                "letter": LETTERS[i],
                "values": [dump_value(v) for v in o.values],
                "mistake": o.mistake.name if o.mistake else None,
            }
            for i, o in enumerate(printed)
        ]
        fresh["correct"] = correct_letter(printed)
    return fresh
