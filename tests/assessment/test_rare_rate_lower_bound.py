"""``bench/sim_rare_rates.py``: the truth below the bound "fails with 95 %" rests on.

"Fails with 95 % confidence" for 错退率 or 漏评率 rests on the bound the verdict code takes
(:func:`assessment.indicators.verdicts.fails_bound`: since 7 December 2026 the two-sided 95 %
interval's lower end; before, the one-sided 95 % lower bound); the county's risk is the share
of samples whose truth lies below it (docs/estimation.md, "The county's side"). The bench
tabulates it beside the upper bound's exceedance, with its Monte Carlo standard error over
pools, without changing any other column; a candidate's row takes the candidate's one-sided
95 % lower bound.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from scipy import stats

import bench.sim_rare_rates as sim
from assessment import estimation as est
from assessment.estimation import intervals
from assessment.indicators.model import Confidence, Scheme
from assessment.indicators.verdicts import judge
from tests.assessment.test_rare_rate_wilson_z import _by_hand
from tests.assessment.test_rare_rate_wilson_z import _estimate as wilson_model_estimate

T975_28 = stats.t.ppf(0.975, 28)  # t(28)'s 97.5 % quantile: the two-sided 95 % interval's


def _estimate(p: float, n_event: float = 600.0, deff_model: float = 1.5) -> est.Estimate:
    """A ``wilson-model`` estimate on the effective size ``n_event / deff_model`` (the
    two-sided ends are placeholders: the bound is taken from the pivot, not from them)."""
    return wilson_model_estimate(p, n_event, deff_model)


@pytest.mark.parametrize("indicator", ["wrongful_exit_rate", "missed_rate"])
@pytest.mark.parametrize("p", [0.005, 0.02, 0.035])
def test_the_lower_bound_is_the_verdicts(indicator, p):
    e = _estimate(p)
    result = judge(indicator, e, Scheme(0.02, 0.02, 0.02, 0.90))

    bound = sim.lower_bound(e)

    assert bound == result.fails_bound
    # Wilson's score on the model size 600 / 1.5 = 400 at t(28)'s 97.5 % quantile, by hand
    assert bound == pytest.approx(_by_hand(p, 400.0, T975_28)[0], rel=1e-9)


def test_a_fails_verdict_is_exactly_a_lower_bound_above_the_threshold():
    # on 400: 3.6 % has its interval's lower end about 2.1 % > 2 %: "fails with 95 %"; 3.3 %
    # about 1.9 %, not (its one-sided 95 % lower bound, 2.08 %, the bound before, would be)
    high, low = _estimate(0.036), _estimate(0.033)
    scheme = Scheme(0.02, 0.02, 0.02, 0.90)

    assert sim.lower_bound(high) > 0.02 > sim.lower_bound(low)
    assert est.one_sided_bound(low, "lower", 0.95) > 0.02
    assert judge("wrongful_exit_rate", high, scheme).confidence == Confidence.FAILS
    assert judge("wrongful_exit_rate", low, scheme).confidence != Confidence.FAILS


def test_the_share_counts_samples_with_the_truth_strictly_below_the_lower_bound():
    # on 400 effective persons the verdict's lower bounds are about 0.99 % (p 2 %), 1.7 %
    # (3 %) and below 0.4 % (p 1 %, 0.5 %): a truth of 0.9 % is below the first two only
    estimates = [_estimate(p) for p in (0.02, 0.03, 0.01, 0.005)]
    assert [sim.lower_bound(e) > 0.009 for e in estimates] == [True, True, False, False]

    plain = sim.summarise(estimates, 0.009)
    pooled = sim.summarise(estimates, 0.009, clusters=[0, 0, 1, 1])

    assert plain["below_lower_bound"] == 0.5
    assert plain["below_lower_bound_se"] == pytest.approx(math.sqrt(0.5 * 0.5 / 4))
    # over pools: cluster sums of (flag − 0.5) are +1 and −1: √(2/1 · 2) / 4
    assert pooled["below_lower_bound"] == 0.5
    assert pooled["below_lower_bound_se"] == pytest.approx(0.5)
    # a truth equal to a bound is not below it
    at = sim.summarise(estimates, sim.lower_bound(estimates[1]))
    assert at["below_lower_bound"] == 0.0


def test_a_sample_without_an_estimate_is_left_out():
    estimates = [_estimate(0.03), None, _estimate(0.005)]
    assert sim.summarise(estimates, 0.01)["below_lower_bound"] == 0.5


@pytest.mark.parametrize("method", sorted(sim.CANDIDATES))
@pytest.mark.parametrize("p", [0.0, 0.004, 0.02])
def test_a_candidates_lower_bound_is_its_one_sided_end(method, p):
    """Each candidate's one-sided 95 % lower bound lies between its two-sided 95 % lower
    end and the estimate (a one-sided 95 % end is a two-sided 90 % one); zero events: 0."""
    e = _estimate(p) if p > 0 else replace(_estimate(0.0), se=0.0)
    low, _, upper = sim.bounds(e, method)

    lower = sim.lower_bound(e, method)

    if p == 0:
        assert lower == pytest.approx(0.0, abs=1e-15)  # Wilson's 0 up to rounding
    else:
        assert low < lower < p < upper


def test_candidate_lower_bounds_by_hand():
    e = _estimate(0.02)  # effective size 400, x = 8 effective events
    assert sim.lower_bound(e, "wilson-z") == pytest.approx(
        _by_hand(0.02, 400.0, 1.644854)[0], rel=1e-6
    )
    assert sim.lower_bound(e, "clopper-pearson") == pytest.approx(
        stats.beta.ppf(0.05, 8, 393), rel=1e-9
    )
    assert sim.lower_bound(e, "fay-feuer") == pytest.approx(
        stats.gamma.ppf(0.05, 8) / 400, rel=1e-9
    )
    # the gamma pivot: at its lower bound, P(p̂ >= 2 %) = 5 % under Gamma(400 p, 1 / 400)
    lower = sim.lower_bound(e, "gamma")
    assert stats.gamma.sf(0.02, 400 * lower, scale=1 / 400) == pytest.approx(0.05, rel=1e-6)


def test_r_korn_graubard_lower_bound_is_the_intervals_one():
    estimates = [replace(_estimate(p), se=s) for p, s in ((0.01, 0.004), (0.03, 0.008))]

    *_, lower = sim._plain_korn_graubard(estimates, with_lower=True)

    for e, value in zip(estimates, lower, strict=True):
        args = {"n": e.n, "df": e.df, "n_kish": e.n_kish}
        expected = intervals.bound("korn-graubard", e.estimate, e.se, q=0.95, side="lower", **args)
        assert value == pytest.approx(expected, rel=1e-9)
    assert len(sim._plain_korn_graubard(estimates)) == 3  # the old call is unchanged
