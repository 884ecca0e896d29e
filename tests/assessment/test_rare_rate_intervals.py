"""Intervals of the rare rates (错退率, 漏评率) hold their level over the round's pools.

A seeded simulation through the production code (``bench/sim_population.py``: 30 villages of
200 in two strata, households within villages, persons within households, village rates that
differ, screening households for 漏评 with their own weights, reserves and the
weighting-class adjustment for 10 % non-contact). The settings are four cells of the
documented bench run (``bench/sim_rare_rates.py --seed 2026``, population ICC 0.06): true
rates near 1 % and 3 %, with and without non-contact. The intra-village correlation ρ of the
model design effect is pooled from samples of twenty other counties of the same
superpopulation (never the true value); 漏评率 is judged on the census effective size, its
screening model (k_C, ρ_C, k_U, ρ_U) pooled from the same twenty counties, as a round records
it.

**Judged over pools, not with one.** A county is judged with its round's pool, and which pool
a round gets is itself random: one pool's coverage is conditional on that pool's luck, and the
procedure's coverage (what a "95 %" claims, and what the targets measure) averages over the
pools a round could give (docs/estimation.md, "Coverage over the round's pools (measured)").
So each setting's ``REPLICATES`` samples are judged with ``POOLS`` independent pools,
replicate ``r`` with pool ``r mod POOLS``, by the bench's own schedule
(``pool_judges``): these are the samples and pools of ``bench/sim_rare_rates.py --seed 2026
--setting-index 1 3 --replicates 100 --pools 4 --screening-aware census``. Samples judged by
one pool share its luck, so the Monte Carlo standard errors are taken over pools
(``clustered_share_se`` within each setting, the four settings fixed strata), not as if the
samples were independent; each tolerance is two of them.

What is asserted is what the procedure is documented to achieve over pools ("Where the
targets stand" and the table of "Coverage over the round's pools", 5,000 samples and 100
pools a setting): per indicator the one-sided 95 % upper bound exceeded at most 5.5 %
(documented 0.2-2.2 % at these cells); the two-sided 95 % coverage never below 94 %; 错退率's
in the 94-96 % band, where its documented figures for these cells lie (94.9-95.4 %), with
the truth below its lower end at least 2.5 % of the time (4.4-5.1 %). 漏评率's documented
coverage lies above the band at three of the four cells (96.0-97.0 %, the conservative
side), so only its floor is asserted. The same samples judged by the plain Korn–Graubard
interval (R's ``svyciprop(method="beta")``) exceed the bound's tolerance for each indicator,
so the test tells the intervals apart.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pytest
from scipy import stats

from assessment import estimation as est
from assessment.estimation import intervals
from bench.sim_population import INDICATORS, draw, make_population
from bench.sim_rare_rates import (
    CONCENTRATION,
    NONCONTACT,
    RATES,
    bounds,
    clustered_share_se,
    one_run,
    pool_judges,
)

SEED = 2026  # the documented bench's seed: these are its cells at 1 % and 3 %
SETTINGS = (1, 3)  # positions in the bench's RATES (0.5, 1, 2, 3 %): 1 % and 3 %
REPLICATES = 100  # samples a setting
POOLS = 4  # independent pools a setting (about 0.3 s each): 25 samples a pool


class Judged(NamedTuple):
    """One estimate of one sample and what judged it."""

    indicator: str
    truth: float
    estimate: est.Estimate
    setting: int  # (rate, non-contact) in the fixture's order: a stratum of the MC SE
    pool: int  # the pool that judged it: a cluster within the setting
    icc: float  # the ρ that pool gave the indicator


@pytest.fixture(scope="module")
def replicates():
    """Every setting's estimates, replicate ``r`` judged with pool ``r mod POOLS``, seeded."""
    found, setting = [], 0
    for i in SETTINGS:
        rate = RATES[i]
        population = make_population(np.random.default_rng([SEED, i]), rate, rate)
        for share in NONCONTACT:  # 0 and 10 % non-contact
            setting += 1
            rng = np.random.default_rng([SEED, i, int(share * 100)])
            # ρ and the census screening model of each pool, as a round records them
            judges = pool_judges(SEED, i, share, POOLS, concentration=CONCENTRATION, aware="census")
            for r in range(REPLICATES):
                icc, screening = judges[r % POOLS]
                run = one_run(rng, population, share, icc, screening=screening)
                for indicator in INDICATORS:
                    if run[indicator] is not None:
                        truth = population.truth[indicator]
                        found.append(
                            Judged(
                                indicator, truth, run[indicator], setting, r % POOLS, icc[indicator]
                            )
                        )
    return found


