"""Rights follow the village's current team; no self-approval; team rights for field roles only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assessment.core.errors import DomainError
from assessment.core.models import Role, User
from surveys.models import RevisitDraw
from surveys.review import ReviewService
from tests.factories import make_team, make_user
from tests.surveys_web.conftest import (
    backdate,
    csrf_of,
    full_answers,
    interview_of,
    start_interview,
    submit,
    url,
)


def _as(testapp, user):
    testapp.post_form("/logout", {}, token_from="/", status=303)
    testapp.login(user.username)


def _submitted(testapp, dbsession, ph):
    start_interview(testapp, ph)
    backdate(dbsession, ph)
    submit(testapp, dbsession, ph, full_answers())
    return interview_of(dbsession, ph)


def _bulk(testapp):
    return testapp.post_form(
        "/surveys/review/bulk-approve", {"_LOCALE_": "en"}, token_from="/surveys/review", status=303
    ).follow()


def _move_village(testapp, world, village, team):
    """The coordinator gives the village to another team through the plan page."""
    _as(testapp, world.coordinator)
    plan_id = world.plan.plan.id
    testapp.post_form(
        f"/sampling/plans/{plan_id}/assign",
        {"plan_village_id": str(village.id), "team_id": str(team.id)},
        token_from=f"/sampling/plans/{plan_id}",
        status=303,
    )


def test_a_moved_village_leaves_the_old_teams_lists_and_rights(testapp, dbsession, world):
    plan = world.plan
    moved, kept = plan.first_selected(0), plan.first_selected(1)
    testapp.login(world.assessor.username)
    _submitted(testapp, dbsession, moved)
    _submitted(testapp, dbsession, kept)
    team_b = world.other_supervisor.team
    _move_village(testapp, world, plan.villages[0], team_b)
    assert plan.villages[0].team_id == team_b.id

    # Team A's supervisor: the moved village's interview is neither listed nor approvable.
    _as(testapp, world.supervisor)
    queue = testapp.get("/surveys/review").text
    assert f'data-household="{moved.id}"' not in queue
    assert f'data-household="{kept.id}"' in queue
    testapp.get(f"/surveys/review/{moved.id}", status=403)
    _bulk(testapp)
    assert interview_of(dbsession, moved).status == "submitted"
    assert interview_of(dbsession, kept).status == "approved"
    # ... nor drawn for a re-visit of team A.
    testapp.post_form(
        "/surveys/review/revisit",
        {"percent": "100", "seed": "7"},
        token_from="/surveys/review",
        status=303,
    )
    draw = dbsession.scalars(select(RevisitDraw)).one()
    assert json.loads(draw.interview_ids_json) == [interview_of(dbsession, kept).id]

    # Team A's assessor: gone from the API's assignments and closed through the API.
    _as(testapp, world.assessor)
    listed = {a["household"] for a in testapp.get("/api/assignments").json["assignments"]}
    assert moved.id not in listed and kept.id in listed
    testapp.get(f"/api/households/{moved.id}/interview", status=403)

    # Team B's supervisor now lists and approves it.
    _as(testapp, world.other_supervisor)
    assert f'data-household="{moved.id}"' in testapp.get("/surveys/review").text
    _bulk(testapp)
    assert interview_of(dbsession, moved).status == "approved"


def test_the_service_refuses_a_reviewer_of_the_old_team(testapp, dbsession, world):
    plan = world.plan
    ph = plan.first_selected(0)
    testapp.login(world.assessor.username)
    item = _submitted(testapp, dbsession, ph)
    plan.villages[0].team_id = world.other_supervisor.team_id  # moved after the page loaded
    dbsession.flush()
    service = ReviewService(dbsession)
    with pytest.raises(DomainError, match="another team"):
        service.approve(item, world.supervisor)
    with pytest.raises(DomainError, match="another team"):
        service.return_(item, world.supervisor, [("verification.head_name", "check")])
    assert item.status == "submitted"
    service.approve(item, world.other_supervisor)
    assert item.status == "approved"


def _second_supervisor(dbsession, world) -> User:
    return make_user(dbsession, Role.supervisor, team=world.supervisor.team)


def test_a_supervisor_cannot_approve_an_interview_they_recorded(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.supervisor.username)  # a supervisor may record for the team
    item = _submitted(testapp, dbsession, ph)
    page = testapp.get(f"/surveys/review/{ph.id}")
    refused = testapp.post(
        f"/surveys/review/{ph.id}",
        {"csrf_token": csrf_of(page), "approve": "1", "_LOCALE_": "en"},
        status=409,
    )
    assert "another supervisor must approve it" in refused.text
    assert item.status == "submitted"
    _as(testapp, _second_supervisor(dbsession, world))
    page = testapp.get(f"/surveys/review/{ph.id}")
    testapp.post(
        f"/surveys/review/{ph.id}", {"csrf_token": csrf_of(page), "approve": "1"}, status=303
    )
    assert item.status == "approved"


def test_any_save_makes_an_author(testapp, dbsession, world):
    """The assessor records and submits; the supervisor had saved one draft in between."""
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    _as(testapp, world.supervisor)
    item = interview_of(dbsession, ph)
    testapp.post_json(
        f"/api/households/{ph.id}/interview/draft",
        {"version": item.version, "answers": {"verification": {"income_wages": 5}}},
        headers={"X-CSRF-Token": testapp.get_csrf_token("/")},
    )
    _as(testapp, world.assessor)
    backdate(dbsession, ph)
    submit(testapp, dbsession, ph, full_answers())
    assert item.submitted_by_id == world.assessor.id
    with pytest.raises(DomainError, match="another supervisor"):
        ReviewService(dbsession).approve(item, world.supervisor)
    assert item.status == "submitted"


def test_bulk_approval_skips_and_reports_own_work(testapp, dbsession, world):
    plan = world.plan
    own, theirs = plan.selected[(plan.villages[0].id, "exited")]
    testapp.login(world.supervisor.username)
    _submitted(testapp, dbsession, own)
    _as(testapp, world.assessor)
    _submitted(testapp, dbsession, theirs)
    _as(testapp, world.supervisor)
    page = _bulk(testapp)
    assert "1 interviews approved." in page.text
    assert "1 interviews you recorded or edited yourself were left" in page.text
    assert interview_of(dbsession, own).status == "submitted"
    assert interview_of(dbsession, theirs).status == "approved"
    assert f'data-household="{own.id}"' in page.text  # still in the queue for someone else


@pytest.mark.parametrize("role", [Role.reader, Role.coordinator])
def test_a_team_gives_no_rights_to_readers_or_coordinators(testapp, dbsession, world, role):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    # Given a team before this rule (or by hand in the database): the team is ignored.
    someone = make_user(dbsession, role, team=world.assessor.team)
    _as(testapp, someone)
    testapp.get(url(ph, "/interview"), status=403)
    token = csrf_of(testapp.get("/"))
    testapp.post(url(ph), {"outcome": "absent", "csrf_token": token}, status=403)
    testapp.get(f"/api/households/{ph.id}/interview", status=403)
    testapp.get("/api/assignments", status=403)
    testapp.get(f"/surveys/review/{ph.id}", status=403)
    testapp.get(f"/teams/{world.assessor.team_id}", status=200 if role == Role.coordinator else 403)
    if role == Role.reader:
        testapp.get(url(ph), status=403)


@pytest.mark.parametrize("role", ["reader", "coordinator", "admin"])
def test_the_admin_form_refuses_a_team_for_other_roles(testapp, dbsession, world, role):
    testapp.login(world.admin.username)
    data = {
        "username": f"with-team-{role}",
        "display_name": "带组的人",
        "role": role,
        "team_id": str(world.assessor.team_id),
        "password": "long-enough-pw",
        "_LOCALE_": "en",
    }
    page = testapp.post_form("/admin/users/new", data, status=200)
    assert "Only assessors and supervisors belong to a team" in page.text
    assert dbsession.scalar(select(User).where(User.username == data["username"])) is None
    path = f"/admin/users/{world.reader.id}"
    edit = {"display_name": "读者", "role": "reader", "team_id": str(world.assessor.team_id)}
    page = testapp.post_form(path, {**edit, "_LOCALE_": "en"}, status=200)
    assert "Only assessors and supervisors belong to a team" in page.text
    assert world.reader.team_id is None


def test_an_assessor_moved_to_another_team_loses_the_old_households(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    world.assessor.team = make_team(dbsession)
    dbsession.flush()
    testapp.get(url(ph, "/interview"), status=403)
    assert testapp.get("/api/assignments").json["assignments"] == []
