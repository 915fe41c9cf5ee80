"""The question view's content model, and the small markup families write it in.

A question's text is a tuple of **blocks**: paragraphs (runs of text and inline math),
display math, bullet lists, tables and figures. Math is TeX math, the dialect pdflatex,
MathJax and TeX→MathML converters all read; text is plain Unicode that each output escapes
its own way. Nothing here knows LaTeX documents, HTML or any other output.

Families write blocks as **markup**, from a stem template or in Python (worked steps):

- paragraphs are separated by a blank line; line breaks inside one are spaces;
- `$…$` is inline math, a paragraph that is `$$…$$` is display math;
- a paragraph whose lines start with `- ` is a bullet list;
- `\\$` is a literal dollar and `\\\\` a literal backslash in text.

Values interpolated into a template never go through that syntax: they arrive as tokens
(`user_token`, `math_token`, `block_token`) that the parser resolves by where they stand.
User text becomes literal text, or `\\text{…}` with TeX specials escaped inside math; a
math value becomes TeX in math, or an inline math span in text; a block (table, figure)
must stand alone in its paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence, Union

from answer_engine.errors import VariantexError
from answer_engine.formatting import escape

USER, MATH, BLOCK = "\x01", "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class MarkupError(VariantexError):
    """A family's template or step wrote malformed markup: a bug in the family, not bad input."""


@dataclass(frozen=True)
class Text:
    text: str

    def as_json(self) -> dict:
        return {"type": "text", "text": self.text}


@dataclass(frozen=True)
class MathSpan:
    tex: str

    def as_json(self) -> dict:
        return {"type": "math", "tex": self.tex}


Inline = Union[Text, MathSpan]
Content = tuple[Inline, ...]


@dataclass(frozen=True)
class Paragraph:
    content: Content

    def as_json(self) -> dict:
        return {"type": "paragraph", "content": [span.as_json() for span in self.content]}


@dataclass(frozen=True)
class DisplayMath:
    tex: str

    def as_json(self) -> dict:
        return {"type": "display_math", "tex": self.tex}


@dataclass(frozen=True)
class Bullets:
    items: tuple[Content, ...]

    def as_json(self) -> dict:
        return {"type": "list", "items": [[span.as_json() for span in item] for item in self.items]}


@dataclass(frozen=True)
class Table:
    header: tuple[Content, ...]
    rows: tuple[tuple[Content, ...], ...]
    align: str = ""  # one of l/c/r per column ("" = all left)

    def as_json(self) -> dict:
        def cell(content: Content) -> list:
            return [span.as_json() for span in content]

        return {"type": "table", "header": [cell(c) for c in self.header],
                "rows": [[cell(c) for c in row] for row in self.rows], "align": self.align or "l" * len(self.header)}


@dataclass(frozen=True)
class Figure:
    """A TikZ picture: LaTeX outputs typeset it in place; others convert it (PDF→SVG)."""

    tikz: str  # a complete tikzpicture environment, user text already TeX-escaped
    description: str  # what the figure shows, for screen readers and text outputs
    packages: tuple[str, ...] = ("tikz",)

    def as_json(self) -> dict:
        return {"type": "figure", "tikz": self.tikz, "description": self.description, "packages": list(self.packages)}


Block = Union[Paragraph, DisplayMath, Bullets, Table, Figure]


# --- tokens: how a template's values reach the parser ------------------------------------

def user_token(text: Any) -> str:
    """Literal user text (names, titles): control characters are dropped, nothing else changes."""
    return USER + _CONTROL.sub("", str(text)).replace(USER, "") + USER


def math_token(tex: str) -> str:
    return MATH + str(tex).replace(MATH, "") + MATH


def block_token(index: int) -> str:
    return f"\n\n{BLOCK}{index}{BLOCK}\n\n"


# --- parsing ---------------------------------------------------------------------------

_BLOCK_ONLY = re.compile(r"^\x03(\d+)\x03$")


