"""Plain drawings for figures: one description, typeset with pgf (LaTeX outputs) and drawn as
SVG (web and LMS outputs), so a figure never needs TeX to reach a browser.

Coordinates are centimetres with y up, as in TikZ. The primitives are the few a plot needs;
a family that wants more adds a primitive here (with both back ends) rather than writing
TikZ by hand.

The LaTeX back end writes pgf's basic layer, not TikZ: paths with its quick commands
(`\\pgfpathqmoveto`, coordinates already in points), labels with `\\pgftext` at a
`\\pgfqpoint`. Nothing is left for TeX to parse or compute, and a figure typesets about
two and a half times faster than the same drawing in TikZ: a roster build typesets
thousands of them. The tikz package (which loads pgf) is all it needs, with any engine.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]

CM = 37.795  # SVG user units (CSS px) per centimetre
POINT = CM / 28.4528  # per TeX point
SIZES = {"scriptsize": 8.0, "small": 10.0, "normalsize": 11.0}  # pt, as in an 11pt document
GRAYS = {"gray!25": "#bfbfbf", "black": "#000000"}


@dataclass(frozen=True)
class Segments:
    """Straight segments drawn in one stroke."""

    pairs: tuple[tuple[Point, Point], ...]
    color: str = "black"  # a TikZ colour named in GRAYS
    dashed: bool = False
    thick: bool = False


@dataclass(frozen=True)
class Frame:
    """A rectangle's outline."""

    corner: Point
    opposite: Point


@dataclass(frozen=True)
class Dots:
    centres: tuple[Point, ...]
    radius_pt: float = 1.7


@dataclass(frozen=True)
class Label:
    at: Point
    anchor: str  # "top", "bottom", "right", "left": the side of the text that sits at `at`
    tex: str  # as TeX typesets it (already escaped, math in $…$)
    text: str  # the same as plain text, for SVG
    size: str = "normalsize"


@dataclass(frozen=True)
class Clipped:
    """Items drawn only inside a rectangle."""

    corner: Point
    opposite: Point
    items: tuple[Item, ...]


Item = Segments | Frame | Dots | Label | Clipped


# --- pgf ---------------------------------------------------------------------------------------

PT_PER_CM = 72.27 / 2.54
KAPPA = 0.5522847  # a circle as four Bézier quarters (pgf's constant)
THICK = "\\pgfsetlinewidth{0.8pt}"  # TikZ's "thick" (pgf's default width is TikZ's, 0.4 pt)
DASHED = "\\pgfsetdash{{3pt}{3pt}}{0pt}"  # TikZ's "dashed"


def _pt(value: float) -> str:
    return f"{value:.2f}pt"


def _at(point: Point) -> tuple[float, float]:
    return point[0] * PT_PER_CM, point[1] * PT_PER_CM


def _move(x: float, y: float) -> str:
    return f"\\pgfpathqmoveto{{{_pt(x)}}}{{{_pt(y)}}}"


def _line(x: float, y: float) -> str:
    return f"\\pgfpathqlineto{{{_pt(x)}}}{{{_pt(y)}}}"


def _curve(*coordinates: float) -> str:
    return "\\pgfpathqcurveto" + "".join(f"{{{_pt(c)}}}" for c in coordinates)


def _rectangle(corner: Point, opposite: Point) -> str:
    (x0, y0), (x1, y1) = _at(corner), _at(opposite)
    return _move(x0, y0) + _line(x1, y0) + _line(x1, y1) + _line(x0, y1) + "\\pgfpathclose"


def _circle(centre: Point, radius: float) -> str:
    x, y = _at(centre)
    r, k = radius, KAPPA * radius
    return (
        _move(x + r, y)
        + _curve(x + r, y + k, x + k, y + r, x, y + r)
        + _curve(x - k, y + r, x - r, y + k, x - r, y)
        + _curve(x - r, y - k, x - k, y - r, x, y - r)
        + _curve(x + k, y - r, x + r, y - k, x + r, y)
        + "\\pgfpathclose"
    )


