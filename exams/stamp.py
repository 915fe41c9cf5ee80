"""Registration marks and a page code on every page of a scannable paper, after TeX.

TeX does not know a paper's page count until it has typeset it, and a code must name its
page; so the marks and the code are drawn onto the typeset PDF here, as vector content
appended to each page (filled squares; the QR code's modules as rectangles, from zxing-cpp's
encoder, the library the scanner reads it with). Positions come from exams/sheet.py, the
same constants the manifest records and the scanner registers against.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from variantex.exams.sheet import A4, MARK_MM, PaperSize

_PT = 72 / 25.4  # points per millimetre


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code's dark modules, row by row (no quiet zone: the page's margin is one)."""
    import numpy as np
    import zxingcpp

    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = np.asarray(code.to_image(scale=1, add_quiet_zones=False))
    return [[bool(value < 128) for value in row] for row in image]


def _rect(height: float, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> str:
    """A PDF rectangle from top-left millimetres on a page `height` mm high (PDF's origin is
    bottom-left, in points)."""
    return f"{x_mm * _PT:.3f} {(height - y_mm - h_mm) * _PT:.3f} {w_mm * _PT:.3f} {h_mm * _PT:.3f} re"


def page_drawing(payload: str, paper: PaperSize = A4) -> bytes:
    """PDF operators drawing the four marks and the code for `payload`, in black."""
    ops = ["q", "0 g"]
    half = MARK_MM / 2
    height = paper.page[1]
    ops += [_rect(height, x - half, y - half, MARK_MM, MARK_MM) for x, y in paper.marks]
    modules = qr_modules(payload)
    left, top, side = paper.code
    size = side / len(modules)
    for r, row in enumerate(modules):
        c = 0
        while c < len(row):  # one rectangle per run of dark modules
            if not row[c]:
                c += 1
                continue
            end = c
            while end < len(row) and row[end]:
                end += 1
            ops.append(_rect(height, left + c * size, top + r * size, (end - c) * size, size))
            c = end
    ops += ["f", "Q"]
    return ("\n".join(ops) + "\n").encode("ascii")


def stamp_pages(pdf: Path, payloads: Sequence[str | None], paper: PaperSize = A4) -> None:
    """Draw marks and a code on page i of `pdf` for payloads[i] (None leaves a page as it
    is), rewriting the file reproducibly."""
    import pikepdf

    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        for page, payload in zip(document.pages, payloads):
            if payload is None:
                continue
            # The page's own drawing runs inside q … Q, so no state it leaves changes ours.
            page.contents_add(pikepdf.Stream(document, b"q\n"), prepend=True)
            page.contents_add(pikepdf.Stream(document, b"Q\n" + page_drawing(payload, paper)))
        document.save(pdf, deterministic_id=True)
