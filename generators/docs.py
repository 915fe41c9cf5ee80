"""docs/families.md, written from the registry: `python -m variantex.generators.docs > docs/families.md`.

A test regenerates it and compares, so the page never falls behind the families.
"""

from __future__ import annotations

import inspect
import json

from variantex.generators.base import builtin_families


def _story(family) -> str:
    doc = inspect.getmodule(type(family)).__doc__ or ""
    paragraphs = [p.strip() for p in doc.split("\n\n") if p.strip()]
    story = paragraphs[0].split(":", 1)[-1].strip() if paragraphs else family.title
    more = " ".join(paragraphs[1:2])
    text = " ".join((story + " " + more).split())
    return text[:1].upper() + text[1:]


def _value(value) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _solve_command(family) -> str:
    if not family.edge_cases:
        return ""
    case = family.edge_cases[0]
    assignments = " ".join(
        f"--set '{name}={json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}'"
        for name, value in case.params.items()
    )
    return f"variantex solve {family.id} {assignments}"


def families_markdown() -> str:
    lines = [
        "# Question families",
        "",
        "Written from the registry by `python -m variantex.generators.docs > docs/families.md`; a test keeps it current.",
        "",
    ]
    for family in builtin_families():
        probe = family.parse(family.edge_cases[0].params) if family.edge_cases else None
        lines += [
            f"## `{family.id}` — {family.title}",
            "",
            _story(family),
            "",
            f"- **Branches:** {', '.join(family.branches)} (variants of one slot share one)",
            f"- **Formats:** {', '.join(family.formats)}",
        ]
        facts = getattr(family, "facts", None)
        if facts is not None:  # a statement bank: its parts are the statements drawn
            lines.append("- **Answer parts:** one per statement, `s1` … `sk`, each `true` or `false` (computed)")
            lines.append(
                f"- **Facts** ({len(facts)}, each with drawn numbers, a claim, its negation and a "
                f"justification): {', '.join(f'`{fact.id}`' for fact in facts)}"
            )
        elif probe is not None:
            parts = ", ".join(f"`{p.name}` (${p.label}$)" for p in family.parts(probe))
            lines.append(f"- **Answer parts:** {parts}")
            asked = "; ".join(f"{fmt}: {', '.join(family.asked_parts(probe, fmt))}" for fmt in family.formats)
            lines.append(f"- **Asked per format:** {asked}")
        options = "; ".join(f"`{name}`: {text}" for name, text in family.draw_options.items()) or "none"
        lines.append(f"- **Draw options:** {options}")
        if family.edge_cases:
            lines.append("- **Hand-worked cases** (checked by the test suite):")
            for case in family.edge_cases:
                answers = ", ".join(f"{name} = {_value(value)}" for name, value in case.answers.items())
                lines.append(f"  - {case.note}: {answers}")
            lines += ["", "```sh", _solve_command(family), "```"]
        lines += ["", f"As a student reads it (`variantex show {family.id} --seed 1 --no-key`):", "", "```text"]
        lines += [_as_shown(family), "```", ""]
    return "\n".join(lines)


def _as_shown(family) -> str:
    """What `variantex show FAMILY --seed 1 --no-key` prints: the family's default branch,
    its first format, drawn from the same seed."""
    from variantex.exams import seeds
    from variantex.exams.exporters.text import question_text
    from variantex.exams.view import question_view
    from variantex.generators.variant import draw_variant

    fmt = family.formats[0]
    rng = seeds.show_rng(1)
    variant = draw_variant(family, rng, family.default_branch({}), {}, fmt)
    return question_text(question_view(variant, fmt), key=False).rstrip()


def families_index() -> list[dict]:
    """What generators/index.json holds: each built-in family's row of `variantex families`."""
    from variantex.generators.base import builtin_families

    return [
        {
            "id": item.id,
            "title": item.title,
            "formats": list(item.formats),
            "branches": list(item.branches),
            "options": dict(item.draw_options),
            "module": type(item).__module__.rsplit(".", 1)[-1],
        }
        for item in builtin_families()
    ]


if __name__ == "__main__":
    import json
    import sys

    if sys.argv[1:] == ["--index"]:
        print(json.dumps(families_index(), ensure_ascii=False, indent=1))
    else:
        print(families_markdown(), end="")
