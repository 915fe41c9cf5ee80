"""docs/families.md is written from the registry and must match it."""

from pathlib import Path

from variantex.generators.base import builtin_families
from variantex.generators.docs import families_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "families.md"


def test_the_families_page_is_current():
    assert DOC.read_text(encoding="utf-8") == families_markdown(), (
        "docs/families.md is stale: run `.venv/bin/python -m variantex.generators.docs > docs/families.md`"
    )


def test_every_family_is_on_the_page_with_a_solve_command():
    text = DOC.read_text(encoding="utf-8")
    for family in builtin_families():
        assert f"## `{family.id}`" in text
        if family.edge_cases:
            assert f"variantex solve {family.id} --set" in text


def test_the_family_index_is_current():
    """`variantex families` reads generators/index.json (no family imported): it must be the registry."""
    import json

    from variantex.generators.docs import families_index

    index = Path(__file__).resolve().parents[1] / "generators" / "index.json"
    assert json.loads(index.read_text(encoding="utf-8")) == families_index(), (
        "generators/index.json is stale: run `.venv/bin/python -m variantex.generators.docs --index > generators/index.json`"
    )
