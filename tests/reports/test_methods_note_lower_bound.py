"""The PDF's methods note says what "fails with 95 %" holds, as measured.

The note (``reports.labels`` ``bound_note``, both languages) quotes the measured share of
samples whose truth lies below the one-sided 95 % lower bound: the range over the settings and
how many exceed 5.5 %, and the confidence that leaves. The figures come from the table of
docs/estimation.md ("The county's side: the one-sided lower bound (measured)"); this test reads
that table and checks the note quotes it, so that a new measurement cannot leave the report
behind.
"""

from __future__ import annotations

import re
from pathlib import Path

from reports.labels import text

DOC = Path(__file__).resolve().parents[2] / "docs" / "estimation.md"


def _lower_bound_column() -> list[float]:
    """The per-cell "truth below the 95 % lower bound" figures (%) of the documented table."""
    section = DOC.read_text(encoding="utf-8").split("### The county's side")[1].split("\n### ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| 0.")]
    return [float(re.match(r"\**([\d.]+)", row.split("|")[5].strip()).group(1)) for row in rows]


def _percent(value: float) -> str:
    return f"{value:g}"


def test_the_documented_table_has_every_setting():
    shares = _lower_bound_column()
    assert len(shares) == 32 and all(0 < s < 20 for s in shares)


def test_the_note_quotes_the_lower_bounds_measured_range_and_failures():
    shares = _lower_bound_column()
    low, high = min(shares), max(shares)
    over = sum(s > 5.5 for s in shares)
    zh, en = text("zh", "bound_note"), text("en", "bound_note")
    assert (
        f"{_percent(low)}%–{_percent(high)}%" in zh and f"{_percent(low)}–{_percent(high)}%" in en
    )
    assert f"{len(shares)} 种情形中 {over} 种超过 5.5%" in zh
    assert f"above 5.5% in {over} of {len(shares)} settings" in en
    confidence = f"{_percent(100 - high)}%–{_percent(100 - low)}%"
    assert confidence in zh and confidence.replace("%–", "–") in en
    assert "单侧95%下界" in zh and "lower bound" in en
