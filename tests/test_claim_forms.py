"""Answers as people write them (issue 27, item 3): `check`, `grade` and the practice page
read every row of tests/claim_forms.py the same way."""

from __future__ import annotations

import pytest
import sympy as sp
from click.testing import CliRunner

from tests.browser import chromium, requires_browser
from tests.claim_forms import FORMS
from variantex.answer_engine import exact
from variantex.answer_engine.checking import Claim, fold
from variantex.answer_engine.errors import InputError
from variantex.cli import cli


def python_reading(written: str) -> tuple | None:
    try:
        claim = Claim.read(written)
    except InputError:
        return None
    if claim.is_text:
        return ("text", fold(claim.value))
    if exact.is_infinite(claim.value):
        return ("inf", 1 if claim.value > 0 else -1)
    return ("number", claim.value, claim.exact)


@pytest.mark.parametrize("written, expected", FORMS)
def test_check_and_grade_read_each_form(written, expected):
    seen = python_reading(written)
    if expected is None or expected[0] != "number":
        assert seen == expected, (written, seen)
        return
    assert seen is not None and seen[0] == "number", (written, seen)
    assert exact.exact_equal(seen[1], sp.sympify(expected[1])) and seen[2] == expected[2], (written, seen)


def _as_people_write(value: str, turn: int) -> str:
    """A right answer rewritten, by turns: a percentage or a decimal comma where the value
    allows, else a typographic minus and a full stop."""
    number = sp.Rational(value)
    if turn % 2 == 0 and (number * 100).is_integer:
        return f"{number * 100}%".replace("-", "−")
    if (number * 10**6).is_integer and not number.is_integer:
        return f"{float(number):.6f}".rstrip("0").replace(".", ",").replace("-", "−") + "."
    return f"{number}.".replace("-", "−")


def test_a_grade_sheet_takes_the_forms_too(tmp_path):
    """A response cell written as people write it scores as its plain form does."""
    import csv
    import json

    from tests.test_grading import SPEC, STUDENTS, numeric_answer, printed, sheet, write_responses
    from variantex.exams.build import build
    from variantex.exams.grading import grade
    from variantex.exams.manifest import load_manifest

    (tmp_path / "spec.yaml").write_text(SPEC)
    with open(tmp_path / "roster.csv", "w", newline="") as handle:
        csv.writer(handle).writerows([["id", "name"], *STUDENTS])
    out = build(tmp_path / "spec.yaml", tmp_path / "out", roster=tmp_path / "roster.csv", make_pdf=False).out
    papers = {p["student"]["id"]: p["questions"] for p in json.loads((out / "manifest.json").read_text())["papers"]}
    rows = [["id", "q1", "q2", "q3"]]
    written = []
    for student, _ in STUDENTS:
        values = [
            _as_people_write(v, len(written) + k)
            for k, v in enumerate(numeric_answer(printed(papers[student], "num")[1]))
        ]
        written += values
        rows.append([student] + sheet(papers[student], {"num": "; ".join(values)}))
    report = grade(load_manifest(out / "manifest.json"), write_responses(tmp_path, rows))
    marks = [m for s in report.students for m in s.marks if m.slot == "num"]
    assert all(m.points == 3 for m in marks), [(m.response, m.status, m.note) for m in marks if m.points != 3]
    assert any("%" in w for w in written) and any("," in w for w in written), written


@requires_browser
def test_the_practice_page_reads_each_form_as_check_does(tmp_path):
    out = tmp_path / "set"
    result = CliRunner().invoke(cli, ["practice", "gd-step:numeric", "--count", "1", "--out", str(out), "--to", "html"])
    assert result.exit_code == 0, result.output
    with chromium() as browser:
        browser.get((out / "practice.html").as_uri())
        seen = browser.execute_script("return arguments[0].map((w) => window.variantexRead(w));", [w for w, _ in FORMS])
    differences = []
    for (written, expected), got in zip(FORMS, seen):
        if expected is None or got is None:
            ok = expected is None and got is None
        elif expected[0] == "number":
            value = float(sp.sympify(expected[1]))
            ok = (
                got["kind"] == "number"
                and abs(got["value"] - value) <= 1e-12 * max(1, abs(value))
                and got["exact"] == expected[2]
            )
        elif expected[0] == "inf":
            ok = got == {"kind": "inf", "value": expected[1]}
        else:
            ok = got["kind"] == "text" and fold(got["value"]) == expected[1]
        if not ok:
            differences.append((written, expected, got))
    assert not differences, differences
