"""The benchmark script runs and prints its figures (timings are printed, never asserted)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import requires_tex

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "roster_build.py"


def run(*args: str, script: str = SCRIPT.name, timeout: int = 600) -> str:
    """One benchmark script's output; it must exit 0."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT.with_name(script)), *args], capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_benchmark_prints_generation_figures():
    out = run("--students", "4", "--questions", "3", "--no-pdf")
    assert "4 × 3 = 12 variants" in out
    for label in ("generate", "render LaTeX", "records", "total", "peak memory"):
        assert label in out
    json_run = run("--students", "3", "--questions", "2", "--to", "json")
    assert "--to json" in json_run and "render LaTeX" not in json_run and "peak memory" in json_run


@pytest.mark.slow
@requires_tex
def test_benchmark_prints_tex_figures_and_the_bare_pass_ratio():
    out = run("--students", "2", "--questions", "2")
    for label in (
        "render LaTeX, TeX and cutting",
        "wall: chunks",
        "per-student exam PDF: median",
        "CPU: variantex",
        "bare pdflatex pass",
        "wall / bare =",
    ):
        assert label in out


def test_hostile_input_benchmark_prints_every_case():
    out = run(script="hostile_inputs.py", timeout=300)
    assert "hostile inputs; slowest refusal" in out and out.count("exit 2") >= 40


def test_lms_export_benchmark_prints_every_target():
    out = run("--variants", "2", "--questions", "3", script="lms_export.py", timeout=300)
    assert "3 slots × 2 variants = 6 questions" in out
    for target in ("moodle", "canvas", "qti21"):
        assert re.search(rf"^{target} +draw .* total .* target < 10 s$", out, re.MULTILINE), out


def test_practice_benchmark_prints_its_figures():
    out = run("--variants", "3", "--no-pdf", script="practice_set.py", timeout=300)
    assert "4 families × 3 variants" in out
    assert re.search(r"draw .* \+ HTML .* = .* s  \(target < 3 s\)", out)
    assert re.search(r"page \d+\.\d\d MiB", out)


def test_family_speed_benchmark_lists_every_family():
    from variantex.generators.base import families

    out = run("--seconds", "0.2", script="family_speed.py", timeout=300)
    for family in families():
        assert re.search(rf"^{re.escape(family.id)} +\d+ verified variants/s", out, re.MULTILINE)


def test_startup_benchmark_prints_every_command_against_its_target():
    out = run("--runs", "1", script="startup.py", timeout=300)
    for name in ("--help", "--version", "families", "show gd-step", "solve eigen-determinant"):
        assert re.search(
            rf"^{re.escape(name)} +median [\d.]+ s over 1 runs \(target [\d.]+ s: (ok|over)\)$",
            out,
            re.MULTILINE,
        ), out


@pytest.mark.slow
@requires_tex
def test_r_exams_benchmark_compares_or_says_why_not():
    out = run("--students", "2", "--runs", "1", script="r_exams.py", timeout=600)
    if "not measured" in out:  # R or its exams package is not installed here
        assert re.search(r"^R/exams: not measured \(.*\); to install it, see docs/performance.md$", out, re.MULTILINE)
        assert re.search(r"^ +2 students: variantex +[\d.]+ s", out, re.MULTILINE), out
    else:
        assert re.search(
            r"^ +2 \| +[\d.]+ s \([\d.]+ s/exam\) \| +[\d.]+ s \([\d.]+ s/exam\) \| +[\d.]+×$", out, re.MULTILINE
        ), out
