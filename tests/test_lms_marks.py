"""`export --check` checks marks, not only keys: every option's credit, every part's weight,
each question's total, true/false shares and all-or-nothing, in Moodle, Canvas and QTI 2.1.

A 4-point true/false question over 3 statements is in the spec on purpose: its shares do not
divide evenly, so a full answer must still score exactly 4 (QTI 2.1) or 100 % (Canvas).
"""

from __future__ import annotations

import re
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from tests.conftest import requires_tex
from variantex.cli import cli
from variantex.exams.lms.qti21_scoring import Scorer

ROOT = Path(__file__).resolve().parents[1]
EXTRA = (
    "  - {id: tf3, family: tf-minimax, format: tf, points: 4, options: {statements: 3}}\n"
    "  - {id: tfall, family: tf-minimax, format: tf, points: 2, scoring: all-or-nothing}\n"
)


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, Path]:
    if requires_tex.args[0]:
        pytest.skip("TeX Live missing (figures are typeset)")
    folder = tmp_path_factory.mktemp("marks")
    spec = folder / "spec.yaml"
    spec.write_text(
        (ROOT / "tests" / "fixtures" / "four-families.yaml").read_text(encoding="utf-8") + EXTRA, encoding="utf-8"
    )
    # Moodle and Canvas score statements one by one: they get the spec without the all-or-nothing slot.
    plain = folder / "plain.yaml"
    plain.write_text(spec.read_text(encoding="utf-8").replace(EXTRA.splitlines()[1] + "\n", ""), encoding="utf-8")
    found = {}
    for target, source, name in (
        ("moodle", plain, "bank.xml"),
        ("canvas", plain, "canvas.zip"),
        ("qti21", spec, "qti.zip"),
    ):
        out = folder / name
        result = run("export", source, "--to", target, "--variants", "2", "--out", out)
        assert result.exit_code == 0, result.output
        assert "no problems" in run("export", "--check", out).output
        found[target] = out
    return found


