"""Simulated fieldwork for the demo county: approved interviews from a synthetic population.

Every household goes through the real workflow (contact outcome, reserve release, submission
with the real validation and verdict rules, supervisor approval), with answers from
:mod:`surveys.simulate`. The plan is marked ``simulated_fieldwork`` so that every page and
report of it says "simulated". Known rates make the resulting estimates checkable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.models import Role, User
from sampling.models import Household, PlanHousehold, PlanVillage, SamplePlan
from surveys.review import ReviewService
from surveys.simulate import recognition_answers, verification_answers
from surveys.workflow import InterviewService


@dataclass(frozen=True)
class SimulatedRates:
    """True rates of the synthetic population (households)."""

    wrongly_exited: float = 0.008
    missed: float = 0.004
    recognising: float = 0.95
    absent: float = 0.05


class _Clock:
    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def _team_people(db: Session, team_id: int) -> tuple[User, User]:
    users = db.scalars(select(User).where(User.team_id == team_id)).all()
    assessor = next(u for u in users if u.role == Role.assessor)
    supervisor = next(u for u in users if u.role == Role.supervisor)
    return assessor, supervisor


def _open_villages(db: Session, plan: SamplePlan, leave_open: int) -> set[int]:
    """The last ``leave_open`` villages of each team, left for a demo user to work on."""
    villages = db.execute(
        select(PlanVillage.id, PlanVillage.team_id)
        .where(PlanVillage.plan_id == plan.id, PlanVillage.team_id.is_not(None))
        .order_by(PlanVillage.id.desc())
    ).all()
    kept: dict[int, list[int]] = {}
    for village_id, team_id in villages:
        if len(kept.setdefault(team_id, [])) < leave_open:
            kept[team_id].append(village_id)
    return {v for ids in kept.values() for v in ids}


def simulate_fieldwork(
    db: Session,
    plan: SamplePlan,
    *,
    rng: np.random.Generator,
    poverty_line: float,
    rates: SimulatedRates = SimulatedRates(),
    start: dt.datetime | None = None,
    leave_open: int = 0,
) -> int:
    """Interview, submit and approve the households of ``plan``, except in ``leave_open``
    villages per team (left for a demo user); returns the number approved."""
    plan.simulated_fieldwork = True
    clock = _Clock(start or dt.datetime(2019, 6, 3, 8, 30))
    service, review = InterviewService(db, clock=clock), ReviewService(db, clock=clock)
    queue = list(
        db.scalars(
            select(PlanHousehold)
            .join(PlanVillage)
            .where(
                PlanHousehold.plan_id == plan.id,
                PlanHousehold.role.in_(("selected", "screening")),
                PlanVillage.team_id.is_not(None),
                PlanVillage.id.not_in(_open_villages(db, plan, leave_open) or {0}),
            )
            .order_by(PlanHousehold.id)
        )
    )
    approved = 0
    while queue:
        ph = queue.pop(0)
        assessor, supervisor = _team_people(db, ph.plan_village.team_id)
        clock.now += dt.timedelta(minutes=int(rng.integers(5, 15)))
        if ph.role != "screening" and rng.random() < rates.absent:
            result = service.record_outcome(ph, "absent", assessor)
            if result.release is not None:
                queue.append(result.release.reserve)
            continue
        interview = service.record_outcome(ph, "interviewed", assessor).interview
        approved += _interview(
            db,
            service,
            review,
            ph,
            interview,
            assessor,
            supervisor,
            rng,
            clock,
            poverty_line,
            rates,
        )
    return approved


def _interview(
    db, service, review, ph, interview, assessor, supervisor, rng, clock, poverty_line, rates
) -> int:
    household = db.get(Household, ph.household_pk)
    status = household.status
    poor_rate = {"exited": rates.wrongly_exited, "non_registered": rates.missed}.get(status, 0.6)
    answers = {
        "verification": verification_answers(
            rng,
            persons=int(household.household_size),
            head_name=household.head_name,
            poverty_line=poverty_line,
            poor=bool(rng.random() < poor_rate),
        ),
        "recognition": recognition_answers(
            rng, status=status, recognising=bool(rng.random() < rates.recognising)
        ),
    }
    clock.now += dt.timedelta(minutes=int(rng.integers(30, 55)))
    service.submit(interview, answers, base_version=interview.version, user=assessor)
    review.approve(interview, supervisor)
    return 1
