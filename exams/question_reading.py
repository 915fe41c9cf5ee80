"""Reading question files: YAML in, checked data out (exams/question_files.py makes families).

Every field is checked as it is read, so each problem in a file is one line naming the file,
its line and the field (exit 2): unknown fields and names, Python-ish or oversized
expressions (answer_engine/expressions.py parses them), derived params that use later ones,
a stem naming a missing param, a part without an answer, a static question with no correct
option. docs/question-files.md describes the format; docs/question-file.schema.json says it
for editors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from variantex.answer_engine import exact, expressions
from variantex.answer_engine.checking import DEFAULT_TOLERANCE, Tolerance
from variantex.answer_engine.errors import InputError, InvalidParams
from variantex.exams import yamlio

FIELDS = (
    "id",
    "title",
    "params",
    "require",
    "branches",
    "stem",
    "ask",
    "parts",
    "mistakes",
    "solution",
    "rubric",
    "tolerance",
    "calculator",
)
TOLERANCES = ("relative", "absolute", "significant_figures", "decimal_places")
PART_FIELDS = ("name", "label", "answer", "check", "text", "synonyms")
_WORD = re.compile(r"^[a-z][a-z0-9 '-]{0,47}$")
MISTAKE_FIELDS = ("name", "description", "values")
DRAW_KINDS = ("integer", "rational", "choice")
MAX_CHOICES = 10_000  # values one drawn param may take
UNSATISFIABLE_TRIES = 1000  # draws tried before a file's constraints are called unsatisfiable
_ID = re.compile(r"^[a-z][a-z0-9-]{1,47}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
SUBSTITUTION = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_TEMPLATE_SYNTAX = re.compile(r"<<|>>|<%|%>|<#|#>")  # the stem dialect's own delimiters
BRANCH = "standard"


@dataclass(frozen=True)
class FileParams:
    """One draw: the drawn values and the derived ones, in the file's order (hashable)."""

    items: tuple[tuple[str, Any], ...]

    @cached_property
    def values(self) -> dict[str, Any]:
        return dict(self.items)


@dataclass(frozen=True)
class Draw:
    """A drawn param: the values it may take (exact), in order."""

    name: str
    choices: tuple[sp.Rational, ...]
    shape: tuple[int, int] | None = None  # a vector (n×1) or matrix whose entries are drawn so

    def pick(self, rng: np.random.Generator) -> Any:
        if self.shape is None:
            return self.choices[int(rng.integers(len(self.choices)))]
        rows, columns = self.shape
        entries = [self.choices[int(rng.integers(len(self.choices)))] for _ in range(rows * columns)]
        return sp.ImmutableMatrix(rows, columns, entries)

    def read(self, value: Any, field: str) -> Any:
        """A stored value (a manifest's) as this param holds it."""
        if self.shape is None:
            return exact.rational(value, field)
        rows, columns = self.shape
        table = [[entry] for entry in value] if columns == 1 and isinstance(value, list) else value
        if not (
            isinstance(table, list)
            and len(table) == rows
            and all(isinstance(row, list) and len(row) == columns for row in table)
        ):
            raise InvalidParams(f"expected a {rows}×{columns} array", field)
        return sp.ImmutableMatrix([[exact.rational(entry, field) for entry in row] for row in table])

    def write(self, value: Any) -> Any:
        if self.shape is None:
            return exact.dump_number(value)
        if self.shape[1] == 1:
            return [exact.dump_number(entry) for entry in value]
        return [[exact.dump_number(entry) for entry in value.row(i)] for i in range(value.rows)]


@dataclass(frozen=True)
class Derived:
    name: str
    expression: expressions.Expression
    where: str


@dataclass(frozen=True)
class FilePart:
    name: str
    label: str
    answer: expressions.Expression | None  # a number's expression (None for a text part)
    check: expressions.Expression | None
    where: str
    # A text part: each word and the condition under which it is the answer (the first that
    # holds), and other ways a student may write each word.
    words: tuple[tuple[str, expressions.Expression], ...] = ()
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class FileMistake:
    name: str
    description: str
    values: tuple[tuple[str, expressions.Expression | str], ...]  # an expression, or a text part's word
    where: str


