"""The practice page: one self-contained HTML file that works offline from disk.

Math is MathML converted at build time (latex2mathml): browsers render MathML natively, so
the page needs no script or font from anywhere and stays small; a bundled MathJax would add
about a megabyte and a start-up delay. Figures are inline SVG (generators/drawing.py), or a
PNG data URI for a figure drawn only in TikZ.

With answers, each variant's key travels as data beside the questions (exact values,
tolerance, text answers and synonyms, named mistakes) and templates/practice/practice.js
judges claims the way `variantex check` does. Without answers (`--no-answers`, for
proctored use) the file holds no key, no solution and no Check button.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import jinja2
import sympy as sp
from latex2mathml.converter import convert
from markupsafe import Markup

from variantex.answer_engine import exact
from variantex.answer_engine.checking import INFINITY_WORDS, NEGATIVE_INFINITY_WORDS
from variantex.answer_engine.exact import Value
from variantex.answer_engine.formatting import latex_to_text
from variantex.exams.bank import Bank, bank_figures, question_id
from variantex.exams.lms.figures import FigureFiles
from variantex.exams.lms.html import MathStyle, lms_tex, map_text_bodies, notation_html
from variantex.exams.view import QuestionView, tolerance_sentence
from variantex.generators.markup import Block, Content, Figure, MathSpan

_ENTITY = re.compile(r"&#x([0-9A-Fa-f]+);")
_LONE_ROW = re.compile(r"<mrow>(<(m[ino])>[^<]*</\2>)</mrow>")


def _character(match: re.Match) -> str:
    char = chr(int(match.group(1), 16))
    return match.group(0) if char in "<>&" else char


# Text inside math (\text{…}: a player's name, a set's label) reaches MathML as it is written:
# latex2mathml copies it into <mtext> without escaping, so `<svg/onload=…>` would become an
# element and `\&` would print as `\&`. Its markup characters go through as private-use
# stand-ins and come out as HTML entities.
_STAND_INS = {"<": "\ue000", ">": "\ue001", "&": "\ue002", '"': "\ue003"}
_ENTITIES = {"\ue000": "&lt;", "\ue001": "&gt;", "\ue002": "&amp;", "\ue003": "&quot;"}
_UNSTAND = re.compile("[\ue000-\ue003]")
_ESCAPED_MARKUP = re.compile(r"\\([&<>])")


def _protect_text(tex: str) -> str:
    """Replace <, >, & (and \\&) and " inside every text command's argument by stand-ins."""

    def stand_ins(command: str, body: str) -> str:
        body = _ESCAPED_MARKUP.sub(lambda match: _STAND_INS[match.group(1)], body)
        return "".join(_STAND_INS.get(char, char) for char in body)

    return map_text_bodies(tex, stand_ins)


@lru_cache(maxsize=1 << 14)
def mathml(tex: str, display: bool = False) -> str:
    """MathML for TeX, compacted: HTML needs no namespace on <math>, characters are written as
    themselves rather than as entities, and a row around one token is dropped (the page is
    a third of the size). Text in the math is escaped (see _protect_text)."""
    markup = convert(_protect_text(lms_tex(tex)), display="block" if display else "inline")
    markup = markup.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "").replace(' display="inline"', "")
    markup = _ENTITY.sub(_character, markup)
    markup = _UNSTAND.sub(lambda match: _ENTITIES[match.group(0)], markup)
    previous = None
    while previous != markup:
        previous, markup = markup, _LONE_ROW.sub(r"\1", markup)
    return markup


MATHML = MathStyle(inline=mathml, display=lambda tex: mathml(tex, display=True))


def inline(content: Content) -> str:
    return MATHML.content(content)


def feedback(content: Content) -> str:
    """A justification: its math as MathML, and the scripts of its text (a mistake's
    description quoted in it, "γ_i/β_i") as <sup>/<sub>."""
    return "".join(
        mathml(span.tex)
        if isinstance(span, MathSpan)
        # A literal $ in text is a dollar, not math: that text is only escaped.
        else notation_html(span.text, mathml)
        if "$" not in span.text
        else html.escape(span.text, quote=False)
        for span in content
    )


