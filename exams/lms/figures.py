"""Figures as image files for outputs that cannot typeset: the SVG a family drew (see
generators/drawing.py), or, for a figure that has only TikZ, a PNG typeset from it (one
pdflatex run for all such figures, a tightly cropped page each, one pdftoppm call)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from variantex.answer_engine.errors import CompileError
from variantex.exams import latex as tex_run
from variantex.generators.markup import Figure

RESOLUTION = 150  # dots per inch: sharp on screen, a few kB per plot

_PREAMBLE = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{amsmath,amssymb}
%s
\pdfhorigin=0pt
\pdfvorigin=0pt
\newbox\figurebox
\newcommand{\figurepage}[1]{\setbox\figurebox\hbox{\kern4pt#1\kern4pt}%%
  \pdfpagewidth=\wd\figurebox \pdfpageheight=\dimexpr\ht\figurebox+\dp\figurebox+8pt\relax
  \shipout\vbox{\kern4pt\box\figurebox\kern4pt}}
\begin{document}
"""


def figure_pngs(figures: Sequence[Figure]) -> dict[str, bytes]:
    """PNG bytes per distinct figure (keyed by its TikZ source)."""
    distinct = list(dict.fromkeys(f.tikz for f in figures))
    if not distinct:
        return {}
    if shutil.which("pdftoppm") is None:
        raise CompileError("pdftoppm not found: run `make setup` (installs poppler-utils)")
    packages = sorted({p for f in figures for p in f.packages})
    with tempfile.TemporaryDirectory(prefix="variantex-figures-") as scratch:
        folder = Path(scratch)
        document = _PREAMBLE % "\n".join(f"\\usepackage{{{p}}}" for p in packages)
        document += "".join(f"\\figurepage{{{tikz}}}\n" for tikz in distinct) + "\\end{document}\n"
        tex = folder / "figures.tex"
        tex.write_text(document, encoding="utf-8")
        pdf = tex_run.compile_pdf(tex)
        result = subprocess.run(
            ["pdftoppm", "-png", "-r", str(RESOLUTION), str(pdf), str(folder / "page")],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            raise CompileError(f"pdftoppm failed: {result.stderr.strip()[:300]}")
        pages = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        if len(pages) != len(distinct):
            raise CompileError(f"figures: {len(pages)} images for {len(distinct)} figures")
        return {tikz: page.read_bytes() for tikz, page in zip(distinct, pages)}


class FigureFiles:
    """The image file for every figure of an export: (file suffix, bytes)."""

    def __init__(self, figures: Sequence[Figure]):
        self.pngs = figure_pngs([f for f in figures if not f.svg])

    def file(self, figure: Figure) -> tuple[str, bytes]:
        if figure.svg:
            return ".svg", figure.svg.encode("utf-8")
        return ".png", self.pngs[figure.tikz]
