"""The round's ρ on the web (``/reports/rounds/{id}/icc``): the page of ``assess pool-icc``.

Five small counties of one round with simulated, approved fieldwork, wrongful exits frequent
enough for ten or more events. The page shows the ρ in force (the planning value) and what the
complete counties pool to; while four are complete it says 数据不足 with the reason; an admin
applies the pooled value with a reason and the county's interval follows; a coordinator sees
the page without the form and is refused on POST; an empty reason changes nothing. An admin
puts the round back on the planning value (the history kept, the interval back to what it was);
a refused form comes back with the reason typed still in its box.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from sqlalchemy import func, select

from assessment.core.models import AssessmentRound, County, Role, RoundIcc
from assessment.core.staleness import PENDING
from sampling.plans import PlanService
from sampling.services import FrameService
from sampling.synthetic import synthetic_frame_csv
from surveys.instrument_store import ensure_builtin_instruments
from surveys.simulation import SimulatedRates, simulate_fieldwork
from tests.factories import make_county, make_team, make_user
from tests.sampling_db.conftest import HIERARCHY, SMALL_DESIGN

pytestmark = pytest.mark.slow


def _county(db, round_, team, seed: int, *, complete: bool):
    county = make_county(db, townships=0)
    data = synthetic_frame_csv(HIERARCHY, 400, rng=np.random.default_rng(seed), id_prefix="T")
    frame = FrameService(db).import_file(county, data, f"{county.code}.csv").frame
    round_.counties.append(county)
    db.flush()
    service = PlanService(db)
    plan = service.draw(frame, SMALL_DESIGN, seed_hex=f"{seed:02d}" * 32)
    for row in service.villages(plan):
        service.assign(plan, row["plan_village"].id, team)
    if complete:
        _fieldwork(db, plan, seed)
    return county


def _fieldwork(db, plan, seed: int) -> None:
    """Everyone interviewed and approved; about one exited household in three wrongly so."""
    rates = SimulatedRates(wrongly_exited=0.3, missed=0.0, absent=0.0)
    simulate_fieldwork(db, plan, rng=np.random.default_rng(seed), poverty_line=3218.0, rates=rates)


@pytest.fixture
def round_of_five(dbsession):
    """A round of five drawn counties; the last one's fieldwork not done (four complete)."""
    round_ = AssessmentRound(name="五县批次", year=2019, poverty_line=3218.0, counties=[])
    dbsession.add(round_)
    team = make_team(dbsession)
    make_user(dbsession, Role.assessor, team=team)
    make_user(dbsession, Role.supervisor, team=team)
    ensure_builtin_instruments(dbsession)
    counties = [_county(dbsession, round_, team, 40 + i, complete=i < 4) for i in range(5)]
    dbsession.flush()
    return {"round": round_, "counties": counties, "team": team}


def _complete_the_last(dbsession, world):
    from sampling.services import current_plan

    _fieldwork(dbsession, current_plan(dbsession, world["counties"][-1], world["round"].id), 99)
    dbsession.flush()


def _path(world) -> str:
    return f"/reports/rounds/{world['round'].id}/icc"


def _wrongful_exit_ci(testapp, county: County) -> str:
    page = testapp.get(f"/reports/county/{county.code}")
    row = re.search(r"<tr><td>错退率</td>.*?</tr>", page.text, re.S)
    assert row, page.text
    return re.search(r'<td class="num">([^<]*–[^<]*)</td>', row.group(0)).group(1)


def test_four_complete_counties_are_not_enough_and_the_page_says_why(
    testapp, dbsession, round_of_five
):
    admin = make_user(dbsession, Role.admin)
    testapp.login(admin.username)
    page = testapp.get(_path(round_of_five))
    assert "数据不足" in page.text
    assert "至少 5 个实地调查已完成的县" in page.text and "只有 4 个" in page.text
    # the ρ in force is the planning value for both rare rates
    assert page.text.count('data-rho="0.100"') == 2
    assert "data-apply" not in page.text  # nothing to apply: no form
    admin.language = "en"
    dbsession.flush()
    english = testapp.get(_path(round_of_five)).text
    assert "Insufficient data" in english and "at least 5 counties" in english
    assert "数据不足" not in english


