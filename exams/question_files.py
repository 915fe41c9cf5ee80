"""Question files: randomized questions an instructor writes in YAML, checked like a family.

A question file declares its params (drawn integers, rationals on a grid, choices; derived
values as expressions of earlier ones), the constraints a draw must meet, a stem in
Markdown with `$…$` math and `{{ name }}` substitutions, answer parts as exact expressions,
named mistakes as alternative expressions, and a worked solution (docs/question-files.md).
Loading it builds a `Family` like the built-in ones, so every format and output follows:
options from the named mistakes, true/false statements, keys, grading, practice pages, LMS
banks. Expressions are parsed by answer_engine/expressions.py (never evaluated as Python);
every key is the exact value and is checked against the same tree evaluated in mpmath at 50
digits, or against the author's own `check:` expression where one is given.

Every problem in a file is one line naming the file, its line and the field, exit 2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import expressions
from variantex.answer_engine.distractors import Mistake
from variantex.answer_engine.errors import InputError, InvalidParams
from variantex.answer_engine.formatting import Markup, Math, markup_text, tex
from variantex.exams.question_reading import (
    BRANCH,
    SUBSTITUTION,
    UNSATISFIABLE_TRIES,
    Draw,
    FileParams,
    FilePart,
    QuestionFile,
    StaticQuestion,
    read,
)
from variantex.generators import base
from variantex.generators.base import Family, Part, Solution, TextAnswer


def value_tex(value: Any) -> Math:
    """A value as the stem prints it: a column vector in parentheses, a matrix in brackets (as
    the built-in families print them), a number exactly."""
    if isinstance(value, sp.MatrixBase):
        rows = [" & ".join(tex(entry) for entry in value.row(i)) for i in range(value.rows)]
        kind = "pmatrix" if value.cols == 1 else "bmatrix"
        return Math(rf"\begin{{{kind}}}" + r" \\ ".join(rows) + rf"\end{{{kind}}}")
    return tex(value)


def _substitute(text: str, values: Mapping[str, Any]) -> Markup:
    """Markup with each {{ name }} as its exact value: TeX inside $…$, math of its own outside."""
    out, inside, last = [], False, 0
    for match in SUBSTITUTION.finditer(text):
        before = text[last : match.start()]
        inside ^= before.replace("\\$", "").count("$") % 2 == 1
        value = value_tex(values[match[1]])
        out.append(before + (value if inside else f"${value}$"))
        last = match.end()
    out.append(text[last:])
    return Markup("".join(out))


class FileFamily(Family):
    """A family made from a file (one subclass per file, made by `load`), not built in."""

    source: QuestionFile | StaticQuestion
    branches = (BRANCH,)


class QuestionFileFamily(FileFamily):
    """A randomized question file's family."""

    source: QuestionFile

    def draw_any(self, rng: np.random.Generator) -> FileParams:
        """A draw that meets the file's constraints, on whichever branch it falls."""
        return self._complete({name: param.pick(rng) for name, param in self.source.draws.items()})

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> FileParams:
        params = self.draw_any(rng)
        if self.source.branches and self.branch_of(params) != branch:
            raise InvalidParams(f"the draw is not on branch {branch}", "params")  # drawn again
        return params

    def _complete(self, drawn: Mapping[str, Any]) -> FileParams:
        """The drawn values with the derived ones added, checked against `require`."""
        values: dict[str, Any] = {}
        for param in self.source.params:
            if isinstance(param, Draw):
                values[param.name] = drawn[param.name]
                continue
            try:
                value = param.expression.exact(values)
                values[param.name] = value.as_immutable() if isinstance(value, sp.MatrixBase) else _exact_number(value)
            except InvalidParams as error:
                raise InvalidParams(f"{param.name}: {error.message}", "params") from None
        for condition, where in self.source.require:
            if not condition.exact(values):
                raise InvalidParams(f"the draw fails {condition.text!r} ({where})", "params")
        return FileParams(tuple(values.items()))

    def parse(self, data: Mapping[str, Any]) -> FileParams:
        drawn = {}
        params = self.source.draws
        for key in data:
            if key not in params:
                raise InvalidParams(f"unknown param {key!r} for {self.id} (params: {', '.join(params)})", str(key))
        for name, param in params.items():
            if name not in data:
                raise InvalidParams("missing", name)
            drawn[name] = param.read(data[name], name)
        return self._complete(drawn)

    def dump(self, params: FileParams) -> dict[str, Any]:
        drawn = self.source.draws
        return {name: drawn[name].write(value) for name, value in params.items if name in drawn}

    def branch_of(self, params: FileParams) -> str:
        """The first branch whose conditions the draw meets (one branch without `branches`)."""
        for name, conditions in self.source.branches:
            if all(condition.exact(params.values) for condition, _ in conditions):
                return name
        return self.source.branches[-1][0] if self.source.branches else BRANCH

    def parts(self, params: FileParams) -> tuple[Part, ...]:
        return tuple(Part(p.name, Math(p.label), tuple(word for word, _ in p.words)) for p in self.source.parts)

    def _answers(self, params: FileParams) -> dict[str, Any]:
        values = dict(params.values)
        answers = {}
        for part in self.source.parts:
            try:
                if part.answer is None:  # a text part: the first word whose condition holds
                    answers[part.name] = _first_word(part, lambda condition: condition.exact(values))
                    continue
                answers[part.name] = values[part.name] = _exact_number(part.answer.exact(values))
            except InvalidParams as error:
                raise InvalidParams(f"{part.name}: {error.message}", "params") from None
        return answers

    def solve(self, params: FileParams) -> Solution:
        answers = self._answers(params)
        values = {**params.values, **answers}
        return Solution(answers, tuple(_substitute(step, values) for step in self.source.solution))

    def verify(self, params: FileParams) -> dict[str, Any]:
        """Each part again in mpmath from its raw tree, or from the author's `check:`."""
        values: dict[str, Any] = dict(params.values)
        checked: dict[str, Any] = {}
        for part in self.source.parts:
            if part.answer is None:  # its conditions judged in mpmath
                checked[part.name] = _first_word(part, lambda condition: condition.approximate(values))
                continue
            route = part.check or part.answer
            approximate = route.approximate(values)
            checked[part.name] = float(approximate)
            values[part.name] = sp.Float(str(approximate), expressions.PRECISION)
        return checked

    def mistakes(self, params: FileParams) -> list[Mistake]:
        from variantex.generators.variant import _exact_solution  # variant imports this package's base

        values = {**params.values, **_exact_solution(self, params).values}
        found = []
        for mistake in self.source.mistakes:
            try:
                wrong = {
                    name: expression if isinstance(expression, str) else _exact_number(expression.exact(values))
                    for name, expression in mistake.values
                }
            except InvalidParams:
                continue  # this mistake has no value for this draw (a division by zero): not offered
            found.append(Mistake(mistake.name, mistake.description, wrong))
        return found

    def rubric(self, params: FileParams) -> list[tuple[Markup, int]]:
        if self.source.rubric:
            return [(Markup(criterion), weight) for criterion, weight in self.source.rubric]
        return super().rubric(params)

    def needs_calculator(self, params: FileParams) -> bool:
        return self.source.calculator

    def context(self, params: FileParams) -> dict[str, Any]:
        return {name: value_tex(value) if isinstance(value, sp.MatrixBase) else value for name, value in params.items}

    def stem_source(self) -> str:
        ask = self.source.ask or "Find " + ", ".join(f"${p.label}$" for p in self.source.parts) + "."
        convert = lambda text: SUBSTITUTION.sub(lambda m: f"<< q.{m[1]} >>", text)  # noqa: E731
        # A true/false variant collects marks only: its ask must request no value.
        return (
            f"<% block stem %>\n{convert(self.source.stem)}\n<% endblock %>\n<% block ask %>\n"
            f"<% if marks %>Decide whether each statement below is true.<% else %>{convert(ask)}<% endif %>\n"
            "<% endblock %>\n"
        )


