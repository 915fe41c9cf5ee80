"""What a user installs is what works: the built wheel in a fresh virtual environment.

The rest of the suite runs against the editable install; this test builds the sdist and,
from it, the wheel (`python -m build`), installs the wheel into a new virtual environment
(no editable install, no repository on sys.path), and from an empty folder outside the
repository runs every command once. Then it installs the example plug-in and a plug-in
whose family id clashes with a built-in one, and builds an exam that uses the first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import requires_tex

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "examples" / "plugin"
LEFT_BY_RUNS = (
    ".git",
    ".venv",
    "out",
    "build",
    "dist",
    "artifacts",
    ".hypothesis",
    ".pytest_cache",
    ".typecheck",
    "__pycache__",
    "*.egg-info",
    ".coverage*",
)

# One worker builds the environment once for all of them (make test runs with xdist).
pytestmark = [pytest.mark.slow, requires_tex, pytest.mark.xdist_group(name="installed-wheel")]


def _clean_environment() -> dict[str, str]:
    """The user's environment: none of this checkout's Python paths or settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PYTEST", "VARIANTEX"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args, cwd: Path, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=_clean_environment(), capture_output=True, text=True, timeout=900, **kwargs
    )
    if check:
        assert done.returncode == 0, (
            f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the environment's bin folder, an empty working folder outside the repository)."""
    scratch = tmp_path_factory.mktemp("wheel")
    dist = scratch / "dist"
    # A copy of the checkout without what runs leave in it: the build writes its egg-info
    # there, never into the checkout that other tests (and other workers) are reading.
    source = scratch / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_BY_RUNS))
    # `python -m build` makes the sdist, then the wheel from the unpacked sdist: a file that
    # is missing from either is missing here too.
    _run([sys.executable, "-m", "build", "--outdir", dist, source], cwd=scratch)
    wheel = next(dist.glob("variantex-*.whl"))
    env = scratch / "env"
    _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", env], cwd=scratch)
    bin_dir = env / "bin"
    _run([bin_dir / "python", "-m", "pip", "install", "-q", wheel], cwd=scratch)
    work = scratch / "work"
    work.mkdir()
    return bin_dir, work, wheel


def test_the_wheel_adds_one_top_level_name(installed):
    _, _, wheel = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"variantex", wheel.name.split("-py3")[0] + ".dist-info"}
    schemas = [n for n in names if n.startswith("variantex/exams/lms/schemas/") and n.endswith(".xsd")]
    assert len(schemas) == len(list((ROOT / "exams" / "lms" / "schemas").rglob("*.xsd")))
    templates = [n for n in names if n.startswith("variantex/templates/") and not n.endswith(".py")]
    assert len(templates) == len(
        [
            p
            for p in (ROOT / "templates").rglob("*")
            if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
        ]
    )


@pytest.mark.parametrize("name", ["generators", "exams", "templates", "cli", "answer_engine"])
def test_only_the_namespace_imports(installed, name):
    bin_dir, work, _ = installed
    done = _run([bin_dir / "python", "-c", f"import {name}"], cwd=work, check=False)
    assert done.returncode == 1 and f"No module named '{name}'" in done.stderr
    _run([bin_dir / "python", "-c", f"import variantex.{name}"], cwd=work)


