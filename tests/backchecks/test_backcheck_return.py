"""A supervisor returns an approved interview on a back-check's evidence (issue 19)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assessment.core.errors import DomainError
from assessment.core.models import Role
from backchecks.models import Backcheck
from backchecks.services import BackcheckService
from reports.models import CountyResult
from surveys.models import InterviewChange, ReviewComment
from surveys.review import ReviewRefused
from tests.factories import make_user


@pytest.fixture
def checked(dbsession, field):
    """The sample drawn and one back-check recorded with one member more than the first
    visit found (a type 1 discrepancy)."""
    service = BackcheckService(dbsession)
    service.draw(field.drawn.plan, field.coordinator, seed=3)
    query = select(Backcheck).where(Backcheck.team_id == field.other_team.id)
    backcheck = dbsession.scalars(query.order_by(Backcheck.id)).first()
    larger = backcheck.interview.persons + 1
    service.record(backcheck, field.checker, {"household_size": str(larger)})
    field.backcheck = backcheck
    return field


def _approved_in_results(db, field) -> int:
    row = db.scalar(
        select(CountyResult).where(
            CountyResult.county_id == field.drawn.county.id,
            CountyResult.round_id == field.drawn.assessment_round.id,
        )
    )
    return row.approved


def test_the_current_teams_supervisor_returns_the_interview_through_the_web(
    testapp, dbsession, checked
):
    backcheck, interview = checked.backcheck, checked.backcheck.interview
    answers_before = interview.verification_json
    recorded = backcheck.answers_json
    url = f"/quality/backchecks/{backcheck.id}/compare"
    testapp.login(checked.supervisor.username)  # the original team's supervisor, not an author
    page = testapp.get(url)
    assert 'data-key="household_size" class="flagged" data-differs="yes"' in page.text
    assert "return-form" in page.text
    ret = f"/quality/backchecks/{backcheck.id}/return"
    testapp.post(ret, {"reason": "household size"}, status=400)  # no CSRF token
    assert interview.status == "approved"
    testapp.post_form(ret, {"reason": "  "}, token_from=url).follow()
    dbsession.refresh(interview)
    assert interview.status == "approved"  # a reason is required
    reason = "回访核查发现家庭人口多一人，请核实"
    shown = testapp.post_form(ret, {"reason": reason}, token_from=url).follow()
    assert "return-form" not in shown.text
    dbsession.refresh(interview)
    assert interview.status == "returned"
    assert interview.verification_json == answers_before  # the answers never change
    assert backcheck.answers_json == recorded
    comment = dbsession.scalar(
        select(ReviewComment).where(ReviewComment.interview_id == interview.id)
    )
    assert (comment.field_path, comment.text, comment.open) == ("backcheck", reason, True)
    change = dbsession.scalars(
        select(InterviewChange)
        .where(InterviewChange.interview_id == interview.id)
        .order_by(InterviewChange.id.desc())
    ).first()
    assert (change.action, change.user_id) == ("return_approved", checked.supervisor.id)
    logged = {c["path"]: c["new"] for c in json.loads(change.changes_json)}
    assert logged["status"] == "returned" and logged["backcheck"] == backcheck.id
    assert logged["backcheck.discrepant"] == "household_size"
    assert _approved_in_results(dbsession, checked) == 3  # the county snapshot recomputed
    testapp.reset()
    testapp.login(checked.assessor.username)  # back with the assessor, comment shown
    household = testapp.get(f"/surveys/households/{interview.plan_household_id}/interview")
    assert reason in household.text


def test_who_may_not_return_an_approved_interview(testapp, dbsession, checked):
    backcheck = checked.backcheck
    url = f"/quality/backchecks/{backcheck.id}/compare"
    ret = f"/quality/backchecks/{backcheck.id}/return"
    for user in (checked.assessor, checked.liaison):  # no quality rights at all
        testapp.login(user.username)
        testapp.get(url, status=403)
        testapp.post_form(ret, {"reason": "x"}, token_from="/", status=403)
        testapp.reset()
    for user in (checked.checker, checked.coordinator, checked.expert):  # other team / role
        testapp.login(user.username)
        assert "return-form" not in testapp.get(url).text
        testapp.post_form(ret, {"reason": "x"}, token_from="/", status=403)
        testapp.reset()
    assert backcheck.interview.status == "approved"


def test_an_author_or_a_former_team_may_not_return_and_only_approved_interviews(dbsession, checked):
    service = BackcheckService(dbsession)
    backcheck, interview = checked.backcheck, checked.backcheck.interview
    author = make_user(dbsession, Role.supervisor, team=checked.supervisor.team)
    interview.entered_by_id = author.id
    dbsession.flush()
    with pytest.raises(ReviewRefused, match="recorded or edited this interview"):
        service.return_interview(backcheck, author, "own work")
    # The village moves to the other team: rights follow the team working it now.
    village = interview.plan_household.plan_village
    village.team_id = checked.other_team.id
    dbsession.flush()
    with pytest.raises(ReviewRefused, match="another team"):
        service.return_interview(backcheck, checked.supervisor, "former team")
    service.return_interview(backcheck, checked.checker, "the new team's supervisor")
    assert interview.status == "returned"
    with pytest.raises(DomainError, match="Only an approved interview"):
        service.return_interview(backcheck, checked.checker, "again")


def test_an_unrecorded_back_check_is_no_evidence(dbsession, checked):
    service = BackcheckService(dbsession)
    other = next(b for b in service.draw_of(checked.drawn.plan).backchecks if b.status != "done")
    with pytest.raises(DomainError, match="not recorded yet"):
        service.return_interview(other, checked.supervisor, "no evidence")