@dataclass(frozen=True)
class QuestionFile:
    path: str
    sha256: str
    id: str
    where: str  # where the id stands ("file:line: id"), for problems found after reading
    title: str
    params: tuple[Draw | Derived, ...]
    require: tuple[tuple[expressions.Expression, str], ...]
    stem: str
    ask: str
    parts: tuple[FilePart, ...]
    mistakes: tuple[FileMistake, ...]
    solution: tuple[str, ...]
    rubric: tuple[tuple[str, int], ...]
    calculator: bool = False  # answering takes one (the exam's cover says so: exams/spec.py)
    # Structural branches: each a name and the conditions that put a draw in it, in order.
    branches: tuple[tuple[str, tuple[tuple[expressions.Expression, str], ...]], ...] = ()
    tolerance: Tolerance = DEFAULT_TOLERANCE

    @property
    def draws(self) -> dict[str, Draw]:
        """The drawn params (what a manifest stores), by name; the rest are derived."""
        return {param.name: param for param in self.params if isinstance(param, Draw)}


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaticQuestion:
    """A question with fixed text and fixed options, the correct one marked (a conceptual
    multiple-choice question beside the randomized ones)."""

    path: str
    sha256: str
    id: str
    where: str
    title: str
    text: str
    options: tuple[tuple[str, bool, str], ...]  # text, correct, why a student might pick it
    explanation: str


STATIC_FIELDS = ("id", "title", "static")
STATIC_BODY = ("text", "options", "explanation")
OPTION_FIELDS = ("text", "correct", "why")


def read(path: str | Path, sha256: str) -> QuestionFile | StaticQuestion:
    """A question file read once (its content hash already taken): a static question when it
    has `static:`, else a randomized one."""
    path = Path(path)
    data = yamlio.load(path)
    if isinstance(data, dict) and "static" in data:
        return read_static_question(path, data, sha256)
    return read_question_file(path, data, sha256)


def read_static_question(path: Path, data: Mapping, sha256: str) -> StaticQuestion:
    yamlio.check_mapping(path, data, "a static question", STATIC_FIELDS, ("id", "title", "static"))
    body = data["static"]
    if not isinstance(body, dict):
        raise InputError("expected text, options and an explanation", yamlio.where(path, data, "static", "static"))
    yamlio.check_mapping(path, body, "a static question", STATIC_BODY, ("text", "options"), "static.")
    raw = body["options"]
    where = yamlio.where(path, body, "options", "static.options")
    from variantex.exams.assemble import LETTERS

    if not isinstance(raw, list) or not 3 <= len(raw) <= len(LETTERS):
        raise InputError(f"expected 3 to {len(LETTERS)} options", where)
    options = []
    for i, item in enumerate(raw):
        prefix = f"static.options[{i}]"
        if not isinstance(item, dict) or "text" not in item:
            raise InputError(
                "expected {text: …, correct: true} or {text: …, why: …}", yamlio.where(path, raw, i, prefix)
            )
        yamlio.refuse_unknown(path, item, OPTION_FIELDS, f"{prefix}.")
        options.append(
            (_markup(path, item, "text", f"{prefix}."), _flag(path, item, "correct"), str(item.get("why", "")))
        )
    if sum(correct for _, correct, _ in options) != 1:
        raise InputError("mark exactly one option correct: true", where)
    if len({text for text, _, _ in options}) != len(options):
        raise InputError("two options print the same", where)
    return StaticQuestion(
        path=str(path),
        sha256=sha256,
        id=_id(path, data),
        where=yamlio.where(path, data, "id", "id"),
        title=_text(path, data, "title"),
        text=_markup(path, body, "text", "static."),
        options=tuple(options),
        explanation=_markup(path, body, "explanation", "static.") if "explanation" in body else "",
    )


def _markup(path: Path, data: Mapping, name: str, prefix: str = "") -> str:
    """Text with `$…$` math, checked now (a typo in math is the file's, not the build's)."""
    from variantex.generators.markup import MarkupError, parse_inline

    text = _text(path, data, name, prefix)
    where = yamlio.where(path, data, name, f"{prefix}{name}")
    if _TEMPLATE_SYNTAX.search(text):
        raise InputError(f"{_TEMPLATE_SYNTAX.search(text)[0]!r} is reserved in question text", where)  # type: ignore[index]
    try:
        parse_inline(text)
    except MarkupError as error:
        raise InputError(str(error), where) from None
    return text


