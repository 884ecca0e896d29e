"""The quality-control section of the county report: back-checks of the assessors (PURE).

Coverage of the back-check sample and the discrepancy rates with their 95 % intervals, per
item and per assessor; assessors are named by code, never by name.
"""

from __future__ import annotations

from reportlab.platypus import Paragraph

from reports import labels as L
from reports.model import CountyReport, QualityRate
from reports.pdf_base import CONTENT_WIDTH, Fonts, Heading, escape, pct
from reports.tables import grid


def _rows(rates: tuple[QualityRate, ...], lang: str, cell) -> list:
    flag = L.text(lang, "qc_flagged")
    return [
        [
            Paragraph(escape(r.label), cell),
            f"{r.discrepant}/{r.compared}",
            pct(r.rate, 1) if r.compared else L.text(lang, "verdict_insufficient_data"),
            f"{pct(r.ci_low, 1)} – {pct(r.ci_high, 1)}" if r.compared else "–",
            flag if r.flagged else "",
        ]
        for r in rates
    ]


def _commitment_text(q, t) -> str:
    if not q.commitment:
        return t("qc_no_commitment")
    status = t("qc_verified") if q.verified else t("qc_not_verified")
    return t("qc_commitment", commitment=q.commitment[:16], status=status)


def quality_section(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Section 6: back-check coverage and discrepancy rates (nothing before a draw)."""
    q = s.quality
    if q is None:
        return []
    t = lambda key, **kw: L.text(lang, key, **kw)  # noqa: E731
    story: list = [
        Heading(escape(t("s_quality")), styles["h1"]),
        Paragraph(
            escape(
                t(
                    "qc_coverage",
                    approved=q.approved,
                    drawn=q.drawn,
                    done=q.done,
                    share=f"{q.share * 100:g}",
                    minimum=q.minimum,
                    seed=q.seed,
                    digest=q.digest[:16],
                )
            ),
            styles["body"],
        ),
        Paragraph(escape(_commitment_text(q, t)), styles["body"]),
    ]
    if not q.done:
        return [*story, Paragraph(escape(t("verdict_insufficient_data")), styles["body"])]
    head = [
        t(k) for k in ("qc_col_item", "qc_col_count", "qc_col_rate", "qc_col_ci", "qc_col_flag")
    ]
    widths = [CONTENT_WIDTH * f for f in (0.36, 0.14, 0.14, 0.24, 0.12)]
    for key, rates in (("qc_items", q.items), ("qc_assessors", q.assessors)):
        story += [
            Heading(escape(t(key)), styles["h2"], level=1),
            grid(
                [head, *_rows(rates, lang, styles["cell"])],
                widths,
                font=fonts.text,
                styles=styles,
                align_right=(1, 2),
            ),
        ]
    return story
