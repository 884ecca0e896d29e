"""Fieldwork through the real workflow, for the tests of issue 13."""

from __future__ import annotations

import numpy as np

from surveys.review import ReviewService
from surveys.simulate import recognition_answers, verification_answers
from surveys.workflow import InterviewService

RNG_SEED = 5


def interview(db, ph, assessor, supervisor=None, *, poor=False, recognising=True, persons=None):
    """Interview ``ph`` (answers that pass validation), submit, approve when a supervisor
    is given; ``poor`` makes the household fail the income standard."""
    rng = np.random.default_rng(RNG_SEED + ph.id)
    service = InterviewService(db)
    item = service.record_outcome(ph, "interviewed", assessor).interview
    household = ph.household
    answers = {
        "verification": verification_answers(
            rng,
            persons=persons or household.household_size,
            head_name=household.head_name,
            poverty_line=3218.0,
            poor=poor,
        ),
        "recognition": recognition_answers(rng, status=household.status, recognising=recognising),
    }
    service.submit(item, answers, base_version=item.version, user=assessor)
    if supervisor is not None:
        ReviewService(db).approve(item, supervisor)
    db.flush()
    return item


def not_reached(db, ph, assessor, outcome="absent"):
    """Record a non-contact (after the round's visits for 不在家); returns the released
    reserve (or None)."""
    service = InterviewService(db)
    if outcome == "absent" and ph.role != "screening":
        service.complete_absent_visits(ph, assessor)
    result = service.record_outcome(ph, outcome, assessor)
    db.flush()
    return result.release.reserve if result.release is not None else None
