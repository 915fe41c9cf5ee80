"""The plain-text exporter: a question view as a terminal shows it (`variantex show`).

Math becomes readable Unicode text (answer_engine.formatting.latex_to_text); tables are
aligned columns; figures are named by their description.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from variantex.answer_engine.formatting import latex_to_text
from variantex.exams.view import QuestionView, tolerance_sentence
from variantex.generators.markup import Block, Bullets, Content, DisplayMath, Figure, Paragraph, Table, plain_content

WIDTH = 88


def content_text(content: Content) -> str:
    return plain_content(content, lambda tex: latex_to_text("$" + tex + "$"))


def blocks_text(blocks: Sequence[Block], indent: str = "") -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if lines:
            lines.append("")
        if isinstance(block, Paragraph):
            lines += textwrap.wrap(
                content_text(block.content), WIDTH, initial_indent=indent, subsequent_indent=indent
            ) or [indent]
        elif isinstance(block, DisplayMath):
            lines.append(indent + "    " + latex_to_text("$" + block.tex + "$"))
        elif isinstance(block, Bullets):
            for item in block.items:
                lines += textwrap.wrap(
                    content_text(item), WIDTH, initial_indent=indent + "  • ", subsequent_indent=indent + "    "
                )
        elif isinstance(block, Table):
            rows = [[content_text(cell) for cell in block.header]] + [[content_text(c) for c in r] for r in block.rows]
            widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
            for number, row in enumerate(rows):
                lines.append(indent + "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
                if number == 0:
                    lines.append(indent + "  " + "  ".join("-" * w for w in widths))
        elif isinstance(block, Figure):
            lines.append(f"{indent}[Figure: {block.description}]")
    return lines


def _equals(shown: str) -> str:
    """ "= 4.936", or "≈ 4.936" alone for a value shown as a decimal (never "= ≈ 4.936")."""
    return shown if shown.startswith("≈") else f"= {shown}"


def question_text(view: QuestionView, key: bool = True) -> str:
    """The question as a student reads it; with `key`, the answers and worked solution after it."""
    points = f"{view.points} point{'s' if view.points != 1 else ''}"
    lines = [f"Question {view.number} ({points})", ""]
    lines += blocks_text(view.stem)
    lines += [""] + blocks_text(view.ask)
    if view.format == "mcq":
        lines += ["", "Mark exactly one option:"]
        for option in view.options:
            lines += textwrap.wrap(
                content_text(option.content), WIDTH, initial_indent=f"  ({option.letter}) ", subsequent_indent="      "
            )
    elif view.format == "numeric":
        accepted = sorted({t for p in view.asked for t in p.text_answers})
        also = (
            f", or write {' or '.join(repr(t) for t in accepted)} if the information does not fix it"
            if accepted
            else ""
        )
        lines += ["", f"Write each value as an exact fraction or a decimal ({tolerance_sentence(view)}){also}:"]
        lines += [f"  {latex_to_text('$' + p.label + '$')} = ________" for p in view.asked]
    elif view.format == "tf":
        lines += ["", "Mark each statement T (true) or F (false):"]
        for statement in view.statements:
            lines += textwrap.wrap(
                content_text(statement.content),
                WIDTH,
                initial_indent=f"  {statement.number}. [T] [F] ",
                subsequent_indent="             ",
            )
    else:
        if view.discuss:
            lines += [""] + blocks_text(view.discuss)
        lines += ["", "Justify each step."]
    if key:
        lines += ["", "--- key " + "-" * (WIDTH - 8)]
        if view.format == "mcq":
            lines.append(f"Correct option: ({view.correct_letter})")
            for option in view.options:
                if option.mistake:
                    lines.append(f"  ({option.letter}) {option.mistake.name}: {option.mistake.description}")
        if view.format == "tf":
            lines.append(f"Key: {view.tf_key} (scored {view.scoring})")
        else:
            lines.append("Answers:")
            lines += [
                f"  {latex_to_text('$' + p.label + '$')} {_equals(content_text(p.shown))}" for p in view.key_answers
            ]
        if view.rubric:
            lines.append("Rubric:")
            lines += [
                f"  - {content_text(criterion)}: {points} point{'s' if points != 1 else ''}"
                for criterion, points in view.rubric
            ]
        lines.append("Worked solution:")
        for number, step in enumerate(view.steps, start=1):
            lines += textwrap.wrap(content_text(step), WIDTH, initial_indent=f"  {number}. ", subsequent_indent="     ")
    return "\n".join(lines)
