"""The work list on a phone: by county, township and village id; search as before."""

from __future__ import annotations

from surveys.instrument_store import ensure_builtin_instruments
from tests.factories import make_county, make_team, make_user
from tests.survey_factories import make_drawn_plan


def _same_name_county(dbsession, name="下桥村"):
    county = make_county(dbsession, townships=2, villages=1)
    for township in county.townships:
        township.villages[0].name = name
    county.townships[0].name, county.townships[1].name = "花溪乡", "沙坝镇"
    dbsession.flush()
    return county


def test_same_name_villages_stay_apart_under_their_county(testapp, dbsession):
    from assessment.core.models import Role

    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    county = _same_name_county(dbsession)
    plan = make_drawn_plan(dbsession, team, county=county, villages=2, selected=2, reserves=1)
    other = make_drawn_plan(dbsession, team, villages=1, selected=1, reserves=1)
    assessor = make_user(dbsession, Role.assessor, team=team)
    testapp.login(assessor.username)
    page = testapp.get("/surveys/assignments")
    headings = [h.text for h in page.html.select("h2.county-heading")]
    assert headings == sorted([county.name, other.county.name])
    sections = page.html.select("section[data-village]")
    by_village = {
        int(s["data-village"]): {a.text.split()[0] for a in s.select(".worklist .who")}
        for s in sections
    }
    assert len(sections) == 3  # two 下桥村 apart, plus the other county's village
    for pv in plan.villages:
        village = pv.frame_village.village
        heads = {ph.household.head_name for ph in plan.selected[(pv.id, "exited")]}
        assert by_village[village.id] == heads
        title = page.html.select_one(f"section[data-village='{village.id}'] h3").text
        assert title == f"{village.township.name} · 下桥村"
    # Each village sits under its own county's heading.
    order = [n.name for n in page.html.select("h2.county-heading, section[data-village]")]
    assert order.count("h2") == 2 and order[0] == "h2"
    # The village filter names the township too, and filters by id.
    first = plan.villages[0].frame_village.village
    options = [o.text for o in page.html.select("select[name=village] option")]
    assert "花溪乡 · 下桥村" in options and "沙坝镇 · 下桥村" in options
    only = testapp.get("/surveys/assignments", {"village": first.id})
    assert [int(s["data-village"]) for s in only.html.select("section[data-village]")] == [first.id]
    # Search as before, across villages.
    head = plan.selected[(plan.villages[1].id, "exited")][0].household
    found = testapp.get("/surveys/assignments", {"q": head.household_id})
    assert [w.text for w in found.html.select(".worklist .who")] == [head.head_name]


def test_a_village_with_every_household_done_folds_away(testapp, dbsession):
    from assessment.core.models import Role
    from tests.surveys_web.conftest import confirm_outcome

    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    plan = make_drawn_plan(dbsession, team, villages=2, selected=1, reserves=0)
    assessor = make_user(dbsession, Role.assessor, team=team)
    testapp.login(assessor.username)
    finished, open_ = (pv.frame_village.village.id for pv in plan.villages)
    ph = plan.selected[(plan.villages[0].id, "exited")][0]
    confirm_outcome(testapp, ph, "moved")
    page = testapp.get("/surveys/assignments")
    done = page.html.select_one(f"section[data-village='{finished}']")
    assert done.has_attr("data-done")
    assert done.select_one("details summary").text == "1 户均已完成"
    assert done.select_one("details .worklist .who").text == ph.household.head_name
    still = page.html.select_one(f"section[data-village='{open_}']")
    assert not still.has_attr("data-done") and still.select_one("details") is None
    assert still.select(".worklist .who")  # the day's work stays in sight
    # The village with work left comes first, though it is second in list order.
    order = [int(s["data-village"]) for s in page.html.select("section[data-village]")]
    assert order == [open_, finished]
