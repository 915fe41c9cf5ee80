"""What the registry walk asserts of one variant, shared by the walk and by tests of new families.

For each variant: params are valid and round-trip through dump/parse; the draw lands on the
requested branch; solve equals the independent verify (Variant.solution raises otherwise);
options are distinct by value and as printed, and exactly one passes the answer check; no
named mistake's value is within a numeric question's tolerance of the key;
the question renders to LaTeX, JSON (valid against the documented schema) and text.
"""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import sympy as sp

from variantex.answer_engine.checking import Claim, claim_matches, value_matches
from variantex.answer_engine.distractors import value_key
from variantex.exams.exporters.latex import environment, question_context
from variantex.exams.exporters.text import question_text
from variantex.exams.view import question_view
from variantex.generators import variant as variant_module
from variantex.generators.base import confusable_mistakes
from variantex.generators.kit import EdgeCase

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "question-view.schema.json"


def validator():
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    return jsonschema.Draft202012Validator(schema)


_VALIDATOR = None


def assert_view_valid(data: dict) -> None:
    global _VALIDATOR
    _VALIDATOR = _VALIDATOR or validator()
    errors = sorted(_VALIDATOR.iter_errors(data), key=str)
    assert not errors, errors[0]


def render_all(variant, fmt: str) -> dict:
    """LaTeX (exam and key), JSON and text of one variant; returns the JSON view."""
    view = question_view(variant, fmt, points=sp.Integer(3))
    context = question_context(view)
    template = environment().get_template("question.tex.j2")
    for key in (False, True):
        assert "\\subsection*{Question 1" in template.render(question=context, key=key)
    data = json.loads(json.dumps(view.as_json()))
    assert_view_valid(data)
    if fmt == "open":  # the key's rubric shares out exactly the question's points
        assert view.rubric and sum(points for _, points in view.rubric) == view.points
    text = question_text(view)
    assert "\\" not in text.split("--- key")[0], text  # no TeX left in what a student reads
    return data


def verify_without_solver(family, params):
    """The independent route with the exact solver made unavailable: a `verify` that merely
    calls `solve` (directly, or through the variant's cached solutions) fails here."""

    def unavailable(*args, **kwargs):
        raise AssertionError(f"{family.id}.verify calls the exact solver: it is not an independent route")

    with (
        mock.patch.object(family, "solve", unavailable),
        mock.patch.object(variant_module, "_exact_solution", unavailable),
        mock.patch.object(variant_module, "_verified_solution", unavailable),
    ):
        return family.verify(params)


def live_mistakes(variant) -> set[str]:
    """The named mistakes that survive the distinctness filter on this variant: they differ
    from the key on some part they give (beyond the answer check's tolerance), and from every
    mistake named before them."""
    family, params, values = variant.family, variant.params, variant.solution.values
    rules = family.rules_for(params)
    alive, seen = set(), set()
    for mistake in family.mistakes(params):
        given = {name: value for name, value in mistake.values.items() if name in values}
        if not any(not value_matches(value, values[name], rules) for name, value in given.items()):
            continue
        key = (tuple(sorted(given)), value_key(tuple(given[name] for name in sorted(given))))
        if key not in seen:
            seen.add(key)
            alive.add(mistake.name)
    return alive


def dead_mistakes(variants) -> dict[str, set[str]]:
    """Mistake names (per family) that some variant names but none lets survive (pass the
    walk's draws and the family's edge cases: a mistake may live only on a hand-worked case)."""
    named: dict[str, set[str]] = {}
    alive: dict[str, set[str]] = {}
    for variant in variants:
        family_id = variant.family.id
        named.setdefault(family_id, set()).update(m.name for m in variant.family.mistakes(variant.params))
        alive.setdefault(family_id, set()).update(live_mistakes(variant))
    return {family_id: names - alive[family_id] for family_id, names in named.items() if names - alive[family_id]}


def assert_variant_sound(variant, branch, fmt):
    family, params = variant.family, variant.params
    verify_without_solver(family, params)
    assert family.parse(family.dump(params)) == params
    assert variant.branch == branch
    values = variant.solution.values
    assert [p.name for p in family.parts(params)] == list(values)
    if fmt == "mcq":
        options = variant.options
        printed = [option.printed for option in options]
        assert len(options) == family.choices_for(params)
        assert len(set(printed)) == len(printed), printed
        assert len({value_key(o.values) for o in options}) == len(options)
        correct = tuple(values[name] for name in family.mcq_parts(params))
        passing = [
            option
            for option in options
            if all(value_matches(v, c, family.rules_for(params)) for v, c in zip(option.values, correct))
        ]
        assert len(passing) == 1 and passing[0].correct
    if fmt == "numeric":
        # No decimal the question accepts for the key also passes for a named mistake.
        close = confusable_mistakes(family, params, family.rules_for(params).tolerance)
        assert not close, f"{close[0].name} gives a value within the tolerance of the key"
    render_all(variant, fmt)


def assert_edge_case(family, case: EdgeCase) -> None:
    from variantex.generators.variant import variant_from_data

    variant = variant_from_data(family, case.params)
    values = variant.solution.values
    for part, written in case.answers.items():
        claim = Claim.read(written)
        assert claim.exact, f"{family.id} edge case {case.note!r}: write {part} exactly, not {written!r}"
        assert claim_matches(claim, values[part], family.rules), (
            f"{family.id} edge case {case.note!r}: {part} is {values[part]}, expected {written}"
        )