def _of(found, indicator):
    return [j for j in found if j.indicator == indicator]


def _share(flags, found) -> tuple[float, float]:
    """A share over the replicates and its Monte Carlo SE over pools: clustered by the pool
    that judged each replicate within its setting, the settings fixed strata
    (``Var = Σ_s (N_s / N)² · SE_s²``)."""
    flags = np.asarray(flags, float)
    settings = np.array([j.setting for j in found])
    pools = np.array([j.pool for j in found])
    variance = 0.0
    for setting in np.unique(settings):
        inside = settings == setting
        se = clustered_share_se(flags[inside], pools[inside])
        variance += (inside.sum() / flags.size) ** 2 * se**2
    return float(flags.mean()), math.sqrt(variance)


def _rates(found, method=None) -> dict:
    """``{name: (share, MC SE over pools)}``: how often the truth is above the one-sided 95 %
    upper bound (``exceeded``), within the two-sided 95 % interval (``covered``), and below
    its lower end (``below``); judged by the estimate's own interval or by ``method``."""
    judged = [(j.truth, bounds(j.estimate, method)) for j in found]
    flags = {
        "exceeded": [truth > upper for truth, (_, _, upper) in judged],
        "covered": [low <= truth <= high for truth, (low, high, _) in judged],
        "below": [truth < low for truth, (low, _, _) in judged],
    }
    return {name: _share(each, found) for name, each in flags.items()}


@pytest.mark.slow
def test_every_setting_is_judged_with_its_own_independent_pools(replicates):
    """Replicate r with pool r mod POOLS: every setting sees POOLS distinct ρ, each pool
    judging the same number of samples (so the standard errors over pools mean something)."""
    assert len(replicates) >= 2 * 2 * REPLICATES * 2 - 5
    for indicator in INDICATORS:
        for setting in range(1, 5):
            here = [j for j in _of(replicates, indicator) if j.setting == setting]
            by_pool = {j.pool: j.icc for j in here}
            assert len(by_pool) == POOLS and len(set(by_pool.values())) == POOLS
            assert all(by_pool[j.pool] == j.icc for j in here)  # one ρ a pool
            counts = np.bincount([j.pool for j in here], minlength=POOLS)
            assert counts.max() - counts.min() <= 1, counts


@pytest.mark.slow
def test_upper_bound_of_the_rare_rates_holds_its_level_over_pools(replicates):
    """Per indicator the one-sided 95 % bound exceeded at most 5.5 % (+ 2 MC SEs over pools);
    R's plain Korn–Graubard bound on the same samples exceeds that tolerance for each."""
    assert {j.estimate.method for j in replicates} == {"wilson-model"}
    wrongful = [j.estimate for j in _of(replicates, "wrongful_exit_rate")]
    assert all(e.deff_model > 1 for e in wrongful)  # the pooled ρ is positive
    missed = [j.estimate for j in _of(replicates, "missed_rate")]
    # 漏评率 on the census size: carried as n_event with no village design effect on top
    assert all(e.deff_model == 1 and 0 < e.n_event < e.n_kish for e in missed)
    for indicator in INDICATORS:
        exceeded, se = _rates(_of(replicates, indicator))["exceeded"]
        assert exceeded <= 0.055 + 2 * se, (indicator, exceeded, se)
        before, se = _rates(_of(replicates, indicator), "korn-graubard")["exceeded"]
        assert before > 0.055 + 2 * se, (indicator, before, se)


