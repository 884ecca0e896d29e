"""``bench/sim_verdicts.py --pools P``: the verdicts near the thresholds with the round's ρ.

Without ``--pools`` 错退率 is judged with the planning ρ = 0.10, as the table of
docs/estimation.md ("Verdicts near the thresholds") always was. With it, replicate ``r`` is
judged with the ρ pooled from pool ``r mod P`` of other counties, each pool drawn from its own
seed, never from the samples' generator (docs/estimation.md, "With the round's pooled ρ, over
pools"). Tiny runs: the schedule, not the error rates, is under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import bench.sim_verdicts as sim
from assessment.indicators.county import rates
from assessment.indicators.model import Confidence, Official
from assessment.indicators.verdicts import judge
from bench.sim_population import draw, make_population, other_counties_icc
from bench.sim_rare_rates import RATES

SEED, SHARE, CONCENTRATION = 11, 0.10, 2.0
SETTING = (0.025, 0.91)
REPLICATES = 5


def _population():
    return make_population(
        np.random.default_rng([SEED, 7, 0]),
        SETTING[0],
        0.01,
        recognition=SETTING[1],
        exact=True,
        concentration=CONCENTRATION,
    )


def _samples_rng():
    return np.random.default_rng([SEED, 7, 0, int(SHARE * 100)])


def _pool(j: int) -> dict:
    """Pool ``j`` of the setting as a round would record it: ρ pooled from twenty other
    counties of the superpopulation, drawn from the pool's own seed."""
    seeds = [SEED, 7000, 10] if j == 0 else [SEED, 7000, 10, j]
    return other_counties_icc(seeds, RATES, noncontact=SHARE, concentration=CONCENTRATION)


def _table(monkeypatch, pools=None) -> dict:
    monkeypatch.setattr(sim, "SETTINGS", (SETTING,))
    rows = sim.verdict_table(
        REPLICATES, SEED, noncontact=(SHARE,), concentration=CONCENTRATION, pools=pools
    )
    return {row["indicator"]: row for row in rows}


def test_without_pools_the_rows_are_those_of_the_planning_rho(monkeypatch):
    population, rng = _population(), _samples_rng()
    tally = {k: dict.fromkeys(sim.OUTCOMES, 0) for k in sim.JUDGED}
    for _ in range(REPLICATES):
        found = rates(draw(rng, population, noncontact=SHARE))  # production's ρ = 0.10
        for indicator, counts in tally.items():
            result = judge(indicator, found[indicator], sim.SCHEME)
            counts["official"] += result.official == Official.MEETS
            counts["meets"] += result.confidence == Confidence.MEETS
            counts["fails"] += result.confidence == Confidence.FAILS
            counts["inconclusive"] += result.confidence == Confidence.INCONCLUSIVE

    rows = _table(monkeypatch)

    for indicator, counts in tally.items():
        assert rows[indicator] == {
            "indicator": indicator,
            "truth": population.truth[indicator],
            "noncontact": SHARE,
            **{k: v / REPLICATES for k, v in counts.items()},
        }  # no MC SE, no ρ: the printed line stays as it was


def test_without_pools_the_printed_table_keeps_its_seven_columns(monkeypatch, capsys):
    monkeypatch.setattr(sim, "SETTINGS", (SETTING,))
    monkeypatch.setattr("sys.argv", ["sim_verdicts.py", "--replicates", "2"])

    sim.main()

    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 + 2 * 2  # header, rule, two indicators at two non-contact shares
    assert all(line.count("|") == 8 for line in lines)
    assert "MC SE" not in lines[0] and "ρ used" not in lines[0]
    assert not any("(" in line for line in lines[2:])


def test_replicate_r_is_judged_with_pool_r_mod_p(monkeypatch):
    used = []

    def recording(sample, **kwargs):
        used.append(kwargs["icc"]["wrongful_exit_rate"])
        return rates(sample, **kwargs)

    monkeypatch.setattr(sim, "rates", recording)
    rows = _table(monkeypatch, pools=3)

    pools = [_pool(j)["wrongful_exit_rate"] for j in range(3)]
    assert used == [pools[r % 3] for r in range(REPLICATES)]
    row = rows["wrongful_exit_rate"]
    assert row["icc"] == pytest.approx(np.mean(pools))
    assert row["icc_range"] == (min(pools), max(pools))
    assert rows["recognition_rate"]["icc"] is None  # recognition has no ρ


