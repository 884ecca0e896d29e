"""The county evaluation report (评估报告): snapshot in, PDF story out (PURE)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import NextPageTemplate, PageBreak, Paragraph, Spacer, Table, TableStyle

from reports import labels as L
from reports.charts import Panel, Point, classify, dot_chart, label_column
from reports.model import INDICATOR_KEYS, CountyReport, Indicator
from reports.pdf_base import (
    CONTENT_WIDTH,
    RED,
    STATUS_COLOURS,
    Fonts,
    Heading,
    escape,
    make_styles,
    pct,
)
from reports.pdf_problems import methods_section, problems_section
from reports.tables import grid, key_values, threshold_text

VERDICT_STATUS = {"exit_recommended": "meets", "not_met": "fails", "inconclusive": "inconclusive"}
TOWNSHIP_KEYS = ("wrongful_exit_rate", "missed_rate", "recognition_rate")


def legend_words(lang: str) -> tuple[str, ...]:
    """The six legend words of the dot charts."""
    keys = ("estimate", "ci", "threshold", "meets", "fails", "inconclusive")
    return tuple(L.text(lang, f"legend_{k}") for k in keys)


def simulated_box(lang: str, styles: dict) -> Table:
    """The red 模拟数据 banner of a cover page."""
    words = f"{L.text(lang, 'simulated')}<br/>{escape(L.text(lang, 'simulated_note'))}"
    box = Table([[Paragraph(words, styles["cover_sub"])]], colWidths=[CONTENT_WIDTH * 0.8])
    font = styles["body"].fontName  # a cell's own font would default to Helvetica
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, RED),
                ("FONT", (0, 0), (-1, -1), font),
                ("TEXTCOLOR", (0, 0), (-1, -1), RED),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return box


def cover(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Cover: title, county, scheme, period, institution, version, sign-off status."""
    t = lambda key: L.text(lang, key)  # noqa: E731
    status = t("signed_off") if s.signed_off else t("draft_note")
    pairs = [
        (t("scheme"), s.scheme),
        (t("year"), str(s.year)),
        (t("province"), s.province),
        (t("county"), s.county),
        (t("period"), f"{s.period_start.isoformat()} – {s.period_end.isoformat()}"),
        (t("institution"), s.institution),
        (t("team_leaders"), "、".join(s.team_leaders)),
        (t("version"), s.version),
        (t("report_date"), s.report_date.isoformat()),
        (t("status"), status),
    ]
    return cover_story(
        f"{s.province} {s.county}",
        t("title_county"),
        f"{s.scheme} · {s.year}",
        pairs,
        simulated=s.simulated,
        lang=lang,
        styles=styles,
        fonts=fonts,
    )


def cover_story(
    subtitle: str,
    title: str,
    scheme_line: str,
    pairs,
    *,
    simulated: bool,
    lang: str,
    styles: dict,
    fonts: Fonts,
) -> list:
    """The cover page shared by the county and provincial reports, then the body template."""
    story: list = [Spacer(1, 30 * mm)]
    if simulated:
        story += [simulated_box(lang, styles), Spacer(1, 12 * mm)]
    return [
        *story,
        Paragraph(escape(subtitle), styles["cover_sub"]),
        Spacer(1, 4 * mm),
        Paragraph(escape(title), styles["cover_title"]),
        Spacer(1, 3 * mm),
        Paragraph(escape(scheme_line), styles["cover_sub"]),
        Spacer(1, 22 * mm),
        key_values(
            pairs, [CONTENT_WIDTH * 0.3, CONTENT_WIDTH * 0.7], font=fonts.text, styles=styles
        ),
        NextPageTemplate("body"),
        PageBreak(),
    ]


