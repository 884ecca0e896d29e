"""The county evaluation report (评估报告): snapshot in, PDF story out (PURE)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import NextPageTemplate, PageBreak, Paragraph, Spacer, Table, TableStyle

from reports import labels as L
from reports import wording as W
from reports.charts import Panel, Point, classify, dot_chart, label_column
from reports.model import INDICATOR_KEYS, CountyReport, Indicator
from reports.pdf_appeals import appeals_section
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
from reports.pdf_problems import methods_section, problem_counts_section, problems_section
from reports.pdf_quality import quality_section
from reports.tables import grid, key_values, threshold_text
from reports.wording import institution_text, version_text

VERDICT_STATUS = {
    "exit_recommended": "meets",
    "not_met": "fails",
    "inconclusive": "inconclusive",
    "insufficient_data": "insufficient_data",
}
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
        (t("institution"), institution_text(lang, s.institution)),
        (t("team_leaders"), "、".join(s.team_leaders)),
        (t("version"), version_text(lang, s.version)),
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


def _verdict_lines(s: CountyReport, lang: str) -> list[str]:
    """The sentences beneath the verdict: why data are insufficient, or how sure it is."""
    t = lambda key, **kw: L.text(lang, key, **kw)  # noqa: E731
    sep = "、" if lang == "zh" else ", "
    names = lambda keys: sep.join(t(k) for k in keys)  # noqa: E731
    fieldwork = s.fieldwork
    lines = []
    if s.verdict == "insufficient_data":
        lines.append(t(f"state_{s.state}"))
        if fieldwork is not None and fieldwork.planned and not fieldwork.complete:
            lines.append(
                t("fieldwork_progress", done=fieldwork.resolved, planned=fieldwork.planned)
            )
        missing = [i.key for i in s.indicators if i.verdict == "insufficient_data"]
        if s.state == "final" and missing:
            lines.append(t("insufficient_items", items=names(missing)))
        if s.interim:
            lines.append(t("interim_note"))
    else:
        failing = [i.key for i in s.indicators if i.verdict == "fails"]
        lines.append(t(f"verdict_detail_{s.verdict}", items=names(failing)))
        if s.verdict_confidence:
            lines.append(t(f"verdict_confidence_{s.verdict_confidence}"))
        unsure = [
            i.key for i in s.indicators if i.confidence in ("inconclusive", "insufficient_data")
        ]
        if unsure:
            lines.append(t("inconclusive_items", items=names(unsure)))
    if fieldwork is not None and fieldwork.closed_at is not None:
        lines.append(
            t(
                "fieldwork_closed",
                name=fieldwork.closed_by or "—",
                date=fieldwork.closed_at.strftime("%Y-%m-%d"),
                reason=fieldwork.closure_reason,
            )
        )
    return lines


def verdict_box(s: CountyReport, lang: str, styles: dict) -> Table:
    """The recommendation (or 数据不足) with what stands beneath it."""
    colour = STATUS_COLOURS[VERDICT_STATUS[s.verdict]]
    title = L.text(lang, "verdict_" + s.verdict)
    if s.borderline and s.verdict != "insufficient_data":
        title += f" · {L.text(lang, 'borderline')}"
    lines = [
        Paragraph(f"<font color='{colour.hexval()}'>{escape(title)}</font>", styles["verdict"]),
        *(Paragraph(escape(line), styles["body"]) for line in _verdict_lines(s, lang)),
    ]
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


def _verdict_cell(ind: Indicator, interim: bool, lang: str) -> str:
    return L.text(lang, "interim") if interim else L.text(lang, ind.verdict)


def indicator_table(
    indicators: tuple[Indicator, ...],
    lang: str,
    styles: dict,
    font: str,
    first_col: str = "col_indicator",
    interim: bool = False,
) -> Table:
    """Estimate, CI, one-sided bound, threshold, verdict and confidence of each indicator."""
    head = [
        L.text(lang, k)
        for k in (
            first_col,
            "col_estimate_interim" if interim else "col_estimate",
            "col_ci",
            "col_bound",
            "col_threshold",
            "col_verdict",
            "col_confidence",
        )
    ]
    rows: list[list] = [head]
    for ind in sorted(indicators, key=lambda i: INDICATOR_KEYS.index(i.key)):
        missing = ind.estimate is None
        colour = STATUS_COLOURS["insufficient_data" if interim else ind.verdict]
        verdict = escape(_verdict_cell(ind, interim, lang))
        rows.append(
            [
                Paragraph(escape(L.text(lang, ind.key)), styles["cell"]),
                # words, not a number: they wrap in the narrow column ("Insufficient data")
                Paragraph(escape(L.text(lang, "insufficient_data")), styles["cell_right"])
                if missing
                else pct(ind.estimate),
                "–" if missing else f"{pct(ind.ci_low)} – {pct(ind.ci_high)}",
                pct(ind.one_sided_bound),
                threshold_text(ind.comparator, ind.threshold),
                # in its status colour; a Paragraph, so "insufficient data" wraps in its column
                Paragraph(f'<font color="#{colour.hexval()[2:]}">{verdict}</font>', styles["cell"]),
                Paragraph(escape(confidence_text(ind, lang)), styles["cell"]),
            ]
        )
    w = CONTENT_WIDTH
    widths = [w * 0.17, w * 0.11, w * 0.17, w * 0.09, w * 0.09, w * 0.1, w * 0.27]
    return grid(rows, widths, font=font, styles=styles, align_right=(1, 3, 4))


def conclusion(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Section 1: verdict first, then the indicator table."""
    return [
        Heading(escape(L.text(lang, "s_conclusion")), styles["h1"]),
        verdict_box(s, lang, styles),
        Spacer(1, 6 * mm),
        indicator_table(s.indicators, lang, styles, fonts.text, interim=s.interim),
        Paragraph(escape(L.text(lang, "bound_note")), styles["small"]),
        *(
            Paragraph(escape(line), styles["small"])
            for line in W.icc_lines(lang, s.methods, s.indicators)
        ),
        *(Paragraph(escape(line), styles["small"]) for line in bound_lines(s, lang)),
        *(Paragraph(escape(line), styles["small"]) for line in sensitivity_lines(s, lang)),
    ]


