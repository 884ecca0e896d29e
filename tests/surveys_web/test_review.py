"""The supervisor's review: flags, return with comments, resubmit, approve, lock, bulk, re-visit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import select

from surveys.models import Interview, InterviewChange, RevisitDraw
from tests.surveys_web.conftest import (
    RECOGNITION,
    backdate,
    csrf_of,
    form_pairs,
    full_answers,
    interview_of,
    record_absent,
    start_interview,
    submit,
    url,
)


def _submitted(testapp, dbsession, ph, answers=None, *, minutes=45):
    start_interview(testapp, ph)
    if minutes:
        backdate(dbsession, ph, minutes)
    submit(testapp, dbsession, ph, answers or full_answers())
    return interview_of(dbsession, ph)


def _as(testapp, user):
    testapp.post_form("/logout", {}, token_from="/", status=303)
    testapp.login(user.username)


def test_queue_shows_each_quality_flag(testapp, dbsession, world):
    plan = world.plan
    clean, short, odd = plan.selected[(plan.villages[0].id, "exited")] + [plan.first_selected(1)]
    testapp.login(world.assessor.username)
    _submitted(testapp, dbsession, clean)
    _submitted(testapp, dbsession, short, minutes=0)
    same = dict.fromkeys(RECOGNITION, "5") | {"helper_known": True}
    roster = full_answers()["verification"]["roster"][:2]  # 2 members; the frame lists 3
    odd_answers = {
        "verification": full_answers(roster=roster, food_ok=False, food_ok_reason="x")[
            "verification"
        ],
        "recognition": same,
    }
    _submitted(testapp, dbsession, odd, odd_answers)
    _as(testapp, world.supervisor)
    page = testapp.get("/surveys/review", {"_LOCALE_": "en"})
    row = {
        ph: page.text.split(f'data-household="{ph.id}"')[1].split("</tr>")[0]
        for ph in (clean, short, odd)
    }
    assert "No flag" in row[clean]
    assert "flag-too_short" in row[short] and "minimum 20" in row[short]
    for code in ("recognition_identical", "verdict_disagreement", "household_size"):
        assert f"flag-{code}" in row[odd]
    assert "The roster has 2 members; the frame lists 3." in row[odd]
    # The disagreeing standard by its name, not its code ("food").
    assert "differs from the computed one: Enough to eat." in row[odd]
    short_zh = testapp.get("/surveys/review", {"_LOCALE_": "zh"}).text
    short_zh = short_zh.split(f'data-household="{short.id}"')[1].split("</tr>")[0]
    assert "（最短 20 分钟）" in short_zh and "20.0" not in short_zh


def test_return_with_comment_resubmit_approve_and_lock(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    item = _submitted(testapp, dbsession, ph)
    _as(testapp, world.supervisor)
    page = testapp.get(f"/surveys/review/{ph.id}")
    testapp.post(
        f"/surveys/review/{ph.id}",
        {
            "csrf_token": csrf_of(page),
            "return": "1",
            "comment:verification.income_wages": "请核对工资收入",
            "comment:verification.head_name": "",
        },
        status=303,
    )
    assert item.status == "returned"
    _as(testapp, world.assessor)
    form = testapp.get(url(ph, "/interview"))
    block = form.text.split('data-field="v-income_wages"')[1].split("</div>")[0]
    assert "请核对工资收入" in block  # beside the question it is about
    backdate(dbsession, ph, 0)
    submit(testapp, dbsession, ph, full_answers(income_wages=9100))
    assert item.status == "submitted"
    _as(testapp, world.supervisor)
    page = testapp.get(f"/surveys/review/{ph.id}")
    testapp.post(
        f"/surveys/review/{ph.id}", {"csrf_token": csrf_of(page), "approve": "1"}, status=303
    )
    assert item.status == "approved" and item.reviewed_by_id == world.supervisor.id
    # Locked: the assessor's save is refused and nothing changes.
    _as(testapp, world.assessor)
    page = testapp.get(url(ph, "/interview"))
    assert "disabled" in page.text
    pairs = form_pairs(
        {"verification": {"income_wages": "1"}}, version=item.version, token=csrf_of(page)
    )
    refused = testapp.post(url(ph, "/interview"), [*pairs, ("_LOCALE_", "en")], status=409)
    assert "approved and locked" in refused.text
    assert json.loads(item.verification_json)["income_wages"] == 9100
    query = select(InterviewChange.action).where(InterviewChange.interview_id == item.id)
    actions = list(dbsession.scalars(query))
    assert actions.count("return") == 1 and actions.count("approve") == 1


def test_bulk_approve_takes_only_unflagged(testapp, dbsession, world):
    plan = world.plan
    clean, short = plan.selected[(plan.villages[0].id, "exited")]
    testapp.login(world.assessor.username)
    _submitted(testapp, dbsession, clean)
    _submitted(testapp, dbsession, short, minutes=0)
    _as(testapp, world.other_supervisor)
    testapp.post_form("/surveys/review/bulk-approve", {}, token_from="/surveys/review", status=303)
    assert interview_of(dbsession, clean).status == "submitted"  # another team's: untouched
    _as(testapp, world.supervisor)
    testapp.post_form("/surveys/review/bulk-approve", {}, token_from="/surveys/review", status=303)
    assert interview_of(dbsession, clean).status == "approved"
    assert interview_of(dbsession, short).status == "submitted"


def test_revisit_draw_is_seeded_and_recorded(testapp, dbsession, world):
    plan = world.plan
    households = [ph for rows in plan.selected.values() for ph in rows]
    testapp.login(world.assessor.username)
    for ph in households:
        _submitted(testapp, dbsession, ph)
    _as(testapp, world.supervisor)
    testapp.post_form("/surveys/review/bulk-approve", {}, token_from="/surveys/review", status=303)
    testapp.post_form(
        "/surveys/review/revisit",
        {"percent": "50", "seed": "20190701"},
        token_from="/surveys/review",
        status=303,
    )
    draw = dbsession.scalars(select(RevisitDraw)).one()
    ids = sorted(interview_of(dbsession, ph).id for ph in households)
    # ceil(0.5 x 4) = 2 interviews, chosen as numpy's documented Generator would.
    expected = sorted(np.random.default_rng(20190701).choice(ids, size=2, replace=False).tolist())
    assert (draw.population, draw.seed, json.loads(draw.interview_ids_json)) == (
        4,
        20190701,
        expected,
    )
    assert draw.drawn_by_id == world.supervisor.id
    # The page names the drawn households (head, household id) and links to them, not the
    # interviews' internal ids.
    page = testapp.get("/surveys/review").text.split('class="revisit-households"')[1]
    page = page.split("</ul>")[0]
    drawn = [ph for ph in households if interview_of(dbsession, ph).id in expected]
    for ph in drawn:
        assert ph.household.head_name in page and ph.household.household_id in page
        assert f"/surveys/review/{ph.id}" in page
    for other in set(households) - set(drawn):
        assert other.household.household_id not in page


@pytest.mark.parametrize("action", ["approve", "return"])
def test_only_submitted_interviews_are_reviewed(testapp, dbsession, world, action):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    _as(testapp, world.supervisor)
    page = testapp.get(f"/surveys/review/{ph.id}")
    testapp.post(
        f"/surveys/review/{ph.id}",
        {"csrf_token": csrf_of(page), action: "1", "comment:verification.head_name": "x"},
        status=409,
    )
    assert dbsession.get(Interview, interview_of(dbsession, ph).id).status == "draft"


def test_approved_interviews_and_releases_reach_the_indicators(testapp, dbsession, world):
    # What the indicators read: only approved interviews, with the design weight of the
    # household; the absent household's release is recorded with its reason.
    from reports.county_estimates import sample_rows
    from surveys.workflow import InterviewService

    plan = world.plan
    done, absent = plan.selected[(plan.villages[0].id, "exited")]
    testapp.login(world.assessor.username)
    _submitted(testapp, dbsession, done)
    record_absent(testapp, dbsession, absent)
    assert sample_rows(dbsession, plan.plan) == []  # submitted is not approved
    _as(testapp, world.supervisor)
    testapp.post_form("/surveys/review/bulk-approve", {}, token_from="/surveys/review", status=303)
    (row,) = sample_rows(dbsession, plan.plan)
    assert (
        row["plan_household_id"],
        row["verdict"],
        row["persons"],
        row["recognises"],
        row["base_weight"],
    ) == (done.id, "meets_standard", 3, 1.0, 20.0)
    release = InterviewService(dbsession).release_of(absent)
    assert (release.replaced_id, release.reason) == (absent.id, "absent")


@pytest.mark.parametrize("seed", ["9" * 30, "2147483648", "-1", "²", "1e3"])
def test_revisit_seed_out_of_range_is_a_message_not_an_error(testapp, dbsession, world, seed):
    testapp.login(world.supervisor.username)
    page = testapp.post_form(
        "/surveys/review/revisit",
        {"percent": "50", "seed": seed, "_LOCALE_": "en"},
        token_from="/surveys/review",
        status=303,
    ).follow()
    assert "whole-number seed" in page.text
    assert dbsession.scalars(select(RevisitDraw)).all() == []
