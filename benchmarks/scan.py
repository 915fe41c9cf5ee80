"""Benchmark: scan synthetic papers and print throughput and accuracy per degradation.

    .venv/bin/python benchmarks/scan.py [--papers 200] [--accuracy-papers 20] [--jobs 2]

Builds a scannable exam (tests/scan's spec: multiple choice, true/false, numeric and open
questions) for N students, rasterises every page at 200 dpi, marks each answer sheet as
students and graders mark them (tests/scansim.py), degrades every page as a scanner does
(±3° rotation, ±3 % scale, slight perspective, noise, blur, JPEG quality 50, a third of the
pages upside down, shuffled) and times `variantex scan` over all of them: pages per second.
Target: 2,000 pages in under 5 minutes on a 2-core machine.

Then, per degradation on its own (and all together, and the harder marks: faint,
erased-and-remarked, double, stray), a smaller set of papers is scanned and counted against
the truth: pages identified, clear cells read right, cells misread (must be 0), cells left
for review.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import scansim  # noqa: E402
from tests.test_scan import SPEC  # noqa: E402
from variantex.exams.build import build  # noqa: E402

DEGRADATIONS = {
    "none": scansim.Degradation(),
    "rotation ±5°": scansim.Degradation(rotate=5),
    "scale ±3 %": scansim.Degradation(scale=0.03),
    "perspective 0.4 %": scansim.Degradation(perspective=0.004),
    "noise σ 10": scansim.Degradation(noise=10),
    "blur σ 1.2 px": scansim.Degradation(blur=1.2),
    "JPEG quality 50": scansim.Degradation(jpeg=50),
    "upside down": scansim.Degradation(upside_down=1.0),
    "all of the above": scansim.Degradation(
        rotate=5, scale=0.03, perspective=0.004, noise=10, blur=1.2, jpeg=50, upside_down=0.5
    ),
}
STANDARD = scansim.Degradation(rotate=3, scale=0.03, perspective=0.003, noise=6, blur=0.8, jpeg=50, upside_down=0.3)
HARD_MARKS = scansim.Marking(blank=0.1, faint=0.15, erased=0.2, double=0.15, stray=0.5)


def make_exam(folder: Path, papers: int) -> Path:
    (folder / "spec.yaml").write_text(SPEC, encoding="utf-8")
    roster = folder / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerows([f"S{n:05d}", f"Student {n}"] for n in range(papers))
    build(folder / "spec.yaml", folder / "exam", roster=roster)
    return folder / "exam"


def _one_paper(job) -> tuple[scansim.Truth, list[tuple[int, Path]]]:
    """Render, mark and degrade one student's paper; write its pages as JPEG scans."""
    exam, paper, dpi, marking, how, seed, folder, names = job
    rng = np.random.default_rng(seed)
    manifest = {"scan": json.loads((exam / "manifest.json").read_text(encoding="utf-8"))["scan"], "papers": [paper]}
    sid = paper["student"]["id"]
    pages = {sid: scansim.render(exam / "exams" / f"{sid}.pdf", dpi)}
    truth = scansim.mark_papers(manifest, pages, dpi, marking, rng)
    written = []
    for page, name in zip(pages[sid], names):
        path = folder / f"page-{name:05d}.jpg"
        cv2.imwrite(str(path), scansim.degrade(page, how, rng), [cv2.IMWRITE_JPEG_QUALITY, 90])
        written.append((name, path))
    return truth, written


def scans_for(exam: Path, students: list[str], dpi: int, marking, how, rng, folder: Path, jobs: int = 2):
    """Synthetic scans of `students`' papers, one paper at a time in `jobs` processes (memory
    stays flat), file names shuffled across the whole pile; and the truth."""
    manifest = json.loads((exam / "manifest.json").read_text(encoding="utf-8"))
    papers = [p for p in manifest["papers"] if p["student"]["id"] in set(students)]
    folder.mkdir(parents=True)
    import pypdfium2 as pdfium

    counts = []
    for paper in papers:
        document = pdfium.PdfDocument(str(exam / "exams" / f"{paper['student']['id']}.pdf"))
        counts.append(len(document))
        document.close()
    order = rng.permutation(sum(counts))
    jobs_list, start = [], 0
    for paper, count in zip(papers, counts):
        names = [int(n) for n in order[start : start + count]]
        seed = int(rng.integers(2**32))
        jobs_list.append((exam, paper, dpi, marking, how, seed, folder, names))
        start += count
    truth = scansim.Truth()
    named: list[tuple[int, Path]] = []
    with ProcessPoolExecutor(jobs) as pool:
        for part, written in pool.map(_one_paper, jobs_list, chunksize=4):
            truth.cells.update(part.cells)
            truth.may_flag |= part.may_flag
            truth.must_flag |= part.must_flag
            named += written
    return truth, [path for _, path in sorted(named)]