def test_admin_applies_the_pooled_rho_and_the_county_follows(testapp, dbsession, round_of_five):
    _complete_the_last(dbsession, round_of_five)
    admin = make_user(dbsession, Role.admin)
    testapp.login(admin.username)
    edit = testapp.get(f"/admin/rounds/{round_of_five['round'].id}")
    page = edit.click(href=_path(round_of_five))  # the round's page links its ρ
    assert "5 个县中 5 个实地调查已完成" in page.text
    wrong = r'data-indicator="wrongful_exit_rate">.*?data-pooled-rho="([\d.]+)"'
    shown = re.search(wrong, page.text, re.S)
    assert shown, page.text
    pooled = float(shown.group(1))
    # 漏评: no events at all in this script, so nothing to pool
    assert re.search(r'data-indicator="missed_rate">.*?data-pooled-rho=""', page.text, re.S)
    assert "data-apply" in page.text

    county = round_of_five["counties"][0]
    before_ci = _wrongful_exit_ci(testapp, county)
    # the test's one session never commits: forget the counties marked stale by the fixture,
    # as a new request's transaction would
    dbsession.info.pop(PENDING, None)
    version = dbsession.scalar(select(County.data_version).where(County.id == county.id))
    done = testapp.post_form(_path(round_of_five), {"reason": "五县合并，网页"}, status=303)
    assert "5 个县的结果已重新计算" in done.follow().text
    rows = select(RoundIcc).where(RoundIcc.round_id == round_of_five["round"].id)
    (row,) = dbsession.scalars(rows).all()
    assert (row.indicator, row.source, row.value) == ("wrongful_exit_rate", "pooled", pooled)
    assert (row.reason, row.applied_by_id, row.counties) == ("五县合并，网页", admin.id, 5)
    dbsession.expire_all()
    assert dbsession.scalar(select(County.data_version).where(County.id == county.id)) > version
    # the county's interval is computed with the new ρ: a different ρ, a different interval
    assert pooled != 0.1
    assert _wrongful_exit_ci(testapp, county) != before_ci

    after = testapp.get(_path(round_of_five))
    assert f'data-rho="{pooled:.3f}"' in after.text
    assert "五县合并，网页" in after.text and admin.display_name in after.text
    assert "由评估批次“五县批次”的 5 个县" in after.text


def test_an_empty_reason_is_refused_and_nothing_changes(testapp, dbsession, round_of_five):
    _complete_the_last(dbsession, round_of_five)
    admin = make_user(dbsession, Role.admin)
    testapp.login(admin.username)
    county = round_of_five["counties"][0]
    version = dbsession.scalar(select(County.data_version).where(County.id == county.id))
    page = testapp.post_form(_path(round_of_five), {"reason": "   "}, status=200)
    assert "改用合并估计 ρ 需要写明原因" in page.text
    assert dbsession.scalar(select(func.count()).select_from(RoundIcc)) == 0
    dbsession.expire_all()
    assert dbsession.scalar(select(County.data_version).where(County.id == county.id)) == version


def test_a_coordinator_sees_the_page_without_the_form_and_cannot_apply(
    testapp, dbsession, round_of_five
):
    _complete_the_last(dbsession, round_of_five)
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    county = testapp.get(f"/reports/county/{round_of_five['counties'][0].code}")
    page = county.click(href=_path(round_of_five))  # the county's page links its round's ρ
    assert "data-pooled-rho=" in page.text and "data-apply" not in page.text
    token = testapp.get_csrf_token(_path(round_of_five))
    testapp.post(_path(round_of_five), {"reason": "越权", "csrf_token": token}, status=403)
    assert dbsession.scalar(select(func.count()).select_from(RoundIcc)) == 0
    # an assessor may not even look
    testapp.get("/logout", status="*")
    assessor = make_user(dbsession, Role.assessor, team=round_of_five["team"])
    testapp.reset()
    testapp.login(assessor.username)
    testapp.get(_path(round_of_five), status=403)


def test_a_missing_round_is_a_404_not_a_500(testapp, dbsession, round_of_five):
    testapp.login(make_user(dbsession, Role.admin).username)
    testapp.get("/reports/rounds/999999/icc", status=404)
    testapp.get(f"{_path(round_of_five)}?from_round=999999", status=404)
    testapp.get(f"{_path(round_of_five)}?from_round=abc", status=404)


def _apply(testapp, dbsession, world, reason: str) -> None:
    dbsession.info.pop(PENDING, None)  # as a new request's transaction would (see above)
    testapp.post_form(_path(world), {"reason": reason}, status=303)


def _rows(dbsession, world, indicator: str = "wrongful_exit_rate") -> list[tuple]:
    rows = (
        select(RoundIcc.source, RoundIcc.value, RoundIcc.reason)
        .where(RoundIcc.round_id == world["round"].id, RoundIcc.indicator == indicator)
        .order_by(RoundIcc.id)
    )
    return [tuple(r) for r in dbsession.execute(rows).all()]


