"""Surveys' public interface: what the later features may use of the fieldwork.

Appeals, back-checks and reports import surveys only from here (``tests/test_layering.py``),
so the rest of ``surveys`` (its workflow, review and fieldwork modules, the instruments, the
labels, the JSON schemas) can change without breaking them. The names in ``__all__`` are that
interface: the services that answer about a plan's fieldwork and change an interview
(``FieldworkService``, ``InterviewService``, ``ReviewService``), the interview model and its
statuses, which the later features join in their own queries and relationships, the words their
pages show, the JSON body parser their APIs share, and the built-in instrument (and its types) the
back-check questionnaire starts from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from assessment.core.models import User
from surveys import audit
from surveys.fieldwork import FieldworkService, FieldworkState, village_names
from surveys.instruments.definition import builtin_instrument
from surveys.instruments.model import Choice, Instrument
from surveys.instruments.verdicts import STANDARDS
from surveys.labels import (
    INTERVIEW_STATUS_LABELS,
    OUTCOME_LABELS,
    STANDARD_LABELS,
    VERDICT_LABELS,
)
from surveys.models import (
    APPROVED,
    INTERVIEWED,
    NOT_INTERVIEWED,
    SUPERSEDED,
    Interview,
    ReserveRelease,
)
from surveys.review import ReviewService
from surveys.schemas import BodyInvalid, parse_body
from surveys.workflow import InterviewService, check_not_archived

__all__ = [
    "APPROVED",
    "INTERVIEWED",
    "INTERVIEW_STATUS_LABELS",
    "NOT_INTERVIEWED",
    "OUTCOME_LABELS",
    "STANDARDS",
    "STANDARD_LABELS",
    "SUPERSEDED",
    "VERDICT_LABELS",
    "BodyInvalid",
    "Choice",
    "FieldworkService",
    "FieldworkState",
    "Instrument",
    "Interview",
    "InterviewService",
    "ReserveRelease",
    "ReviewService",
    "builtin_instrument",
    "check_not_archived",
    "parse_body",
    "record_interview_change",
    "village_names",
]


def record_interview_change(
    db: Session,
    interview: Interview,
    action: str,
    user: User | None,
    changes: Iterable[tuple[str, Any, Any]],
    *,
    at: dt.datetime,
) -> None:
    """Append a change of ``interview`` (``(path, old, new)`` triples) to the audit chain."""
    audit.record(
        db, interview, action, user, [audit.FieldChange(*change) for change in changes], at=at
    )