def verdict_box(s: CountyReport, lang: str, styles: dict) -> Table:
    """The recommendation with the failing and the inconclusive indicators named."""
    t = lambda key, **kw: L.text(lang, key, **kw)  # noqa: E731
    sep = "、" if lang == "zh" else ", "
    colour = STATUS_COLOURS[VERDICT_STATUS[s.verdict]]
    failing = [t(i.key) for i in s.indicators if i.verdict == "fails"]
    unsure = [t(i.key) for i in s.indicators if i.confidence == "inconclusive"]
    detail = t(f"verdict_detail_{s.verdict}", items=sep.join(failing))
    lines = [
        Paragraph(
            f"<font color='{colour.hexval()}'>{escape(t('verdict_' + s.verdict))}</font>",
            styles["verdict"],
        ),
        Paragraph(escape(detail), styles["body"]),
    ]
    if unsure:
        lines.append(
            Paragraph(escape(t("inconclusive_items", items=sep.join(unsure))), styles["body"])
        )
    box = Table([[lines]], colWidths=[CONTENT_WIDTH])
    box.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), styles["body"].fontName),
                ("BOX", (0, 0), (-1, -1), 1.5, colour),
                (
                    "BACKGROUND",
                    (0, 0),
                    (-1, -1),
                    colors.Color(colour.red, colour.green, colour.blue, alpha=0.06),
                ),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
                ("LEFTPADDING", (0, 0), (-1, -1), 12),
                ("RIGHTPADDING", (0, 0), (-1, -1), 12),
            ]
        )
    )
    return box


def confidence_text(ind: Indicator, lang: str) -> str:
    """'以95%以上置信度符合（在标准内的概率 99.1%）' and the like."""
    words = L.text(lang, f"conf_{ind.confidence}")
    if ind.prob_within is not None:
        # 0.9999 printed as "100.0%" would claim certainty the sample cannot give.
        shown = "> 99.9%" if ind.prob_within > 0.999 else pct(ind.prob_within, 1)
        prob = L.text(lang, "prob_within", p=shown)
        words += f"（{prob}）" if lang == "zh" else f" ({prob})"
    return words


def indicator_table(
    indicators: tuple[Indicator, ...],
    lang: str,
    styles: dict,
    font: str,
    first_col: str = "col_indicator",
) -> Table:
    """Estimate, CI, threshold, verdict and confidence of each indicator."""
    head = [
        L.text(lang, k)
        for k in (
            first_col,
            "col_estimate",
            "col_ci",
            "col_threshold",
            "col_verdict",
            "col_confidence",
        )
    ]
    rows: list[list] = [head]
    extra = []
    for r, ind in enumerate(sorted(indicators, key=lambda i: INDICATOR_KEYS.index(i.key)), 1):
        rows.append(
            [
                Paragraph(escape(L.text(lang, ind.key)), styles["cell"]),
                pct(ind.estimate),
                f"{pct(ind.ci_low)} – {pct(ind.ci_high)}",
                threshold_text(ind.comparator, ind.threshold),
                L.text(lang, ind.verdict),
                Paragraph(escape(confidence_text(ind, lang)), styles["cell"]),
            ]
        )
        extra.append(("TEXTCOLOR", (4, r), (4, r), STATUS_COLOURS[ind.verdict]))
    w = CONTENT_WIDTH
    widths = [w * 0.2, w * 0.11, w * 0.2, w * 0.11, w * 0.1, w * 0.28]
    return grid(rows, widths, font=font, styles=styles, align_right=(1, 3), extra=extra)


