"""``bench/sim_rare_rates.py --villages POOR NONPOOR``: a county with few sampled villages.

The county's samples draw that many villages a stratum (a smaller design df); the other
counties the pooled ρ comes from keep the standard 20 + 10 (docs/estimation.md, "Counties with
few sampled villages"). Tiny runs: the design, not the coverage, is under test.
"""

from __future__ import annotations

import numpy as np
import pytest

import bench.sim_rare_rates as sim
from assessment.indicators.county import rates
from bench.sim_population import INDICATORS, draw, make_population, other_counties_icc

SEED, RATE, SHARE = 7, 0.03, 0.10
REPLICATES = 4
FEW = (("poor", 6), ("non_poor", 4))
METHODS = ("production", "wilson-z (model n)")
RUN = {"settings": (RATE,), "noncontact": (SHARE,), "aware": "census", "methods": METHODS}


def _rows(villages=None) -> list[dict]:
    """A tiny run's rows; ``villages`` None: the option not given."""
    chosen = {} if villages is None else {"villages": villages}
    (task,) = sim._tasks(REPLICATES, SEED, **RUN, **chosen)
    return sim._setting(task)


def _keyed(rows) -> dict:
    return {(r["indicator"], r["method"]): r for r in rows}


def test_the_option_names_the_villages_of_each_stratum():
    assert sim.villages_drawn([6, 4]) == FEW
    assert sim.villages_drawn(None) == (("poor", 20), ("non_poor", 10))


def test_few_villages_give_a_sample_of_those_villages_and_their_design_df():
    population = make_population(np.random.default_rng([SEED, 0]), RATE, RATE)
    icc = dict.fromkeys(INDICATORS, 0.06)
    census = {"census": (0.60, 0.035), "unflagged": (0.44, 0.030)}

    sample = draw(np.random.default_rng(5), population, noncontact=SHARE, villages_drawn=FEW)
    found = sim.one_run(np.random.default_rng(5), population, SHARE, icc, None, census, FEW)
    standard = sim.one_run(np.random.default_rng(5), population, SHARE, icc, None, census)

    drawn = np.unique(sample.village)
    strata = population.stratum[drawn]
    assert (np.sum(strata == "poor"), np.sum(strata == "non_poor")) == (6, 4)
    for indicator in INDICATORS:
        assert found[indicator].df == 10 - 2  # villages less strata
        assert found[indicator].n_psu == 10
        assert standard[indicator].df == 30 - 2


def test_the_county_samples_change_and_the_pooled_counties_do_not(monkeypatch):
    drawn = []

    def recording(rng, population, *, villages_drawn=sim.VILLAGES_DRAWN, **options):
        sample = draw(rng, population, villages_drawn=villages_drawn, **options)
        drawn.append(np.unique(sample.village).size)
        return sample

    monkeypatch.setattr(sim, "draw", recording)  # the county's samples, not the pool's
    few, standard = _keyed(_rows(FEW)), _keyed(_rows())

    assert drawn == [10] * REPLICATES + [30] * REPLICATES
    pooled = other_counties_icc([SEED, 1000, 10], sim.RATES, noncontact=SHARE)
    for (indicator, method), row in few.items():
        assert row["icc"] == pytest.approx(pooled[indicator], rel=1e-12)
        assert row["icc"] == standard[(indicator, method)]["icc"]
        assert row["truth"] == standard[(indicator, method)]["truth"]  # the same county
        assert row["median_upper"] != standard[(indicator, method)]["median_upper"]


def test_the_default_gives_the_rows_of_the_standard_design():
    population = make_population(np.random.default_rng([SEED, 0]), RATE, RATE)
    rng = np.random.default_rng([SEED, 0, 10])
    icc, model = other_counties_icc([SEED, 1000, 10], sim.RATES, noncontact=SHARE, screening=True)
    runs = [  # the samples as sim_population.draw gives them, with no villages named
        rates(draw(rng, population, noncontact=SHARE), icc=icc, screening=model)
        for _ in range(REPLICATES)
    ]

    rows = _keyed(_rows())

    assert rows == _keyed(_rows(sim.villages_drawn(None)))
    for indicator in INDICATORS:
        for method in METHODS:
            expected = sim.summarise(
                [r[indicator] for r in runs], population.truth[indicator], sim.METHODS[method]
            )
            row = rows[(indicator, method)]
            for key, value in expected.items():
                assert row[key] == value, (indicator, method, key)
