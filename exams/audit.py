"""Auditing hand-written answer keys: recompute each item and say which claims are wrong.

A keys file is a YAML list of items `{id, family, params, answer}` (and optionally `format`);
`answer` maps any subset of the family's named parts to claimed values (a single value is
allowed when the family has one part). A true/false key (`format: tf`, or any key of a
statement bank) is one mark per statement: `TFFT`, `[true, false, …]` or `{s1: true, …}`. A wrong claim that equals a named mistake's value is labelled with
that mistake, so the instructor sees *why* it is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from variantex.answer_engine.checking import Claim, claim_matches, read_tf
from variantex.answer_engine.distractors import Mistake
from variantex.answer_engine.errors import InputError
from variantex.answer_engine.exact import Value, exact_equal
from variantex.answer_engine.formatting import latex_to_text, plain, plain_with_decimal
from variantex.exams import yamlio
from variantex.generators import family as family_by_id
from variantex.generators.variant import Variant, variant_from_data

REQUIRED_FIELDS = ("id", "family", "params", "answer")
ITEM_FIELDS = (*REQUIRED_FIELDS, "format")


@dataclass(frozen=True)
class PartVerdict:
    part: str
    claim: Claim
    correct: Value
    ok: bool
    tolerance: str  # how the claim was compared: "exact" or the tolerance used
    mistakes: tuple[Mistake, ...] = ()
    # A decimal within the tolerance of the key and of these mistakes' values too: it
    # cannot tell them apart, so it is not OK (params a draw would have refused).
    ambiguous: tuple[Mistake, ...] = ()


@dataclass(frozen=True)
class ItemVerdict:
    id: str
    family: str
    parts: tuple[PartVerdict, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(part.ok for part in self.parts)


def audit_file(path: str | Path) -> list[ItemVerdict]:
    items = yamlio.load(path)
    if not isinstance(items, list) or not items:
        raise InputError("a keys file is a non-empty YAML list of items {id, family, params, answer}", str(path))
    prepared = [_prepare(path, items, i) for i in range(len(items))]
    ids = [item_id for item_id, _, _ in prepared]
    for i, item_id in enumerate(ids):
        if ids.index(item_id) != i:
            raise InputError(f"id {item_id!r} is used twice", yamlio.where(path, items, i, f"[{i}].id"))
    return [audit_item(item_id, variant, claims) for item_id, variant, claims in prepared]


def _prepare(path: str | Path, items: list, index: int) -> tuple[str, Variant, dict[str, Claim]]:
    item = items[index]
    if not isinstance(item, dict):
        raise InputError(
            "expected a mapping {id, family, params, answer}", yamlio.where(path, items, index, f"[{index}]")
        )
    for name in REQUIRED_FIELDS:
        if name not in item:
            raise InputError("missing", yamlio.where(path, item, None, f"[{index}].{name}"))
    for name in item:
        if name not in ITEM_FIELDS:
            raise InputError(
                f"unknown field (expected: {', '.join(ITEM_FIELDS)})",
                yamlio.where(path, item, name, f"[{index}].{name}"),
            )
    item_id = str(item["id"])
    label = f"item {item_id!r}"
    try:
        chosen = family_by_id(str(item["family"]))
        variant = variant_from_data(chosen, item["params"])
    except InputError as error:
        key = "family" if error.where == "family" else "params"
        raise error.located(yamlio.where(path, item, key, f"{label}: {key}" if key == "params" else label)) from None
    fmt = item.get("format")
    if fmt is not None and fmt not in chosen.formats:
        raise InputError(
            f"{chosen.id} has no format {fmt!r} (formats: {', '.join(chosen.formats)})",
            yamlio.where(path, item, "format", f"{label}: format"),
        )
    answer = item["answer"]
    if chosen.formats == ("tf",) or fmt == "tf":
        statements = chosen.statements(variant.params)
        answer = _tf_answer(answer, len(statements), yamlio.where(path, item, "answer", f"{label}: answer"))
        if chosen.formats != ("tf",):  # a family's own statements: judged against them, not parts
            marks = {}
            for name, word in answer.items():
                if not (isinstance(name, str) and name[1:].isdigit() and 1 <= int(name[1:]) <= len(statements)):
                    raise InputError(
                        f"unknown statement (s1 … s{len(statements)})",
                        yamlio.where(path, item, "answer", f"{label}: answer.{name}"),
                    )
                marks[name] = Claim.read(word)
            return item_id, StatementsOf(variant), marks
    part_names = [part.name for part in chosen.parts(variant.params)]
    if not isinstance(answer, dict):
        if len(part_names) != 1:
            raise InputError(
                f"{chosen.id} has several parts; give a mapping of part names ({', '.join(part_names)})",
                yamlio.where(path, item, "answer", f"{label}: answer"),
            )
        answer = {part_names[0]: answer}
    claims = {}
    for name, raw in answer.items():
        where = yamlio.where(
            path, answer if isinstance(answer, yamlio.LocatedDict) else item, name, f"{label}: answer.{name}"
        )
        if name not in part_names:
            raise InputError(f"unknown part for {chosen.id} (parts: {', '.join(part_names)})", where)
        try:
            claim = Claim.read(raw)
        except InputError as error:
            raise error.located(where) from None
        if claim.is_text and not _text_claim_possible(chosen, variant, str(name), claim):
            raise InputError(f"{claim.written!r} is neither a number nor a text answer {chosen.id} knows", where)
        claims[str(name)] = claim
    if not claims:
        raise InputError("gives no answer parts", yamlio.where(path, item, "answer", f"{label}: answer"))
    return item_id, variant, claims


def _tf_answer(answer: Any, count: int, where: str) -> Any:
    """A true/false key as written: `TFFT`, `T,F,F,T`, a list of true/false, or a mapping
    {s1: true, …}; booleans become the text answers "true"/"false", blanks claim nothing."""

    def word(value: Any) -> Any:
        return ("true" if value else "false") if isinstance(value, bool) else value

    if isinstance(answer, dict):
        return {name: word(value) for name, value in answer.items()}
    if isinstance(answer, list):
        answer = ",".join(
            "" if value is None else "T" if value is True else "F" if value is False else str(value) for value in answer
        )
    if not isinstance(answer, str):
        raise InputError(f"expected T/F marks such as TFFT, got {answer!r}", where)
    marks = read_tf(answer, count)
    if isinstance(marks, str):
        raise InputError(f"cannot read {answer!r} {marks}", where)
    return {f"s{i}": "true" if mark else "false" for i, mark in enumerate(marks, start=1) if mark is not None}


def _text_claim_possible(family, variant: Variant, part: str, claim: Claim) -> bool:
    """A text claim is a claim when the part's answer is text (an ordering), or the text is
    one the family knows (its text answers, a named mistake's text): else it is a typo."""
    if isinstance(variant.solution.values[part], str):
        return True
    known = [name for name in family.rules.text_answers]
    known += [m.values[part] for m in family.mistakes(variant.params) if isinstance(m.values.get(part), str)]
    canonical = family.rules.canonical_text(claim.value)
    return any(canonical == family.rules.canonical_text(text) for text in known)


@dataclass(frozen=True)
class StatementsOf:
    """A family's true/false statements about its own answers, audited like parts s1 … sk."""

    variant: Variant


def _audit_statements(item_id: str, source: StatementsOf, claims: dict[str, Claim]) -> ItemVerdict:
    family, params = source.variant.family, source.variant.params
    source.variant.solution  # noqa: B018 - the key the statements are judged by must verify first
    statements = family.statements(params)
    verdicts = []
    for name, claim in claims.items():
        statement = statements[int(name[1:]) - 1]
        correct = "true" if statement.truth else "false"
        ok = claim.value == correct
        mistakes = (
            ()
            if ok
            else (
                Mistake(
                    statement.mistake or "key_doubted",
                    "marked it %s; it is %s: %s" % (claim.value, correct, latex_to_text(statement.why)),
                ),
            )
        )
        verdicts.append(
            PartVerdict(part=name, claim=claim, correct=correct, ok=ok, tolerance="exact", mistakes=mistakes)
        )
    return ItemVerdict(item_id, family.id, tuple(verdicts))


def audit_item(item_id: str, variant: Variant | StatementsOf, claims: dict[str, Claim]) -> ItemVerdict:
    if isinstance(variant, StatementsOf):
        return _audit_statements(item_id, variant, claims)
    family = variant.family
    correct = variant.solution.values
    rules = family.rules_for(variant.params)
    wrong = {name for name, claim in claims.items() if not claim_matches(claim, correct[name], rules)}
    inexact = any(not claim.exact for claim in claims.values())
    mistakes = family.mistakes(variant.params) if wrong or inexact else []
    verdicts = []
    for name, claim in claims.items():
        explained: tuple[Mistake, ...] = ()
        ambiguous: tuple[Mistake, ...] = ()
        if name in wrong:
            explained = _explaining_mistakes(name, claims, mistakes, rules)
        elif not claim.exact:
            ambiguous = _also_matching(name, claim, correct[name], mistakes, rules)
        verdicts.append(
            PartVerdict(
                part=name,
                claim=claim,
                correct=correct[name],
                ok=name not in wrong and not ambiguous,
                tolerance="exact" if claim.exact else rules.tolerance.describe(),
                mistakes=explained,
                ambiguous=ambiguous,
            )
        )
    return ItemVerdict(item_id, family.id, tuple(verdicts))


def _matching(part: str, claim: Claim, mistakes: Sequence[Mistake], rules) -> list[Mistake]:
    """Named mistakes (not guesses) whose value for `part` the claim matches."""
    return [m for m in mistakes if not m.guess and part in m.values and claim_matches(claim, m.values[part], rules)]


def _also_matching(part: str, claim: Claim, correct: Value, mistakes: Sequence[Mistake], rules) -> tuple[Mistake, ...]:
    """Named mistakes whose own value for `part` (not the key's) this decimal claim also matches."""
    return tuple(
        m
        for m in _matching(part, claim, mistakes, rules)
        if not isinstance(m.values[part], str) and not exact_equal(m.values[part], correct)
    )


def _explaining_mistakes(
    part: str, claims: dict[str, Claim], mistakes: Sequence[Mistake], rules
) -> tuple[Mistake, ...]:
    """Mistakes whose value for `part` equals the claim; those consistent with every other
    claimed part they cover come first (a whole-vector mistake beats a coincidence)."""
    matching = _matching(part, claims[part], mistakes, rules)
    consistent = [
        m for m in matching if all(claim_matches(claims[p], m.values[p], rules) for p in claims if p in m.values)
    ]
    candidates = consistent or matching
    if not candidates:
        return ()
    simplest = min(m.slips for m in candidates)
    unique: dict[str, Mistake] = {}
    for mistake in candidates:
        if mistake.slips == simplest:
            unique.setdefault(mistake.name, mistake)
    return tuple(unique.values())


def describe(verdict: ItemVerdict) -> str:
    """One line per item, as `variantex check` prints it."""
    if verdict.ok:
        numeric = [p for p in verdict.parts if p.tolerance != "exact"]
        note = f" (numeric claims within {numeric[0].tolerance})" if numeric else ""
        return f"{verdict.id}: OK{note}"
    wrong = [part for part in verdict.parts if not part.ok]
    problems = [
        f"{p.part}: claimed {p.claim.written}, within {p.tolerance} of the key {plain_with_decimal(p.correct)} "
        f"and of named mistake {p.ambiguous[0].name} ({p.ambiguous[0].description}, "
        f"{plain_with_decimal(p.ambiguous[0].values[p.part])}): give more digits or the exact value"
        if p.ambiguous
        else f"{p.part}: claimed {p.claim.written}, correct {plain_with_decimal(p.correct)}"
        for p in wrong
    ]
    status = "AMBIGUOUS" if all(p.ambiguous for p in wrong) else "WRONG"
    line = f"{verdict.id}: {status} — " + "; ".join(problems)
    tolerances = sorted({p.tolerance for p in wrong if p.tolerance != "exact" and not p.ambiguous})
    if tolerances:
        line += f" (decimals compared within {tolerances[0]})"
    named: dict[str, Mistake] = {}
    for part in wrong:
        for mistake in part.mistakes:
            named.setdefault(mistake.name, mistake)
    if named:
        label = "named mistake" if len(named) == 1 else "named mistakes"
        line += f" — {label}: " + " / ".join(f"{m.name} ({m.description})" for m in named.values())
    return line


def as_json(verdicts: list[ItemVerdict]) -> dict[str, Any]:
    return {
        "ok": all(v.ok for v in verdicts),
        "items": [
            {
                "id": v.id,
                "family": v.family,
                "ok": v.ok,
                "parts": [
                    {
                        "part": p.part,
                        "claimed": p.claim.written,
                        "correct": plain(p.correct),
                        "ok": p.ok,
                        "compared": p.tolerance,
                        "mistakes": [{"name": m.name, "description": m.description} for m in p.mistakes],
                        "also_matches": [{"name": m.name, "description": m.description} for m in p.ambiguous],
                    }
                    for p in v.parts
                ],
            }
            for v in verdicts
        ],
    }


# --- one claim at a time (the practice page's verdicts are checked against this) -------------


def judge_claim(variant: Variant, part: str, written: str) -> tuple[str, str]:
    """How `variantex check` judges one written claim for one part of a variant:
    ("correct" | "wrong" | "mistake" | "unreadable", the named mistake's description)."""
    try:
        claim = Claim.read(written)
    except InputError:
        return "unreadable", ""
    if claim.is_text and not _text_claim_possible(variant.family, variant, part, claim):
        return "unreadable", ""
    verdict = audit_item("", variant, {part: claim}).parts[0]
    if verdict.ok:
        return "correct", ""
    if verdict.mistakes or verdict.ambiguous:
        return "mistake", (verdict.mistakes or verdict.ambiguous)[0].description
    return "wrong", ""
