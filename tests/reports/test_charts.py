"""Chart helpers: axis ticks and the interval-versus-threshold classification."""

from __future__ import annotations

import pytest

from reports.charts import classify, nice_ticks, tick_labels


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.0, 0.03, [0.0, 0.01, 0.02, 0.03]),
        (0.8, 1.0, [0.8, 0.85, 0.9, 0.95, 1.0]),
        (0.0, 0.1, [0.0, 0.025, 0.05, 0.075, 0.1]),
    ],
)
def test_ticks_are_round_numbers(low, high, expected):
    assert nice_ticks(low, high) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("low", "high", "labels"),
    [
        (0.0, 0.03, ["0%", "1%", "2%", "3%"]),
        (0.8, 1.0, ["80%", "85%", "90%", "95%", "100%"]),
        # Steps of 2.5 points: "2%" and "8%" under ticks at 2.5 % and 7.5 % would mislead.
        (0.0, 0.1, ["0.0%", "2.5%", "5.0%", "7.5%", "10.0%"]),
        (0.0, 0.004, ["0.0%", "0.1%", "0.2%", "0.3%", "0.4%"]),
        (0.0, 0.01, ["0.00%", "0.25%", "0.50%", "0.75%", "1.00%"]),
    ],
)
def test_tick_labels_write_each_tick_exactly(low, high, labels):
    assert tick_labels(nice_ticks(low, high)) == labels


@pytest.mark.parametrize(
    ("estimate", "low", "high", "threshold", "comparator", "status"),
    [
        (0.0041, 0.0027, 0.0059, 0.02, "<=", "meets"),  # Jinggangshan's 错退率
        (0.024, 0.021, 0.027, 0.02, "<=", "fails"),
        (0.018, 0.012, 0.025, 0.02, "<=", "inconclusive"),
        (0.02, 0.015, 0.02, 0.02, "<=", "meets"),  # the boundary value passes (domain §2.2)
        (0.93, 0.912, 0.945, 0.90, ">=", "meets"),
        (0.88, 0.86, 0.899, 0.90, ">=", "fails"),
        (0.905, 0.89, 0.92, 0.90, ">=", "inconclusive"),
    ],
)
def test_interval_against_threshold(estimate, low, high, threshold, comparator, status):
    assert classify(estimate, low, high, threshold, comparator) == status
