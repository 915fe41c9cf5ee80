"""The LaTeX/PDF exporter: exam views -> exam.tex and key.tex -> PDFs (and per-student PDFs).

Views become LaTeX here and only here: text is escaped, math is set in `$…$` / `\\[…\\]`,
figures are typeset in place. The format's wording (option boxes, answer boxes, "Justify
each step") lives in templates/question.tex.j2, not in any family.

The Jinja2 templates use `<< var >>`, `<% block %>` and `<# comment #>` so that LaTeX braces
need no escaping, are strict about undefined variables, and escape every string that is
not already marked `Latex`: user text cannot reach TeX unescaped.

A build's papers come in chunks (exams/pipeline.py), each rendered and typeset by the
worker process that drew it (`LatexExporter.chunk`): one pdflatex pass over its exam papers
followed by its key papers (`one_run`), in which every figure is typeset once and shown on
both the exam page and the key page, and the PDF cut into per-student PDFs right there.
exam.tex and key.tex are the chunks' texts joined in order (the same bytes as one rendering
of every paper, each a standalone document); exam.pdf and key.pdf are joined from the
chunks' exam pages and key pages (`LatexExporter.join`, exams/pdfjoin.py).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
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
MAX_CHUNK = 100  # above this, the first chunk finishes late and a worker holds many papers
RUNS = 8  # chunks a build is cut into when it can: enough for the workers to finish together


def chunk_sizes(papers: int) -> list[int]:
    """How many papers each chunk (one worker's job, one TeX run) has: RUNS chunks, of at
    least MIN_CHUNK and at most MAX_CHUNK papers; one for a small exam. The cut never depends
    on the number of workers: a chunk's fonts are subset to what it prints, so the PDFs are
    the same bytes only if the chunks are."""
    runs = max(1, -(-papers // MAX_CHUNK), min(RUNS, papers // MIN_CHUNK))
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


_FIGURE = re.compile(r"\\begin\{(tikz|pgf)picture\}.*?\\end\{\1picture\}", re.DOTALL)
# Typesetting and shipping out figures is most of a paper's TeX time, and a key shows every
# figure of its exam again. So the exam typesets each figure once into a PDF form XObject
# (\pdfxform; written once, drawn wherever it is referenced) and the key refers to it.
# \leavevmode: a figure starts a paragraph, as the picture it replaces does.
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


@dataclass
class LatexChunk:
    """What one chunk of papers became: each kind's preamble, papers and closing (the
    joined files are the first chunk's preamble, every chunk's papers and the closing),
    and with PDFs its TeX run (`part`: the part's PDF, exam pages then key pages)."""

    heads: dict[str, str]
    bodies: dict[str, str]
    closing: str
    typeset: tex_run.Typeset | None = None
    part: Path | None = None


class LatexExporter:
    """exam.tex and key.tex; with `pdf`, exam.pdf and key.pdf; with a roster, exams/<id>.pdf
    and keys/<id>.pdf.

    A build calls `prepare` once, `chunk` for each chunk of papers (in worker processes:
    exams/pipeline.py) and `join` once with what the chunks made, in order.
    """

    def __init__(
        self,
        pdf: bool = True,
        per_student: bool = False,
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
        self.scan = scan  # the exam id of a scannable build: answer sheets, marks and page codes
        self.answers = answers if scan is not None else sheet.NONE
        self.pdf = pdf
        self.per_student = per_student

    def prepare(self, folder: Path) -> list[str]:
        """Before any chunk: names.pdf and the folders the chunks write into; notes to show."""
        notes = typeset_names(self.names, folder)
        if self.pdf:
            parts = folder / ".parts"
            parts.mkdir()
            if (folder / NAMES_PDF).exists():  # TeX reads only its own folder (paranoid mode)
                os.link(folder / NAMES_PDF, parts / NAMES_PDF)
            if self.per_student:
                for kind in KINDS:
                    (folder / _SUBFOLDER[kind]).mkdir()
        return notes

    def chunk(self, view: ExamView, first: int, index: int, folder: Path) -> LatexChunk:
        """Render a chunk's papers (`first` papers came before them) and, with PDFs, typeset
        them in one TeX run and cut the PDF into per-student PDFs."""
        contexts = paper_contexts(view, self.answers, self.spaces, self.names, self.sections)
        documents = {kind: render_papers(view, key=kind == "key", contexts=contexts, first=first) for kind in KINDS}
        split = {kind: document_parts(document) for kind, document in documents.items()}
        made = LatexChunk(
            heads={kind: split[kind][0] for kind in KINDS},
            bodies={kind: split[kind][1] for kind in KINDS},
            closing=split["exam"][2],
        )
        if self.pdf:
            made.part, made.typeset = self._typeset(view, documents, made.heads, index, folder)
            if view.page_count:  # exam.tex says what the PDFs have
                made.bodies["exam"] = tex_run.fill_page_counts(made.bodies["exam"], made.typeset.paper_pages)
        return made

    def _typeset(
        self, view: ExamView, documents: dict[str, str], heads: dict[str, str], index: int, folder: Path
    ) -> tuple[Path, tex_run.Typeset]:
        tex = folder / ".parts" / f"part-{index:04d}.tex"
        document, exam_start, key_start = one_run(documents["exam"], documents["key"])
        tex.write_text(document, encoding="utf-8")
        # TeX names lines of the part; the user has the joined files. Lines are counted here
        # from the start of this chunk's papers (the build adds the chunks before it).
        lines = {kind: heads[kind].count("\n") for kind in KINDS}
        sections = (("exam.tex", lines["exam"] - exam_start), ("key.tex", lines["key"] - key_start))
        targets: tuple[Path, ...] = ()
        if self.per_student:
            targets = tuple(
                folder / _SUBFOLDER[kind] / f"{file_stem(p.student.id if p.student else 'practice')}.pdf"
                for kind in KINDS
                for p in view.papers
            )
        stamp = None
        if self.scan is not None:
            stamp = (self.scan, tuple(p.student.id if p.student else "" for p in view.papers), view.paper)
        return tex.with_suffix(".pdf"), tex_run.typeset(
            tex, len(view.papers), sections, targets, stamp, view.page_count
        )

    def join(self, folder: Path, parts: Sequence[tuple[Path, tex_run.Typeset]]) -> None:
        """exam.pdf and key.pdf from the chunks' parts, in order (nothing without PDFs)."""
        if not self.pdf:
            return
        from variantex.exams.pdfjoin import join_pdfs  # pikepdf: only a PDF build loads it

        joins = {
            kind: ([(pdf, typeset.pages(kind)) for pdf, typeset in parts], folder / f"{kind}.pdf") for kind in KINDS
        }
        if tex_run.CAN_FORK:
            # The exam and the key joined at once, each by a process of its own.
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(len(KINDS), mp_context=context, initializer=tex_run.die_with_parent) as pool:
                for future in [pool.submit(join_pdfs, *join) for join in joins.values()]:
                    future.result()
        else:
            for join in joins.values():
                join_pdfs(*join)
        shutil.rmtree(folder / ".parts", ignore_errors=True)


_SUBFOLDER = {"exam": "exams", "key": "keys"}
