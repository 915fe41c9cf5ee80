"""The question view: the one thing every output consumes.

A `QuestionView` is a question as a student reads it and as a key states it, in no output's
language: the stem, the question asked and (open format) what else to discuss as blocks of
text and TeX math (generators/markup.py); the parts asked with their labels; the options in
printed order with the named mistake behind each wrong one; the exact answers; the worked
steps; the tolerance. Exporters (exams/exporters/) turn views into LaTeX/PDF, JSON, plain
text, and whatever comes next, without touching a family.

`as_json` is the documented, versioned JSON form (docs/question-view.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy as sp

from variantex.answer_engine.checking import Tolerance
from variantex.answer_engine.distractors import Mistake, Option
from variantex.answer_engine.exact import Value, dump_value
from variantex.answer_engine.formatting import Markup, plain
from variantex.exams.assemble import LETTERS, Paper, QuestionInstance
from variantex.exams.spec import PER_STATEMENT, ExamSpec
from variantex.generators.base import Family
from variantex.generators.markup import Block, Content, parse_inline, plain_content
from variantex.generators.statements import StatementBank
from variantex.generators.stems import Stem, render_stem
from variantex.generators.variant import Variant

SCHEMA = "variantex.question-view"
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class PartView:
    name: str
    label: str  # TeX math
    value: Value
    shown: Content  # the exact value as the key prints it
    text_answers: tuple[str, ...] = ()  # text answers this part may take, as printed
    # For a text value: every way of writing it that `check` accepts (as printed, the
    # canonical word, every synonym), so each output accepts exactly those.
    accepted_words: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "value": dump_value(self.value),
            "plain": plain(self.value),
            "shown": _content(self.shown),
            "text_answers": list(self.text_answers),
        }


@dataclass(frozen=True)
class OptionView:
    letter: str
    content: Content
    values: tuple[Value, ...]
    mistake: Mistake | None  # None marks the correct option

    @property
    def correct(self) -> bool:
        return self.mistake is None

    def as_json(self) -> dict:
        return {
            "letter": self.letter,
            "content": _content(self.content),
            "values": [dump_value(v) for v in self.values],
            "correct": self.correct,
            "mistake": {"name": self.mistake.name, "description": self.mistake.description} if self.mistake else None,
        }


@dataclass(frozen=True)
class StatementView:
    """A true/false statement: its text, its (verified) truth and the key's justification."""

    number: int
    content: Content
    truth: bool
    why: Content

    @property
    def letter(self) -> str:
        return "T" if self.truth else "F"

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "content": _content(self.content),
            "truth": self.truth,
            "why": _content(self.why),
        }


@dataclass(frozen=True)
class QuestionView:
    family: str
    title: str
    branch: str
    format: str
    slot: str
    number: int
    points: sp.Rational
    stem: tuple[Block, ...]
    ask: tuple[Block, ...]
    discuss: tuple[Block, ...]  # asked in the open format only
    asked: tuple[PartView, ...]  # the parts this format asks for, in order
    options: tuple[OptionView, ...]  # mcq only, in printed order
    answers: tuple[PartView, ...]  # every part's exact value (the key)
    steps: tuple[Content, ...]  # the worked solution, one paragraph per step
    tolerance: Tolerance
    rubric: tuple[tuple[Content, sp.Rational], ...] = ()  # open format: criterion and its points
    statements: tuple[StatementView, ...] = ()  # tf only, in printed order
    scoring: str = ""  # tf only: per-statement or all-or-nothing
    # The parts this format's question is about (mcq and tf included): what a key lists
    # under "Answers" (not part of the JSON view: `asked` and the options carry it there).
    keyed: tuple[str, ...] = ()

    @property
    def key_answers(self) -> tuple[PartView, ...]:
        """The answers a key shows: only the parts the question asked about."""
        return tuple(part for part in self.answers if part.name in self.keyed) if self.keyed else self.answers

    @property
    def correct_letter(self) -> str:
        return next((o.letter for o in self.options if o.correct), "")

    @property
    def tf_key(self) -> str:
        """The true/false key as a student writes it: TFFT."""
        return "".join(s.letter for s in self.statements)

    def as_json(self) -> dict:
        return {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "family": self.family,
            "title": self.title,
            "branch": self.branch,
            "format": self.format,
            "slot": self.slot,
            "number": self.number,
            "points": dump_value(self.points),
            "stem": _blocks(self.stem),
            "ask": _blocks(self.ask),
            "discuss": _blocks(self.discuss) if self.format == "open" else [],
            "asked": [part.as_json() for part in self.asked],
            "options": [option.as_json() for option in self.options],
            "answers": [part.as_json() for part in self.answers],
            "steps": [_content(step) for step in self.steps],
            "tolerance": {
                "relative": dump_value(self.tolerance.relative),
                "absolute": dump_value(self.tolerance.absolute),
                "text": self.tolerance.describe(),
            },
            "rubric": [
                {"criterion": _content(criterion), "points": dump_value(points)} for criterion, points in self.rubric
            ],
            "statements": [statement.as_json() for statement in self.statements],
            "scoring": self.scoring,
        }


