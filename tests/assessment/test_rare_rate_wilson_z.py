"""``bench/sim_rare_rates.py``'s ``wilson-z (model n)`` candidate and ``--methods``.

The candidate is production's ``wilson-model`` interval with the normal quantile in place of
``t(df)``, on the effective size the estimate carries (docs/estimation.md, "Wilson with the
normal quantile"). It is measured, not adopted: nothing in production uses it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

import bench.sim_rare_rates as sim
from assessment import estimation as est
from assessment.estimation import intervals
from bench.sim_population import INDICATORS, make_population

Z975, Z95 = 1.959964, 1.644854  # the normal's 97.5 % and 95 % quantiles, to 6 decimals


def _by_hand(p: float, m: float, z: float) -> tuple[float, float]:
    """Wilson's score interval ``(p + z²/2m ± z √(p(1-p)/m + z²/4m²)) / (1 + z²/m)``."""
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z / (1 + z * z / m) * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    return centre - half, centre + half


def _estimate(p: float, n_event: float, deff_model: float, df: int = 28) -> est.Estimate:
    """A ``wilson-model`` estimate carrying the effective size ``n_event / deff_model``; the
    interval fields are placeholders (the candidate does not read them)."""
    return est.Estimate(
        stat="ratio",
        estimate=p,
        se=0.004,
        ci_low=0.0,
        ci_high=1.0,
        df=df,
        deff=2.0,
        n=900,
        n_eff=450.0,
        n_psu=30,
        population=1e5,
        method="wilson-model",
        level=0.95,
        n_kish=700.0,
        df_eff=6.0,
        n_event=n_event,
        deff_model=deff_model,
    )


def test_candidate_is_wilson_with_the_normal_quantile_on_the_model_size():
    # effective size 600 / 1.5 = 400, estimate 2 %: by hand (z = 1.959964) the interval is
    # centre (0.02 + 3.841459/800) / 1.0096036 = 0.0245659, half-width 0.0143975
    e = _estimate(0.02, n_event=600.0, deff_model=1.5)

    low, high, upper = sim.bounds(e, "wilson-z")

    assert (low, high) == pytest.approx((0.0101684, 0.0389634), abs=1e-6)
    assert (low, high) == pytest.approx(_by_hand(0.02, 400.0, Z975), rel=1e-6)
    assert upper == pytest.approx(_by_hand(0.02, 400.0, Z95)[1], rel=1e-6)


def test_candidate_on_the_census_size_ignores_the_village_design_effect():
    # 漏评率 on the screening census size: carried as n_event with deff_model 1
    e = _estimate(0.01, n_event=250.0, deff_model=1.0)

    low, high, upper = sim.wilson_z(e)

    assert (low, high) == pytest.approx(_by_hand(0.01, 250.0, Z975), rel=1e-6)
    assert upper == pytest.approx(_by_hand(0.01, 250.0, Z95)[1], rel=1e-6)


def test_zero_events_give_the_normal_quantile_upper_end():
    e = replace(_estimate(0.0, n_event=600.0, deff_model=1.5), se=0.0)

    low, high, upper = sim.wilson_z(e)

    assert low == 0.0
    assert high == pytest.approx(Z975**2 / (400.0 + Z975**2), rel=1e-6)
    assert upper == pytest.approx(Z95**2 / (400.0 + Z95**2), rel=1e-6)


@pytest.mark.parametrize("indicator", INDICATORS)
def test_candidate_is_production_when_the_design_df_is_huge(indicator):
    """On a sample of the simulated county (错退 on the village model, 漏评 on the census
    size, as production judges them): the candidate is narrower than production on its own
    df (t(28) > z) and equals production's interval and bound once df is huge."""
    population = make_population(np.random.default_rng([13, 3]), 0.03, 0.03)
    census = {"census": (0.60, 0.035), "unflagged": (0.44, 0.030)}  # a round's model
    icc = dict.fromkeys(INDICATORS, 0.06)
    found = sim.one_run(np.random.default_rng(5), population, 0.0, icc, screening=census)
    e = found[indicator]
    assert e.method == "wilson-model" and e.df == 28 and e.estimate > 0
    assert (e.deff_model == 1.0) == (indicator == "missed_rate")  # 漏评: the census size

    low, high, upper = sim.wilson_z(e)

    assert e.ci_low < low < e.estimate < upper < high < e.ci_high
    assert upper < est.one_sided_bound(e, "upper", 0.95)
    huge = replace(e, df=10**9)  # production's own interval on it, as on_model_size takes it
    args = {"n": huge.n, "df": huge.df, "n_kish": huge.n_kish, "n_event": huge.n_event}
    both = intervals.interval(
        "wilson-model", huge.estimate, huge.se, level=0.95, deff_model=huge.deff_model, **args
    )
    assert (low, high) == pytest.approx(both, rel=1e-8)
    assert upper == pytest.approx(est.one_sided_bound(huge, "upper", 0.95), rel=1e-8)


def test_no_interval_where_production_has_none():
    e = replace(_estimate(0.02, n_event=600.0, deff_model=1.5), df=0)
    e = replace(e, ci_low=math.nan, ci_high=math.nan)  # as production: no df, no interval
    assert all(math.isnan(v) for v in sim.wilson_z(e))


def test_methods_restricts_the_rows_and_keeps_production_as_in_the_full_run():
    def rows(methods):
        (task,) = sim._tasks(
            4, 7, settings=(0.03,), noncontact=(0.10,), aware="census", pools=2, methods=methods
        )
        return sim._setting(task)

    chosen = rows(("production", "wilson-z (model n)"))
    full = rows(None)

    assert {r["method"] for r in chosen} == {"production", "wilson-z (model n)"}
    assert {r["method"] for r in full} == set(sim.METHODS)
    keyed = {(r["indicator"], r["method"]): r for r in full}
    for row in chosen:
        assert row == keyed[(row["indicator"], row["method"])]