def bound_lines(s: CountyReport, lang: str) -> list[str]:
    """What each one-sided bound is (method and design degrees of freedom)."""
    sep = "：" if lang == "zh" else ": "
    return [
        f"{L.text(lang, i.key)}{sep}{i.bound_label}"
        for i in sorted(s.indicators, key=lambda i: INDICATOR_KEYS.index(i.key))
        if i.bound_label and i.one_sided_bound is not None
    ]


def sensitivity_lines(s: CountyReport, lang: str) -> list[str]:
    """One line per error rate: the rate if every unreached household had failed.

    A rate without an estimate says the data are insufficient (not "estimated at –").
    """
    return [
        L.text(lang, f"sensitivity_{i.key}", estimate=pct(i.estimate), worst=pct(i.worst_case))
        if i.estimate is not None
        else L.text(lang, f"sensitivity_{i.key}_no_estimate", worst=pct(i.worst_case))
        for i in sorted(s.indicators, key=lambda i: INDICATOR_KEYS.index(i.key))
        if i.worst_case is not None and i.key in ("wrongful_exit_rate", "missed_rate")
    ]


def _indicator_chart(s: CountyReport, lang: str, font: str) -> list:
    inds = sorted(s.indicators, key=lambda i: INDICATOR_KEYS.index(i.key))
    charts = []
    names = [L.text(lang, i.key) for i in inds]
    label_w = label_column(names, font)
    for ind in inds:
        point = (
            None
            if ind.estimate is None
            else Point(ind.estimate, ind.ci_low, ind.ci_high, ind.confidence)
        )
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


def _household_table(c, lang: str, styles: dict, font: str):
    """Planned vs completed households: by part, village class and status (new snapshots),
    or by household type (snapshots locked before that table)."""
    t = lambda key: L.text(lang, key)  # noqa: E731
    w = CONTENT_WIDTH

    def share(planned: int, completed: int) -> str:
        return pct(completed / planned, 1) if planned else "–"

    if not c.rows:
        data = [[t(k) for k in ("col_household_type", "col_planned", "col_completed")]]
        data[0].append(t("col_completion"))
        data += [
            [
                Paragraph(escape(r.label), styles["cell"]),
                f"{r.planned:,}",
                f"{r.completed:,}",
                share(r.planned, r.completed),
            ]
            for r in c.households_by_type
        ]
        widths = [w * 0.45, w * 0.15, w * 0.15, w * 0.15]
        return grid(data, widths, font=font, styles=styles, align_right=(1, 2, 3))
    head = ["col_part", "col_village_class", "col_household_type", "col_planned"]
    data = [[t(k) for k in (*head, "col_completed", "col_completion")]]
    data += [
        [
            t(f"part_{r.part}"),
            t(f"class_{r.village_class}"),
            t(f"status_{r.status}"),
            f"{r.planned:,}",
            f"{r.completed:,}",
            share(r.planned, r.completed),
        ]
        for r in c.rows
    ]
    widths = [w * f for f in (0.2, 0.16, 0.2, 0.12, 0.12, 0.12)]
    return grid(data, widths, font=font, styles=styles, align_right=(3, 4, 5))