@pytest.mark.slow
def test_two_sided_coverage_of_the_wrongful_exit_rate_is_in_the_band_over_pools(replicates):
    """错退率: two-sided 95 % coverage within 94-96 % (± 2 MC SEs over pools), where the
    documented figures over pools for these settings lie (94.9-95.4 %)."""
    covered, se = _rates(_of(replicates, "wrongful_exit_rate"))["covered"]
    assert 0.94 - 2 * se <= covered <= 0.96 + 2 * se, (covered, se)


@pytest.mark.slow
def test_lower_end_of_the_wrongful_exit_rate_is_not_out_of_reach(replicates):
    """错退率: the truth below the two-sided interval's lower end at least 2.5 % of the time
    (− 2 MC SEs over pools; documented over pools 4.4-5.1 % at these settings): the lower end
    is not placed so low that it never misses."""
    below, se = _rates(_of(replicates, "wrongful_exit_rate"))["below"]
    assert below >= 0.025 - 2 * se, (below, se)


@pytest.mark.slow
def test_two_sided_coverage_of_the_missed_rate_on_the_census_size_is_never_below_94(replicates):
    """漏评率 on the census effective size: two-sided 95 % coverage at least 94 % (− 2 MC SEs
    over pools). Its documented coverage over pools lies above 96 % at most of these
    settings (the upper end far out), so no upper edge is asserted."""
    covered, se = _rates(_of(replicates, "missed_rate"))["covered"]
    assert covered >= 0.94 - 2 * se, (covered, se)


@pytest.mark.slow
def test_two_sided_interval_contains_the_one_sided_bound(replicates):
    """Coherent by construction: one family, the 97.5 % end above the 95 % bound."""
    for e in (j.estimate for j in replicates):
        assert e.ci_high >= est.one_sided_bound(e, "upper", 0.95), e


@pytest.mark.slow
def test_estimates_are_nearly_unbiased_with_and_without_non_contact(replicates):
    relative = [j.estimate.estimate / j.truth - 1 for j in replicates]
    assert abs(np.mean(relative)) < 0.05, np.mean(relative)


def test_screening_households_enter_the_missed_rate_at_their_own_weight():
    """A drawn sample holds the screening households: non-registered rows weighted as the
    village (weight 1 within it) beside the SRS rows, and flagged SRS rows counted at weight 1."""
    population = make_population(np.random.default_rng(5), 0.02, 0.02)
    sample = draw(np.random.default_rng(6), population)
    non_registered = sample.status == "non_registered"
    ratio = sample.weight[non_registered] / sample.village_weight[non_registered]
    assert np.any(np.isclose(ratio, 1.0)) and np.any(ratio > 5)  # screening and SRS rows
    scaled = non_registered & (sample.missed_size < sample.persons)
    assert scaled.any()  # flagged households drawn by the SRS count at weight 1
    assert np.allclose(sample.weight[scaled] * sample.missed_size[scaled], (
        sample.village_weight[scaled] * sample.persons[scaled]))  # fmt: skip


def _wilson(p, m, z, sign):
    """Wilson's score bound written out (Brown, Cai and DasGupta 2001, eq. 4)."""
    centre = (m * p + z * z / 2) / (m + z * z)
    half = z * math.sqrt(m) / (m + z * z) * math.sqrt(p * (1 - p) + z * z / (4 * m))
    return centre + sign * half


def test_two_sided_interval_is_wilson_on_the_floored_effective_size():
    """Two-sided: Wilson's score interval on min(p(1-p)/Var, n_event) with t(df)."""
    args = {"n": 400, "df": 28, "n_kish": 380.0}
    z = stats.t.ppf(0.975, 28)
    for p, se in ((0.01, 0.006), (0.03, 0.012), (0.01, 0.001)):
        m = min(p * (1 - p) / se**2, 300.0)
        low, high = intervals.interval(
            "korn-graubard-kish", p, se, level=0.95, df_eff=28.0, n_event=300.0, **args
        )
        assert low == pytest.approx(_wilson(p, m, z, -1), rel=1e-12)
        assert high == pytest.approx(_wilson(p, m, z, +1), rel=1e-12)


