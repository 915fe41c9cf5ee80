"""Benchmark: how fast every hostile input is refused (target: each under 1 s).

    .venv/bin/python benchmarks/hostile_inputs.py

Runs the corpus of tests/hostile_corpus.py (bad numbers, deep nesting, FIFOs, NUL bytes,
damaged manifests, bad rosters, …) and prints each case's exit status and time, then the
slowest. Times are printed, never asserted: the test suite checks the outcomes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile_corpus import run_corpus  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        results = run_corpus(Path(scratch))
    for result in results:
        print(f"{result['seconds'] * 1000:8.1f} ms  exit {result['exit']}  {result['case']}")
    slowest = max(results, key=lambda r: r["seconds"])
    print(
        f"{len(results)} hostile inputs; slowest refusal {slowest['seconds'] * 1000:.1f} ms "
        f"({slowest['case']}); target < 1000 ms each"
    )


if __name__ == "__main__":
    main()
