"""`variantex practice`: many fresh variants of an exam's questions, for students and TAs.

A practice set is a bank (exams/bank.py): `count` variants of each question kind, named by
an exam spec or on the command line (`relu-backprop:numeric eigen-determinant:mcq`). It is
written as a self-checking HTML page (exams/exporters/html.py) and a PDF worksheet
(templates/worksheet.tex.j2), with a manifest of params and seeds. With `answers=False`
nothing that gives an answer away is written: no key in the page, no solutions in the
worksheet, no keys in the manifest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy as sp

from variantex.answer_engine.errors import InputError
from variantex.exams import latex as tex_run
from variantex.exams.bank import Bank, bank_manifest, draw_bank
from variantex.exams.exporters.html import practice_page
from variantex.exams.exporters.latex import environment, points_text, question_context
from variantex.exams.outputs import files_in, staged_folder
from variantex.exams.spec import ExamSpec, QuestionSpec, load_spec
from variantex.generators import base

OUTPUTS = ("html", "pdf")
LAYOUTS = ("file", "folder")  # the page: one file, or an index and a page per topic
MAX_COUNT = 1000


@dataclass
class PracticeResult:
    out: Path
    files: list[Path]
    questions: int


def spec_from_items(items: Sequence[str], seed: int) -> ExamSpec:
    """A spec from `family[:format]` words: one question kind each."""
    questions: list[QuestionSpec] = []
    for item in items:
        family_id, colon, fmt = item.partition(":")
        family = base.family(family_id)  # InputError naming the families when unknown
        if colon and not fmt:
            raise InputError(f"no format after ':' (formats: {', '.join(family.formats)})", item)
        fmt = fmt or family.formats[0]
        if fmt not in family.formats:
            raise InputError(f"{family.id} has no format {fmt!r} (formats: {', '.join(family.formats)})", item)
        slot = family.id if all(q.slot != family.id for q in questions) else f"{family.id}-{len(questions) + 1}"
        questions.append(QuestionSpec(slot, family, fmt, sp.Integer(1)))
    if not questions:
        raise InputError("name an exam spec or at least one family (like relu-backprop:numeric)", "practice")
    text = " ".join(items)
    return ExamSpec(
        path="(command line)",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        title="Practice: " + ", ".join(dict.fromkeys(q.family.title for q in questions)),
        seed=seed,
        questions=tuple(questions),
    )


def read_source(source: Sequence[str], seed: int | None) -> ExamSpec:
    if len(source) == 1 and source[0].endswith((".yaml", ".yml", ".json")):
        return load_spec(source[0])
    return spec_from_items(source, seed or 0)


def build_practice(
    source: Sequence[str],
    out: str | Path,
    count: int = 20,
    seed: int | None = None,
    outputs: Sequence[str] = OUTPUTS,
    answers: bool = True,
    inline_solutions: bool = False,
    force: bool = False,
    overwrite: bool = False,
    layout: str = "file",
) -> PracticeResult:
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"must be between 1 and {MAX_COUNT}, not {count}", "--count")
    unknown = [o for o in outputs if o not in OUTPUTS]
    if unknown:
        raise InputError(f"unknown output {unknown[0]!r} (outputs: {', '.join(OUTPUTS)})", "--to")
    spec = read_source(source, seed)
    bank = draw_bank(spec, spec.seed if seed is None else seed, count)
    title = spec.title if spec.path == "(command line)" else f"Practice: {spec.title}"
    with staged_folder(Path(out), force, overwrite) as staging:
        if "html" in outputs and layout == "folder":
            write_folder(bank, title, answers, staging)
        elif "html" in outputs:
            (staging / "practice.html").write_text(practice_page(bank, title, answers), encoding="utf-8")
        if "pdf" in outputs:
            tex = staging / "practice.tex"
            tex.write_text(worksheet(bank, title, answers, inline_solutions), encoding="utf-8")
            tex_run.compile_pdf(tex)
            for leftover in (".log",):
                tex.with_suffix(leftover).unlink(missing_ok=True)
        record = bank_manifest(bank, _spec_record(spec, Path(out)), "practice")
        if not answers:  # params and seeds only: keys are for instructors to recompute
            for slot in record["slots"]:
                for variant in slot["variants"]:
                    variant.pop("key")
        (staging / "manifest.json").write_text(
            json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        files = [Path(name) for name in files_in(staging)]  # what this set wrote, not what else is there
    return PracticeResult(Path(out).resolve(), files, sum(len(s.variants) for s in bank.slots))


def write_folder(bank: Bank, title: str, answers: bool, folder: Path) -> None:
    """The set as a folder a teacher can share: index.html lists the topics (one per question
    kind), each a self-checking page of its own that links back."""
    from variantex.exams.exporters.html import index_page

    topics = []
    for slot in bank.slots:
        name = f"{slot.spec.slot}.html"
        topic = slot.variants[0].view.title
        page = practice_page(dataclasses.replace(bank, slots=(slot,)), f"{topic}: practice", answers, in_folder=True)
        (folder / name).write_text(page, encoding="utf-8")
        topics.append({"file": name, "title": topic, "format": slot.spec.format})
    (folder / "index.html").write_text(
        index_page(title, topics, len(bank.slots[0].variants) if bank.slots else 0, answers), encoding="utf-8"
    )


def _spec_record(spec: ExamSpec, out: Path) -> str:
    if spec.path == "(command line)":
        return spec.path
    return os.path.relpath(Path(spec.path).resolve(), out.resolve())


def worksheet(bank: Bank, title: str, answers: bool, inline_solutions: bool) -> str:
    """The variants in sequence (variant 1 of every question, then variant 2, …), solutions
    after each question or grouped at the end."""
    questions: list[dict[str, Any]] = []
    count = len(bank.slots[0].variants) if bank.slots else 0
    for index in range(count):
        for slot in bank.slots:
            context = question_context(slot.variants[index].view)
            context["number"] = len(questions) + 1
            questions.append(context)
    return (
        environment()
        .get_template("worksheet.tex.j2")
        .render(
            title=title,
            subtitle=f"{count} variant{'s' if count != 1 else ''} of {len(bank.slots)} question"
            f"{'s' if len(bank.slots) != 1 else ''}",
            questions=questions,
            solutions=answers,
            inline_solutions=inline_solutions and answers,
            total=points_text(sp.Integer(0)),
        )
    )
