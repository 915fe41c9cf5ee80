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


# Commands whose argument is text, not math: a name or label drawn from user input.
TEXT_COMMAND = re.compile(
    r"\\(text|textrm|textit|textbf|texttt|textsf|textsl|mathrm|mathsf|mathtt|mathit|mathbf|operatorname)\s*\{"
)


def map_text_bodies(tex: str, change: Callable[[str, str], str]) -> str:
    """TeX with the argument of every text command replaced by change(command, argument);
    braces are matched, and an escaped one (\\{ \\}) does not count."""
    out, position = [], 0
    for match in TEXT_COMMAND.finditer(tex):
        if match.start() < position:
            continue  # inside an argument already changed
        depth, index = 1, match.end()
        while index < len(tex) and depth:
            if tex[index] == "\\":
                index += 2
                continue
            depth += {"{": 1, "}": -1}.get(tex[index], 0)
            index += 1
        body_end = index - 1 if depth == 0 else index
        out += [tex[position : match.end()], change(match.group(1), tex[match.end() : body_end]), tex[body_end:index]]
        position = index
    out.append(tex[position:])
    return "".join(out)


def _backslash_outside_text(command: str, body: str) -> str:
    # MathJax has no \textbackslash: close the text, write the math symbol, open it again.
    return body.replace("\\textbackslash{}", "}\\backslash\\%s{" % command)


def lms_tex(tex: str) -> str:
    tex = _PRINT_ONLY.sub("", tex).strip()
    if "\\textbackslash" in tex:
        tex = map_text_bodies(tex, _backslash_outside_text)
    return tex


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


# --- a mistake's description: plain text with a little notation -----------------------------
# Families describe mistakes in Unicode with TeX-like scripts ("(1 − λ_min)^{r+1}", "α^{2t}",
# "x_0") and, rarely, `$…$` math. Feedback shows scripts as <sup>/<sub> and math through the
# target's math path, never raw `^{…}`.

Node = str | tuple[str, "list[Node]"]  # text, ("sup" | "sub", children) or ("math", [tex])


_SINGLE_SUPERSCRIPTS = frozenset("⊤†*′")


def _script_word(text: str, start: int, signed: bool) -> int:
    """The end of a bare script at `start`: a run of letters and digits, after a minus sign
    when `signed` (an exponent like ^−1); `start` itself when there is none."""
    end = start + 1 if signed and text[start : start + 1] in ("−", "-") else start
    word = end
    while word < len(text) and text[word].isalnum():
        word += 1
    return word if word > end else start


def notation(text: str) -> list[Node]:
    """The description parsed: `$…$` math, `^{…}`/`_{…}` (nested) and `^word`/`_word` scripts."""
    nodes: list[Node] = []
    plain: list[str] = []
    index = 0

    def flush() -> None:
        if plain:
            nodes.append("".join(plain))
            plain.clear()

    while index < len(text):
        char = text[index]
        if char == "$" and (end := text.find("$", index + 1)) > index:
            flush()
            nodes.append(("math", [text[index + 1 : end]]))
            index = end + 1
        elif char in "^_" and index + 1 < len(text) and text[index + 1] == "{":
            depth, end = 1, index + 2
            while end < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            flush()
            nodes.append(("sup" if char == "^" else "sub", notation(text[index + 2 : end - 1])))
            index = end
        elif char == "^" and index > 0 and text[index + 1 : index + 2] in _SINGLE_SUPERSCRIPTS:
            flush()  # QK^⊤, A^*: one symbol
            nodes.append(("sup", [text[index + 1]]))
            index += 2
        elif char in "^_" and index > 0 and _script_word(text, index + 1, char == "^") > index + 1:
            end = _script_word(text, index + 1, char == "^")
            flush()
            nodes.append(("sup" if char == "^" else "sub", [text[index + 1 : end]]))
            index = end
        else:
            plain.append(char)
            index += 1
    flush()
    return nodes


def notation_html(text: str, math: Callable[[str], str]) -> str:
    """A description as HTML: scripts as <sup>/<sub>, `$…$` through `math`, the rest escaped."""

    def render(nodes: list[Node]) -> str:
        out = []
        for node in nodes:
            if isinstance(node, str):
                out.append(html.escape(node, quote=False))
            elif node[0] == "math":
                out.append(math(str(node[1][0])))
            else:
                out.append(f"<{node[0]}>{render(node[1])}</{node[0]}>")
        return "".join(out)

    return render(notation(text))


def mistake_feedback(description: str, math: Callable[[str], str]) -> str:
    return f"Not quite: this is what you get if you {notation_html(description, math)}."
