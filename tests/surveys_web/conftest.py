"""Fixtures of the survey web tests: two teams, their users, a drawn plan for team A."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from assessment.core.models import Role, User
from sampling.models import PlanHousehold
from surveys.instrument_store import ensure_builtin_instruments
from surveys.models import Interview
from tests.factories import make_team, make_user
from tests.survey_factories import DrawnPlan, make_drawn_plan
from tests.surveys.households import household

# Varied recognition answers (identical answers are a quality flag).
RECOGNITION = {
    "rec_identification": "5",
    "rec_exit": "4",
    "rec_own_exit": "5",
    "rec_measures": "4",
    "rec_results": "5",
    "rec_work_team": "4",
    "helper_known": True,
    "rec_helper": "5",
}


@dataclass
class World:
    plan: DrawnPlan
    assessor: User
    assessor2: User
    supervisor: User
    other_assessor: User
    other_supervisor: User
    reader: User
    coordinator: User
    admin: User


@pytest.fixture
def world(dbsession) -> World:
    ensure_builtin_instruments(dbsession)
    team, other = make_team(dbsession), make_team(dbsession)
    plan = make_drawn_plan(dbsession, team, villages=2, strata=("exited",), selected=2, reserves=3)
    return World(
        plan=plan,
        assessor=make_user(dbsession, Role.assessor, team=team),
        assessor2=make_user(dbsession, Role.assessor, team=team),
        supervisor=make_user(dbsession, Role.supervisor, team=team),
        other_assessor=make_user(dbsession, Role.assessor, team=other),
        other_supervisor=make_user(dbsession, Role.supervisor, team=other),
        reader=make_user(dbsession, Role.reader),
        coordinator=make_user(dbsession, Role.coordinator),
        admin=make_user(dbsession, Role.admin),
    )


def form_pairs(answers: dict, *, version: int, token: str, action: str = "save") -> list:
    """The questionnaire page's POST fields for ``answers`` (both parts)."""
    pairs = [("csrf_token", token), ("version", str(version)), (action, "1")]
    for prefix, part in (
        ("v", answers.get("verification", {})),
        ("r", answers.get("recognition", {})),
    ):
        for name, value in part.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                for i, row in enumerate(value):
                    for member, v in row.items():
                        pairs += _pairs(f"{prefix}-{name}-{i}-{member}", v)
            else:
                pairs += _pairs(f"{prefix}-{name}", value)
    return pairs


def _pairs(key: str, value) -> list:
    if isinstance(value, bool):
        return [(key, "yes" if value else "no")]
    if isinstance(value, list):
        return [(key, v) for v in value]
    return [(key, str(value))]


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def url(ph: PlanHousehold, suffix: str = "") -> str:
    return f"/surveys/households/{ph.id}{suffix}"


def away_visits(dbsession, ph: PlanHousehold) -> None:
    """Move every recorded 不在家 visit of ``ph`` back by the round's gap (so the next visit,
    made now, is at a different time)."""
    from surveys.models import VisitAttempt
    from surveys.workflow import InterviewService

    gap = dt.timedelta(minutes=InterviewService(dbsession).visit_rule(ph).gap_minutes)
    for visit in dbsession.scalars(
        select(VisitAttempt).where(VisitAttempt.plan_household_id == ph.id)
    ):
        visit.visited_at -= gap
    dbsession.flush()


def record_absent(testapp, dbsession, ph: PlanHousehold, **extra):
    """不在家 as the round asks (2 visits a gap apart, then confirmed); the page after."""
    for _ in range(2):
        page = testapp.post_form(url(ph), {"outcome": "absent", **extra}, status=303)
        away_visits(dbsession, ph)
    confirm = page.follow()
    assert "/outcome?outcome=absent" in confirm.request.url
    return confirm_outcome(testapp, ph, "absent", **extra)


def confirm_outcome(testapp, ph: PlanHousehold, outcome: str, *, status=303, **extra):
    """Post a confirmed non-interview outcome; the page it redirects to."""
    answer = testapp.post_form(
        url(ph), {"outcome": outcome, "confirm": "1", **extra}, token_from=url(ph), status=status
    )
    return answer.follow() if status == 303 else answer


def start_interview(testapp, ph: PlanHousehold):
    """Record "interviewed" and return the questionnaire page."""
    testapp.post_form(url(ph), {"outcome": "interviewed"}, status=303)
    return testapp.get(url(ph, "/interview"))


def interview_of(dbsession, ph: PlanHousehold) -> Interview | None:
    return dbsession.scalar(select(Interview).where(Interview.plan_household_id == ph.id))


def full_answers(**changes) -> dict:
    return {"verification": household(**changes), "recognition": dict(RECOGNITION)}


def backdate(dbsession, ph: PlanHousehold, minutes: int = 45) -> None:
    """Pretend the interview started ``minutes`` ago (so it is not flagged too short)."""
    item = interview_of(dbsession, ph)
    item.started_at = item.started_at - dt.timedelta(minutes=minutes)
    dbsession.flush()


def submit(testapp, dbsession, ph: PlanHousehold, answers: dict, *, status=303):
    page = testapp.get(url(ph, "/interview"))
    version = interview_of(dbsession, ph).version
    pairs = form_pairs(answers, version=version, token=csrf_of(page), action="submit")
    return testapp.post(url(ph, "/interview"), pairs, status=status)
