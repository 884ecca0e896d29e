"""A reader can check each confidence statement against the figures the report prints.

"Meets with 95 %" when the printed one-sided 95 % bound is within the threshold; "fails with
95 %" when the whole printed two-sided 95 % interval lies beyond it (its lower end above the
line for the three rates, its upper end below it for recognition); 不确定 otherwise. The core
(``verdicts.judge``) decides on unclipped bounds; the report and ``assess indicators --json``
print the snapshot's figures (``reports.snapshots``: clipped to 0-1 and around the estimate).
These tests take the core's results over a grid of estimates through the snapshot and the
JSON and check the rule on what is printed, for every statement the grid reaches.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from assessment import estimation as est
from assessment.estimation import intervals
from assessment.indicators.model import Scheme
from assessment.indicators.verdicts import judge
from reports.commands import indicators_json
from reports.snapshots import _indicator
from tests.assessment.test_rare_rate_wilson_z import _estimate as wilson_model_estimate

RATES = Scheme(0.03, 0.02, 0.02, 0.90)


def _rare(p: float) -> est.Estimate:
    """A ``wilson-model`` estimate on the effective size 600 / 1.5 = 400, 28 design df, with
    its own two-sided 95 % interval (the one the snapshot prints)."""
    e = wilson_model_estimate(p, 600.0, 1.5)
    low, high = intervals.interval(
        e.method, p, e.se, n=e.n, df=e.df, n_kish=e.n_kish, level=0.95, df_eff=e.df_eff,
        n_event=e.n_event, deff_model=e.deff_model,
    )  # fmt: skip
    return replace(e, ci_low=low, ci_high=high)


def _wald(value: float, se: float, df: int = 30) -> est.Estimate:
    """A ``wald-t`` estimate (recognition's interval) with its two-sided 95 % interval."""
    low, high = intervals.interval("wald-t", value, se, n=400, df=df, n_kish=400, level=0.95)
    return est.Estimate(
        "ratio", value, se, low, high, df, 1.0, 400, 400, 31, 1e4, "wald-t", 0.95, None, 400,
    )  # fmt: skip


def expected_confidence(key: str, printed: dict) -> str:
    """The statement the documented rule gives for these printed figures (JSON keys)."""
    threshold, bound = printed["threshold"], printed["one_sided_bound"]
    if key == "recognition_rate":
        meets, fails = bound >= threshold, printed["ci_high"] < threshold
    else:
        meets, fails = bound <= threshold, printed["ci_low"] > threshold
    return "meets" if meets else "fails" if fails else "inconclusive"


def _printed(results) -> dict:
    """The ``indicators`` object of ``assess indicators --json`` for these results."""
    snap = SimpleNamespace(
        verdict="insufficient_data",
        fieldwork=None,
        coverage=SimpleNamespace(response=()),
        methods=SimpleNamespace(rare_rate_icc=()),
        indicators=tuple(_indicator(r) for r in results),
    )
    return indicators_json(snap)["indicators"]


RATE_GRID = np.round(np.arange(0.0, 0.08, 0.0011), 4).tolist()
RECOGNITION_GRID = np.round(np.arange(0.80, 0.99, 0.004), 3).tolist()


@pytest.mark.parametrize("key", ["wrongful_exit_rate", "missed_rate"])
def test_the_rates_statements_follow_the_printed_figures(key):
    seen = set()
    for p in RATE_GRID:
        printed = _printed([judge(key, _rare(p), RATES)])[key]
        assert printed["confidence"] == expected_confidence(key, printed), (p, printed)
        seen.add(printed["confidence"])
    assert seen == {"meets", "fails", "inconclusive"}


def test_recognitions_statements_follow_the_printed_figures():
    seen = set()
    for value in RECOGNITION_GRID:
        result = judge("recognition_rate", _wald(value, 0.015), RATES)
        printed = _printed([result])["recognition_rate"]
        expected = expected_confidence("recognition_rate", printed)
        assert printed["confidence"] == expected, (value, printed)
        seen.add(printed["confidence"])
    assert seen == {"meets", "fails", "inconclusive"}


def test_poverty_incidence_through_its_pivot_follows_the_printed_figures():
    # the incidence is base + slope × pivot (the county's registered share and the sample's
    # rates); its bounds are taken on the pivot and mapped back, as estimate_county does
    seen = set()
    for p in RATE_GRID:
        pivot = _rare(p)
        base, slope = 0.004, 0.6
        mapped = est.Estimate(
            "ratio", base + slope * pivot.estimate, slope * pivot.se,
            base + slope * pivot.ci_low, base + slope * pivot.ci_high, pivot.df, 1.0, 600, 600,
            31, 1e4, "wilson-model", 0.95, None, 600,
        )  # fmt: skip
        result = judge("poverty_incidence", mapped, RATES, pivot=pivot, base=base, slope=slope)
        printed = _printed([result])["poverty_incidence"]
        expected = expected_confidence("poverty_incidence", printed)
        assert printed["confidence"] == expected, (p, printed)
        seen.add(printed["confidence"])
    assert seen == {"meets", "fails", "inconclusive"}
