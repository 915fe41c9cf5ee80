"""End-to-end builds: real PDFs, their text, determinism, escaping, failures."""

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import requires_tex
from variantex.answer_engine.errors import CompileError, InputError
from variantex.exams import latex
from variantex.exams.build import build
from variantex.exams.manifest import recompute

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "four-families.yaml"


def pdf_text(path: Path) -> str:
    """The PDF's text with white space folded and TeX's typographic quotes made plain."""
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(raw.replace("’", "'").replace("‘", "'").split())


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "sample"
    return build(SAMPLE, out)


@pytest.mark.slow
@requires_tex
def test_sample_exam_and_key_compile_with_questions_and_answers(sample_build):
    out = sample_build.out
    assert sorted(p.name for p in out.iterdir()) == [
        ".variantex-output",
        "exam.pdf",
        "exam.tex",
        "key.pdf",
        "key.tex",
        "manifest.json",
    ]
    exam, key = pdf_text(out / "exam.pdf"), pdf_text(out / "key.pdf")
    for text in (exam, key):
        assert "Final exam" in text and "CS-433 Machine Learning" in text
        for number in range(1, 9):
            assert f"Question {number}" in text
        assert "decreasing mean squared error" in text  # loss-ordering stem
        assert "eigenvector" in text and "Shapley values" in text and "learning rate" in text
    assert "Answer key" in key and "Answer key" not in exam
    assert "Solution." in key and "Solution." not in exam
    for pdf in ("exam.pdf", "key.pdf"):  # what the README says: no build time in the PDFs
        info = subprocess.run(["pdfinfo", str(out / pdf)], capture_output=True, text=True, check=True).stdout
        assert "CreationDate" not in info and "ModDate" not in info, info
    manifest = json.loads((out / "manifest.json").read_text())
    questions = manifest["papers"][0]["questions"]
    eigen = next(q for q in questions if q["slot"] == "eigen")
    assert f"det(A): {eigen['answers']['det']}" in key.replace("−", "-")
    undetermined = next(q for q in questions if q["slot"] == "eigen-undetermined")
    assert undetermined["answers"]["det"] == {"text": "undetermined"}
    assert "cannot be determined" in key


@pytest.mark.slow
@requires_tex
def test_manifest_recomputes_every_key_without_the_rng(sample_build):
    manifest = json.loads((sample_build.out / "manifest.json").read_text())
    assert manifest["versions"]["sympy"] and manifest["spec"]["sha256"]
    assert all(q["seed"]["spawn_key"] for q in manifest["papers"][0]["questions"])
    assert recompute(manifest) == []
    manifest["papers"][0]["questions"][2]["params"]["trace"] = 99
    problems = recompute(manifest)
    assert len(problems) >= 1 and "question 3 (eigen-determinant): stored answers" in problems[0]


def test_same_spec_and_seed_give_byte_identical_latex(tmp_path):
    first = build(SAMPLE, tmp_path / "a", make_pdf=False)
    second = build(SAMPLE, tmp_path / "b", make_pdf=False)
    for name in ("exam.tex", "key.tex"):
        assert (first.out / name).read_bytes() == (second.out / name).read_bytes()
    third = build(SAMPLE, tmp_path / "c", seed=99, make_pdf=False)
    assert (third.out / "exam.tex").read_bytes() != (first.out / "exam.tex").read_bytes()


def test_adding_a_question_does_not_change_the_others(tmp_path):
    spec = SAMPLE.read_text()
    extra = spec + "  - id: extra\n    family: shapley-and\n    format: numeric\n    points: 1\n"
    (tmp_path / "more.yaml").write_text(extra)
    base = build(SAMPLE, tmp_path / "a", make_pdf=False)
    more = build(tmp_path / "more.yaml", tmp_path / "b", make_pdf=False)

    def params(result) -> list:
        manifest = json.loads((result.out / "manifest.json").read_text(encoding="utf-8"))
        return [q["params"] for q in manifest["papers"][0]["questions"]]

    assert params(more)[: len(params(base))] == params(base)


HOSTILE = r"""title: 'Ünïcødé & 100% $x$ #1 a_b {c} ~ ^ \input{/etc/passwd} \write18{touch /tmp/pwned}'
course: "O'Brien's ML \\ section"
seed: 4
questions:
  - family: shapley-and
    format: mcq
    points: 2
    params: {players: ['R&D', 'x_1', '50%'], required: ['R&D', 'x_1']}
"""


@pytest.mark.slow
@requires_tex
def test_user_text_is_escaped_and_compiles(tmp_path):
    spec = tmp_path / "hostile.yaml"
    spec.write_text(HOSTILE, encoding="utf-8")
    result = build(spec, tmp_path / "out")
    text = pdf_text(result.out / "exam.pdf")
    assert "Ünïcødé & 100% $x$ #1 a_b {c}" in text
    assert "\\input{/etc/passwd}" in text
    assert "O'Brien's ML \\ section" in text
    assert "R&D" in text and "50%" in text
    assert not Path("/tmp/pwned").exists()


@requires_tex
def test_compile_error_shows_the_relevant_log_lines(tmp_path):
    broken = tmp_path / "broken.tex"
    broken.write_text("\\documentclass{article}\n\\begin{document}\nHello \\undefinedmacro\n\\end{document}\n")
    with pytest.raises(CompileError) as caught:
        latex.compile_pdf(broken)
    message = str(caught.value)
    assert "broken.tex did not compile" in message
    assert "Undefined control sequence" in message and "broken.tex:3" in message


def test_failed_build_leaves_no_half_written_folder(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(SAMPLE, out, make_pdf=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def fail(tex_file):
        raise CompileError("simulated TeX failure")

    monkeypatch.setattr(latex, "compile_pdf", fail)
    with pytest.raises(CompileError):
        build(SAMPLE, out, seed=5)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the old build is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind


def test_missing_spec_is_bad_input(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        build(tmp_path / "nope.yaml", tmp_path / "out")
