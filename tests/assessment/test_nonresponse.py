"""Non-response: weighting classes (hand-worked and exact enumeration), AAPOR rates, worst case."""

import itertools
import math

import numpy as np
import pytest

from assessment.indicators import nonresponse as nr


def test_respondents_carry_their_cells_weight():
    # Village 1: three exited households (weights 10, 10, 20), the 20 unreached; two
    # screening households (weight 5), one unreached. Village 2: everyone reached.
    weights = [10, 10, 20, 5, 5, 8, 8]
    kind = ["exited"] * 3 + ["screening"] * 2 + ["exited"] * 2
    position = [1, 1, 1, 1, 1, 2, 2]
    responded = [True, True, False, True, False, True, True]
    result = nr.weighting_class_adjustment(weights, ["poor"] * 7, position, kind, responded)
    assert result.weights.tolist() == [20, 20, 0, 10, 0, 8, 8]
    assert result.factors[("poor", 1, "exited")] == 2.0
    assert result.factors[("poor", 1, "screening")] == 2.0
    assert result.factors[("poor", 2, "exited")] == 1.0
    assert result.collapsed == {} and result.lost == ()
    assert result.respondents[("poor", 1, "exited")] == 2
    assert result.units[("poor", 1, "exited")] == 3


def test_a_cell_without_respondent_joins_the_nearest_village_of_its_stratum():
    # Villages 3 and 7 have respondents; village 5 (none) is as near to both: the earlier
    # wins. Village 9 of another stratum has nobody reached and no neighbour in its stratum:
    # its weight is spread over every exited respondent.
    weights = [4, 4, 6, 2, 2, 10]
    stratum = ["poor"] * 5 + ["non_poor"]
    position = [3, 3, 5, 7, 7, 9]
    responded = [True, True, False, True, True, False]
    result = nr.weighting_class_adjustment(weights, stratum, position, ["exited"] * 6, responded)
    assert result.collapsed[("poor", 5, "exited")] == ("poor", 3, "exited")
    assert result.collapsed[("non_poor", 9, "exited")] is None
    # Village 3 carries 8 + 6 = 14, village 7 carries 4; then the pooled 10 is spread over
    # 18 in proportion: factors 14/8 * 28/18 and 1 * 28/18.
    assert result.weights.sum() == pytest.approx(sum(weights))
    assert result.weights[0] == pytest.approx(4 * 14 / 8 * 28 / 18)
    assert result.weights[3] == pytest.approx(2 * 28 / 18)
    assert result.lost == ()


def test_weight_with_nowhere_to_go_is_reported_lost():
    result = nr.weighting_class_adjustment(
        [3, 3, 5], ["poor"] * 3, [1, 1, 2], ["exited", "exited", "screening"], [1, 1, 0]
    )
    assert result.lost == (("poor", 2, "screening"),)
    assert result.weights.tolist() == [3, 3, 0]


def test_adjusted_total_is_unbiased_when_non_contact_is_at_random_within_the_cell():
    # Exact enumeration: every set of r respondents out of a cell's units is equally likely
    # (missing at random within the cell). Averaged over them, the adjusted weighted total
    # equals the cell's full weighted total, for every r >= 1.
    y = np.array([0.0, 3, 0, 5, 1, 0])
    weights = np.array([2.0, 2, 2, 2, 2, 2])
    truth = float(np.sum(weights * y))
    for r in range(1, y.size + 1):
        totals = []
        for reached in itertools.combinations(range(y.size), r):
            responded = np.isin(np.arange(y.size), reached)
            adjusted = nr.weighting_class_adjustment(
                weights, ["s"] * y.size, [0] * y.size, ["exited"] * y.size, responded
            ).weights
            totals.append(float(np.sum(adjusted * y)))
        assert np.mean(totals) == pytest.approx(truth, rel=1e-12)


def test_adjustment_validates_its_inputs():
    with pytest.raises(ValueError, match="weights"):
        nr.weighting_class_adjustment([-1], ["s"], [0], ["exited"], [True])
    with pytest.raises(ValueError, match="responded must have 2"):
        nr.weighting_class_adjustment([1, 1], ["s"] * 2, [0, 0], ["exited"] * 2, [True])


def test_response_rates_follow_aapor_formulas():
    # A published worked example (statscalculators.com, AAPOR calculator): 650 complete,
    # 50 partial, 150 refusals, 100 non-contacts, 30 other, 20 of unknown eligibility:
    # RR1 = 65 %. COOP1 = I / ((I+P)+R+O) as AAPOR's corrected calculator gives it.
    outcomes = ["I"] * 650 + ["P"] * 50 + ["R"] * 150 + ["NC"] * 100 + ["O"] * 30 + ["UO"] * 20
    rates = nr.response_rates(outcomes)
    assert rates.rr1 == pytest.approx(0.65)
    assert rates.coop1 == pytest.approx(650 / 880)
    assert rates.con1 == pytest.approx(880 / 1000)
    assert not rates.weighted


def test_our_contact_outcomes_map_to_aapor_groups():
    outcomes = ["interviewed"] * 8 + ["absent", "refused", "moved", "deceased", "not_found"]
    rates = nr.response_rates(outcomes)
    assert dict(rates.counts) == {
        "I": 8, "P": 0, "R": 1, "NC": 2, "O": 1, "UH": 0, "UO": 1, "NE": 0
    }  # fmt: skip
    assert rates.rr1 == pytest.approx(8 / 13)
    weighted = nr.response_rates(["interviewed", "absent"], weights=[3.0, 1.0])
    assert weighted.rr1 == pytest.approx(0.75) and weighted.weighted
    assert math.isnan(nr.response_rates([]).rr1)
    with pytest.raises(ValueError, match="unknown contact outcomes"):
        nr.response_rates(["gone fishing"])


def test_worst_case_counts_every_unreached_household_as_failing():
    # Two reached exited households (4 persons, 1 wrongly exited household of 2), one
    # unreached household of 5 persons; weights 10, 10, 20.
    y, x, w = [0.0, 2.0, np.nan], [4.0, 2.0, 5.0], [10.0, 10.0, 20.0]
    reached = [True, True, False]
    assert nr.worst_case_ratio(y, x, w, reached) == pytest.approx((20 + 100) / (40 + 20 + 100))
    # Recognition: the unreached count as not recognising.
    assert nr.worst_case_ratio([1, 1, 0], [1, 1, 1], w, reached, worst="low") == 0.5
    # Missed rate: a known denominator (the villages' non-registered population).
    assert nr.worst_case_ratio(y, x, w, reached, denominator_total=600) == pytest.approx(0.2)
