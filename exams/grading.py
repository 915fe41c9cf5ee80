"""Grading response sheets against each student's own key, and the item report.

A responses CSV has one row per student: the id, then one response per question in the
order printed on *that student's* paper: an option letter for multiple choice; the
value(s) for numeric questions (several parts separated by ';'; a part written `[1/2]` is the
points a grader gave it, as a scanned score box says); for true/false questions
one T or F per statement (`TFFT`, `T,F,F,T` or `T F F T`; `-`, `_`, `?` or an empty cell
leaves a statement blank); for open questions the points a grader awarded. Blanks score 0; an entry that cannot be read is listed, never
guessed, and scores 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from variantex.answer_engine import exact
from variantex.answer_engine.checking import Claim, claim_matches, read_tf
from variantex.answer_engine.errors import InputError
from variantex.answer_engine.formatting import plain
from variantex.exams.csvfiles import write_rows
from variantex.exams.inputs import read_csv_rows
from variantex.exams.manifest import question_record_from, same_values
from variantex.exams.spec import ALL_OR_NOTHING
from variantex.generators import family as family_by_id
from variantex.generators.statements import StatementBank
from variantex.generators.variant import Variant, variant_from_data

CORRECT, PARTIAL, WRONG, BLANK, UNREADABLE, MANUAL = "correct", "partial", "wrong", "blank", "unreadable", "manual"


@dataclass(frozen=True)
class Mark:
    slot: str
    number: int  # printed position
    response: str
    status: str
    points: sp.Rational
    possible: sp.Rational
    mistakes: tuple[str, ...] = ()
    note: str = ""


@dataclass
class StudentResult:
    id: str
    name: str
    marks: list[Mark] = field(default_factory=list)

    @property
    def total(self) -> sp.Rational:
        return sum((m.points for m in self.marks), sp.Integer(0))


@dataclass
class GradeReport:
    slots: list[dict[str, Any]]
    students: list[StudentResult]  # those with a response row: the mean and item statistics are theirs
    warnings: list[str] = field(default_factory=list)
    absent: list[StudentResult] = field(default_factory=list)  # no response row: listed, never averaged

    @property
    def unreadable(self) -> list[str]:
        return [
            f"{s.id} question {m.number} ({m.slot}): {m.response!r} {m.note}".rstrip()
            for s in self.students
            for m in s.marks
            if m.status == UNREADABLE
        ]


def read_responses(path: str | Path, papers: dict[str, dict]) -> tuple[dict[str, list[str]], list[str]]:
    path = Path(path)
    rows = read_csv_rows(path)
    numbered = [(n, [c.strip() for c in row]) for n, row in enumerate(rows, start=1) if any(c.strip() for c in row)]
    if numbered and numbered[0][1][0].lower() in ("id", "student", "student_id"):
        numbered = numbered[1:]
    if not numbered:
        raise InputError("no responses", str(path))
    responses: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    warnings = []
    for number, row in numbered:
        where = f"{path}:{number}"
        student = row[0]
        if student not in papers:
            raise InputError(f"unknown student {student!r} (not in the manifest)", where)
        if student in responses:
            raise InputError(f"student {student!r} already answered on line {first_line[student]}", where)
        expected = len(papers[student]["questions"])
        answers = row[1:]
        if len(answers) > expected:
            raise InputError(f"{len(answers)} responses but {student}'s exam has {expected} questions", where)
        if len(answers) < expected:
            warnings.append(f"{where}: {student} gave {len(answers)} of {expected} responses; the rest count as blank")
            answers = answers + [""] * (expected - len(answers))
        responses[student], first_line[student] = answers, number
    for student in papers:
        if student not in responses:
            warnings.append(f"{student}: no response row: listed as absent, left out of the mean and item statistics")
    return responses, warnings


def grade(manifest: dict[str, Any], responses_path: str | Path) -> GradeReport:
    papers = {(p.get("student") or {}).get("id", ""): p for p in manifest["papers"]}
    responses, warnings = read_responses(responses_path, papers)
    slots = _slots(manifest)
    students, absent = [], []
    for student_id, paper in papers.items():
        result = StudentResult(student_id, (paper.get("student") or {}).get("name", ""))
        if student_id not in responses:
            absent.append(result)
            continue
        for record, response in zip(paper["questions"], responses[student_id]):
            result.marks.append(mark(recomputed(record), response))
        students.append(result)
    return GradeReport(slots, students, warnings, absent)


def _slots(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Slots in spec order (a paper's printed order may be shuffled)."""
    first = {q["slot"]: q for q in manifest["papers"][0]["questions"]}
    order = manifest.get("slots") or list(first)
    return [
        {"slot": s, "family": first[s]["family"], "format": first[s]["format"], "points": first[s]["points"]}
        for s in order
    ]


