"""A build's papers in chunks, each chunk made whole by one worker process.

A worker draws a chunk of students' papers, verifies them, builds their views, renders
them to LaTeX, typesets them in one TeX run and cuts the PDF into per-student PDFs
(`make_chunk`); what comes back is text and small records. The main process only schedules
chunks and writes what they made in roster order (`made_in_order`, then exams/build.py),
so every core does the Python work beside TeX, and memory holds a few chunks, never the
roster.

Workers are forked once the plan is set, so they inherit the spec and its families
(question files included) without pickling them: only students go in. With one job, or
one chunk, everything runs in this process. The outputs are the same bytes whatever the
number of jobs: a paper depends only on (exam seed, student, slot), and chunks are joined
in order.
"""

from __future__ import annotations

import collections
import gc
import hashlib
import itertools
import json
import multiprocessing
import re
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from variantex.answer_engine.errors import InputError
from variantex.answer_engine.formatting import plain
from variantex.exams import latex as tex_run
from variantex.exams import sheet
from variantex.exams.assemble import Paper, Student, assemble, correct_letter
from variantex.exams.exporters.json import paper_lines
from variantex.exams.exporters.latex import LatexChunk, LatexExporter
from variantex.exams.manifest import PAPER_DIGEST, paper_record, paper_tex_digests, paper_texts
from variantex.exams.spec import ExamSpec
from variantex.exams.view import exam_view, forget_views
from variantex.generators.variant import forget_variants


@dataclass
class Plan:
    """What every chunk needs, set before the workers start."""

    spec: ExamSpec
    exam_seed: int
    folder: Path  # the staging folder the chunks' files go into
    latex: LatexExporter | None  # LaTeX (and PDFs) wanted
    json: bool  # exam.json wanted
    answers: str  # how answers are read (exams/sheet.py): the manifest's rows
    scan: str | None  # the exam id a scannable build prints in its page codes
    roster: bool  # a roster build: key.csv rows


@dataclass(frozen=True)
class Chunk:
    index: int
    first: int  # papers before this chunk
    students: tuple[Student | None, ...]


@dataclass
class ChunkDone:
    """What a chunk made: everything the main process writes, as text."""

    index: int
    papers: int
    latex: LatexChunk | None = None
    records: list[tuple[str, str]] = field(default_factory=list)  # manifest records (manifest.paper_texts)
    key_rows: list[list[str]] = field(default_factory=list)
    json_lines: list[str] = field(default_factory=list)
    params: dict[str, list[str]] = field(default_factory=dict)  # slot -> a digest of each paper's params
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def make_chunk(chunk: Chunk, plan: Plan | None = None) -> ChunkDone:
    """Draw, verify, view, render and typeset one chunk (in a worker: the plan it inherited)."""
    plan = plan or _PLAN
    assert plan is not None, "make_chunk runs in a worker started by made_in_order"
    spec = plan.spec
    done = ChunkDone(chunk.index, len(chunk.students))
    clock = _Clock(done.seconds)
    papers = assemble(spec, plan.exam_seed, chunk.students)
    done.warnings = calculator_check(spec, papers)
    clock.lap("generate")
    view = exam_view(spec, papers)
    clock.lap("view")
    if plan.latex is not None:
        done.latex = plan.latex.chunk(view, chunk.first, chunk.index, plan.folder)
        clock.lap("latex")
    records = manifest_records(plan, papers, done.latex)
    done.records = [paper_texts(record) for record in records]
    done.params = params_digests(records)
    if plan.roster:
        done.key_rows = key_rows(papers)
    if plan.json:
        done.json_lines = paper_lines(view)
    clock.lap("records")
    # What this chunk solved and rendered is written; a later chunk that draws the same
    # params solves them again, and memory holds one chunk's variants, not the roster's.
    # Variants and views are full of cycles, and a build collects seldom (build.py's
    # fewer_collections): collect now, or a worker grows by 60 MB per 400 students.
    forget_variants()
    forget_views()
    gc.collect()
    return done


