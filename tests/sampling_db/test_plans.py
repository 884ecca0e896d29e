"""Plans in the database: commitment before the draw, immutability, re-draws, verification."""

import json

import pytest
from sqlalchemy import func, select, update

from assessment.core.errors import DomainError
from sampling import rng
from sampling.designs import canonical_json, parse_design
from sampling.models import PlanHousehold, PlanVillage
from sampling.plans import PlanService
from tests.factories import make_team
from tests.sampling_db.conftest import SMALL_DESIGN

SEED = "00" * 31 + "2a"


def test_draw_stores_commitment_that_anyone_can_recompute(dbsession, frame):
    plan = PlanService(dbsession).draw(frame, SMALL_DESIGN, seed_hex=SEED)
    design_json = canonical_json(parse_design(SMALL_DESIGN))
    seed_sha = rng.seed_hash(bytes.fromhex(SEED))
    assert plan.seed_hash == seed_sha
    assert plan.commitment == rng.commitment(frame.content_hash, design_json, seed_sha)
    assert plan.committed_at <= plan.drawn_at


def test_stored_sample_has_the_designed_sizes_and_weights(dbsession, frame):
    plan = PlanService(dbsession).draw(frame, SMALL_DESIGN, seed_hex=SEED)
    villages = dbsession.scalar(select(func.count()).where(PlanVillage.plan_id == plan.id))
    assert villages == 5
    rows = dbsession.execute(
        select(PlanHousehold.role, PlanHousehold.pi, PlanHousehold.weight).where(
            PlanHousehold.plan_id == plan.id
        )
    ).all()
    assert {r.role for r in rows} <= {"selected", "reserve", "screening"}
    for _, pi, weight in rows:
        assert 0 < pi <= 1
        assert weight == pytest.approx(1 / pi, rel=1e-12)
    summary = json.loads(plan.summary_json)
    assert summary["strata"]


def test_second_draw_needs_a_reason_and_becomes_version_two(dbsession, frame):
    service = PlanService(dbsession)
    first = service.draw(frame, SMALL_DESIGN, seed_hex=SEED)
    with pytest.raises(DomainError, match="reason"):
        service.draw(frame, SMALL_DESIGN)
    second = service.draw(frame, SMALL_DESIGN, reason="首次抽样村名单泄露")
    assert second.version == 2 and second.supersedes_id == first.id
    assert [p.version for p in service.plans_of(frame.county)] == [2, 1]


def test_verification_is_identical_then_detects_tampering(dbsession, frame):
    service = PlanService(dbsession)
    plan = service.draw(frame, SMALL_DESIGN, seed_hex=SEED)
    assert service.verify(plan).identical
    victim = dbsession.scalars(
        select(PlanHousehold).where(
            PlanHousehold.plan_id == plan.id, PlanHousehold.role == "reserve"
        )
    ).first()
    dbsession.execute(
        update(PlanHousehold).where(PlanHousehold.id == victim.id).values(reserve_rank=99)
    )
    result = service.verify(plan)
    assert not result.identical and result.differences == 2


def test_same_seed_gives_the_same_sample_in_a_new_plan(dbsession, frame):
    service = PlanService(dbsession)
    a = service.draw(frame, SMALL_DESIGN, seed_hex=SEED)
    b = service.draw(frame, SMALL_DESIGN, seed_hex=SEED, reason="复核")

    def rows(plan):
        return sorted(
            (r["household_id"], r["role"], r["reserve_rank"]) for r in service.export_rows(plan)
        )

    assert rows(a) == rows(b)


def test_bad_seed_and_bad_design_are_refused_with_messages(dbsession, frame):
    service = PlanService(dbsession)
    with pytest.raises(DomainError) as seed_error:
        service.draw(frame, SMALL_DESIGN, seed_hex="xyz")
    assert seed_error.value.field == "seed"
    with pytest.raises(DomainError) as design_error:
        service.draw(frame, {"type": "two-stage", "villages": {"poor": -1}})
    assert design_error.value.field == "design"


def test_team_may_not_be_assigned_its_home_county(dbsession, frame):
    service = PlanService(dbsession)
    plan = service.draw(frame, SMALL_DESIGN, seed_hex=SEED)
    local = make_team(dbsession, home_county=frame.county)
    outsider = make_team(dbsession)
    village = service.villages(plan)[0]["plan_village"]
    with pytest.raises(DomainError, match="may not assess"):
        service.assign(plan, village.id, local)
    service.assign(plan, village.id, outsider)
    dbsession.refresh(village)
    assert village.team_id == outsider.id