class StaticFamily(FileFamily):
    """A static question's family: one variant, its fixed options shuffled per student."""

    source: StaticQuestion
    formats = ("mcq",)
    static = True  # every student gets the same question: no variety to report

    def draw(self, rng: np.random.Generator, branch: str, options: Mapping[str, Any]) -> FileParams:
        return FileParams(())

    def parse(self, data: Mapping[str, Any]) -> FileParams:
        if data:
            raise InvalidParams(f"a static question has no params, got {sorted(map(str, data))}", "params")
        return FileParams(())

    def dump(self, params: FileParams) -> dict[str, Any]:
        return {}

    def branch_of(self, params: FileParams) -> str:
        return BRANCH

    def parts(self, params: FileParams) -> tuple[Part, ...]:
        return (Part("choice", Math(r"\text{answer}"), tuple(text for text, _, _ in self.source.options)),)

    def solve(self, params: FileParams) -> Solution:
        steps = (Markup(self.source.explanation),) if self.source.explanation else ()
        return Solution({"choice": next(text for text, correct, _ in self.source.options if correct)}, steps)

    def verify(self, params: FileParams) -> dict[str, Any]:
        """Nothing to compute: the author marked the key; it is read again from the options."""
        return {"choice": [text for text, correct, _ in self.source.options if correct][0]}

    def mistakes(self, params: FileParams) -> list[Mistake]:
        return [
            Mistake(f"option-{index + 1}", why or f"took “{text}” for the answer", {"choice": text})
            for index, (text, correct, why) in enumerate(self.source.options)
            if not correct
        ]

    def text_shown(self, value: str) -> Markup:
        return Markup(value)  # the author's own markup, checked when the file was read

    def context(self, params: FileParams) -> dict[str, Any]:
        return {}

    def stem_source(self) -> str:
        return f"<% block stem %>\n{self.source.text}\n<% endblock %>\n<% block ask %>\n<% endblock %>\n"


