"""Mistake feedback in every LMS target shows notation, never raw `^{…}` or `_{…}`."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from variantex.exams.bank import draw_bank
from variantex.exams.lms.canvas import export_canvas
from variantex.exams.lms.html import TEX, notation_html
from variantex.exams.lms.moodle import export_moodle
from variantex.exams.lms.qti21 import export_qti21
from variantex.exams.spec import load_spec

SPEC = """title: "Feedback"
seed: 3
questions:
  - {id: n, family: neumann-series, format: mcq, points: 2}
  - {id: d, family: diffusion-forward, format: mcq, points: 2}
  - {id: b, family: bradley-terry-dpo, format: mcq, points: 2}
  - {id: l, family: laplace-mle, format: mcq, points: 2}
"""
RAW = re.compile(r"[\^_]\{|\$")


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    spec = Path(tmp_path_factory.mktemp("feedback")) / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return draw_bank(load_spec(spec), 3, 6)


def _texts(archive: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(archive)) as package:
        return "\n".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".xml"))


def _feedbacks(text: str) -> list[str]:
    return re.findall(r"Not quite: this is what you get if you (.*?)\.(?:<|\]\]>|&lt;/p|\s*</)", text, re.DOTALL)


def test_every_target_renders_scripts_and_math_in_mistake_feedback(bank):
    descriptions = [o.mistake.description for s in bank.slots for v in s.variants for o in v.view.options if o.mistake]
    assert any(RAW.search(d) for d in descriptions), "the bank has no notation to render: the test proves nothing"
    for name, text in (
        ("moodle", export_moodle(bank)),
        ("canvas", _texts(export_canvas(bank))),
        ("qti21", _texts(export_qti21(bank))),
    ):
        found = _feedbacks(text)
        assert len(found) >= len(descriptions) // 2, name
        raw = [f for f in found if RAW.search(f)]
        assert raw == [], (name, raw[:3])
        assert any("<sup>" in f or "&lt;sup&gt;" in f or "sup>" in f for f in found), name


def test_notation_is_escaped_and_nested():
    assert notation_html("e^{r_w} < 2", TEX.inline) == "e<sup>r<sub>w</sub></sup> &lt; 2"
    assert notation_html("(1 − λ_min)^{r+1}", TEX.inline) == "(1 − λ<sub>min</sub>)<sup>r+1</sup>"
    assert notation_html("the term $n \\log(2b)$ & co", TEX.inline) == "the term \\(n \\log(2b)\\) &amp; co"
    assert notation_html("<script>x_1</script>", TEX.inline) == "&lt;script&gt;x<sub>1</sub>&lt;/script&gt;"
