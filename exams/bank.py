"""A question bank: for every slot of a spec, N variants (an LMS draws one per student; a
practice page offers them one after another).

Variant i of every slot is drawn as if for a student with id `v<i>` (zero-padded), so a
variant's seed is (exam seed, variant id, slot) like any paper's, and the bank is
reproducible from the spec and seed. `bank_manifest` records each variant's params and key
(exact values, the decimal and tolerance written to the LMS file) so that the key can be
recomputed without the RNG and every exported file checked against it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal
from importlib import metadata

import sympy as sp

from variantex.answer_engine.exact import dump_value, is_infinite
from variantex.exams.assemble import Student, assemble
from variantex.exams.spec import ExamSpec, QuestionSpec
from variantex.exams.view import PartView, QuestionView, question_view
from variantex.generators.markup import Figure
from variantex.generators.variant import Variant

BANK_SCHEMA = "variantex.bank"
BANK_VERSION = 1
DECIMAL_DIGITS = 15  # significant digits of a decimal answer written for an LMS


@dataclass(frozen=True)
class BankVariant:
    id: str  # "v001"
    params: dict  # the family's dump of the params
    seed: dict | None
    view: QuestionView
    variant: Variant  # the verified variant itself (its rules and named mistakes)


@dataclass(frozen=True)
class BankSlot:
    spec: QuestionSpec
    variants: tuple[BankVariant, ...]


@dataclass(frozen=True)
class Bank:
    spec: ExamSpec
    seed: int
    slots: tuple[BankSlot, ...]


def variant_ids(count: int) -> list[str]:
    width = max(3, len(str(count)))
    return [f"v{i:0{width}d}" for i in range(1, count + 1)]


def draw_bank(spec: ExamSpec, seed: int, count: int) -> Bank:
    if spec.shuffle_questions:  # a bank has no paper order; said here so nobody expects one
        spec = dataclasses.replace(spec, shuffle_questions=False)
    ids = variant_ids(count)
    papers = assemble(spec, seed, [Student(i, "") for i in ids])
    slots = []
    for question in spec.questions:
        variants = []
        for variant_id, paper in zip(ids, papers):
            instance = next(q for q in paper.questions if q.spec.slot == question.slot)
            variants.append(
                BankVariant(
                    variant_id,
                    question.family.dump(instance.variant.params),
                    instance.seed,
                    bank_view(instance.variant, question),
                    instance.variant,
                )
            )
        slots.append(BankSlot(question, tuple(variants)))
    return Bank(spec, seed, tuple(slots))


def bank_view(variant: Variant, question: QuestionSpec) -> QuestionView:
    """A variant as the bank states it: options in the order they were built (a function of
    the params alone; the LMS shuffles them per student), so the key is recomputable."""
    return question_view(variant, question.format, slot=question.slot, points=question.points, scoring=question.scoring)


def bank_figures(bank: Bank) -> list[Figure]:
    return [
        block
        for slot in bank.slots
        for variant in slot.variants
        for block in (*variant.view.stem, *variant.view.ask, *variant.view.discuss)
        if isinstance(block, Figure)
    ]


def question_id(slot: BankSlot, variant: BankVariant) -> str:
    """The id a variant carries in every LMS file: slot and variant (`q1-v007`)."""
    return f"{slot.spec.slot}-{variant.id}"


# --- numbers as an LMS takes them ----------------------------------------------------------


def decimal_text(value: sp.Expr, digits: int = DECIMAL_DIGITS) -> str:
    """A plain decimal (no exponent) with `digits` significant figures, rounded half-even."""
    return _rounded(value, Context(prec=digits, rounding=ROUND_HALF_EVEN))


def _rounded(value: sp.Expr, context: Context) -> str:
    if value == 0:
        return "0"
    exact = Decimal(str(sp.N(value, context.prec + 20)))
    text = format(context.plus(exact), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def in_words(part: PartView) -> bool:
    """A part answered by a word or by infinity: typed as text, never given a tolerance."""
    return isinstance(part.value, str) or is_infinite(part.value)


def absolute_tolerance(view: QuestionView, part: PartView) -> sp.Expr:
    """The family's tolerance for this value as an absolute bound (what LMSs take), exactly."""
    if in_words(part):
        return sp.Integer(0)
    return sp.Max(view.tolerance.relative * abs(part.value), view.tolerance.absolute)


def tolerance_text(view: QuestionView, part: PartView) -> str:
    """The absolute tolerance an LMS file states: the family's bound, widened by the gap
    between the exact answer and its stated 15-digit decimal, rounded up to 6 significant
    figures. So the LMS's interval [decimal ± tolerance] holds every number `check` accepts
    (1/3 ± 1 %: 0.33 passes in Moodle, Canvas and QTI as in `check`); it is wider than the
    family's by at most a millionth of the tolerance, and `export --check` and the tests make
    sure no named mistake falls in that sliver (exams/lms/acceptance.py)."""
    bound = absolute_tolerance(view, part)
    gap = abs(sp.Rational(decimal_text(part.value)) - part.value)
    return _rounded(bound + gap, Context(prec=6, rounding=ROUND_CEILING))


def numeric_key(view: QuestionView, part: PartView) -> dict:
    """What an LMS file states for one asked part, as the manifest records it."""
    if in_words(part):
        return {"name": part.name, "value": dump_value(part.value), "accepted": list(accepted_texts(part))}
    return {
        "name": part.name,
        "value": dump_value(part.value),
        "answer": decimal_text(part.value),
        "tolerance": tolerance_text(view, part),
    }


def accepted_texts(part: PartView) -> tuple[str, ...]:
    """Text a student may type for a part whose answer is a word or infinity."""
    if isinstance(part.value, str):  # the value's own words only: never another text answer's
        return part.accepted_words or (part.value,)
    return ("infinity", "inf", "∞") if part.value > 0 else ("-infinity", "-inf", "-∞")


STATED = ("answer", "tolerance", "accepted")  # what a file can state of a part (not its exact value)


def stated_part(view: QuestionView, part: PartView) -> dict:
    """What an LMS file states for one asked part: a decimal and tolerance, or accepted words."""
    return {k: v for k, v in numeric_key(view, part).items() if k in STATED}


def variant_key(view: QuestionView) -> dict:
    if view.format == "mcq":
        return {"correct": view.correct_letter, "options": len(view.options)}
    if view.format == "numeric":
        return {"parts": [numeric_key(view, part) for part in view.asked]}
    return {"parts": [{"name": part.name, "value": dump_value(part.value)} for part in view.answers]}


def bank_manifest(bank: Bank, spec_path: str, target: str) -> dict:
    return {
        "schema": BANK_SCHEMA,
        "version": BANK_VERSION,
        "spec": {"path": spec_path, "sha256": bank.spec.sha256},
        "seed": bank.seed,
        "target": target,
        "versions": {name: metadata.version(name) for name in ("variantex", "sympy")},
        "slots": [
            {
                "slot": s.spec.slot,
                "family": s.spec.family.id,
                "format": s.spec.format,
                "points": dump_value(s.spec.points),
                **({"scoring": s.spec.scoring} if s.spec.format == "tf" else {}),
                "variants": [
                    {
                        "id": v.id,
                        "question": question_id(s, v),
                        "seed": v.seed,
                        "params": v.params,
                        "key": variant_key(v.view),
                    }
                    for v in s.variants
                ],
            }
            for s in bank.slots
        ],
    }
