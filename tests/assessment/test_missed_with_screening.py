"""The missed rate with screening is unbiased: exact enumeration of every within-village SRS.

Two villages, both visited (village pi = 1). Non-registered households carry a screening
flag or not, and are missed (漏评) or not. Each village draws an SRS of non-registered
households; every flagged one not drawn is visited as a screening household. Averaged over
all possible samples, the estimated missed rate equals the true one exactly (the denominator
is the known non-registered population, so an unbiased numerator gives an unbiased ratio).
Without the adjustment, flagged households drawn by the SRS would count twice.
"""

import itertools

import numpy as np
import pytest

from assessment.indicators import CountyTotals, HouseholdSample, Scheme, estimate_county
from reports.county_estimates import screening_adjusted

# (persons, flagged, missed) per non-registered household
VILLAGES = {
    "A": [
        (3, True, True),
        (2, True, False),
        (4, False, True),
        (1, False, False),
        (5, False, False),
    ],
    "B": [(2, True, True), (3, False, False), (2, False, True), (6, True, False)],
}
SRS_SIZE = 2
EXITED = [("A", 3), ("B", 4)]  # one exited household per village, always visited
SCHEME = Scheme(0.02, 0.02, 0.02, 0.9)


def rows_for(sample: dict[str, tuple[int, ...]]) -> list[tuple]:
    rows = [(v, "exited", "selected", persons, False, 1.0, 0.0) for v, persons in EXITED]
    for village, households in VILLAGES.items():
        n_total = len(households)
        for index, (persons, flagged, missed) in enumerate(households):
            if index in sample[village]:
                role, pi_h = "selected", SRS_SIZE / n_total
            elif flagged:
                role, pi_h = "screening", 1.0
            else:
                continue
            m, r = screening_adjusted(
                role, "non_registered", flagged, True, pi_h, persons, missed, 1.0
            )
            rows.append((village, "non_registered", role, persons, missed, pi_h, m, r))
    return rows


def estimate(rows) -> float:
    exited = [r for r in rows if r[1] == "exited"]
    nr = [r for r in rows if r[1] == "non_registered"]
    village = np.array([r[0] for r in exited] + [r[0] for r in nr])
    weight = np.array([1.0] * len(exited) + [1 / r[5] for r in nr])
    persons = np.array([r[3] for r in exited] + [r[3] for r in nr], float)
    missed = np.array([0.0] * len(exited) + [r[6] for r in nr])
    status = np.array(["exited"] * len(exited) + ["non_registered"] * len(nr))
    known = {v: sum(p for p, _, _ in hh) for v, hh in VILLAGES.items()}
    n = len(village)
    sample = HouseholdSample(
        village=village,
        stratum=np.array(["poor"] * n),
        weight=weight,
        status=status,
        persons=persons,
        wrongly_exited=np.zeros(n, bool),
        missed_persons=missed,
        recognises=np.ones(n),
        random_village=np.ones(n, bool),
        township=village,
        household_type=status,
        village_weight=np.ones(n),
        village_non_registered=np.array([known[v] for v in village], float),
    )
    totals = CountyTotals(0, 7, sum(known.values()), 7 + sum(known.values()))
    return estimate_county(sample, totals, SCHEME)["missed_rate"].estimate


def test_missed_rate_with_screening_is_unbiased_over_every_sample():
    samples = [
        {"A": a, "B": b}
        for a in itertools.combinations(range(len(VILLAGES["A"])), SRS_SIZE)
        for b in itertools.combinations(range(len(VILLAGES["B"])), SRS_SIZE)
    ]
    mean = np.mean([estimate(rows_for(s)) for s in samples])
    truth = sum(p for hh in VILLAGES.values() for p, _, m in hh if m) / sum(
        p for hh in VILLAGES.values() for p, _, _ in hh
    )
    assert mean == pytest.approx(truth, rel=1e-12)


def test_screening_households_do_not_enter_recognition():
    missed, recognises = screening_adjusted(
        "screening", "non_registered", True, True, 1.0, 3, True, 1.0
    )
    assert missed == 3 and np.isnan(recognises)
