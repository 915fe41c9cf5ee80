"""Figures drawn with pgf's quick commands take the room TikZ gives the same drawing."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import requires_tex
from variantex.generators import drawing

ITEMS = (
    drawing.Segments((((0.5, 0.0), (0.5, 3.0)), ((0.0, 1.0), (4.0, 1.0))), color="gray!25"),
    drawing.Frame((0.0, 0.0), (4.0, 3.0)),
    drawing.Clipped(
        (0.0, 0.0), (4.0, 3.0), (drawing.Segments((((-1.0, -1.0), (5.0, 4.0)),), dashed=True, thick=True),)
    ),
    drawing.Dots(((1.0, 1.0), (3.9, 2.9))),
    drawing.Label((0.5, -0.08), "top", "$0$", "0", "scriptsize"),
    drawing.Label((-0.08, 1.0), "right", "$10$", "10", "scriptsize"),
    drawing.Label((2.0, 3.1), "bottom", "Dataset A", "Dataset A", "small"),
)
# The same drawing written in TikZ by hand: the yardstick for size and placement.
TIKZ = r"""\begin{tikzpicture}
\draw[gray!25] (0.5,0) -- (0.5,3) (0,1) -- (4,1);
\draw (0,0) rectangle (4,3);
\begin{scope}\clip (0,0) rectangle (4,3); \draw[dashed, thick] (-1,-1) -- (5,4);\end{scope}
\fill (1,1) circle (1.7pt) (3.9,2.9) circle (1.7pt);
\node[anchor=north, inner sep=0pt] at (0.5,-0.08) {\scriptsize$0$};
\node[anchor=east, inner sep=0pt] at (-0.08,1) {\scriptsize$10$};
\node[anchor=south, inner sep=0pt] at (2,3.1) {\small Dataset A};
\end{tikzpicture}"""


def test_the_pgf_figure_uses_only_quick_paths_and_points():
    picture = drawing.pgf(ITEMS)
    assert picture.startswith(r"\begin{pgfpicture}") and picture.endswith(r"\end{pgfpicture}")
    assert r"\draw" not in picture and "cm}" not in picture  # nothing for TeX to parse
    assert picture.count(r"\pgfusepathqclip") == 1 and picture.count(r"\pgftext[") == 3
    assert r"\pgfpathqmoveto{14.23pt}{0.00pt}\pgfpathqlineto{14.23pt}{85.36pt}" in picture  # 0.5 cm, 3 cm
    assert r"\pgfsetdash{{3pt}{3pt}}{0pt}" in picture and r"\pgfsetlinewidth{0.8pt}" in picture


@requires_tex
def test_the_pgf_figure_is_as_large_as_the_same_drawing_in_tikz(tmp_path):
    document = (
        "\\documentclass[11pt]{article}\\usepackage{tikz}\\begin{document}\n"
        f"\\setbox0=\\hbox{{{drawing.pgf(ITEMS)}}}\\typeout{{PGF \\the\\wd0 \\the\\ht0 \\the\\dp0}}\n"
        f"\\setbox0=\\hbox{{{TIKZ}}}\\typeout{{TIKZ \\the\\wd0 \\the\\ht0 \\the\\dp0}}\n"
        "\\end{document}\n"
    )
    (tmp_path / "size.tex").write_text(document)
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "size.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    sizes = {
        name: [float(v) for v in re.findall(r"([-\d.]+)pt", rest)]
        for name, rest in re.findall(r"^(PGF|TIKZ) (.*)$", run.stdout, re.MULTILINE)
    }
    assert len(sizes["PGF"]) == len(sizes["TIKZ"]) == 3
    # TikZ adds half the line width around a stroke (0.2 pt); the labels set the rest.
    for pgf, tikz in zip(sizes["PGF"], sizes["TIKZ"]):
        assert abs(pgf - tikz) <= 0.5, sizes
    assert sizes["PGF"][0] > 4 * 28.45  # wider than the frame: the "10" sticks out on the left
