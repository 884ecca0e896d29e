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


def test_a_countys_done_villages_fold_away_together(testapp, dbsession):
    """Every village with all its households done goes under one fold per county (not one
    card each): the villages with work left stay in sight, above it."""
    from assessment.core.models import Role
    from tests.surveys_web.conftest import confirm_outcome

    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    plan = make_drawn_plan(dbsession, team, villages=3, selected=1, reserves=0)
    other = make_drawn_plan(dbsession, team, villages=1, selected=1, reserves=0)
    assessor = make_user(dbsession, Role.assessor, team=team)
    testapp.login(assessor.username)
    first, second, open_ = (pv.frame_village.village.id for pv in plan.villages)
    done_heads = []
    for pv in (plan.villages[0], plan.villages[1], other.villages[0]):
        ph = plan.selected.get((pv.id, "exited")) or other.selected[(pv.id, "exited")]
        confirm_outcome(testapp, ph[0], "moved")
        done_heads.append(ph[0].household.head_name)
    page = testapp.get("/surveys/assignments")
    folds = page.html.select("details.done-villages")
    assert len(folds) == 2  # one per county, not one per village
    by_county = {}
    for fold in folds:
        county = fold.find_previous("h2", class_="county-heading").text
        by_county[county] = fold
    mine = by_county[plan.county.name]
    assert mine.select_one("summary").text == "已完成的村（2）"
    assert [int(s["data-village"]) for s in mine.select("section[data-village]")] == [
        first,
        second,
    ]
    assert [w.text for w in mine.select(".worklist .who")] == done_heads[:2]
    assert "1 户均已完成" in mine.select_one(f"section[data-village='{first}'] h3").text
    assert not mine.has_attr("open")  # folded until asked for
    assert by_county[other.county.name].select_one("summary").text == "已完成的村（1）"
    # The village with work left is a card of its own, outside any fold, before the fold.
    still = page.html.select_one(f"section[data-village='{open_}']")
    assert still.find_parent("details") is None and still.select(".worklist .who")
    order = [
        int(n["data-village"]) if n.name == "section" else "fold"
        for n in page.html.select("section[data-village], details.done-villages")
        if n.name == "details" or n.find_parent("details") is None
    ]
    assert order.index(open_) < order.index("fold")
    # A filtered list shows what was asked for: the fold is open.
    filtered = testapp.get("/surveys/assignments", {"status": "not_interviewed"})
    assert all(f.has_attr("open") for f in filtered.html.select("details.done-villages"))


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
    assert done.find_parent("details").select_one("summary").text == "已完成的村（1）"
    assert done.select_one(".worklist .who").text == ph.household.head_name
    still = page.html.select_one(f"section[data-village='{open_}']")
    assert not still.has_attr("data-done") and still.select_one("details") is None
    assert still.select(".worklist .who")  # the day's work stays in sight
    # The village with work left comes first, though it is second in list order.
    order = [int(s["data-village"]) for s in page.html.select("section[data-village]")]
    assert order == [open_, finished]
