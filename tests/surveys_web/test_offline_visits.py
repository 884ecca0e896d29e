"""不在家 visits made offline: the phone's times, checked and recorded by the server, which
decides the reserve release by the round's rule as online."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from assessment.core.models import utcnow
from surveys.models import ReserveRelease, VisitAttempt
from tests.surveys_web.test_sync import _device, _send

pytestmark = pytest.mark.db


def _stamp(moment: dt.datetime) -> str:
    """A time as the phone sends it (``Date.toISOString()``: UTC, milliseconds, Z)."""
    return moment.isoformat(timespec="milliseconds") + "Z"


def _visits(dbsession, ph) -> list[tuple[str, dt.datetime]]:
    query = select(VisitAttempt.outcome, VisitAttempt.visited_at).where(
        VisitAttempt.plan_household_id == ph.id
    )
    return list(dbsession.execute(query.order_by(VisitAttempt.visited_at)))


def _releases(dbsession) -> list[tuple[int, int]]:
    rows = dbsession.scalars(select(ReserveRelease).order_by(ReserveRelease.id))
    return [(r.replaced_id, r.reserve_id) for r in rows]


def _cell(world):
    village = world.plan.villages[0].id
    return world.plan.selected[(village, "exited")], world.plan.reserves[(village, "exited")]


def _now() -> dt.datetime:
    return utcnow().replace(tzinfo=None, microsecond=0)


def test_two_offline_visits_a_gap_apart_release_the_reserve_at_the_phones_times(
    testapp, dbsession, world
):
    selected, reserves = _cell(world)
    first = selected[0]
    # The default rule: 2 visits at least 120 minutes apart. The phone's clock says 9:00
    # and 11:30 (today, in the past): the server stores those times, not the sync's.
    morning, noon = _now() - dt.timedelta(hours=5), _now() - dt.timedelta(hours=2, minutes=30)
    phone = _device(testapp, world.assessor)
    answer = _send(
        testapp,
        first,
        phone,
        "absent-visits-1",
        "outcome",
        outcome="absent",
        reserve=str(reserves[0].id),
        visit_at=[_stamp(morning), _stamp(noon)],
    )
    assert answer["released_reserve"]["id"] == reserves[0].id
    assert answer["reserve_confirmed"] is True
    assert _visits(dbsession, first) == [("absent", morning), ("absent", noon)]
    assert _releases(dbsession) == [(first.id, reserves[0].id)]
    # The same change sent again under a new key (the phone lost its answer and its key)
    # stores no visit twice and releases nothing more.
    again = _send(
        testapp,
        first,
        phone,
        "absent-visits-2",
        "outcome",
        outcome="absent",
        reserve=str(reserves[0].id),
        visit_at=[_stamp(morning), _stamp(noon)],
    )
    assert again["created"] is False
    assert len(_visits(dbsession, first)) == 2
    assert _releases(dbsession) == [(first.id, reserves[0].id)]


def test_visits_too_close_are_recorded_but_release_nothing(testapp, dbsession, world):
    selected, reserves = _cell(world)
    first = selected[0]
    early, late = _now() - dt.timedelta(minutes=150), _now() - dt.timedelta(minutes=100)
    phone = _device(testapp, world.assessor) | {"locale": "en"}
    refused = _send(
        testapp,
        first,
        phone,
        "absent-close-1",
        "outcome",
        status=409,
        outcome="absent",
        reserve=str(reserves[0].id),
        visit_at=[_stamp(early), _stamp(late)],
    )
    # 50 minutes apart: the second visit does not count under the 120-minute gap.
    assert refused["error"] == "visits_needed"
    assert "2 visits at least 2 hours apart; 1 counted" in refused["message"]
    assert refused["visits_counted"] == 1 and refused["visits_needed"] == 1
    assert _visits(dbsession, first) == [("absent", early), ("absent", late)]
    assert _releases(dbsession) == []
    # A later visit (now, on another phone or the same one) meets the rule: released then.
    done = _send(
        testapp,
        first,
        phone,
        "absent-close-2",
        "outcome",
        outcome="absent",
        reserve=str(reserves[0].id),
        visit_at=[_stamp(early), _stamp(late), _stamp(_now())],
    )
    assert done["reserve_confirmed"] is True
    assert len(_visits(dbsession, first)) == 3


def test_visit_times_out_of_bounds_are_refused_and_nothing_is_saved(testapp, dbsession, world):
    selected, _ = _cell(world)
    first = selected[0]
    phone = _device(testapp, world.assessor)
    recent = _now() - dt.timedelta(hours=3)
    tomorrow = _now() + dt.timedelta(days=1)
    future = _send(
        testapp,
        first,
        phone,
        "absent-future-1",
        "outcome",
        status=409,
        outcome="absent",
        visit_at=[_stamp(recent), _stamp(tomorrow)],
    )
    assert "晚于现在" in future["message"] or "时钟" in future["message"]
    before_plan = world.plan.plan.committed_at - dt.timedelta(days=1)
    early = _send(
        testapp,
        first,
        phone,
        "absent-early-1",
        "visit",
        status=409,
        visit_at=[_stamp(before_plan)],
    )
    assert before_plan.strftime("%Y-%m-%d %H:%M") in early["message"]
    garbage = _send(
        testapp, first, phone, "absent-bad-01", "visit", status=409, visit_at=["yesterday"]
    )
    assert garbage["error"] == "conflict"
    none = _send(testapp, first, phone, "absent-none-1", "visit", status=400)
    assert none["error"] == "invalid"
    assert _visits(dbsession, first) == []
    assert _releases(dbsession) == []
    # A small skew of the phone's clock (a few minutes ahead) is accepted.
    ahead = _now() + dt.timedelta(minutes=3)
    _send(testapp, first, phone, "absent-skew-1", "visit", visit_at=[_stamp(ahead)])
    assert _visits(dbsession, first) == [("absent", ahead)]


def test_a_reserves_visits_cannot_predate_its_release(testapp, dbsession, world):
    selected, reserves = _cell(world)
    phone = _device(testapp, world.assessor)
    morning, noon = _now() - dt.timedelta(hours=5), _now() - dt.timedelta(hours=2)
    _send(
        testapp,
        selected[0],
        phone,
        "absent-rel-01",
        "outcome",
        outcome="absent",
        visit_at=[_stamp(morning), _stamp(noon)],
    )
    released = reserves[0]
    before = _send(
        testapp,
        released,
        phone,
        "absent-rel-02",
        "visit",
        status=409,
        visit_at=[_stamp(morning)],
    )
    assert before["error"] == "conflict"
    assert _visits(dbsession, released) == []


def test_offline_visits_alone_are_recorded_once(testapp, dbsession, world):
    selected, _ = _cell(world)
    first = selected[0]
    phone = _device(testapp, world.assessor)
    morning = _now() - dt.timedelta(hours=4)
    one = _send(testapp, first, phone, "visit-only-1", "visit", visit_at=[_stamp(morning)])
    assert one["visits"] == [morning.isoformat() + "Z"]
    assert one["visits_counted"] == 1 and one["visits_needed"] == 1
    expected_next = morning + dt.timedelta(minutes=120)
    assert one["next_visit_from"] == expected_next.isoformat() + "Z"
    replay = _send(testapp, first, phone, "visit-only-1", "visit", visit_at=[_stamp(morning)])
    assert replay["replayed"] is True
    _send(testapp, first, phone, "visit-only-2", "visit", visit_at=[_stamp(morning)])
    assert _visits(dbsession, first) == [("absent", morning)]
    # A screening household is not replaced: it has no visit rule to send visits for.
    screening = world.plan.selected.get((world.plan.villages[0].id, "screening"))
    if screening:
        _send(
            testapp,
            screening[0],
            phone,
            "visit-only-3",
            "visit",
            status=400,
            visit_at=[_stamp(morning)],
        )


def test_the_day_cache_carries_the_rounds_rule_and_the_recorded_visits(testapp, dbsession, world):
    selected, reserves = _cell(world)
    first = selected[0]
    world.plan.assessment_round.absent_visits = 3
    world.plan.assessment_round.absent_visit_gap_minutes = 45
    dbsession.flush()
    phone = _device(testapp, world.assessor)
    morning = _now() - dt.timedelta(hours=4)
    _send(testapp, first, phone, "visit-day-01", "visit", visit_at=[_stamp(morning)])
    day = testapp.get("/api/offline/day").json
    mine = {h["id"]: h for h in day["households"]}
    assert mine[first.id]["visit_rule"] == {"visits": 3, "gap_minutes": 45}
    assert mine[first.id]["visits"] == [morning.isoformat() + "Z"]
    assert mine[selected[1].id]["visits"] == []
    queued = [r for q in day["reserves"].values() for r in q]
    assert reserves[0].id in {r["id"] for r in queued}
    assert all(r["visit_rule"] == {"visits": 3, "gap_minutes": 45} for r in queued)
