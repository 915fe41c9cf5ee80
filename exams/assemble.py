"""Papers: every slot of the spec filled with a verified variant, from explicit seeds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from answer_engine.errors import InputError
from exams import seeds
from exams.spec import MIXED, ExamSpec, QuestionSpec
from generators import draws
from generators.variant import Variant, draw_variant


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class QuestionInstance:
    number: int
    spec: QuestionSpec
    variant: Variant
    seed: dict | None  # {"entropy", "spawn_key"}; None for fixed params

    @property
    def family(self):
        return self.spec.family


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
    instances = []
    for number, question in enumerate(spec.questions, start=1):
        if question.fixed is not None:
            instances.append(QuestionInstance(number, question, question.fixed, None))
            continue
        rng = seeds.rng_for(exam_seed, student_id, question.slot)
        try:
            variant = draw_variant(question.family, rng, slot_branch(question, exam_seed, student_id),
                                   question.options, question.format)
        except InputError as error:
            raise error.located(f"{spec.path}: questions[{number - 1}] ({question.family.id})") from None
        seed = {"entropy": exam_seed, "spawn_key": list(seeds.spawn_key(student_id, question.slot))}
        instances.append(QuestionInstance(number, question, variant, seed))
    return Paper(student, tuple(instances))


def assemble(spec: ExamSpec, exam_seed: int, students: Sequence[Student | None] = (None,)) -> list[Paper]:
    return [assemble_paper(spec, exam_seed, student) for student in students]
