"""What a binomial count allows (bench/exact_coverage.py), checked against sums written out here.

The facts asserted do not come from the code under test: window probabilities are summed from
``math.comb`` in exact integer arithmetic (a rational ``p``), Wilson's ends are written out
from the formula (Brown, Cai and DasGupta 2001, eq. 4), and Clopper-Pearson's guarantee
(coverage at least 95 % and a one-sided 95 % bound exceeded at most 5 % at every ``p``) is a
theorem.
"""

import math
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import pytest

from bench import exact_coverage as ec


def _numerators(n: int, p: Fraction) -> tuple[list[int], int]:
    """``P(X = k) = numerators[k] / denominator`` exactly, ``X ~ Bin(n, p)``."""
    q = 1 - p
    common = p.denominator * q.denominator
    num_p, num_q = p.numerator * q.denominator, q.numerator * p.denominator
    return [math.comb(n, k) * num_p**k * num_q ** (n - k) for k in range(n + 1)], common**n


def _windows(n: int, p: Fraction):
    """Every window ``a..b`` with its exact probability's numerator, and the denominator."""
    numerators, denominator = _numerators(n, p)
    prefix = [0]
    for value in numerators:
        prefix.append(prefix[-1] + value)
    assert prefix[-1] == denominator  # the probabilities sum to one, exactly
    windows = (prefix[b + 1] - prefix[a] for a in range(n + 1) for b in range(a, n + 1))
    return windows, denominator


def _brute_force_nearest(n: int, p: Fraction, low: Fraction) -> tuple[Fraction, Fraction]:
    """The largest window probability below ``low`` and the smallest at or above it."""
    windows, denominator = _windows(n, p)
    threshold = low * denominator
    below = max((w for w in windows if w < threshold), default=0)
    windows, _ = _windows(n, p)
    above = min(w for w in windows if w >= threshold)
    return Fraction(below, denominator), Fraction(above, denominator)


def test_at_n_600_and_a_rate_of_0_63_percent_no_window_holds_94_to_96_percent():
    # Bin(600, 0.0063): 3.78 expected events. Every window a..b, summed exactly.
    windows, denominator = _windows(600, Fraction(63, 10_000))
    in_band = [w for w in windows if 94 * denominator <= 100 * w <= 96 * denominator]
    assert in_band == []
    assert ec.no_window_in_band(ec.binomial_cdf(600, 0.0063))


def test_at_n_600_and_a_rate_of_0_66_percent_some_window_does():
    windows, denominator = _windows(600, Fraction(66, 10_000))
    assert any(94 * denominator <= 100 * w <= 96 * denominator for w in windows)
    assert not ec.no_window_in_band(ec.binomial_cdf(600, 0.0066))


@pytest.mark.parametrize(
    ("n", "rate"),
    [(100, "0.005"), (100, "0.012"), (200, "0.009"), (300, "0.02"), (450, "0.0055")],
)
def test_the_window_search_finds_what_a_search_over_every_window_finds(n, rate):
    low = Fraction(94, 100)
    below, above = _brute_force_nearest(n, Fraction(rate), low)
    found_below, found_above = ec.closest_windows(ec.binomial_cdf(n, float(rate)), 0.94)
    assert found_below == pytest.approx(float(below), abs=1e-12)
    assert found_above == pytest.approx(float(above), abs=1e-12)
    assert ec.no_window_in_band(ec.binomial_cdf(n, float(rate))) == (above > Fraction(96, 100))


def test_the_search_cases_include_rates_with_and_without_a_window_in_the_band():
    # The parametrised cases above are not all of one kind (decided by the brute force).
    outcomes = {
        _brute_force_nearest(n, Fraction(rate), Fraction(94, 100))[1] > Fraction(96, 100)
        for n, rate in [(100, "0.012"), (300, "0.02")]
    }
    assert outcomes == {True, False}


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@pytest.mark.parametrize(("n", "p"), [(300, 0.017), (100, 0.0123), (600, 0.0291)])
def test_wilson_exact_coverage_equals_the_binomial_sum_over_the_counts_it_covers(n, p):
    z = NormalDist().inv_cdf(0.975)
    covered = [x for x in range(n + 1) if _wilson(x, n, z)[0] <= p <= _wilson(x, n, z)[1]]
    by_hand = sum(math.comb(n, x) * p**x * (1 - p) ** (n - x) for x in covered)
    wilson = ec.procedures(n)[0]  # the project's wilson-model on n, normal quantile
    assert wilson.name == "wilson (z)"
    assert ec.coverage(wilson, n, p) == pytest.approx(by_hand, rel=1e-10)


@pytest.mark.parametrize("n", [100, 600])
def test_clopper_pearson_keeps_its_guarantee_at_every_rare_rate(n):
    exact = next(e for e in ec.procedures(n) if e.name == "clopper-pearson")
    low, _ = ec.coverage_extremes(exact, n)
    assert low >= 0.95 - 1e-12
    assert ec.exceedance_supremum(exact, n) <= 0.05 + 1e-12


def test_exact_extremes_and_means_agree_with_a_fine_grid():
    n = 200
    grid = ec.rate_grid(1e-7)
    for ends in ec.procedures(n):
        curve = ec.coverage(ends, n, grid)
        low, high = ec.coverage_extremes(ends, n)
        assert low <= curve.min() < low + 1e-5
        assert high - 1e-5 < curve.max() <= high
        assert ec.mean_coverage(ends, n) == pytest.approx(np.mean(curve), abs=1e-5)
        exceeded = ec.exceedance(ends, n, grid)
        assert exceeded.max() <= ec.exceedance_supremum(ends, n) < exceeded.max() + 1e-5
        assert ec.mean_exceedance(ends, n) == pytest.approx(np.mean(exceeded), abs=1e-5)
