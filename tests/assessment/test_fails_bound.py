""" "Fails with at least 95 % confidence" rests on the two-sided 95 % interval's far end.

The statement is made when the whole two-sided 95 % interval lies on the failing side of the
threshold: above it for the three rates, below it for recognition. The one-sided 95 % lower
bound it rested on before was measured too liberal for the rare rates (docs/estimation.md,
"The county's side"); "meets" still rests on the one-sided 95 % bound on the threshold's side.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from assessment import estimation as est
from assessment import indicators as ind
from assessment.indicators.model import Confidence, Scheme
from assessment.indicators.verdicts import fails_level, judge
from tests.assessment.test_indicators import COUNTY, SCHEME, _sample
from tests.assessment.test_rare_rate_wilson_z import _by_hand
from tests.assessment.test_rare_rate_wilson_z import _estimate as wilson_model_estimate

RATES = Scheme(0.02, 0.02, 0.02, 0.90)


def _wilson_model(p: float) -> est.Estimate:
    """A ``wilson-model`` estimate on the effective size 600 / 1.5 = 400, 28 design df."""
    return wilson_model_estimate(p, 600.0, 1.5)


def _wald(value: float, se: float, df: int = 30) -> est.Estimate:
    return est.Estimate(
        "ratio", value, se, value - 2 * se, value + 2 * se, df, 1.0, 400, 400, 31, 1e4,
        "wald-t", 0.95, None, 400,
    )  # fmt: skip


def test_the_level_is_the_two_sided_intervals_end():
    assert fails_level(0.95) == pytest.approx(0.975)
    assert fails_level(0.90) == pytest.approx(0.95)


@pytest.mark.parametrize("indicator", ["wrongful_exit_rate", "missed_rate"])
def test_a_rate_whose_one_sided_95_bound_clears_the_threshold_but_not_its_interval(indicator):
    # 3.3 % on 400 effective persons, t(28): Wilson's 95 % lower end 2.08 % (above 2 %: the
    # old "fails"), its 97.5 % end 1.90 % (the interval reaches below 2 %: not "fails")
    e = _wilson_model(0.033)
    one_sided = _by_hand(0.033, 400.0, stats.t.ppf(0.95, 28))[0]
    interval_end = _by_hand(0.033, 400.0, stats.t.ppf(0.975, 28))[0]
    assert one_sided > 0.02 > interval_end

    result = judge(indicator, e, RATES)

    assert result.lower_bound == pytest.approx(one_sided, rel=1e-9)
    assert result.fails_bound == pytest.approx(interval_end, rel=1e-9)
    assert result.confidence == Confidence.INCONCLUSIVE
    assert result.probability_within < 0.05  # below 5 %, not below 2.5 %


def test_a_rate_whose_whole_interval_lies_above_the_threshold_fails():
    # 3.6 % on 400: the interval's lower end 2.12 % > 2 %
    result = judge("wrongful_exit_rate", _wilson_model(0.036), RATES)
    assert result.fails_bound == pytest.approx(
        _by_hand(0.036, 400.0, stats.t.ppf(0.975, 28))[0], rel=1e-9
    )
    assert result.fails_bound > 0.02
    assert result.confidence == Confidence.FAILS


def test_recognition_fails_only_when_its_whole_interval_lies_below_the_line():
    # Wald t(30): 87 % ± 1.697 × 1.5 % one-sided puts the upper bound at 89.55 % (< 90 %) but
    # the interval's upper end 87 % + 2.042 × 1.5 % = 90.06 % reaches the line
    straddling = judge("recognition_rate", _wald(0.87, 0.015), RATES)
    assert straddling.upper_bound < 0.90 < straddling.fails_bound
    assert straddling.fails_bound == pytest.approx(0.87 + stats.t.ppf(0.975, 30) * 0.015)
    assert straddling.confidence == Confidence.INCONCLUSIVE

    below = judge("recognition_rate", _wald(0.86, 0.015), RATES)  # upper end 89.06 %
    assert below.fails_bound < 0.90
    assert below.confidence == Confidence.FAILS


@pytest.mark.parametrize("p", np.round(np.arange(0.001, 0.08, 0.0017), 4).tolist())
def test_fails_exactly_when_the_probability_within_is_under_two_and_a_half_percent(p):
    # the score pivot is continuous: the bound at 97.5 % clears 2 % exactly when the
    # probability that the truth is within 2 % is below 2.5 %
    result = judge("wrongful_exit_rate", _wilson_model(p), RATES)
    if abs(result.probability_within - 0.025) > 1e-9:
        assert (result.confidence == Confidence.FAILS) == (result.probability_within < 0.025)
    assert (result.confidence == Confidence.MEETS) == (result.probability_within >= 0.95)


def test_on_a_county_the_bound_is_the_reported_intervals_far_end():
    # the estimates of a real (small) sample: each indicator's "fails" bound is the end of the
    # interval the report prints, computed there by another route (intervals.interval)
    result = ind.estimate_county(_sample(), COUNTY, SCHEME)
    for name in ("wrongful_exit_rate", "missed_rate", "poverty_incidence"):
        r = result[name]
        assert math.isfinite(r.ci_low)
        assert r.fails_bound == pytest.approx(r.ci_low, rel=1e-12, abs=1e-15)
    recognition = result["recognition_rate"]
    assert recognition.fails_bound == pytest.approx(recognition.ci_high, rel=1e-12)
    assert result["wrongful_exit_rate"].as_dict()["fails_bound"] == pytest.approx(
        result["wrongful_exit_rate"].ci_low
    )


def test_without_an_estimate_there_is_no_bound():
    result = judge("wrongful_exit_rate", None, RATES)
    assert math.isnan(result.fails_bound)
    assert result.as_dict()["fails_bound"] is None