def _pgf(item: Item) -> str:
    if isinstance(item, Segments):
        path = "".join(_move(*_at(a)) + _line(*_at(b)) for a, b in item.pairs)
        style = "" if item.color == "black" else f"\\pgfsetstrokecolor{{{item.color}}}"
        style += (THICK if item.thick else "") + (DASHED if item.dashed else "")
        stroke = f"{path}\\pgfusepathqstroke"
        return f"\\begin{{pgfscope}}{style}{stroke}\\end{{pgfscope}}" if style else stroke
    if isinstance(item, Frame):
        return _rectangle(item.corner, item.opposite) + "\\pgfusepathqstroke"
    if isinstance(item, Dots):
        return "".join(_circle(c, item.radius_pt) for c in item.centres) + "\\pgfusepathqfill"
    if isinstance(item, Label):
        size = "" if item.size == "normalsize" else f"\\{item.size}"
        x, y = _at(item.at)
        return (
            f"\\pgftext[{item.anchor},at=\\pgfqpoint{{{_pt(x)}}}{{{_pt(y)}}}]"
            f"{{{size}{' ' if size and not item.tex.startswith(('$', chr(92))) else ''}{item.tex}}}"
        )
    if isinstance(item, Clipped):
        inner = "\n".join(_pgf(i) for i in item.items)
        clip = _rectangle(item.corner, item.opposite) + "\\pgfusepathqclip"
        return f"\\begin{{pgfscope}}{clip}\n{inner}\\end{{pgfscope}}"
    raise TypeError(f"no pgf for {type(item).__name__}")


def _drawn_bounds(items: Sequence[Item]) -> tuple[Point, Point]:
    """The corners of what the paths cover, in points. The quick commands do not tell pgf
    what they cover; the labels' \\pgftext does, so with these corners the picture is as
    large as TikZ would make it (but for half a line's width around a stroke)."""
    xs, ys = [], []
    for item in items:
        if isinstance(item, Segments):
            points = [_at(p) for pair in item.pairs for p in pair]
        elif isinstance(item, (Frame, Clipped)):
            points = [_at(item.corner), _at(item.opposite)]
        elif isinstance(item, Dots):
            r = item.radius_pt
            points = [(x + dx, y + dy) for x, y in map(_at, item.centres) for dx, dy in ((-r, -r), (r, r))]
        else:
            continue
        xs += [x for x, _ in points]
        ys += [y for _, y in points]
    return (min(xs), min(ys)), (max(xs), max(ys))


def pgf(items: Sequence[Item]) -> str:
    """A pgfpicture environment of the drawing (the tikz package provides it)."""
    (x0, y0), (x1, y1) = _drawn_bounds(items)
    bounds = (
        f"\\pgfpathrectangle{{\\pgfqpoint{{{_pt(x0)}}}{{{_pt(y0)}}}}}{{\\pgfqpoint{{{_pt(x1 - x0)}}}{{{_pt(y1 - y0)}}}}}"
        "\\pgfusepath{}"  # a path drawn with nothing: it only tells pgf what the picture covers
    )
    return "\\begin{pgfpicture}" + bounds + "\n" + "\n".join(_pgf(i) for i in items) + "\n\\end{pgfpicture}"


# --- SVG ---------------------------------------------------------------------------------------


def _bounds(items: Sequence[Item]) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for item in items:
        if isinstance(item, Segments):
            for a, b in item.pairs:
                xs += [a[0], b[0]]
                ys += [a[1], b[1]]
        elif isinstance(item, (Frame, Clipped)):
            xs += [item.corner[0], item.opposite[0]]
            ys += [item.corner[1], item.opposite[1]]
        elif isinstance(item, Dots):
            xs += [c[0] for c in item.centres]
            ys += [c[1] for c in item.centres]
        elif isinstance(item, Label):  # room for the text: a rough box by anchor
            width = 0.2 * SIZES[item.size] / 10 * max(len(item.text), 1)
            height = 0.4 * SIZES[item.size] / 10
            x, y = item.at
            left = {"right": x - width, "left": x}.get(item.anchor, x - width / 2)
            bottom = {"top": y - height, "bottom": y}.get(item.anchor, y - height / 2)
            xs += [left, left + width]
            ys += [bottom, bottom + height]
    return min(xs), min(ys), max(xs), max(ys)


