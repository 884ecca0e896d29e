"""Shared page layout of the PDF reports: styles, page furniture, outline, build (PURE).

Determinism: documents are built in reportlab's invariant mode and the PDF dates are taken
from the snapshot, so the same snapshot gives byte-identical PDFs.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph
from reportlab.platypus.flowables import Flowable

from reports.fonts import register_font

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
ACCENT = colors.HexColor("#1d4e89")
RULE = colors.HexColor("#c5ccd3")
SHADE = colors.HexColor("#eef2f6")
GREEN = colors.HexColor("#2e7d32")
RED = colors.HexColor("#c62828")
AMBER = colors.HexColor("#d97706")
STATUS_COLOURS = {
    "meets": GREEN,
    "fails": RED,
    "inconclusive": AMBER,
    "insufficient_data": MUTED,
}


def pct(value: float | None, digits: int = 2) -> str:
    """A proportion 0-1 as a percentage string (``0.0123`` -> ``'1.23%'``)."""
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def escape(value: object) -> str:
    """Free text made safe for a Paragraph's mini-markup."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Fonts:
    """The registered report fonts: proportional text and monospaced hashes."""

    text: str
    mono: str


def load_fonts(font_path: str | Path | None) -> Fonts:
    """Register the report font (and the mono face of a .ttc collection when it has one)."""
    text_font = register_font(font_path)
    path = str(font_path or "")
    mono = text_font
    if path == "" or path.lower().endswith(".ttc"):
        try:
            mono = register_font(font_path, subfont_index=1)
        except (OSError, ValueError, IndexError):  # a collection with a single face
            mono = text_font
    return Fonts(text_font, mono)


def make_styles(font: str, lang: str) -> dict[str, ParagraphStyle]:
    """Paragraph styles for ``font``; Chinese text wraps between any two characters."""
    wrap = "CJK" if lang == "zh" else None
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, textColor=INK)
    if wrap:
        base.wordWrap = wrap

    def derive(name: str, **kw) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "h1": derive(
            "h1",
            fontSize=15,
            leading=20,
            spaceBefore=6,
            spaceAfter=8,
            textColor=ACCENT,
            keepWithNext=1,
        ),
        "h2": derive(
            "h2",
            fontSize=11.5,
            leading=16,
            spaceBefore=8,
            spaceAfter=4,
            textColor=ACCENT,
            keepWithNext=1,
        ),
        "small": derive("small", fontSize=8, leading=11, textColor=MUTED),
        "caption": derive(
            "caption",
            fontSize=8.5,
            leading=12,
            textColor=MUTED,
            alignment=TA_CENTER,
            spaceBefore=2,
            spaceAfter=10,
        ),
        "cell": derive("cell", fontSize=8, leading=10.5),
        "cell_right": derive("cell_right", fontSize=8, leading=10.5, alignment=TA_RIGHT),
        "cell_head": derive("cell_head", fontSize=8, leading=10.5, textColor=colors.white),
        "cover_title": derive(
            "cover_title", fontSize=24, leading=34, alignment=TA_CENTER, textColor=ACCENT
        ),
        "cover_sub": derive("cover_sub", fontSize=14, leading=22, alignment=TA_CENTER),
        "verdict": derive("verdict", fontSize=16, leading=22, alignment=TA_CENTER),
    }


class Heading(Paragraph):
    """A section heading that adds itself to the PDF outline (bookmarks)."""

    def __init__(self, text: str, style: ParagraphStyle, level: int = 0) -> None:
        super().__init__(text, style)
        self.outline_level = level
        self.outline_title = text


@dataclass(frozen=True)
class PageFurniture:
    """What every body page shows: running header, footer, watermark, simulated flag."""

    header_left: str
    header_right: str
    footer_left: str
    page_label: str  # contains "{n}"
    watermark: str | None
    simulated: str | None


def pdf_date(created: datetime) -> str:
    """The PDF date string (``D:YYYYMMDDHHmmSS+hh'mm'``) of ``created``."""
    stamp = created.strftime("D:%Y%m%d%H%M%S")
    offset = created.utcoffset()
    if offset is None:
        return stamp
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{stamp}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


class ReportDocument(BaseDocTemplate):
    """A4 document with a cover template and a body template, outline and fixed dates."""

    def __init__(
        self, buffer, *, font: str, furniture: PageFurniture, created: datetime, **meta
    ) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            invariant=1,
            initialFontName=font,
            creator="exit-assessment",
            producer="exit-assessment",
            **meta,
        )
        self.font = font
        self.furniture = furniture
        self.pdf_created = pdf_date(created)
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            CONTENT_WIDTH,
            PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate("cover", frames=[frame], onPage=self._cover_page),
                PageTemplate("body", frames=[frame], onPage=self._body_page),
            ]
        )
        self._outline_keys = 0

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Heading):
            self._outline_keys += 1
            key = f"s{self._outline_keys}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(
                flowable.outline_title, key, level=flowable.outline_level, closed=False
            )

    def _cover_page(self, canv, doc) -> None:
        fixed = self.pdf_created
        canv.setDateFormatter(lambda *_: fixed)
        canv.showOutline()
        self._marks(canv)

    def _body_page(self, canv, doc) -> None:
        f = self.furniture
        canv.saveState()
        canv.setFont(self.font, 8)
        canv.setFillColor(MUTED)
        top = PAGE_HEIGHT - MARGIN_TOP + 7 * mm
        canv.drawString(MARGIN_X, top, f.header_left)
        canv.drawRightString(PAGE_WIDTH - MARGIN_X, top, f.header_right)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN_X, top - 2.5 * mm, PAGE_WIDTH - MARGIN_X, top - 2.5 * mm)
        bottom = MARGIN_BOTTOM - 9 * mm
        canv.drawString(MARGIN_X, bottom, f.footer_left)
        canv.drawRightString(PAGE_WIDTH - MARGIN_X, bottom, f.page_label.format(n=doc.page))
        if f.simulated:
            canv.setFillColor(RED)
            canv.setFont(self.font, 9)
            canv.drawCentredString(PAGE_WIDTH / 2, bottom, f.simulated)
        canv.restoreState()
        self._marks(canv)

    def _marks(self, canv) -> None:
        mark = self.furniture.watermark
        if not mark:
            return
        canv.saveState()
        canv.setFillColor(colors.Color(0.78, 0.16, 0.16, alpha=0.10))
        canv.setFont(self.font, 96)
        canv.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canv.rotate(45)
        canv.drawCentredString(0, -30, mark)
        canv.restoreState()


# reportlab's TrueType fonts keep their per-document glyph subsets in the shared font object,
# so two documents built at once in two threads of one process corrupt each other's subsets
# (a KeyError in ``makeSubset``, seen with simultaneous sign-offs). One build at a time.
_BUILD_LOCK = threading.Lock()


def build_pdf(
    story: Iterable[Flowable],
    *,
    font: str,
    furniture: PageFurniture,
    created: datetime,
    title: str,
    author: str,
    subject: str,
) -> bytes:
    """Lay out ``story`` and return the PDF bytes."""
    buffer = io.BytesIO()
    doc = ReportDocument(
        buffer,
        font=font,
        furniture=furniture,
        created=created,
        title=title,
        author=author,
        subject=subject,
        keywords="",
        lang=None,
    )
    with _BUILD_LOCK:
        doc.build(list(story))
    return buffer.getvalue()
