"""Reserves are released only by a non-interview outcome and only in drawn order; boundaries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.models import ReserveRelease
from tests.surveys_web.conftest import (
    confirm_outcome,
    interview_of,
    record_absent,
    start_interview,
    url,
)


def _releases(dbsession, plan_village):
    query = select(ReserveRelease).where(ReserveRelease.plan_village_id == plan_village.id)
    return list(dbsession.scalars(query.order_by(ReserveRelease.id)))


def test_absent_releases_the_next_reserve_in_rank_order(testapp, dbsession, world):
    plan = world.plan
    pv = plan.villages[0]
    first, second = plan.selected[(pv.id, "exited")]
    reserves = plan.reserves[(pv.id, "exited")]
    testapp.login(world.assessor.username)
    # A reserve cannot be opened (or picked) before it is released.
    testapp.get(url(reserves[0]), status=403)
    answer = record_absent(testapp, dbsession, first)
    assert reserves[0].household.head_name in answer.text
    (release,) = _releases(dbsession, pv)
    assert (release.reserve_id, release.replaced_id) == (reserves[0].id, first.id)
    assert release.reason == "absent" and release.released_by_id == world.assessor.id
    assert interview_of(dbsession, first).status == "not_interviewed"
    # A second absence, of another household of the same village and stratum, takes rank 2.
    confirm_outcome(testapp, second, "refused")
    ranks = [r.reserve.reserve_rank for r in _releases(dbsession, pv)]
    assert ranks == [1, 2]
    assert reserves[2].household.head_name not in testapp.get("/surveys/assignments").text
    # The released reserve is worked like any household; its own absence releases rank 3.
    testapp.get(url(reserves[0]), status=200)
    confirm_outcome(testapp, reserves[0], "moved")
    assert [r.reserve.reserve_rank for r in _releases(dbsession, pv)] == [1, 2, 3]
    # Nothing else left: say so, release nothing.
    left = confirm_outcome(testapp, reserves[1], "deceased", _LOCALE_="en")
    assert "No reserve household is left" in left.text
    assert len(_releases(dbsession, pv)) == 3
    # The other village's reserves were never touched.
    assert _releases(dbsession, plan.villages[1]) == []


def test_an_outcome_is_recorded_once(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    record_absent(testapp, dbsession, ph)
    again = confirm_outcome(testapp, ph, "refused", _LOCALE_="en")
    assert "recorded already" in again.text
    assert len(_releases(dbsession, world.plan.villages[0])) == 1


@pytest.mark.parametrize("who", ["other_assessor", "other_supervisor", "reader"])
def test_other_teams_and_readers_get_403(testapp, dbsession, world, who):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    testapp.post_form("/logout", {}, token_from="/", status=303)
    testapp.login(getattr(world, who).username)
    for path in (url(ph), url(ph, "/interview"), f"/surveys/review/{ph.id}"):
        testapp.get(path, status=403)
    testapp.post(
        url(ph), {"outcome": "absent", "csrf_token": testapp.get_csrf_token("/")}, status=403
    )
    testapp.get(f"/api/households/{ph.id}/interview", status=403)


def test_supervisor_reviews_but_coordinator_only_reads(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.coordinator.username)
    testapp.get(url(ph), status=200)
    testapp.get(url(ph, "/interview"), status=403)
    testapp.post_form("/logout", {}, token_from="/", status=303)
    testapp.login(world.supervisor.username)
    testapp.get(url(ph), status=200)
    testapp.get("/surveys/review", status=200)


def test_reader_sees_no_assignment_or_review_list(testapp, dbsession, world):
    testapp.login(world.reader.username)
    testapp.get("/surveys/assignments", status=403)
    testapp.get("/surveys/review", status=403)
    testapp.get("/api/assignments", status=403)
