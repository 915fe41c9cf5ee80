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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from variantex.answer_engine.errors import VariantexError
from variantex.answer_engine.formatting import escape

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


Inline = Text | MathSpan
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

        return {
            "type": "table",
            "header": [cell(c) for c in self.header],
            "rows": [[cell(c) for c in row] for row in self.rows],
            "align": self.align or "l" * len(self.header),
        }


@dataclass(frozen=True)
class Figure:
    """A picture: LaTeX outputs typeset its TeX in place; web outputs show its SVG (both from
    one generators/drawing.py description), or a PNG typeset from the TeX when it has none."""

    # A complete tikzpicture or pgfpicture environment (the tikz package provides both), user
    # text already TeX-escaped. The name is what question files and exam.json call it.
    tikz: str
    description: str  # what the figure shows, for screen readers and text outputs
    packages: tuple[str, ...] = ("tikz",)
    svg: str = ""  # a standalone SVG document of the same drawing ("" when the family has none)

    def as_json(self) -> dict:
        return {
            "type": "figure",
            "tikz": self.tikz,
            "description": self.description,
            "packages": list(self.packages),
            "svg": self.svg,
        }


Block = Paragraph | DisplayMath | Bullets | Table | Figure


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


# One pass over a paragraph: an escape, a user-text token, a math token, a $…$ span (which
# may hold escapes and tokens), or a stray $ / block token (errors). Text between is literal.
_INLINE = re.compile(
    r"\\(?P<escaped>[$\\])"
    r"|\x01(?P<user>[^\x01]*)\x01"
    r"|\x02(?P<math_token>[^\x02]*)\x02"
    r"|\$(?P<math>(?:\\.|\x01[^\x01]*\x01|\x02[^\x02]*\x02|[^$\\\x01\x02])*)\$"
    r"|(?P<stray>[$\x01\x02\x03])",
    re.S,
)
_MATH_TOKENS = re.compile(r"\x01([^\x01]*)\x01|\x02([^\x02]*)\x02|\x03")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def parse_inline(source: str) -> Content:
    """One paragraph of markup -> text and math spans (adjacent text merged, spaces folded)."""
    spans: list[Inline] = []
    text: list[str] = []
    position = 0
    for match in _INLINE.finditer(source):
        text.append(source[position : match.start()])
        position = match.end()
        kind = match.lastgroup
        if kind == "escaped" or kind == "user":
            text.append(match.group(kind))
            continue
        if kind == "stray":
            stray = match.group(kind)
            if stray == BLOCK:
                raise MarkupError(f"a table or figure must stand alone in its paragraph: {_show(source)}")
            raise MarkupError(f"unclosed {'$' if stray == '$' else 'token'} in {_show(source)}")
        _flush(spans, text)
        spans.append(MathSpan(match.group(kind) if kind == "math_token" else _math(match.group(kind), source)))
    text.append(source[position:])
    _flush(spans, text)
    if spans and isinstance(spans[0], Text):
        spans[0] = Text(spans[0].text.lstrip())
    if spans and isinstance(spans[-1], Text):
        spans[-1] = Text(spans[-1].text.rstrip())
    return tuple(span for span in spans if not (isinstance(span, Text) and not span.text))


def _flush(spans: list[Inline], text: list[str]) -> None:
    joined = _SPACES.sub(" ", "".join(text))
    text.clear()
    if joined:
        spans.append(Text(joined))


def _math(source: str, context: str) -> str:
    """Math markup -> TeX: user text becomes escaped \\text{…}, math tokens stay as they are."""

    def token(match: re.Match) -> str:
        if match.group(0) == BLOCK:
            raise MarkupError(f"a table or figure cannot stand inside math: {_show(context)}")
        if match.group(1) is not None:
            return r"\text{%s}" % escape(match.group(1))
        return match.group(2)

    return _SPACES.sub(" ", _MATH_TOKENS.sub(token, source)).strip()


def _show(source: str) -> str:
    shown = source.replace(USER, "«").replace(MATH, "⟨").replace(BLOCK, "▣")
    return repr(shown[:120])


def plain_content(content: Content, math_to_text) -> str:
    """Inline content as one line of text; `math_to_text` renders math spans."""
    return "".join(span.text if isinstance(span, Text) else math_to_text(span.tex) for span in content)