class _Html:
    def __init__(self, images: FigureFiles):
        self.images = images

    def blocks(self, items: Sequence[Block]) -> str:
        return MATHML.blocks(items, self.figure, ('<div class="table"><table>', "</table></div>"))

    def figure(self, block: Figure) -> str:
        if block.svg:
            return f'<figure class="figure">{block.svg}</figure>'
        _, data = self.images.file(block)
        encoded = base64.b64encode(data).decode("ascii")
        return (
            f'<figure class="figure"><img src="data:image/png;base64,{encoded}" '
            f'alt="{html.escape(block.description)}"></figure>'
        )


# --- the key as data ---------------------------------------------------------------------------


def value_data(value: Value) -> str | dict:
    """A value as the page's judge reads it: a rational as "p/q", or {"inf": ±1}, {"text": …},
    or (a closed form) {"float": 30 digits}, compared with the tolerance only."""
    if isinstance(value, str):
        return {"text": value}
    if exact.is_infinite(value):
        return {"inf": 1 if value > 0 else -1}
    if isinstance(value, sp.Rational):
        return f"{value.p}/{value.q}"
    return {"float": str(sp.N(value, 30))}


def variant_key(view: QuestionView, variant, descriptions: dict[str, int]) -> dict:
    """What the page needs to judge a variant: per option, correct or the mistake behind it;
    per asked part, the exact answer; each named mistake's values for the asked parts. The
    mistakes' descriptions and the statements' justifications are numbered in `descriptions`
    as HTML with their math as MathML (shared by all variants: a page repeats them hundreds
    of times otherwise), text answers are listed once per family."""

    def described(markup: str) -> int:
        return descriptions.setdefault(markup, len(descriptions))

    def mistake(description: str) -> int:  # scripts as <sup>/<sub>, $…$ as MathML
        return described(notation_html(description, mathml))

    if view.format == "mcq":
        return {
            "format": "mcq",
            "options": {
                o.letter: {
                    "correct": o.correct,
                    "mistake": None if o.correct or o.mistake.guess else mistake(o.mistake.description),
                }
                for o in view.options
            },
        }
    if view.format == "tf":
        # The justification is shown only once a statement has been judged (it gives the answer away).
        return {"format": "tf", "statements": [[s.truth, described(feedback(s.why))] for s in view.statements]}
    if view.format != "numeric":
        return {"format": view.format}
    family, params = variant.family, variant.params
    rules = family.rules_for(params)
    asked = {part.name for part in view.asked}
    mistakes = [m for m in family.mistakes(params) if not m.guess and asked & set(m.values)]
    return {
        "format": "numeric",
        "family": family.id,
        "tolerance": [str(sp.Rational(rules.tolerance.relative)), str(sp.Rational(rules.tolerance.absolute))],
        "mistakes": [
            [mistake(m.description), m.slips, {name: value_data(v) for name, v in m.values.items() if name in asked}]
            for m in mistakes
        ],
        "parts": [[part.name, value_data(part.value)] for part in view.asked],
    }


def judge_rules() -> dict:
    return {
        "infinity": list(INFINITY_WORDS),
        "negative_infinity": list(NEGATIVE_INFINITY_WORDS),
        "max_digits": exact.MAX_DIGITS,
        "max_exponent": exact.MAX_EXPONENT,
        "max_expression": exact.MAX_EXPRESSION,
        "closed_form_names": sorted(exact._ALLOWED_NAMES),
    }


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(resources.files("variantex.templates") / "practice"))
    return jinja2.Environment(
        loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )


