"""Scanned pages in: PDFs (rendered with pypdfium2) and PNG, JPEG or TIFF images (Pillow),
any number of pages per file, checked before any is read.

`page_list` opens every file once and lists its pages, so a 0-byte PDF, a corrupt image or
a PDF of more pages than a scan can hold is a one-line error before any work starts;
`load` then gives one page as an 8-bit grey picture (in a worker process). A picture too
large to be a scanned page is not decoded at all: it comes back as a problem for the
review file.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from variantex.answer_engine.errors import InputError

PDF_DPI = 200  # PDF pages are rendered at this resolution (a scanner's usual 200-300 dpi)
MAX_PAGES_PER_FILE = 5000
MAX_PIXELS = 150_000_000  # an A4 page at 1200 dpi is 140 megapixels; beyond that, not a scan
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


@dataclass(frozen=True)
class PageRef:
    """One page of one input file (index 0-based); `name` is how the review file shows it."""

    path: str
    index: int
    kind: str  # "pdf" or "image"

    @property
    def name(self) -> str:
        return f"{Path(self.path).name} page {self.index + 1}"


class TooLarge(Exception):
    pass


def page_list(paths: list[str]) -> list[PageRef]:
    """Every page of every input, in the order given (then page order)."""
    refs: list[PageRef] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise InputError("no such file", str(path))
        if path.stat().st_size == 0:
            raise InputError("the file is empty (0 bytes)", str(path))
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            count = _pdf_pages(path)
            kind = "pdf"
        elif suffix in IMAGE_SUFFIXES:
            count = _image_frames(path)
            kind = "image"
        else:
            raise InputError(f"not a scan variantex reads (PDF, {', '.join(IMAGE_SUFFIXES)})", str(path))
        if count == 0:
            raise InputError("the file has no pages", str(path))
        if count > MAX_PAGES_PER_FILE:
            raise InputError(
                f"{count} pages; a file may hold at most {MAX_PAGES_PER_FILE} (split it, e.g. qpdf --split-pages)",
                str(path),
            )
        refs += [PageRef(str(path), index, kind) for index in range(count)]
    return refs


def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise InputError(f"not a readable PDF ({error})", str(path)) from None
    try:
        return len(document)
    finally:
        document.close()


@contextlib.contextmanager
def _opened(path: str | Path) -> Iterator[Any]:
    """An image opened lazily (header only). Pillow's own bomb guard is replaced by ours
    (MAX_PIXELS, checked before decoding): its warning would stop a run, its error could
    not say which page."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombError as error:
            pixels = re.search(r"\((\d+) pixels\)", str(error))
            size = f"{int(pixels[1]) / 1e6:.0f} megapixels" if pixels else "its size"
            raise TooLarge(f"{size} is too large for a page") from None
    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise TooLarge(f"{width}×{height} pixels ({width * height / 1e6:.0f} megapixels) is too large for a page")
        yield image


def _image_frames(path: Path) -> int:
    from PIL import UnidentifiedImageError

    try:
        with _opened(path) as image:
            return int(getattr(image, "n_frames", 1))
    except TooLarge:
        return 1  # reading it says so, as a problem of its page
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise InputError(f"not a readable image ({error})", str(path)) from None


def load(ref: PageRef) -> np.ndarray:
    """The page as an 8-bit grey picture. Raises TooLarge for a picture beyond MAX_PIXELS and
    ValueError for one that cannot be decoded."""
    if ref.kind == "pdf":
        return _render_pdf_page(ref)
    with _opened(ref.path) as image:
        image.seek(ref.index)
        try:
            return np.asarray(image.convert("L"))
        except (OSError, ValueError) as error:
            raise ValueError(f"the image cannot be decoded ({error})") from None


def _render_pdf_page(ref: PageRef) -> np.ndarray:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(ref.path)
    try:
        page = document[ref.index]
        width, height = page.get_size()  # points
        scale = PDF_DPI / 72
        if width * height * scale * scale > MAX_PIXELS:
            raise TooLarge(f"a {width / 72:.0f}×{height / 72:.0f} inch page is too large to be a scanned exam page")
        bitmap = page.render(scale=scale, grayscale=True)
        picture = bitmap.to_numpy()
        return np.array(picture[:, :, 0] if picture.ndim == 3 else picture)
    finally:
        document.close()
