"""What an assessor's phone keeps for a day offline: the work list and every reserve in order.

When the assessor opens the work list online, the phone asks for :func:`day_of_work` and
caches the pages it names; a household that cannot be interviewed offline is replaced by
the first reserve of its village and stratum not yet released (on the phone or the
server), and the server checks that release when the outcome is sent (:mod:`surveys.sync`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.models import Township, Village
from sampling.services import FrameVillage, Household, PlanHousehold, PlanVillage
from surveys.assignments import Assignment, assignments, current_plan_ids
from surveys.instrument_store import active_versions
from surveys.models import DRAFT, INTERVIEWED, Interview, ReserveRelease

OPEN_STATUSES = ("not_started", "draft", "returned")  # questionnaires still to be filled


@dataclass(frozen=True)
class OfflineHousehold:
    """A household of the day, with the reserve queue (village and stratum) it belongs to."""

    id: int
    household_id: str
    head_name: str
    village: str
    township: str
    status: str
    version: int | None
    reserve_queue: str


@dataclass(frozen=True)
class DayOfWork:
    """The team's work list and, per reserve queue, its unreleased reserves in rank order."""

    households: list[OfflineHousehold]
    reserves: dict[str, list[OfflineHousehold]]


def _queue(plan_village_id: int, stratum: str) -> str:
    return f"{plan_village_id}:{stratum}"


def _reserves(dbsession: Session, team_id: int | None) -> dict[str, list[OfflineHousehold]]:
    released = select(ReserveRelease.reserve_id)
    query = (
        select(PlanHousehold, Household, Village.name, Township.name)
        .join(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
        .join(Household, PlanHousehold.household_pk == Household.id)
        .join(FrameVillage, PlanVillage.frame_village_id == FrameVillage.id)
        .join(Village, FrameVillage.village_id == Village.id)
        .join(Township, Village.township_id == Township.id)
        .where(
            PlanHousehold.plan_id.in_(current_plan_ids()),
            PlanHousehold.role == "reserve",
            PlanHousehold.id.not_in(released),
        )
        .order_by(
            PlanHousehold.plan_village_id,
            PlanHousehold.stratum,
            PlanHousehold.reserve_rank,
            PlanHousehold.id,
        )
    )
    if team_id is not None:
        query = query.where(PlanVillage.team_id == team_id)
    out: dict[str, list[OfflineHousehold]] = {}
    for ph, household, village, township in dbsession.execute(query):
        queue = _queue(ph.plan_village_id, ph.stratum)
        out.setdefault(queue, []).append(
            OfflineHousehold(
                ph.id,
                household.household_id,
                household.head_name,
                village,
                township,
                "not_started",
                None,
                queue,
            )
        )
    return out


def day_of_work(dbsession: Session, team_id: int | None) -> DayOfWork:
    """The work list of ``team_id`` (None: every team) and the reserves behind it."""
    items: list[Assignment] = assignments(dbsession, team_id)
    ids = [a.plan_household_id for a in items]
    queues = {}
    if ids:
        rows = select(PlanHousehold.id, PlanHousehold.plan_village_id, PlanHousehold.stratum)
        for ph_id, pv_id, stratum in dbsession.execute(rows.where(PlanHousehold.id.in_(ids))):
            queues[ph_id] = _queue(pv_id, stratum)
    households = [
        OfflineHousehold(
            a.plan_household_id,
            a.household_id,
            a.head_name,
            a.village,
            a.township,
            a.status,
            a.version,
            queues[a.plan_household_id],
        )
        for a in items
    ]
    return DayOfWork(households, _reserves(dbsession, team_id))


def blank_interview(dbsession: Session, ph: PlanHousehold) -> Interview | None:
    """A questionnaire not started yet, to render blank: version 0, never stored.

    The object stays out of the session (nothing refers to it from a stored row), so the
    page is rendered from it and nothing is written; None if no instrument is active.
    """
    active = active_versions(dbsession)
    if not {"verification", "recognition"} <= active.keys():
        return None
    return Interview(
        plan_household=ph,
        plan=ph.plan,
        status=DRAFT,
        contact_outcome=INTERVIEWED,
        version=0,
        verification_version=active["verification"],
        recognition_version=active["recognition"],
        verification_json="{}",
        recognition_json="{}",
    )
