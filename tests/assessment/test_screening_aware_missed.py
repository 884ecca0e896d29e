"""The screening-aware effective size of 漏评率 (two groups: measured only; census: production
for rounds that record a screening model).

``assessment.estimation.grouped_model_n`` against a hand-worked example, its reduction to the
production ``n_K / (1 + (b* - 1) ρ)`` with one group, and the pooled relative rates and ρ of
the screening groups (``assessment.indicators.icc.pooled_screening_model``) against a hand
count. The simulation that decided not to adopt it is in docs/estimation.md ("A
screening-aware effective size for 漏评").
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from assessment import estimation as est
from assessment.indicators.county import rates
from assessment.indicators.icc import pooled_screening_model, screening_group_events
from assessment.indicators.model import HouseholdSample


def _two_villages():
    """Four rows: village A holds a flagged row (unit 1) and an unflagged one (unit 3),
    village B a flagged (1) and an unflagged (1)."""
    design = est.make_design(np.ones(4), clusters=[np.array([0, 0, 1, 1])])
    units = np.array([1.0, 3.0, 1.0, 1.0])
    groups = np.array(["f", "u", "f", "u"])
    return design, units, groups


def test_grouped_size_matches_a_hand_computation():
    design, units, groups = _two_villages()
    # k_f = 4, k_u = 0.5, ρ_f = 0.5, ρ_u = 0.2, p = 0.1:
    # v_f = 4 (1 - 0.4) = 2.4, v_u = 0.5 (1 - 0.05) = 0.475
    # within = 0.5 · 2.4 · (1² + 1²) + 0.8 · 0.475 · (3² + 1²) = 2.4 + 3.8 = 6.2
    # a_f² = 0.5 · 2.4 = 1.2, a_u² = 0.2 · 0.475 = 0.095, a_f a_u = √0.114
    # village A: (a_f · 1 + a_u · 3)² = 1.2 + 6 √0.114 + 0.855; B: 1.2 + 2 √0.114 + 0.095
    # n = (1 - p) (Σ u)² / (within + A + B) = 0.9 · 36 / (9.55 + 8 √0.114)
    expected = 32.4 / (9.55 + 8 * math.sqrt(0.114))
    found = est.grouped_model_n(
        design, units, groups, {"f": 4.0, "u": 0.5}, {"f": 0.5, "u": 0.2}, 0.1
    )
    assert found == pytest.approx(expected, rel=1e-12)
    assert found == pytest.approx(2.64466, rel=1e-5)


def test_one_group_is_kish_over_gablers_design_effect():
    design, units, _ = _two_villages()
    # Σ u = 6, Σ u² = 12; villages 4 and 2: b* = 20 / 12; ρ = 0.1
    expected = (36 / 12) / (1 + (20 / 12 - 1) * 0.1)
    for p in (0.0, 0.02, 0.3):  # with k = 1 the size does not depend on p
        found = est.grouped_model_n(design, units, np.zeros(4), {0: 1.0}, {0: 0.1}, p)
        assert found == pytest.approx(expected, rel=1e-12)


def test_a_rarer_group_carrying_the_large_units_gives_more_effective_size():
    design, units, groups = _two_villages()
    same = est.grouped_model_n(design, units, groups, {"f": 1, "u": 1}, {"f": 0.2, "u": 0.2}, 0)
    # k_f = 2, k_u = 0.5 keep the mean rate: (2 · 2 + 0.5 · 4) / 6 = 1
    aware = est.grouped_model_n(design, units, groups, {"f": 2, "u": 0.5}, {"f": 0.2, "u": 0.2}, 0)
    assert aware > same  # the unflagged rows (units 3 and 1) hold half the events per unit
    none = est.grouped_model_n(design, units, groups, {"f": 0, "u": 0}, {"f": 0.2, "u": 0.2}, 0)
    assert none == math.inf
    with pytest.raises(est.EstimationError, match="icc"):
        est.grouped_model_n(design, units, groups, {"f": 1, "u": 1}, {"f": 2, "u": 0}, 0)
    with pytest.raises(est.EstimationError, match="relative"):
        est.grouped_model_n(design, units, groups, {"f": -1, "u": 1}, {"f": 0, "u": 0}, 0)


FLAGGED = np.array([1, 1, 0, 0, 1, 0, 0, 0], bool)


def _sample(flagged, lists=None):
    """Two villages of non-registered households; weights 10 (flagged, census) and 40;
    ``lists``: the villages' numbers of non-registered households."""
    n = 8
    village = np.array([1, 1, 1, 1, 2, 2, 2, 2])
    missed = np.array([2, 0, 0, 0, 3, 0, 1, 0], float)  # persons found meeting the criteria
    return HouseholdSample(
        village=village,
        stratum=np.full(n, "s"),
        weight=np.where(FLAGGED, 10.0, 40.0),
        status=np.full(n, "non_registered"),
        persons=np.array([2, 3, 1, 4, 3, 2, 1, 2], float),
        wrongly_exited=np.zeros(n, bool),
        missed_persons=missed,
        recognises=np.full(n, np.nan),
        random_village=np.ones(n, bool),
        township=np.full(n, "t"),
        household_type=np.full(n, "general"),
        flagged=flagged,
        village_nr_households=None if lists is None else np.repeat(lists, 4).astype(float),
    )