def test_design_effect_is_floored_at_kish_and_one_sided_uses_satterthwaite_df():
    p, se, n, df, n_event = 0.01, 0.001, 400, 28, 250.0  # p(1-p)/se² = 9,900 > 250
    args = {"n": n, "df": df, "n_kish": 380.0, "n_event": n_event}
    uppers = [
        intervals.bound(
            "korn-graubard-kish", p, se, q=0.95, side="upper", one_sided=True, df_eff=nu, **args
        )
        for nu in (1.0, 2.0, 5.0, 28.0)
    ]
    assert uppers == sorted(uppers, reverse=True) and uppers[0] > uppers[-1] * 1.1
    m1 = n_event * (stats.t.ppf(0.05, n - 1) / stats.t.ppf(0.05, 2.0)) ** 2
    assert uppers[1] == pytest.approx(stats.beta.ppf(0.95, m1 * p + 1, m1 - m1 * p), rel=1e-12)
    # the two-sided interval rests on the design df; with one effective degree of freedom
    # its Wilson upper end would fall below the one-sided bound, and is raised to it
    two = intervals.interval("korn-graubard-kish", p, se, level=0.95, df_eff=28.0, **args)
    few = intervals.interval("korn-graubard-kish", p, se, level=0.95, df_eff=1.0, **args)
    wilson_high = _wilson(p, n_event, stats.t.ppf(0.975, df), +1)
    assert two[1] == pytest.approx(wilson_high, rel=1e-12) and uppers[-1] < wilson_high
    assert few[0] == pytest.approx(two[0], rel=1e-12)
    assert wilson_high < uppers[0] and few[1] == pytest.approx(uppers[0], rel=1e-12)


def test_two_sided_interval_contains_the_one_sided_bound_on_the_rare_side():
    """Upper for a rare rate; mirrored (lower) for a proportion near 1."""
    grid = [(p, se, nu) for p in (0.002, 0.01, 0.03) for se in (0.001, 0.004) for nu in (1, 4, 28)]
    args = {"n": 500, "df": 28, "n_kish": 450.0, "n_event": 200.0}
    for p, se, nu in grid:
        for value, side in ((p, "upper"), (1 - p, "lower")):
            low, high = intervals.interval(
                "korn-graubard-kish", value, se, level=0.95, df_eff=nu, **args
            )
            one = intervals.bound(
                "korn-graubard-kish", value, se, q=0.95, side=side, one_sided=True,
                df_eff=nu, **args,
            )  # fmt: skip
            assert low <= one <= high, (value, se, nu, low, one, high)


def test_zero_events_bound_counts_households_by_their_persons_and_weights():
    """No event: the upper bound is 1 - α^(1/n_K) with n_K = (Σ w s)² / Σ (w s)², s persons."""
    psu = np.repeat(np.arange(10), 4)
    weights = np.where(np.arange(40) % 2 == 0, 10.0, 30.0)
    persons = 1.0 + np.arange(40) % 5
    design = est.make_design(weights, clusters=[psu])
    zero = est.ratio(design, np.zeros(40), persons, ci_method="korn-graubard-kish")
    assert zero.method == "korn-graubard-kish" and zero.estimate == 0
    ws = weights * persons
    n_k = ws.sum() ** 2 / np.sum(ws**2)
    assert zero.n_event == pytest.approx(n_k, rel=1e-12)
    assert n_k < zero.n_kish < 40  # persons and weights both count
    one_sided = 1 - 0.05 ** (1 / n_k)
    assert est.one_sided_bound(zero, "upper", 0.95) == pytest.approx(one_sided)
    z = stats.t.ppf(0.975, zero.df)  # Wilson's upper end at p = 0: z²/(n_K + z²)
    assert zero.ci_low == 0 and zero.ci_high == pytest.approx(max(z * z / (n_k + z * z), one_sided))


