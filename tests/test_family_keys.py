"""`check` on hand-written keys for every family: right keys pass, wrong ones are caught and named.

For each family a keys file is written the way an instructor writes one (fractions as "3/4",
closed forms as "sqrt(2)/2", infinity as a word, text answers as text): its hand-worked edge
cases with their stated answers, and for each of them the answers a named mistake leads to.
The audit must pass the first and flag every second one, naming a mistake.
"""

import pytest
import sympy as sp
import yaml

from variantex.answer_engine import exact
from variantex.exams.audit import audit_file
from variantex.generators import families
from variantex.generators.variant import variant_from_data


def written(value):
    """A value as a key author writes it."""
    if isinstance(value, str):
        return value
    if exact.is_infinite(value):
        return "infinity" if value > 0 else "-infinity"
    if isinstance(value, sp.Rational):
        return int(value) if value.q == 1 else f"{value.p}/{value.q}"
    return sp.sstr(value)


def first_wrong_mistake(variant):
    """A named mistake (no filler guess) that changes some part's exact value, with those parts."""
    correct = variant.solution.values
    for mistake in variant.family.mistakes(variant.params):
        changed = {
            part: value
            for part, value in mistake.values.items()
            if part in correct and not mistake.guess and value != correct[part]
        }
        if changed:
            return mistake, changed
    return None, {}


@pytest.mark.parametrize("family", families(), ids=lambda f: f.id)
def test_right_keys_pass_and_wrong_keys_are_named(family, tmp_path):
    items, wrong_ids = [], []
    for i, case in enumerate(family.edge_cases):
        variant = variant_from_data(family, dict(case.params))
        items.append(
            {
                "id": f"right-{i}",
                "family": family.id,
                "params": dict(case.params),
                "answer": {part: written(v) for part, v in variant.solution.values.items()},
            }
        )
        mistake, changed = first_wrong_mistake(variant)
        if mistake is not None:
            items.append(
                {
                    "id": f"wrong-{i}",
                    "family": family.id,
                    "params": dict(case.params),
                    "answer": {part: written(v) for part, v in changed.items()},
                }
            )
            wrong_ids.append(f"wrong-{i}")
    keys = tmp_path / "keys.yaml"
    keys.write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")
    verdicts = {v.id: v for v in audit_file(keys)}
    assert all(v.ok for name, v in verdicts.items() if name.startswith("right")), family.id
    assert wrong_ids, f"{family.id}: no edge case has a named mistake to check against"
    for name in wrong_ids:
        verdict = verdicts[name]
        assert not verdict.ok, f"{family.id} {name}: a mistake's answer passed"
        assert any(part.mistakes for part in verdict.parts if not part.ok), f"{family.id} {name}: not named"
