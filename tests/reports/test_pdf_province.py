"""The provincial summary PDF: one row per county, failing and inconclusive counties first."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
from pypdf import PdfReader

from reports.model import CountySummary
from reports.pdf import render_province_report
from reports.sample import indicator, sample_province_report


def county(name: str, verdict: str, recognition: float) -> CountySummary:
    inds = (
        indicator("poverty_incidence", 0.008, 0.003),
        indicator("wrongful_exit_rate", 0.004, 0.002),
        indicator("missed_rate", 0.002, 0.001),
        indicator("recognition_rate", recognition, 0.01),
    )
    return CountySummary(name, verdict, inds, 1500, 3)


def test_failing_and_inconclusive_counties_come_first(province, pdf_text):
    counties = (
        county("甲县", "exit_recommended", 0.95),
        county("乙县", "not_met", 0.881),
        county("丙县", "inconclusive", 0.905),
        county("丁县", "exit_recommended", 0.97),
    )
    snapshot = dataclasses.replace(province, counties=counties)
    text = pdf_text(render_province_report(snapshot))
    table = text[text.index("各县评估结果") :]
    positions = [table.index(name) for name in ("乙县", "丙县", "丁县", "甲县")]
    assert positions == sorted(positions)
    assert "88.10%" in table  # the failing county's recognition
    summary = "共 4 个县：建议同意退出 2 个，不符合退出条件 1 个，结论待定 1 个，数据不足 0 个。"
    assert summary in text


def test_forty_counties_each_get_a_row(pdf_text):
    snapshot = sample_province_report(rng=np.random.default_rng(3), counties=40)
    text = pdf_text(render_province_report(snapshot))
    assert all(c.county in text for c in snapshot.counties)
    for c in snapshot.counties:
        assert f"{c.indicator('recognition_rate').estimate * 100:.2f}%" in text


def test_province_report_is_deterministic_and_embedded(province):
    first, second = render_province_report(province), render_province_report(province)
    assert first == second
    reader = PdfReader(io.BytesIO(first))
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            descriptor = ref.get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor


def test_english_province_report(province, pdf_text):
    text = pdf_text(render_province_report(province, lang="en"))
    assert "Results by county" in text
    assert "Mass recognition" in text
    assert "SIMULATED DATA" in text
