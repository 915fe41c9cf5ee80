"""View content as HTML for an LMS: text escaped, math left as TeX between `\\( \\)` / `\\[ \\]`
for the LMS's MathJax filter, figures as images the caller names."""

from __future__ import annotations

import html
import re
from typing import Callable, Sequence

from generators.markup import Block, Bullets, Content, DisplayMath, Figure, MathSpan, Paragraph, Table

# Print-only hints MathJax has no use for (line-break permissions, thin spaces stay).
_PRINT_ONLY = re.compile(r"\\allowbreak\s*")


def lms_tex(tex: str) -> str:
    return _PRINT_ONLY.sub("", tex).strip()


def inline(content: Content) -> str:
    return "".join(html.escape(f"\\({lms_tex(span.tex)}\\)", quote=False) if isinstance(span, MathSpan)
                   else html.escape(span.text, quote=False) for span in content)


def blocks(items: Sequence[Block], figure: Callable[[Figure], str]) -> str:
    """HTML for blocks; `figure` returns the <img> (or other HTML) for a figure."""
    return "\n".join(_block(block, figure) for block in items)


def _block(block: Block, figure: Callable[[Figure], str]) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{inline(block.content)}</p>"
    if isinstance(block, DisplayMath):
        return "<p>" + html.escape(f"\\[{lms_tex(block.tex)}\\]", quote=False) + "</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{inline(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{inline(cell)}</th>" for cell in block.header)
        rows = "".join("<tr>" + "".join(f"<td>{inline(cell)}</td>" for cell in row) + "</tr>" for row in block.rows)
        return f'<table border="1" cellpadding="4"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    if isinstance(block, Figure):
        return f"<p>{figure(block)}</p>"
    raise TypeError(f"no HTML for {type(block).__name__}")


def steps(items: Sequence[Content]) -> str:
    return "".join(f"<p>{inline(step)}</p>" for step in items)


_MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)


def math_fragments(text: str) -> list[str]:
    """The TeX of every `\\( \\)` and `\\[ \\]` fragment in (unescaped) HTML text."""
    return [inline or display for inline, display in _MATH.findall(html.unescape(text))]