def test_pooled_relative_rates_and_rho_of_the_screening_groups():
    flagged = np.array([1, 1, 0, 0, 1, 0, 0, 0], bool)
    model = pooled_screening_model([screening_group_events(_sample(flagged))])
    # weighted: flagged rows 1, 2, 5 (weight 10), events at 1 and 5 → 20 / 30;
    # unflagged rows 3, 4, 6, 7, 8 (weight 40), an event at 7 → 40 / 200;
    # all: 60 / 230. k_f = (2/3) / (6/23) = 23/9, k_u = (1/5) / (6/23) = 23/30
    assert model["flagged"][0] == pytest.approx(23 / 9, rel=1e-12)
    assert model["unflagged"][0] == pytest.approx(23 / 30, rel=1e-12)
    # flagged: village 1 events (1, 0), village 2 (1): SSB = 2·(1/2 - 2/3)² + (1 - 2/3)² = 1/6,
    # SSW = 1/2; MSB = 1/6, MSW = 1/2: ρ below 0 → 0
    assert model["flagged"][1] == 0.0
    # unflagged: village 1 (0, 0), village 2 (0, 1, 0): means 0 and 1/3, grand 1/5;
    # SSB = 2·(1/5)² + 3·(2/15)² = 2/25 + 4/75 = 2/15, SSW = 2/3; MSB = 2/15, MSW = 2/9;
    # also below 0 → 0
    assert model["unflagged"][1] == 0.0
    with pytest.raises(ValueError, match="flagged"):
        screening_group_events(_sample(None))


def test_the_county_interval_takes_the_grouped_size_and_its_bound_follows():
    flagged = np.array([1, 1, 0, 0, 1, 0, 0, 0], bool)
    sample = _sample(flagged)
    screening = {"flagged": (3.0, 0.3), "unflagged": (0.5, 0.05)}
    plain = rates(sample, icc=0.1)["missed_rate"]
    aware = rates(sample, icc=0.1, screening=screening)["missed_rate"]
    assert plain.method == aware.method == "wilson-model"
    assert aware.estimate == plain.estimate and aware.se == plain.se
    design = est.make_design(sample.weight, clusters=[sample.village])
    n = est.grouped_model_n(
        design,
        sample.weight * sample.persons,
        np.where(flagged, "flagged", "unflagged"),
        {"flagged": 3.0, "unflagged": 0.5},
        {"flagged": 0.3, "unflagged": 0.05},
        plain.estimate,
    )
    assert aware.n_event == pytest.approx(n, rel=1e-12) and aware.deff_model == 1.0
    p, t = aware.estimate, stats.t.ppf(0.975, aware.df)
    high = (p + t * t / (2 * n) + t * math.sqrt(p * (1 - p) / n + t * t / (4 * n * n))) / (
        1 + t * t / n
    )
    assert aware.ci_high == pytest.approx(high, rel=1e-12)
    upper = est.one_sided_bound(aware, "upper", 0.95)
    assert aware.ci_low < p < upper < aware.ci_high
    with pytest.raises(ValueError, match="flagged"):
        rates(_sample(None), icc=0.1, screening=screening)