def practice_page(bank: Bank, title: str, answers: bool = True, in_folder: bool = False) -> str:
    """The page: each question shows its first variant; the others travel gzip-compressed
    (base64) and are unpacked in the browser when asked for (DecompressionStream), which
    keeps a 400-variant page small and quick to open. `in_folder`: the page is one topic of
    a folder and links back to its index.html."""
    images = FigureFiles(bank_figures(bank))
    render = _Html(images)
    article = environment().get_template("variant.html.j2")
    questions, keys, later, families, descriptions = [], {}, {}, {}, {}
    for number, slot in enumerate(bank.slots, start=1):
        question = {
            "number": number,
            "slot": slot.spec.slot,
            "title": slot.variants[0].view.title,
            "format": slot.spec.format,
            "count": len(slot.variants),
        }
        stored = []
        for index, variant in enumerate(slot.variants, start=1):
            view = variant.view
            ident = question_id(slot, variant)
            html_text = article.render(
                question=question,
                variant=_variant_context(render, view, ident, answers),
                first=index == 1,
                index=index,
                answers=answers,
            )
            if index == 1:
                question["first"] = Markup(html_text)
            else:
                stored.append([ident, base64.b64encode(gzip.compress(html_text.encode("utf-8"), mtime=0)).decode()])
            if answers:
                keys[ident] = variant_key(view, variant.variant, descriptions)
                if view.format == "numeric":
                    family = variant.variant.family
                    families[family.id] = {name: list(words) for name, words in family.rules.text_answers.items()}
        later[slot.spec.slot] = stored
        questions.append(question)
    data = {
        "page": "",
        "rules": judge_rules(),
        "keys": keys if answers else None,
        "text_answers": families,
        "descriptions": list(descriptions) if answers else None,
        "later": later,
    }
    script = (resources.files("variantex.templates") / "practice" / "practice.js").read_text(encoding="utf-8")
    style = (resources.files("variantex.templates") / "practice" / "practice.css").read_text(encoding="utf-8")
    # The page's name for the progress a browser keeps of it: its content, so a rebuilt set
    # with other variants starts afresh and the same set finds its answers again.
    content = json.dumps([title, data], ensure_ascii=False, sort_keys=True).encode("utf-8")
    data["page"] = hashlib.sha256(content).hexdigest()[:16]
    # JSON inside <script>: "</" must not end the element early.
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return (
        environment()
        .get_template("practice.html.j2")
        .render(
            title=title,
            questions=questions,
            answers=answers,
            count=len(bank.slots[0].variants) if bank.slots else 0,
            data=Markup(payload),
            script=Markup(script),
            style=Markup(style),
            policy=content_security_policy(script, style),
            in_folder=in_folder,
        )
    )


def index_page(title: str, topics: list[dict], count: int, answers: bool) -> str:
    """A folder's index: the topics, each linking to its page."""
    style = (resources.files("variantex.templates") / "practice" / "practice.css").read_text(encoding="utf-8")
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            title=title,
            topics=topics,
            count=count,
            answers=answers,
            style=Markup(style),
            policy=content_security_policy("", style),
        )
    )


def content_security_policy(script: str, style: str) -> str:
    """Nothing loads and nothing runs but the page's own script and style, allowed by their
    hashes: an escaping slip anywhere still cannot run an injected handler or script."""

    def source(text: str) -> str:
        return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    return (
        f"default-src 'none'; script-src {source(script)}; style-src {source(style)}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def _variant_context(render: _Html, view: QuestionView, ident: str, answers: bool) -> dict:
    return {
        "id": ident,
        "stem": Markup(render.blocks((*view.stem, *view.ask))),
        "discuss": Markup(render.blocks(view.discuss)),
        "options": [{"letter": o.letter, "content": Markup(inline(o.content))} for o in view.options],
        "statements": [
            {"number": s.number, "content": Markup(inline(s.content)), "letter": s.letter} for s in view.statements
        ],
        "parts": [
            {"name": p.name, "label": Markup(mathml(p.label)), "plain": latex_to_text(f"${p.label}$")}
            for p in view.asked
        ]
        if view.format == "numeric"
        else [],
        "steps": [Markup(inline(step)) for step in view.steps] if answers else [],
        "answers": [{"label": Markup(mathml(p.label)), "value": Markup(inline(p.shown))} for p in view.key_answers]
        if answers and view.format != "tf"
        else [],
        "tf_key": view.tf_key if answers else "",
        "tolerance": tolerance_sentence(view),
    }
