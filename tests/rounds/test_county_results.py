"""Stored county results always equal a fresh computation, after every kind of change.

Each change goes through the service a page or a command uses; the stored row is then
compared field by field with :func:`reports.status.county_status` computed afresh, and the
row's data version with the county's.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.core.models import AssessmentRound, County, Role
from assessment.core.services import set_round_counties
from assessment.core.staleness import mark_stale, pending, refresh_pending
from reports import results, snapshot
from reports.models import CountyResult
from reports.services import dashboard
from reports.status import county_status
from sampling.models import PlanHousehold
from sampling.plans import PlanService
from surveys.fieldwork import FieldworkService
from surveys.instrument_store import ensure_builtin_instruments
from surveys.review import ReviewService
from tests.factories import make_county, make_team, make_user
from tests.rounds.helpers import interview, not_reached
from tests.sampling_db.conftest import SMALL_DESIGN, frame  # noqa: F401 - the fixture


def stored(db, county: County, round_id: int) -> CountyResult | None:
    return db.scalar(
        select(CountyResult).where(
            CountyResult.county_id == county.id, CountyResult.round_id == round_id
        )
    )


def assert_current(db, county: County, round_id: int) -> CountyResult:
    """The stored row equals a fresh computation and carries the county's data version."""
    refresh_pending(db)  # what the commit runs (tested below); the tests never commit
    assert pending(db) == set()
    row = stored(db, county, round_id)
    assert row is not None
    db.expire_all()
    version = db.scalar(select(County.data_version).where(County.id == county.id))
    assert row.data_version == version
    fresh = county_status(db, county, round_id)
    assert snapshot.loads(row.summary_json) == dataclasses.replace(fresh.summary, signed_off=False)
    assert (row.verdict, row.state) == (fresh.summary.verdict, fresh.summary.state)
    assert (row.planned, row.resolved) == (fresh.summary.planned, fresh.summary.resolved)
    assert (row.submitted, row.approved) == (fresh.submitted, fresh.approved)
    assert row.plan_id == (fresh.plan.id if fresh.plan else None)
    assert row.simulated == bool(fresh.plan and fresh.plan.simulated_fieldwork)
    keys = results.keys(db, round_id=round_id, province_id=county.province_id)
    (line,) = results.lines(db, [k for k in keys if k.county_id == county.id])
    assert line.stored and line.summary == fresh.summary
    return row


@pytest.fixture
def world(dbsession, frame):  # noqa: F811
    """The frame's county and a bystander county listed in one round through the service."""
    ensure_builtin_instruments(dbsession)
    bystander = make_county(dbsession, townships=0)
    bystander.province_id = frame.county.province_id
    assessment_round = AssessmentRound(name="存量", year=2019, poverty_line=3218.0)
    dbsession.add(assessment_round)
    set_round_counties(dbsession, assessment_round, [frame.county, bystander])
    team = make_team(dbsession)
    return {
        "frame": frame,
        "county": frame.county,
        "bystander": bystander,
        "round": assessment_round,
        "team": team,
        "assessor": make_user(dbsession, Role.assessor, team=team),
        "supervisor": make_user(dbsession, Role.supervisor, team=team),
    }


def selected(db, plan, n: int) -> list[PlanHousehold]:
    return list(
        db.scalars(
            select(PlanHousehold)
            .where(PlanHousehold.plan_id == plan.id, PlanHousehold.role == "selected")
            .order_by(PlanHousehold.id)
            .limit(n)
        )
    )


