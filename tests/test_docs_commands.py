"""Every shell command the README and the guide show (their fenced ``sh`` blocks) runs here,
as a reader would run it: a page's commands in order, in one scratch folder holding a copy of
`examples/`, with the `variantex` installed in this environment, each expected to exit as the
page says (0 unless its comment says "exits N").

What a reader brings to a command (their exam, a params file, a bigger roster, typed
responses, a pile of scanned papers, filled-in review decisions) the test makes just before
the first command that reads it, from what the earlier commands wrote, unless an earlier
command made it (`variantex init` writes an exam and responses). A command this test does not run is listed in
ELSEWHERE with the file that runs it, and that file must show it: nothing fenced goes untested.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests import scansim
from tests.conftest import GUIDE_PAGES, ROOT, requires_tex

PAGES = GUIDE_PAGES
BIN = Path(sys.executable).parent  # the environment the suite runs in, variantex installed there

pytestmark = [pytest.mark.slow, requires_tex]


@dataclass(frozen=True)
class Command:
    page: Path
    line: int
    text: str  # continuation lines joined, the comment removed
    status: int  # the exit status the page documents

    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


_EXITS = re.compile(r"\bexits? (\d)\b")


def fenced_commands(page: Path) -> list[Command]:
    """The commands of a page's ```sh blocks (a line ending in a backslash goes on)."""
    commands, inside, pending, start = [], False, "", 0
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("```"):
            inside = line.strip() == "```sh"
            continue
        if not inside:
            continue
        if not pending:
            start = number
        code, _, comment = line.partition(" #") if not line.lstrip().startswith("#") else ("", "", line)
        if code.rstrip().endswith("\\"):
            pending += code.rstrip()[:-1] + " "
            continue
        text = " ".join((pending + code).split())
        pending = ""
        if text:
            found = _EXITS.search(comment)
            commands.append(Command(page, start, text, int(found[1]) if found else 0))
    return commands


# Commands not run here: (a phrase of the command, the file that runs it, a phrase of that
# file that shows it does, why not here).
ELSEWHERE = (
    ("make test", ".ci/run", "make test", "the suite itself: CI runs it"),
    (
        "python3 -m venv ~/vx",
        "tests/test_installed_wheel.py",
        '"pip", "install", "-q", wheel',
        "installs into a new environment: the wheel test installs the built wheel into one",
    ),
    (
        "pip install ./examples/plugin",
        "tests/test_installed_wheel.py",
        "for package in (PLUGIN, clash)",
        "installs a plug-in: the wheel test installs it into its own environment",
    ),
    (
        "variantex show precision-recall --seed 3 --format mcq",
        "tests/test_installed_wheel.py",
        '"show", "precision-recall", "--seed", "3", "--format", "mcq"',
        "the plug-in's family: the wheel test runs it once the plug-in is installed",
    ),
    (
        "apt-get install",
        "tests/test_benchmark.py",
        "r_exams.py",
        "installs R system-wide (root, minutes): the benchmark test runs the script, which says when R is missing",
    ),
    (
        "https://github.com/cran/exams",
        "tests/test_benchmark.py",
        "r_exams.py",
        "installs R/exams from the network: the benchmark test runs the script without it",
    ),
    (
        "benchmarks/r_exams.py",
        "tests/test_benchmark.py",
        'script="r_exams.py"',
        "minutes of side-by-side builds: the benchmark test runs it on two students",
    ),
)


def run_elsewhere(command: Command) -> tuple[str, str, str] | None:
    for phrase, where, shown, _why in ELSEWHERE:
        if phrase in command.text:
            return phrase, where, shown
    return None


# --- what a reader brings ---------------------------------------------------------------------


def _starter(folder: Path) -> None:
    """A reader's own exam and roster: what `variantex init` writes."""
    from variantex.exams.starter import write_starter

    if not (folder / "exam.yaml").exists():
        write_starter(folder)


def _params(folder: Path) -> None:
    from variantex.generators import family

    (folder / "params.yaml").write_text(json.dumps(family("loss-ordering").edge_cases[0].params))  # JSON is YAML


