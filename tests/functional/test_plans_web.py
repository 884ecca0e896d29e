"""The coordinator's plan pages: design, draw, verify, assign, export; who may see what."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from assessment.models import Role
from sampling.models import SamplePlan
from tests.factories import make_team, make_user
from tests.sampling_db.conftest import SMALL_DESIGN, frame  # noqa: F401 - the fixture


def draw(testapp, frame, **extra):  # noqa: F811 - the fixture's name
    path = f"/sampling/plans/new?frame={frame.id}"
    return testapp.post_form(path, {"design": json.dumps(SMALL_DESIGN), **extra})


def test_coordinator_draws_verifies_and_exports(testapp, dbsession, frame):  # noqa: F811
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    page = testapp.get(f"/sampling/plans/new?frame={frame.id}")
    assert "two-stage" in page.text
    response = draw(testapp, frame, status=303)
    plan = dbsession.scalars(select(SamplePlan)).one()
    view = testapp.get(response.location)
    assert plan.commitment in view.text and plan.seed_hex in view.text
    verified = testapp.post_form(
        f"/sampling/plans/{plan.id}/verify", {}, token_from=f"/sampling/plans/{plan.id}"
    )
    assert "flash-success" in verified.text
    exported = testapp.get(f"/sampling/plans/{plan.id}/export.csv")
    rows = list(csv.DictReader(io.StringIO(exported.body.decode("utf-8-sig"))))
    assert {"household_id", "village", "stratum", "role", "reserve_rank", "pi", "weight"} <= set(
        rows[0]
    )
    reserves = [r for r in rows if r["role"] == "reserve"]
    assert reserves and all(r["reserve_rank"] for r in reserves)
    assert all(abs(float(r["weight"]) * float(r["pi"]) - 1) < 1e-12 for r in rows)
    assert testapp.get(f"/sampling/plans/{plan.id}/export.xlsx").body[:2] == b"PK"


def test_redraw_without_reason_keeps_the_form_and_says_why(testapp, dbsession, frame):  # noqa: F811
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    draw(testapp, frame, status=303)
    page = draw(testapp, frame, status=200)
    assert "重抽" in page.text or "reason" in page.text
    assert len(dbsession.scalars(select(SamplePlan)).all()) == 1
    draw(testapp, frame, reason="村名单提前泄露", status=303)
    assert len(dbsession.scalars(select(SamplePlan)).all()) == 2


def test_assignment_refuses_the_home_county_team(testapp, dbsession, frame):  # noqa: F811
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    response = draw(testapp, frame, status=303)
    plan = dbsession.scalars(select(SamplePlan)).one()
    local = make_team(dbsession, "本县组", home_county=frame.county)
    pv = plan_village_id(dbsession, plan)
    path = f"/sampling/plans/{plan.id}/assign"
    testapp.post_form(
        path, {"plan_village_id": pv, "team_id": local.id}, token_from=response.location
    )
    page = testapp.get(response.location)
    assert "flash-error" in page.text


def plan_village_id(dbsession, plan):
    from sampling.models import PlanVillage

    return dbsession.scalars(select(PlanVillage.id).where(PlanVillage.plan_id == plan.id)).first()


def test_reader_sees_plan_history_but_cannot_draw_or_export(testapp, dbsession, frame):  # noqa: F811
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    draw(testapp, frame, status=303)
    plan = dbsession.scalars(select(SamplePlan)).one()
    reader = make_user(dbsession, Role.reader)
    testapp.reset()
    testapp.login(reader.username)
    testapp.get("/sampling/plans", status=200)
    testapp.get(f"/sampling/plans/{plan.id}", status=200)
    testapp.get(f"/sampling/plans/new?frame={frame.id}", status=403)
    testapp.get(f"/sampling/plans/{plan.id}/export.csv", status=403)


def test_assessor_cannot_see_plans(testapp, dbsession, frame):  # noqa: F811
    assessor = make_user(dbsession, Role.assessor)
    testapp.login(assessor.username)
    testapp.get("/sampling/plans", status=403)


def test_sample_size_endpoint_answers_both_kinds(testapp, dbsession):
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    size = testapp.get("/sampling/sizes.json", {"margin": "0.05", "anticipated": "0.5"}).json
    assert size["size"]["n"] == 385  # Cochran's classic n for ±5 points at 95 %
    decision = testapp.get(
        "/sampling/sizes.json", {"kind": "decision", "threshold": "0.02", "acceptable": "0.005"}
    ).json
    assert decision["plan"]["p_accept_at_threshold"] <= 0.05
    assert decision["oc"][0]["p_accept"] == 1.0
    large = testapp.get(
        "/sampling/sizes.json",
        {"kind": "decision", "threshold": "0.02", "acceptable": "0.005", "population": "42000"},
    ).json
    assert large["plan"]["model"] == "binomial"  # hypergeometric only for small frames
    small = testapp.get(
        "/sampling/sizes.json",
        {"kind": "decision", "threshold": "0.02", "acceptable": "0.005", "population": "800"},
    ).json
    assert small["plan"]["model"] == "hypergeometric"
    bad = testapp.get("/sampling/sizes.json", {"margin": "2"}, status=400).json
    assert "margin" in bad["error"]


def test_plan_export_csv_neutralises_frame_text(testapp, dbsession, frame):  # noqa: F811
    from sampling.models import Household, PlanHousehold

    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    draw(testapp, frame, status=303)
    plan = dbsession.scalars(select(SamplePlan)).one()
    ph = dbsession.scalars(select(PlanHousehold).where(PlanHousehold.plan_id == plan.id)).first()
    household = dbsession.get(Household, ph.household_pk)
    household.head_name = "+cmd|' /C calc'!A0"
    dbsession.flush()
    exported = testapp.get(f"/sampling/plans/{plan.id}/export.csv")
    rows = list(csv.DictReader(io.StringIO(exported.body.decode("utf-8-sig"))))
    (row,) = [r for r in rows if r["household_id"] == household.household_id]
    assert row["head_name"] == "'+cmd\\|' /C calc'!A0"  # text, not a formula
    assert float(row["weight"]) * float(row["pi"]) == pytest.approx(1)


def _plan_villages(dbsession, plan):
    from sampling.models import PlanVillage

    query = select(PlanVillage).where(PlanVillage.plan_id == plan.id).order_by(PlanVillage.id)
    return list(dbsession.scalars(query))


def test_many_villages_go_to_one_team_in_one_save(testapp, dbsession, frame):  # noqa: F811
    import re

    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    response = draw(testapp, frame, status=303)
    plan = dbsession.scalars(select(SamplePlan)).one()
    team = make_team(dbsession, "甲组")
    villages = _plan_villages(dbsession, plan)
    page = testapp.get(response.location)
    boxes = page.html.select("input[type=checkbox][form=assign-many]")
    assert {int(b["value"]) for b in boxes} == {v.id for v in villages}
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    path = f"/sampling/plans/{plan.id}/assign-many?_LOCALE_=en"
    chosen = [v.id for v in villages[:3]]
    pairs = [("csrf_token", token), ("team_id", str(team.id))]
    done = testapp.post(path, pairs + [("plan_village_id", str(i)) for i in chosen], status=303)
    assert "3 villages assigned." in done.follow().text
    dbsession.expire_all()
    assert [v.team_id for v in _plan_villages(dbsession, plan)] == [team.id] * 3 + [None] * (
        len(villages) - 3
    )
    # Nothing ticked, a bad id, the home county's team: a message, nothing changed.
    nothing = testapp.post(path, pairs, status=303).follow()
    assert "Choose at least one village." in nothing.text
    testapp.post(path, [*pairs, ("plan_village_id", "x")], status=303)
    local = make_team(dbsession, "本县组", home_county=frame.county)
    refused = [
        ("csrf_token", token),
        ("team_id", str(local.id)),
        ("plan_village_id", str(chosen[0])),
    ]
    assert "flash-error" in testapp.post(path, refused, status=303).follow().text
    dbsession.expire_all()
    assert [v.team_id for v in _plan_villages(dbsession, plan)][:4] == [team.id] * 3 + [None]
    no_token = [("team_id", str(team.id)), ("plan_village_id", str(villages[4].id))]
    testapp.post(path, no_token, status=400)  # CSRF
    dbsession.expire_all()
    assert _plan_villages(dbsession, plan)[4].team_id is None


def test_printed_team_list_puts_sampled_households_first_and_hides_the_status(
    testapp,
    dbsession,
    frame,  # noqa: F811
):
    from sampling.plans import PlanService

    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    draw(testapp, frame, status=303)
    plan = dbsession.scalars(select(SamplePlan)).one()
    team = make_team(dbsession, "乙组")
    village = _plan_villages(dbsession, plan)[0]
    PlanService(dbsession).assign_many(plan, [village.id], team)
    page = testapp.get(f"/sampling/plans/{plan.id}/teams/{team.id}?_LOCALE_=en")
    rows = page.html.select("#team-list tbody tr")
    roles = [r["class"][0].removeprefix("role-") for r in rows]
    assert roles == sorted(roles, key=lambda r: r == "reserve")  # every reserve after the rest
    assert roles.count("reserve") > 0 and roles.count("selected") > 0
    # Reserves in their drawn order within each list (A1, A2, …, then B1, …).
    from sampling.models import PlanHousehold

    ranks = {
        ph.household.household_id: (ph.stratum, ph.reserve_rank)
        for ph in dbsession.scalars(
            select(PlanHousehold).where(
                PlanHousehold.plan_village_id == village.id, PlanHousehold.role == "reserve"
            )
        )
    }
    shown = [
        (r.select("td")[2].text, r.select("td")[5].text)
        for r in rows
        if "role-reserve" in r["class"]
    ]
    assert [ranks[h] for h, _ in shown] == sorted(ranks.values())
    assert [label[1:] for _, label in shown] == [str(ranks[h][1]) for h, _ in shown]
    for status in ("Exited household", "Not-yet-exited", "Non-registered", "exited"):
        assert status not in page.text