def _id(path: Path, data: Mapping) -> str:
    question_id = data["id"]
    if not isinstance(question_id, str) or not _ID.match(question_id):
        raise InputError(
            "expected a short id of lowercase letters, digits and -, like bayes-error",
            yamlio.where(path, data, "id", "id"),
        )
    return question_id


def read_question_file(path: Path, data: Mapping, sha256: str) -> QuestionFile:
    yamlio.check_mapping(path, data, "a question file", FIELDS, ("id", "title", "stem", "parts"))
    question_id = _id(path, data)
    params = _params(path, data)
    known = {p.name for p in params}
    require = _require(path, data, known)
    parts = _parts(path, data, known)
    numbers = {p.name for p in parts if p.answer is not None}
    words = {p.name: tuple(word for word, _ in p.words) for p in parts if p.answer is None}
    mistakes = _mistakes(path, data, known | numbers, {p.name for p in parts}, words)
    stem = _markdown(path, data, "stem", known)
    ask = _markdown(path, data, "ask", known) if "ask" in data else ""
    solution = _solution(path, data, known | {p.name for p in parts})
    return QuestionFile(
        path=str(path),
        sha256=sha256,
        id=question_id,
        where=yamlio.where(path, data, "id", "id"),
        title=_text(path, data, "title"),
        params=params,
        require=require,
        stem=stem,
        ask=ask,
        parts=parts,
        mistakes=mistakes,
        solution=solution,
        rubric=_rubric(path, data),
        calculator=_flag(path, data, "calculator"),
        branches=_branches(path, data, known),
        tolerance=_tolerance(path, data),
    )


def _branches(path: Path, data: Mapping, known: set[str]) -> tuple:
    raw = data.get("branches")
    if raw is None:
        return ()
    if not isinstance(raw, dict) or len(raw) < 2:
        raise InputError(
            "expected two or more branch names, each with its conditions",
            yamlio.where(path, data, "branches", "branches"),
        )
    found = []
    for name, conditions in raw.items():
        where = yamlio.where(path, raw, name, f"branches.{name}")
        if not isinstance(name, str) or not _ID.match(name):
            raise InputError("a branch name is lowercase letters, digits and -", where)
        if isinstance(conditions, str):
            conditions = [conditions]
        if not isinstance(conditions, list) or not conditions:
            raise InputError("expected a condition or a list of them", where)
        found.append(
            (
                name,
                tuple(
                    (_expression(path, conditions, i, f"branches.{name}[{i}]", known), where)
                    for i in range(len(conditions))
                ),
            )
        )
    return tuple(found)


def _tolerance(path: Path, data: Mapping) -> Tolerance:
    """How close a typed decimal must be: {relative: 1/100} (the default), {absolute: 1/1000},
    {significant_figures: 3} or {decimal_places: 2}; `exact` for no rounding."""
    raw = data.get("tolerance")
    where = yamlio.where(path, data, "tolerance", "tolerance")
    if raw is None:
        return DEFAULT_TOLERANCE
    if raw == "exact":
        return Tolerance()
    if not isinstance(raw, dict) or not raw or set(raw) - set(TOLERANCES):
        raise InputError(f"expected exact or one of {', '.join(TOLERANCES)}", where)
    if "significant_figures" in raw or "decimal_places" in raw:
        name = "significant_figures" if "significant_figures" in raw else "decimal_places"
        count = raw[name]
        if len(raw) != 1 or isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 10:
            raise InputError(f"expected {name}: a whole number from 1 to 10, alone", where)
        return Tolerance.significant_figures(count) if name == "significant_figures" else Tolerance.decimals(count)
    relative = _number(path, raw, "relative", "tolerance.relative") if "relative" in raw else sp.Integer(0)
    absolute = _number(path, raw, "absolute", "tolerance.absolute") if "absolute" in raw else sp.Integer(0)
    if relative < 0 or absolute < 0 or relative >= 1:
        raise InputError("expected a relative tolerance in [0, 1) and an absolute one ≥ 0", where)
    return Tolerance(relative=relative, absolute=absolute)


