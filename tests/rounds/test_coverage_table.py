"""The coverage table: planned vs completed by part, village class and status (issue 13)."""

from collections import Counter

import numpy as np
import pytest
from sqlalchemy import func, select

from assessment.core.models import AssessmentRound, Role
from reports.services import county_snapshot
from sampling.models import FrameVillage, PlanHousehold, PlanVillage
from sampling.plans import PlanService
from sampling.services import load_frame
from surveys.instrument_store import ensure_builtin_instruments
from surveys.models import Interview
from surveys.simulation import simulate_fieldwork
from tests.factories import make_team, make_user
from tests.sampling_db.conftest import frame  # noqa: F401 - the fixture

DESIGN = {
    "type": "two-stage",
    "villages": {"poor": 2, "non_poor": 1, "remote": 1},
    "households_per_village": {"exited": 4, "not_exited": 1, "non_registered": 4},
    "reserves_per_household": 1,
    "screening": True,
}


@pytest.fixture
def fielded(dbsession, frame):  # noqa: F811
    dbsession.add(
        AssessmentRound(name="覆盖", year=2019, poverty_line=3218.0, counties=[frame.county])
    )
    team = make_team(dbsession)
    make_user(dbsession, Role.assessor, team=team)
    make_user(dbsession, Role.supervisor, team=team)
    service = PlanService(dbsession)
    first = service.draw(frame, DESIGN, seed_hex="41" * 32)
    drawn = {row["plan_village"].frame_village.village_key for row in service.villages(first)}
    villages = load_frame(dbsession, frame).villages
    remote_poor = next(
        k
        for k, t, r in zip(villages.key, villages.village_type, villages.remote, strict=True)
        if k not in drawn and t == "poor" and r
    )
    plan = service.draw(
        frame, {**DESIGN, "purposive_villages": [remote_poor]}, seed_hex="41" * 32, reason="偏远村"
    )
    for row in service.villages(plan):
        service.assign(plan, row["plan_village"].id, team)
    ensure_builtin_instruments(dbsession)
    simulate_fieldwork(dbsession, plan, rng=np.random.default_rng(4), poverty_line=3218.0)
    return frame.county, plan


def test_screening_and_purposive_villages_are_apart_and_nothing_exceeds_its_plan(
    dbsession, fielded
):
    county, plan = fielded
    coverage = county_snapshot(dbsession, county).coverage
    rows = coverage.rows
    for by_type in coverage.households_by_type:  # was 455.8 %: screening counted as planned
        assert by_type.completed <= by_type.planned, by_type
    parts = Counter(r.part for r in rows)
    assert set(parts) == {"random", "purposive", "screening"}
    for r in rows:
        assert r.completed <= r.planned, r
    # The planned counts are the plan's own: selected households (screening apart).
    selected = dbsession.scalar(
        select(func.count()).where(
            PlanHousehold.plan_id == plan.id, PlanHousehold.role == "selected"
        )
    )
    screening = dbsession.scalar(
        select(func.count()).where(
            PlanHousehold.plan_id == plan.id, PlanHousehold.role == "screening"
        )
    )
    assert sum(r.planned for r in rows if r.part != "screening") == selected
    assert sum(r.planned for r in rows if r.part == "screening") == screening
    approved = dbsession.scalar(
        select(func.count()).where(Interview.plan_id == plan.id, Interview.status == "approved")
    )
    assert sum(r.completed for r in rows) == approved
    # The purposive village is a remote poor village, classed as remote, never as non-poor.
    assert {r.village_class for r in rows if r.part == "purposive"} == {"remote"}
    random_classes = {r.village_class for r in rows if r.part == "random"}
    assert random_classes <= {"poor", "non_poor", "remote"}


def test_village_counts_follow_each_village_s_own_class(dbsession, fielded):
    county, plan = fielded
    coverage = county_snapshot(dbsession, county).coverage
    strata = dict(
        dbsession.execute(
            select(PlanVillage.stratum, func.count())
            .where(PlanVillage.plan_id == plan.id, PlanVillage.purposive.is_(False))
            .group_by(PlanVillage.stratum)
        ).all()
    )
    assert (coverage.villages_poor, coverage.villages_non_poor, coverage.villages_remote) == (
        strata.get("poor", 0),
        strata.get("non_poor", 0),
        strata.get("remote", 0),
    )
    assert coverage.villages_purposive == 1
    remote = dbsession.scalar(
        select(FrameVillage.remote)
        .join(PlanVillage, PlanVillage.frame_village_id == FrameVillage.id)
        .where(PlanVillage.plan_id == plan.id, PlanVillage.purposive.is_(True))
    )
    assert remote