def _response_table(c, lang: str, styles: dict, font: str):
    t = lambda key: L.text(lang, key)  # noqa: E731
    head = ("col_group", "col_due", "col_interviewed", "col_not_reached", "col_open")
    data = [[t(k) for k in (*head, "col_response_rate")]]
    data += [
        [
            t("part_screening") if r.group == "screening" else t(f"status_{r.group}"),
            f"{r.fielded:,}",
            f"{r.interviewed:,}",
            f"{r.non_contacts:,}",
            f"{r.open:,}",
            f"{pct(r.rate, 1)} {r.definition}".strip(),
        ]
        for r in c.response
    ]
    widths = [CONTENT_WIDTH * f for f in (0.22, 0.12, 0.12, 0.12, 0.12, 0.22)]
    return grid(data, widths, font=font, styles=styles, align_right=(1, 2, 3, 4, 5))


def _reserve_table(c, lang: str, styles: dict, font: str):
    t = lambda key: L.text(lang, key)  # noqa: E731
    data = [[t(k) for k in ("col_village", "col_household_type", "col_released", "col_left")]]
    data += [
        [
            Paragraph(escape(r.village), styles["cell"]),
            t(f"status_{r.status}"),
            f"{r.released:,}",
            f"{r.available:,}",
        ]
        for r in c.reserves
    ]
    widths = [CONTENT_WIDTH * f for f in (0.35, 0.25, 0.15, 0.15)]
    return grid(data, widths, font=font, styles=styles, long=True, align_right=(2, 3))


def coverage(s: CountyReport, lang: str, styles: dict, fonts: Fonts) -> list:
    """Section 3: units sampled, households planned and completed, response, reserves."""
    t = lambda key: L.text(lang, key)  # noqa: E731
    c, font = s.coverage, fonts.text
    keys = COVERAGE_COUNTS if not c.villages_remote else (*COVERAGE_COUNTS, "villages_remote")
    units = [(t(k), f"{getattr(c, k):,}") for k in keys]
    story = [
        Heading(escape(t("s_coverage")), styles["h1"]),
        _two_columns((t("coverage_units"), t("col_count")), units, styles, font),
        Spacer(1, 5 * mm),
        _household_table(c, lang, styles, font),
        Paragraph(escape(t("coverage_note")), styles["small"]),
    ]
    if c.substitution_reasons:
        reasons = [(r, f"{n:,}") for r, n in c.substitution_reasons]
        story += [
            Spacer(1, 5 * mm),
            _two_columns((t("col_reason"), t("col_count")), reasons, styles, font),
        ]
    if c.response:
        story += [
            Heading(escape(t("response_heading")), styles["h2"], level=1),
            _response_table(c, lang, styles, font),
            Paragraph(escape(t("response_note")), styles["small"]),
        ]
    elif c.response_rates:
        rates = [(r, pct(v, 1)) for r, v in c.response_rates]
        story += [
            Spacer(1, 5 * mm),
            _two_columns((t("col_rate_label"), t("col_response_rate")), rates, styles, font),
        ]
    if c.reserves:
        story += [
            Heading(escape(t("reserves_heading")), styles["h2"], level=1),
            _reserve_table(c, lang, styles, font),
        ]
    return story


def county_story(s: CountyReport, lang: str, fonts: Fonts, *, households: bool = True) -> list:
    """Every flowable of the county report, in order; the problem list names households only
    with ``households`` (else counts by category)."""
    styles = make_styles(fonts.text, lang)
    story = cover(s, lang, styles, fonts)
    story += conclusion(s, lang, styles, fonts)
    story += charts(s, lang, styles, fonts)
    story += coverage(s, lang, styles, fonts)
    story.append(PageBreak())
    problems = problems_section if households else problem_counts_section
    story += problems(s, lang, styles, fonts)
    story += appeals_section(s, lang, styles, fonts, households=households)
    story += quality_section(s, lang, styles, fonts)
    story.append(PageBreak())
    story += methods_section(s, lang, styles, fonts)
    return story
