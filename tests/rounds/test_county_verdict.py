"""The county verdict rule (one function for the badge, the PDF, the summary and JSON)."""

import pytest

from reports.county_verdict import county_verdict

M, F, U, X = "meets", "fails", "inconclusive", "insufficient_data"


@pytest.mark.parametrize(
    ("complete", "officials", "confidences", "expected"),
    [
        # Before fieldwork is complete nothing is recommended, whatever the figures say.
        (False, [M, M, M, M], [M, M, M, M], ("insufficient_data", True, "", False)),
        (False, [F, M, M, M], [F, M, M, M], ("insufficient_data", True, "", False)),
        (False, [], [], ("insufficient_data", True, "", False)),
        # Complete, but an indicator cannot be estimated.
        (True, [M, X, M, M], [M, X, M, M], ("insufficient_data", False, "", False)),
        (True, [], [], ("insufficient_data", False, "", False)),
        # Complete: the official rule, and the confidence statement beneath it.
        (True, [M, M, M, M], [M, M, M, M], ("exit_recommended", False, "meets", False)),
        (True, [M, M, M, M], [M, U, M, M], ("exit_recommended", False, "inconclusive", True)),
        (True, [M, F, M, M], [M, F, M, M], ("not_met", False, "fails", False)),
        (True, [M, F, M, M], [U, U, M, M], ("not_met", False, "inconclusive", True)),
        (True, [F, F, M, M], [U, F, M, M], ("not_met", False, "fails", True)),
    ],
)
def test_the_rule(complete, officials, confidences, expected):
    found = county_verdict(
        fieldwork_complete=complete, officials=officials, confidences=confidences
    )
    assert (found.verdict, found.interim, found.confidence, found.borderline) == expected
    assert found.recommends == (expected[0] != "insufficient_data")


def test_unknown_values_and_lengths_are_refused():
    with pytest.raises(ValueError, match="officials: unknown values"):
        county_verdict(fieldwork_complete=True, officials=["pass"], confidences=["meets"])
    with pytest.raises(ValueError, match="differ in length"):
        county_verdict(fieldwork_complete=True, officials=["meets"], confidences=[])
