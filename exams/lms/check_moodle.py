"""Checks of a Moodle XML export (see checks.py): schema of our subset, Moodle's rules, keys."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from variantex.exams.lms import html as lms_html
from variantex.exams.lms.checks import (
    Problem,
    math_problems,
    parse_xml,
    read_points,
    stated_key,
    stated_points,
    validate,
)
from variantex.exams.lms.moodle import cloze_marks, is_cloze

# Moodle's grade set (the fractions its XML importer maps without loss), in percent.
MOODLE_FRACTIONS = frozenset(
    Decimal(f)
    for f in (
        "100",
        "90",
        "83.33333",
        "80",
        "75",
        "70",
        "66.66667",
        "60",
        "50",
        "40",
        "33.33333",
        "30",
        "25",
        "20",
        "16.66667",
        "14.28571",
        "12.5",
        "11.11111",
        "10",
        "5",
        "0",
    )
)


def expected_key(view) -> dict:
    key = stated_key(view, lms_html.inline)
    # A question's marks: its <defaultgrade>, which for Cloze must be its weights' sum.
    key["points"] = str(cloze_marks(view)) if is_cloze(view) else stated_points(view.points)
    if view.format == "tf" or (view.format == "numeric" and len(view.asked) > 1):
        # Moodle marks Cloze out of its sub-questions' weights: equal shares of the slot's
        # points, the smallest whole numbers in that proportion.
        count = len(view.statements) if view.format == "tf" else len(view.asked)
        share = Fraction(str(view.points)) / count
        key["weights"] = [share.numerator] * count
    return key


def check(name: str, text: str) -> tuple[dict, list[Problem]]:
    root, problems = parse_xml(name, text.encode("utf-8"))
    if root is None:
        return {}, problems
    schema_problems = validate(name, root, "moodle-subset.xsd")
    if schema_problems:
        return {}, problems + schema_problems
    seen: dict[str, int] = {}
    found: dict[str, tuple[int, dict]] = {}
    for question in root.iter("question"):
        kind = question.get("type")
        if kind == "category":
            continue
        ident = question.findtext("idnumber") or question.findtext("name/text") or "?"
        line = question.sourceline

        def report(message: str, at=None, ident=ident, line=line) -> None:
            problems.append(Problem(name, at.sourceline if at is not None else line, ident, message))

        if ident in seen:
            report(f"idnumber {ident} repeats the question on line {seen[ident]}")
        seen[ident] = line
        for required in ("name", "questiontext", "generalfeedback", "defaultgrade", "idnumber"):
            if question.find(required) is None:
                report(f"a {kind} question needs <{required}>")
        _check_texts(question, report)
        found[ident] = (
            line,
            {**KEYS[kind](question, report), "points": read_points(question.findtext("defaultgrade"))},
        )
    return found, problems


def moodle_keys(text: str) -> dict[str, dict]:
    """What a Moodle file marks correct, per question id (the round trip's reading side)."""
    found, _ = check("file", text)
    return {ident: key for ident, (_, key) in found.items()}


def _check_texts(question, report) -> None:
    for holder in question.iter("questiontext", "generalfeedback", "feedback", "graderinfo", "answer"):
        content = holder.findtext("text") or ""
        if holder.tag != "answer" or holder.get("format") == "html":
            opened, closed = content.count("\\("), content.count("\\)")
            if opened != closed:
                report(f"<{holder.tag}> opens {opened} inline math fragments and closes {closed}", holder)
            math_problems(lms_html.math_fragments(content), report, holder)
        files = {f.get("name") for f in holder.findall("file")}
        for reference in re.findall(r"@@PLUGINFILE@@/([^\"'\s>]+)", content):
            if reference not in files:
                report(f"image {reference} has no <file> in <{holder.tag}>", holder)


def _fraction(answer, report) -> Decimal:
    value = Decimal(answer.get("fraction"))
    if value not in MOODLE_FRACTIONS:
        report(f"fraction {answer.get('fraction')} is not in Moodle's grade set", answer)
    return value


def _multichoice(question, report) -> dict:
    answers = question.findall("answer")
    if question.findtext("single") != "true":
        report("only single-answer multichoice is expected (<single>true</single>)")
    if len(answers) < 2:
        report(f"a multichoice question needs at least 2 answers, has {len(answers)}")
    fractions = [_fraction(a, report) for a in answers]
    full = [i for i, value in enumerate(fractions) if value == 100]
    if len(full) != 1:
        report(f"a single-answer multichoice needs exactly one 100% answer, has {len(full)}")
    texts = [a.findtext("text") or "" for a in answers]
    if len(set(texts)) != len(texts):
        report("two answers print the same")
    return {
        "correct": "ABCDEFGHIJ"[full[0]] if len(full) == 1 else "?",
        "options": len(answers),
        "texts": texts,
        "credits": [str(Fraction(value)) for value in fractions],
    }


def decimal_field(text: str | None, what: str, report, at, non_negative: bool = False) -> str:
    try:
        value = Decimal(text or "")
        if not value.is_finite() or (non_negative and value < 0):
            raise InvalidOperation
    except InvalidOperation:
        report(f"{what} {text!r} is not a{' non-negative' if non_negative else ''} decimal number", at)
    return text or ""


def _numerical(question, report) -> dict:
    full = [a for a in question.findall("answer") if _fraction(a, report) == 100]
    if len(full) != 1:
        report(f"a numerical question needs exactly one 100% answer, has {len(full)}")
        return {"parts": []}
    answer = full[0]
    return {
        "parts": [
            {
                "answer": decimal_field(answer.findtext("text"), "answer", report, answer),
                "tolerance": decimal_field(answer.findtext("tolerance") or "0", "tolerance", report, answer, True),
            }
        ]
    }


def _shortanswer(question, report) -> dict:
    accepted = [a.findtext("text") or "" for a in question.findall("answer") if _fraction(a, report) == 100]
    if not accepted:
        report("a shortanswer question needs an answer worth 100%")
    return {"parts": [{"accepted": accepted}]}


# {1:NUMERICAL:=0.5:0.005#feedback} and {1:SHORTANSWER:=a~=b}; "\}" etc. are escapes.
_CLOZE = re.compile(r"\{(\d+):([A-Z_]+):((?:\\.|[^\\}])*)\}")
_UNESCAPE = re.compile(r"\\(.)")


def _split_unescaped(text: str, separator: str) -> list[str]:
    return re.split(r"(?<!\\)" + re.escape(separator), text)


def _multianswer(question, report) -> dict:
    text = question.findtext("questiontext/text") or ""
    parts = []
    weights = []
    for weight, kind, body in _CLOZE.findall(text):
        weights.append(int(weight))
        alternatives = _split_unescaped(body, "~")
        partial = [a for a in alternatives if re.match(r"%-?[\d.]+%", a) and not a.startswith("%0%")]
        if partial:
            report(f"Cloze {kind} sub-answer gives partial credit ({partial[0][:30]!r}): only the key may score")
        right = [a[1:] for a in alternatives if a.startswith("=")]
        if not right:
            report(f"Cloze {kind} sub-answer {body[:40]!r} has no correct answer (=…)")
            continue
        answer = _split_unescaped(right[0], "#")[0]
        if kind in ("NUMERICAL", "NM"):
            value, _, tolerance = answer.partition(":")
            parts.append(
                {
                    "answer": decimal_field(value, "Cloze answer", report, None),
                    "tolerance": decimal_field(tolerance or "0", "Cloze tolerance", report, None, True),
                }
            )
        elif kind in ("MULTICHOICE", "MC"):  # a true/false statement's drop-down
            parts.append({"accepted": [_UNESCAPE.sub(r"\1", answer)]})
        elif kind in ("SHORTANSWER", "SA"):
            parts.append({"accepted": [_UNESCAPE.sub(r"\1", _split_unescaped(a, "#")[0]) for a in right]})
        else:
            report(f"Cloze sub-answer type {kind} is not one variantex writes")
    if not parts:
        report("a Cloze (multianswer) question needs at least one sub-answer")
    grade = question.findtext("defaultgrade")
    if grade is not None and weights and Decimal(grade) != sum(weights):
        report(
            f"<defaultgrade> {grade} but the sub-question weights add up to {sum(weights)} (Moodle marks out of those)"
        )
    return {"parts": parts, "weights": weights}


def _essay(question, report) -> dict:
    if not (question.findtext("graderinfo/text") or "").strip():
        report("an essay question should carry the worked solution as grader information")
    return {}


KEYS = {
    "multichoice": _multichoice,
    "numerical": _numerical,
    "shortanswer": _shortanswer,
    "multianswer": _multianswer,
    "essay": _essay,
}
