"""LaTeX from Jinja2 templates.

Templates use `<< var >>`, `<% block %>` and `<# comment #>` so that LaTeX braces need no
escaping, are strict about undefined variables, and escape every string that is not
already marked `Latex`: user text cannot reach TeX unescaped.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2

from answer_engine.formatting import Latex, escape, tex
from exams.assemble import LETTERS, Paper, QuestionInstance
from exams.spec import ExamSpec


def _finalize(value: Any) -> Any:
    if isinstance(value, Latex):
        return value
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return value
    return escape(value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    folder = resources.files("templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        line_statement_prefix=None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )
    # Marks text a template assembled itself from already-escaped pieces as LaTeX.
    env.filters["safe_latex"] = Latex
    return env


def points_text(points) -> Latex:
    return Latex(str(int(points)) if points.q == 1 else tex(points))


def question_context(instance: QuestionInstance) -> dict:
    variant = instance.variant
    family, params = variant.family, variant.params
    solution = variant.solution
    labels = {part.name: part.label for part in family.parts(params)}
    fmt = instance.spec.format
    context = {
        "number": instance.number,
        "points": points_text(instance.spec.points),
        "format": fmt,
        "stem": f"{family.id}/stem.tex.j2",
        "q": family.context(params),
        "steps": list(solution.steps),
        "answers": [
            {"label": labels[name], "value": family.print_value(params, value)}
            for name, value in solution.values.items()
        ],
        "options": [],
        "numeric": [],
        # Room to write an open answer grows with the points it is worth.
        "space": Latex(f"{min(4 + 1.5 * float(instance.spec.points), 16):g}cm"),
    }
    if fmt == "mcq":
        context["options"] = [
            {"letter": LETTERS[i], "printed": option.printed, "correct": option.correct}
            for i, option in enumerate(instance.printed_options)
        ]
    if fmt == "numeric":
        context["numeric"] = [
            {"label": labels[name], "answer": family.print_value(params, solution.values[name])}
            for name in family.numeric_parts(params)
        ]
    return context


def render_papers(spec: ExamSpec, papers: list[Paper], key: bool, contexts: list[dict] | None = None) -> str:
    """One document; several papers (a roster) each start on a fresh page with a cover.

    `contexts` (from `paper_contexts`) lets the exam and the key share one computation.
    """
    template = environment().get_template("exam.tex.j2")
    return template.render(
        exam={
            "title": spec.title,
            "course": spec.course,
            "date": spec.date,
            "duration": spec.duration,
            "instructions": list(spec.instructions),
            "total": points_text(spec.total_points),
        },
        key=key,
        papers=contexts if contexts is not None else paper_contexts(papers),
    )


def paper_contexts(papers: list[Paper]) -> list[dict]:
    return [
        {
            "student": {"id": p.student.id, "name": p.student.name} if p.student else None,
            "questions": [question_context(q) for q in p.questions],
        }
        for p in papers
    ]
