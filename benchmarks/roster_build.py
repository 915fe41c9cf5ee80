"""Benchmark: build N students × Q questions and print each of issue 30's figures.

    .venv/bin/python benchmarks/roster_build.py [--students 500] [--questions 10] [--to pdf|tex|json]

Worker processes make the papers a chunk at a time (exams/pipeline.py); the script prints
the seconds the workers spent per stage (summed over workers: drawing with solving,
verifying and options; views; LaTeX, TeX and cutting; records), the wall time of the
chunks and of joining, CPU and peak memory of this process and of the largest worker, the
per-student PDFs' size against their share of the combined PDF and, for comparison, one
bare pdflatex pass over the same exam.tex and key.tex. Targets: wall ≤ bare pass ÷
(cores × 0.8); peak memory < 500 MiB (this process, which holds what is written; a worker
holds one chunk); per-student PDF ≤ 2 × its share.

    .venv/bin/python benchmarks/roster_build.py --students 10000 --questions 10   # the scale run
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from variantex.exams.build import build  # noqa: E402

# Q slots cycle through these: every family, every format, calculator-free.
SLOTS = [
    "{family: loss-ordering, format: mcq, points: 3, branch: contrast}",
    "{family: eigen-determinant, format: mcq, points: 3}",
    "{family: relu-backprop, format: numeric, points: 4}",
    "{family: shapley-and, format: mcq, points: 3}",
    "{family: eigen-determinant, format: numeric, points: 2, branch: undetermined}",
    "{family: relu-backprop, format: open, points: 5, branch: dead}",
    "{family: shapley-and, format: numeric, points: 3, branch: weighted}",
    "{family: loss-ordering, format: numeric, points: 3, options: {metric: mae}}",
    "{family: relu-backprop, format: mcq, points: 3, branch: leaky}",
    "{family: shapley-and, format: open, points: 4, branch: threshold}",
]


def write_inputs(folder: Path, students: int, questions: int) -> tuple[Path, Path]:
    spec = folder / "bench.yaml"
    lines = ["title: Benchmark exam", "course: Benchmarks", "seed: 1", "questions:"]
    lines += [f"  - {SLOTS[i % len(SLOTS)][:-1]}, id: q{i + 1}}}" for i in range(questions)]
    spec.write_text("\n".join(lines) + "\n")
    roster = folder / "roster.csv"
    with open(roster, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerows([f"S{i:05d}", f"Student Number {i}"] for i in range(students))
    return spec, roster


def bare_pass(tex: Path) -> float:
    """One plain pdflatex pass over a copy of `tex` (the yardstick)."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / tex.name
        shutil.copy(tex, copy)
        start = time.perf_counter()
        subprocess.run(
            ["pdflatex", "-interaction=batchmode", copy.name], cwd=scratch, check=True, stdout=subprocess.DEVNULL
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--to", choices=["pdf", "tex", "json"], default="pdf", help="the build's output")
    parser.add_argument("--no-pdf", action="store_true", help="the same as --to tex")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare pdflatex passes (they take long)")
    args = parser.parse_args()
    output = "tex" if args.no_pdf else args.to
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        spec, roster = write_inputs(folder, args.students, args.questions)
        start = time.perf_counter()
        result = build(spec, folder / "out", roster=roster, outputs=[output], jobs=args.jobs)
        total = time.perf_counter() - start
        variants = args.students * args.questions
        seconds = result.seconds
        print(f"students × questions      {args.students} × {args.questions} = {variants} variants, --to {output}")
        print("worker seconds, summed over the workers:")
        print(
            f"  generate (draw+solve+verify+options) {seconds['generate']:8.2f} s"
            f"  ({seconds['generate'] / variants * 1000:.2f} ms/variant)"
        )
        print(f"  question views (stems -> blocks)     {seconds['view']:8.2f} s")
        if "latex" in seconds:
            what = "render LaTeX" + (", TeX and cutting" if output == "pdf" else "")
            print(f"  {what:<36} {seconds['latex']:8.2f} s")
        print(f"  records (manifest, key.csv, JSON)    {seconds['records']:8.2f} s")
        print(f"wall: chunks {seconds['chunks']:.2f} s, joining {seconds['join']:.2f} s")
        print(f"total                                  {total:8.2f} s")
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own_cpu, child_cpu = own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime
        print(
            f"CPU: variantex {own_cpu:.1f} s, workers and their TeX {child_cpu:.1f} s; "
            f"on {os.cpu_count()} cores no wall time below {(own_cpu + child_cpu) / (os.cpu_count() or 1):.1f} s"
        )
        self_peak = own.ru_maxrss / 1024
        child_peak = children.ru_maxrss / 1024
        print(
            f"peak memory: variantex {self_peak:.0f} MiB, largest worker or TeX run {child_peak:.0f} MiB "
            f"(target < 500 MiB: {'ok' if max(self_peak, child_peak) < 500 else 'over'})"
        )
        out = result.out
        if output == "pdf":
            sizes = sorted(path.stat().st_size for path in (out / "exams").glob("*.pdf"))
            share = (out / "exam.pdf").stat().st_size / args.students
            median = sizes[len(sizes) // 2]
            print(
                f"per-student exam PDF: median {median / 1024:.0f} KiB, share of exam.pdf {share / 1024:.0f} KiB, "
                f"ratio {median / share:.1f} (target ≤ 2)"
            )
        if output == "pdf" and not args.no_bare:
            # Side by side, one per core: each is still one single-core pass (and half the wait).
            with ThreadPoolExecutor(max_workers=2) as pool:
                exam_bare, key_bare = pool.map(bare_pass, [out / "exam.tex", out / "key.tex"])
            bare = exam_bare + key_bare
            cores = args.jobs or os.cpu_count() or 1
            print(f"bare pdflatex pass (one core each): exam {exam_bare:.2f} s + key {key_bare:.2f} s = {bare:.2f} s")
            print(
                f"wall / bare = {total / bare:.3f}; target ≤ 1 / ({cores} cores × 0.8) = {1 / (cores * 0.8):.3f} "
                f"(wall ≤ {bare / (cores * 0.8):.1f} s)"
            )


if __name__ == "__main__":
    main()
