"""The exam spec: a short YAML file naming question families, formats and points.

    course: CS-433 Machine Learning
    title: Final exam
    date: 20 January 2027
    duration: 3 hours
    seed: 2027
    instructions: ["Calculators are not allowed."]
    shuffle_questions: false   # roster builds: per-student question order
    shuffle_options: false     # roster builds: per-student option order
    unique_variants: false     # fail the build when two students would share a variant
    paper: a4                  # or letter
    page_count: false          # true: the cover says "This paper has N pages." (TeX runs twice)
    calculator: false          # optional: true prints "A calculator is allowed."; false refuses
                               # questions that need one; unset: the cover says so when one does
    questions:
      - family: loss-ordering
        format: mcq            # mcq | numeric | open | tf
        points: 4
        branch: contrast       # optional; default: the family's first branch; "mixed" mixes
        options: {metric: mse} # optional draw options
      - family: eigen-determinant
        format: numeric
        points: 3
        params: {...}          # optional: the same fixed question for everyone
      - family: tf-attention-cost
        format: tf             # true/false statements (statement banks)
        points: 4
        options: {statements: 4, true_counts: [1, 2, 3]}
        scoring: per-statement # or all-or-nothing (tf only)
      - section: "Part B: backpropagation"   # optional: a heading before the questions after it
      - family: relu-backprop
        format: open
        points: 5
        space: 8cm             # open only: room to write (a length, or "12 lines"); default by points

Every error names the file, the line and the field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.errors import InputError
from variantex.exams import yamlio
from variantex.exams.sheet import ANSWER_SHEETS, PAPERS, SEPARATE
from variantex.generators import family as family_by_id
from variantex.generators.base import Family
from variantex.generators.variant import Variant, variant_from_data

MIXED = "mixed"
TOP_FIELDS = (
    "course",
    "title",
    "date",
    "duration",
    "seed",
    "instructions",
    "questions",
    "shuffle_questions",
    "shuffle_options",
    "unique_variants",
    "answer_sheet",
    "calculator",
    "paper",
    "page_count",
)
SWITCHES = ("shuffle_questions", "shuffle_options", "unique_variants", "page_count")
QUESTION_FIELDS = ("id", "family", "question", "format", "points", "branch", "options", "params", "scoring", "space")
# Room to write an open answer: a length, or lines of about 0.8 cm each.
_LENGTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(cm|mm|in)\s*")
_LINES = re.compile(r"\s*(\d+)\s*lines?\s*")
LINE_CM = 0.8
MAX_SPACE_CM = 24.0  # a page's text height: more would never fit
# How a true/false question is scored: points shared over its statements, or all or nothing.
PER_STATEMENT, ALL_OR_NOTHING = "per-statement", "all-or-nothing"
SCORINGS = (PER_STATEMENT, ALL_OR_NOTHING)
_SLOT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


@dataclass(frozen=True)
class QuestionSpec:
    slot: str
    family: Family
    format: str
    points: sp.Rational
    branch: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    fixed: Variant | None = None  # explicit params: the same question on every paper
    scoring: str = PER_STATEMENT  # tf only
    space: str = ""  # open only: room to write, a TeX length ("8cm"); "" for the default by points
    where: str = field(default="", compare=False)  # "spec.yaml:12: questions[2]", for errors found later
    section: str = ""  # the heading printed before this question (a `- section:` entry before it)


@dataclass(frozen=True)
class ExamSpec:
    path: str
    sha256: str
    title: str
    course: str = ""
    date: str = ""
    duration: str = ""
    seed: int = 0
    instructions: tuple[str, ...] = ()
    questions: tuple[QuestionSpec, ...] = ()
    shuffle_questions: bool = False  # per-student question order
    shuffle_options: bool = False  # per-student option order
    unique_variants: bool = False  # fail the build when two students would share a variant
    # Roster builds are scannable: answers on a separate sheet per paper, on the question
    # pages, or not at all (exams/sheet.py).
    answer_sheet: str = SEPARATE
    # Calculators: allowed (the cover says so), ruled out (a question that needs one is
    # refused), or None: the cover says "allowed" on a paper with a question that needs one.
    calculator: bool | None = None
    paper: str = "a4"  # a4 or letter (exams/sheet.py PAPERS)
    page_count: bool = False  # the cover says how many pages the paper has (TeX runs twice)

    @property
    def total_points(self) -> sp.Rational:
        return sum((q.points for q in self.questions), sp.Integer(0))


def load_spec(path: str | Path) -> ExamSpec:
    path = Path(path)
    data = yamlio.load_mapping(path, "an exam spec", TOP_FIELDS, ("title", "questions"))
    text = {name: _text(path, data, name) for name in ("title", "course", "date", "duration")}
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("expected a whole number ≥ 0", yamlio.where(path, data, "seed", "seed"))
    instructions = data.get("instructions", [])
    if not isinstance(instructions, list) or not all(isinstance(i, str) for i in instructions):
        raise InputError("expected a list of sentences", yamlio.where(path, data, "instructions", "instructions"))
    switches = {}
    for name in SWITCHES:
        switches[name] = data.get(name, False)
        if not isinstance(switches[name], bool):
            raise InputError("expected true or false", yamlio.where(path, data, name, name))
    calculator = data.get("calculator")
    if calculator is not None and not isinstance(calculator, bool):
        raise InputError(
            "expected true (allowed) or false (not allowed)", yamlio.where(path, data, "calculator", "calculator")
        )
    paper = data.get("paper", "a4")
    if paper not in PAPERS:
        raise InputError(f"expected one of {', '.join(PAPERS)}", yamlio.where(path, data, "paper", "paper"))
    answer_sheet = data.get("answer_sheet", SEPARATE)
    if answer_sheet not in ANSWER_SHEETS:
        raise InputError(
            f"expected one of {', '.join(ANSWER_SHEETS)}", yamlio.where(path, data, "answer_sheet", "answer_sheet")
        )
    questions = data["questions"]
    if not isinstance(questions, list) or not questions:
        raise InputError("expected a non-empty list of questions", yamlio.where(path, data, "questions", "questions"))
    files: dict[str, str] = {}  # question files' ids and contents: one id, one question
    parsed: list[QuestionSpec] = []
    heading = ""  # a `- section: …` entry heads the questions after it
    for i, item in enumerate(questions):
        if isinstance(item, dict) and "section" in item:
            where = yamlio.where(path, questions, i, f"questions[{i}].section")
            if set(item) != {"section"} or not isinstance(item["section"], str) or not item["section"].strip():
                raise InputError("a section entry is `- section: its heading`, on its own", where)
            if switches["shuffle_questions"]:
                raise InputError("sections keep their questions in order: shuffle_questions would mix them", where)
            heading = item["section"].strip()
            continue
        question = _question(path, questions, i, files, default_id=f"q{len(parsed) + 1}")
        parsed.append(dataclasses.replace(question, section=heading) if heading else question)
        heading = ""
    if not parsed:
        raise InputError("no questions, only sections", yamlio.where(path, data, "questions", "questions"))
    slots = [q.slot for q in parsed]
    for i, slot in enumerate(slots):
        if slots.index(slot) != i:
            raise InputError(
                f"question id {slot!r} is used twice", yamlio.where(path, questions, i, f"questions[{i}].id")
            )
    return ExamSpec(
        path=str(path),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        seed=seed,
        instructions=tuple(instructions),
        questions=tuple(parsed),
        **switches,
        **text,
        answer_sheet=answer_sheet,
        calculator=calculator,
        paper=paper,
    )


def _question(path: Path, questions: list, index: int, files: dict[str, str], default_id: str) -> QuestionSpec:
    item = questions[index]
    prefix = f"questions[{index}]"
    if not isinstance(item, dict):
        raise InputError(
            "expected a mapping with family, format and points", yamlio.where(path, questions, index, prefix)
        )
    yamlio.refuse_unknown(path, item, QUESTION_FIELDS, prefix + ".")
    if "family" in item and "question" in item:
        raise InputError(
            "say family: (a built-in) or question: (a question file), not both",
            yamlio.where(path, item, "question", f"{prefix}.question"),
        )
    for name in ("family" if "question" not in item else "question", "format", "points"):
        if name not in item:
            raise InputError("missing", yamlio.where(path, item, None, f"{prefix}.{name}"))

    def fail(error: InputError, key: str) -> InputError:
        return error.located(yamlio.where(path, item, key, f"{prefix}"))

    raw_id = item.get("id", default_id)
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        raise InputError(f"expected a short name, got {raw_id!r}", yamlio.where(path, item, "id", f"{prefix}.id"))
    slot = str(raw_id)
    if not _SLOT_ID.fullmatch(slot):
        raise InputError(
            "ids are 1-32 letters, digits, '_', '-' or '.'", yamlio.where(path, item, "id", f"{prefix}.id")
        )
    if "question" in item:  # a question file, relative to the spec (exams/question_files.py)
        from variantex.exams.question_files import load as load_question_file

        if not isinstance(item["question"], str):
            raise InputError("expected a path", yamlio.where(path, item, "question", f"{prefix}.question"))
        target = path.parent / item["question"]
        if not target.is_file():
            raise InputError(f"no question file {target}", yamlio.where(path, item, "question", f"{prefix}.question"))
        chosen = load_question_file(target)
        if files.setdefault(chosen.id, chosen.source.sha256) != chosen.source.sha256:
            raise InputError(
                f"another question file of this spec has the id {chosen.id!r}",
                yamlio.where(path, item, "question", f"{prefix}.question"),
            )
    else:
        try:
            chosen = family_by_id(str(item["family"]))
        except InputError as error:
            raise fail(error, "family") from None
    fmt = item["format"]
    if fmt not in chosen.formats:
        raise InputError(
            f"{chosen.id} has no format {fmt!r} (formats: {', '.join(chosen.formats)})",
            yamlio.where(path, item, "format", f"{prefix}.format"),
        )
    try:
        points = exact.rational(item["points"], "points")
    except InputError as error:
        raise fail(error, "points") from None
    if points <= 0:
        raise InputError("points must be positive", yamlio.where(path, item, "points", f"{prefix}.points"))
    options = item.get("options", {}) or {}
    if not isinstance(options, dict):
        raise InputError("expected a mapping", yamlio.where(path, item, "options", f"{prefix}.options"))
    branch = item.get("branch")
    try:
        chosen.check_options(options)
        if branch is not None and branch != MIXED:
            chosen.check_branch(str(branch))
    except InputError as error:
        raise fail(error, "options" if branch is None else "branch") from None
    scoring = item.get("scoring", PER_STATEMENT)
    if "scoring" in item and fmt != "tf":
        raise InputError(
            "scoring is for true/false questions (format: tf)", yamlio.where(path, item, "scoring", f"{prefix}.scoring")
        )
    if scoring not in SCORINGS:
        raise InputError(
            f"expected one of {', '.join(SCORINGS)}, got {scoring!r}",
            yamlio.where(path, item, "scoring", f"{prefix}.scoring"),
        )
    space = _space(path, item, prefix, fmt)
    fixed = None
    if "params" in item:
        if branch is not None or options:
            raise InputError(
                "fixed params leave nothing to draw: drop branch/options",
                yamlio.where(path, item, "params", f"{prefix}.params"),
            )
        try:
            fixed = variant_from_data(chosen, item["params"], fmt)
        except InputError as error:
            raise error.located(yamlio.where(path, item, "params", f"{prefix}.params")) from None
    return QuestionSpec(
        slot,
        chosen,
        fmt,
        points,
        branch,
        dict(options),
        fixed,
        scoring,
        space,
        yamlio.where(path, questions, index, prefix),
    )


def _space(path: Path, item: dict, prefix: str, fmt: str) -> str:
    """An open question's room to write as a TeX length in cm ("" when not given)."""
    if "space" not in item:
        return ""
    where = yamlio.where(path, item, "space", f"{prefix}.space")
    if fmt != "open":
        raise InputError("space is for open questions (format: open): other formats have their own boxes", where)
    text = str(item["space"])
    length, lines = _LENGTH.fullmatch(text), _LINES.fullmatch(text)
    if length:
        centimetres = float(length[1]) * {"cm": 1.0, "mm": 0.1, "in": 2.54}[length[2]]
    elif lines:
        centimetres = int(lines[1]) * LINE_CM
    else:
        raise InputError(
            f"expected a length such as 8cm, 60mm or 3in, or a count such as 12 lines; got {text!r}", where
        )
    if not 0 < centimetres <= MAX_SPACE_CM:
        raise InputError(f"expected room between 0 and {MAX_SPACE_CM:g} cm (a page's text), got {text!r}", where)
    return f"{centimetres:.3g}cm"


def _text(path: Path, data: dict, name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InputError("expected text", yamlio.where(path, data, name, name))
    return value