@dataclass(frozen=True)
class StudentView:
    id: str
    name: str


@dataclass(frozen=True)
class PaperView:
    student: StudentView | None
    questions: tuple[QuestionView, ...]
    calculator: bool = False  # the cover says a calculator is allowed (ExamSpec.calculator)


@dataclass(frozen=True)
class ExamView:
    title: str
    course: str
    date: str
    duration: str
    instructions: tuple[str, ...]
    total: sp.Rational
    papers: tuple[PaperView, ...]
    paper: str = "a4"  # the paper size (exams/sheet.py PAPERS)
    page_count: bool = False  # the cover says how many pages each paper has

    def as_json(self) -> dict:
        return {**self.head_json(), "papers": [paper_json(p) for p in self.papers]}

    def head_json(self) -> dict:
        """Every field of the JSON view but the papers."""
        return {
            "schema": "variantex.exam-view",
            "version": SCHEMA_VERSION,
            "title": self.title,
            "course": self.course,
            "date": self.date,
            "duration": self.duration,
            "instructions": list(self.instructions),
            "total_points": dump_value(self.total),
        }


def paper_json(paper: PaperView) -> dict:
    return {
        "student": {"id": paper.student.id, "name": paper.student.name} if paper.student else None,
        "questions": [q.as_json() for q in paper.questions],
    }


def _content(content: Content) -> list:
    return [span.as_json() for span in content]


def _blocks(blocks: Sequence[Block]) -> list:
    return [block.as_json() for block in blocks]


@lru_cache(maxsize=1 << 15)
def _stem(family: Family, params: Any, asked: tuple[str, ...], marks: bool) -> Stem:
    return render_stem(family, params, asked, marks)


def question_view(
    variant: Variant,
    fmt: str,
    options: Sequence[Option] | None = None,
    *,
    slot: str = "q1",
    number: int = 1,
    points: sp.Rational = sp.Integer(1),
    scoring: str = PER_STATEMENT,
) -> QuestionView:
    """The view of one variant asked in one format; `options` in printed order (default: as built)."""
    family, params = variant.family, variant.params
    solution = variant.solution
    parts = family.parts(params)
    asked_names = family.asked_parts(params, fmt)
    by_name = {part.name: part for part in parts}

    def part_view(name: str) -> PartView:
        part = by_name[name]
        value = solution.values[name]
        words: tuple[str, ...] = ()
        if isinstance(value, str):
            synonyms = family.rules.text_answers.get(value, ())
            words = tuple(dict.fromkeys((plain_markup(family.text_shown(value)), *synonyms, value)))
        return PartView(
            name,
            part.label,
            value,
            parse_inline(family.show_value(params, value)),
            tuple(plain_markup(family.text_shown(t)) for t in part.text_answers),
            words,
        )

    shown_options = option_views(variant.options if options is None else options) if fmt == "mcq" else ()
    stem = _stem(family, params, asked_names, fmt == "tf")
    answers = {part.name: part_view(part.name) for part in parts}
    statement_views: tuple[StatementView, ...] = ()
    steps = tuple(parse_inline(step) for step in solution.steps)
    if fmt == "tf":
        # Each statement's truth is decided exactly (a bank's fact, or a value against the key);
        # `variant.solution` above has already refused a key the independent route disputes.
        statements = family.statements(params)
        statement_views = tuple(
            StatementView(i, parse_inline(s.text), s.truth, parse_inline(s.why))
            for i, s in enumerate(statements, start=1)
        )
        if not isinstance(family, StatementBank):
            # A bank's solution is its statements' justifications; a family's own solution is
            # followed by what it says of each statement.
            steps += tuple(
                parse_inline(Markup("Statement %d is %s: %s." % (i, "true" if s.truth else "false", s.why)))
                for i, s in enumerate(statements, start=1)
            )
    return QuestionView(
        family=family.id,
        title=family.title,
        branch=variant.branch,
        format=fmt,
        slot=slot,
        number=number,
        points=points,
        stem=stem.stem,
        ask=stem.ask,
        discuss=stem.discuss if fmt == "open" else (),
        asked=tuple(answers[name] for name in asked_names) if fmt not in ("mcq", "tf") else (),
        options=shown_options,
        answers=tuple(answers.values()),
        steps=steps,
        # Decimals are typed only in the numeric format: there the tolerance keeps named
        # mistakes apart (separating_tolerance); elsewhere it is the family's own.
        tolerance=family.rules_for(params).tolerance if fmt == "numeric" else family.tolerance_for(params),
        rubric=rubric(family, params, points, stem.discuss) if fmt == "open" else (),
        statements=statement_views,
        scoring=scoring if fmt == "tf" else "",
        keyed=tuple(asked_names),
    )


