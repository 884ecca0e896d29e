"""A re-draw in the middle of fieldwork is refused; an admin may discard (archive) it."""

import json

import pytest
from sqlalchemy import func, select

from assessment.core.errors import DomainError
from assessment.core.models import AssessmentRound, Role
from reports import county_estimates as ce
from sampling.models import PlanHousehold
from sampling.plans import PlanService
from surveys.instrument_store import ensure_builtin_instruments
from surveys.models import Interview
from surveys.workflow import InterviewLocked, InterviewService
from tests.factories import make_team, make_user
from tests.rounds.helpers import interview, not_reached
from tests.sampling_db.conftest import SMALL_DESIGN, frame  # noqa: F401 - the fixture


@pytest.fixture
def in_the_field(dbsession, frame):  # noqa: F811
    """A drawn plan with one approved interview and one non-contact."""
    dbsession.add(
        AssessmentRound(name="重抽", year=2019, poverty_line=3218.0, counties=[frame.county])
    )
    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    service = PlanService(dbsession)
    plan = service.draw(frame, SMALL_DESIGN, seed_hex="31" * 32)
    for row in service.villages(plan):
        service.assign(plan, row["plan_village"].id, team)
    assessor = make_user(dbsession, Role.assessor, team=team)
    supervisor = make_user(dbsession, Role.supervisor, team=team)
    first, second = dbsession.scalars(
        select(PlanHousehold)
        .where(PlanHousehold.plan_id == plan.id, PlanHousehold.role == "selected")
        .order_by(PlanHousehold.id)
        .limit(2)
    ).all()
    interview(dbsession, first, assessor, supervisor)
    not_reached(dbsession, second, assessor)
    return frame, plan, first, assessor


def interviews_of(dbsession, plan) -> int:
    return dbsession.scalar(select(func.count()).where(Interview.plan_id == plan.id))


def test_a_redraw_over_interviews_is_refused_and_changes_nothing(dbsession, in_the_field):
    source, plan, _, _ = in_the_field
    coordinator = make_user(dbsession, Role.coordinator)
    service = PlanService(dbsession)
    with pytest.raises(DomainError, match="already has 2 interviews"):
        service.draw(source, SMALL_DESIGN, user=coordinator, reason="样本村有误")
    with pytest.raises(DomainError, match="Only an administrator"):
        service.draw(
            source, SMALL_DESIGN, user=coordinator, reason="样本村有误", discard_fieldwork=True
        )
    assert service.current(source.county) is plan and plan.fieldwork_archived_at is None


def test_an_admin_redraw_archives_the_fieldwork_without_orphaning_it(dbsession, in_the_field):
    source, plan, first, assessor = in_the_field
    admin = make_user(dbsession, Role.admin)
    new = PlanService(dbsession).draw(
        source, SMALL_DESIGN, user=admin, reason="样本村有误", discard_fieldwork=True
    )
    assert new.version == plan.version + 1 and new.supersedes_id == plan.id
    assert plan.fieldwork_archived_at is not None and plan.fieldwork_archived_by is admin
    assert interviews_of(dbsession, plan) == 2  # kept
    data = ce.county_data(dbsession, source.county)
    assert data.plan is new and data.rows == []  # left out of the estimates
    with pytest.raises(InterviewLocked, match="archived"):
        InterviewService(dbsession).record_outcome(first, "refused", assessor)


def test_the_web_form_names_the_interviews_and_asks_an_admin_to_confirm(
    testapp, dbsession, in_the_field
):
    source, plan, _, _ = in_the_field
    path = f"/sampling/plans/new?frame={source.id}"
    testapp.login(make_user(dbsession, Role.coordinator).username)
    page = testapp.get(path)
    assert 'data-fieldwork="2"' in page.text and "discard_fieldwork" not in page.text
    testapp.reset()
    testapp.login(make_user(dbsession, Role.admin).username)
    page = testapp.get(path)
    assert "discard_fieldwork" in page.text and "2" in page.text
    design = {"design": json.dumps(SMALL_DESIGN), "reason": "样本村有误"}
    refused = testapp.post_form(path, design, status=200)
    assert "refused" in refused.text or "拒绝" in refused.text
    assert interviews_of(dbsession, plan) == 2 and plan.fieldwork_archived_at is None
    drawn = testapp.post_form(path, {**design, "discard_fieldwork": "y"}, status=303)
    new_page = drawn.follow()
    assert new_page.status_code == 200
    old_page = testapp.get(f"/sampling/plans/{plan.id}")
    assert 'data-archived="1"' in old_page.text
