"""Property tests (hypothesis) and interval checks against statsmodels' binomial intervals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from assessment import estimation as est


@st.composite
def clustered_samples(draw):
    n_psu = draw(st.integers(2, 8))
    sizes = draw(st.lists(st.integers(1, 6), min_size=n_psu, max_size=n_psu))
    psu = np.repeat(np.arange(n_psu), sizes)
    n = psu.size
    y = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=float)
    weights = np.array(draw(st.lists(st.floats(0.5, 50), min_size=n, max_size=n)))
    return psu, y, weights


@settings(max_examples=60, deadline=None)
@given(clustered_samples(), st.floats(0.01, 1000))
def test_scaling_weights_leaves_proportions_unchanged(sample, factor):
    psu, y, weights = sample
    a = est.proportion(est.make_design(weights, clusters=[psu]), y)
    b = est.proportion(est.make_design(weights * factor, clusters=[psu]), y)
    assert b.estimate == pytest.approx(a.estimate, rel=1e-9, abs=1e-12)
    assert b.se == pytest.approx(a.se, rel=1e-7, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=2, max_size=30), st.integers(1, 3))
def test_census_gives_se_zero(values, n_strata):
    y = np.array(values)
    strata = np.arange(y.size) % n_strata
    counts = np.bincount(strata)
    design = est.make_design(strata=strata, fpc=[counts[strata].astype(float)])
    for result in (est.mean(design, y), est.total(design, y)):
        assert result.se == pytest.approx(0.0, abs=1e-9 * (1 + np.abs(y).sum()))
        assert result.method == "census"
        assert result.ci_low == result.ci_high == result.estimate


@settings(max_examples=40, deadline=None)
@given(clustered_samples())
def test_interval_contains_estimate_and_bounds_match_probabilities(sample):
    psu, y, weights = sample
    design = est.make_design(weights, clusters=[psu])
    for method in ("wald-t", "korn-graubard", "wilson"):
        result = est.proportion(design, y, ci_method=method)
        assert result.ci_low <= result.estimate + 1e-12
        assert result.estimate <= result.ci_high + 1e-12
        assert result.ci_high > result.ci_low  # never zero width, even with no events
        upper = est.one_sided_bound(result, "upper", 0.95)
        # Near 0 or 1 the beta quantile saturates (a bound within 1e-9 of the edge is the
        # edge), and the bound no longer pins the probability down.
        if 1e-9 < upper < 1 - 1e-9 and result.se > 0:
            p = est.probability_within(result, upper, "<=", 0.95)
            # Bound and probability invert each other through scipy's beta/t quantiles, whose
            # round trip is good to about 1e-6 at small effective sizes.
            assert p == pytest.approx(0.95, abs=1e-5)


def _srs(y):
    return est.make_design(np.ones(y.size))


@pytest.mark.parametrize(("events", "n"), [(3, 40), (12, 50), (1, 200)])
def test_korn_graubard_is_clopper_pearson_under_srs(events, n):
    # Under SRS with replacement Var(p) = p(1-p)/(n-1), so R's effective size is n - 1 and
    # the df adjustment is 1: the interval is statsmodels' Clopper-Pearson ("beta") on n - 1.
    y = np.r_[np.ones(events), np.zeros(n - events)]
    result = est.proportion(_srs(y), y, ci_method="korn-graubard")
    p = events / n
    low, high = proportion_confint(p * (n - 1), n - 1, alpha=0.05, method="beta")
    assert result.ci_low == pytest.approx(low, rel=1e-9)
    assert result.ci_high == pytest.approx(high, rel=1e-9)


@pytest.mark.parametrize(("events", "n"), [(3, 40), (25, 50)])
def test_wilson_is_statsmodels_wilson_with_the_t_quantile(events, n):
    y = np.r_[np.ones(events), np.zeros(n - events)]
    result = est.proportion(_srs(y), y, ci_method="wilson")
    alpha = 2 * stats.norm.sf(stats.t.ppf(0.975, n - 1))  # same quantile as t on n-1 df
    low, high = proportion_confint(events / n * (n - 1), n - 1, alpha=alpha, method="wilson")
    assert result.ci_low == pytest.approx(low, rel=1e-9)
    assert result.ci_high == pytest.approx(high, rel=1e-9)


def test_zero_events_give_a_one_sided_interval_on_kish_size():
    y = np.zeros(60)
    result = est.proportion(_srs(y), y)
    assert result.method == "korn-graubard"
    assert result.ci_low == 0.0
    # Clopper-Pearson upper bound with 0 events out of n: 1 - (alpha/2)^(1/n)
    assert result.ci_high == pytest.approx(1 - 0.025 ** (1 / 60), rel=1e-9)
    assert est.one_sided_bound(result, "upper", 0.95) == pytest.approx(1 - 0.05 ** (1 / 60))
    forced = est.proportion(_srs(y), y, ci_method="wald-t")
    assert forced.ci_high > 0  # Wald would be zero width: switched to Korn-Graubard
    assert est.proportion(_srs(y), y, ci_method="wilson").ci_high > 0


def test_automatic_rule_is_documented_one():
    assert est.choose_method(0.5, 0.05, 100, bounded=True) == "wald-t"
    assert est.choose_method(0.05, 0.01, 1000, bounded=True) == "korn-graubard"
    assert est.choose_method(0.3, 0.05, 20, bounded=True) == "korn-graubard"  # 6 < 10 events
    assert est.choose_method(0.02, 0.01, 1000, bounded=False) == "wald-t"


def test_wald_probability_is_the_t_distribution():
    y = np.r_[np.ones(30), np.zeros(70)]
    result = est.proportion(_srs(y), y, ci_method="wald-t")
    expected = stats.t.cdf((0.35 - 0.3) / result.se, 99)
    assert est.probability_within(result, 0.35, "<=") == pytest.approx(expected)
    assert est.probability_within(result, 0.35, ">=") == pytest.approx(1 - expected)


def test_errors_name_the_argument():
    design = est.make_design(np.ones(4))
    with pytest.raises(ValueError, match="lonely_psu"):
        est.make_design(np.ones(4), lonely_psu="collapse")
    with pytest.raises(ValueError, match="y must be 0/1"):
        est.proportion(design, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="ci_method"):
        est.mean(design, [1.0, 2, 3, 4], ci_method="korn-graubard")
    with pytest.raises(ValueError, match="missing"):
        est.mean(design, [1.0, np.nan, 3, 4])
    with pytest.raises(ValueError, match="fpc"):
        est.make_design(fpc=[np.array([2.0, 2.0, 1.0])], clusters=[np.array([1, 2, 3])])
    with pytest.raises(ValueError, match="comparator"):
        est.probability_within(est.mean(design, [1.0, 2, 3, 4]), 2.0, "==")


def test_domain_keeps_the_design_not_a_subset():
    # A domain in one PSU of a stratum: zeros elsewhere keep the stratum's 2 PSUs, so the
    # variance is that of the PSU totals (t, 0), not undefined as a subset would make it.
    y = np.array([1.0, 2.0, 3.0, 4.0])
    design = est.make_design(np.ones(4), clusters=[np.array([1, 1, 2, 2])])
    result = est.total(design, y, domain=np.array([True, True, False, False]))
    assert result.estimate == 3.0
    assert result.se == pytest.approx(np.sqrt(2 * ((3 - 1.5) ** 2 + (0 - 1.5) ** 2)))


def test_cores_stay_pure():
    import subprocess
    import sys

    code = (
        "import sys, assessment.estimation, assessment.indicators;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('pyramid', 'sqlalchemy', 'wtforms', 'transaction')]; print(bad)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
