"""A county whose fieldwork is complete, with two suspected 错退 households (issue 19)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assessment.core.models import Role, User
from sampling.models import PlanHousehold
from surveys.instrument_store import ensure_builtin_instruments
from surveys.models import Interview
from tests.factories import make_team, make_user
from tests.rounds.helpers import interview
from tests.survey_factories import DrawnPlan, make_drawn_plan

PUBLISHED_AT = dt.datetime(2019, 8, 1, 9, 0)


class Clock:
    """A clock the test moves."""

    def __init__(self, now: dt.datetime = PUBLISHED_AT):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Field:
    drawn: DrawnPlan
    assessor: User
    supervisor: User
    coordinator: User
    expert: User
    liaison: User
    poor: list[Interview]  # the two suspected 错退 households
    fine: list[Interview]
    households: list[PlanHousehold]


def completed_field(db, *, appeal_hours: int = 24) -> Field:
    """Two villages x two exited households; the first of each village is found 错退."""
    ensure_builtin_instruments(db)
    team = make_team(db)
    drawn = make_drawn_plan(db, team, villages=2, selected=2, reserves=0)
    drawn.assessment_round.appeal_hours = appeal_hours
    assessor = make_user(db, Role.assessor, team=team)
    supervisor = make_user(db, Role.supervisor, team=team)
    coordinator = make_user(db, Role.coordinator)
    expert = make_user(db, Role.supervisor, team=make_team(db))
    expert.appeal_expert = True
    liaison = make_user(db, Role.liaison)
    liaison.county_id = drawn.county.id
    poor, fine, households = [], [], []
    for village in drawn.villages:
        first, second = drawn.selected[(village.id, "exited")]
        poor.append(interview(db, first, assessor, supervisor, poor=True))
        fine.append(interview(db, second, assessor, supervisor))
        households += [first, second]
    db.flush()
    return Field(drawn, assessor, supervisor, coordinator, expert, liaison, poor, fine, households)
