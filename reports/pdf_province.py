"""The provincial summary: one row per county, failing and inconclusive counties first (PURE)."""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from reports import labels as L
from reports.charts import Panel, Point, dot_chart
from reports.model import INDICATOR_KEYS, CountySummary, ProvinceReport
from reports.pdf_base import CONTENT_WIDTH, STATUS_COLOURS, Fonts, Heading, escape, make_styles, pct
from reports.pdf_county import VERDICT_STATUS, cover_story, legend_words
from reports.tables import grid, threshold_text
from reports.wording import institution_text, version_text

VERDICT_ORDER = {"not_met": 0, "inconclusive": 1, "exit_recommended": 2, "insufficient_data": 3}
SHORT_VERDICT = {
    "zh": {
        "exit_recommended": "建议同意退出",
        "not_met": "不符合退出条件",
        "inconclusive": "待定",
        "insufficient_data": "数据不足",
    },
    "en": {
        "exit_recommended": "Exit recommended",
        "not_met": "Not met",
        "inconclusive": "Inconclusive",
        "insufficient_data": "Insufficient data",
    },
}


def ordered_counties(counties: tuple[CountySummary, ...]) -> list[CountySummary]:
    """Counties that fail first, then inconclusive ones, recommended ones, and those with
    insufficient data last; by name within."""
    return sorted(counties, key=lambda c: (VERDICT_ORDER[c.verdict], c.county))


def _cover(s: ProvinceReport, lang: str, styles: dict, fonts: Fonts) -> list:
    t = lambda key: L.text(lang, key)  # noqa: E731
    pairs = [
        (t("scheme"), s.scheme),
        (t("year"), str(s.year)),
        (t("province"), s.province),
        (t("institution"), institution_text(lang, s.institution)),
        (t("version"), version_text(lang, s.version)),
        (t("report_date"), s.report_date.isoformat()),
        (t("status"), t("signed_off") if s.signed_off else t("draft_note")),
    ]
    return cover_story(
        s.province,
        t("title_province"),
        f"{s.scheme} · {s.year}",
        pairs,
        simulated=s.simulated,
        lang=lang,
        styles=styles,
        fonts=fonts,
    )


def _cell(county: CountySummary, key: str, styles: dict) -> Paragraph | str:
    ind = county.indicator(key)
    if ind is None or ind.estimate is None:
        return "–"
    colour = STATUS_COLOURS[ind.confidence].hexval()
    return Paragraph(
        f"<font color='{colour}'>{pct(ind.estimate)}</font><br/>"
        f"<font size='6.5'>{pct(ind.ci_low)}–{pct(ind.ci_high)}</font>",
        styles["cell"],
    )


def _verdict_cell(c: CountySummary, lang: str, styles: dict) -> Paragraph:
    """The short verdict, with 临界, and for 数据不足 why (and the fieldwork's progress)."""
    words = escape(SHORT_VERDICT[lang][c.verdict])
    if c.borderline and c.verdict != "insufficient_data":
        words += escape(f" · {L.text(lang, 'borderline')}")
    if c.verdict == "insufficient_data":
        note = L.text(lang, f"short_state_{c.state}")
        if c.interim and c.planned:
            note += f" {c.resolved}/{c.planned}"
        words += f"<br/><font size='6.5'>{escape(note)}</font>"
    return Paragraph(words, styles["cell"])


def county_table(counties: list[CountySummary], lang: str, styles: dict, font: str):
    """The summary table: verdict and the four indicators (estimate, CI) per county."""
    head = [L.text(lang, "col_county"), L.text(lang, "col_verdict")]
    head += [L.text(lang, k) for k in INDICATOR_KEYS]
    head += [L.text(lang, "col_interviews"), L.text(lang, "col_problems")]
    rows: list[list] = [head]
    extra = []
    for r, c in enumerate(counties, 1):
        rows.append(
            [
                Paragraph(escape(c.county), styles["cell"]),
                _verdict_cell(c, lang, styles),
                *(_cell(c, k, styles) for k in INDICATOR_KEYS),
                f"{c.interviews_completed:,}",
                f"{c.problems:,}",
            ]
        )
        extra.append(("TEXTCOLOR", (1, r), (1, r), STATUS_COLOURS[VERDICT_STATUS[c.verdict]]))
    w = CONTENT_WIDTH
    widths = [w * 0.13, w * 0.15] + [w * 0.14] * 4 + [w * 0.08, w * 0.08]
    return grid(rows, widths, font=font, styles=styles, long=True, align_right=(6, 7), extra=extra)


def _reference(counties: list[CountySummary], key: str):
    """The most common threshold and comparator of ``key`` across counties."""
    found = [(i.threshold, i.comparator) for c in counties if (i := c.indicator(key))]
    return Counter(found).most_common(1)[0][0] if found else None


def county_charts(counties: list[CountySummary], lang: str, font: str, chunk: int = 45):
    """Dot charts of the four indicators across counties (own status colour per county)."""
    drawings = []
    for start in range(0, len(counties), chunk):
        part = counties[start : start + chunk]
        panels = []
        for key in INDICATOR_KEYS:
            ref = _reference(counties, key)
            if ref is None:
                continue
            points = tuple(
                None
                if (i := c.indicator(key)) is None or i.estimate is None
                else Point(i.estimate, i.ci_low, i.ci_high, i.confidence)
                for c in part
            )
            title = f"{L.text(lang, key)} {threshold_text(ref[1], ref[0])}"
            panels.append(Panel(title, ref[0], ref[1], points))
        drawings.append(
            dot_chart(
                [c.county for c in part],
                panels,
                font=font,
                width=CONTENT_WIDTH,
                legend=legend_words(lang),
            )
        )
    return drawings


def province_story(s: ProvinceReport, lang: str, fonts: Fonts) -> list:
    """Every flowable of the provincial summary, in order."""
    styles = make_styles(fonts.text, lang)
    counties = ordered_counties(s.counties)
    tally = Counter(c.verdict for c in counties)
    summary = L.text(
        lang,
        "province_summary",
        n=len(counties),
        ok=tally["exit_recommended"],
        bad=tally["not_met"],
        unk=tally["inconclusive"],
        ins=tally["insufficient_data"],
    )
    story = _cover(s, lang, styles, fonts)
    story += [
        Heading(escape(L.text(lang, "s_counties")), styles["h1"]),
        Paragraph(escape(summary), styles["body"]),
        Spacer(1, 3 * mm),
        county_table(counties, lang, styles, fonts.text),
        PageBreak(),
        Heading(escape(L.text(lang, "s_county_chart")), styles["h1"]),
        Paragraph(escape(L.text(lang, "province_chart_note")), styles["small"]),
    ]
    story += county_charts(counties, lang, fonts.text)
    return story