class _Svg:
    def __init__(self, bounds: tuple[float, float, float, float]):
        self.x0, self.y0, self.x1, self.y1 = bounds
        self.clips = 0

    def x(self, value: float) -> str:
        return f"{(value - self.x0) * CM:.2f}"

    def y(self, value: float) -> str:
        return f"{(self.y1 - value) * CM:.2f}"

    def item(self, item: Item) -> str:
        if isinstance(item, Segments):
            dash = ' stroke-dasharray="4 3"' if item.dashed else ""
            width = 0.8 * POINT if item.thick else 0.4 * POINT
            path = " ".join(f"M{self.x(a[0])} {self.y(a[1])}L{self.x(b[0])} {self.y(b[1])}" for a, b in item.pairs)
            return (
                f'<path d="{path}" fill="none" stroke="{GRAYS.get(item.color, "#000000")}" '
                f'stroke-width="{width:.2f}"{dash}/>'
            )
        if isinstance(item, Frame):
            return (
                f'<rect x="{self.x(min(item.corner[0], item.opposite[0]))}" '
                f'y="{self.y(max(item.corner[1], item.opposite[1]))}" '
                f'width="{abs(item.opposite[0] - item.corner[0]) * CM:.2f}" '
                f'height="{abs(item.opposite[1] - item.corner[1]) * CM:.2f}" fill="none" stroke="#000000" '
                f'stroke-width="{0.4 * POINT:.2f}"/>'
            )
        if isinstance(item, Dots):
            return "".join(
                f'<circle cx="{self.x(c[0])}" cy="{self.y(c[1])}" r="{item.radius_pt * POINT:.2f}"/>'
                for c in item.centres
            )
        if isinstance(item, Label):
            anchor = {"right": "end", "left": "start"}.get(item.anchor, "middle")
            baseline = {"top": "hanging", "bottom": "alphabetic"}.get(item.anchor, "central")
            return (
                f'<text x="{self.x(item.at[0])}" y="{self.y(item.at[1])}" font-size="{SIZES[item.size] * POINT:.1f}" '
                f'text-anchor="{anchor}" dominant-baseline="{baseline}">{html.escape(item.text)}</text>'
            )
        if isinstance(item, Clipped):
            self.clips += 1
            name = f"clip{self.clips}"
            left, right = sorted((item.corner[0], item.opposite[0]))
            low, high = sorted((item.corner[1], item.opposite[1]))
            inner = "".join(self.item(i) for i in item.items)
            return (
                f'<clipPath id="{name}"><rect x="{self.x(left)}" y="{self.y(high)}" '
                f'width="{(right - left) * CM:.2f}" height="{(high - low) * CM:.2f}"/></clipPath>'
                f'<g clip-path="url(#{name})">{inner}</g>'
            )
        raise TypeError(f"no SVG for {type(item).__name__}")


def svg(items: Sequence[Item], description: str, margin: float = 0.15) -> str:
    """A standalone SVG document of the drawing (text in a serif font, like the PDF)."""
    x0, y0, x1, y1 = _bounds(items)
    canvas = _Svg((x0 - margin, y0 - margin, x1 + margin, y1 + margin))
    width, height = (x1 - x0 + 2 * margin) * CM, (y1 - y0 + 2 * margin) * CM
    body = "".join(canvas.item(i) for i in items)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.2f} {height:.2f}" font-family="Latin Modern Roman, Computer Modern, serif" '
        f'role="img" aria-label="{html.escape(description)}"><title>{html.escape(description)}</title>'
        f'<rect width="100%" height="100%" fill="#ffffff"/>{body}</svg>'
    )