def recomputed(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its key (answers, options, correct letter, branch) recomputed from its
    params: marks never come from a stored key, whatever the manifest says."""
    return {**record, **question_record_from(_variant(record), record)}


def _variant(record: dict[str, Any]) -> Variant:
    variant = variant_from_data(family_by_id(record["family"]), record["params"], record["format"])
    if not same_values("answers", record["answers"], question_record_from(variant, record)["answers"]):
        raise InputError(
            f"question {record['slot']}: the stored answers do not follow from the stored params "
            "(run `variantex verify` on this manifest)"
        )
    return variant


def mark(record: dict[str, Any], response: str) -> Mark:
    possible = exact.rational(record["points"])
    base = dict(slot=record["slot"], number=record["number"], response=response, possible=possible)
    if not response:
        return Mark(status=BLANK, points=sp.Integer(0), **base)
    fmt = record["format"]
    if fmt == "mcq":
        letters = {o["letter"]: o for o in record["options"]}
        chosen = letters.get(response.strip().upper())
        if chosen is None:
            return Mark(status=UNREADABLE, points=sp.Integer(0), note=f"(options {', '.join(letters)})", **base)
        if chosen["mistake"] is None:
            return Mark(status=CORRECT, points=possible, **base)
        return Mark(status=WRONG, points=sp.Integer(0), mistakes=(chosen["mistake"],), **base)
    if fmt == "numeric":
        return _mark_numeric(record, response, base)
    if fmt == "tf":
        return _mark_tf(record, response, base)
    try:
        awarded = exact.rational(response)
    except InputError:
        return Mark(status=UNREADABLE, points=sp.Integer(0), note="(open questions take the points awarded)", **base)
    if not 0 <= awarded <= possible:
        return Mark(
            status=UNREADABLE, points=sp.Integer(0), note=f"(awarded points must be 0..{plain(possible)})", **base
        )
    return Mark(status=MANUAL, points=awarded, **base)


def _mark_numeric(record: dict[str, Any], response: str, base: dict) -> Mark:
    """Equal credit per part; a text entry counts only if it is an answer the family knows."""
    variant = _variant(record)
    family, params = variant.family, variant.params
    rules = family.rules_for(params)
    names = family.numeric_parts(params)
    cells = [cell.strip() for cell in response.split(";")]
    if len(cells) != len(names):
        return Mark(
            status=UNREADABLE,
            points=sp.Integer(0),
            note=f"(expected {len(names)} value(s) separated by ';': {', '.join(names)})",
            **base,
        )
    mistakes = [m for m in family.mistakes(params) if not m.guess]
    right, chosen = 0, []
    share = base["possible"] / len(names)
    awarded: sp.Rational = sp.Integer(0)
    graded_by_hand = False
    for cell, name in zip(cells, names):
        if not cell:
            continue
        if cell.startswith("[") and cell.endswith("]"):  # points a grader gave this part (a scanned score box)
            try:
                points = exact.rational(cell[1:-1].strip())
            except InputError:
                points = None
            if points is None or not 0 <= points <= share:
                return Mark(
                    status=UNREADABLE,
                    points=sp.Integer(0),
                    note=f"({name}: [points] must be 0..{plain(share)})",
                    **base,
                )
            awarded += points
            graded_by_hand = True
            continue
        correct = variant.solution.values[name]
        known = [correct] + [m.values[name] for m in mistakes if name in m.values]
        try:
            claim = Claim.read(cell)
        except InputError:
            claim = None
        if claim is None or (
            claim.is_text and not any(claim_matches(claim, value, rules) for value in known if isinstance(value, str))
        ):
            return Mark(status=UNREADABLE, points=sp.Integer(0), note=f"({name}: not a number)", **base)
        if claim_matches(claim, correct, rules):
            right += 1
        else:
            chosen += [m.name for m in mistakes if name in m.values and claim_matches(claim, m.values[name], rules)][:1]
    points = share * right + awarded
    if graded_by_hand:
        status = MANUAL
    else:
        status = CORRECT if right == len(names) else PARTIAL if right else WRONG
    return Mark(status=status, points=points, mistakes=tuple(dict.fromkeys(chosen)), **base)


def _mark_tf(record: dict[str, Any], response: str, base: dict) -> Mark:
    """Per statement: an equal share of the points for each right mark (blanks and wrong marks
    earn nothing, nothing is taken off); all-or-nothing: the points only when every mark is right."""
    variant = _variant(record)
    statements = variant.family.statements(variant.params)
    truths = [statement.truth for statement in statements]
    marks = read_tf(response, len(truths))
    if isinstance(marks, str):
        return Mark(status=UNREADABLE, points=sp.Integer(0), note=marks, **base)
    if all(mark is None for mark in marks):
        return Mark(status=BLANK, points=sp.Integer(0), **base)
    right = sum(1 for mark, truth in zip(marks, truths) if mark is truth)
    # A statement bank's statements are facts, not slips: say so ("misjudged fact X").
    fact = "misjudged fact " if isinstance(variant.family, StatementBank) else ""
    mistakes = tuple(
        dict.fromkeys(
            fact + s.mistake
            for s, mark in zip(statements, marks)
            if mark is not None and mark is not s.truth and s.mistake
        )
    )
    if record.get("scoring") == ALL_OR_NOTHING:
        points = base["possible"] if right == len(truths) else sp.Integer(0)
    else:
        points = base["possible"] * sp.Rational(right, len(truths))
    status = CORRECT if right == len(truths) else PARTIAL if right else WRONG
    return Mark(status=status, points=points, mistakes=mistakes, **base)


# --- the reports ----------------------------------------------------------------------


def scores_rows(report: GradeReport) -> list[list[str]]:
    header = ["id", "name"] + [s["slot"] for s in report.slots] + ["total"]
    rows = [header]
    for student in report.students:
        by_slot = {m.slot: m for m in student.marks}
        rows.append(
            [student.id, student.name]
            + [_number(by_slot[s["slot"]].points) for s in report.slots]
            + [_number(student.total)]
        )
    rows += [[student.id, student.name] + ["absent"] * (len(report.slots) + 1) for student in report.absent]
    return rows


def item_rows(report: GradeReport) -> list[list[str]]:
    """Per slot: share correct, mean points, item-rest point-biserial, named mistakes chosen."""
    header = [
        "slot",
        "family",
        "format",
        "points",
        "students",
        "share_correct",
        "mean_points",
        "discrimination",
        "blank",
        "unreadable",
        "mistakes_chosen",
        "letters_chosen",
    ]
    rows = [header]
    totals = [float(s.total) for s in report.students]
    for slot in report.slots:
        marks = [next(m for m in s.marks if m.slot == slot["slot"]) for s in report.students]
        item = [float(m.points / m.possible) for m in marks]
        rest = [t - float(m.points) for t, m in zip(totals, marks)]
        counts: dict[str, int] = {}
        for m in marks:
            for name in m.mistakes:
                counts[name] = counts.get(name, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append(
            [
                slot["slot"],
                slot["family"],
                slot["format"],
                slot["points"],
                str(len(marks)),
                f"{sum(1 for m in marks if m.points == m.possible) / len(marks):.2f}",  # full credit
                f"{sum(float(m.points) for m in marks) / len(marks):.2f}",
                _correlation(item, rest),
                str(sum(1 for m in marks if m.status == BLANK)),
                str(sum(1 for m in marks if m.status == UNREADABLE)),
                "; ".join(f"{name} ×{count}" for name, count in ranked),
                _letters(marks) if slot["format"] == "mcq" else "",
            ]
        )
    return rows


def _letters(marks: list[Mark]) -> str:
    """How often each printed letter was marked (A ×12; B ×3; …): a letter chosen far more
    often than the others, whatever option it held, is a guessing pattern to look into."""
    counts: dict[str, int] = {}
    for m in marks:
        letter = m.response.strip().upper()
        if letter and m.status != UNREADABLE:
            counts[letter] = counts.get(letter, 0) + 1
    return "; ".join(f"{letter} ×{count}" for letter, count in sorted(counts.items()))


def _correlation(xs: list[float], ys: list[float]) -> str:
    """Pearson correlation (the point-biserial for 0/1 items); '' when it is undefined."""
    n = len(xs)
    if n < 3:
        return ""
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return ""
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return f"{sxy / math.sqrt(sxx * syy):.2f}"


def _number(value: sp.Rational) -> str:
    return str(int(value)) if value.q == 1 else f"{float(value):.2f}"


def write_reports(folder: Path, report: GradeReport) -> list[Path]:
    written = []
    for name, rows in (("scores.csv", scores_rows(report)), ("items.csv", item_rows(report))):
        path = folder / name
        write_rows(path, rows)
        written.append(path)
    problems = folder / "problems.txt"
    lines = ["Unreadable entries (scored 0, not guessed):"] + [f"  {u}" for u in report.unreadable or ["none"]]
    lines += ["", "Warnings:"] + [f"  {w}" for w in report.warnings or ["none"]]
    problems.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written.append(problems)
    return written
