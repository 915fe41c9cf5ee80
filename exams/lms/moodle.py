"""Moodle XML: one category per slot (`$course$/top/<exam title>/<slot>`) holding its variants.

- mcq -> `multichoice` (single answer; the correct option 100 %, every other 0 % with
  feedback naming the mistake behind it);
- numeric -> `numerical` for one numeric part, else a `multianswer` (Cloze) question with a
  NUMERICAL sub-answer per part (SHORTANSWER for a word or infinity); each value is a
  15-digit decimal with the family's tolerance as Moodle's absolute tolerance, and the exact
  value in the feedback;
- open -> `essay` with the worked solution and rubric as grader information.

General feedback is the worked solution. Math is `\\( … \\)` for Moodle's MathJax filter;
figures are SVG files (PNG for a figure drawn only in TikZ) embedded (base64) in the
question text via @@PLUGINFILE@@.
"""

from __future__ import annotations

import base64
import html
from xml.sax.saxutils import quoteattr

import sympy as sp

from variantex.answer_engine.formatting import plain
from variantex.exams.bank import (
    Bank,
    BankSlot,
    BankVariant,
    accepted_texts,
    bank_figures,
    decimal_text,
    in_words,
    question_id,
    tolerance_text,
)
from variantex.exams.exporters.text import content_text
from variantex.exams.lms import html as lms_html
from variantex.exams.lms.figures import FigureFiles
from variantex.exams.view import QuestionView
from variantex.generators.markup import Figure

MARKER = "<!-- written by variantex: Moodle XML question bank -->"


def cdata(text: str) -> str:
    """A CDATA section holding `text` exactly (a `]]>` inside is split across two sections)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_element(tag: str, content: str, fmt: str = "html", files: str = "") -> str:
    return f'<{tag} format="{fmt}"><text>{cdata(content)}</text>{files}</{tag}>'


class _Figures:
    """Names the figures of one question text and writes their <file> elements."""

    def __init__(self, prefix: str, images: FigureFiles):
        self.prefix, self.images = prefix, images
        self.files: list[str] = []

    def __call__(self, figure: Figure) -> str:
        suffix, content = self.images.file(figure)
        name = f"{self.prefix}-figure{len(self.files) + 1}{suffix}"
        data = base64.b64encode(content).decode("ascii")
        self.files.append(f'<file name="{name}" path="/" encoding="base64">{data}</file>')
        return f'<img src="@@PLUGINFILE@@/{name}" alt={quoteattr(figure.description)}>'


def export_moodle(bank: Bank) -> str:
    images = FigureFiles(bank_figures(bank))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', MARKER, "<quiz>"]
    for slot in bank.slots:
        category = f"$course$/top/{bank.spec.title}/{slot.spec.slot}"
        lines.append(
            f'<question type="category"><category><text>{html.escape(category, quote=False)}</text>'
            f'</category><info format="html"><text></text></info></question>'
        )
        for variant in slot.variants:
            lines.append(_question(slot, variant, images))
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"


def is_cloze(view: QuestionView) -> bool:
    """Whether the question is written as Cloze (multianswer): true/false statements, or
    several numeric parts."""
    return view.format == "tf" or (view.format == "numeric" and len(view.asked) > 1)


def _cloze_parts(view: QuestionView) -> int:
    return len(view.statements) if view.format == "tf" else len(view.asked)


def cloze_weight(view: QuestionView) -> int:
    """Each sub-question's weight. Moodle marks a Cloze question out of the sum of its
    sub-questions' weights (its <defaultgrade> is ignored) and takes whole weights only: the
    parts share the slot's points equally, so the weight is the numerator of points / parts,
    and the question is out of `points` times that share's denominator."""
    return int((sp.Rational(view.points) / _cloze_parts(view)).p)


def cloze_marks(view: QuestionView) -> int:
    return cloze_weight(view) * _cloze_parts(view)


def _question(slot: BankSlot, variant: BankVariant, images: FigureFiles) -> str:
    view = variant.view
    ident = question_id(slot, variant)
    figures = _Figures(ident, images)
    text = lms_html.blocks((*view.stem, *view.ask), figures)
    kind, body, text = _format_parts(view, text)
    solution = lms_html.steps(view.steps)
    head = [
        f'<question type="{kind}">',
        f"<name><text>{html.escape(f'{ident} {view.title}', quote=False)}</text></name>",
        text_element("questiontext", text, files="".join(figures.files)),
        text_element("generalfeedback", solution),
        f"<defaultgrade>{decimal_text(cloze_marks(view) if is_cloze(view) else slot.spec.points, 7)}</defaultgrade>",
        "<penalty>0</penalty>",
        "<hidden>0</hidden>",
        f"<idnumber>{ident}</idnumber>",
    ]
    return "\n".join(head + body + ["</question>"])


