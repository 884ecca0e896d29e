"""The survey workflow's public services, and what the indicators layer reads.

The work is split by topic (``instrument_store``, ``assignments``, ``workflow``, ``review``,
``audit``, ``quality``, ``tokens``); this module gathers the entry points other features use.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sampling.models import PlanHousehold, PlanVillage
from surveys.instrument_store import ensure_builtin_instruments
from surveys.models import APPROVED, Interview, InterviewPhoto, ReserveRelease
from surveys.review import ReviewService
from surveys.workflow import InterviewService

__all__ = [
    "ApprovedInterview",
    "InterviewService",
    "ReviewService",
    "approved_interviews",
    "ensure_builtin_instruments",
    "substitutions",
]


@dataclass(frozen=True)
class ApprovedInterview:
    """One approved interview with its design information, for the estimators.

    ``persons`` is the number of roster members (the person count of 错退/漏评 rates);
    ``verdict`` one of ``surveys.instruments.verdicts.VERDICTS``; ``weight`` the plan
    household's design weight (1 / pi); ``recognising`` the 认可户 flag under the interview's
    rule version.
    """

    interview_id: int
    plan_household_id: int
    plan_village_id: int | None
    stratum: str
    role: str
    weight: float
    registry_status: str | None
    verdict: str | None
    meets_standard: bool | None
    persons: int | None
    income_per_capita: float | None
    recognising: bool | None


def approved_interviews(dbsession: Session, plan_id: int) -> list[ApprovedInterview]:
    """Every approved interview of a plan, ordered by plan village then household."""
    query = (
        select(Interview, PlanHousehold)
        .join(PlanHousehold, Interview.plan_household_id == PlanHousehold.id)
        .outerjoin(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
        .where(Interview.plan_id == plan_id, Interview.status == APPROVED)
        .order_by(PlanHousehold.plan_village_id, PlanHousehold.id)
    )
    return [
        ApprovedInterview(
            interview_id=item.id,
            plan_household_id=ph.id,
            plan_village_id=ph.plan_village_id,
            stratum=ph.stratum,
            role=ph.role,
            weight=ph.weight,
            registry_status=item.registry_status,
            verdict=item.verdict,
            meets_standard=item.meets_standard,
            persons=item.persons,
            income_per_capita=item.income_per_capita,
            recognising=item.recognising,
        )
        for item, ph in dbsession.execute(query)
    ]


def substitutions(dbsession: Session, plan_id: int) -> list[ReserveRelease]:
    """Every reserve released in a plan (reserve, replaced household, reason, who, when)."""
    query = select(ReserveRelease).where(ReserveRelease.plan_id == plan_id)
    return list(dbsession.scalars(query.order_by(ReserveRelease.id)))


def photo_ids(dbsession: Session, interview: Interview) -> list[int]:
    """The ids of the interview's photos, oldest first (the bytes are not loaded)."""
    query = select(InterviewPhoto.id).where(InterviewPhoto.interview_id == interview.id)
    return list(dbsession.scalars(query.order_by(InterviewPhoto.id)))
