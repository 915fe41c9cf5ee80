"""Text that XML comments and MathJax cannot take as it is still exports, and checks clean."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from variantex.cli import cli

TARGETS = ("moodle", "canvas", "qti21")


def _spec(folder, title: str, players: str) -> str:
    path = folder / "spec.yaml"
    path.write_text(
        f"title: {title}\nseed: 4\nquestions:\n"
        "  - family: shapley-and\n    format: numeric\n    points: 2\n"
        f"    params: {{players: {players}, required: {players}}}\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    "title, players",
    [
        ('"Midterm -- part 1 -"', '["a", "b", "c"]'),  # "--" and a final "-": not allowed in an XML comment
        ('"T"', '["a\\\\b", "c", "d"]'),  # a backslash in a name: \\textbackslash, which MathJax lacks
    ],
    ids=["dashes-in-title", "backslash-in-name"],
)
def test_hostile_text_exports_and_passes_its_check(tmp_path, target, title, players):
    spec = _spec(tmp_path, title, players)
    out = tmp_path / f"bank-{target}"
    exported = CliRunner().invoke(cli, ["export", spec, "--to", target, "--variants", "1", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    checked = CliRunner().invoke(cli, ["export", "--check", str(out)])
    assert checked.exit_code == 0 and "no problems" in checked.output, checked.output


def test_an_unknown_param_is_named_before_missing_ones():
    result = CliRunner().invoke(cli, ["solve", "gd-step", "--set", "bogus=5"])
    assert result.exit_code == 2 and "bogus: unknown field" in result.output


def test_a_format_a_family_lacks_is_named_at_once():
    result = CliRunner().invoke(cli, ["show", "tf-attention-cost", "--format", "numeric"])
    assert result.exit_code == 2
    assert "tf-attention-cost has no format 'numeric' (formats: tf)" in result.output
    assert "attempts" not in result.output
