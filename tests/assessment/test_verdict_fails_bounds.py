"""``bench/sim_verdicts.py --fails-bounds``: how often "fails with 95 %" would be said for
错退率 with each candidate lower bound, on the same samples (docs/estimation.md, "Which
'fails' bound: the verdicts (measured)").

The production column must be the verdict itself (the confidence statement ``fails``, since
7 December 2026 on the two-sided interval's lower end); each candidate, the one-sided 95 %
lower bound production used before among them, says "fails" exactly when its own lower bound
lies above the 2 % threshold; the exact candidates' bounds are the beta and gamma quantiles
written out here.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

import bench.sim_verdicts as sim
from assessment import estimation as est
from assessment.estimation import intervals
from assessment.indicators.county import rates
from bench.sim_population import draw, make_population

SETTING = (0.025, 0.91)


@pytest.fixture(scope="module")
def estimates():
    """错退率 estimates of a few seeded samples of a county truly at 2.5 % (ρ 0.33 given)."""
    population = make_population(
        np.random.default_rng([5, 7, 0]), SETTING[0], 0.01, recognition=SETTING[1],
        exact=True, concentration=2.0,
    )  # fmt: skip
    rng = np.random.default_rng([5, 7, 0, 10])
    found = []
    for _ in range(12):
        sample = draw(rng, population, noncontact=0.10)
        found.append(rates(sample, icc={"wrongful_exit_rate": 0.02})["wrongful_exit_rate"])
    return found


def test_the_production_column_is_the_verdict(monkeypatch):
    monkeypatch.setattr(sim, "SETTINGS", (SETTING,))
    rows = sim.verdict_table(
        40, 5, noncontact=(0.10,), concentration=2.0, pools=3, fails_bounds=True
    )
    (wrongful,) = [row for row in rows if row["indicator"] == "wrongful_exit_rate"]
    assert wrongful["fails_production"] == wrongful["fails"]
    assert wrongful["fails_production_se"] == wrongful["fails_se"]
    # production's bound (the interval's 2.5 % end) lies below the one-sided 5 % bound used
    # before: it never says "fails" more often
    assert wrongful["fails_production"] <= wrongful["fails_one-sided-95"]
    assert all(f"fails_{name}" not in rows[1] for name in sim.FAILS_BOUNDS)  # recognition


def test_each_candidate_says_fails_exactly_when_its_bound_is_above_the_threshold(estimates):
    assert {e.method for e in estimates} == {"wilson-model"}
    said = {name: 0 for name in sim.FAILS_BOUNDS}
    for e in estimates:
        n = intervals.model_n(e.n_event, e.n_kish, e.deff_model)
        x = n * e.estimate
        expected = {
            "production": e.ci_low,
            "one-sided-95": est.one_sided_bound(e, "lower", 0.95),
            "clopper-pearson": stats.beta.ppf(0.05, x, n - x + 1) if x > 0 else 0.0,
            "fay-feuer": stats.gamma.ppf(0.05, x) / n if x > 0 else 0.0,
        }
        flags = sim._fails_flags(e, 0.02)
        for name, bound in expected.items():
            assert sim.fails_bound(e, name) == pytest.approx(bound, rel=1e-9, abs=1e-15)
            assert flags[f"fails_{name}"] == (bound > 0.02)
            said[name] += flags[f"fails_{name}"]
    # a 2.5 % county with a tiny ρ: the one-sided 95 % bound says "fails" in some samples,
    # and the interval's end and the exact candidates, further down, no more often
    assert said["one-sided-95"] > 0
    assert said["production"] <= said["one-sided-95"]
    assert said["clopper-pearson"] <= said["one-sided-95"]
    assert said["fay-feuer"] <= said["one-sided-95"]


def test_no_estimate_or_no_bound_never_says_fails(estimates):
    assert not any(sim._fails_flags(None, 0.02).values())
    undefined = replace(estimates[0], df=0.0, ci_low=math.nan)
    flags = sim._fails_flags(undefined, 0.02)  # no design df: no interval, no verdict bound
    assert not flags["fails_production"] and not flags["fails_one-sided-95"]


def test_the_table_prints_each_bound_with_its_standard_error():
    row = {"truth": 0.025, "noncontact": 0.1}
    for i, name in enumerate(sim.FAILS_BOUNDS):
        row[f"fails_{name}"], row[f"fails_{name}_se"] = 0.1 * i, 0.01
    line = sim.fails_line(row)
    assert line.startswith("| 2.50% | 10% | 0.000 (0.010) | 0.100 (0.010) | 0.200 (0.010)")
    assert sim.fails_header().count("P(fails, 95 %)") == len(sim.FAILS_BOUNDS)