def parse_blocks(source: str, blocks: Sequence[Block] = ()) -> tuple[Block, ...]:
    """Markup (with tokens) -> blocks. `blocks` are the objects block tokens refer to."""
    parsed: list[Block] = []
    for paragraph in re.split(r"\n[ \t]*\n", source.strip()):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        only = _BLOCK_ONLY.match(paragraph)
        if only:
            parsed.append(blocks[int(only.group(1))])
        elif paragraph.startswith("$$") and paragraph.endswith("$$") and len(paragraph) >= 4:
            parsed.append(DisplayMath(_math(paragraph[2:-2].strip(), source)))
        elif paragraph.startswith("- "):
            parsed.append(Bullets(tuple(parse_inline(item) for item in _items(paragraph))))
        else:
            parsed.append(Paragraph(parse_inline(paragraph)))
    return tuple(parsed)


def _items(paragraph: str) -> list[str]:
    items: list[str] = []
    for line in paragraph.splitlines():
        line = line.strip()
        if line.startswith("- "):
            items.append(line[2:])
        else:
            items[-1] += " " + line  # a continuation line of the item above
    return items


def parse_inline(source: str) -> Content:
    """One paragraph of markup -> text and math spans (adjacent text merged, spaces folded)."""
    spans: list[Inline] = []
    text: list[str] = []

    def flush_text() -> None:
        if text:
            spans.append(Text("".join(text)))
            text.clear()

    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and source[i + 1] in "$\\":
            text.append(source[i + 1])
            i += 2
        elif char == USER:
            end = _closing(source, i, USER)
            text.append(source[i + 1:end])
            i = end + 1
        elif char == MATH:
            end = _closing(source, i, MATH)
            flush_text()
            spans.append(MathSpan(source[i + 1:end]))
            i = end + 1
        elif char == "$":
            end = _math_end(source, i + 1)
            flush_text()
            spans.append(MathSpan(_math(source[i + 1:end], source)))
            i = end + 1
        elif char == BLOCK:
            raise MarkupError(f"a table or figure must stand alone in its paragraph: {_show(source)}")
        else:
            text.append(char)
            i += 1
    flush_text()
    return _tidy(spans)


def _closing(source: str, start: int, mark: str) -> int:
    end = source.find(mark, start + 1)
    if end < 0:
        raise MarkupError(f"unterminated token in {_show(source)}")
    return end


def _math_end(source: str, start: int) -> int:
    i = start
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == USER or source[i] == MATH:
            i = _closing(source, i, source[i]) + 1
            continue
        if source[i] == "$":
            return i
        i += 1
    raise MarkupError(f"unclosed $ in {_show(source)}")


def _math(source: str, context: str) -> str:
    """Math markup -> TeX: user text becomes escaped \\text{…}, math tokens stay as they are."""
    out, i = [], 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            out.append(source[i:i + 2])
            i += 2
        elif char in (USER, MATH):
            end = _closing(source, i, char)
            inner = source[i + 1:end]
            out.append(r"\text{%s}" % escape(inner) if char == USER else inner)
            i = end + 1
        elif char == BLOCK:
            raise MarkupError(f"a table or figure cannot stand inside math: {_show(context)}")
        else:
            out.append(char)
            i += 1
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _tidy(spans: list[Inline]) -> Content:
    tidy: list[Inline] = []
    for span in spans:
        if isinstance(span, Text):
            folded = re.sub(r"\s+", " ", span.text)
            if tidy and isinstance(tidy[-1], Text):
                folded = tidy.pop().text + folded
            tidy.append(Text(folded))
        else:
            tidy.append(span)
    if tidy and isinstance(tidy[0], Text):
        tidy[0] = Text(tidy[0].text.lstrip())
    if tidy and isinstance(tidy[-1], Text):
        tidy[-1] = Text(tidy[-1].text.rstrip())
    return tuple(span for span in tidy if not (isinstance(span, Text) and not span.text))


def _show(source: str) -> str:
    shown = source.replace(USER, "«").replace(MATH, "⟨").replace(BLOCK, "▣")
    return repr(shown[:120])


def plain_content(content: Content, math_to_text) -> str:
    """Inline content as one line of text; `math_to_text` renders math spans."""
    return "".join(span.text if isinstance(span, Text) else math_to_text(span.tex) for span in content)
