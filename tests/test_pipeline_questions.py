"""The base's questions to a later feature (assessment/core/pipeline.py)."""

import pytest

from assessment.core import pipeline


def test_a_question_nobody_answers_raises_instead_of_passing_for_no(monkeypatch):
    monkeypatch.setattr(pipeline, "_signed_off", [])
    monkeypatch.setattr(pipeline, "_previous_deff", [])
    with pytest.raises(LookupError, match="report_signed_off"):
        pipeline.report_signed_off(None, 1)
    with pytest.raises(LookupError, match="previous_deff"):
        pipeline.previous_deff(None, None)


def test_the_reports_answer_both_questions_once_imported():
    import reports.county_estimates
    import reports.models

    assert pipeline._signed_off == [reports.models.plan_signed_off]
    assert pipeline._previous_deff == [reports.county_estimates.previous_deff]
