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

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence

import jinja2

from answer_engine.formatting import Latex, escape, tex
from exams import latex as tex_run
from exams.roster import file_stem
from exams.view import ExamView, QuestionView
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
    return Latex(str(int(points)) if points.q == 1 else tex(points))


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
        "answers": [part(p) for p in view.answers],
        "options": [{"letter": o.letter, "printed": inline(o.content), "correct": o.correct} for o in view.options],
        "numeric": [part(p) for p in view.asked] if view.format == "numeric" else [],
        "text_answers": sorted({t for p in view.asked for t in p.text_answers}),
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
            "student": {"id": p.student.id, "name": p.student.name} if p.student else None,
            "questions": [question_context(q) for q in p.questions],
        }
        for p in exam.papers
    ]


class LatexExporter:
    """exam.tex and key.tex; with `pdf`, their PDFs; with a roster, exams/<id>.pdf and keys/<id>.pdf."""

    name = "latex"

    def __init__(self, pdf: bool = True, per_student: bool = False):
        self.pdf = pdf
        self.per_student = per_student
        self.seconds: dict[str, float] = {}

    def write(self, exam: ExamView, folder: Path, report: Callable[[str], None]) -> list[Path]:
        import time

        clock = time.perf_counter()
        contexts = paper_contexts(exam)
        documents = {
            "exam.tex": render_papers(exam, key=False, contexts=contexts),
            "key.tex": render_papers(exam, key=True, contexts=contexts),
        }
        written = []
        for name, text in documents.items():
            (folder / name).write_text(text, encoding="utf-8")
            written.append(folder / name)
        self.seconds["render"] = time.perf_counter() - clock
        if not self.pdf:
            return written
        clock = time.perf_counter()
        report("typesetting exam and key (one pass each, side by side)")
        with ThreadPoolExecutor(max_workers=2) as pool:
            written += list(pool.map(tex_run.compile_pdf, [folder / name for name in documents]))
        self.seconds["tex"] = time.perf_counter() - clock
        clock = time.perf_counter()
        if self.per_student:
            report("splitting per-student PDFs")
            written += split_per_student(folder, [p.student.id if p.student else "practice" for p in exam.papers])
        for name in documents:
            (folder / name).with_suffix(".log").unlink(missing_ok=True)
        self.seconds["split"] = time.perf_counter() - clock
        return written


def split_per_student(folder: Path, student_ids: Sequence[str]) -> list[Path]:
    stems = [file_stem(s) for s in student_ids]
    jobs = []
    for kind, subfolder in (("exam", "exams"), ("key", "keys")):
        (folder / subfolder).mkdir()
        starts = tex_run.paper_starts(folder / f"{kind}.log")
        if len(starts) != len(stems):
            raise tex_run.CompileError(f"{kind}.log marks {len(starts)} papers, expected {len(stems)}")
        jobs.append((folder / f"{kind}.pdf", starts, [folder / subfolder / f"{s}.pdf" for s in stems]))
    # pypdf is pure Python: two processes split the exam and the key on both cores.
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_split, *zip(*jobs)))
    return [target for _, _, targets in jobs for target in targets]


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
