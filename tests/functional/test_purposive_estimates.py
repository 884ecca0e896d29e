"""Interviews in purposive villages are reported apart and never enter the estimates."""

import numpy as np
import pytest
from sqlalchemy import select

from assessment.core.models import AssessmentRound, Role
from assessment.indicators import estimate_county
from reports import county_estimates as ce
from sampling.models import PlanVillage
from sampling.plans import PlanService
from sampling.services import load_frame
from surveys.instrument_store import ensure_builtin_instruments
from surveys.simulation import simulate_fieldwork
from tests.factories import make_team, make_user
from tests.sampling_db.conftest import frame  # noqa: F401 - the fixture

DESIGN = {
    "type": "two-stage",
    "villages": {"poor": 3, "non_poor": 2},
    "households_per_village": {"exited": 6, "not_exited": 1, "non_registered": 6},
    "reserves_per_household": 1,
}


def test_purposive_village_is_excluded_from_estimates(dbsession, frame):  # noqa: F811
    dbsession.add(
        AssessmentRound(name="r", year=2019, poverty_line=3218.0, counties=[frame.county])
    )
    team = make_team(dbsession)
    make_user(dbsession, Role.assessor, team=team)
    make_user(dbsession, Role.supervisor, team=team)
    service = PlanService(dbsession)
    first = service.draw(frame, DESIGN, seed_hex="22" * 32)
    drawn = {row["plan_village"].frame_village.village_key for row in service.villages(first)}
    outside = next(k for k in load_frame(dbsession, frame).villages.key.tolist() if k not in drawn)
    plan = service.draw(
        frame,
        {**DESIGN, "purposive_villages": [outside]},
        seed_hex="22" * 32,
        reason="加入一个偏远村",
    )
    for row in service.villages(plan):
        service.assign(plan, row["plan_village"].id, team)
    flags = dbsession.scalars(select(PlanVillage.purposive).where(PlanVillage.plan_id == plan.id))
    assert sum(flags) == 1
    ensure_builtin_instruments(dbsession)
    simulate_fieldwork(dbsession, plan, rng=np.random.default_rng(2), poverty_line=3218.0)
    data = ce.county_data(dbsession, frame.county)
    assert any(not r["random_village"] for r in data.rows)
    result = ce.assess(data)
    assert result.purposive is not None and result.purposive.villages == 1
    random_only = [r for r in data.rows if r["random_village"]]
    alone = estimate_county(ce.household_sample(random_only), data.totals, data.scheme)
    for indicator in ("wrongful_exit_rate", "missed_rate", "recognition_rate"):
        assert result[indicator].estimate == pytest.approx(alone[indicator].estimate, rel=1e-12)
