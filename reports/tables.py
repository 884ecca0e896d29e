"""Table helpers shared by the PDF reports (PURE)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.platypus import LongTable, Paragraph, Table, TableStyle

from reports.pdf_base import ACCENT, INK, RULE, SHADE, escape

SYMBOLS = {"<=": "≤", "<": "<", ">=": "≥", ">": ">"}


def threshold_text(comparator: str, threshold: float) -> str:
    """``'≤ 2.00%'`` for comparator ``'<='`` and threshold 0.02."""
    return f"{SYMBOLS[comparator]} {threshold * 100:.2f}%"


def grid(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    font: str,
    styles: dict,
    header: bool = True,
    long: bool = False,
    align_right: Sequence[int] = (),
    extra: Sequence[tuple] = (),
) -> Table:
    """A ruled table with a shaded header row that repeats on every page.

    Plain strings stay on one line (ids, numbers); pass Paragraphs for text that wraps.
    ``long`` uses LongTable (faster for hundreds of rows); rows never split across pages.
    """
    data = []
    for i, row in enumerate(rows):
        if header and i == 0:
            data.append([Paragraph(escape(c), styles["cell_head"]) for c in row])
        else:
            data.append(list(row))
    cls = LongTable if long else Table
    table = cls(
        data, colWidths=list(widths), repeatRows=1 if header else 0, splitInRow=0, hAlign="LEFT"
    )
    commands = [
        ("FONT", (0, 0), (-1, -1), font, 8, 10.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, SHADE]),
        ]
    commands += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in align_right]
    table.setStyle(TableStyle(commands + list(extra)))
    return table


def key_values(
    pairs: Sequence[tuple[str, object]], widths: Sequence[float], *, font: str, styles: dict
) -> Table:
    """A two-column label / value table without header (cover, methods)."""
    rows = [
        [
            Paragraph(escape(k), styles["cell"]),
            v if isinstance(v, Paragraph) else Paragraph(escape(v), styles["cell"]),
        ]
        for k, v in pairs
    ]
    extra = [("TEXTCOLOR", (0, 0), (0, -1), ACCENT), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    return grid(rows, widths, font=font, styles=styles, header=False, extra=extra)
