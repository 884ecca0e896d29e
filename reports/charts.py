"""Vector charts of estimates against thresholds, drawn with reportlab.graphics (PURE).

Every chart is a dot-and-whisker plot: the estimate as a dot, its 95% confidence interval as
a bar, the threshold as a dashed line with the acceptable side lightly shaded. Several panels
(one per indicator, each on its own scale) share the row labels on the left.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.pdf_base import INK, MUTED, RULE, STATUS_COLOURS, pct

ROW_HEIGHT = 13.0
AXIS_HEIGHT = 18.0
TITLE_HEIGHT = 16.0
OK_SHADE = colors.Color(0.18, 0.49, 0.2, alpha=0.07)


@dataclass(frozen=True)
class Point:
    """One row of a panel: estimate and interval (proportions 0-1) and its status colour."""

    estimate: float
    ci_low: float
    ci_high: float
    status: str  # meets / fails / inconclusive


@dataclass(frozen=True)
class Panel:
    """A column of points on one scale, with its threshold."""

    title: str
    threshold: float
    comparator: str
    points: tuple[Point | None, ...]  # one per row; None leaves the row empty


def classify(estimate: float, low: float, high: float, threshold: float, comparator: str) -> str:
    """``meets`` if the whole interval satisfies the threshold, ``fails`` if none of it does."""
    ok = {
        "<=": lambda v: v <= threshold,
        "<": lambda v: v < threshold,
        ">=": lambda v: v >= threshold,
        ">": lambda v: v > threshold,
    }[comparator]
    if ok(low) and ok(high):
        return "meets"
    if not ok(low) and not ok(high) and not ok(estimate):
        return "fails"
    return "inconclusive"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering ``[low, high]`` (about ``count`` intervals)."""
    span = max(high - low, 1e-6)
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-6:
        if value >= low - step * 1e-6:
            ticks.append(round(value, 10))
        value += step
    return ticks


def tick_labels(ticks: list[float]) -> list[str]:
    """The ticks as percentages, with the fewest decimals that write every tick exactly.

    Steps of 2.5 points need one decimal: with none, 2.5 % and 7.5 % would read "2%" and "8%".
    """
    digits = next(
        (d for d in range(4) if all(abs(round(t * 100, d) - t * 100) < 1e-9 for t in ticks)), 4
    )
    return [pct(t, digits) for t in ticks]


def axis_range(panel: Panel) -> tuple[float, float]:
    """A rounded range holding every interval and the threshold, clipped to 0-1."""
    values = [panel.threshold]
    for p in panel.points:
        if p is not None:
            values += [p.ci_low, p.ci_high]
    low, high = min(values), max(values)
    pad = max((high - low) * 0.12, 0.002)
    low, high = max(0.0, low - pad), min(1.0, high + pad)
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else pad
    return max(0.0, min(ticks[0], math.floor(low / step) * step)), min(
        1.0, max(ticks[-1], math.ceil(high / step) * step)
    )


def _text(
    d: Drawing,
    x: float,
    y: float,
    words: str,
    font: str,
    size: float,
    colour,
    anchor: str = "start",
) -> None:
    d.add(String(x, y, words, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor))


def _draw_panel(
    d: Drawing, panel: Panel, x: float, width: float, n_rows: int, font: str, top: float
) -> None:
    low, high = axis_range(panel)

    def sx(v: float) -> float:
        return x + (v - low) / (high - low) * width

    bottom = top - n_rows * ROW_HEIGHT
    _text(d, x + width / 2, top + 4, panel.title, font, 8, INK, "middle")
    t = sx(panel.threshold)
    below = panel.comparator in ("<=", "<")
    shade_x, shade_w = (x, t - x) if below else (t, x + width - t)
    d.add(Rect(shade_x, bottom, shade_w, top - bottom, fillColor=OK_SHADE, strokeColor=None))
    d.add(Line(x, bottom, x + width, bottom, strokeColor=MUTED, strokeWidth=0.5))
    ticks = nice_ticks(low, high, 4 if width > 160 else 3)
    for tick, label in zip(ticks, tick_labels(ticks), strict=True):
        tx = sx(tick)
        d.add(Line(tx, bottom, tx, bottom - 2.5, strokeColor=MUTED, strokeWidth=0.5))
        d.add(Line(tx, bottom, tx, top, strokeColor=RULE, strokeWidth=0.25))
        _text(d, tx, bottom - 10, label, font, 6.5, MUTED, "middle")
    d.add(Line(t, bottom, t, top, strokeColor=INK, strokeWidth=0.8, strokeDashArray=[3, 2]))
    _draw_points(d, panel.points, sx, top)