def _edit_xml(source: Path, target: Path, edit) -> Path:
    target.write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
    target.with_suffix(".manifest.json").write_text(source.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    return target


def _edit_zip(source: Path, target: Path, edit, member: str = "") -> Path:
    with zipfile.ZipFile(source) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    for name in files:
        if name.endswith(".xml") and member in name and "manifest" not in name and "meta" not in name:
            files[name] = edit(files[name].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    target.with_suffix(".manifest.json").write_text(source.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    return target


def _block(text: str, start_marker: str, end_marker: str) -> tuple[int, int]:
    start = text.index(start_marker)
    return start, text.index(end_marker, start)


def _in_question(text: str, ident: str, change) -> str:
    """Apply `change` to the Moodle question whose idnumber is `ident`."""
    end = text.index(f"<idnumber>{ident}</idnumber>")
    start = text.rindex("<question ", 0, end)
    close = text.index("</question>", end)
    return text[:start] + change(text[start:close]) + text[close:]


def _in_item(text: str, ident: str, change, closing: str = "</item>") -> str:
    start = text.index(f'ident="{ident}"')
    close = text.index(closing, start)
    return text[:start] + change(text[start:close]) + text[close:]


def _assert_caught(edited, ident: str, message: str, located: str) -> None:
    """`export --check` on an edited package: exit 1, the problem named with its question and
    `located` (the file and line every problem names)."""
    result = run("export", "--check", edited)
    assert result.exit_code == 1, result.output
    assert message in result.output and ident in result.output, result.output
    assert re.search(located, result.output), "every problem names the file and line"


MOODLE_EDITS = [
    # the case: a wrong option given 50 % credit
    ("losses-v001", lambda q: q.replace('fraction="0"', 'fraction="50"', 1), "% credit but only the key may"),
    ("losses-v001", lambda q: re.sub(r"<defaultgrade>[^<]+", "<defaultgrade>8", q), "out of 8 but"),
    ("tf3-v001", lambda q: q.replace("{4:MULTICHOICE", "{8:MULTICHOICE", 1), "weigh"),
    ("tf3-v001", lambda q: q.replace("~False#", "~%50%False#", 1).replace("~True#", "~%50%True#", 1), "partial credit"),
    ("losses-values-v001", lambda q: q.replace("{1:NUMERICAL", "{2:NUMERICAL", 1), "weigh"),
    ("eigen-undetermined-v001", lambda q: re.sub(r"<defaultgrade>[^<]+", "<defaultgrade>1", q), "out of 1 but"),
]


@pytest.mark.parametrize("ident, change, message", MOODLE_EDITS)
def test_moodle_marks_edits_are_caught(exports, tmp_path, ident, change, message):
    edited = _edit_xml(exports["moodle"], tmp_path / "edited.xml", lambda t: _in_question(t, ident, change))
    _assert_caught(edited, ident, message, r"edited\.xml:\d+: ")


CANVAS_EDITS = [
    (  # a wrong option gets half credit
        "losses-v001",
        lambda i: re.sub(
            r'(<respcondition continue="Yes">\s*<conditionvar>\s*<varequal respident="response1">[A-E]</varequal>\s*'
            r"</conditionvar>)",
            r'\1<setvar action="Set" varname="SCORE">50</setvar>',
            i,
            count=1,
        ),
        "% credit but only the key may",
    ),
    ("tf3-v001", lambda i: i.replace(">33.3333333<", ">66.6666666<", 1), "a full answer scores"),
    ("tf3-v001", lambda i: i.replace(">33.3333334<", ">33.3333333<", 1), "a full answer scores 99.9999999"),
    (
        "losses-v001",
        lambda i: re.sub(r"(<fieldlabel>points_possible</fieldlabel>\s*<fieldentry>)[^<]+", r"\g<1>40", i),
        "out of 40 but",
    ),
    (
        "losses-values-v001",
        lambda i: re.sub(r'action="Add" varname="SCORE">[^<]+', 'action="Add" varname="SCORE">50', i, count=1),
        "weigh",
    ),
]


@pytest.mark.parametrize("ident, change, message", CANVAS_EDITS)
def test_canvas_marks_edits_are_caught(exports, tmp_path, ident, change, message):
    edited = _edit_zip(exports["canvas"], tmp_path / "edited.zip", lambda t: _in_item(t, ident, change))
    _assert_caught(edited, ident, message, r"edited\.zip!\S+\.xml:\d+: ")


def _first_tf_share(item: str) -> str:
    return item.replace('<baseValue baseType="float">1</baseValue>', '<baseValue baseType="float">2</baseValue>', 1)


QTI_EDITS = [
    # the case: a true/false item whose per-statement points were doubled
    (
        "tf3-v001",
        lambda i: i.replace(
            '<baseValue baseType="float">1</baseValue>', '<baseValue baseType="float">2</baseValue>', 3
        ),
        "right parts score",
    ),
    ("tf3-v001", _first_tf_share, "right parts score"),
    (
        "tf3-v001",
        lambda i: i.replace(
            '<baseValue baseType="float">3</baseValue>', '<baseValue baseType="float">2</baseValue>', 1
        ),
        "right parts score",
    ),
    ("tfall-v001", lambda i: i.replace("<and>", "<or>", 1).replace("</and>", "</or>", 1), "right parts score"),
    (
        "losses-v001",
        lambda i: re.sub(r'(identifier="MAXSCORE"[^>]*>\s*<defaultValue>\s*<value>)[^<]+', r"\g<1>8", i),
        "out of 8 but",
    ),
    (
        "losses-v001",
        lambda i: i.replace(
            "<responseProcessing>",
            '<responseProcessing><responseCondition><responseIf><match><variable identifier="RESPONSE"/>'
            '<baseValue baseType="identifier">WRONG</baseValue></match><setOutcomeValue identifier="SCORE">'
            '<baseValue baseType="float">2</baseValue></setOutcomeValue></responseIf></responseCondition>',
            1,
        ),
        "% credit but only the key may",
    ),
    (
        "losses-values-v001",
        lambda i: i.replace('toleranceMode="absolute"', 'toleranceMode="relative"', 1),
        "expected one absolute tolerance",
    ),
]


@pytest.mark.parametrize("ident, change, message", QTI_EDITS)
def test_qti21_marks_edits_are_caught(exports, tmp_path, ident, change, message):
    def edit(text: str) -> str:
        if f'identifier="vx-{ident}"' not in text and ident not in text:
            return text
        changed = change(text)
        if "WRONG" in changed:  # give a wrong letter credit: name one
            key = re.search(r"<correctResponse>\s*<value>([A-E])</value>", text)
            changed = changed.replace("WRONG", "A" if key and key.group(1) != "A" else "B")
        return changed

    edited = _edit_zip(exports["qti21"], tmp_path / "edited.zip", edit, member=ident)
    _assert_caught(edited, ident, message, r"edited\.zip!items/[^:]+\.xml:\d+: ")


def test_full_answers_score_the_points_exactly(exports):
    with zipfile.ZipFile(exports["qti21"]) as archive:
        item = etree.fromstring(archive.read(next(n for n in archive.namelist() if "tf3-v001" in n)))
    scorer = Scorer(item)
    responses = [r for r in scorer.kinds if r.startswith("RESPONSE")]
    full = scorer.score({r: scorer.correct[r] for r in responses})
    assert full == 4  # not 3.999999
    assert scorer.score(
        {r: scorer.correct[r] if n == 0 else scorer.wrong(r) for n, r in enumerate(responses)}
    ) == Fraction(4, 3)
    assert scorer.score({}) == 0
