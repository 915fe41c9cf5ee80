"""The LaTeX/PDF exporter: exam views -> exam.tex and key.tex -> PDFs (and per-student PDFs).

Views become LaTeX here and only here: text is escaped, math is set in `$…$` / `\\[…\\]`,
figures are typeset in place. The format's wording (option boxes, answer boxes, "Justify
each step") lives in templates/question.tex.j2, not in any family.

The Jinja2 templates use `<< var >>`, `<% block %>` and `<# comment #>` so that LaTeX braces
need no escaping, are strict about undefined variables, and escape every string that is
not already marked `Latex`: user text cannot reach TeX unescaped.

Papers arrive in chunks while the build is still drawing the next ones. Each chunk is one
pdflatex pass over its exam papers followed by its key papers (`one_run`), in which every
figure is typeset once and shown on both the exam page and the key page; the pass runs in a
worker process and its PDF is cut into per-student PDFs right there, so TeX, cutting and
drawing overlap. exam.tex and key.tex are the chunks' texts joined (the same bytes as one
rendering of every paper, each a standalone document); exam.pdf and key.pdf are joined from
the chunks' exam pages and key pages.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from variantex.answer_engine.formatting import Latex, escape, untypesettable
from variantex.exams import latex as tex_run
from variantex.exams import sheet
from variantex.exams.names import NAMES_PDF, name_pages, typeset_names
from variantex.exams.roster import file_stem
from variantex.exams.spec import ALL_OR_NOTHING
from variantex.exams.view import ExamView, PaperView, QuestionView, tolerance_sentence
from variantex.generators.markup import Block, Bullets, Content, DisplayMath, Figure, MathSpan, Paragraph, Table
from variantex.generators.stems import template_environment


def _finalize(value: Any) -> Any:
    if isinstance(value, Latex):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return escape(value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(resources.files("variantex.templates")))
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
        return "\\begin{center}\n\\begin{tabular}{%s}\n" % align + "\n".join(lines) + "\n\\end{tabular}\n\\end{center}"
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
        "answers": [part(p) for p in view.key_answers],
        "options": [{"letter": o.letter, "printed": inline(o.content), "correct": o.correct} for o in view.options],
        "numeric": [part(p) for p in view.asked] if view.format == "numeric" else [],
        "statements": [{"number": s.number, "text": inline(s.content), "truth": s.truth} for s in view.statements],
        "tf_key": Latex(view.tf_key),
        "all_or_nothing": view.scoring == ALL_OR_NOTHING,
        "text_answers": sorted({t for p in view.asked for t in p.text_answers}),
        "tolerance": tolerance_sentence(view),
        "scores": [
            {"label": label, "item": item, "boxes": [{"text": Latex(sheet.score_text(v)), "value": v} for v in values]}
            for item, label, values in sheet.score_rows(sheet.ask_from_view(view))
        ]
        if view.format in ("numeric", "open")
        else [],
        # Room to write an open answer grows with the points it is worth.
        "space": Latex(f"{min(4 + 1.5 * float(view.points), 16):g}cm"),
    }


def render_papers(exam: ExamView, key: bool, contexts: list[dict] | None = None, first: int = 0) -> str:
    """One document; several papers (a roster) each start on a fresh page with a cover.

    `contexts` (from `paper_contexts`) lets the exam and the key share one conversion;
    `first` is how many papers came before these (the papers' markers count on from it).
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
            "page_count": exam.page_count,
        },
        key=key,
        first=first,
        paper=exam.paper,
        bubble_radius=sheet.BUBBLE_RADIUS,
        here_dx=sheet.HERE_DX,
        here_dy=sheet.HERE_DY,
        papers=contexts if contexts is not None else paper_contexts(exam),
    )


