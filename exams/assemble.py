"""Papers: every slot of the spec filled with a verified variant, from explicit seeds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from variantex.answer_engine.errors import InputError
from variantex.exams import seeds
from variantex.exams.spec import MIXED, ExamSpec, QuestionSpec
from variantex.generators import draws
from variantex.generators.variant import Variant, draw_variant

LETTERS = "ABCDEFGHIJ"


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class QuestionInstance:
    number: int  # position on this student's paper
    spec: QuestionSpec
    variant: Variant
    seed: dict | None  # {"entropy", "spawn_key"}; None for fixed params
    option_order: tuple[int, ...] = ()  # printed position -> index into the arranged options
    arrangement: int | None = None  # which options, in which order (Variant.arranged); None: by params

    @property
    def family(self):
        return self.spec.family

    @property
    def printed_options(self) -> tuple:
        return ordered_options(self.variant, self.option_order, self.arrangement)


def ordered_options(variant: Variant, order: Sequence[int] = (), arrangement: int | None = None) -> tuple:
    """A variant's options in printed order (`order` maps printed position to option index)."""
    options = variant.arranged(arrangement)
    return tuple(options[i] for i in order) if order else options


def draw_arrangement(exam_seed: int, student_id: str, slot: str) -> int:
    """The arrangement of one student's options for one slot: its own stream, so it never
    changes the draws (see Variant.arranged)."""
    return int(seeds.rng_for(exam_seed, student_id, slot + "#arrangement").integers(1 << 31))


def correct_letter(options: Sequence) -> str:
    return next(LETTERS[i] for i, option in enumerate(options) if option.correct)


@dataclass(frozen=True)
class Paper:
    student: Student | None
    questions: tuple[QuestionInstance, ...]

    @property
    def student_id(self) -> str:
        return self.student.id if self.student else seeds.PRACTICE


def slot_branch(question: QuestionSpec, exam_seed: int, student: str) -> str:
    """One branch per slot for everybody, unless the spec asks for `mixed`."""
    if question.branch == MIXED:
        rng = seeds.rng_for(exam_seed, student, question.slot + "#branch")
        return draws.pick(rng, list(question.family.branches))
    if question.branch:
        return question.branch
    return question.family.default_branch(question.options)


def assemble_paper(spec: ExamSpec, exam_seed: int, student: Student | None = None) -> Paper:
    student_id = student.id if student else seeds.PRACTICE
    drawn = [draw_slot(question, exam_seed, student_id, spec.shuffle_options, spec.path) for question in spec.questions]
    if spec.shuffle_questions:
        order_rng = seeds.rng_for(exam_seed, student_id, "#questions")
        drawn = [drawn[int(i)] for i in order_rng.permutation(len(drawn))]
    instances = tuple(
        QuestionInstance(number, question, variant, seed, order, arrangement)
        for number, (question, variant, seed, order, arrangement) in enumerate(drawn, start=1)
    )
    return Paper(student, instances)


Drawn = tuple[QuestionSpec, Variant, "dict | None", tuple[int, ...], "int | None"]


def draw_slot(question: QuestionSpec, exam_seed: int, student_id: str, shuffle_options: bool, where: str) -> Drawn:
    """One student's question for one slot: (question, variant, seed record, option order,
    arrangement), each from its own stream of (exam seed, student, slot)."""
    if question.fixed is not None:
        variant, seed = question.fixed, None
    else:
        rng = seeds.rng_for(exam_seed, student_id, question.slot)
        try:
            variant = draw_variant(
                question.family,
                rng,
                slot_branch(question, exam_seed, student_id),
                question.options,
                question.format,
            )
        except InputError as error:
            raise error.located(f"{where}: question {question.slot} ({question.family.id})") from None
        seed = {"entropy": exam_seed, "spawn_key": list(seeds.spawn_key(student_id, question.slot))}
    option_order: tuple[int, ...] = ()
    arrangement = None
    if question.format == "mcq":
        if seed is not None:
            arrangement = draw_arrangement(exam_seed, student_id, question.slot)
        option_order = tuple(range(len(variant.options)))
        if shuffle_options:
            # Its own stream per (student, slot), so shuffling never changes the draws.
            order_rng = seeds.rng_for(exam_seed, student_id, question.slot + "#options")
            option_order = tuple(int(i) for i in order_rng.permutation(len(variant.options)))
    return question, variant, seed, option_order, arrangement


def assemble(
    spec: ExamSpec, exam_seed: int, students: Sequence[Student | None] = (None,), progress=None
) -> list[Paper]:
    papers = []
    for student in students:
        papers.append(assemble_paper(spec, exam_seed, student))
        if progress:
            progress(1)
    return papers


@dataclass(frozen=True)
class SlotVariety:
    slot: str
    family: str
    papers: int
    distinct: int

    @property
    def repeated(self) -> bool:
        return self.distinct < self.papers


def variety(spec: ExamSpec, papers: Sequence[Paper]) -> list[SlotVariety]:
    """Per slot, how many distinct variants the papers received (fixed params count as one)."""
    report = []
    for question in spec.questions:
        seen = set()
        for paper in papers:
            instance = next(q for q in paper.questions if q.spec.slot == question.slot)
            seen.add(instance.variant.params)
        report.append(SlotVariety(question.slot, question.family.id, len(papers), len(seen)))
    return report