def test_stored_results_equal_a_fresh_computation_after_every_kind_of_change(dbsession, world):
    db, county, round_id = dbsession, world["county"], world["round"].id
    assessor, supervisor = world["assessor"], world["supervisor"]
    row = assert_current(db, county, round_id)  # round change: the county joined the round
    assert row.state == "no_plan"
    bystander_version = assert_current(db, world["bystander"], round_id).data_version

    service = PlanService(db)
    plan = service.draw(world["frame"], SMALL_DESIGN, seed_hex="41" * 32)  # a draw
    assert assert_current(db, county, round_id).plan_id == plan.id
    for village in service.villages(plan):  # reassignment of villages to teams
        service.assign(plan, village["plan_village"].id, world["team"])
    assert_current(db, county, round_id)

    first, second, third, fourth, fifth = selected(db, plan, 5)
    item = interview(db, first, assessor)  # an outcome and a submission
    assert assert_current(db, county, round_id).submitted == 1
    review = ReviewService(db)
    review.approve(item, supervisor)  # an approval
    assert pending(db) == set()  # recomputed in the call, before its audit row (chain lock)
    row = assert_current(db, county, round_id)
    assert (row.approved, row.state) == (1, "interim")

    item = interview(db, second, assessor)
    review.return_(item, supervisor, [("verification.head_name", "请核对")])  # return
    assert assert_current(db, county, round_id).approved == 1

    for ph in (third, fourth):
        interview(db, ph, assessor)
    bulk = review.bulk_approve(world["team"].id, supervisor)  # a bulk approval
    assert pending(db) == {county.id}  # once, at commit
    assert assert_current(db, county, round_id).approved == 1 + bulk.approved

    not_reached(db, fifth, assessor)  # a non-contact releases a reserve
    assert_current(db, county, round_id)

    world["round"].recognition_min = 0.99  # a round change: thresholds, then counties
    set_round_counties(db, world["round"], [world["bystander"]])
    refresh_pending(db)
    assert stored(db, county, round_id) is None  # no longer listed: its row goes
    set_round_counties(db, world["round"], [county, world["bystander"]])
    row = assert_current(db, county, round_id)
    assert {i.threshold for i in snapshot.loads(row.summary_json).indicators} >= {0.99}

    FieldworkService(db).close(plan, make_user(db, Role.coordinator), "到期")  # close-fieldwork
    assert assert_current(db, county, round_id).state == "final"

    admin = make_user(db, Role.admin)
    new = service.draw(  # a re-draw that discards the fieldwork
        world["frame"], SMALL_DESIGN, user=admin, reason="重抽", discard_fieldwork=True
    )
    row = assert_current(db, county, round_id)
    assert (row.plan_id, row.plan_version, row.approved) == (new.id, 2, 0)
    # Only the two changes of the round touched the bystander.
    assert assert_current(db, world["bystander"], round_id).data_version == bystander_version + 2


def test_a_stale_or_missing_row_is_computed_afresh_and_never_breaks_the_dashboard(dbsession, world):
    db, county, round_id = dbsession, world["county"], world["round"].id
    assert_current(db, county, round_id)
    # A change made behind the services' back: the county's data version moved on.
    db.execute(update(County).where(County.id == county.id).values(data_version=999))
    db.expire_all()
    db.delete(stored(db, world["bystander"], round_id))
    db.flush()
    board = dashboard(db, round_id)
    lines = {line.code: line for line in board.lines}
    assert not lines[county.code].stored and not lines[world["bystander"].code].stored
    for c in (county, world["bystander"]):
        assert lines[c.code].summary == county_status(db, c, round_id).summary
    assert board.counties == 2 and board.verdicts["insufficient_data"] == 2


def test_the_stored_rows_are_refreshed_when_the_session_commits(dbengine):
    """The commit itself runs the refresh (no reader, no explicit call)."""
    import reports.results  # noqa: F401 - registers the refresher, as the app does

    with dbengine.connect() as connection:
        outer = connection.begin()
        try:
            session = Session(bind=connection, join_transaction_mode="create_savepoint")
            county = make_county(session, townships=0)
            assessment_round = AssessmentRound(name="提交", year=2019, poverty_line=3218.0)
            session.add(assessment_round)
            session.flush()
            assessment_round.counties = [county]
            mark_stale(session, [county.id])
            mine = select(CountyResult).where(CountyResult.county_id == county.id)
            assert session.scalar(mine) is None
            session.commit()
            assert pending(session) == set()
            row = session.scalar(mine)
            assert row is not None and row.state == "no_frame" and row.data_version == 1
            session.close()
        finally:
            outer.rollback()
