"""Back-check comparison and draw (pure): tolerances, Wilson intervals, the seeded sample."""

import math

import pytest

from backchecks.compare import Pair, compare, differs, draw_digest, draw_sample, wilson
from backchecks.services import backcheck_items
from backchecks.spec import parse_spec
from surveys.instruments.definition import builtin_instrument

ITEMS = {i.name: i for i in backcheck_items()}

# R 4: prop.test(k, n, correct = FALSE)$conf.int (the Wilson score interval).
R_WILSON = [
    (0, 10, 0.000000000000, 0.277532799863),
    (1, 10, 0.017876213095, 0.404150026795),
    (3, 7, 0.158219855251, 0.749541635472),
    (5, 5, 0.565517535217, 1.000000000000),
    (12, 40, 0.180748452297, 0.454300188181),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), R_WILSON)
def test_wilson_matches_r(k, n, low, high):
    assert wilson(k, n) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))


def test_wilson_without_data_is_nan_and_bad_counts_are_refused():
    assert all(math.isnan(v) for v in wilson(0, 0))
    with pytest.raises(ValueError, match="need 0 <= k <= n"):
        wilson(3, 2)


@pytest.mark.parametrize(
    ("name", "original", "again", "expected"),
    [
        ("household_size", 4, 4, False),
        ("household_size", 4, 5, True),  # type 1, tolerance 0
        ("housing_built_year", 2005, 2006, False),  # tolerance 1
        ("housing_built_year", 2005, 2007, True),
        ("income_wages", 10000, 11900, False),  # relative 20 %
        ("income_wages", 10000, 12100, True),
        ("housing_structure", "brick_wood", "brick_wood", False),
        ("housing_structure", "brick_wood", "earth", True),
        ("income_stable", True, False, True),
        ("food_protein", True, None, None),  # not asked again: not compared
    ],
)
def test_differences_beyond_the_tolerance_are_discrepancies(name, original, again, expected):
    assert differs(ITEMS[name], original, again) is expected


def test_rates_per_item_assessor_and_team_with_flags():
    items = [ITEMS["household_size"], ITEMS["income_stable"]]
    pairs = [
        Pair(
            "A0001",
            "T1",
            {"household_size": 4, "income_stable": True},
            {"household_size": 4, "income_stable": False},
        ),
        Pair(
            "A0001",
            "T1",
            {"household_size": 3, "income_stable": True},
            {"household_size": 5, "income_stable": True},
        ),
        Pair("A0002", "T2", {"household_size": 6, "income_stable": True}, {"household_size": 6}),
    ]
    found = compare(pairs, items)
    size, stable = found.items
    assert (size.compared, size.discrepant, size.flagged) == (3, 1, True)  # 1/3 > 10 %
    assert (stable.compared, stable.discrepant, stable.flagged) == (2, 1, True)  # 1/2 > 30 %
    assert (size.ci_low, size.ci_high) == pytest.approx(wilson(1, 3))
    # Assessors and teams on the type 1 items only.
    assert [(r.key, r.compared, r.discrepant, r.flagged) for r in found.assessors] == [
        ("A0001", 2, 1, True),
        ("A0002", 1, 0, False),
    ]
    assert [r.key for r in found.teams] == ["T1", "T2"]


def test_the_draw_takes_a_share_per_assessor_with_a_minimum_and_is_reproducible():
    population = {"A1": list(range(1, 21)), "A2": [101, 102, 103], "A3": [201]}
    drawn = draw_sample(population, 0.1, 2, seed=7)
    by = {a: [i for i in drawn if i in ids] for a, ids in population.items()}
    # ceil(10 % of 20) = 2; A2: the minimum 2 of 3; A3: its only one.
    assert [len(by[a]) for a in ("A1", "A2", "A3")] == [2, 2, 1]
    assert draw_sample(population, 0.1, 2, seed=7) == drawn
    assert draw_digest(population, 0.1, 2, 7, drawn) != draw_digest(population, 0.1, 2, 8, drawn)
    with pytest.raises(ValueError, match="share"):
        draw_sample(population, 0, 2, seed=1)


def test_every_interview_of_an_assessor_is_equally_likely_to_be_drawn():
    # Exact: 2 of 5 without replacement gives each id probability 2/5; 4,000 seeded draws.
    counts = dict.fromkeys(range(5), 0)
    for seed in range(4000):
        for i in draw_sample({"A": list(range(5))}, 0.4, 0, seed=seed):
            counts[i] += 1
    for n in counts.values():
        assert abs(n / 4000 - 0.4) < 4 * math.sqrt(0.4 * 0.6 / 4000)


def test_the_spec_refuses_unknown_questions_and_types():
    instrument = builtin_instrument("verification", 1)
    with pytest.raises(ValueError, match="no such question"):
        parse_spec({"items": [{"name": "nope", "type": 1}]}, instrument)
    with pytest.raises(ValueError, match="type must be one of"):
        parse_spec({"items": [{"name": "head_sex", "type": 4}]}, instrument)