def test_every_command_works_from_an_empty_folder(installed):
    bin_dir, work, _ = installed
    variantex = bin_dir / "variantex"

    def run(*args, code=0):
        done = _run([variantex, *args], cwd=work, check=False)
        assert done.returncode == code, (
            f"variantex {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
        return done

    assert run("--version").stdout.startswith("variantex, version ")
    table = json.loads(run("families", "--json").stdout)
    assert {"gd-step", "tf-minimax"} <= {row["id"] for row in table} and all(row["builtin"] for row in table)
    assert "Question 1" in run("show", "eigen-determinant", "--seed", "2").stdout
    assert (
        "30"
        in run(
            "solve",
            "eigen-determinant",
            "--set",
            "eigenvectors=[[1,0,0],[0,1,0]]",
            "--set",
            "eigenvalues=[2, 3]",
            "--set",
            "trace=10",
        ).stdout
    )
    run("init", "starter")
    assert "never overwrites" in run("init", "starter", code=2).stderr
    starter = work / "starter"
    run("build", starter / "exam.yaml", "--roster", starter / "roster.csv", "--out", "out/final")
    final = work / "out" / "final"
    assert (final / "exam.pdf").stat().st_size > 10_000 and len(list((final / "keys").glob("*.pdf"))) == 30
    assert "graded 30 students" in run("grade", final / "manifest.json", starter / "responses.csv").stdout
    run("verify", final / "manifest.json")
    # The printed papers scanned back: every page identified; the grader's score boxes are
    # still empty, so those wait for review (exit 1).
    paper = sorted((final / "exams").glob("*.pdf"))[0]
    scanned = run("scan", paper, "--manifest", final / "manifest.json", "--out", "scanned", code=1)
    pages = int(scanned.stdout.split("scanned ")[1].split(" pages")[0])
    assert f"({pages} identified)" in scanned.stdout and (work / "scanned" / "review.html").is_file()
    assert "5 OK, 5 WRONG" in run("check", starter / "keys-to-check.yaml", code=1).stderr
    for target, name in (("moodle", "bank.xml"), ("canvas", "canvas.zip"), ("qti21", "qti.zip")):
        run("export", starter / "exam.yaml", "--to", target, "--variants", "3", "--out", name)
        assert "no problems" in run("export", "--check", name).stdout
    run("practice", "gd-step:numeric", "shapley-and:mcq", "--count", "2", "--out", "practice")
    assert (work / "practice" / "practice.html").is_file() and (work / "practice" / "practice.pdf").is_file()


CLASH = {
    "pyproject.toml": """\
        [build-system]
        requires = ["setuptools>=68"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "variantex-clashing-plugin"
        version = "0.1.0"

        [project.entry-points."variantex.families"]
        gd-step = "variantex_clashing_plugin:Clash"

        [tool.setuptools]
        py-modules = ["variantex_clashing_plugin"]
        """,
    "variantex_clashing_plugin.py": """\
        from variantex.generators.gd_step import GdStep


        class Clash(GdStep):
            id = "gd-step"  # taken by the built-in family
        """,
}


def test_plugins_add_families_and_a_clash_costs_one_warning(installed, tmp_path):
    bin_dir, work, _ = installed
    clash = tmp_path / "clash"
    clash.mkdir()
    for name, text in CLASH.items():
        (clash / name).write_text(textwrap.dedent(text))
    for package in (PLUGIN, clash):
        _run([bin_dir / "python", "-m", "pip", "install", "-q", "--no-deps", package], cwd=tmp_path)
    try:
        _check_plugins(bin_dir, work)
    finally:  # the environment is shared: the other tests see variantex alone, in any order
        _run([bin_dir / "python", "-m", "pip", "uninstall", "-q", "-y", *PLUGIN_DISTRIBUTIONS], cwd=tmp_path)


PLUGIN_DISTRIBUTIONS = ("variantex-example-plugin", "variantex-clashing-plugin")


def _check_plugins(bin_dir: Path, work: Path) -> None:
    spec = work / "plugin-exam.yaml"
    spec.write_text(
        textwrap.dedent("""\
        title: "With a plug-in family"
        seed: 5
        questions:
          - {id: f1, family: precision-recall, format: mcq, points: 2}
          - {id: step, family: gd-step, format: numeric, points: 2}
        """)
    )
    variantex = bin_dir / "variantex"
    built = _run([variantex, "build", spec, "--out", "out/plugin"], cwd=work)
    warnings = [line for line in built.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: plug-in 'gd-step' of variantex-clashing-plugin (variantex_clashing_plugin:Clash) "
        "skipped: its family id 'gd-step' is taken by a built-in family"
    ]
    shown = _run([variantex, "show", "precision-recall", "--seed", "3", "--format", "mcq"], cwd=work)  # docs/plugins.md
    assert "Family: precision-recall" in shown.stdout and "format: mcq" in shown.stdout, shown.stdout
    table = {row["id"]: row for row in json.loads(_run([variantex, "families", "--json"], cwd=work).stdout)}
    assert table["precision-recall"]["builtin"] is False and table["gd-step"]["builtin"] is True
    quiet = _run([variantex, "--no-plugins", "families"], cwd=work)
    assert "precision-recall" not in quiet.stdout and quiet.stderr == ""
    refused = _run([variantex, "--no-plugins", "build", spec, "--out", "out/none"], cwd=work, check=False)
    assert refused.returncode == 2 and "unknown family 'precision-recall'" in refused.stderr
