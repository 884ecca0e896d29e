"""The county evaluation PDF: content, determinism, fonts, outline, languages."""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from reports.fonts import ReportFontError
from reports.pdf import render_county_report

STANDARD_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}


def fonts_of(data: bytes) -> list[dict]:
    """Every font dictionary used by any page (descending into Type0 fonts)."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            for f in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                found[f["/BaseFont"]] = f
    return list(found.values())


def test_text_holds_the_indicator_values_and_intervals(make_county, pdf_text):
    text = pdf_text(render_county_report(make_county()))
    # Jinggangshan's worked example (domain.md §8): 0.41%, CI 0.27-0.59%; 930/1000 -> 93.00%.
    for shown in (
        "0.41%",
        "0.27%",
        "0.59%",
        "93.00%",
        "91.20%",
        "94.50%",
        "1.60%",
        "1.12%",
        "2.08%",
        "≤ 2.00%",
        "≥ 90.00%",
    ):
        assert shown in text
    for name in ("综合贫困发生率", "错退率", "漏评率", "群众认可度"):
        assert name in text


def test_verdict_box_names_inconclusive_items(make_county, pdf_text):
    text = pdf_text(render_county_report(make_county(verdict="inconclusive")))
    assert "不能以95%置信度判定的指标：综合贫困发生率" in text
    assert "概率 97.3%" in text


def test_every_problem_household_is_listed(make_county, pdf_text):
    snapshot = make_county(problems=120)
    text = pdf_text(render_county_report(snapshot))
    missing = [p.household_id for p in snapshot.problems if p.household_id not in text]
    assert missing == []
    assert "共发现问题户 120 户：错退 40 户，漏评 40 户，不认可 40 户。" in text


def test_page_count_grows_with_the_problem_list(make_county):
    pages = {
        n: len(PdfReader(io.BytesIO(render_county_report(make_county(problems=n)))).pages)
        for n in (10, 400)
    }
    assert pages[400] >= pages[10] + 10  # ~30 rows a page: 390 more rows need 10+ pages


def test_problem_table_header_repeats_on_every_page(make_county):
    reader = PdfReader(io.BytesIO(render_county_report(make_county(problems=400))))
    table_pages = [p.extract_text() for p in reader.pages if "HH-" in p.extract_text()]
    assert len(table_pages) > 5
    assert all("户编号" in text and "调查员说明" in text for text in table_pages)


def test_same_snapshot_gives_identical_bytes(make_county):
    snapshot = make_county(problems=30)
    assert render_county_report(snapshot) == render_county_report(snapshot)


def test_creation_date_comes_from_the_snapshot(make_county):
    created = datetime(2020, 11, 6, 18, 5, 9, tzinfo=timezone(timedelta(hours=8)))
    data = render_county_report(make_county(created=created))
    info = PdfReader(io.BytesIO(data)).metadata
    assert info["/CreationDate"] == "D:20201106180509+08'00'"
    assert data != render_county_report(make_county())


def test_document_metadata(make_county):
    info = PdfReader(io.BytesIO(render_county_report(make_county()))).metadata
    assert info.title == "贵州省示范县 贫困县退出专项评估检查报告"
    assert info.author == "某大学第三方评估中心"
    assert "2019" in info.subject


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_font_is_embedded_truetype(make_county, lang):
    fonts = fonts_of(render_county_report(make_county(problems=20), lang=lang))
    assert fonts
    for font in fonts:
        name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
        assert name not in STANDARD_14
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name


def test_outline_has_an_entry_per_section(make_county):
    reader = PdfReader(io.BytesIO(render_county_report(make_county(problems=30))))
    top = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert top == ["一、评估结论", "二、指标图示", "三、样本覆盖", "四、问题清单", "附录 方法说明"]


def test_running_header_and_page_numbers(make_county):
    reader = PdfReader(io.BytesIO(render_county_report(make_county(problems=60))))
    for number, page in enumerate(reader.pages[1:], 2):
        text = page.extract_text()
        assert f"第 {number} 页" in text
        assert "贵州省 示范县 · 贫困县退出专项评估检查报告" in text


def test_simulated_data_is_marked_on_cover_and_every_page(make_county):
    reader = PdfReader(io.BytesIO(render_county_report(make_county(simulated=True))))
    assert all("模拟数据" in page.extract_text() for page in reader.pages)
    real = PdfReader(io.BytesIO(render_county_report(make_county(simulated=False))))
    assert not any("模拟数据" in page.extract_text() for page in real.pages)


def test_draft_watermark_until_signed_off(make_county):
    draft = PdfReader(io.BytesIO(render_county_report(make_county())))
    signed = PdfReader(io.BytesIO(render_county_report(make_county(signed_off=True))))
    assert all("草稿" in page.extract_text() for page in draft.pages)
    assert not any("草稿" in page.extract_text() for page in signed.pages)


def test_english_report_labels(make_county, pdf_text):
    text = pdf_text(render_county_report(make_county(problems=5), lang="en"))
    for words in (
        "1. Conclusion",
        "Wrongful-exit rate",
        "Mass recognition",
        "95% CI",
        "Problem list",
        "Appendix: Methods",
        "assess verify-draw",
        "Page 2",
        "0.41%",
    ):
        assert words in text
    assert "错退率" not in text


def test_methods_appendix_shows_how_to_verify_the_draw(make_county, pdf_text):
    snapshot = make_county()
    text = pdf_text(render_county_report(snapshot))
    flowing = " ".join(text.split())  # the command may wrap onto a second line
    assert f"assess verify-draw {snapshot.methods.plan_id}" in flowing
    assert snapshot.methods.frame_hash in text.replace("\n", "")
    assert snapshot.methods.instrument_version in text


def test_missing_font_names_the_setting(make_county, tmp_path):
    with pytest.raises(ReportFontError, match=r"reports\.font_path"):
        render_county_report(make_county(), font_path=tmp_path / "no-such-font.ttf")


def test_unusable_font_names_the_setting(make_county, tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(ReportFontError, match=r"reports\.font_path"):
        render_county_report(make_county(), font_path=bogus)


def test_unknown_language_is_rejected(make_county):
    with pytest.raises(ValueError, match="lang"):
        render_county_report(make_county(), lang="fr")


def test_snapshot_rejects_percentages(make_county):
    indicator = make_county().indicators[0]
    with pytest.raises(ValueError, match="estimate"):
        dataclasses.replace(indicator, estimate=1.6)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_readers_copy_counts_problems_without_household_identities(make_county, pdf_text, lang):
    snapshot = make_county(problems=30)
    reader_copy = pdf_text(render_county_report(snapshot, lang=lang, households=False))
    full = pdf_text(render_county_report(snapshot, lang=lang))
    for p in snapshot.problems:
        assert p.household_id in full
        assert p.household_id not in reader_copy
    assert "收入不稳定" in full and "收入不稳定" not in reader_copy  # the assessors' notes
    assert "村1" in full and "村1" not in reader_copy  # villages (names 村0 ... 村22)
    # 30 problems: 10 of each kind; kinds cycle with standards (income) or (income, housing).
    if lang == "en":
        assert "30 problem households: 10 wrongly exited, 10 missed" in reader_copy
        assert "Wrongly exited households: Income 10" in reader_copy.replace("\n", " ")
        assert "Missed households: Housing 5" in reader_copy.replace("\n", " ")
    else:
        assert "共发现问题户 30 户：错退 10 户，漏评 10 户，不认可 10 户" in reader_copy
        assert "错退户：收入 10" in reader_copy.replace("\n", " ")
        assert "不认可户：" not in reader_copy


def test_reports_rendered_in_parallel_threads_are_the_same_as_alone(make_county):
    """reportlab's fonts hold per-document state: parallel builds must not mix it up."""
    import threading

    snapshots = [make_county(problems=n) for n in (40, 60, 80, 100)]
    alone = [render_county_report(s) for s in snapshots]
    results: list = [None] * 8
    barrier = threading.Barrier(8)

    def render(i):
        barrier.wait()
        try:
            results[i] = render_county_report(snapshots[i % 4])
        except Exception as exc:  # reported by the assertion
            results[i] = exc

    threads = [threading.Thread(target=render, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == alone + alone


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ("判定所需样本量", "n ÷ 设计效应", "错退率估计")),
        ("en", ("Sample size for the decision", "n / design effect", "earlier fieldwork")),
    ],
)
def test_methods_appendix_says_the_decision_size_counts_a_design_effect(
    make_county, pdf_text, lang, words
):
    flowing = "".join(pdf_text(render_county_report(make_county(), lang=lang)).split())
    for phrase in words:
        assert "".join(phrase.split()) in flowing


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ("Kish 有效样本量", "村级设计效应", "单侧95%置信上界", "区间必含单侧界")),
        (
            "en",
            (
                "Kish's effective sample size",
                "village design effect",
                "upper bound",
                "always contains the bound",
            ),
        ),
    ],
)
def test_report_says_what_the_one_sided_bound_is(make_county, pdf_text, lang, words):
    flowing = "".join(pdf_text(render_county_report(make_county(), lang=lang)).split())
    for phrase in words:
        assert "".join(phrase.split()) in flowing


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_text_of_the_indicator_table_runs_past_its_column(lang):
    """A plain string does not wrap: wider than its column, it overprints its neighbour (as
    "Insufficient data" did over "Missed-identification rate" in the English interim PDF)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    from reports.model import Indicator
    from reports.pdf_base import load_fonts, make_styles
    from reports.pdf_county import indicator_table

    font = load_fonts(None).text
    styles = make_styles(font, lang)
    common = {"threshold": 0.02, "comparator": "<="}
    indicators = (
        Indicator(
            "missed_rate",
            None,
            None,
            None,
            verdict="insufficient_data",
            confidence="insufficient_data",
            **common,
        ),
        Indicator(
            "wrongful_exit_rate",
            0.0123,
            0.004,
            0.031,
            verdict="meets",
            confidence="inconclusive",
            prob_within=0.71,
            one_sided_bound=0.027,
            **common,
        ),
    )
    for interim in (False, True):
        table = indicator_table(indicators, lang, styles, font, interim=interim)
        widths = table._argW
        for row in table._cellvalues[1:]:
            for cell, width in zip(row, widths, strict=True):
                room = width - 8  # the grid's left and right padding
                if isinstance(cell, Paragraph):
                    assert cell.wrap(room, 1000)[0] <= room + 0.01
                else:
                    assert stringWidth(str(cell), font, 8) <= room, (lang, cell)


@pytest.mark.parametrize(
    ("lang", "plain", "dash"),
    [
        ("zh", "数据不足，错退率无法估计", "估计为–"),
        ("en", "insufficient data to estimate the wrongful-exit rate", "estimated at –"),
    ],
)
def test_sensitivity_line_of_a_rate_without_estimate_says_data_are_insufficient(
    make_county, pdf_text, lang, plain, dash
):
    """The worst case can exist when the rate itself cannot be estimated (every reached
    household still open, say): the line says so plainly, never "estimated at –"."""
    county = make_county()
    indicators = tuple(
        dataclasses.replace(
            i,
            estimate=None,
            ci_low=None,
            ci_high=None,
            one_sided_bound=None,
            verdict="insufficient_data",
            confidence="insufficient_data",
            prob_within=None,
            worst_case=0.375,
        )
        if i.key == "wrongful_exit_rate"
        else dataclasses.replace(i, worst_case=0.04)
        if i.key == "missed_rate"
        else i
        for i in county.indicators
    )
    text = pdf_text(
        render_county_report(dataclasses.replace(county, indicators=indicators), lang=lang)
    )
    flowing = " ".join(text.split())
    squeezed = "".join(text.split())
    assert "".join(plain.split()) in squeezed
    assert "37.50%" in flowing
    assert "".join(dash.split()) not in squeezed
    # the rate that has an estimate keeps its sentence with the estimate
    missed = next(i for i in county.indicators if i.key == "missed_rate")
    assert f"{missed.estimate * 100:.2f}%" in flowing
    assert "4.00%" in flowing