def conclusion(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Section 1: verdict first, then the indicator table."""
    return [
        Heading(escape(L.text(lang, "s_conclusion")), styles["h1"]),
        verdict_box(s, lang, styles),
        Spacer(1, 6 * mm),
        indicator_table(s.indicators, lang, styles, fonts.text),
    ]


def _indicator_chart(s: CountyReport, lang: str, font: str) -> list:
    inds = sorted(s.indicators, key=lambda i: INDICATOR_KEYS.index(i.key))
    charts = []
    names = [L.text(lang, i.key) for i in inds]
    label_w = label_column(names, font)
    for ind in inds:
        point = Point(ind.estimate, ind.ci_low, ind.ci_high, ind.confidence)
        panel = Panel(
            threshold_text(ind.comparator, ind.threshold), ind.threshold, ind.comparator, (point,)
        )
        last = ind is inds[-1]
        charts.append(
            dot_chart(
                [L.text(lang, ind.key)],
                [panel],
                font=font,
                width=CONTENT_WIDTH,
                legend=legend_words(lang) if last else (),
                label_width=label_w,
            )
        )
    return charts


def group_chart(
    groups, keys, thresholds: dict[str, Indicator], lang: str, font: str, chunk: int = 40
) -> list:
    """Dot charts of GroupEstimates, one panel per key, in drawings of ``chunk`` rows."""
    names = list(dict.fromkeys(g.group for g in groups))
    found = {(g.group, g.key): g for g in groups}
    drawings = []
    for start in range(0, len(names), chunk):
        part = names[start : start + chunk]
        panels = []
        for key in keys:
            ref = thresholds[key]
            points = []
            for name in part:
                g = found.get((name, key))
                points.append(
                    None
                    if g is None
                    else Point(
                        g.estimate,
                        g.ci_low,
                        g.ci_high,
                        classify(g.estimate, g.ci_low, g.ci_high, ref.threshold, ref.comparator),
                    )
                )
            title = f"{L.text(lang, key)} {threshold_text(ref.comparator, ref.threshold)}"
            panels.append(Panel(title, ref.threshold, ref.comparator, tuple(points)))
        drawings.append(
            dot_chart(part, panels, font=font, width=CONTENT_WIDTH, legend=legend_words(lang))
        )
    return drawings


def charts(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Section 2: the three figures."""
    refs = {i.key: i for i in s.indicators}
    story: list = [Heading(escape(L.text(lang, "s_charts")), styles["h1"])]
    story += _indicator_chart(s, lang, fonts.text)
    story.append(Paragraph(escape(L.text(lang, "chart_indicators")), styles["caption"]))
    for groups, keys, caption in (
        (s.by_township, TOWNSHIP_KEYS, "chart_townships"),
        (s.recognition_by_type, ("recognition_rate",), "chart_types"),
    ):
        if groups:
            story += group_chart(groups, keys, refs, lang, fonts.text)
        else:
            story.append(Paragraph(escape(L.text(lang, "no_breakdown")), styles["small"]))
        story.append(Paragraph(escape(L.text(lang, caption)), styles["caption"]))
    return story


COVERAGE_COUNTS = (
    "townships",
    "villages_poor",
    "villages_non_poor",
    "villages_purposive",
    "interviews_completed",
    "substitutions",
)


def _two_columns(head: tuple[str, str], rows, styles: dict, font: str):
    w = CONTENT_WIDTH
    data = [list(head)] + [[Paragraph(escape(a), styles["cell"]), b] for a, b in rows]
    return grid(data, [w * 0.45, w * 0.15], font=font, styles=styles, align_right=(1,))


def coverage(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Section 3: units sampled, households by type, substitutions, response rates."""
    t = lambda key: L.text(lang, key)  # noqa: E731
    c, w, font = s.coverage, CONTENT_WIDTH, fonts.text
    units = [(t(k), f"{getattr(c, k):,}") for k in COVERAGE_COUNTS]
    types = [
        [t(k) for k in ("col_household_type", "col_planned", "col_completed", "col_completion")]
    ]
    types += [
        [
            Paragraph(escape(r.label), styles["cell"]),
            f"{r.planned:,}",
            f"{r.completed:,}",
            pct(r.completed / r.planned, 1) if r.planned else "–",
        ]
        for r in c.households_by_type
    ]
    story = [
        Heading(escape(t("s_coverage")), styles["h1"]),
        _two_columns((t("coverage_units"), t("col_count")), units, styles, font),
        Spacer(1, 5 * mm),
        grid(
            types,
            [w * 0.45, w * 0.15, w * 0.15, w * 0.15],
            font=font,
            styles=styles,
            align_right=(1, 2, 3),
        ),
    ]
    if c.substitution_reasons:
        reasons = [(r, f"{n:,}") for r, n in c.substitution_reasons]
        story += [
            Spacer(1, 5 * mm),
            _two_columns((t("col_reason"), t("col_count")), reasons, styles, font),
        ]
    if c.response_rates:
        rates = [(r, pct(v, 1)) for r, v in c.response_rates]
        story += [
            Spacer(1, 5 * mm),
            _two_columns((t("col_rate_label"), t("col_response_rate")), rates, styles, font),
        ]
    return story


def county_story(s: CountyReport, lang: str, fonts: Fonts) -> list:
    """Every flowable of the county report, in order."""
    styles = make_styles(fonts.text, lang)
    story = cover(s, lang, styles, fonts)
    story += conclusion(s, lang, styles, fonts)
    story += charts(s, lang, styles, fonts)
    story += coverage(s, lang, styles, fonts)
    story.append(PageBreak())
    story += problems_section(s, lang, styles, fonts)
    story.append(PageBreak())
    story += methods_section(s, lang, styles, fonts)
    return story
