"""The intra-village correlation ρ pooled over counties (:mod:`assessment.indicators.icc`).

Checked three ways: a tiny data set computed by hand (fractions written out below); R's
one-way ANOVA (``lm(event ~ county + village)``, villages nested in counties: its village
sum of squares is the pooled between-village sum, its residual the within) run live; and
seeded beta-binomial villages whose ICC is known (``1 / (a + b + 1)``).
"""

from __future__ import annotations

import csv
from fractions import Fraction

import numpy as np
import pytest

from assessment.indicators.icc import household_events, icc_terms, pooled_icc
from assessment.indicators.model import HouseholdSample
from tests.assessment.test_estimate_r_parity import run_r

# County A: village a1 events 1 1 0, village a2 0 0 0.
# County B: village b1 1 0, b2 0 0, b3 0 0 0 0.
COUNTY_A = (["a1"] * 3 + ["a2"] * 3, [1, 1, 0, 0, 0, 0])
COUNTY_B = (["b1"] * 2 + ["b2"] * 2 + ["b3"] * 4, [1, 0, 0, 0, 0, 0, 0, 0])


def test_pooled_icc_by_hand():
    # A: means 2/3, 0, grand 1/3: SSB = 3(1/3)² + 3(1/3)² = 2/3; SSW = 2(1/3)² + (2/3)² = 2/3;
    #    df 1 and 4; n0 = (6 - 18/6) / 1 = 3.
    # B: means 1/2, 0, 0, grand 1/8: SSB = 2(3/8)² + 2(1/8)² + 4(1/8)² = 3/8; SSW = 1/2;
    #    df 2 and 5; n0 = (8 - 24/8) / 2 = 5/2.
    # Pooled: MSB = (2/3 + 3/8) / 3 = 25/72, MSW = (2/3 + 1/2) / 9 = 7/54,
    #    n0 = (3·1 + 5/2·2) / 3 = 8/3; ρ = (MSB - MSW) / (MSB + (n0 - 1) MSW) = 141/365.
    a, b = icc_terms(*COUNTY_A), icc_terms(*COUNTY_B)
    assert (a.between, a.within, a.df_between, a.df_within, a.n0_df) == pytest.approx(
        (2 / 3, 2 / 3, 1, 4, 3)
    )
    assert (b.between, b.within, b.df_between, b.df_within, b.n0_df) == pytest.approx(
        (3 / 8, 1 / 2, 2, 5, 5)
    )
    pooled = pooled_icc([a, b])
    assert pooled.value == pytest.approx(float(Fraction(141, 365)), abs=1e-12)
    assert (pooled.counties, pooled.villages, pooled.households, pooled.events) == (2, 5, 14, 3)


def test_each_county_keeps_its_own_mean():
    # Two counties with different rates and no clustering within either: pooled ρ ≈ 0,
    # though the villages differ a lot if the two counties are taken as one.
    rng = np.random.default_rng(7)
    terms, village, events = [], [], []
    for county, rate in enumerate((0.02, 0.30)):
        v = np.repeat(np.arange(30) + 100 * county, 20)
        e = (rng.random(v.size) < rate).astype(float)
        terms.append(icc_terms(v, e))
        village.append(v)
        events.append(e)
    assert pooled_icc(terms).value < 0.01
    assert pooled_icc([icc_terms(np.concatenate(village), np.concatenate(events))]).value > 0.05


@pytest.mark.parametrize("concentration", [9.0, 3.0])  # ICC 1/(C + 1): 0.10, 0.25
def test_recovers_a_known_icc_from_beta_binomial_villages(concentration):
    rng = np.random.default_rng([2026, int(concentration)])
    terms = []
    for county in range(30):
        rate = (0.1, 0.2, 0.3)[county % 3]
        sizes = rng.integers(10, 31, size=30)
        p = rng.beta(rate * concentration, (1 - rate) * concentration, size=30)
        village = np.repeat(np.arange(30), sizes)
        terms.append(icc_terms(village, (rng.random(village.size) < p[village]).astype(float)))
    truth = 1 / (concentration + 1)
    # 900 villages: the estimate's SE is about 0.01 here
    assert pooled_icc(terms).value == pytest.approx(truth, abs=0.03)


def test_thin_counties_are_left_out_and_nothing_gives_nan():
    assert icc_terms(["v"] * 3, [0, 1, 0]) is None  # one village
    assert icc_terms(["v", "w"], [0, 1]) is None  # no household beside another
    empty = pooled_icc([None, None])
    assert np.isnan(empty.value) and empty.counties == 0
    no_event = pooled_icc([icc_terms(["v", "v", "w", "w"], [0, 0, 0, 0])])
    assert np.isnan(no_event.value) and no_event.households == 4 and no_event.events == 0
    with pytest.raises(ValueError, match="one length"):
        icc_terms(["v", "w"], [0.0])


def test_household_events_of_random_villages():
    sample = HouseholdSample(
        village=np.array(["v", "v", "w", "w", "p"]),
        stratum=np.array(["s"] * 5),
        weight=np.ones(5),
        status=np.array(["exited", "non_registered", "exited", "non_registered", "exited"]),
        persons=np.array([3, 4, 2, 5, 3], float),
        wrongly_exited=np.array([True, False, False, False, True]),
        missed_persons=np.array([0, 2, 0, 0, 0], float),
        recognises=np.ones(5),
        random_village=np.array([True, True, True, True, False]),
        township=np.array(["t"] * 5),
        household_type=np.array(["h"] * 5),
    )
    village, events = household_events(sample, "wrongful_exit_rate")
    assert list(village) == ["v", "w"] and list(events) == [1.0, 0.0]  # p is purposive
    village, events = household_events(sample, "missed_rate")
    assert list(village) == ["v", "w"] and list(events) == [1.0, 0.0]
    with pytest.raises(ValueError, match="recognition_rate"):
        household_events(sample, "recognition_rate")


R_ANOVA = """
d$county <- factor(d$county); d$village <- factor(d$village)
a <- anova(lm(event ~ county + village, data=d))
msb <- a["village", "Mean Sq"]; msw <- a["Residuals", "Mean Sq"]
n0 <- 0; dfb <- 0
for (c in levels(d$county)) {
  n <- table(droplevels(d$village[d$county == c])); k <- length(n); N <- sum(n)
  n0 <- n0 + (N - sum(n^2) / N); dfb <- dfb + k - 1
}
out(list(icc=max(0, (msb - msw) / (msb + (n0 / dfb - 1) * msw))))
"""


def test_pooled_icc_matches_r_one_way_anova(tmp_path):
    rng = np.random.default_rng(13)
    rows, terms = [], []
    for county in range(6):
        sizes = rng.integers(3, 15, size=8)
        p = rng.beta(0.5, 4.0, size=8)
        village = np.repeat(np.arange(8), sizes)
        events = (rng.random(village.size) < p[village]).astype(float)
        terms.append(icc_terms(village, events))
        rows += [
            (f"c{county}", f"c{county}v{v}", int(e)) for v, e in zip(village, events, strict=True)
        ]
    data = tmp_path / "events.csv"
    with data.open("w", newline="") as out:
        csv.writer(out).writerows([("county", "village", "event"), *rows])
    expected = run_r(R_ANOVA, data)["icc"]
    assert 0 < expected < 1
    assert pooled_icc(terms).value == pytest.approx(expected, rel=1e-9)
