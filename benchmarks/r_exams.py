"""Benchmark: variantex against R/exams on the same work, where R/exams is installed.

    .venv/bin/python benchmarks/r_exams.py [--students 20 100] [--runs 3]

The work: N students, each with a 10-question exam and its key (solutions), one PDF per
student for each. variantex builds a 10-family exam (multiple choice, numeric, true/false
and open questions, loss-ordering's plots) for an N-student roster; R/exams runs `exams2pdf` over
ten of the exercises it ships (Sweave, single choice and numeric, two with plots) with its
`exam` and `solution` templates, `n = N`. Whole processes are timed, alternating, and the
median of `--runs` is printed with the ratio per exam. Where R or its exams package is
missing, the script says so and how to install them (docs/performance.md) and exits 0.
Target (issue 30): variantex ≥ 30× R/exams per exam at 100 students.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTEX = Path(sys.executable).with_name("variantex")
# Ten exercises shipped with R/exams (inst/exercises): numeric and single-choice, two plots.
EXERCISES = [
    "tstat.Rnw",
    "deriv.Rnw",
    "dist.Rnw",
    "lm.Rnw",
    "fourfold.Rnw",
    "boxplots.Rnw",
    "regression.Rnw",
    "relfreq.Rnw",
    "confint2.Rnw",
    "anova.Rnw",
]
SPEC = """title: Benchmark against R/exams
course: Benchmarks
seed: 1
questions:
  - {family: loss-ordering, format: mcq, points: 3}
  - {family: eigen-determinant, format: mcq, points: 3}
  - {family: relu-backprop, format: numeric, points: 4}
  - {family: attention-numeric, format: mcq, points: 3}
  - {family: gd-step, format: numeric, points: 3}
  - {family: weighted-kmeans, format: mcq, points: 3}
  - {family: vae-kl, format: numeric, points: 3}
  - {family: adversarial-gradient, format: open, points: 4}
  - {family: shapley-and, format: numeric, points: 3}
  - {family: tf-final-exam, format: tf, points: 4}
"""
R_PROGRAM = """
library(exams)
args <- commandArgs(trailingOnly = TRUE)
set.seed(1)
exercises <- file.path(system.file("exercises", package = "exams"), strsplit(args[2], ",")[[1]])
invisible(exams2pdf(exercises, n = as.integer(args[1]), dir = args[3], template = c("exam", "solution"),
                    verbose = FALSE))
"""


def r_exams_missing() -> str | None:
    """Why R/exams cannot run here, or None."""
    if shutil.which("Rscript") is None:
        return "Rscript is not installed"
    probe = subprocess.run(
        ["Rscript", "-e", "cat(as.character(packageVersion('exams')))"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        return "R's exams package is not installed"
    return None


def r_exams_version() -> str:
    return subprocess.run(
        ["Rscript", "-e", "cat(as.character(packageVersion('exams')))"], capture_output=True, text=True
    ).stdout.strip()


def time_r_exams(folder: Path, students: int) -> float:
    out = folder / f"r-{students}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    program = folder / "run.R"
    program.write_text(R_PROGRAM)
    start = time.perf_counter()
    subprocess.run(
        ["Rscript", str(program), str(students), ",".join(EXERCISES), str(out)],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    seconds = time.perf_counter() - start
    made = len(list(out.glob("*.pdf")))
    if made != 2 * students:
        raise SystemExit(f"R/exams wrote {made} PDFs for {students} students, expected {2 * students}")
    return seconds


def time_variantex(folder: Path, students: int) -> float:
    spec = folder / "exam.yaml"
    spec.write_text(SPEC)
    roster = folder / f"roster-{students}.csv"
    with open(roster, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerows([f"S{i:04d}", f"Student {i}"] for i in range(students))
    out = folder / f"v-{students}"
    start = time.perf_counter()
    subprocess.run(
        [str(VARIANTEX), "build", str(spec), "--roster", str(roster), "--out", str(out), "--force"],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    made = len(list((out / "exams").glob("*.pdf"))) + len(list((out / "keys").glob("*.pdf")))
    if made != 2 * students:
        raise SystemExit(f"variantex wrote {made} PDFs for {students} students, expected {2 * students}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    missing = r_exams_missing()
    if missing:
        print(f"R/exams: not measured ({missing}); to install it, see docs/performance.md")
        with tempfile.TemporaryDirectory() as scratch:
            for students in args.students:
                seconds = time_variantex(Path(scratch), students)
                print(f"{students:5d} students: variantex {seconds:6.1f} s ({seconds / students:.3f} s/exam)")
        return
    print(f"R/exams {r_exams_version()} against variantex, median of {args.runs} alternating runs")
    print("students | R/exams | variantex | ratio per exam (target ≥ 30 at 100)")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for students in args.students:
            r_times, v_times = [], []
            for _ in range(args.runs):
                r_times.append(time_r_exams(folder, students))
                v_times.append(time_variantex(folder, students))
            r, v = statistics.median(r_times), statistics.median(v_times)
            print(
                f"{students:8d} | {r:6.1f} s ({r / students:.2f} s/exam) | {v:6.1f} s ({v / students:.3f} s/exam) "
                f"| {r / v:5.1f}×"
            )


if __name__ == "__main__":
    main()
