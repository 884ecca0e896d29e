"""Reserves with discipline: 不在家 needs the round's visits at different times, every
non-interview is confirmed on a page naming the reserve, and a release can be undone
(audited) until the reserve's fieldwork starts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assessment.core.errors import DomainError
from surveys.audit import status_mismatches, verify_chain
from surveys.models import InterviewChange, ReserveRelease, VisitAttempt
from surveys.workflow import InterviewService, VisitsNeeded
from tests.surveys_web.conftest import (
    away_visits,
    confirm_outcome,
    interview_of,
    record_absent,
    start_interview,
    url,
)


def _releases(dbsession, plan):
    return list(dbsession.scalars(select(ReserveRelease).where(ReserveRelease.plan_id == plan.id)))


def _cell(world):
    pv = world.plan.villages[0]
    return world.plan.selected[(pv.id, "exited")], world.plan.reserves[(pv.id, "exited")]


def test_absent_releases_nothing_until_the_rounds_visits_are_made(testapp, dbsession, world):
    (first, _), reserves = _cell(world)
    testapp.login(world.assessor.username)
    visit = testapp.post_form(url(first), {"outcome": "absent", "_LOCALE_": "en"}, status=303)
    page = visit.follow()
    assert "Visit 1 recorded: nobody at home. Visits still needed before a reserve " in page.text
    assert "household is released: 1 (the next from" in page.text
    assert _releases(dbsession, world.plan.plan) == []
    assert interview_of(dbsession, first) is None  # still open
    # A second tap right away is a visit too, but not at a different time: still not enough.
    testapp.post_form(url(first), {"outcome": "absent", "_LOCALE_": "en"}, status=303)
    visits = InterviewService(dbsession).visits(first)
    assert (len(visits.attempts), visits.counted, visits.needed) == (2, 1, 1)
    assert _releases(dbsession, world.plan.plan) == []
    # Confirming anyway (a forged or stale form) is refused by the service.
    refused = confirm_outcome(testapp, first, "absent", _LOCALE_="en")
    assert "only after 2 visits at least 2 hours apart; 1 counted so far" in refused.text
    assert _releases(dbsession, world.plan.plan) == []
    # Two hours later: the rule is met, and the confirmation page names the reserve.
    away_visits(dbsession, first)
    confirm = testapp.post_form(url(first), {"outcome": "absent"}, status=303).follow()
    assert confirm.html.select_one("#reserve") is not None
    assert reserves[0].household.head_name in confirm.html.select_one("#reserve").text
    assert _releases(dbsession, world.plan.plan) == []  # nothing before the confirmation
    confirm_outcome(testapp, first, "absent")
    (release,) = _releases(dbsession, world.plan.plan)
    assert (release.replaced_id, release.reserve_id) == (first.id, reserves[0].id)
    shown = testapp.get(url(first), {"_LOCALE_": "en"})
    assert len(shown.html.select("#visits li")) == 3


def test_the_visit_rule_is_the_rounds(testapp, dbsession, world):
    (first, _), _reserves = _cell(world)
    world.plan.assessment_round.absent_visits = 3
    world.plan.assessment_round.absent_visit_gap_minutes = 30
    dbsession.flush()
    service = InterviewService(dbsession)
    testapp.login(world.assessor.username)
    for _ in range(2):
        testapp.post_form(url(first), {"outcome": "absent"}, status=303)
        away_visits(dbsession, first)  # 30 minutes apart now
    assert service.visits(first).needed == 1
    with pytest.raises(VisitsNeeded):
        service.record_outcome(first, "absent", world.assessor)
    after = testapp.post_form(url(first), {"outcome": "absent"}, status=303)
    assert "/outcome?outcome=absent" in after.location
    # One visit is enough for a round that says so.
    world.plan.assessment_round.absent_visits = 1
    (_, second), _ = _cell(world)
    dbsession.flush()
    assert "/outcome?outcome=absent" in (
        testapp.post_form(url(second), {"outcome": "absent"}, status=303).location
    )


def test_other_outcomes_are_confirmed_on_a_page_naming_the_reserve(testapp, dbsession, world):
    (first, second), reserves = _cell(world)
    testapp.login(world.assessor.username)
    asked = testapp.post_form(url(first), {"outcome": "refused"}, status=303).follow()
    assert reserves[0].household.head_name in asked.html.select_one("#reserve").text
    assert reserves[0].household.household_id in asked.html.select_one("#reserve").text
    assert _releases(dbsession, world.plan.plan) == [] and interview_of(dbsession, first) is None
    # Cancel is a link back: nothing recorded.
    assert asked.html.select_one("#confirm a.button")["href"].endswith(url(first))
    confirm_outcome(testapp, first, "refused")
    assert interview_of(dbsession, first).contact_outcome == "refused"
    (attempt,) = dbsession.scalars(
        select(VisitAttempt).where(VisitAttempt.plan_household_id == first.id)
    )
    assert (attempt.outcome, attempt.recorded_by_id) == ("refused", world.assessor.id)
    # The next confirmation names the next reserve in rank order.
    asked = testapp.get(url(second, "/outcome"), {"outcome": "moved"})
    assert reserves[1].household.head_name in asked.html.select_one("#reserve").text


def test_undo_until_the_reserve_starts_is_audited(testapp, dbsession, world):
    (first, _), reserves = _cell(world)
    testapp.login(world.assessor.username)
    record_absent(testapp, dbsession, first)
    testapp.get(url(reserves[0]), status=200)  # released: the team may open it
    page = testapp.get(url(first))
    assert page.html.select_one("form.undo") is not None
    token = testapp.get_csrf_token(url(first))
    undone = testapp.post(
        url(first, "/undo-release?_LOCALE_=en"), {"csrf_token": token}, status=303
    ).follow()
    assert "withdrawn; this household is open again" in undone.text
    assert undone.html.select_one("#status").text == "Not started"
    assert _releases(dbsession, world.plan.plan) == []
    testapp.get(url(reserves[0]), status=403)  # unreleased again
    item = interview_of(dbsession, first)
    assert (item.status, item.contact_outcome) == ("draft", "")
    row = dbsession.scalars(
        select(InterviewChange)
        .where(InterviewChange.interview_id == item.id)
        .order_by(InterviewChange.id.desc())
    ).first()
    changes = {c["path"]: (c["old"], c["new"]) for c in json.loads(row.changes_json)}
    assert row.action == "undo_release" and row.user_id == world.assessor.id
    assert changes["reserve_released"] == (reserves[0].household.household_id, None)
    assert changes["status"] == ("not_interviewed", "draft")
    assert verify_chain(dbsession)[1] is None and status_mismatches(dbsession) == []
    # The work list has it as not started again (and not the withdrawn reserve).
    fresh = testapp.get("/surveys/assignments", {"status": "not_started"})
    assert first.household.head_name in fresh.text
    assert reserves[0].household.head_name not in fresh.text
    drafts = testapp.get("/surveys/assignments", {"status": "draft"})
    assert first.household.head_name not in drafts.text
    # The household came home: it is interviewed after all.
    start_interview(testapp, first)
    assert interview_of(dbsession, first).contact_outcome == "interviewed"


def test_no_undo_once_the_reserve_is_visited(testapp, dbsession, world):
    (first, _), reserves = _cell(world)
    testapp.login(world.assessor.username)
    confirm_outcome(testapp, first, "refused")
    testapp.post_form(url(reserves[0]), {"outcome": "absent"}, status=303)  # its first visit
    page = testapp.get(url(first))
    assert page.html.select_one("form.undo") is None
    token = testapp.get_csrf_token(url(first))
    refused = testapp.post(
        url(first, "/undo-release?_LOCALE_=en"), {"csrf_token": token}, status=303
    ).follow()
    assert "can no longer be undone" in refused.text
    assert len(_releases(dbsession, world.plan.plan)) == 1
    with pytest.raises(DomainError):
        InterviewService(dbsession).undo_release(first, world.assessor)
    # Undo needs the team's edit right and a CSRF token.
    testapp.post(url(first, "/undo-release"), {}, status=400)
    testapp.post_form("/logout", {}, token_from="/", status=303)
    testapp.login(world.other_assessor.username)
    testapp.post(url(first, "/undo-release"), {"csrf_token": token}, status=403)


def test_the_api_counts_absent_as_one_visit(testapp, dbsession, world):
    (first, _), reserves = _cell(world)
    testapp.login(world.assessor.username)
    token = testapp.get_csrf_token("/")
    headers = {"X-CSRF-Token": token}
    path = f"/api/households/{first.id}/outcome"
    answer = testapp.post_json(path, {"outcome": "absent"}, headers=headers).json
    assert (answer["visits_needed"], answer["released_reserve"]) == (1, None)
    away_visits(dbsession, first)
    answer = testapp.post_json(path, {"outcome": "absent"}, headers=headers).json
    assert answer["visits_needed"] == 0 and answer["released_reserve"] == reserves[0].id
