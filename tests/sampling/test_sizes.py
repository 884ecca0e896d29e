"""Sample sizes against published numbers, textbook tables and exact enumeration."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import proportion_confint

from sampling.sizes import (
    decision_sample_size,
    max_defects_for_upper_bound,
    min_successes_for_lower_bound,
    operating_characteristic,
    precision_sample_size,
)


def test_lqas_operating_characteristic_matches_domain_reference():
    # domain.md section 8 (LQAS, [S45]): n = 150, d = 1.
    points = operating_characteristic(150, 1, [0.005, 0.01, 0.02, 0.04])
    published = [0.83, 0.56, 0.20, 0.02]
    assert [p.p_accept for p in points] == pytest.approx(published, abs=0.005)


@pytest.mark.parametrize(("n", "most"), [(500, 4), (1000, 12), (1500, 20), (3000, 47)])
def test_wrongful_exit_bound_matches_domain_worked_numbers(n, most):
    # domain.md section 8: "at most 4/500, 12/1,000, 20/1,500 or 47/3,000".
    assert max_defects_for_upper_bound(n, 0.02) == most
    _, upper = proportion_confint(most, n, alpha=0.10, method="beta")
    _, upper_next = proportion_confint(most + 1, n, alpha=0.10, method="beta")
    assert upper < 0.02 <= upper_next


@pytest.mark.parametrize(("n", "least"), [(300, 279), (600, 553), (1000, 916)])
def test_recognition_bound_matches_domain_worked_numbers(n, least):
    # domain.md section 8: ">= 279/300, >= 553/600 or >= 916/1,000".
    assert min_successes_for_lower_bound(n, 0.90) == least
    lower, _ = proportion_confint(least, n, alpha=0.10, method="beta")
    lower_prev, _ = proportion_confint(least - 1, n, alpha=0.10, method="beta")
    assert lower > 0.90 >= lower_prev


def test_precision_size_without_population_is_385():
    # Cochran: 1.96^2 * 0.25 / 0.05^2 = 384.1 -> 385.
    size = precision_sample_size(0.05)
    assert size.n == 385
    assert size.n_srs == pytest.approx(384.146, abs=1e-3)


@pytest.mark.parametrize(("population", "table"), [(100, 80), (500, 217), (1000, 278)])
def test_finite_population_correction_matches_krejcie_morgan(population, table):
    # Krejcie & Morgan (1970) table, which rounds to the nearest unit.
    size = precision_sample_size(0.05, population=population)
    assert round(size.n_fpc) == table


def test_design_effect_and_nonresponse_are_applied_in_order():
    size = precision_sample_size(0.02, anticipated=0.1, deff=3.0, nonresponse=0.2)
    n0 = 1.959963984540054**2 * 0.1 * 0.9 / 0.02**2  # 864.3
    assert size.n_deff == pytest.approx(3 * n0)
    assert size.n_respondents == math.ceil(3 * n0)
    assert size.n == math.ceil(math.ceil(3 * n0) / 0.8)
    assert (size.deff, size.nonresponse, size.anticipated) == (3.0, 0.2, 0.1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"margin": 0},
        {"margin": 0.05, "confidence": 1.0},
        {"margin": 0.05, "deff": 0},
        {"margin": 0.05, "nonresponse": 1.0},
        {"margin": 0.05, "population": 0},
    ],
)
def test_precision_size_rejects_bad_arguments(kwargs):
    name = next(iter(k for k in kwargs if k != "margin"), "margin")
    with pytest.raises(ValueError, match=name):
        precision_sample_size(**kwargs)


def _binom_cdf(d, n, p):
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(d + 1))


def _brute_force_plan(threshold, acceptable, alpha, beta):
    for n in range(1, 400):
        for d in range(n, -1, -1):
            if _binom_cdf(d, n, threshold) <= alpha:
                if 1 - _binom_cdf(d, n, acceptable) <= beta:
                    return n, d
                break
    return None


@pytest.mark.parametrize(
    ("threshold", "acceptable", "alpha", "beta"),
    [(0.10, 0.02, 0.10, 0.10), (0.20, 0.05, 0.05, 0.20), (0.05, 0.01, 0.10, 0.20)],
)
def test_decision_plan_is_the_smallest_by_exact_enumeration(threshold, acceptable, alpha, beta):
    plan = decision_sample_size(threshold, acceptable, alpha=alpha, beta=beta)
    assert (plan.n, plan.d) == _brute_force_plan(threshold, acceptable, alpha, beta)
    assert plan.p_accept_at_threshold <= alpha and plan.p_reject_at_acceptable <= beta


def _hyper_cdf(d, population, defectives, n):
    total = math.comb(population, n)
    return (
        sum(
            math.comb(defectives, k) * math.comb(population - defectives, n - k)
            for k in range(d + 1)
        )
        / total
    )


def test_hypergeometric_plan_for_a_small_frame_by_enumeration():
    population, threshold, acceptable, alpha, beta = 200, 0.10, 0.02, 0.10, 0.10
    plan = decision_sample_size(threshold, acceptable, alpha=alpha, beta=beta, population=200)
    bad, good = 20, 4  # 10 % and 2 % of 200 units
    expected = None
    for n in range(1, population + 1):
        ds = [d for d in range(n + 1) if _hyper_cdf(d, population, bad, n) <= alpha]
        if ds and 1 - _hyper_cdf(max(ds), population, good, n) <= beta:
            expected = (n, max(ds))
            break
    assert (plan.n, plan.d) == expected
    assert plan.model == "hypergeometric"
    assert plan.n < decision_sample_size(threshold, acceptable, alpha=alpha, beta=beta).n


def test_decision_plan_rejects_inverted_rates():
    with pytest.raises(ValueError, match="acceptable"):
        decision_sample_size(0.02, 0.05)


@pytest.mark.parametrize(
    ("threshold", "acceptable", "alpha", "beta", "deff"),
    [(0.10, 0.02, 0.10, 0.10, 3.0), (0.20, 0.05, 0.05, 0.20, 2.5), (0.05, 0.01, 0.10, 0.20, 1.7)],
)
def test_design_effect_plan_is_the_smallest_on_the_effective_size(
    threshold, acceptable, alpha, beta, deff
):
    """The risks hold on n / deff independent units, checked by exact binomial enumeration."""
    plan = decision_sample_size(threshold, acceptable, alpha=alpha, beta=beta, deff=deff)
    n_effective, d = _brute_force_plan(threshold, acceptable, alpha, beta)
    assert (plan.n_effective, plan.d) == (n_effective, d)
    assert plan.n == math.ceil(n_effective * deff)
    assert plan.n / plan.deff >= n_effective  # enough persons to carry n_effective units
    assert (plan.n - 1) / plan.deff < n_effective  # and not one more than needed
    assert plan.p_accept_at_threshold == pytest.approx(_binom_cdf(d, n_effective, threshold))
    assert plan.p_reject_at_acceptable == pytest.approx(1 - _binom_cdf(d, n_effective, acceptable))
    assert plan.acceptance_rate == pytest.approx(d / n_effective)
    assert plan.deff_source == "entered"


def test_design_effect_multiplies_the_independent_size():
    independent = decision_sample_size(0.02, 0.005)
    clustered = decision_sample_size(0.02, 0.005, deff=3.0, deff_source="previous_round")
    assert independent.deff == 1.0 and independent.deff_source == "none"
    assert independent.n == independent.n_effective == clustered.n_effective
    assert clustered.n == 3 * independent.n and clustered.deff_source == "previous_round"
    # the operating characteristic of the clustered plan is that of its effective size
    oc = operating_characteristic(clustered.n_effective, clustered.d, [0.02])
    assert oc[0].p_accept == pytest.approx(clustered.p_accept_at_threshold)


def test_design_effect_with_a_small_frame_uses_the_effective_population():
    plan = decision_sample_size(0.10, 0.02, alpha=0.10, beta=0.10, population=600, deff=3.0)
    assert plan.model == "hypergeometric" and plan.population == 200
    assert (
        plan.n_effective
        == decision_sample_size(0.10, 0.02, alpha=0.10, beta=0.10, population=200).n
    )
    assert plan.n == math.ceil(plan.n_effective * 3.0) <= 600


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"deff": 0}, "deff"),
        ({"deff": -2}, "deff"),
        ({"deff": float("nan")}, "deff"),
        ({"deff": float("inf")}, "deff"),
        ({"deff": 2, "deff_source": "guess"}, "deff_source"),
    ],
)
def test_design_effect_rejects_bad_values(kwargs, name):
    with pytest.raises(ValueError, match=name):
        decision_sample_size(0.02, 0.005, **kwargs)
