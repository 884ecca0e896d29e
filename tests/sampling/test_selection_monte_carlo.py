"""Monte Carlo at fixed seeds: selection frequencies match the inclusion probabilities.

Each unit's count over R replicates is compared with its binomial expectation R * pi, with a
Bonferroni family-wise level of 0.001 over the units tested, so a correct draw fails with
probability below 0.001 and, the seeds being fixed, the test is deterministic.
"""

from __future__ import annotations

import collections
import hashlib

import numpy as np
import pytest
from scipy import stats

from sampling import rng
from sampling.designs import parse_design
from sampling.selection import draw
from sampling.two_stage import select_villages


def _assert_binomial(counts: np.ndarray, pi: np.ndarray, replicates: int) -> None:
    random_units = (pi > 0) & (pi < 1)
    z = stats.norm.ppf(1 - 0.001 / (2 * random_units.sum()))
    expected = replicates * pi
    sd = np.sqrt(replicates * pi * (1 - pi))
    assert np.all(np.abs(counts - expected)[random_units] <= z * sd[random_units]), (
        counts,
        expected,
    )
    assert np.all(counts[pi == 1] == replicates)


@pytest.mark.slow
def test_pps_village_frequencies_match_probabilities_with_a_certainty_unit(frame_from):
    sizes = [400, 100, 100, 80, 60, 40, 20, 20, 10, 10]
    frame = frame_from([("poor", False, size, 0, 0) for size in sizes])
    design = parse_design(
        {"type": "two-stage", "villages": {"poor": 4}, "households_per_village": {"exited": 1}}
    )
    # Theory (hand-worked): the 400 village is certain (400 >= 840 / 4); the rest get
    # 3 * size / 440.
    pi = np.array([1.0] + [3 * s / 440 for s in sizes[1:]])
    generator = rng.make_generator(bytes(range(32)))
    replicates = 4000
    counts = np.zeros(len(sizes))
    for _ in range(replicates):
        chosen, *_ = select_villages(frame, design, generator, {"strata": [], "shortfalls": []})
        counts[chosen] += 1
    _assert_binomial(counts, pi, replicates)


@pytest.mark.slow
def test_within_village_srs_and_first_reserve_are_uniform(frame_from):
    frame = frame_from([("poor", False, 12, 0, 7)])
    design = parse_design(
        {
            "type": "two-stage",
            "villages": {"poor": 1},
            "households_per_village": {"exited": 3, "non_registered": 2},
            "reserves_per_household": 1,
        }
    )
    ids = frame.household_id.tolist()
    selected = collections.Counter()
    first_reserve = collections.Counter()
    replicates = 3000
    for i in range(replicates):
        seed = hashlib.sha256(f"replicate {i}".encode()).digest()
        for h in draw(frame, design, seed).households:
            if h.role == "selected":
                selected[h.household_id] += 1
            elif h.reserve_rank == 1:
                first_reserve[h.household_id] += 1
    pi = np.array([3 / 12] * 12 + [2 / 7] * 7)
    _assert_binomial(np.array([selected[i] for i in ids]), pi, replicates)
    # Reserve 1 is the (n+1)-th smallest uniform: each household with probability 1/N.
    _assert_binomial(
        np.array([first_reserve[i] for i in ids]),
        np.array([1 / 12] * 12 + [1 / 7] * 7),
        replicates,
    )
