"""Compiling LaTeX to PDF with latexmk/pdflatex, safely.

Shell escape is never enabled, and kpathsea runs in paranoid mode (no writing or reading
outside the build folder), so nothing in a document can run commands or touch files.
A failed compile raises `CompileError` carrying the relevant lines of the TeX log.
"""

from __future__ import annotations

import bisect
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from variantex.answer_engine.errors import CompileError
from variantex.exams.sheet import PAPERS, page_payload
from variantex.exams.stamp import stamp_pages

# PDFs carry no build time: pdfTeX takes its dates and document ID from SOURCE_DATE_EPOCH
# (the caller's, if set; else this fixed instant, 2026-01-01 00:00 UTC), so the same
# inputs give byte-identical PDFs.
FIXED_EPOCH = "1767225600"


def tex_environment() -> dict[str, str]:
    return {
        **os.environ,
        "openout_any": "p",
        "openin_any": "p",
        "shell_escape": "f",
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", FIXED_EPOCH),
        "FORCE_SOURCE_DATE": "1",
    }


CONTEXT_LINES = 4
_LEFTOVERS = (".aux", ".log", ".fls", ".fdb_latexmk", ".out")


def compile_pdf(tex_file: Path) -> Path:
    """Compile `tex_file` in its own folder in one pdflatex pass; return the PDF path.

    The documents have no cross-references, so one pass is final; the log is kept beside
    the PDF (as .log) for `typeset`, and the other by-products are removed.
    """
    if shutil.which("pdflatex") is None:
        raise CompileError("pdflatex not found: run `make setup` (installs TeX Live) or use --no-pdf")
    folder = tex_file.parent
    command = [
        "pdflatex",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
        "-no-shell-escape",
        tex_file.name,
    ]
    result = run_tex(command, folder)
    pdf = tex_file.with_suffix(".pdf")
    log = tex_file.with_suffix(".log")
    if result.returncode != 0 or not pdf.exists():
        excerpt = log_excerpt(log.read_text(errors="replace") if log.exists() else result.stdout + result.stderr)
        raise CompileError(f"{tex_file.name} did not compile:\n{excerpt}")
    for suffix in _LEFTOVERS:
        if suffix != ".log":
            tex_file.with_suffix(suffix).unlink(missing_ok=True)
    return pdf


def run_tex(command: list[str], folder: Path) -> subprocess.CompletedProcess:
    """Run a TeX engine in `folder` the safe way: no shell escape (the caller's flags say so
    too), kpathsea in paranoid mode, a fixed build date, no stdin; it dies with variantex.
    No time limit: a 10,000-student chunk takes as long as it takes (the CLI shows progress)."""
    return subprocess.run(
        command,
        cwd=folder,
        env=tex_environment(),
        capture_output=True,
        text=True,
        errors="replace",
        stdin=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )


def _load_prctl():
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux/glibc
        return None


# Loaded once here: die_with_parent runs between fork and exec in a threaded process,
# where importing or loading a library could deadlock.
_PRCTL = _load_prctl()
_PR_SET_PDEATHSIG = 1


