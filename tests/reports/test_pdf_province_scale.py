"""The provincial summary of a large province (90 counties): every county in the table with
its verdict and intervals, those without a plan or data listed as such, and charts that
stay readable (rows of fixed height, at most one page per chart)."""

from __future__ import annotations

import dataclasses
import subprocess

import numpy as np
import pytest

from assessment.indicators import INDICATORS
from reports import charts
from reports.model import CountySummary
from reports.pdf import render_province_report
from reports.pdf_base import MARGIN_BOTTOM, MARGIN_TOP, PAGE_HEIGHT
from reports.pdf_province import county_charts, ordered_counties
from reports.sample import sample_province_report
from reports.snapshots import _insufficient

RULES = {
    "poverty_incidence": (0.02, "<"),
    "wrongful_exit_rate": (0.02, "<="),
    "missed_rate": (0.02, "<="),
    "recognition_rate": (0.90, ">="),
}


class Rules:
    def rule(self, key):
        return RULES[key]


def without_data(name: str, state: str) -> CountySummary:
    inds = tuple(_insufficient(k, Rules()) for k in INDICATORS)
    return CountySummary(name, "insufficient_data", inds, state=state)


@pytest.fixture(scope="module")
def large():
    snap = sample_province_report(rng=np.random.default_rng(11), counties=86)
    extra = (
        without_data("未抽样县甲", "no_plan"),
        without_data("未抽样县乙", "no_plan"),
        without_data("无框县丙", "no_frame"),
        without_data("无数据县丁", "no_interviews"),
    )
    return dataclasses.replace(snap, counties=snap.counties + extra)


@pytest.fixture(scope="module")
def pages(large, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "province.pdf"
    path.write_bytes(render_province_report(large))
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout.split("\f")


def test_every_county_has_a_row_with_its_verdict_and_interval(large, pages):
    text = "\n".join(pages)
    table = text[text.index("各县评估结果") : text.index("各县指标图示")]
    assert len(large.counties) == 90
    for c in large.counties:
        assert c.county in table
        recognition = c.indicator("recognition_rate")
        if recognition.estimate is not None:
            low, high = recognition.ci_low * 100, recognition.ci_high * 100
            assert f"{recognition.estimate * 100:.2f}%" in table
            assert f"{low:.2f}%–{high:.2f}%" in table
    # Counties without plan or data are listed, with why, in the verdict column.
    assert table.count("未抽样") >= 2 and "无抽样框" in table and "尚无审核通过的问卷" in table
    tally = {
        v: sum(c.verdict == v for c in large.counties) for v in ("not_met", "insufficient_data")
    }
    assert f"不符合退出条件 {tally['not_met']} 个" in text
    assert f"数据不足 {tally['insufficient_data']} 个" in text


def test_the_charts_split_into_pages_of_45_counties_each_on_one_page(large, pages):
    ordered = ordered_counties(large.counties)
    drawings = county_charts(ordered, "zh", "Helvetica")
    assert len(drawings) == 2
    frame_height = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    for drawing in drawings:
        # One row per county at a fixed, legible height: the chart fits its page.
        assert drawing.height <= frame_height
    assert charts.ROW_HEIGHT >= 12
    start = next(i for i, p in enumerate(pages) if "各县指标图示" in p)
    chart_pages = [p for p in pages[start:] if p.strip()]
    # The chart pages hold the counties in order, 45 by 45: the row labels begin the lines.
    labels = [[line.split()[0] for line in p.splitlines() if line.strip()] for p in chart_pages]
    names = {c.county for c in ordered}
    rows = [[word for word in page if word in names] for page in labels]
    assert [len(r) for r in rows] == [45, 45]
    assert rows[0] + rows[1] == [c.county for c in ordered]
