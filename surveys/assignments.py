"""Who works on which household: current plans, a team's assignments, released reserves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from assessment.models import Township, Village
from sampling.models import FrameVillage, Household, PlanHousehold, PlanVillage, SamplePlan
from surveys.models import APPROVED, NOT_INTERVIEWED, SUBMITTED, Interview, ReserveRelease

NOT_STARTED = "not_started"
WORKED_ROLES = ("selected", "screening")
DONE = (SUBMITTED, APPROVED, NOT_INTERVIEWED)


@dataclass(frozen=True)
class Assignment:
    """One household of a team's work list (blinded: no registry values)."""

    plan_household_id: int
    household_id: str
    head_name: str
    village: str
    township: str
    role: str
    status: str
    version: int | None


@dataclass(frozen=True)
class Progress:
    """Counts of a work list by status; ``done`` = submitted, approved or not interviewed."""

    total: int
    done: int
    by_status: dict[str, int]


def current_plan_ids():
    """A subquery of the id of each county's current plan (its latest version)."""
    latest = (
        select(SamplePlan.county_id, func.max(SamplePlan.version).label("version"))
        .group_by(SamplePlan.county_id)
        .subquery()
    )
    return select(SamplePlan.id).join(
        latest,
        (SamplePlan.county_id == latest.c.county_id) & (SamplePlan.version == latest.c.version),
    )


def is_current(dbsession: Session, plan: SamplePlan) -> bool:
    """Whether ``plan`` is its county's latest version."""
    newest = dbsession.scalar(
        select(func.max(SamplePlan.version)).where(SamplePlan.county_id == plan.county_id)
    )
    return plan.version == newest


def is_released(dbsession: Session, plan_household: PlanHousehold) -> bool:
    """Whether a reserve household was released (always True for other roles)."""
    if plan_household.role != "reserve":
        return True
    query = select(ReserveRelease.id).where(ReserveRelease.reserve_id == plan_household.id)
    return dbsession.scalar(query) is not None


def assignments(
    dbsession: Session,
    team_id: int | None,
    *,
    village_id: int | None = None,
    status: str | None = None,
    search: str | None = None,
) -> list[Assignment]:
    """The team's households of the current plans (``team_id`` None: every team's).

    Selected and screening households, plus reserves released by a substitution; filtered by
    village, status (``not_started`` or an interview status) and a search of the head's name
    or the household id.
    """
    released = select(ReserveRelease.reserve_id)
    query = (
        select(PlanHousehold, Household, Village, Township, Interview)
        .join(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
        .join(Household, PlanHousehold.household_pk == Household.id)
        .join(FrameVillage, PlanVillage.frame_village_id == FrameVillage.id)
        .join(Village, FrameVillage.village_id == Village.id)
        .join(Township, Village.township_id == Township.id)
        .outerjoin(Interview, Interview.plan_household_id == PlanHousehold.id)
        .where(
            PlanHousehold.plan_id.in_(current_plan_ids()),
            or_(PlanHousehold.role.in_(WORKED_ROLES), PlanHousehold.id.in_(released)),
        )
        .order_by(Township.name, Village.name, PlanHousehold.role.desc(), Household.household_id)
    )
    if team_id is not None:
        query = query.where(PlanVillage.team_id == team_id)
    if village_id:
        query = query.where(Village.id == village_id)
    if status == NOT_STARTED:
        query = query.where(Interview.id.is_(None))
    elif status:
        query = query.where(Interview.status == status)
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(
            or_(Household.head_name.ilike(pattern), Household.household_id.ilike(pattern))
        )
    return [
        Assignment(
            plan_household_id=ph.id,
            household_id=hh.household_id,
            head_name=hh.head_name,
            village=village.name,
            township=township.name,
            role=ph.role,
            status=interview.status if interview is not None else NOT_STARTED,
            version=interview.version if interview is not None else None,
        )
        for ph, hh, village, township, interview in dbsession.execute(query)
    ]


def progress(items: list[Assignment]) -> Progress:
    """Counts of ``items`` by status."""
    counts = Counter(a.status for a in items)
    return Progress(len(items), sum(counts[s] for s in DONE), dict(counts))


def team_villages(dbsession: Session, team_id: int | None) -> list[Village]:
    """Villages of the current plans worked by the team (for the filter)."""
    query = (
        select(Village)
        .join(FrameVillage, FrameVillage.village_id == Village.id)
        .join(PlanVillage, PlanVillage.frame_village_id == FrameVillage.id)
        .where(PlanVillage.plan_id.in_(current_plan_ids()))
        .distinct()
        .order_by(Village.name)
    )
    if team_id is not None:
        query = query.where(PlanVillage.team_id == team_id)
    return list(dbsession.scalars(query))
