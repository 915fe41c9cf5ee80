"""Benchmark: a practice set of F families × N variants, HTML page and PDF worksheet.

    .venv/bin/python benchmarks/practice_set.py [--variants 100]

Prints the seconds spent drawing the variants (draw + exact solve + independent verify +
options + views), rendering the HTML page, and typesetting the worksheet; the page's size;
and, when Debian's chromium is installed, how long the page takes to be ready in a headless
browser. Targets: drawing + HTML under 3 s on one core, the page under 2 MB, ready under 1 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from variantex.exams import latex as tex_run  # noqa: E402
from variantex.exams.bank import draw_bank  # noqa: E402
from variantex.exams.exporters.html import practice_page  # noqa: E402
from variantex.exams.practice import spec_from_items, worksheet  # noqa: E402

ITEMS = ["relu-backprop:numeric", "eigen-determinant:mcq", "loss-ordering:mcq", "shapley-and:numeric"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    spec = spec_from_items(ITEMS, 1)
    start = time.perf_counter()
    bank = draw_bank(spec, 1, args.variants)
    drawn = time.perf_counter()
    page = practice_page(bank, spec.title)
    rendered = time.perf_counter()
    size = len(page.encode("utf-8"))
    print(f"{len(ITEMS)} families × {args.variants} variants")
    print(f"draw {drawn - start:.2f} s + HTML {rendered - drawn:.2f} s = {rendered - start:.2f} s  (target < 3 s)")
    print(f"page {size / 2**20:.2f} MiB  (target < 2 MB = {2e6 / 2**20:.2f} MiB)")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "practice.html"
        path.write_text(page, encoding="utf-8")
        if not args.no_pdf:
            tex = Path(scratch) / "practice.tex"
            clock = time.perf_counter()
            tex.write_text(worksheet(bank, spec.title, True, False), encoding="utf-8")
            tex_run.compile_pdf(tex)
            print(f"PDF worksheet {time.perf_counter() - clock:.2f} s")
        try:
            from tests.browser import CHROMEDRIVER, CHROMIUM, chromium
        except ImportError:
            CHROMIUM = CHROMEDRIVER = None
        if CHROMIUM and CHROMEDRIVER:
            with chromium() as browser:
                browser.get("about:blank")
                clock = time.perf_counter()
                browser.get(path.as_uri())  # returns once the page has loaded
                browser.execute_script("return typeof window.variantexJudge")
                print(f"page ready in chromium {time.perf_counter() - clock:.2f} s  (target < 1 s)")
        else:
            print("page ready in chromium: not measured (no chromium)")


if __name__ == "__main__":
    main()
