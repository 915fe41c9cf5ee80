"""Compiling LaTeX to PDF with latexmk/pdflatex, safely.

Shell escape is never enabled, and kpathsea runs in paranoid mode (no writing or reading
outside the build folder), so nothing in a document can run commands or touch files.
A failed compile raises `CompileError` carrying the relevant lines of the TeX log.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from answer_engine.errors import CompileError

TIMEOUT_SECONDS = 600
# PDFs carry no build time: pdfTeX takes its dates and document ID from SOURCE_DATE_EPOCH
# (the caller's, if set; else this fixed instant, 2026-01-01 00:00 UTC), so the same
# inputs give byte-identical PDFs.
FIXED_EPOCH = "1767225600"


def tex_environment() -> dict[str, str]:
    return {**os.environ, "openout_any": "p", "openin_any": "p", "shell_escape": "f",
            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", FIXED_EPOCH), "FORCE_SOURCE_DATE": "1"}
CONTEXT_LINES = 4
_LEFTOVERS = (".aux", ".log", ".fls", ".fdb_latexmk", ".out")


def compile_pdf(tex_file: Path) -> Path:
    """Compile `tex_file` in its own folder in one pdflatex pass; return the PDF path.

    The documents have no cross-references, so one pass is final; the log is kept beside
    the PDF (as .log) for `paper_starts`, and the other by-products are removed.
    """
    if shutil.which("pdflatex") is None:
        raise CompileError("pdflatex not found: run `make setup` (installs TeX Live) or use --no-pdf")
    folder = tex_file.parent
    command = [
        "pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
        "-no-shell-escape", tex_file.name,
    ]
    environment = tex_environment()
    try:
        result = subprocess.run(
            command, cwd=folder, env=environment, capture_output=True, text=True, errors="replace",
            timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise CompileError(f"{tex_file.name}: LaTeX did not finish in {TIMEOUT_SECONDS} s") from None
    pdf = tex_file.with_suffix(".pdf")
    log = tex_file.with_suffix(".log")
    if result.returncode != 0 or not pdf.exists():
        excerpt = log_excerpt(log.read_text(errors="replace") if log.exists() else result.stdout + result.stderr)
        raise CompileError(f"{tex_file.name} did not compile:\n{excerpt}")
    for suffix in _LEFTOVERS:
        if suffix != ".log":
            tex_file.with_suffix(suffix).unlink(missing_ok=True)
    return pdf


def paper_starts(log_file: Path) -> list[int]:
    """0-based first page of each paper, from the markers the exam template logs."""
    text = log_file.read_text(errors="replace")
    return [int(match) for match in re.findall(r"^VARIANTEX-PAPER \d+ AFTER (\d+)$", text, flags=re.MULTILINE)]


def log_excerpt(log: str) -> str:
    """The error lines of a TeX log with a little context, or its tail if none is marked."""
    lines = log.splitlines()
    marked = [i for i, line in enumerate(lines) if line.startswith("!") or re.match(r"^[^:\s]+:\d+: ", line)]
    if not marked:
        return "\n".join(lines[-15:])
    shown = []
    for i in marked[:3]:
        shown.extend(lines[i: i + CONTEXT_LINES + 1])
        shown.append("...")
    return "\n".join(shown)
