"""Which page a scan is, and where its printed points lie in the picture.

A page is identified by its QR code alone (zxing-cpp reads it at any rotation). The code's
four corners, whose printed places are known, give a first estimate of the page's
homography; that predicts where each registration mark lies, each is then found near its
prediction as a dark square blob, and the four marks' centres give the final homography
(page millimetres -> picture pixels). A page whose code or marks cannot be found, or whose
marks disagree with its code, is reported as unreadable, never read by guesswork.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp

from variantex.exams.sheet import read_payload

CANONICAL_PX_PER_MM = 8.0  # the page is warped to this resolution before bubbles are measured


@dataclass(frozen=True)
class Identified:
    exam: str
    label: str
    student: str
    corners: np.ndarray  # the code's corners in the picture: TL, TR, BR, BL of the symbol


class Unreadable(Exception):
    """A page that cannot be identified or registered; the message says why."""


def find_code(image: np.ndarray) -> Identified | None:
    """The page's variantex code, or None when it has none that reads. Tries the picture,
    then a sharpened, binarised copy (light or blurred scans)."""
    for attempt in (image, _binarised(image)):
        for result in zxingcpp.read_barcodes(attempt, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
            payload = read_payload(result.text)
            if payload is None:
                continue
            p = result.position
            corners = np.array(
                [[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y], [p.bottom_right.x, p.bottom_right.y]]
                + [[p.bottom_left.x, p.bottom_left.y]],
                dtype=np.float64,
            )
            return Identified(*payload, corners=corners)
    return None


def _binarised(image: np.ndarray) -> np.ndarray:
    blurred = cv2.GaussianBlur(image, (0, 0), 1.0)
    return cv2.adaptiveThreshold(blurred, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 51, 15)


def _homography(page_mm: np.ndarray, picture: np.ndarray) -> np.ndarray:
    return cv2.getPerspectiveTransform(page_mm.astype(np.float32), picture.astype(np.float32))


def project(h: np.ndarray, points_mm: np.ndarray) -> np.ndarray:
    """Page millimetres -> picture pixels."""
    pts = np.asarray(points_mm, dtype=np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, h).reshape(-1, 2)


def register(image: np.ndarray, code: Identified, geometry: dict[str, Any]) -> np.ndarray:
    """The homography page-mm -> picture from the four registration marks (raises Unreadable)."""
    left, top, side = geometry["code"]
    code_mm = np.array([[left, top], [left + side, top], [left + side, top + side], [left, top + side]])
    # Only a similarity (turn, scale, shift) from the code: its corners are a few pixels
    # apart, and a perspective fitted to them would swing wildly at the far corners.
    similarity, _ = cv2.estimateAffinePartial2D(code_mm.astype(np.float32), code.corners.astype(np.float32))
    if similarity is None:
        raise Unreadable("the page code's corners are inconsistent")
    rough = np.vstack([similarity, [0.0, 0.0, 1.0]])
    marks_mm = np.array(geometry["marks"], dtype=np.float64)
    predicted = project(rough, marks_mm)
    scale = _px_per_mm(rough, marks_mm.mean(axis=0))
    size = float(geometry["mark_size"])
    found = np.array([_find_mark(image, point, size, scale) for point in predicted])
    h = _homography(marks_mm, found)
    # The code must sit where the marks say it is: else a mark was mistaken (a stray blot).
    error = np.abs(project(h, code_mm) - code.corners).max() / scale
    if error > 2.0:
        raise Unreadable(f"the registration marks disagree with the page code by {error:.1f} mm")
    return h


def _px_per_mm(h: np.ndarray, at: np.ndarray) -> float:
    a, b, c = project(h, np.array([at, at + [10.0, 0.0], at + [0.0, 10.0]]))
    return float((np.linalg.norm(b - a) + np.linalg.norm(c - a)) / 20.0)


def _find_mark(image: np.ndarray, predicted: np.ndarray, size_mm: float, scale: float) -> np.ndarray:
    """The centre of the dark square nearest `predicted`, searched within 12 mm of it."""
    reach = int(12 * scale)
    x, y = int(round(predicted[0])), int(round(predicted[1]))
    x0, y0 = max(0, x - reach), max(0, y - reach)
    x1, y1 = min(image.shape[1], x + reach), min(image.shape[0], y + reach)
    if x1 - x0 < reach or y1 - y0 < reach:
        raise Unreadable("a registration mark lies outside the scanned picture (page cut off?)")
    window = image[y0:y1, x0:x1]
    _, dark = cv2.threshold(window, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(dark, connectivity=8)
    expected = (size_mm * scale) ** 2
    best, best_distance = None, None
    for i in range(1, count):
        w, h, area = stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT], stats[i, cv2.CC_STAT_AREA]
        if not 0.5 * expected <= area <= 1.8 * expected or not 0.6 <= w / max(h, 1) <= 1.6:
            continue
        if area < 0.7 * w * h:  # a solid square fills its box; a ring or a scribble does not
            continue
        centre = centroids[i] + [x0, y0]
        distance = float(np.linalg.norm(centre - predicted))
        if best_distance is None or distance < best_distance:
            best, best_distance = centre, distance
    if best is None:
        raise Unreadable("a registration mark was not found (covered, torn or cut off?)")
    return np.asarray(best)


def canonical(image: np.ndarray, h: np.ndarray, page_mm: tuple[float, float]) -> np.ndarray:
    """The page warped upright to CANONICAL_PX_PER_MM pixels per millimetre."""
    to_canonical = np.diag([CANONICAL_PX_PER_MM, CANONICAL_PX_PER_MM, 1.0])
    size = (int(page_mm[0] * CANONICAL_PX_PER_MM), int(page_mm[1] * CANONICAL_PX_PER_MM))
    warp = to_canonical @ np.linalg.inv(h)
    return cv2.warpPerspective(image, warp, size, flags=cv2.INTER_AREA, borderValue=255)
