"""The exit indicators: hand-worked values, delta method, verdict rules, purposive villages."""

import numpy as np
import pytest

from assessment import estimation as est
from assessment import indicators as ind

SCHEME = ind.Scheme(
    poverty_incidence_max=0.02, wrongful_exit_max=0.02, missed_max=0.02, recognition_min=0.90
)
COUNTY = ind.CountyTotals(
    remaining_poor=500,
    exited_population=20_000,
    non_registered_population=180_000,
    rural_population=250_000,
)


def _sample(purposive_rows=0):
    """Four random villages in two strata, three households each (equal weights 10)."""
    village = np.repeat([1, 2, 3, 4], 3)
    status = np.array(["exited", "exited", "non_registered"] * 4)
    persons = np.array([4, 3, 5, 2, 6, 4, 5, 3, 2, 4, 4, 6], float)
    wrong = np.zeros(12, bool)
    wrong[[0, 6]] = True  # 4 + 5 persons wrongly exited
    missed = np.zeros(12)
    missed[5] = 2.0  # 2 missed persons in village 2
    recognises = np.array([1, 1, np.nan, 1, 0, 1, 1, 1, 1, 1, 1, np.nan])
    columns = dict(
        village=village,
        stratum=np.repeat(["poor", "non_poor"], 6),
        weight=np.full(12, 10.0),
        status=status,
        persons=persons,
        wrongly_exited=wrong,
        missed_persons=missed,
        recognises=recognises,
        random_village=np.ones(12, bool),
        township=np.repeat(["t1", "t2"], [3, 9]),
        household_type=np.array(["general", "dibao"] * 6),
        village_weight=np.full(12, 2.0),
        village_non_registered=np.repeat([50.0, 60, 40, 70], 3),
    )
    if purposive_rows:
        extra = dict(
            village=[9] * purposive_rows,
            stratum=["poor"] * purposive_rows,
            weight=[1.0] * purposive_rows,
            status=["exited"] * purposive_rows,
            persons=[3.0] * purposive_rows,
            wrongly_exited=[True] * purposive_rows,
            missed_persons=[0.0] * purposive_rows,
            recognises=[0.0] * purposive_rows,
            random_village=[False] * purposive_rows,
            township=["t1"] * purposive_rows,
            household_type=["general"] * purposive_rows,
            village_weight=[1.0] * purposive_rows,
            village_non_registered=[10.0] * purposive_rows,
        )
        columns = {
            k: np.concatenate([np.asarray(v), np.asarray(extra[k], dtype=np.asarray(v).dtype)])
            for k, v in columns.items()
        }
    return ind.HouseholdSample(**columns)


def test_rates_match_hand_computation():
    rates = ind.rates(_sample())
    # exited persons: 4+3, 2+6, 5+3, 4+4 = 31; wrongly exited 4 + 5 = 9 (equal weights)
    assert rates["wrongful_exit_rate"].estimate == pytest.approx(9 / 31)
    # missed persons 2, weighted 10 each; denominator: villages' known non-registered
    # population weighted by the village weight 2: 2 * (50 + 60 + 40 + 70)
    assert rates["missed_rate"].estimate == pytest.approx(10 * 2 / (2 * 220))
    # recognition: 10 answered, 9 recognising
    assert rates["recognition_rate"].estimate == pytest.approx(9 / 10)


def test_poverty_incidence_formula_and_delta_method_with_covariance():
    result = ind.estimate_county(_sample(), COUNTY, SCHEME)["poverty_incidence"]
    r_w, r_m = 9 / 31, 20 / 440
    expected = (500 + r_w * 20_000 + r_m * 180_000) / 250_000
    assert result.estimate == pytest.approx(expected)
    # Delta method: Var = (E² V_w + M² V_m + 2 E M C_wm) / P², from the joint covariance.
    sample = _sample()
    design = est.make_design(
        sample.weight, strata=sample.stratum, clusters=[sample.village], lonely_psu="adjust"
    )
    exited, nonreg = sample.status == "exited", sample.status == "non_registered"
    wrong_persons = np.where(sample.wrongly_exited, sample.persons, 0.0)
    _, z_w = est.ratio_scores(design, wrong_persons, sample.persons, exited)
    x_m = np.where(nonreg, 2.0 * sample.village_non_registered / 10.0, 0.0)  # w_v N_v / (w m_v)
    _, z_m = est.ratio_scores(design, sample.missed_persons, x_m, nonreg)
    cov = est.taylor_covariance(design, np.column_stack([z_w, z_m]))
    assert cov[0, 1] != 0  # the two rates share villages: covariance matters
    gradient = np.array([20_000, 180_000]) / 250_000
    assert result.se == pytest.approx(np.sqrt(gradient @ cov @ gradient))


