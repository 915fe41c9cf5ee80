"""View content as HTML for an LMS: text escaped, math left as TeX between `\\( \\)` / `\\[ \\]`
for the LMS's MathJax filter, figures as images the caller names."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from variantex.generators.markup import Block, Bullets, Content, DisplayMath, Figure, MathSpan, Paragraph, Table

# Print-only hints MathJax has no use for (line-break permissions, thin spaces stay).
_PRINT_ONLY = re.compile(r"\\allowbreak\s*")


def lms_tex(tex: str) -> str:
    return _PRINT_ONLY.sub("", tex).strip()


@dataclass(frozen=True)
class MathStyle:
    """How an HTML output writes math: inline and displayed (as TeX for MathJax, Canvas
    equation images, or MathML)."""

    inline: Callable[[str], str]
    display: Callable[[str], str]

    def content(self, content: Content) -> str:
        return "".join(
            self.inline(span.tex) if isinstance(span, MathSpan) else html.escape(span.text, quote=False)
            for span in content
        )

    def blocks(
        self, items: Sequence[Block], figure: Callable[[Figure], str], table: tuple[str, str] = ("<table>", "</table>")
    ) -> str:
        """HTML for blocks; `figure` gives a figure's HTML, `table` opens and closes a table."""
        return "\n".join(self._block(block, figure, table) for block in items)

    def _block(self, block: Block, figure: Callable[[Figure], str], table: tuple[str, str]) -> str:
        if isinstance(block, Paragraph):
            return f"<p>{self.content(block.content)}</p>"
        if isinstance(block, DisplayMath):
            return self.display(block.tex)
        if isinstance(block, Bullets):
            return "<ul>" + "".join(f"<li>{self.content(item)}</li>" for item in block.items) + "</ul>"
        if isinstance(block, Table):
            head = "".join(f'<th scope="col">{self.content(cell)}</th>' for cell in block.header)
            rows = "".join(
                "<tr>" + "".join(f"<td>{self.content(cell)}</td>" for cell in row) + "</tr>" for row in block.rows
            )
            return f"{table[0]}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody>{table[1]}"
        if isinstance(block, Figure):
            return figure(block)
        raise TypeError(f"no HTML for {type(block).__name__}")


# TeX between \( \) and \[ \], for an LMS's MathJax filter (Moodle, QTI 2.1 delivery systems).
TEX = MathStyle(
    inline=lambda tex: html.escape(f"\\({lms_tex(tex)}\\)", quote=False),
    display=lambda tex: "<p>" + html.escape(f"\\[{lms_tex(tex)}\\]", quote=False) + "</p>",
)


def inline(content: Content) -> str:
    return TEX.content(content)


def blocks(items: Sequence[Block], figure: Callable[[Figure], str]) -> str:
    """HTML for blocks with TeX math; `figure` returns the <img> (or other HTML) for a figure."""
    return TEX.blocks(
        items, lambda block: f"<p>{figure(block)}</p>", ('<table border="1" cellpadding="4">', "</table>")
    )


def steps(items: Sequence[Content]) -> str:
    return "".join(f"<p>{inline(step)}</p>" for step in items)


_MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)


def math_fragments(text: str) -> list[str]:
    """The TeX of every `\\( \\)` and `\\[ \\]` fragment in (unescaped) HTML text."""
    return [inline or display for inline, display in _MATH.findall(html.unescape(text))]
