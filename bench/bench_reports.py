"""Benchmark the PDF reports against a plain reportlab document of the same page count.

Run: .venv/bin/python bench/bench_reports.py
Targets (issue 6): a county report with 3,000 interviews and 300 problem households under
3 s; a provincial summary of 40 counties under 10 s.
"""

from __future__ import annotations

import io
import statistics
import time

import numpy as np
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from reports.pdf import render_county_report, render_province_report
from reports.sample import sample_county_report, sample_province_report

LINE = "The quick brown fox jumps over the lazy dog. " * 4


def plain_document(pages: int) -> bytes:
    """A plain reportlab document: ``pages`` pages of 14 paragraphs of Latin text."""
    styles = getSampleStyleSheet()
    story = []
    for _ in range(pages):
        story += [Paragraph(LINE, styles["BodyText"]) for _ in range(14)]
        story.append(PageBreak())
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story[:-1])
    return out.getvalue()


def timed(func, repeat: int = 3) -> tuple[float, bytes]:
    """Median wall time of ``repeat`` calls, and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def compare(name: str, render, target: float) -> None:
    cold_start = time.perf_counter()
    render()
    cold = time.perf_counter() - cold_start
    seconds, pdf = timed(render)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    plain_seconds, plain = timed(lambda: plain_document(pages))
    assert len(PdfReader(io.BytesIO(plain)).pages) == pages
    verdict = "OK" if seconds < target else "OVER TARGET"
    print(
        f"{name}: {seconds:.2f} s (first call {cold:.2f} s), {pages} pages, "
        f"{len(pdf) / 1024:.0f} KiB | plain reportlab, {pages} pages: {plain_seconds:.2f} s | "
        f"ratio {seconds / plain_seconds:.1f}x | target < {target:.0f} s: {verdict}"
    )


def main() -> None:
    county = sample_county_report(
        rng=np.random.default_rng(2019), problems=300, interviews=3000, townships=14
    )
    province = sample_province_report(rng=np.random.default_rng(2019), counties=40)
    compare(
        "county report, 3,000 interviews, 300 problems", lambda: render_county_report(county), 3.0
    )
    compare("provincial summary, 40 counties", lambda: render_province_report(province), 10.0)


if __name__ == "__main__":
    main()