def test_purposive_villages_are_summarised_not_estimated():
    plain = ind.estimate_county(_sample(), COUNTY, SCHEME)
    mixed = ind.estimate_county(_sample(purposive_rows=4), COUNTY, SCHEME)
    for name in ind.INDICATORS:
        assert mixed[name].estimate == plain[name].estimate
    assert plain.purposive is None
    summary = mixed.purposive
    assert (summary.villages, summary.households) == (1, 4)
    assert summary.wrongful_exit_rate == 1.0
    assert summary.recognition_rate == 0.0


def _estimate(value, se, method="wald-t", n=400, df=30):
    return est.Estimate(
        "ratio",
        value,
        se,
        value - 2 * se,
        value + 2 * se,
        df,
        1.0,
        n,
        n,
        31,
        1e4,
        method,
        0.95,
        None,
        n,
    )


@pytest.mark.parametrize(
    ("value", "se", "confidence", "official"),
    [
        (0.005, 0.003, ind.Confidence.MEETS, True),
        (0.05, 0.005, ind.Confidence.FAILS, False),
        (0.019, 0.004, ind.Confidence.INCONCLUSIVE, True),
        (0.021, 0.004, ind.Confidence.INCONCLUSIVE, False),
    ],
)
def test_confidence_statement_follows_the_one_sided_bounds(value, se, confidence, official):
    result = ind.judge("wrongful_exit_rate", _estimate(value, se), SCHEME)
    assert result.confidence == confidence
    assert result.official_pass is official
    assert (result.upper_bound <= 0.02) == (confidence == ind.Confidence.MEETS)
    assert (result.fails_bound > 0.02) == (confidence == ind.Confidence.FAILS)
    assert 0 <= result.probability_within <= 1


def test_boundary_passes_only_with_a_non_strict_comparator():
    at_threshold = _estimate(0.02, 0.004)
    assert ind.judge("missed_rate", at_threshold, SCHEME).official_pass
    strict = ind.Scheme(0.02, 0.02, 0.02, 0.9, missed_comparator="<")
    assert not ind.judge("missed_rate", at_threshold, strict).official_pass
    recognition = ind.judge("recognition_rate", _estimate(0.90, 0.01), SCHEME)
    assert recognition.official_pass and recognition.comparator == ">="


def test_zero_findings_give_a_positive_upper_bound():
    sample = _sample()
    clean = ind.HouseholdSample(**{**vars(sample), "wrongly_exited": np.zeros(12, bool),
                                   "missed_persons": np.zeros(12)})  # fmt: skip
    result = ind.estimate_county(clean, COUNTY, SCHEME)
    for name in ("wrongful_exit_rate", "missed_rate"):
        assert result[name].estimate == 0
        assert result[name].upper_bound > 0
        assert result[name].one_sided_bound == result[name].upper_bound
        assert result[name].ci_high > 0
    incidence = result["poverty_incidence"]
    assert incidence.estimate == pytest.approx(500 / 250_000)
    assert incidence.upper_bound > incidence.estimate


def test_overall_verdict_and_breakdowns():
    result = ind.estimate_county(_sample(), COUNTY, SCHEME)
    assert not result.official_pass  # 错退率 9/31 is far above 2 %
    wrongful = result["wrongful_exit_rate"]
    assert not wrongful.official_pass
    assert wrongful.probability_within < 0.05
    # "fails with confidence" exactly when the whole two-sided interval lies above 2 %
    assert (wrongful.confidence == ind.Confidence.FAILS) == (wrongful.ci_low > 0.02)
    assert result.confidence != ind.Confidence.MEETS
    township = {(r.group, r.indicator): r.estimate for r in result.by_township}
    # township t1 = village 1 only: 4 wrongly exited persons of 7 exited persons
    assert township[("t1", "wrongful_exit_rate")].estimate == pytest.approx(4 / 7)
    types = {(r.group, r.indicator) for r in result.by_household_type}
    assert ("dibao", "recognition_rate") in types


def test_scheme_and_inputs_are_validated():
    with pytest.raises(ValueError, match="wrongful_exit_comparator"):
        ind.Scheme(0.02, 0.02, 0.02, 0.9, wrongful_exit_comparator="=")
    with pytest.raises(ValueError, match="recognition_min"):
        ind.Scheme(0.02, 0.02, 0.02, 90)
    with pytest.raises(ValueError, match="rural_population"):
        ind.CountyTotals(1, 1, 1, -1)
    with pytest.raises(ValueError, match="status"):
        ind.HouseholdSample(**{**vars(_sample()), "status": np.array(["poor"] * 12)})
