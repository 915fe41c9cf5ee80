"""Names in every script: the names pdflatex cannot print, typeset by XeTeX into names.pdf.

pdflatex (T1 fonts) prints Latin names, but not 王小明, 김민준, Агата or Nguyễn Thị. Switching
the whole exam to a Unicode engine would make every build several times slower, so only the
names go through one: XeTeX, run once per build in its initial mode (no format, primitives
only, which needs nothing beyond the xetex program of Debian's texlive-binaries), sets each
such name on a page of its own in the first font that has all its characters — Latin Modern
(the exam's own typeface, with Vietnamese), DejaVu Serif (Greek, Cyrillic), Noto Serif CJK
(Chinese, Japanese, Korean). Each name gets a regular page and a bold one, all of one height
with the baseline at the same depth, so the exam places page k as if it were text
(`\\vxname{k}` in templates/preamble.tex.j2, scaled to the font size where it stands).

The page numbers depend on the roster alone, so exam.tex is the same on every machine; a
name that no installed font can print gets a line to write it on, on its page, and a warning.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from variantex.answer_engine.errors import CompileError
from variantex.answer_engine.formatting import untypesettable

NAMES_PDF = "names.pdf"
# Candidate fonts in order (XeTeX names: a [file] from TeX's tree, or a fontconfig family):
# the first one that has every character of a name prints it.
LATIN = ("[lmroman10-regular.otf]", "[lmroman10-bold.otf]")
GREEK_CYRILLIC = ("DejaVu Serif", "DejaVu Serif/B")
# Han characters alone are set in Noto's Chinese forms; kana ask for the Japanese forms,
# Hangul for the Korean font.
CJK = {script: (f"Noto Serif CJK {script}", f"Noto Serif CJK {script}/B") for script in ("SC", "JP", "KR")}
# The page: the name at 10 pt on a box 11 pt high and 3.5 pt deep, whatever its letters.
HEIGHT_PT, DEPTH_PT, SIZE_PT = 11.0, 3.5, 10.0


def name_pages(names: Iterable[str]) -> dict[str, int]:
    """Each name pdflatex cannot print and the page of names.pdf with its regular form (the
    bold form is the next page), in order of first appearance."""
    special = dict.fromkeys(name for name in names if untypesettable(name, math=False))
    return {name: 2 * index + 1 for index, name in enumerate(special)}


def cjk_script(name: str) -> str:
    if any(0xAC00 <= ord(c) <= 0xD7AF or 0x1100 <= ord(c) <= 0x11FF or 0x3130 <= ord(c) <= 0x318F for c in name):
        return "KR"
    if any(0x3040 <= ord(c) <= 0x30FF for c in name):
        return "JP"
    return "SC"


def candidates(name: str) -> list[tuple[str, str]]:
    return [LATIN, GREEK_CYRILLIC, CJK[cjk_script(name)]]


def _tex_text(name: str) -> str:
    """The name as XeTeX input in its initial mode, where only \\ % { } # are special (and the
    characters below space): those are set by character code, in a group (which ends the
    number and keeps the space after it)."""
    return "".join(f'{{\\char"{ord(c):X}}}' if c in "\\%{}#" or ord(c) < 32 else c for c in name)


_PREAMBLE = r"""\catcode`\{=1 \catcode`\}=2 \catcode`\#=6
\hoffset=-1in \voffset=-1in
\def\vxpage#1{\setbox0\hbox{#1}\ht0=%(height)spt \dp0=%(depth)spt
  \pdfpagewidth=\wd0 \pdfpageheight=%(page)spt \shipout\box0 }
""" % {"height": HEIGHT_PT, "depth": DEPTH_PT, "page": HEIGHT_PT + DEPTH_PT}
_LINE = r"\vrule width 6cm height 0.4pt depth 0pt"  # a name no font prints: a line to write it on


def _run_xetex(folder: Path, source: str, strict: bool = True) -> str:
    """Run XeTeX (initial mode with e-TeX's \\iffontchar, no shell escape, paranoid file access) on `source` in
    `folder`; return its log. Unless `strict`, an error (a font that is not installed) is
    passed over."""
    from variantex.exams.latex import log_excerpt, run_tex

    tex = folder / "names.tex"
    tex.write_text(source, encoding="utf-8")
    flags = ["-ini", "-etex", "-interaction=nonstopmode", *(["-halt-on-error"] if strict else [])]
    result = run_tex(["xetex", *flags, "-no-shell-escape", tex.name], folder)
    log_file = tex.with_suffix(".log")
    log = log_file.read_text(errors="replace") if log_file.exists() else result.stdout + result.stderr
    for leftover in (tex, log_file):
        leftover.unlink(missing_ok=True)
    if strict and result.returncode != 0:
        raise CompileError(f"typesetting the names in other scripts failed:\n{log_excerpt(log)}")
    return log


def font_coverage(folder: Path, fonts: Sequence[str], characters: str) -> dict[str, set[str]]:
    """Which of `characters` each font has, as XeTeX itself sees it (a font that is not
    installed has none)."""
    lines = [r"\catcode`\{=1 \catcode`\}=2 \catcode`\#=6"]
    for index, font in enumerate(fonts):
        # A font XeTeX cannot load leaves \nullfont, which has no characters.
        lines.append(rf'\font\vxf{_letters(index)}="{font}" at 10pt')
    codes = [f'"{ord(c):X}' for c in characters]
    for number in range(len(fonts)):
        lines.append(
            rf"\def\vxhas#1{{\iffontchar\vxf{_letters(number)} #1 \immediate\write-1{{VXHAS {number} \number#1}}\fi}}"
            + "".join(rf"\vxhas{{{code}}}" for code in codes)
        )
    lines.append(r"\end")
    log = _run_xetex(folder, "\n".join(lines) + "\n", strict=False)
    found: dict[str, set[str]] = {font: set() for font in fonts}
    for line in log.splitlines():
        if line.startswith("VXHAS "):
            _, which, code = line.split()
            found[fonts[int(which)]].add(chr(int(code)))
    return found


def typeset_names(pages: Mapping[str, int], folder: Path) -> list[str]:
    """Write names.pdf into `folder` with each name of `pages` (from `name_pages`) on its
    page; return warnings for names no installed font prints (they get a line). Without
    XeTeX, nothing is written and the exam shows a line for each (templates/preamble.tex.j2)."""
    if not pages:
        return []
    if shutil.which("xetex") is None:
        return [
            f"xetex not found: {len(pages)} name(s) in other scripts get a line to write on "
            "(run `make setup`, which installs it)"
        ]
    # Coverage is read from the regular fonts; their bold forms have the same characters.
    fonts = list(dict.fromkeys(regular for name in pages for regular, _ in candidates(name)))
    characters = "".join(sorted({c for name in pages for c in name if c not in " "}))
    coverage = font_coverage(folder, fonts, characters)
    body, warnings = [], []
    declared: dict[str, str] = {}

    def font(spec: str) -> str:
        if spec not in declared:
            declared[spec] = rf"\vxfont{_letters(len(declared))}"
            body.append(rf'\font{declared[spec]}="{spec}" at {SIZE_PT}pt')
        return declared[spec]

    pages_source = []
    for name in sorted(pages, key=pages.get):  # type: ignore[arg-type]
        needed = {c for c in name if c != " "}
        chosen = next(((r, b) for r, b in candidates(name) if needed <= coverage.get(r, set())), None)
        if chosen is None:
            lost = "".join(sorted(needed - set().union(*(coverage.get(r, set()) for r, _ in candidates(name)))))
            warnings.append(
                f"no installed font prints {lost or name!r} of the name {name!r}: the paper leaves a line to write "
                "it on (fonts-noto-core or another font with these characters fixes it)"
            )
            pages_source += [rf"\vxpage{{{_LINE}}}"] * 2
            continue
        for spec in chosen:
            pages_source.append(rf"\vxpage{{{font(spec)} {_tex_text(name)}}}")
    source = _PREAMBLE + "\n".join(body + pages_source) + "\n\\end\n"
    _run_xetex(folder, source)
    if not (folder / NAMES_PDF).exists():
        raise CompileError("XeTeX wrote no names.pdf")
    return warnings


def _letters(number: int) -> str:
    """A control-sequence suffix of letters only (TeX names take no digits): 0 -> a, 26 -> ba."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out = chr(ord("a") + digit) + out
        if number == 0:
            return out