def _draw_points(d: Drawing, points, sx, top: float) -> None:
    for row, point in enumerate(points):
        if point is None:
            continue
        cy = top - (row + 0.5) * ROW_HEIGHT
        colour = STATUS_COLOURS[point.status]
        low, high = sx(point.ci_low), sx(point.ci_high)
        d.add(Line(low, cy, high, cy, strokeColor=colour, strokeWidth=1.4))
        for end in (low, high):
            d.add(Line(end, cy - 2.5, end, cy + 2.5, strokeColor=colour, strokeWidth=0.8))
        d.add(
            Circle(
                sx(point.estimate),
                cy,
                2.6,
                fillColor=colour,
                strokeColor=colors.white,
                strokeWidth=0.5,
            )
        )


def label_column(labels: Sequence[str], font: str) -> float:
    """Width in points of a label column that fits ``labels``."""
    return max((stringWidth(s, font, 8) for s in labels), default=0) + 8


def _fit(label: str, font: str, size: float, width: float) -> str:
    if stringWidth(label, font, size) <= width:
        return label
    while label and stringWidth(label + "…", font, size) > width:
        label = label[:-1]
    return label + "…"


def dot_chart(
    labels: Sequence[str],
    panels: Sequence[Panel],
    *,
    font: str,
    width: float,
    legend: Sequence[str] = (),
    label_width: float | None = None,
) -> Drawing:
    """A drawing with one row per label and one panel per indicator.

    Parameters
    ----------
    labels : sequence of str
        Row labels (townships, counties, household types, indicators).
    panels : sequence of Panel
        Columns, each on its own scale, with ``len(labels)`` points.
    font : str
        Registered (embedded) font name; every string of the drawing uses it.
    width : float
        Drawing width in points.
    legend : sequence of str
        Wording of estimate, interval, threshold, meets, fails, inconclusive (6 items), or
        empty for no legend.
    label_width : float, optional
        Width of the label column (to align several drawings); default fits the labels.

    Returns
    -------
    Drawing
    """
    n = len(labels)
    label_w = label_width or min(label_column(labels, font), width * 0.3)
    legend_h = 14.0 if legend else 0.0
    height = TITLE_HEIGHT + n * ROW_HEIGHT + AXIS_HEIGHT + legend_h
    d = Drawing(width, height)
    # renderPDF starts every drawing with this font; the default would pull in Helvetica.
    d.initialFontName = font
    top = height - TITLE_HEIGHT
    gap = 22.0
    panel_w = (width - label_w - gap * (len(panels) - 1)) / max(len(panels), 1)
    _draw_labels(d, labels, label_w, width, font, top)
    for i, panel in enumerate(panels):
        _draw_panel(d, panel, label_w + i * (panel_w + gap), panel_w, n, font, top)
    if legend:
        _legend(d, legend, font, width)
    return d


def _draw_labels(d: Drawing, labels, label_w: float, width: float, font: str, top: float):
    stripe = colors.HexColor("#f6f8fa")
    for row, label in enumerate(labels):
        cy = top - (row + 0.5) * ROW_HEIGHT
        if row % 2:
            d.add(
                Rect(0, cy - ROW_HEIGHT / 2, width, ROW_HEIGHT, fillColor=stripe, strokeColor=None)
            )
        _text(d, label_w - 6, cy - 3, _fit(label, font, 8, label_w - 8), font, 8, INK, "end")


def _legend(d: Drawing, words: Sequence[str], font: str, width: float) -> None:
    y = 4.0
    x = 0.0
    d.add(Circle(x + 3, y + 3, 2.6, fillColor=INK, strokeColor=None))
    x = _legend_word(d, words[0], x + 9, y, font)
    d.add(Line(x, y + 3, x + 16, y + 3, strokeColor=INK, strokeWidth=1.4))
    x = _legend_word(d, words[1], x + 20, y, font)
    d.add(Line(x, y, x, y + 7, strokeColor=INK, strokeWidth=0.8, strokeDashArray=[3, 2]))
    x = _legend_word(d, words[2], x + 4, y, font)
    for status, word in zip(("meets", "fails", "inconclusive"), words[3:6], strict=True):
        d.add(Rect(x, y, 7, 7, fillColor=STATUS_COLOURS[status], strokeColor=None))
        x = _legend_word(d, word, x + 10, y, font)


def _legend_word(d: Drawing, word: str, x: float, y: float, font: str) -> float:
    d.add(String(x, y, word, fontName=font, fontSize=7, fillColor=MUTED))
    return x + stringWidth(word, font, 7) + 12
