"""`variantex scan`: scanned papers in, `grade`'s responses.csv out, and a review of all
that a person must decide.

Pages are read in parallel (reader.read_page), then put together per student: each
question's cell comes from its student's answer sheet. What cannot be read without
guessing becomes a review item with an id: an unclear or double mark, a missing score, a
missing or twice-scanned page, a page without a code, of another exam or too large. A
decisions file (`item,decision`) settles items on the next run: a question's decision is
its cell as `grade` reads it (`B`, `TF_T`, `[1/2]`, `blank`), a page's is `ignore`.
Unsettled questions get the cell `REVIEW`, which `grade` lists as unreadable; `scan`
then exits 1 and `scan --grade` grades nothing.
"""

from __future__ import annotations

import html
import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from variantex.answer_engine.errors import InputError
from variantex.exams.csvfiles import write_rows
from variantex.exams.inputs import read_csv_rows
from variantex.exams.scan.pages import PageRef
from variantex.exams.scan.reader import READ, PageResult, read_page, start_worker

UNSETTLED = "REVIEW"  # the cell of a question still under review: grade lists it as unreadable
BLANK_WORD, IGNORE_WORD = "blank", "ignore"


@dataclass
class Item:
    """Something a person must decide (or, with `note_only`, may want to see)."""

    id: str
    student: str
    question: int  # 0 for a page item
    what: str
    read: str = ""  # what the scanner read, if anything
    crop: bytes = b""
    note_only: bool = False
    decision: str | None = None


@dataclass
class ScanReport:
    responses: dict[str, list[str]]
    items: list[Item] = field(default_factory=list)
    pages: list[PageResult] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)

    @property
    def unsettled(self) -> list[Item]:
        return [item for item in self.items if not item.note_only and item.decision is None]


def scan_geometry(manifest: dict[str, Any], path: str) -> dict[str, Any]:
    geometry = manifest.get("scan")
    if not isinstance(geometry, dict) or "exam" not in geometry:
        raise InputError("this exam was built without answer sheets (--no-scan); there is nothing to scan", path)
    if not any(paper.get("sheet") for paper in manifest["papers"]):
        # Answers on the question pages are placed by TeX: a build without PDFs knows no positions.
        raise InputError("this build records no bubble positions (built without PDFs?); build it with PDFs", path)
    return geometry


def scan(
    refs: list[PageRef],
    manifest: dict[str, Any],
    manifest_path: str,
    decisions: dict[str, tuple[str, str]] | None = None,
    jobs: int | None = None,
    on_page: Callable[[], None] | None = None,
) -> ScanReport:
    geometry = scan_geometry(manifest, manifest_path)
    papers = {(p.get("student") or {}).get("id", ""): p for p in manifest["papers"]}
    context = {"geometry": geometry, "sheets": {sid: p.get("sheet", []) for sid, p in papers.items()}}
    workers = max(1, min(jobs or os.cpu_count() or 1, len(refs)))
    results: list[PageResult] = []
    if workers == 1:
        start_worker(context)
        for ref in refs:
            results.append(read_page(ref))
            if on_page:
                on_page()
    else:
        # Fresh worker processes (spawn), not forks: a fork of a process whose OpenCV thread
        # pool has run can deadlock in the child.
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=spawn, initializer=start_worker, initargs=(context,)) as pool:
            for result in pool.map(read_page, refs, chunksize=4):
                results.append(result)
                if on_page:
                    on_page()
    report = collate(results, papers)
    apply_decisions(report, decisions or {}, papers)
    return report


def collate(results: list[PageResult], papers: dict[str, dict]) -> ScanReport:
    responses = {sid: [""] * len(p["questions"]) for sid, p in papers.items()}
    report = ScanReport(responses, pages=results)
    seen: dict[tuple[str, str], list[PageResult]] = {}
    for page in results:
        if page.outcome != READ:
            report.items.append(
                Item(f"page:{page.ref.name}", page.student, 0, f"{page.outcome}: {page.detail}", crop=page.thumbnail)
            )
            continue
        seen.setdefault((page.student, page.label), []).append(page)
    for student, paper in papers.items():
        labels = {label for (sid, label) in seen if sid == student}
        if not labels:
            report.absent.append(student)
            responses.pop(student)
            continue
        rows = paper.get("sheet", [])
        for label in sorted({row["page"] for row in rows}, key=_page_order):
            questions = sorted({row["question"] for row in rows if row["page"] == label})
            copies = seen.get((student, label), [])
            sheet_page = page_name(label)
            if not copies:
                for q in questions:
                    report.items.append(Item(f"{student}/q{q}", student, q, f"{sheet_page} is not in the scans"))
                continue
            readings = [{c.question: c.response for c in copy.cells} for copy in copies]
            if any(r != readings[0] for r in readings[1:]):
                names = ", ".join(c.ref.name for c in copies)
                for q in questions:
                    report.items.append(
                        Item(
                            f"{student}/q{q}",
                            student,
                            q,
                            f"answer sheet page {sheet_page} was scanned twice with different marks ({names})",
                            read=" / ".join(r.get(q, "") for r in readings),
                        )
                    )
                continue
            if len(copies) > 1:
                report.items.append(
                    Item(
                        f"page:{copies[1].ref.name}",
                        student,
                        0,
                        f"a second copy of {student}'s {sheet_page} (same marks; read once)",
                        note_only=True,
                    )
                )
            for cell in copies[0].cells:
                responses[student][cell.question - 1] = cell.response
                if cell.problem:
                    report.items.append(
                        Item(
                            f"{student}/q{cell.question}",
                            student,
                            cell.question,
                            cell.problem,
                            cell.response,
                            cell.crop,
                        )
                    )
                elif cell.notes:
                    report.items.append(
                        Item(
                            f"{student}/q{cell.question}",
                            student,
                            cell.question,
                            "; ".join(cell.notes),
                            cell.response,
                            cell.crop,
                            note_only=True,
                        )
                    )
    return report