def _flag(path: Path, data: Mapping, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise InputError("expected true or false", yamlio.where(path, data, name, name))
    return value


def _text(path: Path, data: Mapping, name: str, prefix: str = "") -> str:
    value = data[name]
    if not isinstance(value, str) or not value.strip():
        raise InputError("expected text", yamlio.where(path, data, name, f"{prefix}{name}"))
    return value.strip()


def _number(path: Path, container: Any, key: Any, field: str) -> sp.Rational:
    try:
        return exact.rational(container[key], field)
    except InvalidParams as error:
        raise InputError(error.message, yamlio.where(path, container, key, field)) from None


def _expression(path: Path, container: Any, key: Any, field: str, known: set[str]) -> expressions.Expression:
    try:
        return expressions.parse(container[key], frozenset(known), field)
    except InvalidParams as error:
        raise InputError(error.message, yamlio.where(path, container, key, field)) from None


def _params(path: Path, data: Mapping) -> tuple[Draw | Derived, ...]:
    raw = data.get("params", {})
    if not isinstance(raw, dict):
        raise InputError("expected a mapping of param names", yamlio.where(path, data, "params", "params"))
    found: list[Draw | Derived] = []
    for name, spec in raw.items():
        field = f"params.{name}"
        where = yamlio.where(path, raw, name, field)
        if not isinstance(name, str) or not _NAME.match(name) or name in expressions.RESERVED:
            raise InputError("a param name is a letter then letters, digits or _ (not a function's name)", where)
        known = {p.name for p in found}
        if isinstance(spec, dict):
            found.append(_draw(path, name, spec, field))
        elif isinstance(spec, (str, int)) and not isinstance(spec, bool):
            later = sorted(_names_in(str(spec)) & (set(raw) - known - {name}))
            if name in _names_in(str(spec)) or later:
                cycle = name if name in _names_in(str(spec)) else later[0]
                raise InputError(
                    f"{name} uses {cycle}, which is not defined before it (derived params use earlier ones: no cycles)",
                    where,
                )
            found.append(Derived(name, _expression(path, raw, name, field, known), where))
        else:
            raise InputError(
                "expected a draw ({integer: [1, 9]}, {rational: [0, 1], step: 1/4}, {choice: [...]}) "
                "or an expression of earlier params",
                where,
            )
    return tuple(found)


def _names_in(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def _draw(path: Path, name: str, spec: dict, field: str) -> Draw:
    for array, size_name in (("vector", "size"), ("matrix", "shape")):
        if array in spec:  # {vector: {integer: [-3, 3]}, size: 3}, {matrix: {...}, shape: [2, 2]}
            yamlio.refuse_unknown(path, spec, (array, size_name), f"{field}.")
            where = yamlio.where(path, spec, array, f"{field}.{array}")
            size = spec.get(size_name)
            shape = (size, 1) if array == "vector" else tuple(size) if isinstance(size, list) else None
            if (
                shape is None
                or len(shape) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 6 for n in shape)
            ):
                raise InputError(
                    f"expected {size_name}: " + ("a length 1 to 6" if array == "vector" else "[rows, columns], 1 to 6"),
                    yamlio.where(path, spec, size_name if size_name in spec else None, f"{field}.{size_name}"),
                )
            if not isinstance(spec[array], dict):
                raise InputError("expected how each entry is drawn ({integer: [-3, 3]})", where)
            entries = _draw(path, name, spec[array], f"{field}.{array}")
            return Draw(name, entries.choices, (int(shape[0]), int(shape[1])))
    kinds = [kind for kind in DRAW_KINDS if kind in spec]
    yamlio.refuse_unknown(path, spec, (*DRAW_KINDS, "step", "nonzero"), f"{field}.")
    if len(kinds) != 1:
        raise InputError(
            "say one of integer: [low, high], rational: [low, high] (with step:) or choice: [...]",
            yamlio.where(path, spec, None, field),
        )
    kind = kinds[0]
    where = yamlio.where(path, spec, kind, f"{field}.{kind}")
    values = spec[kind]
    if kind == "choice":
        if not isinstance(values, list) or not values:
            raise InputError("expected a list of numbers", where)
        choices = tuple(_number(path, values, i, f"{field}.choice[{i}]") for i in range(len(values)))
    else:
        if not isinstance(values, list) or len(values) != 2:
            raise InputError("expected [low, high]", where)
        low, high = (_number(path, values, i, f"{field}.{kind}[{i}]") for i in range(2))
        step = _number(path, spec, "step", f"{field}.step") if "step" in spec else sp.Integer(1)
        if kind == "integer" and not (low.is_integer and high.is_integer and step.is_integer):
            raise InputError("integer bounds and step are whole numbers", where)
        if step <= 0 or high < low:
            raise InputError("expected low ≤ high and a positive step", where)
        count = int((high - low) / step) + 1
        if count > MAX_CHOICES:
            raise InputError(f"{count} values to draw from (at most {MAX_CHOICES}): a coarser step?", where)
        choices = tuple(low + step * k for k in range(count))
    if spec.get("nonzero"):
        choices = tuple(c for c in choices if c != 0)
    if not choices:
        raise InputError("no value left to draw", where)
    return Draw(name, choices)


def _require(path: Path, data: Mapping, known: set[str]) -> tuple[tuple[expressions.Expression, str], ...]:
    raw = data.get("require", [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise InputError("expected a list of conditions", yamlio.where(path, data, "require", "require"))
    return tuple(
        (_expression(path, raw, i, f"require[{i}]", known), yamlio.where(path, raw, i, f"require[{i}]"))
        for i in range(len(raw))
    )


def _parts(path: Path, data: Mapping, known: set[str]) -> tuple[FilePart, ...]:
    raw = data["parts"]
    if not isinstance(raw, list) or not raw:
        raise InputError(
            "expected a list of parts, each with name and answer", yamlio.where(path, data, "parts", "parts")
        )
    parts: list[FilePart] = []
    for i, item in enumerate(raw):
        prefix = f"parts[{i}]"
        where = yamlio.where(path, raw, i, prefix)
        if not isinstance(item, dict):
            raise InputError("expected a mapping with name and answer", where)
        yamlio.refuse_unknown(path, item, PART_FIELDS, f"{prefix}.")
        for needed in ("name", "text" if "text" in item else "answer"):
            if needed not in item:
                raise InputError("missing", yamlio.where(path, item, None, f"{prefix}.{needed}"))
        if "text" in item and "answer" in item:
            raise InputError(
                "a part has an answer (a number) or text (words), not both",
                yamlio.where(path, item, "text", f"{prefix}.text"),
            )
        name = item["name"]
        if not isinstance(name, str) or not _NAME.match(name) or name in known or any(p.name == name for p in parts):
            raise InputError(
                "a part name is new, a letter then letters, digits or _",
                yamlio.where(path, item, "name", f"{prefix}.name"),
            )
        # An answer may use the numbers of the parts before it.
        earlier = known | {p.name for p in parts if p.answer is not None}
        label = _text(path, item, "label", f"{prefix}.") if "label" in item else name
        if "text" in item:
            words, synonyms = _words(path, item, prefix, earlier)
            parts.append(FilePart(name, label, None, None, where, words, synonyms))
            continue
        answer = _expression(path, item, "answer", f"{prefix}.answer", earlier)
        check = _expression(path, item, "check", f"{prefix}.check", earlier) if "check" in item else None
        parts.append(FilePart(name, label, answer, check, where))
    return tuple(parts)


def _words(path: Path, item: Mapping, prefix: str, known: set[str]) -> tuple[tuple, tuple]:
    """A text part's words with their conditions, and their synonyms."""
    raw = item["text"]
    where = yamlio.where(path, item, "text", f"{prefix}.text")
    if not isinstance(raw, dict) or len(raw) < 2:
        raise InputError("expected two or more words, each with the condition that makes it the answer", where)
    words = []
    for word in raw:
        if not isinstance(word, str) or not _WORD.match(word):
            raise InputError(f"a word is lowercase letters, digits, spaces, ' and -, not {word!r}", where)
        words.append((word, _expression(path, raw, word, f"{prefix}.text.{word}", known)))
    synonyms_raw = item.get("synonyms", {})
    synonyms_where = yamlio.where(path, item, "synonyms", f"{prefix}.synonyms")
    if not isinstance(synonyms_raw, dict):
        raise InputError("expected each word and a list of other ways to write it", synonyms_where)
    synonyms = []
    for word, others in synonyms_raw.items():
        if word not in raw:
            raise InputError(f"{word!r} is not one of this part's words ({', '.join(raw)})", synonyms_where)
        if isinstance(others, str):
            others = [others]
        if not isinstance(others, list) or not all(isinstance(o, str) and o.strip() for o in others):
            raise InputError("expected a list of texts", synonyms_where)
        synonyms.append((word, tuple(o.strip() for o in others)))
    return tuple(words), tuple(synonyms)


def _mistakes(
    path: Path, data: Mapping, known: set[str], part_names: set[str], words: Mapping[str, tuple[str, ...]]
) -> tuple[FileMistake, ...]:
    raw = data.get("mistakes", [])
    if not isinstance(raw, list):
        raise InputError("expected a list of mistakes", yamlio.where(path, data, "mistakes", "mistakes"))
    found: list[FileMistake] = []
    for i, item in enumerate(raw):
        prefix = f"mistakes[{i}]"
        if not isinstance(item, dict):
            raise InputError("expected a mapping with name, description and values", yamlio.where(path, raw, i, prefix))
        yamlio.refuse_unknown(path, item, MISTAKE_FIELDS, f"{prefix}.")
        for needed in MISTAKE_FIELDS:
            if needed not in item:
                raise InputError("missing", yamlio.where(path, item, None, f"{prefix}.{needed}"))
        values = item["values"]
        if not isinstance(values, dict) or not values:
            raise InputError(
                "expected part names and their values", yamlio.where(path, item, "values", f"{prefix}.values")
            )
        for name in values:
            if name not in part_names:
                raise InputError(
                    f"no part {name!r} (parts: {', '.join(sorted(part_names))})",
                    yamlio.where(path, values, name, f"{prefix}.values.{name}"),
                )
        found.append(
            FileMistake(
                name=_text(path, item, "name", f"{prefix}."),
                description=_text(path, item, "description", f"{prefix}."),
                values=tuple(
                    (name, _word(path, values, name, f"{prefix}.values.{name}", words[name]))
                    if name in words
                    else (name, _expression(path, values, name, f"{prefix}.values.{name}", known))
                    for name in values
                ),
                where=yamlio.where(path, raw, i, prefix),
            )
        )
    return tuple(found)


def _word(path: Path, values: Mapping, name: str, field: str, words: tuple[str, ...]) -> str:
    """A mistake's value for a text part: one of its words."""
    if values[name] not in words:
        raise InputError(
            f"expected one of this part's words ({', '.join(words)})", yamlio.where(path, values, name, field)
        )
    return str(values[name])


def _markdown(path: Path, data: Mapping, name: str, known: set[str]) -> str:
    text = _text(path, data, name)
    where = yamlio.where(path, data, name, name)
    if _TEMPLATE_SYNTAX.search(text):
        raise InputError(f"{_TEMPLATE_SYNTAX.search(text)[0]!r} is reserved in question text", where)  # type: ignore[index]
    for match in SUBSTITUTION.finditer(text):
        if match[1] not in known:
            raise InputError(f"{{{{ {match[1]} }}}} names no param (params: {', '.join(sorted(known))})", where)
    return text


def _solution(path: Path, data: Mapping, known: set[str]) -> tuple[str, ...]:
    raw = data.get("solution", [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise InputError("expected a list of steps", yamlio.where(path, data, "solution", "solution"))
    steps = []
    for i, step in enumerate(raw):
        where = yamlio.where(path, raw, i, f"solution[{i}]")
        if not isinstance(step, str):
            raise InputError("expected text", where)
        for match in SUBSTITUTION.finditer(step):
            if match[1] not in known:
                raise InputError(f"{{{{ {match[1]} }}}} names no param or part", where)
        steps.append(step.strip())
    return tuple(steps)


def _rubric(path: Path, data: Mapping) -> tuple[tuple[str, int], ...]:
    raw = data.get("rubric", [])
    if not isinstance(raw, list):
        raise InputError("expected a list of [criterion, weight]", yamlio.where(path, data, "rubric", "rubric"))
    rubric = []
    for i, item in enumerate(raw):
        where = yamlio.where(path, raw, i, f"rubric[{i}]")
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], int)):
            raise InputError("expected [criterion, weight], a text and a whole number", where)
        rubric.append((item[0], item[1]))
    return tuple(rubric)


# --- the family ---------------------------------------------------------------------------
