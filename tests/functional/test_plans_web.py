"""The coordinator's plan pages: design, draw, verify, assign, export; who may see what."""

import csv
import io
import json
import re

import pytest
from sqlalchemy import func, select

from assessment.core.models import Role
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
    # The design in words beside its JSON (SMALL_DESIGN: 3 poor and 2 non-poor villages).
    words = view.text.split('id="design-words">')[1].split("</span>")[0]
    assert "抽取样本村：非贫困村 2 个、贫困村 3 个。" in words
    assert "每个样本户配替补户 2 户。" in words and "排查" in words
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


def test_design_page_without_a_frame_sends_the_coordinator_to_the_frames(testapp, dbsession):
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    sent = testapp.get("/sampling/plans/new", status=303)
    assert sent.location.endswith("/sampling/frames")
    assert "请先选择抽样框" in sent.follow().text
    testapp.get("/sampling/plans/new?frame=999999", status=404)  # a named frame that is not there
    reader = make_user(dbsession, Role.reader)
    testapp.reset()
    testapp.login(reader.username)
    testapp.get("/sampling/plans/new", status=403)  # the permission comes first


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
    assert small["model_label"] == "超几何分布模型（小抽样框）"  # the code is not shown
    assert large["model_label"] == "二项分布模型"
    # The calculators' own errors ("margin: must be a proportion ...") are never shown: the
    # user reads which input is wrong, in their language.
    bad = testapp.get("/sampling/sizes.json", {"margin": "2"}, status=400).json
    assert "误差限" in bad["error"] and not re.search("[A-Za-z]", bad["error"])
    english = testapp.get("/sampling/sizes.json", {"margin": "2", "_LOCALE_": "en"}, status=400)
    assert english.json["error"] == "Margin: enter a percentage above 0 and below 100."
    for params in ({"margin": "abc"}, {"kind": "decision", "threshold": "0.02"}):
        params["_LOCALE_"] = "zh"  # the English answer above chose English for what follows
        missing = testapp.get("/sampling/sizes.json", params, status=400).json["error"]
        assert not re.search("[A-Za-z]", missing), missing
    reversed_ = testapp.get(
        "/sampling/sizes.json",
        {"kind": "decision", "threshold": "0.01", "acceptable": "0.02", "_LOCALE_": "zh"},
        status=400,
    ).json["error"]
    assert "可接受" in reversed_ and not re.search("[A-Za-z]", reversed_)


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


def _errors(page) -> list[str]:
    return re.findall(r'<p class="error">([^<]*)</p>', page.text)


def test_design_form_lists_every_problem_at_once(testapp, dbsession, frame):  # noqa: F811
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    design = {
        "type": "two-stage",
        "villages": {"poor": -1, "hills": 2},
        "households_per_village": {"exited": "ten"},
        "reserves_per_household": 99,
    }
    path = f"/sampling/plans/new?frame={frame.id}"
    page = testapp.post_form(path, {"design": json.dumps(design), "seed": "xyz"}, status=200)
    errors = _errors(page)
    # villages.poor, the unknown stratum, no village left, exited, no household left, the
    # reserves and the seed: seven problems, all on the page after one submission.
    assert len(errors) == 7, errors
    assert any("hills" in e for e in errors) and any("64" in e for e in errors)
    assert dbsession.scalars(select(SamplePlan)).all() == []


def test_broken_design_json_is_explained_in_the_users_language(testapp, dbsession, frame):  # noqa: F811
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    path = f"/sampling/plans/new?frame={frame.id}"
    page = testapp.post_form(path, {"design": '{"type": "two-stage",\n "villages" {}}'})
    (error,) = _errors(page)
    assert "第 2 行" in error and "Expecting" not in error and "char" not in error


def test_shortfalls_are_sentences_with_sample_and_reserve_apart(testapp, dbsession, frame):  # noqa: F811
    from sampling.models import FrameVillage

    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    poor = dbsession.scalar(
        select(func.count())
        .select_from(FrameVillage)
        .where(FrameVillage.frame_id == frame.id, FrameVillage.village_type == "poor")
    )
    design = {**SMALL_DESIGN, "villages": {"poor": poor + 5, "non_poor": 1}}
    # Few not-yet-exited households live in a village: ten reserves each cannot be found.
    design["households_per_village"] = {"exited": 0, "not_exited": 1, "non_registered": 0}
    design["reserves_per_household"] = 10
    path = f"/sampling/plans/new?frame={frame.id}"
    response = testapp.post_form(path, {"design": json.dumps(design)}, status=303)
    page = testapp.get(response.location, {"_LOCALE_": "zh"})
    sample = page.text.split('id="sample-shortfalls"')[1].split("</section>")[0]
    assert f"贫困村：设计要求 {poor + 5} 个村，抽样框中只有 {poor} 个。" in sample
    reserve = page.text.split('id="reserve-shortfalls"')[1].split("</section>")[0]
    assert "未脱贫户：需要替补户 10 户" in reserve
    for code in ("non_poor", "exited", "not_exited", "non_registered", ">poor"):
        assert code not in sample + reserve
    village_keys = dbsession.scalars(
        select(FrameVillage.village_key).where(FrameVillage.frame_id == frame.id)
    ).all()
    assert not any(key in reserve for key in village_keys)  # village names, not keys


def test_design_page_counts_villages_and_households_per_stratum(testapp, dbsession, frame):  # noqa: F811
    from sampling.models import FrameVillage, Household

    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    page = testapp.get(f"/sampling/plans/new?frame={frame.id}", {"_LOCALE_": "zh"})
    for village_type in ("poor", "non_poor"):
        villages = dbsession.scalar(
            select(func.count())
            .select_from(FrameVillage)
            .where(FrameVillage.frame_id == frame.id, FrameVillage.village_type == village_type)
        )
        exited = dbsession.scalar(
            select(func.count())
            .select_from(Household)
            .join(FrameVillage, Household.frame_village_id == FrameVillage.id)
            .where(
                FrameVillage.frame_id == frame.id,
                FrameVillage.village_type == village_type,
                Household.status == "exited",
            )
        )
        row = page.text.split(f'data-stratum="{village_type}">')[1].split("</tr>")[0]
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert cells[0] == f"{villages:,}" and cells[1] == f"{exited:,}"


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
