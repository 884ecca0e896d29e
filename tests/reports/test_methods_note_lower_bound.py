"""The PDF's methods note says what "fails with 95 %" rests on and what it holds, as measured.

Since 7 December 2026 "fails with 95 %" requires the whole two-sided 95 % interval beyond the
threshold (the interval's 2.5 % end). The methods appendix (``reports.labels``
``bound_method``, both languages; the key under the indicator table, ``bound_note``, states
the rule and points there) quotes the measured share of samples whose truth lies below that
end: the range over the settings, how many exceed 5.5 %, and the confidence that leaves;
and, for contrast, what the one-sided 95 % lower bound it rested on before held. The figures
come from the tables of docs/estimation.md ("'Fails' on the interval's own end" and "The
county's side"); this test reads them and checks the note quotes them, so that a new
measurement cannot leave the report behind.
"""

from __future__ import annotations

import re
from pathlib import Path

from reports.labels import text

DOC = Path(__file__).resolve().parents[2] / "docs" / "estimation.md"


def _column(heading: str) -> list[float]:
    """Column 5 of the per-cell table (%) of the docs subsection opening with ``heading``."""
    section = DOC.read_text(encoding="utf-8").split(heading)[1].split("\n### ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| 0.")]
    return [float(re.match(r"\**([\d.]+)", row.split("|")[5].strip()).group(1)) for row in rows]


def _now() -> list[float]:
    return _column('### "Fails" on the interval\'s own end')


def _before() -> list[float]:
    return _column("### The county's side")


def _percent(value: float) -> str:
    return f"{value:g}"


def test_the_documented_tables_have_every_setting():
    for shares in (_now(), _before()):
        assert len(shares) == 32 and all(0 < s < 20 for s in shares)
    # the interval's end lies below the one-sided 95 % bound: the truth is below it less often
    assert all(now < before for now, before in zip(_now(), _before(), strict=True))


def test_the_note_quotes_the_fails_bounds_measured_range_and_failures():
    shares = _now()
    low, high = min(shares), max(shares)
    over = sum(s > 5.5 for s in shares)
    zh, en = text("zh", "bound_method"), text("en", "bound_method")
    assert "整个95%置信区间" in zh and "2.5% 端" in zh
    assert "the whole 95% interval" in en and "2.5% end" in en
    assert (
        f"{_percent(low)}%–{_percent(high)}%" in zh and f"{_percent(low)}–{_percent(high)}%" in en
    )
    assert f"{len(shares)} 种情形中 {over} 种超过 5.5%" in zh
    assert f"above 5.5% in {over} of {len(shares)} settings" in en
    confidence = f"{_percent(100 - high)}%–{_percent(100 - low)}%"
    assert confidence in zh and confidence.replace("%–", "–") in en


def test_the_note_says_what_the_bound_before_held():
    shares = _before()
    confidence = f"{_percent(100 - max(shares))}%–{_percent(100 - min(shares))}%"
    zh, en = text("zh", "bound_method"), text("en", "bound_method")
    assert "单侧95%下界" in zh and f"约 {confidence}" in zh
    assert "one-sided 95% lower bound" in en and confidence.replace("%–", "–") in en


def test_the_key_under_the_table_states_the_rule_and_points_to_the_appendix():
    zh, en = text("zh", "bound_note"), text("en", "bound_note")
    assert "单侧95%界在阈值以内为“以95%以上置信度符合”" in zh
    assert "整个95%置信区间都在阈值不利的一侧" in zh and "“以95%以上置信度不符合”" in zh
    assert f"“{text('zh', 's_methods')}”中的“{text('zh', 'bound_method_label')}”" in zh
    assert '"Meets with at least 95% confidence" when the one-sided bound is within' in en
    assert "when the whole 95% interval lies on the failing side" in en
    assert f'"{text("en", "bound_method_label")}" in "{text("en", "s_methods")}"' in en
    # the measured figures are in the appendix, not under the table
    assert "5.5%" not in zh and "5.5%" not in en