def _big_roster(folder: Path) -> None:
    rows = [["id", "name", "email", "section"]]
    rows += [[f"B{i:04d}", f"Student {i}", f"b{i}@uni.example", "AB"[i % 2]] for i in range(60)]
    with (folder / "big.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _typed_responses(folder: Path) -> None:
    """Every student answers as the key says (key.csv lists the responses grade reads)."""
    if (folder / "responses.csv").exists():
        return  # the reader's own
    answers: dict[str, list[str]] = {}
    with (folder / "out" / "final" / "key.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            answers.setdefault(row["student"], []).append(row["correct_response"])
    with (folder / "responses.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([student, *cells] for student, cells in answers.items())


def _scanned_papers(folder: Path) -> None:
    """The printed papers, each bubble sheet marked with two options somewhere (so the scan
    asks a person), rendered as a scanner would, in one PDF."""
    from PIL import Image

    build = folder / "out" / "final"
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    pages = {
        p["student"]["id"]: scansim.render(build / "exams" / f"{p['student']['id']}.pdf", 150)
        for p in manifest["papers"]
    }
    scansim.mark_papers(manifest, pages, 150, scansim.Marking(double=0.2, blank=0), np.random.default_rng(1))
    images = [Image.fromarray(page) for paper in pages.values() for page in paper]
    (folder / "scans").mkdir()
    images[0].save(folder / "scans" / "pile.pdf", save_all=True, append_images=images[1:], resolution=150.0)


def _decisions(folder: Path) -> None:
    """The reader's decisions on what the scan asked about: each left blank."""
    path = folder / "out" / "scan" / "decisions.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, "the scan asked nothing: the page's second scan would have nothing to settle"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "decision": "blank"} for row in rows)


# (a phrase of the command, how the reader makes what it reads): each made once per page,
# before the first command with the phrase.
BROUGHT: tuple[tuple[str, Callable[[Path], None]], ...] = (
    ("build exam.yaml --roster roster.csv", _starter),
    ("--params params.yaml", _params),
    ("--roster big.csv", _big_roster),
    ("manifest.json responses.csv", _typed_responses),
    ("scan scans/*.pdf", _scanned_papers),
    ("--decisions out/scan/decisions.csv", _decisions),
)

# ../.venv/bin/variantex, .venv/bin/variantex, ~/vx/bin/variantex, variantex: this environment's.
_VARIANTEX = re.compile(r"(?<![\w./~-])(?:\.\./)?(?:\.venv/bin/|~/vx/bin/)?variantex(?![\w.-])")


def runnable(command: Command, scratch: Path) -> str:
    text = _VARIANTEX.sub(shlex.quote(str(BIN / "variantex")), command.text)
    if text.startswith("make sample"):  # the README's first command, its output in the scratch folder
        text = f"make -s -C {shlex.quote(str(ROOT))} sample OUT={shlex.quote(str(scratch / 'out' / 'sample'))}"
    return text


def run_page(page: Path, scratch: Path) -> list[str]:
    """Run the page's commands in order; what went otherwise than the page says."""
    shutil.copytree(ROOT / "examples", scratch / "examples", ignore=shutil.ignore_patterns("build", "*.egg-info"))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(scratch)}
    cwd, where_am_i, problems, brought = scratch, scratch / ".cwd", [], set()
    for command in fenced_commands(page):
        if run_elsewhere(command):
            continue
        for phrase, make in BROUGHT:
            if phrase in command.text and phrase not in brought:
                brought.add(phrase)
                make(cwd)
        done = subprocess.run(
            ["bash", "-c", f'{runnable(command, scratch)}\nstatus=$?\npwd > "{where_am_i}"\nexit $status'],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        cwd = Path(where_am_i.read_text().strip())
        if done.returncode != command.status:
            problems.append(
                f"{command.where()}: `{command.text}` exited {done.returncode}, the page says {command.status}:\n"
                f"{done.stdout[-1500:]}{done.stderr[-1500:]}"
            )
    return problems


PAGES_WITH_COMMANDS = [page for page in PAGES if fenced_commands(page)]


@pytest.mark.parametrize("page", PAGES_WITH_COMMANDS, ids=lambda page: page.name)
def test_the_page_s_commands_run_and_exit_as_it_says(page, tmp_path):
    problems = run_page(page, tmp_path)
    assert not problems, "\n".join(problems)


def test_every_fenced_command_is_run_here_or_by_the_file_named_for_it():
    commands = [command for page in PAGES for command in fenced_commands(page)]
    assert len(commands) > 80  # README, cli, grading, install, question files, families, ...
    for command in commands:
        found = run_elsewhere(command)
        if found:
            phrase, where, shown = found
            assert shown in (ROOT / where).read_text(encoding="utf-8"), f"{command.where()}: {where} does not run it"
    used = {phrase for command in commands if (found := run_elsewhere(command)) for phrase in found[:1]}
    assert used == {phrase for phrase, *_ in ELSEWHERE}, "an exemption no page needs any more"


def test_the_parser_reads_continuations_comments_and_documented_statuses(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "text\n```sh\n# a comment line\nvariantex a --x \\\n    --y 1   # two lines\nvariantex b   # exits 1 when so\n```\n"
        "```text\nvariantex not-a-command\n```\n",
        encoding="utf-8",
    )
    commands = [(c.line, c.text, c.status) for c in fenced_commands(page)]
    assert commands == [(4, "variantex a --x --y 1", 0), (6, "variantex b", 1)]
