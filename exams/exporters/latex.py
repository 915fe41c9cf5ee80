"""The LaTeX/PDF exporter: exam views -> exam.tex and key.tex -> PDFs (and per-student PDFs).

Views become LaTeX here and only here: text is escaped, math is set in `$…$` / `\\[…\\]`,
figures are typeset in place. The format's wording (option boxes, answer boxes, "Justify
each step") lives in templates/question.tex.j2, not in any family.

The Jinja2 templates use `<< var >>`, `<% block %>` and `<# comment #>` so that LaTeX braces
need no escaping, are strict about undefined variables, and escape every string that is
not already marked `Latex`: user text cannot reach TeX unescaped.

All papers go into one combined exam and one combined key, each typeset in a single
pdflatex pass (the two passes run side by side); per-student PDFs are split from the
combined ones at the pages TeX reports.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence

import jinja2

from answer_engine.formatting import Latex, escape, untypesettable
from exams import latex as tex_run
from exams.roster import file_stem
from exams.view import ExamView, QuestionView, tolerance_sentence
from generators.markup import Block, Bullets, Content, DisplayMath, Figure, MathSpan, Paragraph, Table
from generators.stems import template_environment


def _finalize(value: Any) -> Any:
    if isinstance(value, Latex):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return escape(value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(resources.files("templates")))
    return template_environment(loader, _finalize, keep_trailing_newline=True)


# --- view content -> LaTeX ------------------------------------------------------------------

def inline(content: Content) -> Latex:
    return Latex("".join(f"${span.tex}$" if isinstance(span, MathSpan) else escape(span.text) for span in content))


def blocks(items: Sequence[Block]) -> Latex:
    return Latex("\n\n".join(_block(block) for block in items))


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return inline(block.content)
    if isinstance(block, DisplayMath):
        return "\\[ %s \\]" % block.tex
    if isinstance(block, Bullets):
        return "\\begin{itemize}\n" + "\n".join(f"  \\item {inline(item)}" for item in block.items) + "\n\\end{itemize}"
    if isinstance(block, Table):
        align = block.align or "l" * len(block.header)
        lines = [" & ".join(f"\\textbf{{{inline(cell)}}}" for cell in block.header) + r" \\ \hline"]
        lines += [" & ".join(inline(cell) for cell in row) + r" \\" for row in block.rows]
        return ("\\begin{center}\n\\begin{tabular}{%s}\n" % align + "\n".join(lines)
                + "\n\\end{tabular}\n\\end{center}")
    if isinstance(block, Figure):
        return "\\begin{center}\n%s\n\\end{center}" % block.tikz
    raise TypeError(f"no LaTeX for {type(block).__name__}")


def points_text(points) -> Latex:
    """Points as text: "4", or "$\\tfrac{1}{2}$" (math needs its dollars in running text)."""
    if points.q == 1:
        return Latex(str(int(points)))
    whole, part = divmod(points.p, points.q)
    fraction = r"\tfrac{%d}{%d}" % (part, points.q)
    return Latex(f"${whole}{fraction}$" if whole else f"${fraction}$")


def question_context(view: QuestionView) -> dict:
    def part(p) -> dict:
        return {"label": Latex(p.label), "value": inline(p.shown)}

    return {
        "number": view.number,
        "points": points_text(view.points),
        "plural": view.points != 1,
        "format": view.format,
        "stem": blocks(view.stem),
        "ask": blocks(view.ask),
        "discuss": blocks(view.discuss),
        "steps": [inline(step) for step in view.steps],
        "rubric": [{"criterion": inline(c), "points": points_text(p)} for c, p in view.rubric],
        "answers": [part(p) for p in view.answers],
        "options": [{"letter": o.letter, "printed": inline(o.content), "correct": o.correct} for o in view.options],
        "numeric": [part(p) for p in view.asked] if view.format == "numeric" else [],
        "text_answers": sorted({t for p in view.asked for t in p.text_answers}),
        "tolerance": tolerance_sentence(view),
        # Room to write an open answer grows with the points it is worth.
        "space": Latex(f"{min(4 + 1.5 * float(view.points), 16):g}cm"),
    }


def render_papers(exam: ExamView, key: bool, contexts: list[dict] | None = None) -> str:
    """One document; several papers (a roster) each start on a fresh page with a cover.

    `contexts` (from `paper_contexts`) lets the exam and the key share one conversion.
    """
    template = environment().get_template("exam.tex.j2")
    return template.render(
        exam={
            "title": exam.title,
            "course": exam.course,
            "date": exam.date,
            "duration": exam.duration,
            "instructions": list(exam.instructions),
            "total": points_text(exam.total),
        },
        key=key,
        papers=contexts if contexts is not None else paper_contexts(exam),
    )


def paper_contexts(exam: ExamView) -> list[dict]:
    return [
        {
            "student": {"id": p.student.id, "name": p.student.name, "printable": not untypesettable(p.student.name)}
            if p.student else None,
            "questions": [question_context(q) for q in p.questions],
        }
        for p in exam.papers
    ]


MIN_CHUNK = 25  # papers per TeX run: below this, starting pdflatex costs more than it saves
MAX_CHUNK = 100  # above this, cutting a paper out of its run's PDF (qpdf reads it whole) grows costly


def chunk_sizes(papers: int, jobs: int) -> list[int]:
    """How many papers each TeX run typesets: at least four runs per job (so the last ones
    finish together) and at most MAX_CHUNK papers a run, never fewer than MIN_CHUNK papers
    a run; one run for a small exam."""
    runs = max(1, min(max(4 * jobs, -(-papers // MAX_CHUNK)), papers // MIN_CHUNK))
    base, extra = divmod(papers, runs)
    return [base + (1 if i < extra else 0) for i in range(runs)]


_PAPER_START = "\\typeout{VARIANTEX-PAPER "


def split_document(document: str, sizes: Sequence[int]) -> list[tuple[int, str]]:
    """The combined document cut into documents of `sizes` papers each: (first paper, text).

    Every paper begins with the marker line exam.tex.j2 writes, so each part is the shared
    preamble, its papers' text as rendered once, and the closing line.
    """
    head, *papers = document.split(_PAPER_START)
    last, closing = papers[-1].rsplit("\\end{document}", 1)
    papers[-1] = last
    parts, first = [], 0
    for size in sizes:
        body = "".join(_PAPER_START + paper for paper in papers[first:first + size])
        parts.append((first, head + body + "\\end{document}" + closing))
        first += size
    return parts


class LatexExporter:
    """exam.tex and key.tex; with `pdf`, exam.pdf and key.pdf; with a roster, exams/<id>.pdf
    and keys/<id>.pdf.

    The papers are typeset in chunks, `jobs` pdflatex runs at a time (exam and key chunks
    alike), each in one pass; exam.pdf and key.pdf are the chunks joined, and per-student
    PDFs are cut from the chunks at the pages TeX reports.
    """

    name = "latex"

    def __init__(self, pdf: bool = True, per_student: bool = False, jobs: int | None = None,
                 on_typeset: Callable[[int, int], None] | None = None):
        self.warnings: list[str] = []  # overfull lines and missing characters TeX reported
        self.pdf = pdf
        self.per_student = per_student
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.on_typeset = on_typeset or (lambda done, total: None)
        self.seconds: dict[str, float] = {}

    def write(self, exam: ExamView, folder: Path, report: Callable[[str], None]) -> list[Path]:
        clock = time.perf_counter()
        contexts = paper_contexts(exam)
        written, documents = [], {}
        for kind in ("exam", "key"):
            path = folder / f"{kind}.tex"
            documents[kind] = render_papers(exam, key=kind == "key", contexts=contexts)
            path.write_text(documents[kind], encoding="utf-8")
            written.append(path)
        sizes = chunk_sizes(len(contexts), self.jobs) if self.pdf else []
        runs: list[tuple[str, Path, int, int]] = []  # (kind, tex file, first paper, papers)
        if len(sizes) == 1:
            runs = [(kind, folder / f"{kind}.tex", 0, len(contexts)) for kind in ("exam", "key")]
        elif sizes:
            parts = folder / ".parts"
            parts.mkdir()
            for kind in ("exam", "key"):
                for number, (first, text) in enumerate(split_document(documents[kind], sizes)):
                    path = parts / f"{kind}-{number:04d}.tex"
                    path.write_text(text, encoding="utf-8")
                    runs.append((kind, path, first, sizes[number]))
        self.seconds["render"] = time.perf_counter() - clock
        if not self.pdf:
            return written
        clock = time.perf_counter()
        report(f"typesetting {len(runs)} documents, {self.jobs} at a time")
        done = 0
        self.on_typeset(0, len(runs))
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            for _ in pool.map(tex_run.compile_pdf, [tex for _, tex, _, _ in runs]):
                done += 1
                self.on_typeset(done, len(runs))
        self.seconds["tex"] = time.perf_counter() - clock
        for kind, source, first, size in runs:
            label = f"{kind}.tex" if len(sizes) == 1 else f"{kind} part for papers {first + 1}-{first + size}"
            self.warnings += tex_run.layout_problems(source.with_suffix(".log"), label)
        clock = time.perf_counter()
        if len(sizes) > 1:
            report("joining the parts into exam.pdf and key.pdf")
            for kind in ("exam", "key"):
                tex_run.merge_pdfs([tex.with_suffix(".pdf") for k, tex, _, _ in runs if k == kind],
                                   folder / f"{kind}.pdf")
        written += [folder / "exam.pdf", folder / "key.pdf"]
        if self.per_student:
            report("splitting per-student PDFs")
            ids = [p.student.id if p.student else "practice" for p in exam.papers]
            written += split_per_student(folder, runs, ids, self.jobs)
        shutil.rmtree(folder / ".parts", ignore_errors=True)
        for kind in ("exam", "key"):
            (folder / f"{kind}.log").unlink(missing_ok=True)
        self.seconds["split"] = time.perf_counter() - clock
        return written


def split_per_student(folder: Path, runs: Sequence[tuple[str, Path, int, int]], student_ids: Sequence[str],
                      jobs: int) -> list[Path]:
    """Cut every typeset document into its papers: exams/<id>.pdf and keys/<id>.pdf."""
    stems = [file_stem(s) for s in student_ids]
    tasks = []
    for kind, subfolder in (("exam", "exams"), ("key", "keys")):
        (folder / subfolder).mkdir()
        for run_kind, source, first, size in runs:
            if run_kind != kind:
                continue
            starts = tex_run.paper_starts(source.with_suffix(".log"))
            if len(starts) != size:
                raise tex_run.CompileError(f"{source.with_suffix('.log').name} marks {len(starts)} papers, expected {size}")
            tasks.append((source.with_suffix(".pdf"), starts,
                          [folder / subfolder / f"{stem}.pdf" for stem in stems[first:first + size]]))
    # Each run's PDF is parsed once and cut into its papers (pypdf; a qpdf process per paper
    # would re-read the whole run every time), one process per core; workers die with us.
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), initializer=tex_run.die_with_parent) as pool:
        list(pool.map(_split, *zip(*tasks)))
    return [target for _, _, targets in tasks for target in targets]


def _split(pdf: Path, starts: list[int], targets: list[Path]) -> None:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(pdf)
    bounds = [*starts, len(reader.pages)]
    for index, target in enumerate(targets):
        writer = PdfWriter()
        for page in range(bounds[index], bounds[index + 1]):
            writer.add_page(reader.pages[page])
        with open(target, "wb") as handle:
            writer.write(handle)