# A build's workers inherit what they need by fork; where there is none (Windows), a build
# runs in one process (exams/pipeline.py) and joins its PDFs one after the other.
CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def die_with_parent() -> None:
    """In a child process: ask Linux to kill it when its parent dies (even by SIGKILL), so a
    killed build leaves no pdflatex or split worker behind. A no-op elsewhere."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def cut_pdf(pdf: Path, starts: list[int], targets: list[Path]) -> None:
    """Cut `pdf` into `targets`: target i holds pages starts[i] up to starts[i + 1] (0-based).

    The PDF is parsed once (pikepdf, qpdf's library) and each part written byte-reproducibly.
    """
    import pikepdf

    with pikepdf.open(pdf) as source:
        bounds = [*starts, len(source.pages)]
        for index, target in enumerate(targets):
            with pikepdf.new() as part:
                part.pages.extend(source.pages[bounds[index] : bounds[index + 1]])
                part.save(target, deterministic_id=True)


# Each paper logs the pages shipped before it (exam.tex.j2); TeX logs the page count.
_MARKER = re.compile(r"^VARIANTEX-PAPER \d+ AFTER (\d+)$", re.MULTILINE)
# A scannable paper's answer sheet logs where it starts and ends (exam.tex.j2).
_SHEET = re.compile(r"^VARIANTEX-SHEET (START|END) AFTER (\d+)$", re.MULTILINE)
_PAGES = re.compile(r"^Output written on .*?\((\d+) pages?", re.MULTILINE | re.DOTALL)
_OVERFULL = re.compile(r"^Overfull \\hbox \(([\d.]+)pt too wide\) .*?lines (\d+)--\d+", re.MULTILINE)
_MISSING = re.compile(r"^Missing character: There is no (.+?) in font", re.MULTILINE)


@dataclass(frozen=True)
class LayoutProblem:
    """A line running into the margin (at a source line of `label`) or a character no font had."""

    label: str  # the file whose lines are named: exam.tex or key.tex
    text: str
    line: int | None = None

    def shifted(self, lines: int) -> LayoutProblem:
        return self if self.line is None else LayoutProblem(self.label, self.text, self.line + lines)

    def __str__(self) -> str:
        where = "" if self.line is None else f" (TeX source line {self.line})"
        return f"{self.label}: {self.text}{where}"


def layout_problems(log: str, label: str, line_shift: int = 0) -> list[LayoutProblem]:
    """Lines running into the margin and characters no font had, from (part of) a TeX log;
    source lines are named in `label`'s numbering (the log's plus `line_shift`)."""
    problems = [
        LayoutProblem(label, f"a line runs {float(width):.1f}pt into the margin", int(line) + line_shift)
        for width, line in _OVERFULL.findall(log)
    ]
    problems += [
        LayoutProblem(label, f"no font has the character {char!r}") for char in dict.fromkeys(_MISSING.findall(log))
    ]
    return problems


def log_excerpt(log: str) -> str:
    """The error lines of a TeX log with a little context, or its tail if none is marked."""
    lines = log.splitlines()
    marked = [i for i, line in enumerate(lines) if line.startswith("!") or re.match(r"^[^:\s]+:\d+: ", line)]
    if not marked:
        return "\n".join(lines[-15:])
    shown = []
    for i in marked[:3]:
        shown.extend(lines[i : i + CONTEXT_LINES + 1])
        shown.append("...")
    return "\n".join(shown)


@dataclass(frozen=True)
class Typeset:
    """What one TeX run of a build made: its exam pages, then its key pages (1-based, as
    qpdf counts), and the layout problems TeX reported."""

    key_first_page: int
    page_count: int
    problems: list[LayoutProblem]
    bubbles: list[list[tuple[int, int, str, int, int]]] = field(default_factory=list)  # per exam paper
    paper_pages: list[int] = field(default_factory=list)  # each exam paper's pages (with `count_pages`)

    def pages(self, kind: str) -> tuple[int, int]:
        return (1, self.key_first_page - 1) if kind == "exam" else (self.key_first_page, self.page_count)


_PAGE_COUNT = re.compile(r"\\vxpages\{[^}]*\}")


def fill_page_counts(text: str, counts: Sequence[int]) -> str:
    """`text` with its covers' page counts (\\vxpages{…}, one per exam paper, in order) set to
    `counts`."""
    numbers = iter(counts)
    return _PAGE_COUNT.sub(lambda _: f"\\vxpages{{{next(numbers)}}}", text)


def page_payloads(
    exam_id: str, students: Sequence[str], starts: Sequence[int], sheets: Sequence[tuple[int, int]]
) -> list[str]:
    """The code of each exam page: paper i spans pages starts[i] up to starts[i + 1]
    (0-based), and its answer sheet pages sheets[i] (first, end)."""
    payloads = []
    for student, first, end, (sheet, sheet_end) in zip(students, starts, starts[1:], sheets):
        for page in range(first, end):
            label = f"S{page - sheet + 1}" if sheet <= page < sheet_end else str(page - first + 1)
            payloads.append(page_payload(exam_id, label, student))
    return payloads


def typeset(
    tex_file: Path,
    papers: int,
    sections: tuple[tuple[str, int], ...],
    targets: tuple[Path, ...] = (),
    stamp: tuple[str, tuple[str, ...], str] | None = None,
    count_pages: bool = False,
) -> Typeset:
    """One TeX run, as a build's worker process does it: compile `tex_file` (`papers` exam
    papers, then as many key papers: see exams/exporters/latex.one_run), cut the PDF into
    `targets` (one per paper, at the pages TeX logged), and report its layout problems in
    the numbering of the joined files (`sections`: the exam's and the key's label and line
    shift).

    `stamp` (the exam id, the papers' student ids and the paper size) puts registration marks
    and a page code on every exam page (exams/stamp.py) before the cut.

    With `count_pages`, each exam cover's page count (\\vxpages) is filled in from a first
    pass and the document typeset again (until the counts agree with the pages: a count's
    width cannot move a page break on a cover that ends with \\newpage, but it is checked).

    Cutting here, right after the run, overlaps it with the other runs still typesetting.
    """
    for _ in range(3):
        pdf = compile_pdf(tex_file)
        log = tex_file.with_suffix(".log").read_text(errors="replace")
        markers = list(_MARKER.finditer(log))
        if len(markers) != 2 * papers:
            raise CompileError(f"{tex_file.name}: TeX marked {len(markers)} papers, expected {2 * papers}")
        starts = [int(marker[1]) for marker in markers]
        counts = [end - start for start, end in zip(starts[:papers], starts[1 : papers + 1])] if count_pages else []
        source = tex_file.read_text(encoding="utf-8") if count_pages else ""
        filled = fill_page_counts(source, counts)
        if filled == source:
            break
        tex_file.write_text(filled, encoding="utf-8")
    else:
        raise CompileError(f"{tex_file.name}: the covers' page counts did not settle in three passes")
    bubbles: list[list[tuple[int, int, str, int, int]]] = [[] for _ in range(papers)]
    if stamp is not None:
        exam_id, students, paper = stamp
        found = [(m[1], int(m[2])) for m in _SHEET.finditer(log[: markers[papers].start()])]
        sheets = [(a, b) for (s, a), (e, b) in zip(found[::2], found[1::2]) if (s, e) == ("START", "END")]
        if not found:  # answers on the question pages: no sheet
            sheets = [(end, end) for end in starts[1 : papers + 1]]
        if len(sheets) != papers or len(students) != papers:
            raise CompileError(f"{tex_file.name}: TeX logged {len(sheets)} answer sheets, expected {papers}")
        stamp_pages(pdf, page_payloads(exam_id, students, starts[: papers + 1], sheets), PAPERS[paper])
        bubbles = logged_bubbles(log, starts[: papers + 1])
    if targets:
        cut_pdf(pdf, starts, list(targets))
    # The key's papers begin at its first marker; what TeX logged before is the exam's.
    split = markers[papers].start()
    (exam_label, exam_shift), (key_label, key_shift) = sections
    problems = layout_problems(log[:split], exam_label, exam_shift) + layout_problems(log[split:], key_label, key_shift)
    return Typeset(
        key_first_page=starts[papers] + 1,
        page_count=int(_PAGES.search(log)[1]),
        problems=problems,
        bubbles=bubbles,
        paper_pages=counts,
    )


# \vxhere (exam.tex.j2) logs each bubble on a question page at shipout: the pages shipped
# so far (this one included), the question, its token and the position in scaled points.
_BUBBLE = re.compile(r"^VARIANTEX-BUBBLE (\d+) (\d+) (\S+) (-?\d+) (-?\d+)$", re.MULTILINE)


def logged_bubbles(log: str, starts: Sequence[int]) -> list[list[tuple[int, int, str, int, int]]]:
    """Each exam paper's logged bubbles: (page of the paper, question, token, x, y); paper i
    holds the pages after starts[i] up to starts[i + 1]."""
    found: list[list[tuple[int, int, str, int, int]]] = [[] for _ in starts[1:]]
    for match in _BUBBLE.finditer(log):
        shipped = int(match[1])
        paper = bisect.bisect_left(starts, shipped) - 1  # starts[paper] < shipped <= starts[paper + 1]
        if 0 <= paper < len(found):
            found[paper].append((shipped - starts[paper], int(match[2]), match[3], int(match[4]), int(match[5])))
    return found