def test_effective_psu_df_counts_the_contributing_psus():
    # 10 PSUs in one stratum; a rare event in one PSU: the variance rests on that PSU
    psu = np.repeat(np.arange(10), 20)
    design = est.make_design(np.ones(psu.size), clusters=[psu])
    y = np.zeros(psu.size)
    y[0] = 1.0
    one = est.proportion(design, y, ci_method="auto-rare")
    assert one.method == "wilson-model"
    assert 1.0 <= one.df_eff < 1.5
    y = np.zeros(psu.size)
    y[::20] = 1.0  # one event in every PSU: no variance between PSUs
    spread = est.proportion(design, y, ci_method="auto-rare")
    assert math.isnan(spread.df_eff) and spread.se == 0
    y = np.zeros(psu.size)
    y[np.arange(10) * 20 + np.arange(10) % 3] = 1.0
    y[np.arange(5) * 40 + 1] = 1.0  # PSUs of 1 or 2 events: all contribute alike-ish
    mixed = est.proportion(design, y, ci_method="auto-rare")
    assert 5 < mixed.df_eff <= 10


def test_bound_and_probability_agree_for_the_variant():
    psu = np.repeat(np.arange(12), 30)
    rng = np.random.default_rng(3)
    design = est.make_design(np.ones(psu.size), clusters=[psu])
    y = (rng.random(psu.size) < 0.02).astype(float)
    estimate = est.proportion(design, y, ci_method="auto-rare")
    upper = est.one_sided_bound(estimate, "upper", 0.95)
    assert est.probability_within(estimate, upper, "<=") == pytest.approx(0.95, abs=1e-9)
    assert est.probability_within(estimate, upper * 1.01, "<=") > 0.95
    lower = est.one_sided_bound(estimate, "lower", 0.95)
    assert est.probability_within(estimate, lower, ">=") == pytest.approx(0.95, abs=1e-9)


def test_model_interval_is_wilson_on_kish_size_over_the_village_design_effect():
    """wilson-model: Wilson on n_K / (1 + (b* - 1) ρ) with t(df), the bound its 95 % end."""
    psu = np.repeat(np.arange(10), 4)  # 10 villages of 4 households, one stratum: df 9
    weights = np.where(np.arange(40) % 2 == 0, 10.0, 30.0)
    persons = 1.0 + np.arange(40) % 5
    y = np.where(np.isin(np.arange(40), (3, 17)), persons, 0.0)
    design = est.make_design(weights, clusters=[psu])
    found = est.ratio(design, y, persons, ci_method="auto-rare", icc=0.2)
    assert found.method == "wilson-model"
    u = weights * persons
    n_k = u.sum() ** 2 / np.sum(u**2)
    b_star = np.sum(u.reshape(10, 4).sum(axis=1) ** 2) / np.sum(u**2)  # Gabler's b*
    assert found.deff_model == pytest.approx(1 + (b_star - 1) * 0.2, rel=1e-12)
    m = n_k / found.deff_model
    p = np.sum(weights * y) / np.sum(weights * persons)
    assert found.ci_low == pytest.approx(_wilson(p, m, stats.t.ppf(0.975, 9), -1), rel=1e-12)
    assert found.ci_high == pytest.approx(_wilson(p, m, stats.t.ppf(0.975, 9), +1), rel=1e-12)
    upper = est.one_sided_bound(found, "upper", 0.95)
    assert upper == pytest.approx(_wilson(p, m, stats.t.ppf(0.95, 9), +1), rel=1e-12)
    assert found.ci_low < p < upper < found.ci_high
    wider = est.ratio(design, y, persons, ci_method="auto-rare", icc=0.5)
    assert wider.ci_high > found.ci_high  # more village correlation, fewer effective persons
    zero = est.ratio(design, np.zeros(40), persons, ci_method="auto-rare", icc=0.2)
    z = stats.t.ppf(0.95, 9)
    assert est.one_sided_bound(zero, "upper", 0.95) == pytest.approx(z * z / (m + z * z))


def test_icc_outside_zero_one_is_refused():
    design = est.make_design(np.ones(20), clusters=[np.repeat(np.arange(5), 4)])
    with pytest.raises(est.EstimationError, match="icc"):
        est.ratio(design, np.zeros(20), np.ones(20), ci_method="auto-rare", icc=1.5)