def test_admin_puts_the_round_back_on_the_planning_value(testapp, dbsession, round_of_five):
    _complete_the_last(dbsession, round_of_five)
    admin = make_user(dbsession, Role.admin)
    testapp.login(admin.username)
    county = round_of_five["counties"][0]
    planning_ci = _wrongful_exit_ci(testapp, county)
    assert "data-planning" not in testapp.get(_path(round_of_five)).text  # nothing to undo
    _apply(testapp, dbsession, round_of_five, "五县合并")
    pooled_ci = _wrongful_exit_ci(testapp, county)
    assert pooled_ci != planning_ci
    page = testapp.get(_path(round_of_five))
    assert "data-planning" in page.text and "恢复规划值 0.10" in page.text

    # an empty reason: refused, nothing recorded, nothing recomputed
    dbsession.info.pop(PENDING, None)
    version = dbsession.scalar(select(County.data_version).where(County.id == county.id))
    refused = testapp.post_form(_path(round_of_five), {"planning_reason": "  "}, status=200)
    assert "恢复规划值需要写明原因" in refused.text
    assert len(_rows(dbsession, round_of_five)) == 1
    dbsession.expire_all()
    assert dbsession.scalar(select(County.data_version).where(County.id == county.id)) == version

    done = testapp.post_form(_path(round_of_five), {"planning_reason": "合并值存疑"}, status=303)
    said = done.follow().text
    assert "错退率已恢复规划值 ρ = 0.100" in said and "5 个县的结果已重新计算" in said
    # history kept: the pooled row, then the planning row in force; 漏评 never left planning
    (first, last) = _rows(dbsession, round_of_five)
    assert first[0] == "pooled" and first[2] == "五县合并"
    assert last == ("planning", 0.1, "合并值存疑")
    assert _rows(dbsession, round_of_five, "missed_rate") == []
    dbsession.expire_all()
    assert dbsession.scalar(select(County.data_version).where(County.id == county.id)) > version
    # the interval is the planning one again
    assert _wrongful_exit_ci(testapp, county) == planning_ci
    after = testapp.get(_path(round_of_five)).text
    assert after.count('data-rho="0.100"') == 2
    assert 'data-history="wrongful_exit_rate"' in after and "五县合并" in after
    assert "data-planning" not in after  # back on the planning value: nothing left to undo
    # once more: nothing to return, said so, the reason kept in its box
    again = testapp.post_form(_path(round_of_five), {"planning_reason": "再来一次"}, status=200)
    assert "该评估批次已在使用 ρ 的规划值" in again.text
    box = r'<textarea[^>]*name="planning_reason"[^>]*>\s*再来一次</textarea>'
    assert re.search(box, again.text)
    assert len(_rows(dbsession, round_of_five)) == 2


def test_a_refused_apply_keeps_the_reason_typed(testapp, dbsession, round_of_five):
    admin = make_user(dbsession, Role.admin)
    testapp.login(admin.username)
    # four complete counties: nothing to pool, refused; the box still holds what was typed
    page = testapp.post_form(_path(round_of_five), {"reason": "四县先行试用"}, status=200)
    assert "没有一项指标的数据足以合并估计 ρ" in page.text
    assert re.search(r'<textarea[^>]*name="reason"[^>]*>\s*四县先行试用</textarea>', page.text)
    assert dbsession.scalar(select(func.count()).select_from(RoundIcc)) == 0


def test_a_coordinator_cannot_return_to_the_planning_value(testapp, dbsession, round_of_five):
    _complete_the_last(dbsession, round_of_five)
    admin = make_user(dbsession, Role.admin)
    testapp.login(admin.username)
    _apply(testapp, dbsession, round_of_five, "五县合并")
    testapp.get("/logout", status="*")
    testapp.reset()
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    page = testapp.get(_path(round_of_five))
    assert "data-planning" not in page.text and "恢复规划值" not in page.text
    token = testapp.get_csrf_token(_path(round_of_five))
    testapp.post(_path(round_of_five), {"planning_reason": "越权", "csrf_token": token}, status=403)
    assert [r[0] for r in _rows(dbsession, round_of_five)] == ["pooled"]


def test_the_page_shows_the_screening_model_of_the_missed_rate(testapp, dbsession, round_of_five):
    """Fewer than ten complete counties with screening: none pooled, the page says what is
    needed; a recorded model (as ``pool-icc --apply`` records one from ten counties) shows in
    force with its counts, in Chinese and English."""
    from assessment.indicators.icc import PooledIcc
    from reports import icc

    admin = make_user(dbsession, Role.admin)
    testapp.login(admin.username)
    page = testapp.get(_path(round_of_five)).text
    assert "data-screening-none" in page and "漏评率的排查模型" in page
    assert "data-screening-short" in page and "需要 10 个实地调查已完成且有排查的县" in page
    target = round_of_five["round"]
    values = {
        "wrongful_exit_rate": PooledIcc(float("nan"), 10, 60, 400, 0),
        "missed_rate": PooledIcc(0.2, 10, 60, 500, 30),
    }
    model = (0.6, 0.12, 0.45, 0.08)
    pooled = icc.Pooled(target, 10, 10, values, icc.ScreeningPool(10, 18, 12, model))
    icc.apply(dbsession, target, pooled, admin, "十县合并")
    dbsession.flush()
    page = testapp.get(_path(round_of_five)).text
    assert 'data-screening-model="0.600,0.120,0.450,0.080"' in page
    row = re.search(r'data-table="screening-in-force">.*?</table>', page, re.S).group(0)
    assert "<td>10</td>" in row and "18 / 12" in row
    assert "data-screening-none" not in page
    admin.language = "en"
    dbsession.flush()
    english = testapp.get(_path(round_of_five)).text
    assert "Screening model of the missed-identification rate" in english
    assert "Census group: relative rate" in english
    # back on the planning value: the planning row carries no model, the village model again
    icc.to_planning(dbsession, target, admin, "回到规划值")
    dbsession.flush()
    page = testapp.get(_path(round_of_five)).text
    assert "data-screening-none" in page and "data-screening-model" not in page
