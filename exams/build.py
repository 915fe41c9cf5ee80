"""`build`: spec (+ roster) -> papers -> exam view -> every chosen output, all or nothing.

The papers (verified variants per student) become one `ExamView`; each exporter
(exams/exporters/: LaTeX/PDF, JSON) writes its files from that view alone. The key CSV and
the manifest come from the papers. Everything is written into a temporary sibling folder
and moved into place only when complete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from variantex.answer_engine.errors import CompileError, InputError
from variantex.answer_engine.formatting import plain, printable, untypesettable
from variantex.exams import sheet
from variantex.exams.assemble import (
    Paper,
    SlotVariety,
    Student,
    assemble,
    correct_letter,
    variety,
)
from variantex.exams.csvfiles import write_rows
from variantex.exams.exporters import exporter
from variantex.exams.exporters.latex import chunk_sizes
from variantex.exams.manifest import build_manifest, file_digest, record_paper_digests, write_manifest
from variantex.exams.outputs import OUTPUTS, files_in, staged_folder
from variantex.exams.roster import read_roster
from variantex.exams.spec import ExamSpec, load_spec
from variantex.exams.view import ExamView, exam_view

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    out: Path
    files: list[Path] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    variety: list[SlotVariety] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


@contextlib.contextmanager
def fewer_collections(threshold: int = 50_000) -> Iterator[None]:
    """Collect cyclic garbage less often while building.

    A build makes hundreds of thousands of long-lived objects (variants, sympy values,
    views) and few cycles; with the default thresholds Python rescans them all again and
    again (2.2 s of 12 s for 5,000 variants). Cycles are still collected, just in bigger
    batches; the previous thresholds come back afterwards.
    """
    previous = gc.get_threshold()
    gc.set_threshold(threshold, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def build(*args, **kwargs) -> BuildResult:
    """Build into `out` (see `_build`)."""
    with fewer_collections():
        return _build(*args, **kwargs)


def _build(
    spec_path: str | Path,
    out: str | Path,
    seed: int | None = None,
    roster: str | Path | Sequence[Student] | None = None,
    make_pdf: bool = True,
    progress: Progress | None = None,
    on_paper: Callable[[int], None] | None = None,
    outputs: Sequence[str] | None = None,
    force: bool = False,
    overwrite: bool = False,
    strict: bool = False,
    roster_file: str | Path | None = None,
    jobs: int | None = None,
    on_typeset: Callable[[int, int], None] | None = None,
    scan: bool = True,
) -> BuildResult:
    """Build into `out`. `outputs` names what to write: "pdf" (LaTeX and PDFs), "tex" (LaTeX
    only), "json" (the exam view); default ["pdf"], or ["tex"] when `make_pdf` is false.
    A roster build is scannable (marks and page codes, answers on a separate sheet or on the
    question pages: exams/sheet.py) unless `scan` is false or the spec says `answer_sheet: none`."""
    chosen = list(outputs) if outputs else (["pdf"] if make_pdf else ["tex"])
    unknown = [o for o in chosen if o not in OUTPUTS]
    if unknown:
        raise InputError(f"unknown output {unknown[0]!r} (outputs: {', '.join(OUTPUTS)})", "--to")
    report = progress or (lambda message: None)
    spec: ExamSpec = load_spec(spec_path)
    if roster is None:
        students: Sequence[Student | None] = [None]
    else:
        students = read_roster(roster) if isinstance(roster, (str, Path)) else roster
    exam_seed = spec.seed if seed is None else seed
    result = BuildResult(Path(out).resolve())
    source = roster_file or (roster if isinstance(roster, (str, Path)) else None)
    exam_id = scan_identity(spec, exam_seed, Path(source) if source else None) if scan and roster else None
    answers = spec.answer_sheet if exam_id is not None else sheet.NONE
    result.warnings = unprintable_spec_warnings(spec)
    writers = []
    if "pdf" in chosen or "tex" in chosen:
        writers.append(
            exporter(
                "latex",
                pdf="pdf" in chosen,
                per_student=bool(roster),
                jobs=jobs,
                on_typeset=on_typeset,
                scan=exam_id,
                answers=answers,
                spaces={q.slot: q.space for q in spec.questions if q.space},
                names=[s.name for s in students if s is not None],
                sections={q.slot: q.section for q in spec.questions if q.section},
            )
        )
    if "json" in chosen:
        writers.append(exporter("json"))
    streaming = [w for w in writers if hasattr(w, "stream")]
    whole = [w for w in writers if not hasattr(w, "stream")]
    # Papers are drawn a chunk at a time; each chunk goes to the streaming exporters at once,
    # so TeX typesets it while the next chunk is drawn (see exams/exporters/latex.py).
    sizes = chunk_sizes(len(students), jobs or os.cpu_count() or 1) if "pdf" in chosen else [len(students)]
    seconds = result.seconds
    seconds.update(generate=0.0, view=0.0)
    views: list[ExamView] = []
    with staged_folder(Path(out), force, overwrite) as staging:
        report(f"drawing and verifying {len(students)} × {len(spec.questions)} variants")
        with contextlib.ExitStack() as stack:
            adders = [stack.enter_context(w.stream(staging, report)) for w in streaming]
            first = 0
            for size in sizes:
                clock = time.perf_counter()
                chunk = assemble(spec, exam_seed, students[first : first + size], on_paper)
                result.warnings += calculator_check(spec, chunk, said=result.warnings)
                result.papers += chunk
                first += size
                seconds["generate"] += time.perf_counter() - clock
                clock = time.perf_counter()
                view = exam_view(spec, chunk)
                seconds["view"] += time.perf_counter() - clock
                for add in adders:
                    add(view)
                if whole:
                    views.append(view)
            if roster:
                _check_variety(spec, result, students)
        for writer in writers:
            if writer in whole:
                writer.write(joined_view(views), staging, report)
            result.seconds.update(getattr(writer, "seconds", {}))
            result.warnings += getattr(writer, "notes", [])
            layout = getattr(writer, "warnings", [])
            if layout and strict:
                raise CompileError(f"--strict: {len(layout)} layout problem(s); first: {layout[0]}")
            result.warnings += layout[:5] + (
                [f"… and {len(layout) - 5} more layout problems"] if len(layout) > 5 else []
            )
        if roster:
            write_key_csv(staging / "key.csv", result.papers)
        # Answers on the question pages: where TeX put each bubble (none without PDFs).
        placed = next((rows for w in writers if (rows := getattr(w, "rows", None))), None)
        manifest = build_manifest(
            spec, exam_seed, result.papers, result.out, Path(source) if source else None, answers, placed
        )
        if result.variety:
            manifest["variety"] = [vars(v) for v in result.variety]
        record_paper_digests(manifest, staging / "exam.tex")
        write_manifest(staging / "manifest.json", manifest)
        written = files_in(staging)
    result.files = [Path(name) for name in written]  # what this build wrote, not what else is there
    return result


_SPEAKS_OF_CALCULATORS = re.compile(r"calculator|electronic", re.IGNORECASE)


def calculator_check(spec: ExamSpec, papers: Sequence[Paper], said: Sequence[str] = ()) -> list[str]:
    """Refuse a question that needs a calculator in an exam whose spec rules them out; when
    the spec does not say and its instructions speak of calculators, a warning (the cover
    will say a calculator is allowed), unless `said` has it already."""
    mentions = [i for i, line in enumerate(spec.instructions) if _SPEAKS_OF_CALCULATORS.search(line)]
    for paper in papers:
        for question in paper.questions:
            if not question.family.needs_calculator(question.variant.params):
                continue
            name = question.family.id
            if spec.calculator is False:
                raise InputError(
                    f"{name} needs a calculator (decimals or logarithms), and the spec says calculator: false",
                    question.spec.where,
                )
            if spec.calculator is None and mentions:
                warning = (
                    f"{spec.path}: instructions[{mentions[0]}] speaks of calculators, and {name} needs one: "
                    "the cover says a calculator is allowed; say `calculator: true` or `false` in the spec"
                )
                return [] if warning in said else [warning]
    return []


def scan_identity(spec: ExamSpec, seed: int, roster: Path | None) -> str | None:
    """The exam id a scannable build prints in its page codes, or None when the spec turns
    answer sheets off."""
    if spec.answer_sheet == sheet.NONE:
        return None
    return sheet.exam_identity(spec.sha256, file_digest(roster) if roster else None, seed)


def _check_variety(spec: ExamSpec, result: BuildResult, students: Sequence[Student | None]) -> None:
    """Count each slot's distinct variants; warn about repeats, or refuse them when the spec
    asks for unique variants."""
    result.variety = variety(spec, result.papers)
    # A static question is the same for everyone by design: nothing to warn about.
    static = {q.slot for q in spec.questions if getattr(q.family, "static", False)}
    repeated = uniqueness_warnings([v for v in result.variety if v.slot not in static])
    result.warnings += repeated
    if spec.unique_variants and repeated:
        raise InputError(
            "unique_variants is on but "
            + repeated[0]
            + " (try another seed, branch: mixed, or a family with more variety)",
            f"{spec.path}",
        )


def joined_view(chunks: Sequence[ExamView]) -> ExamView:
    return dataclasses.replace(chunks[0], papers=tuple(p for chunk in chunks for p in chunk.papers))


def uniqueness_warnings(report: Sequence[SlotVariety]) -> list[str]:
    return [
        f"question {v.slot} ({v.family}) has {v.distinct} distinct variants for {v.papers} students, "
        f"so some students share a question"
        for v in report
        if v.repeated
    ]


def unprintable_spec_warnings(spec: ExamSpec) -> list[str]:
    texts = {
        "title": spec.title,
        "course": spec.course,
        "date": spec.date,
        "duration": spec.duration,
        **{f"instructions[{i}]": line for i, line in enumerate(spec.instructions)},
    }
    return [
        f"{spec.path}: {field}: pdflatex cannot print {untypesettable(text)!r}; it is shown as {printable(text)!r}"
        for field, text in texts.items()
        if untypesettable(text)
    ]


def correct_response(instance) -> str:
    """What a right answer sheet says for this question: a letter, values, T/F per statement, or 'open'."""
    fmt = instance.spec.format
    if fmt == "mcq":
        return correct_letter(instance.printed_options)
    if fmt == "numeric":
        values = instance.variant.solution.values
        return "; ".join(plain(values[name]) for name in instance.family.numeric_parts(instance.variant.params))
    if fmt == "tf":
        return "".join("T" if s.truth else "F" for s in instance.family.statements(instance.variant.params))
    return "open (graded by hand; see key)"


def write_key_csv(path: Path, papers: Sequence[Paper]) -> None:
    header = ["student", "name", "question", "slot", "family", "format", "points", "correct_response"]
    write_rows(
        path,
        [header]
        + [
            [
                paper.student_id,
                paper.student.name if paper.student else "",
                q.number,
                q.spec.slot,
                q.family.id,
                q.spec.format,
                plain(q.spec.points),
                correct_response(q),
            ]
            for paper in papers
            for q in paper.questions
        ],
    )
