"""How dark each bubble is, and whether that is a mark, a blank or something a person must see.

Darkness is measured on the upright page (register.canonical) inside a disc smaller than
the printed circle, so the circle itself does not count, and is put on the page's own scale:
0 is its paper (the brightest tenth of the page), 1 the ink of its registration marks. So a
pale scan, grey paper or a light pencil moves both ends together.

A bubble is *marked* above MARKED, *blank* below BLANK, and *unclear* between (a faint tick,
a half-erased mark): unclear is never read either way; it goes to review. The thresholds sit
above the page's own blank level (the median bubble of the page, almost all of which are
blank), so a page that scanned grey raises them. One rule reads an erased mark as erased:
in a row whose other bubble is clearly marked, an unclear bubble less than a third as dark
as that mark is taken as the erasure it looks like (the review file still lists it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from variantex.exams.scan.register import CANONICAL_PX_PER_MM

MARKED, BLANK = 0.20, 0.04  # darkness above the page's blank level
ERASED_RATIO = 1 / 3
INNER = 0.62  # the measured disc's radius, as a share of the printed circle's

MARK, EMPTY, UNCLEAR = "marked", "blank", "unclear"


@dataclass(frozen=True)
class Reading:
    value: str
    darkness: float
    state: str  # MARK, EMPTY or UNCLEAR
    erased: bool = False  # an unclear bubble read as an erasure beside a clear mark


@lru_cache(maxsize=8)
def _disc(radius_px: int) -> np.ndarray:
    span = np.arange(-radius_px, radius_px + 1)
    return (span[:, None] ** 2 + span[None, :] ** 2) <= radius_px**2


def page_levels(page: np.ndarray, geometry: dict[str, Any]) -> tuple[float, float]:
    """(paper, ink): the page's bright level and the darkness of its registration marks."""
    paper = float(np.percentile(page[::4, ::4], 90))
    inks = []
    half = int(geometry["mark_size"] * CANONICAL_PX_PER_MM * 0.3)
    for x, y in geometry["marks"]:
        cx, cy = int(x * CANONICAL_PX_PER_MM), int(y * CANONICAL_PX_PER_MM)
        inks.append(float(np.median(page[cy - half : cy + half, cx - half : cx + half])))
    ink = float(np.median(inks))
    if paper - ink < 40:  # no contrast: a blank or black picture, not a printed page
        raise ValueError("the page has too little contrast to read (paper and ink alike)")
    return paper, ink


def darkness(page: np.ndarray, x_mm: float, y_mm: float, radius_mm: float, levels: tuple[float, float]) -> float:
    paper, ink = levels
    r = int(round(radius_mm * INNER * CANONICAL_PX_PER_MM))
    cx, cy = int(round(x_mm * CANONICAL_PX_PER_MM)), int(round(y_mm * CANONICAL_PX_PER_MM))
    patch = page[cy - r : cy + r + 1, cx - r : cx + r + 1]
    mean = float(patch[_disc(r)].mean())
    return min(1.0, max(0.0, (paper - mean) / (paper - ink)))


def read_rows(page: np.ndarray, rows: list[dict[str, Any]], geometry: dict[str, Any]) -> list[list[Reading]]:
    """Every bubble of `rows` (one sheet page's rows from the manifest), read."""
    levels = page_levels(page, geometry)
    radius = float(geometry["bubble_radius"])
    measured = [[(value, darkness(page, x, y, radius, levels)) for x, y, value in row["bubbles"]] for row in rows]
    everything = [d for row in measured for _, d in row]
    blank_level = float(np.median(everything)) if everything else 0.0
    blank_level = min(blank_level, 0.1)  # a page of mostly marked bubbles must not hide its marks
    readings = []
    for row, bubbles in zip(rows, measured):
        states = [
            (value, d, MARK if d >= blank_level + MARKED else EMPTY if d < blank_level + BLANK else UNCLEAR)
            for value, d in bubbles
        ]
        strongest: dict[str, float] = {}  # per group of bubbles that answer one thing
        for value, d, state in states:
            if state == MARK:
                group = _group(row["kind"], value)
                strongest[group] = max(strongest.get(group, 0.0), d)
        read = []
        for value, d, state in states:
            clear = strongest.get(_group(row["kind"], value))
            if state == UNCLEAR and clear is not None and d - blank_level < ERASED_RATIO * (clear - blank_level):
                read.append(Reading(value, round(d, 3), EMPTY, erased=True))
            else:
                read.append(Reading(value, round(d, 3), state))
        readings.append(read)
    return readings


def _group(kind: str, value: str) -> str:
    """Bubbles that answer one thing: a true/false statement's pair, else the whole row."""
    return value[:-1] if kind == "tf" else ""
