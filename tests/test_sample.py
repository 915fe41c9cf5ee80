"""The sample a newcomer builds first (`make sample`) shows the product: a realistic final
across the course, every format, figures, a statement bank, sections, and 30 awkward names,
built under --strict with a different variant of every question for every student."""

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import requires_tex
from variantex.exams.build import build

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample-exam.yaml"
ROSTER = ROOT / "examples" / "roster.csv"
AREAS = {  # the course areas the sample covers, by family
    "loss-ordering": "losses",
    "eigen-determinant": "linear algebra",
    "relu-backprop": "backpropagation",
    "attention-numeric": "attention",
    "weighted-kmeans": "clustering",
    "gan-discriminator": "generative models",
    "bias-variance-noise": "learning theory",
    "adversarial-gradient": "robustness",
    "shapley-and": "explainability",
    "tf-final-exam": "statements across the course",
}


def test_the_sample_is_a_realistic_final():
    spec = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    questions = [q for q in spec["questions"] if "section" not in q]
    assert 9 <= len(questions) <= 12
    assert {q["format"] for q in questions} == {"mcq", "numeric", "open", "tf"}
    assert {q["family"] for q in questions} == set(AREAS)
    assert len([q for q in spec["questions"] if "section" in q]) >= 2


@pytest.mark.slow
@requires_tex
def test_the_sample_builds_strictly_for_the_roster_with_figures_and_no_shared_variants(tmp_path):
    result = build(SAMPLE, tmp_path / "sample", roster=ROSTER, strict=True)
    assert not [w for w in result.warnings if "share a question" in w or "margin" in w], result.warnings
    assert all(v.distinct == v.papers == 30 for v in result.variety)
    exam = (result.out / "exam.tex").read_text(encoding="utf-8")
    first = exam[: exam.index("VARIANTEX-PAPER 2 ")]
    assert first.count(r"\begin{pgfpicture}") == 2  # two loss-ordering questions, three datasets each
    assert first.count(r"\section*{Part") == 3
    manifest = json.loads((result.out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["papers"]) == 30
    text = subprocess.run(
        ["pdftotext", str(result.out / "exams" / "S1003.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ærøskøbing & Søn" in text and "Mark T (true) or F (false)" in text
    assert re.search(r"Part B: attention, clustering and generative models\s+Question 5", text)
