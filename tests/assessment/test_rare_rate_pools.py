"""``bench/sim_rare_rates.py --pools P``: coverage over the pools a round could give.

A setting's samples are judged with ρ (and the screening model) pooled from other counties.
With one pool every sample shares that pool's luck; with ``P`` pools replicate ``r`` is judged
with pool ``r mod P``, each pool drawn from its own seed, pool 0 from the seed a one-pool run
has always used (docs/estimation.md, "Coverage over the round's pools"). Tiny runs: the
schedule, not the coverage, is under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import bench.sim_rare_rates as sim
from bench.sim_population import INDICATORS, make_population, other_counties_icc

SEED, RATE, SHARE = 7, 0.03, 0.10
REPLICATES = 6


def _task(pools: int, uppers=()) -> tuple:
    (task,) = sim._tasks(
        REPLICATES,
        SEED,
        settings=(RATE,),
        noncontact=(SHARE,),
        aware="census",
        uppers=uppers,
        pools=pools,
    )
    return task


def _pool(j: int) -> tuple[dict, dict]:
    """Pool ``j`` as a round would record it: ρ and the census screening model."""
    seeds = [SEED, 1000, 10] if j == 0 else [SEED, 1000, 10, j]
    icc, model = other_counties_icc(seeds, sim.RATES, noncontact=SHARE, screening=True)
    return icc, model


def _production(rows) -> dict:
    return {r["indicator"]: r for r in rows if r["method"] == "production"}


def test_one_pool_gives_the_rows_of_the_single_round_pool():
    population = make_population(np.random.default_rng([SEED, 0]), RATE, RATE)
    rng = np.random.default_rng([SEED, 0, 10])
    icc, model = _pool(0)
    runs = [sim.one_run(rng, population, SHARE, icc, screening=model) for _ in range(REPLICATES)]

    rows = _production(sim._setting(_task(pools=1)))

    for indicator in INDICATORS:
        expected = sim.summarise([r[indicator] for r in runs], population.truth[indicator])
        row = rows[indicator]
        assert row["icc"] == pytest.approx(icc[indicator], rel=1e-12)  # a mean over runs
        assert "icc_range" not in row  # the printed line stays as it was
        for key in ("coverage", "coverage_se", "exceedance", "bias", "median_upper"):
            assert row[key] == expected[key]
    assert rows["missed_rate"]["screening"] == model


def test_replicate_r_is_judged_with_pool_r_mod_p(monkeypatch):
    used = []
    one_run = sim.one_run

    def recording(rng, population, noncontact, icc=None, shrink=None, screening=None, *more):
        used.append(icc["wrongful_exit_rate"])
        return one_run(rng, population, noncontact, icc, shrink, screening, *more)

    monkeypatch.setattr(sim, "one_run", recording)
    rows = _production(sim._setting(_task(pools=3)))

    pools = [_pool(j)[0]["wrongful_exit_rate"] for j in range(3)]
    assert len(set(pools)) == 3  # three distinct pools
    assert used == [pools[r % 3] for r in range(REPLICATES)]
    row = rows["wrongful_exit_rate"]
    assert row["icc"] == pytest.approx(np.mean(pools))
    assert row["icc_range"] == (min(pools), max(pools))
    census = [_pool(j)[1]["census"][1] for j in range(3)]  # the screening model's ρ_C
    _, rho, low, high = rows["missed_rate"]["screening"]["census"]
    assert (rho, low, high) == (pytest.approx(np.mean(census)), min(census), max(census))


def test_guard_rows_judge_each_replicate_with_its_own_pools_limits(monkeypatch):
    used = []
    guarded_runs = sim.guarded_runs

    def recording(rng, population, noncontact, variants, *more):
        used.append([icc["wrongful_exit_rate"] for icc, _ in variants])
        return guarded_runs(rng, population, noncontact, variants, *more)

    monkeypatch.setattr(sim, "guarded_runs", recording)
    uppers = (("bootstrap", 0.90),)
    rows = sim._setting(_task(pools=2, uppers=uppers))

    pooled = [_pool(j)[0]["wrongful_exit_rate"] for j in range(2)]
    assert [point for point, _ in used] == [pooled[r % 2] for r in range(REPLICATES)]
    assert all(limit > point for point, limit in used)  # the guard's ρ is its pool's limit
    assert used[0] != used[1] and used[0] == used[2]
    guard = [r for r in rows if r["method"] == "production, ρ bootstrap 90%"]
    assert {r["indicator"] for r in guard} == set(INDICATORS)


def test_pools_change_the_judging_not_the_samples():
    one = _production(sim._setting(_task(pools=1)))
    many = _production(sim._setting(_task(pools=3)))
    for indicator in INDICATORS:
        assert many[indicator]["bias"] == one[indicator]["bias"]  # the same estimates
        assert many[indicator]["median_upper"] != one[indicator]["median_upper"]


def test_share_se_over_equal_pools_is_the_spread_of_their_means():
    flags = np.array([1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1], float)
    clusters = np.arange(flags.size) % 4
    means = [flags[clusters == j].mean() for j in range(4)]

    se = sim.clustered_share_se(flags, clusters)

    assert se == pytest.approx(np.std(means, ddof=1) / math.sqrt(4))
    assert math.isnan(sim.clustered_share_se(flags, np.zeros(flags.size)))