def paper_contexts(
    exam: ExamView,
    answers: str = sheet.NONE,
    spaces: Mapping[str, str] | None = None,
    names: Mapping[str, int] | None = None,
    sections: Mapping[str, str] | None = None,
) -> list[dict]:
    """Each paper's template context; `answers` (exams/sheet.py) adds a separate answer
    sheet's drawing, or bubbles and score boxes on the question pages (the exam shows them,
    the key does not); `spaces` gives open questions' room to write by slot (the spec's);
    `names` the page of names.pdf of each name pdflatex cannot print (exams/names.py)."""
    sheets = answers == sheet.SEPARATE
    # Equal questions share one view object (exams/view.py), so each converts once; the
    # converted context is only read by the templates.
    converted: dict[int, dict] = {}

    def context(view: QuestionView) -> dict:
        if id(view) not in converted:
            converted[id(view)] = question_context(view)
            if spaces and spaces.get(view.slot):
                converted[id(view)]["space"] = Latex(spaces[view.slot])
            converted[id(view)]["section"] = (sections or {}).get(view.slot, "")
        return converted[id(view)]

    return [
        {
            "student": {
                "id": p.student.id,
                "name": name_tex(p.student.name, names or {}),
                "signoff": name_tex(p.student.name, names or {}, otherwise=escape(p.student.id)),
            }
            if p.student
            else None,
            "questions": [context(q) for q in p.questions],
            "how_to_answer": how_to_answer({q.format for q in p.questions}, answers),
            "calculator": p.calculator,
            "sheet": sheet_drawing(exam.title, p, names or {}, sheet.PAPERS[exam.paper]) if sheets else [],
            "on_pages": answers == sheet.ON_PAGES,
        }
        for p in exam.papers
    ]


WRITE_NAME = Latex("\\rule{10cm}{0.4pt}")  # a line to write a name on


def name_tex(name: str, names: Mapping[str, int], otherwise: Latex = WRITE_NAME) -> Latex:
    """A student's name in LaTeX: as text, or as its page of names.pdf when pdflatex cannot
    print it (exams/names.py), with `otherwise` in its place where names.pdf is missing or
    `names` lacks the name."""
    if not untypesettable(name, math=False):
        return escape(name)
    return Latex(f"\\vxname{{{names[name]}}}{{{otherwise}}}" if name in names else otherwise)


def sheet_drawing(
    title: str, paper: PaperView, names: Mapping[str, int], size: sheet.PaperSize = sheet.A4
) -> list[Latex]:
    """The paper's answer sheet, a drawing per page (exams/sheet.py lays it out)."""
    rows = sheet.sheet_rows([sheet.ask_from_view(q) for q in paper.questions], size)
    student = paper.student
    who = Latex("") if student is None else Latex(f"{name_tex(student.name, names)} ({escape(student.id)})")
    return sheet.tex_pages(rows, title, who)


_HOW_TO_ANSWER = {
    "mcq": "Multiple choice: mark exactly one box.",
    "numeric": "Numeric: write the value in the box (exact fractions or decimals).",
    "tf": "True/false: mark T or F for each statement.",
    "open": "Open: show your reasoning in the space given.",
}


_SCANNED = {
    sheet.SEPARATE: "Mark multiple-choice and true/false answers on the answer sheet at the end of this paper: "
    "only the answer sheet is read.",
    sheet.ON_PAGES: "Fill the circle of your answer completely, with a dark pen; to change an answer, erase it "
    "completely. Score circles are for the grader.",
}


def how_to_answer(formats: set[str], answers: str = sheet.NONE) -> Latex:
    """The cover's instruction for the formats this paper has, in a fixed order."""
    words = [text for fmt, text in _HOW_TO_ANSWER.items() if fmt in formats]
    if answers in _SCANNED and formats & {"mcq", "tf"}:
        words.append(_SCANNED[answers])
    return Latex(" ".join(words))


MIN_CHUNK = 25  # papers per TeX run: below this, starting pdflatex costs more than it saves
MAX_CHUNK = 100  # above this, the first TeX run starts late and the last one finishes alone


