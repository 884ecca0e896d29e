"""Coverage simulation on a synthetic two-stage county (slow; runs in CI).

Villages are drawn by stratified SRS, then households by SRS within each village (a small
sampler written here, independent of the sampling core). The person-level rate is a ratio;
the full two-stage variance is used (FPC at both stages). Assertions: 95 % two-sided
intervals cover a common rate 93-97 % of the time; the one-sided 95 % upper bound of a rate
near 2 % (Korn-Graubard by the automatic rule) is exceeded by the truth about 5 % of the time.
The design is that of a real county (28 villages, 40 households each: about 1,100 interviews).
"""

import numpy as np
import pytest

from assessment import estimation as est

REPLICATES = 700


def _county(rng, mean_rate, n_villages=(40, 30)):
    """Population: (stratum, village, households' persons and flags) per village."""
    villages = []
    for stratum, count in enumerate(n_villages):
        for _ in range(count):
            size = int(rng.integers(40, 120))
            rate = rng.beta(mean_rate * 20, (1 - mean_rate) * 20)  # villages differ
            persons = rng.integers(1, 7, size).astype(float)
            villages.append((stratum, persons, rng.random(size) < rate))
    return villages


def _draw(rng, villages, per_stratum=14, households=40):
    strata = np.array([v[0] for v in villages])
    columns = {k: [] for k in ("stratum", "village", "hh", "persons", "flag", "n1", "n2")}
    for stratum in np.unique(strata):
        members = np.flatnonzero(strata == stratum)
        for village in rng.choice(members, per_stratum, replace=False):
            _, persons, flags = villages[village]
            pick = rng.choice(persons.size, households, replace=False)
            columns["stratum"] += [stratum] * households
            columns["village"] += [village] * households
            columns["hh"] += list(pick)
            columns["persons"] += list(persons[pick])
            columns["flag"] += list(flags[pick])
            columns["n1"] += [members.size] * households
            columns["n2"] += [persons.size] * households
    return {k: np.array(v) for k, v in columns.items()}


def _truth(villages):
    numerator = sum((p * f).sum() for _, p, f in villages)
    return numerator / sum(p.sum() for _, p, _ in villages)


def _estimate(sample):
    design = est.make_design(
        strata=sample["stratum"],
        clusters=[sample["village"], sample["hh"]],
        fpc=[sample["n1"].astype(float), sample["n2"].astype(float)],
    )
    y = sample["persons"] * sample["flag"]
    return est.ratio(design, y, sample["persons"])


@pytest.mark.slow
def test_two_sided_intervals_cover_a_common_rate():
    rng = np.random.default_rng(20240501)
    villages = _county(rng, 0.25)
    truth = _truth(villages)
    results = [_estimate(_draw(rng, villages)) for _ in range(REPLICATES)]
    covered = np.mean([r.ci_low <= truth <= r.ci_high for r in results])
    assert 0.93 <= covered <= 0.97, covered


@pytest.mark.slow
def test_one_sided_upper_bounds_hold_their_level_near_two_percent():
    rng = np.random.default_rng(7)
    villages = _county(rng, 0.02)
    truth = _truth(villages)
    results = [_estimate(_draw(rng, villages)) for _ in range(REPLICATES)]
    upper = np.array([est.one_sided_bound(r, "upper", 0.95) for r in results])
    exceeded = np.mean(truth > upper)
    # Nominal 5 %; Monte Carlo SE about 0.8 %. Skewed village rates make Korn-Graubard a little
    # liberal (5-8 % measured over seeds, see docs/estimation.md), hence the margin.
    assert exceeded <= 0.075, exceeded
    assert exceeded >= 0.005, exceeded  # and not absurdly conservative
    probabilities = np.array([est.probability_within(r, truth, "<=") for r in results])
    # The truth is above the 95 % upper bound exactly when the sample is 95 % confident that
    # the rate is below the truth: bounds and probabilities come from the same pivot.
    assert np.mean(probabilities > 0.95) == pytest.approx(exceeded, abs=1e-9)


if __name__ == "__main__":  # print the figures quoted in docs/estimation.md
    for rate in (0.25, 0.02):
        generator = np.random.default_rng(1)
        county = _county(generator, rate)
        true_rate = _truth(county)
        runs = [_estimate(_draw(generator, county)) for _ in range(REPLICATES)]
        two_sided = np.mean([r.ci_low <= true_rate <= r.ci_high for r in runs])
        above = np.mean([true_rate > est.one_sided_bound(r, "upper") for r in runs])
        print(
            f"rate {true_rate:.4f}: two-sided coverage {two_sided:.3f}, upper exceeded {above:.3f}"
        )