def manifest_records(plan: Plan, papers: Sequence[Paper], latex: LatexChunk | None) -> list[dict[str, Any]]:
    """The papers' manifest records, with where TeX placed answers on the question pages and
    each paper's exam.tex digest (when the build writes exam.tex)."""
    placed: list[list[sheet.Row]] = [[] for _ in papers]
    if latex is not None and latex.typeset is not None and plan.answers == sheet.ON_PAGES:
        size = sheet.PAPERS[plan.spec.paper]
        placed = [sheet.rows_from_log(bubbles, size) for bubbles in latex.typeset.bubbles]
    records = [paper_record(paper, plan.answers, plan.spec.paper, rows) for paper, rows in zip(papers, placed)]
    if latex is not None:
        digests = paper_tex_digests(latex.bodies["exam"])
        if len(digests) == len(records):
            for record, digest in zip(records, digests):
                record[PAPER_DIGEST] = digest
    return records


def params_digests(records: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Per slot, a digest of each paper's params as its manifest record holds them (the
    build counts the distinct ones)."""
    found: dict[str, list[str]] = collections.defaultdict(list)
    for record in records:
        for question in record["questions"]:
            text = json.dumps(question["params"], sort_keys=True, ensure_ascii=False)
            found[question["slot"]].append(hashlib.sha1(text.encode("utf-8")).hexdigest()[:16])
    return dict(found)


_SPEAKS_OF_CALCULATORS = re.compile(r"calculator|electronic", re.IGNORECASE)


def calculator_check(spec: ExamSpec, papers: Sequence[Paper]) -> list[str]:
    """Refuse a question that needs a calculator in an exam whose spec rules them out; when
    the spec does not say and its instructions speak of calculators, a warning (the cover
    will say a calculator is allowed; the build says it once however many chunks find it)."""
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
                return [warning]
    return []


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


KEY_CSV_HEADER = ["student", "name", "question", "slot", "family", "format", "points", "correct_response"]


def key_rows(papers: Sequence[Paper]) -> list[list[str]]:
    """key.csv's rows for these papers: a question each."""
    return [
        [
            paper.student_id,
            paper.student.name if paper.student else "",
            str(q.number),
            q.spec.slot,
            q.family.id,
            q.spec.format,
            plain(q.spec.points),
            correct_response(q),
        ]
        for paper in papers
        for q in paper.questions
    ]


_PLAN: Plan | None = None


def _install(plan: Plan) -> None:
    """A worker's initializer: keep the plan (inherited by fork, never pickled)."""
    global _PLAN
    tex_run.die_with_parent()
    _PLAN = plan


def chunks_of(students: Sequence[Student | None], sizes: Sequence[int]) -> list[Chunk]:
    starts = [0, *itertools.accumulate(sizes)]
    return [Chunk(i, starts[i], tuple(students[starts[i] : starts[i + 1]])) for i in range(len(sizes))]


def made_in_order(plan: Plan, chunks: Sequence[Chunk], jobs: int) -> Iterator[ChunkDone]:
    """Each chunk's result, in order, made by `jobs` worker processes; at most two chunks a
    worker are under way or waiting to be written, so memory does not grow with the roster.
    An error stops every worker at once (and the pdflatex it runs)."""
    if jobs == 1 or len(chunks) == 1 or not tex_run.CAN_FORK:
        for chunk in chunks:
            yield make_chunk(chunk, plan)
        return
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context("fork"), initializer=_install, initargs=(plan,)
    )
    waiting: collections.deque[Future] = collections.deque()
    queue = iter(chunks)
    try:
        waiting.extend(pool.submit(make_chunk, chunk) for chunk in itertools.islice(queue, 2 * jobs))
        while waiting:
            done = waiting.popleft().result()
            following = next(queue, None)
            if following is not None:
                waiting.append(pool.submit(make_chunk, following))
            yield done
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    # A running pdflatex would go on writing into a folder about to be removed: stop the
    # workers now (their pdflatex dies with them).
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.kill()
        process.join()


class _Clock:
    def __init__(self, seconds: dict[str, float]):
        self.seconds = seconds
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now