def run_scan(exam: Path, files: list[Path], out: Path, jobs: int) -> float:
    start = time.perf_counter()
    command = [sys.executable, "-m", "variantex.cli", "scan", *map(str, files)]
    command += ["--manifest", str(exam / "manifest.json"), "--out", str(out), "--jobs", str(jobs)]
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode == 2:
        raise SystemExit(result.stderr)
    return seconds


def count(truth: scansim.Truth, out: Path) -> dict[str, int]:
    with (out / "responses.csv").open(encoding="utf-8") as handle:
        read = {row[0]: row[1:] for row in list(csv.reader(handle))[1:]}
    summary = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    figures = {"pages": len(summary["pages"]), "identified": 0, "clear": 0, "right": 0, "misread": 0, "review": 0}
    figures["identified"] = sum(p["outcome"] == "read" for p in summary["pages"])
    for student, cells in truth.cells.items():
        for number, want in enumerate(cells, start=1):
            got = read.get(student, [""] * len(cells))[number - 1]
            unsure = (student, number) in truth.may_flag | truth.must_flag
            figures["clear"] += not unsure
            if got == "REVIEW":
                figures["review"] += 1
            elif scansim.equal_value(got, want):
                figures["right"] += not unsure
            else:
                figures["misread"] += 1
                print(f"  MISREAD {student} q{number}: read {got!r}, truth {want!r}", file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=200)
    parser.add_argument("--accuracy-papers", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clock = time.perf_counter()
        exam = make_exam(folder, max(args.papers, args.accuracy_papers))
        print(f"built {max(args.papers, args.accuracy_papers)} papers in {time.perf_counter() - clock:.1f} s")
        students = [f"S{n:05d}" for n in range(args.papers)]
        clock = time.perf_counter()
        truth, files = scans_for(exam, students, 200, scansim.Marking(), STANDARD, rng, folder / "all", args.jobs)
        print(f"made {len(files)} synthetic scans (200 dpi JPEG) in {time.perf_counter() - clock:.1f} s")
        seconds = run_scan(exam, files, folder / "read-all", args.jobs)
        figures = count(truth, folder / "read-all")
        rate = len(files) / seconds
        print(
            f"scan: {len(files)} pages in {seconds:.1f} s = {rate:.1f} pages/s with {args.jobs} jobs; "
            f"2,000 pages would take {2000 / rate / 60:.1f} min (target < 5 min)"
        )
        print(
            f"  identified {figures['identified']}/{figures['pages']} pages; clear cells read right "
            f"{figures['right']}/{figures['clear']}; misread {figures['misread']}; left for review {figures['review']}"
        )
        print()
        print(f"accuracy, {args.accuracy_papers} papers each:")
        print(
            f"{'degradation':<22}{'dpi':>5}{'marks':>7}{'pages id.':>11}{'clear right':>14}{'misread':>9}{'review':>8}"
        )
        chosen = [f"S{n:05d}" for n in range(args.accuracy_papers)]
        cases = [(name, how, 200, "clear") for name, how in DEGRADATIONS.items()]
        cases += [("all of the above", DEGRADATIONS["all of the above"], dpi, "clear") for dpi in (150, 300)]
        cases += [("all of the above", DEGRADATIONS["all of the above"], dpi, "hard") for dpi in (150, 200, 300)]
        for index, (name, how, dpi, marks) in enumerate(cases):
            marking = HARD_MARKS if marks == "hard" else scansim.Marking()
            truth, files = scans_for(exam, chosen, dpi, marking, how, rng, folder / f"case-{index}", args.jobs)
            run_scan(exam, files, folder / f"read-{index}", args.jobs)
            f = count(truth, folder / f"read-{index}")
            print(
                f"{name:<22}{dpi:>5}{marks:>7}{f['identified']:>6}/{f['pages']:<4}"
                f"{f['right']:>8}/{f['clear']:<5}{f['misread']:>9}{f['review']:>8}"
            )


if __name__ == "__main__":
    main()
