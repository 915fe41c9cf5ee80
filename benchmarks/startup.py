"""Benchmark: how long the command line takes to start, per command (median of N runs).

    .venv/bin/python benchmarks/startup.py [--runs 7]

Targets (issue 30): `--help`, `--version` and `families` within 0.25 s; one `show` or `solve`
within 0.5 s. The command line imports the library inside each command, so `--help` and
`--version` load neither SymPy nor NumPy; `families` reads the built-in families' index
(generators/index.json); `show` and `solve` import SymPy (about 0.3 s) and one family.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

VARIANTEX = Path(sys.executable).with_name("variantex")
COMMANDS = {
    "--help": (["--help"], 0.25),
    "--version": (["--version"], 0.25),
    "families": (["families"], 0.25),
    "show gd-step": (["show", "gd-step", "--seed", "1"], 0.5),
    "solve eigen-determinant": (
        [
            "solve",
            "eigen-determinant",
            "--set",
            "eigenvectors=[[1,0,0],[0,1,0]]",
            "--set",
            "eigenvalues=[2, 3]",
            "--set",
            "trace=10",
        ],
        0.5,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    # As a user's commands start: with the bytecode Python caches on the first run (a shell
    # that sets PYTHONDONTWRITEBYTECODE would otherwise compile every edited module each time).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    for name, (arguments, target) in COMMANDS.items():
        subprocess.run([str(VARIANTEX), *arguments], check=True, capture_output=True, env=env)  # untimed
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([str(VARIANTEX), *arguments], check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        verdict = "ok" if median <= target else "over"
        print(f"{name:<26} median {median:.3f} s over {args.runs} runs (target {target} s: {verdict})")


if __name__ == "__main__":
    main()
