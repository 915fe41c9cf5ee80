"""The benchmark script runs and prints its figures (timings are printed, never asserted)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import requires_tex

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "roster_build.py"


def run(*args: str) -> str:
    result = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_benchmark_prints_generation_figures():
    out = run("--students", "4", "--questions", "3", "--no-pdf")
    assert "4 × 3 = 12 variants" in out
    for label in ("generate", "render LaTeX", "total", "peak memory"):
        assert label in out


@pytest.mark.slow
@requires_tex
def test_benchmark_prints_tex_figures_and_the_bare_pass_ratio():
    out = run("--students", "2", "--questions", "2")
    for label in (
        "TeX + cutting still running after",
        "joining exam.pdf",
        "CPU: variantex",
        "bare pdflatex pass",
        "wall / bare =",
    ):
        assert label in out


def test_hostile_input_benchmark_prints_every_case():
    result = subprocess.run(
        [sys.executable, str(SCRIPT.with_name("hostile_inputs.py"))], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "hostile inputs; slowest refusal" in result.stdout and result.stdout.count("exit 2") >= 40


def test_lms_export_benchmark_prints_every_target():
    result = subprocess.run(
        [sys.executable, str(SCRIPT.with_name("lms_export.py")), "--variants", "2", "--questions", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "3 slots × 2 variants = 6 questions" in result.stdout
    for target in ("moodle", "canvas", "qti21"):
        assert re.search(rf"^{target} +draw .* total .* target < 10 s$", result.stdout, re.MULTILINE), result.stdout


def test_practice_benchmark_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(SCRIPT.with_name("practice_set.py")), "--variants", "3", "--no-pdf"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "4 families × 3 variants" in result.stdout
    assert re.search(r"draw .* \+ HTML .* = .* s  \(target < 3 s\)", result.stdout)
    assert re.search(r"page \d+\.\d\d MiB", result.stdout)


def test_family_speed_benchmark_lists_every_family():
    from variantex.generators.base import families

    result = subprocess.run(
        [sys.executable, str(SCRIPT.with_name("family_speed.py")), "--seconds", "0.2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for family in families():
        assert re.search(rf"^{re.escape(family.id)} +\d+ verified variants/s", result.stdout, re.MULTILINE)


def test_startup_benchmark_prints_every_command_against_its_target():
    result = subprocess.run(
        [sys.executable, str(SCRIPT.with_name("startup.py")), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in ("--help", "--version", "families", "show gd-step", "solve eigen-determinant"):
        assert re.search(
            rf"^{re.escape(name)} +median [\d.]+ s over 1 runs \(target [\d.]+ s: (ok|over)\)$",
            result.stdout,
            re.MULTILINE,
        ), result.stdout
