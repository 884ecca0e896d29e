"""The decision-based sample size takes a design effect: entered, or from earlier fieldwork."""

import numpy as np
import pytest

from assessment.core.models import AssessmentRound, Role
from reports import county_estimates as ce
from reports.county_estimates import DEFAULT_DECISION_DEFF, previous_deff
from sampling.plans import PlanService
from sampling.sizes import decision_sample_size
from surveys.instrument_store import ensure_builtin_instruments
from surveys.simulation import simulate_fieldwork
from tests.factories import make_team, make_user
from tests.sampling_db.conftest import frame  # noqa: F401 - the fixture

pytestmark = pytest.mark.db

DESIGN = {
    "type": "two-stage",
    "villages": {"poor": 3, "non_poor": 2},
    "households_per_village": {"exited": 6, "not_exited": 1, "non_registered": 6},
    "reserves_per_household": 1,
}


def test_size_endpoint_applies_the_design_effect(testapp, dbsession):
    testapp.login(make_user(dbsession, Role.coordinator).username)
    query = {"kind": "decision", "threshold": "0.02", "acceptable": "0.005"}
    plain = testapp.get("/sampling/sizes.json", query).json["plan"]
    clustered = testapp.get("/sampling/sizes.json", {**query, "deff": "2.5"}).json
    plan = clustered["plan"]
    expected = decision_sample_size(0.02, 0.005, deff=2.5)
    assert plan["n"] == expected.n == -(-plain["n"] * 5 // 2)  # ceil(2.5 n)
    assert plan["n_effective"] == plain["n"] and plan["deff"] == 2.5
    assert plan["deff_source"] == "entered"
    assert plan["acceptance_rate"] == pytest.approx(plan["d"] / plan["n_effective"])
    # the OC curve is that of the effective size: at the threshold it is the plan's risk
    at_threshold = [p for p in clustered["oc"] if abs(p["rate"] - 0.02) < 1e-12]
    assert at_threshold[0]["p_accept"] == pytest.approx(plan["p_accept_at_threshold"])
    bad = testapp.get("/sampling/sizes.json", {**query, "deff": "0"}, status=400).json
    assert "设计效应" in bad["error"]  # the field, named in the user's language


def test_design_page_takes_the_design_effect_of_earlier_fieldwork(
    testapp,
    dbsession,
    frame,  # noqa: F811
):
    dbsession.add(
        AssessmentRound(name="2019 轮", year=2019, poverty_line=3218.0, counties=[frame.county])
    )
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    before = previous_deff(dbsession, frame.county)
    assert before == {"value": DEFAULT_DECISION_DEFF, "source": "entered", "round": None}
    page = testapp.get(f"/sampling/plans/new?frame={frame.id}")
    assert 'name="decision_deff" value="3.00"' in page.text
    assert 'data-deff-source="entered"' in page.text

    team = make_team(dbsession)
    make_user(dbsession, Role.assessor, team=team)
    make_user(dbsession, Role.supervisor, team=team)
    service = PlanService(dbsession)
    plan = service.draw(frame, DESIGN, seed_hex="31" * 32)
    for row in service.villages(plan):
        service.assign(plan, row["plan_village"].id, team)
    ensure_builtin_instruments(dbsession)
    simulate_fieldwork(dbsession, plan, rng=np.random.default_rng(5), poverty_line=3218.0)

    data = ce.county_data(dbsession, frame.county)
    detail = ce.assess(data)["wrongful_exit_rate"].detail
    # the design effect of 错退率 on the approved interviews: variance over the SRS variance
    # of the same number of persons' households, recomputed here from its definition
    assert detail.deff == pytest.approx(detail.se**2 / _srs_variance(data.rows), rel=1e-9)
    found = previous_deff(dbsession, frame.county)
    assert found["source"] == "previous_round" and found["round"] == "2019 轮"
    assert found["value"] == pytest.approx(max(1.0, detail.deff))
    page = testapp.get(f"/sampling/plans/new?frame={frame.id}")
    shown = f"{found['value']:.2f}"
    assert f'name="decision_deff" value="{shown}" data-previous="{shown}"' in page.text
    assert 'data-deff-source="previous_round"' in page.text and "2019 轮" in page.text


def _srs_variance(rows) -> float:
    """SRS-without-replacement variance of the weighted ratio Σw·wrong·persons / Σw·persons
    over the exited households with a positive weight (R's ``deff=TRUE`` denominator)."""
    exited = [
        r for r in rows if r["status"] == "exited" and r["random_village"] and r["weight"] > 0
    ]
    w = np.array([r["weight"] for r in exited])
    x = np.array([r["persons"] for r in exited], float)
    y = np.array([r["persons"] if r["wrongly_exited"] else 0 for r in exited], float)
    ratio = np.sum(w * y) / np.sum(w * x)
    u = (y - ratio * x) / np.sum(w * x)  # influence of each household on the ratio
    n, population = len(w), w.sum()
    mean = np.sum(w * u) / population
    s2 = np.sum(w * (u - mean) ** 2) / population * n / (n - 1)
    return (1 - n / population) * population**2 * s2 / n