def page_name(label: str) -> str:
    """How the review names a page: `S1` is answer sheet page 1, `3` the paper's page 3."""
    return f"answer sheet page {label[1:]}" if label.startswith("S") else f"page {label}"


def _page_order(label: str) -> tuple[int, int]:
    return (1, int(label[1:])) if label.startswith("S") else (0, int(label))


def read_decisions(path: str | Path) -> dict[str, tuple[str, str]]:
    """item id -> (decision, where) from a decisions CSV (item, decision; other columns, such
    as those `scan` writes for reading, are ignored). Rows with an empty decision are skipped."""
    rows = read_csv_rows(Path(path))
    if not rows:
        return {}
    header = [cell.strip().lower() for cell in rows[0]]
    if "item" not in header or "decision" not in header:
        raise InputError("expected the columns item and decision (the decisions.csv scan writes)", f"{path}:1")
    item_at, decision_at = header.index("item"), header.index("decision")
    found: dict[str, tuple[str, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(header) - len(row))
        item, decision = cells[item_at].strip(), cells[decision_at].strip()
        if item and decision:
            found[item] = (decision, f"{path}:{number}")
    return found


def apply_decisions(report: ScanReport, decisions: dict[str, tuple[str, str]], papers: dict[str, dict]) -> None:
    from variantex.exams.grading import UNREADABLE, mark, recomputed

    by_id = {item.id: item for item in report.items if not item.note_only}
    for item_id, (decision, where) in decisions.items():
        item = by_id.get(item_id)
        if item is None:
            raise InputError(f"no review item {item_id!r} in this scan (a decisions file from another run?)", where)
        if item.question == 0:
            if decision.lower() != IGNORE_WORD:
                raise InputError(f"a page item takes the decision {IGNORE_WORD!r}, not {decision!r}", where)
        else:
            cell = "" if decision.lower() == BLANK_WORD else decision
            record = recomputed(papers[item.student]["questions"][item.question - 1])
            graded = mark(record, cell)
            if graded.status == UNREADABLE:
                raise InputError(f"{decision!r} is not a response grade reads for this question {graded.note}", where)
            report.responses[item.student][item.question - 1] = cell
        item.decision = decision
    for item in report.unsettled:
        if item.question and item.student in report.responses:
            report.responses[item.student][item.question - 1] = UNSETTLED


def write_outputs(report: ScanReport, folder: Path) -> None:
    write_rows(
        folder / "responses.csv",
        [["id"] + [f"q{i}" for i in range(1, 1 + max((len(r) for r in report.responses.values()), default=0))]]
        + [[student, *cells] for student, cells in report.responses.items()],
    )
    write_rows(
        folder / "decisions.csv",
        [["item", "decision", "what", "read"]]
        + [[i.id, i.decision or "", i.what, i.read] for i in report.items if not i.note_only],
    )
    crops = folder / "review"
    crops.mkdir(exist_ok=True)
    for number, item in enumerate(report.items, start=1):
        if item.crop:
            (crops / f"{number:04d}.png").write_bytes(item.crop)
    (folder / "review.html").write_text(review_page(report), encoding="utf-8")
    summary = {
        "pages": [
            {
                "file": p.ref.path,
                "page": p.ref.index + 1,
                "outcome": p.outcome,
                "student": p.student,
                "label": p.label,
                "bubbles": p.marks,
            }
            for p in report.pages
        ],
        "absent": report.absent,
        "unsettled": [i.id for i in report.unsettled],
    }
    (folder / "scan.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}
.settled{color:#555}.todo{background:#fff4e0}img{max-width:100%;border:1px solid #999}code{background:#eee}"""


def review_page(report: ScanReport) -> str:
    """The review as one static HTML page (no script; every text escaped)."""
    e = html.escape
    identified = sum(1 for p in report.pages if p.outcome == READ)
    head = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>variantex scan review</title>"
        f"<style>{_STYLE}</style></head><body><h1>Scan review</h1>"
        f"<p>{len(report.pages)} pages scanned, {identified} identified; {len(report.unsettled)} item(s) to decide.</p>"
        "<p>To settle an item, write its decision in <code>decisions.csv</code> (the cell as <code>grade</code> "
        "reads it: a letter, <code>TF_T</code>, <code>[1/2]</code>, points, or <code>blank</code>; "
        "<code>ignore</code> for a page) and run the same <code>variantex scan</code> command again with "
        "<code>--decisions decisions.csv</code>.</p>"
    )
    if report.absent:
        head += f"<p>No pages of: {e(', '.join(report.absent))} (absent?).</p>"
    rows = []
    for number, item in enumerate(report.items, start=1):
        state = "note" if item.note_only else (f"decided: {item.decision}" if item.decision else "to decide")
        picture = f"<img src='review/{number:04d}.png' alt='{e(item.id)}'>" if item.crop else ""
        css = "settled" if item.note_only or item.decision else "todo"
        rows.append(
            f"<tr class='{css}'><td><code>{e(item.id)}</code></td><td>{e(item.what)}</td>"
            f"<td><code>{e(item.read)}</code></td><td>{e(state)}</td><td>{picture}</td></tr>"
        )
    table = (
        "<table><tr><th>item</th><th>what</th><th>read</th><th>state</th><th>scan</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else "<p>Nothing to review: every mark was read clearly.</p>"
    )
    return head + table + "</body></html>\n"