def _format_parts(view: QuestionView, text: str) -> tuple[str, list[str], str]:
    """The question type, its type-specific elements, and the (possibly extended) text."""
    if view.format == "mcq":
        answers = []
        for option in view.options:
            feedback = (
                "Correct."
                if option.correct
                else lms_html.mistake_feedback(option.mistake.description, lms_html.TEX.inline)
            )
            answers.append(
                f'<answer fraction="{100 if option.correct else 0}" format="html">'
                f"<text>{cdata(lms_html.inline(option.content))}</text>"
                f"{text_element('feedback', feedback)}</answer>"
            )
        return (
            "multichoice",
            [
                "<single>true</single>",
                "<shuffleanswers>true</shuffleanswers>",
                "<answernumbering>ABCD</answernumbering>",
                text_element("correctfeedback", "Correct."),
                text_element("partiallycorrectfeedback", ""),
                text_element("incorrectfeedback", ""),
            ]
            + answers,
            text,
        )
    if view.format == "numeric":
        parts = view.asked
        if len(parts) == 1 and not in_words(parts[0]):
            part = parts[0]
            feedback = f"Exact value: {lms_html.inline(part.shown)}"
            return (
                "numerical",
                [
                    f'<answer fraction="100" format="moodle_auto_format"><text>{decimal_text(part.value)}</text>'
                    f"{text_element('feedback', feedback)}<tolerance>{tolerance_text(view, part)}</tolerance></answer>",
                    "<unitgradingtype>0</unitgradingtype>",
                    "<unitpenalty>0.1000000</unitpenalty>",
                    "<showunits>3</showunits>",
                    "<unitsleft>0</unitsleft>",
                ],
                text,
            )
        if len(parts) == 1:
            answers = [
                f'<answer fraction="100" format="moodle_auto_format"><text>{html.escape(t, quote=False)}</text>'
                f"{text_element('feedback', 'Correct.')}</answer>"
                for t in accepted_texts(parts[0])
            ]
            return "shortanswer", ["<usecase>0</usecase>"] + answers, text
        weight = cloze_weight(view)
        rows = "".join(f"<li>\\({lms_html.lms_tex(part.label)}\\): {_cloze(view, part, weight)}</li>" for part in parts)
        return "multianswer", [], text + f"\n<ul>{rows}</ul>"
    if view.format == "tf":
        weight = cloze_weight(view)
        rows = "".join(f"<li>{lms_html.inline(s.content)} {_cloze_statement(s, weight)}</li>" for s in view.statements)
        return "multianswer", [], text + f"\n<ol>{rows}</ol>"
    rubric = "".join(
        f"<li>{lms_html.inline(criterion)} ({decimal_text(points, 7)} points)</li>" for criterion, points in view.rubric
    )
    grader = lms_html.steps(view.steps) + (f"<p>Rubric:</p><ul>{rubric}</ul>" if rubric else "")
    discuss = lms_html.blocks(view.discuss, lambda figure: "")
    return (
        "essay",
        [
            "<responseformat>editor</responseformat>",
            "<responserequired>1</responserequired>",
            "<responsefieldlines>15</responsefieldlines>",
            "<attachments>0</attachments>",
            "<attachmentsrequired>0</attachmentsrequired>",
            text_element("graderinfo", grader),
            text_element("responsetemplate", ""),
        ],
        text + ("\n" + discuss if discuss else ""),
    )


_CLOZE_SPECIAL = str.maketrans({c: "\\" + c for c in '~/"}#\\'})


def cloze_escape(text: str) -> str:
    """Text inside a Cloze sub-answer: Moodle's special characters escaped with a backslash."""
    return text.translate(_CLOZE_SPECIAL)


def _cloze_statement(statement, weight: int) -> str:
    """One statement's True/False drop-down; Moodle scores each sub-question on its own."""
    why = cloze_escape(content_text(statement.why))
    right, wrong = ("True", "False") if statement.truth else ("False", "True")
    return f"{{{weight}:MULTICHOICE:=" + right + "#" + why + "~" + wrong + "#" + why + "}"


def _cloze(view: QuestionView, part, weight: int) -> str:
    if in_words(part):
        answers = "~".join(f"={cloze_escape(t)}" for t in accepted_texts(part))
        return f"{{{weight}:SHORTANSWER:" + answers + "}"
    feedback = cloze_escape(f"exact value {plain(part.value)}")
    return (
        f"{{{weight}:NUMERICAL:=" + decimal_text(part.value) + ":" + tolerance_text(view, part) + "#" + feedback + "}"
    )
