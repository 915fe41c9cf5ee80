"""`build`: spec (+ roster) -> papers -> every chosen output, all or nothing.

Worker processes make the papers a chunk of students at a time, each chunk drawn,
verified, viewed, rendered and typeset by one of them (exams/pipeline.py); here the
chunks' results are written in roster order (`_Joined`): exam.tex and key.tex, the
manifest, key.csv and exam.json grow as chunks arrive, and exam.pdf and key.pdf are joined
from the chunks' PDFs at the end. Everything is written into a temporary sibling folder
and moved into place only when complete.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from variantex.answer_engine.errors import CompileError, InputError
from variantex.answer_engine.formatting import printable, untypesettable
from variantex.exams import sheet
from variantex.exams.assemble import SlotVariety, Student
from variantex.exams.csvfiles import safe_rows
from variantex.exams.exporters.json import JsonStream
from variantex.exams.exporters.latex import KINDS, LatexExporter, chunk_sizes
from variantex.exams.latex import LayoutProblem, Typeset
from variantex.exams.manifest import ManifestStream, manifest_head, manifest_scan, scan_identity
from variantex.exams.outputs import OUTPUTS, files_in, staged_folder
from variantex.exams.pipeline import KEY_CSV_HEADER, Chunk, ChunkDone, Plan, chunks_of, made_in_order
from variantex.exams.roster import read_roster
from variantex.exams.spec import ExamSpec, load_spec
from variantex.exams.view import exam_view

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    out: Path
    files: list[Path] = field(default_factory=list)
    variety: list[SlotVariety] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)  # every layout problem TeX reported (warnings show five)
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
    scan: bool = True,
) -> BuildResult:
    """Build into `out`. `outputs` names what to write: "pdf" (LaTeX and PDFs), "tex" (LaTeX
    only), "json" (the exam view); default ["pdf"], or ["tex"] when `make_pdf` is false.
    A roster build is scannable (marks and page codes, answers on a separate sheet or on the
    question pages: exams/sheet.py) unless `scan` is false or the spec says `answer_sheet: none`.
    `jobs` worker processes make the papers a chunk at a time (exams/pipeline.py);
    `on_paper(n)` is called as each chunk of n papers is written."""
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
    named = roster_file or (roster if isinstance(roster, (str, Path)) else None)
    source = Path(named) if named else None
    exam_id = scan_identity(spec, exam_seed, source) if scan and roster else None
    answers = spec.answer_sheet if exam_id is not None else sheet.NONE
    result.warnings = unprintable_spec_warnings(spec)
    latex = None
    if "pdf" in chosen or "tex" in chosen:
        latex = LatexExporter(
            pdf="pdf" in chosen,
            per_student=bool(roster),
            scan=exam_id,
            answers=answers,
            spaces={q.slot: q.space for q in spec.questions if q.space},
            names=[s.name for s in students if s is not None],
            sections={q.slot: q.section for q in spec.questions if q.section},
        )
    workers = max(1, jobs or os.cpu_count() or 1)
    chunks = chunks_of(students, chunk_sizes(len(students)))
    with staged_folder(Path(out), force, overwrite) as staging:
        plan = Plan(spec, exam_seed, staging, latex, "json" in chosen, answers, exam_id, roster is not None)
        report(f"drawing, verifying and typesetting {len(students)} × {len(spec.questions)} variants")
        if latex is not None:
            result.warnings += latex.prepare(staging)
            if spec.page_count and not latex.pdf:
                result.warnings.append("page_count: without PDFs the covers say '? pages' (TeX counts the pages)")
        joined = _Joined(plan, result.out, source)
        try:
            _write_chunks(spec, plan, chunks, workers, joined, result, strict, on_paper)
        except BaseException:
            joined.abort()
            raise
        written = files_in(staging)
    result.files = [Path(name) for name in written]  # what this build wrote, not what else is there
    return result


def _write_chunks(
    spec: ExamSpec,
    plan: Plan,
    chunks: Sequence[Chunk],
    workers: int,
    joined: _Joined,
    result: BuildResult,
    strict: bool,
    on_paper: Callable[[int], None] | None,
) -> None:
    clock = time.perf_counter()
    for done in made_in_order(plan, chunks, workers):
        joined.add(done)
        if on_paper:
            on_paper(done.papers)
    result.seconds["chunks"] = time.perf_counter() - clock
    result.warnings += [w for w in dict.fromkeys(joined.warnings) if w not in result.warnings]
    result.seconds.update(joined.seconds)
    if plan.roster:
        _check_variety(spec, result, joined.params, sum(len(chunk.students) for chunk in chunks))
    layout = result.layout = [str(problem) for problem in joined.problems]
    if layout and strict:
        raise CompileError(f"--strict: {len(layout)} layout problem(s); first: {layout[0]}")
    result.warnings += layout[:5] + ([f"… and {len(layout) - 5} more layout problems"] if len(layout) > 5 else [])
    clock = time.perf_counter()
    joined.close([vars(v) for v in result.variety])
    if plan.latex is not None:
        plan.latex.join(plan.folder, joined.parts)
    result.seconds["join"] = time.perf_counter() - clock


class _Joined:
    """The build's files, written from the chunks' results in order: exam.tex and key.tex,
    manifest.json, key.csv and exam.json; the TeX runs' parts are kept for the PDFs' join."""

    def __init__(self, plan: Plan, out: Path, roster: Path | None):
        self.plan = plan
        folder = plan.folder
        self.warnings: list[str] = []
        self.problems: list[LayoutProblem] = []
        self.seconds: dict[str, float] = {}
        self.params: dict[str, set[str]] = {q.slot: set() for q in plan.spec.questions}
        self.parts: list[tuple[Path, Typeset]] = []
        self.tex = {kind: open(folder / f"{kind}.tex", "w", encoding="utf-8") for kind in KINDS} if plan.latex else {}  # noqa: SIM115
        self.lines = dict.fromkeys(KINDS, 0)  # lines of each joined file's papers so far
        self.closing = ""
        self.manifest = ManifestStream(folder / "manifest.json", manifest_head(plan.spec, plan.exam_seed, out, roster))
        self.tail = manifest_scan(plan.scan, plan.answers, plan.spec.paper)
        self.key = open(folder / "key.csv", "w", newline="", encoding="utf-8") if plan.roster else None  # noqa: SIM115
        if self.key is not None:
            self.key_csv = csv.writer(self.key)
            self.key_csv.writerow(KEY_CSV_HEADER)
        self.json = JsonStream(folder, exam_view(plan.spec, ()).head_json()) if plan.json else None

    def add(self, done: ChunkDone) -> None:
        self.warnings += done.warnings
        for stage, seconds in done.seconds.items():
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds
        for slot, digests in done.params.items():
            self.params[slot].update(digests)
        if done.latex is not None:
            for kind, handle in self.tex.items():
                if done.index == 0:
                    handle.write(done.latex.heads[kind])
                handle.write(done.latex.bodies[kind])
            self.closing = done.latex.closing
            if done.latex.typeset is not None:
                shift = {f"{kind}.tex": self.lines[kind] for kind in KINDS}
                self.problems += [p.shifted(shift[p.label]) for p in done.latex.typeset.problems]
                assert done.latex.part is not None
                self.parts.append((done.latex.part, done.latex.typeset))
            for kind in KINDS:
                self.lines[kind] += done.latex.bodies[kind].count("\n")
        self.manifest.add(done.records)
        if self.key is not None:
            self.key_csv.writerows(safe_rows(done.key_rows))
        if self.json is not None:
            self.json.add(done.json_lines)

    def close(self, variety: list[dict]) -> None:
        for handle in self.tex.values():
            handle.write(self.closing)
            handle.close()
        self.manifest.close({**self.tail, **({"variety": variety} if variety else {})})
        if self.key is not None:
            self.key.close()
        if self.json is not None:
            self.json.close()

    def abort(self) -> None:
        for handle in self.tex.values():
            handle.close()
        self.manifest.abort()
        if self.key is not None:
            self.key.close()
        if self.json is not None:
            self.json.abort()


def _check_variety(spec: ExamSpec, result: BuildResult, params: dict[str, set[str]], papers: int) -> None:
    """Count each slot's distinct variants; warn about repeats, or refuse them when the spec
    asks for unique variants."""
    result.variety = [SlotVariety(q.slot, q.family.id, papers, len(params[q.slot])) for q in spec.questions]
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