def _first_word(part: FilePart, holds: Callable[[expressions.Expression], Any]) -> str:
    for word, condition in part.words:
        if holds(condition):
            return word
    raise InvalidParams(f"none of its words' conditions holds ({', '.join(w for w, _ in part.words)})")


def _exact_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, sp.Expr) or not value.is_real:
        raise InvalidParams(f"{value} is not a real number")
    if isinstance(value, sp.Float):
        return sp.Rational(str(value))
    return value


def load(path: str | Path) -> Any:  # a QuestionFileFamily or a StaticFamily
    """The family of a question file, registered under its id (a built-in id is refused). A
    file read before, unchanged, gives the family it gave (a spec may name it in many slots)."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    for item in loaded():
        if item.source.sha256 == digest and Path(item.source.path).resolve() == Path(path).resolve():
            return item
    source = read(path, digest)
    _free(source.id, source.where)
    if isinstance(source, StaticQuestion):
        attributes = {"id": source.id, "title": source.title, "source": source, "choices": len(source.options)}
        return _register(_family_class(f"Static_{source.id.replace('-', '_')}", StaticFamily, attributes))
    formats = ["numeric", "open", *(["tf"] if source.mistakes else [])]
    cls: type[QuestionFileFamily] = _family_class(
        f"QuestionFile_{source.id.replace('-', '_')}",
        QuestionFileFamily,
        {
            "id": source.id,
            "title": source.title,
            "source": source,
            "formats": tuple(formats),
            "branches": tuple(name for name, _ in source.branches) or (BRANCH,),
            "tolerance": source.tolerance,
            "text_answers": {
                word: TextAnswer(markup_text(word), dict(part.synonyms).get(word, ()))
                for part in source.parts
                for word, _ in part.words
            },
        },
    )
    for branch in cls.branches:
        _satisfiable(cls(), source.where, branch)
    choices = _choices(cls) if len(source.mistakes) >= 2 else None
    if choices:
        cls.formats = ("mcq", *formats)
        cls.choices = choices
    return _register(cls)


def _free(question_id: str, where: str) -> None:
    """A file read again (or another file of that id: the spec says which it uses) replaces a
    question file's family; a built-in or plug-in family's id is never taken over."""
    base.discover()
    taken = base._REGISTRY.get(question_id)
    if taken is not None and not isinstance(taken, FileFamily):
        raise InputError(f"the id {question_id!r} is taken by the family {taken.title!r}", where)


def _family_class(name: str, parent: type, attributes: dict[str, Any]) -> Any:
    """A family class for one file. Families register themselves when their class is made;
    a file's family is registered by `_register` once the file checks out, so it is taken
    off that list at once (a file refused half-way must not turn up in `families()` later)."""
    cls = type(name, (parent,), attributes)
    if cls in base._PENDING:
        base._PENDING.remove(cls)
    return cls


def _register(cls: type) -> Any:
    family = cls()
    base._REGISTRY[family.id] = family
    from variantex.generators import stems

    stems.environment.cache_clear()  # a file read again may have another stem
    return family


def _choices(cls: type[QuestionFileFamily]) -> int | None:
    """How many options a multiple-choice variant of this file offers: the most (5 down to 3)
    for which a third of the draws have enough distinct named mistakes on both sides of the
    key to put it at every rank (exams never let the key's rank give it away); None when even three
    options are out of reach, and the file offers no multiple choice."""
    from variantex.answer_engine.checking import value_matches
    from variantex.generators.variant import _exact_solution

    family = cls()
    rng = np.random.default_rng(1)
    # per branch, per draw: the fewer of the distinct wrong values below and above the key
    sides: dict[str, list[int]] = {branch: [] for branch in family.branches}
    for _ in range(UNSATISFIABLE_TRIES):
        if min(len(found) for found in sides.values()) >= 40:
            break
        try:
            params = family.draw_any(rng)
            part = family.mcq_parts(params)[0]
            key = _exact_solution(family, params).values[part]
            rules = family.rules_for(params, separate=False)
            wrong = {
                value
                for mistake in family.mistakes(params)
                if (value := mistake.values.get(part)) is not None and not value_matches(value, key, rules)
            }
        except InvalidParams:
            continue
        if isinstance(key, str):  # words: shuffled, no rank to give away
            sides[family.branch_of(params)].append(len(wrong))
            continue
        below = sum(1 for value in wrong if float(value) < float(key))
        sides[family.branch_of(params)].append(min(below, len(wrong) - below))
    # Draws that cannot are redrawn (as for a built-in family), so a third of them is enough,
    # on every branch (a slot takes one branch and must draw on it).
    for count in (5, 4, 3):
        if all(found and sum(side >= count - 1 for side in found) >= len(found) / 3 for found in sides.values()):
            return count
    return None


def _satisfiable(family: QuestionFileFamily, where: str, branch: str = BRANCH) -> None:
    """Refuse a file whose draws (almost) never meet its constraints, naming the one that
    failed most, or whose answers cannot be computed for any draw (a huge power, a division
    by zero), naming the part."""
    rng = np.random.default_rng(0)
    failures: dict[str, int] = {}
    unanswered: list[InvalidParams] = []
    for _ in range(UNSATISFIABLE_TRIES):
        try:
            params = family.draw(rng, branch, {})
        except InvalidParams as error:
            failures[error.message] = failures.get(error.message, 0) + 1
            continue
        try:
            family.solve(params)
            return
        except InvalidParams as error:
            unanswered.append(error)
            if len(unanswered) == 20:  # twenty draws meet the constraints, none has an answer
                break
    if unanswered:
        last = unanswered[-1]
        name = last.message.split(":", 1)[0]
        part = next((p for p in family.source.parts if p.name == name), family.source.parts[0])
        raise InputError(f"no draw gives an answer: {last.message}", part.where + ".answer")
    worst = max(failures, key=failures.get)  # type: ignore[arg-type]
    raise InputError(f"no draw in {UNSATISFIABLE_TRIES} meets the file's constraints: {worst}", where)


def loaded() -> list[FileFamily]:
    """The question files' families registered in this process."""
    return [item for item in base._REGISTRY.values() if isinstance(item, FileFamily)]


def forget_all() -> None:
    """Unregister every question file's family (tests, and a process that reads other files)."""
    for item in loaded():
        base.unregister(item.id)


def load_folder(folder: str | Path) -> list[FileFamily]:
    """Every question file (*.yaml, *.yml) in `folder`, in name order."""
    found = sorted(p for p in Path(folder).iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not found:
        raise InputError("no question files (*.yaml) here", str(folder))
    return [load(path) for path in found]