def test_census_variant_pools_the_flagged_events_over_the_villages_lists():
    model = pooled_screening_model([screening_group_events(_sample(FLAGGED, [6, 5]))])
    # flagged 漏评 weight 20 of 60: the share 1/3
    assert model["census"][0] == pytest.approx(1 / 3, rel=1e-12)
    # lists of 6 and 5 households, one flagged event each: means 1/6, 1/5, grand 2/11;
    # SSB = 6 (1/66)² + 5 (1/55)² = 1/330, SSW = 5/6 + 4/5 = 49/30, df 1 and 9:
    # MSB < MSW, so ρ = 0
    assert model["census"][1] == 0.0
    model = pooled_screening_model([screening_group_events(_sample(FLAGGED, [1, 5]))])
    # lists of 1 and 5: means 1 and 1/5, grand 1/3: SSB = (2/3)² + 5 (2/15)² = 8/15,
    # SSW = 4/5, df 1 and 4: MSB = 8/15, MSW = 1/5; n0 = 6 - 26/6 = 5/3;
    # ρ = (8/15 - 3/15) / (8/15 + (2/3)(3/15)) = 1/2
    assert model["census"][1] == pytest.approx(0.5, rel=1e-12)


def test_census_variant_of_the_county_interval_matches_a_hand_computation():
    sample = _sample(FLAGGED, [6, 5])
    screening = {
        "flagged": (3.0, 0.3),
        "unflagged": (0.5, 0.05),
        "census": (0.6, 0.1),
    }
    aware = rates(sample, icc=0.1, screening=screening)["missed_rate"]
    # no village counts in the sample: x is the persons, so w_v X_v = Σ w persons per village:
    # village 1: 10·2 + 10·3 + 40·1 + 40·4 = 250, village 2: 10·3 + 40·2 + 40·1 + 40·2 = 230
    p = (10 * 2 + 10 * 3 + 40 * 1) / 480
    assert aware.estimate == pytest.approx(p, rel=1e-12)
    # census group: village 1 the flagged units 20, 30 and 4 others of (250 - 50) / 4 = 50;
    # village 2 the flagged 30 and 4 others of (230 - 30) / 4 = 50
    census = {1: [20, 30, 50, 50, 50, 50], 2: [30, 50, 50, 50, 50]}
    unflagged = {1: [40, 160], 2: [80, 40, 80]}  # the SRS rows' units w s
    v_c, v_u = 0.6 * (1 - 0.6 * p), 0.5 * (1 - 0.5 * p)
    within = (1 - 0.1) * v_c * sum(u * u for c in census.values() for u in c)
    within += (1 - 0.05) * v_u * sum(u * u for c in unflagged.values() for u in c)
    a_c, a_u = math.sqrt(0.1 * v_c), math.sqrt(0.05 * v_u)
    between = sum((a_c * sum(census[c]) + a_u * sum(unflagged[c])) ** 2 for c in (1, 2))
    n = (1 - p) * 480**2 / (within + between)
    assert aware.n_event == pytest.approx(n, rel=1e-12)
    groups = rates(sample, icc=0.1, screening={k: screening[k] for k in ("flagged", "unflagged")})
    assert groups["missed_rate"].n_event != pytest.approx(n)  # the two variants differ