def test_the_rho_differs_between_pools_and_reflects_the_clustering():
    pools = sim.setting_pools(SEED, 0, SHARE, 3, CONCENTRATION)

    wrongful = [pool["wrongful_exit_rate"] for pool in pools]
    assert len(set(wrongful)) == 3
    # the other counties cluster as the county (population ICC 1/3): their pooled ρ is well
    # above the planning 0.10, and a correlation
    assert all(0.10 < rho < 1 for rho in wrongful)
    less = sim.setting_pools(SEED, 0, SHARE, 3, 15.0)  # ICC 1/16
    assert np.mean([p["wrongful_exit_rate"] for p in less]) < np.mean(wrongful)


def test_pools_change_the_judging_not_the_samples():
    population = _population()
    fixed = sim.judged_runs(_samples_rng(), population, SHARE, REPLICATES)
    one = sim.judged_runs(_samples_rng(), population, SHARE, REPLICATES, [_pool(0)])
    many = sim.judged_runs(
        _samples_rng(), population, SHARE, REPLICATES, [_pool(j) for j in range(3)]
    )

    for runs in (one, many):
        for indicator in sim.JUDGED:
            for mine, theirs in zip(runs, fixed, strict=True):
                assert mine[indicator]["estimate"] == theirs[indicator]["estimate"]
                assert mine[indicator]["official"] == theirs[indicator]["official"]
        # recognition has no ρ: its confidence statement does not move either
        assert [r["recognition_rate"] for r in runs] == [r["recognition_rate"] for r in fixed]
    assert [r["icc"] for r in fixed] == [None] * REPLICATES


def _runs(flags: list[int]) -> list[dict]:
    def outcome(flag):
        return {"official": flag, "meets": 0, "fails": flag, "inconclusive": 1 - flag}

    return [{"icc": None, **{k: outcome(f) for k in sim.JUDGED}} for f in flags]


def test_se_over_equal_pools_is_the_spread_of_their_means():
    flags = [1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]  # replicate r judged by pool r mod 4
    pools = [{"wrongful_exit_rate": rho, "recognition_rate": None} for rho in (0.2, 0.3, 0.4, 0.5)]
    means = [np.mean(flags[j::4]) for j in range(4)]

    row = sim._rows(_runs(flags), _population(), SHARE, pools)[0]

    assert row["fails"] == pytest.approx(np.mean(flags))
    assert row["fails_se"] == pytest.approx(np.std(means, ddof=1) / math.sqrt(4))
    assert row["inconclusive_se"] == pytest.approx(row["fails_se"])  # its complement
    assert row["meets_se"] == 0  # never: no spread between pools
    assert row["icc"] == pytest.approx(0.35) and row["icc_range"] == (0.2, 0.5)


def test_se_is_zero_when_every_pool_gives_the_same_share():
    flags = [1, 0, 0, 0, 1, 0, 0, 0, 1]  # replicate r by pool r mod 3: one in three each
    pools = [{"wrongful_exit_rate": 0.3, "recognition_rate": None}] * 3

    row = sim._rows(_runs(flags), _population(), SHARE, pools)[0]

    assert row["fails"] == pytest.approx(1 / 3)
    assert row["fails_se"] == pytest.approx(0, abs=1e-15)


def test_equal_pools_at_the_planning_rho_give_the_fixed_rows(monkeypatch):
    monkeypatch.setattr(
        sim,
        "setting_pools",
        lambda seed, i, share, pools, concentration: [dict.fromkeys(sim.JUDGED, 0.10)] * pools,
    )
    fixed = _table(monkeypatch)
    pooled = _table(monkeypatch, pools=2)

    for indicator, row in fixed.items():
        for outcome in sim.OUTCOMES:
            assert pooled[indicator][outcome] == row[outcome]
            assert pooled[indicator][f"{outcome}_se"] >= 0