def option_views(options: Sequence[Option]) -> tuple[OptionView, ...]:
    return tuple(OptionView(LETTERS[i], parse_inline(o.printed), o.values, o.mistake) for i, o in enumerate(options))


def rubric(family: Family, params: Any, points: sp.Rational, discuss) -> tuple[tuple[Content, sp.Rational], ...]:
    """The family's criteria with the question's points shared out by weight (exactly)."""
    criteria = [(text, weight) for text, weight in family.rubric(params) if discuss or "explanation" not in text]
    total = sum(weight for _, weight in criteria)
    return tuple((parse_inline(text), sp.Rational(weight, total) * points) for text, weight in criteria)


def tolerance_sentence(view: QuestionView) -> str:
    """What the numeric format tells students about decimals."""
    tolerance = view.tolerance
    if not tolerance.relative and not tolerance.absolute:
        return "exactly: no rounding"
    if tolerance.label:
        return f"decimals to {tolerance.label}"
    return f"a decimal counts when within {tolerance.describe()} of the exact value"


def plain_markup(markup: str) -> str:
    """Markup with no math as the text it shows (for text answers offered by name)."""
    return plain_content(parse_inline(markup), lambda tex: f"${tex}$")


# Students who drew the same params hold the same Variant object (generators/variant.py), so
# their views of a slot are equal too: build each once. Keyed by the variant's identity, which
# the entry keeps alive (an id is only reused after its object is gone).
_VIEWS: dict[tuple, tuple[Any, QuestionView]] = {}
_MAX_VIEWS = 1 << 17


def forget_views() -> None:
    """Let go of the views built so far (a build does after each chunk, with
    generators.variant.forget_variants: the variants they are keyed by go too)."""
    _VIEWS.clear()


def instance_view(instance: QuestionInstance) -> QuestionView:
    spec = instance.spec
    key = (id(instance.variant), spec.format, spec.slot, instance.number, spec.points, spec.scoring)
    cached = _VIEWS.get(key)
    if cached is not None and cached[0] is instance.variant:
        view = cached[1]
    else:
        view = question_view(
            instance.variant,
            spec.format,
            slot=spec.slot,
            number=instance.number,
            points=spec.points,
            scoring=spec.scoring,
        )
        if len(_VIEWS) >= _MAX_VIEWS:
            _VIEWS.clear()
        _VIEWS[key] = (instance.variant, view)
    if spec.format != "mcq" or (not instance.option_order and instance.arrangement is None):
        return view
    # Options are arranged per student (Variant.arranged); the rest of the view is shared.
    return dataclasses.replace(view, options=option_views(instance.printed_options))


def calculator_allowed(spec: ExamSpec, paper: Paper) -> bool:
    """Whether the paper's cover says a calculator is allowed: as the spec says, or, when it
    says nothing, when one of the paper's questions needs one."""
    if spec.calculator is not None:
        return spec.calculator
    return any(q.family.needs_calculator(q.variant.params) for q in paper.questions)


def exam_view(spec: ExamSpec, papers: Sequence[Paper]) -> ExamView:
    return ExamView(
        title=spec.title,
        course=spec.course,
        date=spec.date,
        duration=spec.duration,
        instructions=tuple(spec.instructions),
        total=spec.total_points,
        papers=tuple(
            PaperView(
                StudentView(p.student.id, p.student.name) if p.student else None,
                tuple(instance_view(q) for q in p.questions),
                calculator_allowed(spec, p),
            )
            for p in papers
        ),
        paper=spec.paper,
        page_count=spec.page_count,
    )
