"""Thin data never breaks the pure core: every stage of fieldwork gives a result, never a raise.

Each case is a state a real round passes through (issue #13): no interview, one interview, one
status group only, zero events, zero denominators, one village, no random village, an empty
township. What cannot be estimated is ``insufficient_data`` with a reason; what can, is.
"""

import json
import math

import numpy as np
import pytest

from assessment import indicators as ind

SCHEME = ind.Scheme(0.02, 0.02, 0.02, 0.90)
COUNTY = ind.CountyTotals(500, 20_000, 180_000, 250_000)
INSUFFICIENT = "insufficient_data"


def sample(rows):
    """A HouseholdSample from (village, stratum, status, persons, wrong, missed, recognises,
    random, township) tuples, weight 10 and village weight 2 throughout."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * 9
    village, stratum, status, persons, wrong, missed, recognises, random, township = columns
    n = len(village)
    return ind.HouseholdSample(
        village=np.array(village, dtype=object),
        stratum=np.array(stratum, dtype=str),
        weight=np.full(n, 10.0),
        status=np.array(status, dtype=str),
        persons=np.array(persons, float),
        wrongly_exited=np.array(wrong, bool),
        missed_persons=np.array(missed, float),
        recognises=np.array(recognises, float),
        random_village=np.array(random, bool),
        township=np.array(township, dtype=str),
        household_type=np.array(status, dtype=str),
        village_weight=np.full(n, 2.0),
        village_non_registered=np.full(n, 50.0),
    )


def exited(village, stratum="poor", wrong=False, recognises=1.0, random=True, township="t1"):
    return (village, stratum, "exited", 3, wrong, 0.0, recognises, random, township)


def non_registered(village, stratum="poor", missed=0.0, random=True, township="t1"):
    return (village, stratum, "non_registered", 4, False, missed, 1.0, random, township)


def assert_json_safe(result):
    for indicator in result.indicators:
        text = json.dumps(indicator.as_dict(), allow_nan=False)
        assert set(json.loads(text)) >= {
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "one_sided_bound",
            "threshold",
            "official",
            "confidence",
            "probability_within",
        }


def test_no_interview_gives_every_indicator_insufficient():
    result = ind.estimate_county(sample([]), COUNTY, SCHEME)
    assert result.reason == "no_interviews"
    assert result.official == INSUFFICIENT and result.confidence == INSUFFICIENT
    assert not result.official_pass
    for indicator in result.indicators:
        assert indicator.official == INSUFFICIENT and indicator.confidence == INSUFFICIENT
        assert math.isnan(indicator.estimate) and indicator.reason == "no_interviews"
    assert_json_safe(result)


def test_one_interview_gives_a_point_but_no_confidence():
    result = ind.estimate_county(sample([exited("v1")]), COUNTY, SCHEME)
    wrongful = result["wrongful_exit_rate"]
    assert wrongful.estimate == 0 and wrongful.official == "meets"
    # One village: no design degree of freedom, so nothing can be said with confidence.
    assert wrongful.confidence == INSUFFICIENT
    assert wrongful.reason == "no_degrees_of_freedom"
    assert math.isnan(wrongful.one_sided_bound) and math.isnan(wrongful.probability_within)
    missed = result["missed_rate"]
    assert missed.official == INSUFFICIENT and missed.reason == "no_rows"
    assert result["poverty_incidence"].reason == "component"
    assert result.official == INSUFFICIENT and result.confidence == INSUFFICIENT
    assert_json_safe(result)


def test_one_status_group_only():
    rows = [non_registered(v, s) for v, s in [("a", "poor"), ("b", "poor"), ("c", "non_poor"),
                                              ("d", "non_poor")]]  # fmt: skip
    result = ind.estimate_county(sample(rows), COUNTY, SCHEME)
    assert result["wrongful_exit_rate"].reason == "no_rows"
    missed = result["missed_rate"]
    assert missed.estimate == 0 and missed.confidence in ("meets", "inconclusive")
    assert missed.one_sided_bound > 0  # zero events still bound the rate
    assert result["recognition_rate"].estimate == 1.0
    # No exited household: incidence cannot be formed while the county has exited persons.
    assert result["poverty_incidence"].official == INSUFFICIENT


def test_incidence_needs_only_the_rates_of_populations_present():
    rows = [non_registered(v, s) for v, s in [("a", "poor"), ("b", "poor"), ("c", "non_poor"),
                                              ("d", "non_poor")]]  # fmt: skip
    county = ind.CountyTotals(500, 0, 180_000, 180_500)  # no exited person in the county
    incidence = ind.estimate_county(sample(rows), county, SCHEME)["poverty_incidence"]
    assert incidence.estimate == pytest.approx(500 / 180_500)
    assert incidence.upper_bound > incidence.estimate
    registry_only = ind.CountyTotals(300, 0, 0, 30_000)
    exact = ind.estimate_county(sample(rows), registry_only, SCHEME)["poverty_incidence"]
    assert exact.estimate == exact.ci_low == exact.ci_high == exact.one_sided_bound == 0.01
    assert exact.official == "meets" and exact.confidence == "meets"


def test_zero_denominators_are_insufficient_not_errors():
    rows = [exited(v, s) for v, s in [("a", "poor"), ("b", "poor"), ("c", "x"), ("d", "x")]]
    rows += [non_registered(v, s) for v, s in [("a", "poor"), ("c", "x")]]
    data = sample(rows)
    no_persons = ind.HouseholdSample(**{**vars(data), "persons": np.zeros(len(rows))})
    result = ind.estimate_county(no_persons, COUNTY, SCHEME)
    assert result["wrongful_exit_rate"].reason == "zero_denominator"
    empty_villages = ind.HouseholdSample(
        **{**vars(data), "village_non_registered": np.zeros(len(rows))}
    )
    result = ind.estimate_county(empty_villages, COUNTY, SCHEME)
    assert result["missed_rate"].reason == "zero_denominator"
    assert result["missed_rate"].official == INSUFFICIENT
    assert_json_safe(result)
    zero_rural = ind.CountyTotals(0, 0, 0, 0)
    assert ind.estimate_county(data, zero_rural, SCHEME)["poverty_incidence"].reason == (
        "no_population"
    )


def test_zero_events_give_positive_bounds_and_a_statement():
    rows = [exited(v, s) for v, s in [("a", "p"), ("b", "p"), ("c", "q"), ("d", "q")] * 5]
    rows += [non_registered(v, s) for v, s in [("a", "p"), ("b", "p"), ("c", "q"), ("d", "q")]]
    result = ind.estimate_county(sample(rows), COUNTY, SCHEME)
    for name in ("wrongful_exit_rate", "missed_rate"):
        assert result[name].estimate == 0
        assert 0 < result[name].one_sided_bound < 1
        assert result[name].confidence in ("meets", "inconclusive")
        assert result[name].bound_label is not None
    assert "upper bound" in str(result["wrongful_exit_rate"].bound_label)
    assert "lower bound" in str(result["recognition_rate"].bound_label)


def test_single_village_gives_points_and_no_confidence():
    rows = [exited("v"), exited("v", wrong=True), non_registered("v", missed=4.0)]
    result = ind.estimate_county(sample(rows), COUNTY, SCHEME)
    for indicator in result.indicators:
        assert indicator.confidence == INSUFFICIENT
    assert result["wrongful_exit_rate"].official == "fails"  # 3 of 6 persons
    assert result.official == "fails"  # failing the official rule is decisive
    assert result.confidence == INSUFFICIENT


def test_no_random_village_keeps_the_purposive_summary():
    rows = [exited("v", random=False), exited("v", wrong=True, random=False)]
    result = ind.estimate_county(sample(rows), COUNTY, SCHEME)
    assert result.reason == "no_random_village"
    assert all(i.official == INSUFFICIENT for i in result.indicators)
    assert result.purposive.households == 2 and result.purposive.wrongful_exit_rate == 0.5


def test_breakdowns_mark_groups_that_cannot_be_estimated():
    rows = [exited(v, s, township="t1") for v, s in [("a", "p"), ("b", "p"), ("c", "q"),
                                                     ("d", "q")]]  # fmt: skip
    rows += [non_registered("e", "q", township="t2"), non_registered("a", "p", township="t1")]
    data = sample(rows)
    known = np.where(np.array([r[0] for r in rows]) == "e", 0.0, 50.0)
    data = ind.HouseholdSample(**{**vars(data), "village_non_registered": known})
    result = ind.estimate_county(data, COUNTY, SCHEME)
    rows_by = {(r.group, r.indicator): r for r in result.by_township}
    assert rows_by[("t2", "missed_rate")].reason == "zero_denominator"
    assert math.isnan(rows_by[("t2", "missed_rate")].estimate.estimate)
    assert ("t2", "wrongful_exit_rate") not in rows_by  # no exited household in t2
    assert rows_by[("t1", "wrongful_exit_rate")].reason is None


@pytest.mark.parametrize(
    ("officials", "confidences", "official", "confidence"),
    [
        (["meets"] * 4, ["meets"] * 4, "meets", "meets"),
        (["meets", "fails", INSUFFICIENT, "meets"], ["meets"] * 4, "fails", "meets"),
        (
            ["meets", INSUFFICIENT, "meets", "meets"],
            ["meets", "inconclusive"] * 2,
            INSUFFICIENT,
            "inconclusive",
        ),
        (["meets"] * 4, ["fails", INSUFFICIENT, "meets", "meets"], "meets", "fails"),
        (["meets"] * 4, ["inconclusive", INSUFFICIENT, "meets", "meets"], "meets", INSUFFICIENT),
    ],
)
def test_county_verdict_combines_the_indicators(officials, confidences, official, confidence):
    class Result:
        def __init__(self, o, c):
            self.official, self.confidence = ind.Official(o), ind.Confidence(c)

    results = [Result(o, c) for o, c in zip(officials, confidences, strict=True)]
    assert ind.combine(results) == (official, confidence)
