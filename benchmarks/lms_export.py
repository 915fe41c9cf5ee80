"""Benchmark: export a question bank of Q slots × N variants to each LMS format.

    .venv/bin/python benchmarks/lms_export.py [--variants 200] [--questions 10]

Prints, per target, the seconds spent drawing the bank (draw + exact solve + independent
verify + options + views), writing the file, checking it (schemas and rules, as `export`
does before handing it over), and in all, plus the file size. Target: 10 slots × 200
variants to each format in under 10 s on one core. Run on an idle machine: the figures
are wall-clock times of one process.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from roster_build import write_inputs  # noqa: E402

from variantex.exams.bank import draw_bank  # noqa: E402
from variantex.exams.lms.export import TARGETS  # noqa: E402
from variantex.exams.spec import load_spec  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=200)
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        spec_path, _ = write_inputs(Path(scratch), 1, args.questions)
        spec = load_spec(spec_path)
        print(f"{args.questions} slots × {args.variants} variants = {args.questions * args.variants} questions")
        for name, target in TARGETS.items():
            from variantex.generators import variant  # a cold start for each target, as in a fresh process

            variant.forget_variants()
            start = time.perf_counter()
            bank = draw_bank(spec, 1, args.variants)
            drawn = time.perf_counter()
            content = target.write(bank)
            written = time.perf_counter()
            data = content.encode("utf-8") if isinstance(content, str) else content
            _, problems = target.check(name, content if isinstance(content, str) else zipfile.ZipFile(io.BytesIO(data)))
            checked = time.perf_counter()
            assert not problems, problems[:3]
            print(
                f"{name:7s} draw {drawn - start:6.2f} s  write {written - drawn:5.2f} s  check {checked - written:5.2f} s"
                f"  total {checked - start:6.2f} s  ({len(data) / 2**20:.1f} MiB)  target < 10 s"
            )


if __name__ == "__main__":
    main()