def chunk_sizes(papers: int, jobs: int) -> list[int]:
    """How many papers each TeX run typesets: at least four runs per job (so the last ones
    finish together) and at most MAX_CHUNK papers a run, never fewer than MIN_CHUNK papers
    a run; one run for a small exam."""
    runs = max(1, min(max(4 * jobs, -(-papers // MAX_CHUNK)), papers // MIN_CHUNK))
    base, extra = divmod(papers, runs)
    return [base + (1 if i < extra else 0) for i in range(runs)]


_PAPER_START = "\\typeout{VARIANTEX-PAPER "
_PAGE_STYLE = "% Page headers"  # the line before the head's page style (exam.tex.j2)


def document_parts(document: str) -> tuple[str, str, str]:
    """(preamble and \\begin{document}, the papers, \\end{document} and after): every paper
    begins with the marker line exam.tex.j2 writes."""
    cut = document.index(_PAPER_START)
    end = document.rindex("\\end{document}")
    return document[:cut], document[cut:end], document[end:]


_FIGURE = re.compile(r"\\begin\{tikzpicture\}.*?\\end\{tikzpicture\}", re.DOTALL)
# Typesetting and shipping out TikZ is most of a paper's TeX time, and a key shows every
# figure of its exam again. So the exam typesets each figure once into a PDF form XObject
# (\pdfxform; written once, drawn wherever it is referenced) and the key refers to it.
# \leavevmode: a figure starts a paragraph, as the tikzpicture it replaces does.
_FIGURE_MACROS = (
    r"\newcommand{\vxsavefigure}[2]{\setbox0=\hbox{#2}\pdfxform0 "
    r"\expandafter\xdef\csname vxfigure#1\endcsname{\the\pdflastxform}\vxusefigure{#1}}"
    r"\newcommand{\vxusefigure}[1]{\leavevmode\pdfrefxform\csname vxfigure#1\endcsname\relax}"
)


def one_run(exam_document: str, key_document: str) -> tuple[str, int, int]:
    """One document typesetting the exam's papers and then the key's (rendered from the
    same papers), sharing their figures; and the lines (0-based) at which its exam papers
    and its key papers begin. Both parts keep their line count, so a line TeX names maps
    back to exam.tex or key.tex by an offset."""
    exam_head, exam_body, closing = document_parts(exam_document)
    key_head, key_body, _ = document_parts(key_document)
    forms: dict[str, int] = {}

    def save(match: re.Match) -> str:
        number = forms.setdefault(match[0], len(forms))
        return "\\vxsavefigure{%d}{%s}" % (number, match[0])

    def use(match: re.Match) -> str:
        if match[0] not in forms:  # a figure only the key has
            return match[0]
        # Comment out the figure's line ends rather than drop them: same line count,
        # and no blank line (a paragraph break) where the figure was.
        return "%\n" * match[0].count("\n") + "\\vxusefigure{%d}" % forms[match[0]]

    begin = exam_head.rindex("\\begin{document}")
    head = exam_head[:begin] + _FIGURE_MACROS + exam_head[begin:]
    key_style = key_head[key_head.index(_PAGE_STYLE) : key_head.rindex("\\begin{document}")]
    exams = _FIGURE.sub(save, exam_body)
    keys = _FIGURE.sub(use, key_body)
    exam_start = head.count("\n")
    key_start = exam_start + exams.count("\n") + key_style.count("\n")
    return head + exams + key_style + keys + closing, exam_start, key_start


KINDS = ("exam", "key")


class LatexExporter:
    """exam.tex and key.tex; with `pdf`, exam.pdf and key.pdf; with a roster, exams/<id>.pdf
    and keys/<id>.pdf.

    `write` takes the whole exam; `stream` takes it in chunks (the build's, from
    `chunk_sizes`), typesetting each chunk while the next is drawn: `jobs` worker
    processes, each running pdflatex once per part and cutting its PDF into papers.
    """

    name = "latex"

    def __init__(
        self,
        pdf: bool = True,
        per_student: bool = False,
        jobs: int | None = None,
        on_typeset: Callable[[int, int], None] | None = None,
        scan: str | None = None,
        answers: str = sheet.SEPARATE,
        spaces: Mapping[str, str] | None = None,
        names: Sequence[str] = (),
        sections: Mapping[str, str] | None = None,
    ):
        self.spaces = dict(spaces or {})  # open questions' room to write, by slot (the spec's `space`)
        self.sections = dict(sections or {})  # headings before questions, by slot (the spec's `section`)
        # The roster's names pdflatex cannot print, and their pages of names.pdf (exams/names.py).
        self.names = name_pages(names)
        self.notes: list[str] = []  # what the build should say that is not a layout problem
        self.scan = scan  # the exam id of a scannable build: answer sheets, marks and page codes
        self.answers = answers if scan is not None else sheet.NONE
        self.rows: list[list[sheet.Row]] = []  # answers on the question pages: each paper's rows, from TeX
        self.warnings: list[str] = []  # overfull lines and missing characters TeX reported
        self.pdf = pdf
        self.per_student = per_student
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.on_typeset = on_typeset or (lambda done, total: None)
        self.seconds: dict[str, float] = {}
        self.written: list[Path] = []

    def write(self, exam: ExamView, folder: Path, report: Callable[[str], None]) -> list[Path]:
        with self.stream(folder, report) as add:
            add(exam)
        return self.written

    @contextlib.contextmanager
    def stream(self, folder: Path, report: Callable[[str], None]) -> Iterator[Callable[[ExamView], None]]:
        """Yield `add(chunk)`; on leaving, wait for TeX and join the parts. An error inside
        stops every TeX run at once (nothing is joined)."""
        session = _Session(self, folder, report)
        try:
            yield session.add
        except BaseException:
            session.abort()
            raise
        try:
            session.finish()
        except BaseException:
            session.abort()
            raise


class _Session:
    """One streamed build of the LaTeX outputs."""

    def __init__(self, exporter: LatexExporter, folder: Path, report: Callable[[str], None]):
        self.exporter = exporter
        self.folder = folder
        self.report = report
        self.papers = 0
        self.paper = "a4"  # the paper size, from the first chunk
        self.count_pages = False  # the covers say how many pages (filled in after TeX)
        self.closing = ""
        self.lines = dict.fromkeys(KINDS, 0)  # lines written to each joined file
        # Open across many chunks; close() shuts them.
        self.combined = {kind: open(folder / f"{kind}.tex", "w", encoding="utf-8") for kind in KINDS}  # noqa: SIM115
        self.runs: list[tuple[Path, Future]] = []  # (part document, its TeX run)
        self.pool: ProcessPoolExecutor | None = None
        self.seconds = exporter.seconds
        self.seconds.setdefault("render", 0.0)
        exporter.notes += typeset_names(exporter.names, folder)

    def add(self, chunk: ExamView) -> None:
        clock = time.perf_counter()
        contexts = paper_contexts(
            chunk, self.exporter.answers, self.exporter.spaces, self.exporter.names, self.exporter.sections
        )
        first, self.papers = self.papers, self.papers + len(contexts)
        self.paper, self.count_pages = chunk.paper, chunk.page_count
        documents, shifts = {}, {}
        for kind in KINDS:
            documents[kind] = render_papers(chunk, key=kind == "key", contexts=contexts, first=first)
            head, body, self.closing = document_parts(documents[kind])
            if first == 0:
                self.combined[kind].write(head)
                self.lines[kind] = head.count("\n")
            shifts[kind] = self.lines[kind]  # lines of the joined file before this chunk's papers
            self.combined[kind].write(body)
            self.lines[kind] += body.count("\n")
        if self.exporter.pdf:
            self._submit(chunk, documents["exam"], documents["key"], shifts)
        self.seconds["render"] += time.perf_counter() - clock

    def _submit(self, chunk: ExamView, exam: str, key: str, shifts: dict[str, int]) -> None:
        parts = self.folder / ".parts"
        if not parts.exists():
            parts.mkdir()
            names = self.folder / NAMES_PDF
            if names.exists():  # TeX reads only its own folder (paranoid mode)
                os.link(names, parts / NAMES_PDF)
        tex = parts / f"part-{len(self.runs):04d}.tex"
        document, exam_start, key_start = one_run(exam, key)
        tex.write_text(document, encoding="utf-8")
        # TeX names lines of the part; the user has the joined files.
        sections = (("exam.tex", shifts["exam"] - exam_start), ("key.tex", shifts["key"] - key_start))
        targets: tuple[Path, ...] = ()
        if self.exporter.per_student:
            for kind in KINDS:
                subfolder = self.folder / ("exams" if kind == "exam" else "keys")
                subfolder.mkdir(exist_ok=True)
                targets += tuple(
                    subfolder / f"{file_stem(p.student.id if p.student else 'practice')}.pdf" for p in chunk.papers
                )
        if self.pool is None:
            # Workers die with this process, and their pdflatex with them.
            self.pool = ProcessPoolExecutor(max_workers=self.exporter.jobs, initializer=tex_run.die_with_parent)
        stamp = None
        if self.exporter.scan is not None:
            stamp = (self.exporter.scan, tuple(p.student.id if p.student else "" for p in chunk.papers), chunk.paper)
        run = self.pool.submit(tex_run.typeset, tex, len(chunk.papers), sections, targets, stamp, chunk.page_count)
        self.runs.append((tex, run))

    def finish(self) -> None:
        for handle in self.combined.values():
            handle.write(self.closing)
            handle.close()
        written = [self.folder / f"{kind}.tex" for kind in KINDS]
        if not self.exporter.pdf:
            if self.count_pages:
                self.exporter.notes.append("page_count: without PDFs the covers say '? pages' (TeX counts the pages)")
            self.exporter.written = written
            return
        clock = time.perf_counter()
        self.report(f"typesetting {len(self.runs)} documents, {self.exporter.jobs} at a time")
        # Progress is reported only from here on, after drawing has finished with its own
        # bar; runs that finished meanwhile come first out of as_completed.
        total = len(self.runs)
        self.exporter.on_typeset(0, total)
        for done, future in enumerate(as_completed([run for _, run in self.runs]), start=1):
            future.result()  # a failed run stops the build here
            self.exporter.on_typeset(done, total)
        self.seconds["tex"] = time.perf_counter() - clock
        clock = time.perf_counter()
        typeset = [(tex.with_suffix(".pdf"), run.result()) for tex, run in self.runs]  # in document order
        for _, result in typeset:
            self.exporter.warnings += result.problems
            size = sheet.PAPERS[self.paper]
            self.exporter.rows += [sheet.rows_from_log(bubbles, size) for bubbles in result.bubbles]
        joins = [
            self.pool.submit(
                tex_run.merge_pdfs, [(pdf, result.pages(kind)) for pdf, result in typeset], self.folder / f"{kind}.pdf"
            )
            for kind in KINDS
        ]
        if self.count_pages:  # exam.tex says what the PDFs have
            counts = [n for _, result in typeset for n in result.paper_pages]
            exam_tex = self.folder / "exam.tex"
            exam_tex.write_text(
                tex_run.fill_page_counts(exam_tex.read_text(encoding="utf-8"), counts), encoding="utf-8"
            )
        for join in joins:
            join.result()
        written += [self.folder / f"{kind}.pdf" for kind in KINDS]
        if self.exporter.per_student:
            written += sorted((self.folder / "exams").glob("*.pdf")) + sorted((self.folder / "keys").glob("*.pdf"))
        shutil.rmtree(self.folder / ".parts", ignore_errors=True)
        self._stop_pool()
        self.seconds["join"] = time.perf_counter() - clock
        self.exporter.written = written

    def abort(self) -> None:
        for handle in self.combined.values():
            handle.close()
        if self.pool is not None:
            # A running pdflatex would go on writing into a folder about to be removed:
            # stop the workers now (their pdflatex dies with them).
            workers = list((getattr(self.pool, "_processes", None) or {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.kill()
                process.join()
            self.pool = None

    def _stop_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
