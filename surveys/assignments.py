"""Who works on which household: current plans, a team's assignments, released reserves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from assessment.core.models import County, Township, Village
from sampling.services import FrameVillage, Household, PlanHousehold, PlanVillage, SamplePlan
from surveys.models import (
    APPROVED,
    NOT_INTERVIEWED,
    SUBMITTED,
    SUPERSEDED,
    Interview,
    ReserveRelease,
)

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
    village_id: int = 0
    county: str = ""


@dataclass(frozen=True)
class VillageGroup:
    """One village of a work list (by id: two villages of one name stay apart)."""

    village_id: int
    village: str
    township: str
    items: list[Assignment]

    @property
    def done(self) -> bool:
        """Every household of the village is done (the work list folds it away)."""
        return all(a.status in DONE for a in self.items)


@dataclass(frozen=True)
class CountyGroup:
    """One county of a work list: villages with work left first, each kind in list order."""

    county: str
    villages: list[VillageGroup]


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


# A household whose release was undone has an interview row with no contact outcome: it is
# not started again, whatever its row's status.
_STATUS = case((Interview.contact_outcome == "", None), else_=Interview.status)


def _work_list_query():
    """The work list of every team (plain columns: building five ORM objects per row was
    most of the cost of a list of hundreds of rows)."""
    released = select(ReserveRelease.reserve_id)
    return (
        select(
            PlanHousehold.id,
            Household.household_id,
            Household.head_name,
            Village.name,
            Township.name,
            PlanHousehold.role,
            _STATUS,
            Interview.version,
            Village.id,
            County.name,
        )
        .join(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
        .join(Household, PlanHousehold.household_pk == Household.id)
        .join(FrameVillage, PlanVillage.frame_village_id == FrameVillage.id)
        .join(Village, FrameVillage.village_id == Village.id)
        .join(Township, Village.township_id == Township.id)
        .join(County, Township.county_id == County.id)
        .outerjoin(
            Interview,
            (Interview.plan_household_id == PlanHousehold.id) & (Interview.status != SUPERSEDED),
        )
        .where(
            PlanHousehold.plan_id.in_(current_plan_ids()),
            or_(PlanHousehold.role.in_(WORKED_ROLES), PlanHousehold.id.in_(released)),
        )
        .order_by(
            County.name,
            County.id,
            Township.name,
            Village.name,
            Village.id,
            PlanHousehold.role.desc(),
            Household.household_id,
        )
    )


# Built once: the assessor's app asks for its list on every visit.
_EVERY_TEAM = _work_list_query()
# A re-visit (appeal ruling) belongs to the team named in the ruling, not the village's.
_ONE_TEAM = _EVERY_TEAM.where(
    or_(
        (PlanVillage.team_id == bindparam("team_id")) & Interview.revisit_team_id.is_(None),
        Interview.revisit_team_id == bindparam("team_id"),
    )
)


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
    query, params = (_EVERY_TEAM, {}) if team_id is None else (_ONE_TEAM, {"team_id": team_id})
    if village_id:
        query = query.where(Village.id == village_id)
    if status == NOT_STARTED:
        query = query.where(or_(Interview.id.is_(None), Interview.contact_outcome == ""))
    elif status:
        query = query.where(Interview.status == status, Interview.contact_outcome != "")
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(
            or_(Household.head_name.ilike(pattern), Household.household_id.ilike(pattern))
        )
    return [
        Assignment(
            plan_household_id=ph_id,
            household_id=household_id,
            head_name=head_name,
            village=village,
            township=township,
            role=role,
            status=status if status is not None else NOT_STARTED,
            version=version,
            village_id=village_id,
            county=county,
        )
        for (
            ph_id,
            household_id,
            head_name,
            village,
            township,
            role,
            status,
            version,
            village_id,
            county,
        ) in dbsession.execute(query, params)
    ]


def grouped(items: list[Assignment]) -> list[CountyGroup]:
    """``items`` (in list order) by county, then by village id; villages with work left first."""
    counties: list[CountyGroup] = []
    for item in items:
        if not counties or counties[-1].county != item.county:
            counties.append(CountyGroup(item.county, []))
        villages = counties[-1].villages
        if not villages or villages[-1].village_id != item.village_id:
            villages.append(VillageGroup(item.village_id, item.village, item.township, []))
        villages[-1].items.append(item)
    for county in counties:
        county.villages.sort(key=lambda v: v.done)  # stable: list order within each kind
    return counties


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
        .options(joinedload(Village.township))
        .distinct()
        .order_by(Village.name, Village.id)
    )
    if team_id is not None:
        query = query.where(PlanVillage.team_id == team_id)
    return list(dbsession.scalars(query))
