"""A re-visit ruling opens a real new interview for another team (issue 19).

The whole flow through the pages and the JSON API: the expert rules re-visit, the first
interview is superseded (kept, history, out of the estimates), the other team finds the
household, interviews it, submits it and its supervisor approves it; the case then follows
the re-visit's verdict in the appeal, the county results, the problem list and the report.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import select

from appeals.services import AppealService, is_final, outcome
from assessment.core.models import Role
from reports import county_estimates as ce
from reports.models import CountyResult
from reports.pdf import render_county_report
from reports.snapshots import county_snapshot
from surveys import audit
from surveys.models import Interview, InterviewChange
from surveys.review import ReviewService
from surveys.simulate import recognition_answers, verification_answers
from tests.appeals.helpers import completed_field
from tests.appeals.test_appeal_report import pdf_text
from tests.appeals.test_appeal_web import cases, form_to, publish
from tests.factories import make_team, make_user


@pytest.fixture
def field(dbsession):
    field = completed_field(dbsession, appeal_hours=48)
    field.other_team = make_team(dbsession)
    field.other_assessor = make_user(dbsession, Role.assessor, team=field.other_team)
    field.other_supervisor = make_user(dbsession, Role.supervisor, team=field.other_team)
    dbsession.flush()
    return field


def _disputed(testapp, dbsession, field):
    publish(testapp, field)
    first, second = cases(dbsession, field)
    service = AppealService(dbsession)
    for case in (first, second):
        service.answer(case, field.liaison, "disputed", "收入核算有误，附工资单")
    return first, second


def _actions(db, interview) -> list[str]:
    query = select(InterviewChange.action).where(InterviewChange.interview_id == interview.id)
    return list(db.scalars(query.order_by(InterviewChange.id)))


def _rule_revisit_on_the_page(testapp, field, case, team_id):
    testapp.login(field.expert.username)
    page = testapp.get(f"/appeals/county/{field.drawn.county.code}")
    form = form_to(page, f"/appeals/cases/{case.id}/rule")
    form["ruling"], form["reason"], form["team"] = "revisit", "工资单与问卷不符，需复访", team_id
    return form.submit()


def _answers(ph, *, poor: bool) -> dict:
    rng = np.random.default_rng(ph.id)
    household = ph.household
    return {
        "verification": verification_answers(
            rng,
            persons=household.household_size,
            head_name=household.head_name,
            poverty_line=3218.0,
            poor=poor,
        ),
        "recognition": recognition_answers(rng, status=household.status, recognising=True),
    }


def _interview_as_the_other_team(testapp, field, ph, *, poor: bool) -> None:
    testapp.login(field.other_assessor.username)
    assert f"/surveys/households/{ph.id}" in testapp.get("/surveys/assignments").text
    household = testapp.get(f"/surveys/households/{ph.id}")
    assert "revisit-note" in household.text and "superseded-" not in household.text
    headers = {"X-CSRF-Token": testapp.get_csrf_token("/")}
    api = f"/api/households/{ph.id}"
    assert (
        testapp.post_json(f"{api}/outcome", {"outcome": "interviewed"}, headers=headers).json[
            "status"
        ]
        == "draft"
    )
    version = testapp.get(f"{api}/interview").json["interview"]["version"]
    body = {"version": version, "answers": _answers(ph, poor=poor)}
    assert (
        testapp.post_json(f"{api}/interview/submit", body, headers=headers).json["status"]
        == "submitted"
    )
    testapp.reset()


def test_a_revisit_ruling_is_interviewed_again_by_the_other_team_and_decides_the_case(
    testapp, dbsession, field
):
    case, _second = _disputed(testapp, dbsession, field)
    first = case.interview
    ph = first.plan_household
    original_team = ph.plan_village.team_id
    # The team that interviewed may not re-visit.
    refused = _rule_revisit_on_the_page(testapp, field, case, str(original_team)).follow()
    assert "原调查组以外的评估组" in refused.text
    dbsession.refresh(case)
    assert case.ruling is None and first.status == "approved"
    _rule_revisit_on_the_page(testapp, field, case, str(field.other_team.id)).follow()
    testapp.reset()
    dbsession.expire_all()
    revisit = case.revisit_interview
    assert (first.status, revisit.status, revisit.contact_outcome) == ("superseded", "draft", "")
    assert (revisit.plan_household_id, revisit.revisit_of_id) == (ph.id, first.id)
    assert revisit.revisit_team_id == field.other_team.id
    assert _actions(dbsession, first)[-2:] == ["appeal_rule", "revisit_superseded"]
    assert _actions(dbsession, revisit) == ["revisit_start"]
    # The first interview leaves the estimates at once; the county is interim meanwhile.
    data = ce.county_data(dbsession, field.drawn.county)
    assert ph.id not in {r["plan_household_id"] for r in data.rows}
    assert not AppealService(dbsession).state(field.drawn.plan).settled

    # The original team neither sees nor edits the re-visit.
    testapp.login(field.assessor.username)
    assert f'/surveys/households/{ph.id}"' not in testapp.get("/surveys/assignments").text
    testapp.get(f"/surveys/households/{ph.id}", status=403)
    testapp.get(f"/surveys/households/{ph.id}/interview", status=403)
    testapp.reset()
    testapp.login(field.supervisor.username)
    testapp.get(f"/surveys/review/{ph.id}", status=403)
    testapp.reset()

    _interview_as_the_other_team(testapp, field, ph, poor=False)  # the income is above the line
    testapp.login(field.supervisor.username)  # the first team's queue does not hold it
    assert f"/surveys/review/{ph.id}" not in testapp.get("/surveys/review").text
    testapp.reset()
    testapp.login(field.other_supervisor.username)
    assert f"/surveys/review/{ph.id}" in testapp.get("/surveys/review").text
    testapp.post_form(f"/surveys/review/{ph.id}", {"approve": "1"})
    testapp.reset()
    dbsession.expire_all()
    assert revisit.status == "approved" and revisit.verdict != "wrongly_exited"

    # The case follows the re-visit: overturned, final; the county results use the re-visit.
    service = AppealService(dbsession)
    assert is_final(case, service.clock()) and outcome(case) == "overturned"
    assert service.state(field.drawn.plan).unsettled == 1  # the second case awaits its ruling
    data = ce.county_data(dbsession, field.drawn.county)
    (row,) = [r for r in data.rows if r["plan_household_id"] == ph.id]
    assert row["verdict"] == revisit.verdict and row["wrongly_exited"] == 0
    stored = dbsession.scalar(
        select(CountyResult).where(CountyResult.county_id == field.drawn.county.id)
    )
    assert stored.approved == 4  # three first interviews and the re-visit, not the superseded
    snap = county_snapshot(dbsession, field.drawn.county)
    listed = {p.household_id for p in snap.problems}
    assert ph.household.household_id not in listed
    assert (snap.appeals.overturned, snap.appeals.pending) == (1, 1)
    (gone,) = snap.appeals.overturned_cases
    assert gone.household_id == ph.household.household_id
    assert gone.appeal.ruling == "revisit_overturned"
    testapp.login(field.coordinator.username)
    page = testapp.get(f"/appeals/county/{field.drawn.county.code}")
    assert f'id="revisit-{case.id}" data-revisit-status="approved" data-outcome="overturned"' in (
        page.text
    )
    history = testapp.get(f"/surveys/households/{ph.id}")  # the first visit stays visible
    assert f'data-superseded="{first.id}"' in history.text
    cases_json = testapp.get(f"/api/appeals/county/{field.drawn.county.code}").json
    shown = next(c for c in cases_json["cases"] if c["id"] == case.id)
    assert shown["outcome"] == "overturned" and shown["final"] is True
    assert shown["revisit_interview"]["status"] == "approved"
    # Every status change of both interviews is in the hash chain, which still verifies.
    assert audit.status_mismatches(dbsession) == []
    assert audit.verify_chain(dbsession)[1] is None


def test_a_revisit_that_finds_the_problem_again_upholds_it_and_stays_in_the_problem_list(
    testapp, dbsession, field
):
    case, _second = _disputed(testapp, dbsession, field)
    ph = case.interview.plan_household
    _rule_revisit_on_the_page(testapp, field, case, str(field.other_team.id)).follow()
    testapp.reset()
    _interview_as_the_other_team(testapp, field, ph, poor=True)
    testapp.login(field.other_supervisor.username)
    testapp.post_form(f"/surveys/review/{ph.id}", {"approve": "1"})
    testapp.reset()
    dbsession.expire_all()
    snap = county_snapshot(dbsession, field.drawn.county)
    (problem,) = [
        p
        for p in snap.problems
        if p.household_id == ph.household.household_id and p.kind == "wrongly_exited"
    ]
    assert problem.appeal.ruling == "revisit_upheld"
    assert (snap.appeals.upheld, snap.appeals.overturned) == (1, 0)
    zh = pdf_text(render_county_report(snap, lang="zh"))
    en = pdf_text(render_county_report(snap, lang="en"))
    assert "复访后维持认定" in zh and "Upheld by the re-visit" in en


def test_the_api_rules_a_revisit_and_shows_the_new_interview(testapp, dbsession, field):
    _first, case = _disputed(testapp, dbsession, field)
    testapp.login(field.expert.username)
    headers = {"X-CSRF-Token": testapp.get_csrf_token("/")}
    url = f"/api/appeals/cases/{case.id}/rule"
    body = {"ruling": "revisit", "reason": "需复访", "revisit_team_id": field.other_team.id}
    testapp.post_json(url, body, status=403)  # no CSRF header
    shown = testapp.post_json(url, body, headers=headers).json
    assert shown["revisit_team_id"] == field.other_team.id
    assert shown["revisit_interview"]["status"] == "draft" and shown["outcome"] is None
    again = testapp.post_json(
        url, {"ruling": "upheld", "reason": "改判"}, headers=headers, status=409
    )
    assert again.json["error"] == "conflict"
    current = dbsession.scalars(
        select(Interview).where(
            Interview.plan_household_id == case.interview.plan_household_id,
            Interview.status != "superseded",
        )
    ).all()
    assert [i.id for i in current] == [shown["revisit_interview"]["id"]]
    # Ordering the re-visit does not make the expert one of its authors (who may not approve).
    (revisit,) = current
    assert field.expert.id not in ReviewService(dbsession).authors([revisit])[revisit.id]
    assert json.loads(case.basis_json)  # the published finding is kept as it was


def test_a_revisit_of_an_interview_no_longer_approved_is_refused_without_a_trace(dbsession, field):
    from appeals.services import AppealService as Service
    from assessment.core.errors import DomainError
    from tests.appeals.test_appeal_web import cases as published_cases

    service = Service(dbsession)
    service.publish(field.drawn.plan, field.coordinator)
    case, _second = published_cases(dbsession, field)
    service.answer(case, field.liaison, "disputed", "收入有误")
    # Returned on a back-check's evidence meanwhile (through the review, audited).
    ReviewService(dbsession).return_approved(
        case.interview, field.supervisor, "backcheck", "核实", []
    )
    with pytest.raises(DomainError, match="Only an approved interview"):
        service.rule(case, field.expert, "revisit", "复访", revisit_team_id=field.other_team.id)
    assert (case.ruling, case.revisit_interview_id) == (None, None)
