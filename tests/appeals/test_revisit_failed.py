"""A re-visit that cannot reach the household (issue 19): the case goes back to the expert.

The re-visiting team records a non-contact on the re-visit (no reserve is released); the case
shows 复访未能完成 and is unsettled (the county interim) with neither interview in the
estimates; an expert (never an author of either interview) rules upheld or overturned — the
first interview is then the household's data again, under that ruling — or orders another
re-visit by a team that has not visited the household.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from appeals.services import (
    AppealService,
    earlier_rulings,
    is_final,
    outcome,
    revisit_failed,
)
from assessment.core.errors import DomainError
from assessment.core.models import Role
from reports import county_estimates as ce
from reports import snapshot as snapshot_json
from reports.pdf import render_county_report
from reports.snapshots import county_snapshot
from surveys import audit
from surveys.models import Interview, InterviewChange, ReserveRelease
from surveys.workflow import InterviewService
from tests.appeals.helpers import completed_field
from tests.appeals.test_appeal_report import pdf_text
from tests.appeals.test_appeal_web import cases, form_to
from tests.factories import make_county, make_team, make_user
from tests.rounds.helpers import interview


@pytest.fixture
def field(dbsession):
    field = completed_field(dbsession, appeal_hours=48)
    field.other_team = make_team(dbsession)
    field.other_assessor = make_user(dbsession, Role.assessor, team=field.other_team)
    field.other_supervisor = make_user(dbsession, Role.supervisor, team=field.other_team)
    field.third_team = make_team(dbsession)
    field.third_assessor = make_user(dbsession, Role.assessor, team=field.third_team)
    field.third_supervisor = make_user(dbsession, Role.supervisor, team=field.third_team)
    dbsession.flush()
    return field


def _revisit_ordered(dbsession, field):
    """Both cases disputed; the first re-visited by the other team (nothing recorded yet)."""
    service = AppealService(dbsession)
    service.publish(field.drawn.plan, field.coordinator)
    first, second = cases(dbsession, field)
    for case in (first, second):
        service.answer(case, field.liaison, "disputed", "收入核算有误")
    service.rule(first, field.expert, "revisit", "需复访核实", revisit_team_id=field.other_team.id)
    return first, second


def _failed(dbsession, field, outcome_="moved"):
    first, second = _revisit_ordered(dbsession, field)
    ph = first.interview.plan_household
    InterviewService(dbsession).record_outcome(ph, outcome_, field.other_assessor)
    dbsession.flush()
    return first, second, ph


def _actions(db, interview) -> list[str]:
    query = select(InterviewChange.action).where(InterviewChange.interview_id == interview.id)
    return list(db.scalars(query.order_by(InterviewChange.id)))


def _row_of(db, field, ph):
    data = ce.county_data(db, field.drawn.county)
    return [r for r in data.rows if r["plan_household_id"] == ph.id]


def _wrongful_exit(snap):
    return next(m for m in snap.appeals.moves if m.key == "wrongful_exit_rate")


# -- the service ------------------------------------------------------------------------------


def test_a_non_contact_on_the_revisit_fails_it_releases_no_reserve_and_keeps_the_case_open(
    dbsession, field
):
    first, _second, ph = _failed(dbsession, field, "moved")
    revisit = first.revisit_interview
    assert (revisit.status, revisit.contact_outcome) == ("not_interviewed", "moved")
    assert (
        dbsession.scalar(select(ReserveRelease).where(ReserveRelease.replaced_id == ph.id)) is None
    )
    assert revisit_failed(first) and outcome(first) is None
    service = AppealService(dbsession)
    assert not is_final(first, service.clock())
    assert service.state(field.drawn.plan).unsettled == 2  # the county stays interim
    # The superseded first interview does not come back while the expert has not ruled.
    assert first.interview.status == "superseded"
    assert _row_of(dbsession, field, ph) == []
    assert _actions(dbsession, revisit) == ["revisit_start", "outcome"]


def test_an_absent_revisit_needs_its_own_visits(dbsession, field):
    first, _second = _revisit_ordered(dbsession, field)
    ph = first.interview.plan_household
    # The visits of the first fieldwork do not count: the re-visit's own, from its start.
    later = first.revisit_interview.started_at + dt.timedelta(hours=12)
    service = InterviewService(dbsession, clock=lambda: later)
    with pytest.raises(DomainError, match="visits"):
        service.record_outcome(ph, "absent", field.other_assessor)
    service.complete_absent_visits(ph, field.other_assessor)
    assert service.record_outcome(ph, "absent", field.other_assessor).release is None
    assert revisit_failed(first)


def test_upheld_after_a_failed_revisit_restores_the_first_interview_with_its_finding(
    dbsession, field
):
    first, _second, ph = _failed(dbsession, field)
    original, failed = first.interview, first.revisit_interview
    AppealService(dbsession).rule(first, field.expert, "upheld", "住户已搬离，维持原认定")
    assert (first.ruling, outcome(first), revisit_failed(first)) == ("upheld", "upheld", False)
    assert (original.status, failed.status) == ("approved", "superseded")
    assert is_final(first, AppealService(dbsession).clock())
    (earlier,) = earlier_rulings(first)  # the failed re-visit order stays on the case
    assert (earlier["ruling"], earlier["reason"]) == ("revisit", "需复访核实")
    assert (earlier["team"], earlier["contact_outcome"]) == (field.other_team.name, "moved")
    (row,) = _row_of(dbsession, field, ph)
    assert row["verdict"] == "wrongly_exited" and row["wrongly_exited"] == 1
    assert _actions(dbsession, failed)[-1] == "revisit_failed"
    assert _actions(dbsession, original)[-2:] == ["appeal_rule", "revisit_restored"]
    assert audit.status_mismatches(dbsession) == []
    assert audit.verify_chain(dbsession)[1] is None
    snap = county_snapshot(dbsession, field.drawn.county)
    (problem,) = [p for p in snap.problems if p.household_id == ph.household.household_id]
    assert problem.appeal.ruling == "revisit_failed_upheld"
    assert "复访未能完成，维持认定" in pdf_text(render_county_report(snap, lang="zh"))
    assert "Re-visit failed; upheld" in pdf_text(render_county_report(snap, lang="en"))


def test_overturned_after_a_failed_revisit_counts_the_first_interview_as_meeting_the_standard(
    dbsession, field
):
    first, _second, ph = _failed(dbsession, field, "refused")
    AppealService(dbsession).rule(first, field.expert, "overturned", "县里的工资单可信")
    (row,) = _row_of(dbsession, field, ph)
    assert (row["verdict"], row["wrongly_exited"]) == ("meets_standard", 0)
    snap = county_snapshot(dbsession, field.drawn.county)
    assert ph.household.household_id not in {p.household_id for p in snap.problems}
    (gone,) = snap.appeals.overturned_cases
    assert gone.appeal.ruling == "revisit_failed_overturned"
    # Four exited households of three persons: 2 of 4 wrongly exited before, 1 of 4 after.
    move = _wrongful_exit(snap)
    assert (move.before, move.after) == (pytest.approx(0.5), pytest.approx(0.25))


def test_another_revisit_goes_to_a_team_that_has_not_visited_the_household(dbsession, field):
    first, _second, ph = _failed(dbsession, field)
    original, failed = first.interview, first.revisit_interview
    service = AppealService(dbsession)
    for team in (ph.plan_village.team_id, field.other_team.id):
        with pytest.raises(DomainError, match="team"):
            service.rule(first, field.expert, "revisit", "再次复访", revisit_team_id=team)
        assert (first.ruling, first.revisit_interview_id) == ("revisit", failed.id)
    service.rule(first, field.expert, "revisit", "再次复访", revisit_team_id=field.third_team.id)
    again = first.revisit_interview
    assert (again.revisit_of_id, again.revisit_team_id) == (original.id, field.third_team.id)
    assert (original.status, failed.status, again.status) == ("superseded", "superseded", "draft")
    assert not revisit_failed(first) and outcome(first) is None
    assert [e["team"] for e in earlier_rulings(first)] == [field.other_team.name]
    # The third team interviews the household: the case follows its re-visit as usual.
    interview(dbsession, ph, field.third_assessor, field.third_supervisor, poor=True)
    assert outcome(first) == "upheld"
    assert audit.status_mismatches(dbsession) == []


def test_no_expert_rules_on_a_revisit_they_recorded(dbsession, field):
    field.other_supervisor.appeal_expert = True
    first, _second = _revisit_ordered(dbsession, field)
    ph = first.interview.plan_household
    InterviewService(dbsession).record_outcome(ph, "moved", field.other_supervisor)
    service = AppealService(dbsession)
    assert not service.may_rule(first, field.other_supervisor)
    with pytest.raises(DomainError, match="Only an appeal expert"):
        service.rule(first, field.other_supervisor, "upheld", "维持")
    assert service.may_rule(first, field.expert)


def test_a_case_whose_revisit_is_under_way_still_refuses_a_new_ruling(dbsession, field):
    first, _second = _revisit_ordered(dbsession, field)
    with pytest.raises(DomainError, match="being re-visited"):
        AppealService(dbsession).rule(first, field.expert, "upheld", "维持")


# -- the "before the rulings" column ----------------------------------------------------------


def _revisit_interviewed(dbsession, field, *, poor: bool, persons: int):
    first, second = _revisit_ordered(dbsession, field)
    ph = first.interview.plan_household
    interview(
        dbsession, ph, field.other_assessor, field.other_supervisor, poor=poor, persons=persons
    )
    AppealService(dbsession).rule(second, field.expert, "upheld", "收入确低于贫困线")
    return first


def test_before_the_rulings_undoes_a_revisit_upheld_with_other_persons(dbsession, field):
    first = _revisit_interviewed(dbsession, field, poor=True, persons=6)
    assert outcome(first) == "upheld"
    move = _wrongful_exit(county_snapshot(dbsession, field.drawn.county))
    # Equal weights. Before: the first interviews, 2 of 4 households of 3 persons wrongly
    # exited = 6 / 12. After: the re-visit counts 6 persons, wrongly exited: (6 + 3) / 15.
    assert move.before == pytest.approx(6 / 12)
    assert move.after == pytest.approx(9 / 15)


def test_before_the_rulings_undoes_a_revisit_that_overturned_the_finding(dbsession, field):
    first = _revisit_interviewed(dbsession, field, poor=False, persons=3)
    assert outcome(first) == "overturned"
    move = _wrongful_exit(county_snapshot(dbsession, field.drawn.county))
    assert (move.before, move.after) == (pytest.approx(6 / 12), pytest.approx(3 / 12))


def test_before_the_rulings_keeps_the_first_interview_of_a_failed_revisit(dbsession, field):
    _first, second, _ph = _failed(dbsession, field)
    AppealService(dbsession).rule(second, field.expert, "upheld", "收入确低于贫困线")
    snap = county_snapshot(dbsession, field.drawn.county)
    # Before: all four first interviews as first approved, every household reached.
    assert _wrongful_exit(snap).before == pytest.approx(6 / 12)
    (pending,) = snap.appeals.revisit_failed_cases
    assert pending.appeal.ruling == "revisit_failed" and snap.appeals.pending == 1
    assert snapshot_json.loads(snapshot_json.dumps(snap)) == snap  # stored with the report
    assert "复访未能完成，待重新裁定" in pdf_text(render_county_report(snap, lang="zh"))


# -- the pages --------------------------------------------------------------------------------


def test_the_other_team_records_the_non_contact_on_the_page_and_the_original_team_cannot(
    testapp, dbsession, field
):
    first, _second = _revisit_ordered(dbsession, field)
    ph = first.interview.plan_household
    testapp.login(field.assessor.username)  # the team that interviewed first
    testapp.post_form(
        f"/surveys/households/{ph.id}",
        {"outcome": "moved", "confirm": "1"},
        token_from="/",
        status=403,
    )
    testapp.reset()
    testapp.login(field.other_assessor.username)
    assert "退回申诉评审专家" in testapp.get(f"/surveys/households/{ph.id}").text
    confirm = testapp.get(f"/surveys/households/{ph.id}/outcome?outcome=moved")
    assert 'id="revisit-non-contact"' in confirm.text and "申诉" in confirm.text
    form_to(confirm, f"/surveys/households/{ph.id}").submit(name="confirm", value="1").follow()
    testapp.reset()
    dbsession.expire_all()
    assert revisit_failed(first)
    assert first.revisit_interview.contact_outcome == "moved"


def test_coordinator_liaison_and_expert_see_the_failed_revisit(testapp, dbsession, field):
    first, _second, ph = _failed(dbsession, field)
    code = field.drawn.county.code
    testapp.login(field.coordinator.username)
    listing = testapp.get("/appeals")
    assert f'data-failed-case="{first.id}"' in listing.text and "复访未能完成" in listing.text
    page = testapp.get(f"/appeals/county/{code}")
    assert f'id="revisit-{first.id}"' in page.text and 'data-revisit-failed="1"' in page.text
    assert "rule-form" not in page.text  # coordinators do not rule
    testapp.reset()
    testapp.login(field.liaison.username)
    page = testapp.get(f"/appeals/county/{code}")
    assert "复访未能完成" in page.text and 'data-contact-outcome="moved"' in page.text
    english = testapp.get(f"/appeals/county/{code}?_LOCALE_=en")
    assert "Re-visit failed" in english.text
    testapp.reset()
    other = make_county(dbsession, townships=0)
    stranger = make_user(dbsession, Role.liaison)
    stranger.county_id = other.id
    dbsession.flush()
    testapp.login(stranger.username)
    testapp.get(f"/appeals/county/{code}", status=403)
    testapp.post_form(
        f"/appeals/cases/{first.id}/rule",
        {"ruling": "upheld", "reason": "x"},
        token_from="/",
        status=403,
    )
    testapp.reset()
    testapp.login(field.expert.username)
    page = testapp.get(f"/appeals/county/{code}")
    form = form_to(page, f"/appeals/cases/{first.id}/rule")
    form["ruling"], form["reason"] = "upheld", "住户已搬离，维持原认定"
    form.submit().follow()
    dbsession.expire_all()
    assert (first.ruling, first.interview.status) == ("upheld", "approved")
    assert len(_row_of(dbsession, field, ph)) == 1
    testapp.reset()
    testapp.login(field.coordinator.username)  # the failed re-visit stays as history
    history = testapp.get(f"/surveys/households/{ph.id}")
    assert f'data-failed-revisit="{first.revisit_interview_id}"' in history.text
    page = testapp.get(f"/appeals/county/{code}")
    assert "复访未能完成" in page.text and 'data-earlier-ruling="revisit"' in page.text
    assert "需复访核实" in page.text  # the reason of the re-visit order, beside the new one


def test_ruling_again_on_the_page_needs_the_csrf_token(testapp, dbsession, field):
    first, _second, _ph = _failed(dbsession, field)
    testapp.login(field.expert.username)
    testapp.post(f"/appeals/cases/{first.id}/rule", {"ruling": "upheld", "reason": "x"}, status=400)
    dbsession.expire_all()
    assert revisit_failed(first)


# -- the API ----------------------------------------------------------------------------------


def test_the_api_shows_the_failed_revisit_and_takes_the_new_ruling(testapp, dbsession, field):
    first, _second = _revisit_ordered(dbsession, field)
    ph = first.interview.plan_household
    testapp.login(field.other_assessor.username)
    headers = {"X-CSRF-Token": testapp.get_csrf_token("/")}
    done = testapp.post_json(
        f"/api/households/{ph.id}/outcome", {"outcome": "not_found"}, headers=headers
    ).json
    assert (done["status"], done["released_reserve"]) == ("not_interviewed", None)
    testapp.reset()
    testapp.login(field.expert.username)
    headers = {"X-CSRF-Token": testapp.get_csrf_token("/")}
    listed = testapp.get(f"/api/appeals/county/{field.drawn.county.code}").json
    shown = next(c for c in listed["cases"] if c["id"] == first.id)
    assert shown["revisit_failed"] is True and shown["final"] is False and listed["interim"]
    assert shown["revisit_interview"]["contact_outcome"] == "not_found"
    url = f"/api/appeals/cases/{first.id}/rule"
    same_team = {"ruling": "revisit", "reason": "再访", "revisit_team_id": field.other_team.id}
    refused = testapp.post_json(url, same_team, headers=headers, status=409)
    assert "复访" in refused.json["message"]
    ruled = testapp.post_json(url, {"ruling": "overturned", "reason": "查无此户"}, headers=headers)
    assert ruled.json["outcome"] == "overturned" and ruled.json["revisit_failed"] is False
    assert ruled.json["final"] is True
    (earlier,) = ruled.json["earlier_rulings"]
    assert (earlier["ruling"], earlier["contact_outcome"]) == ("revisit", "not_found")
    testapp.post_json(url, {"ruling": "upheld", "reason": "改判"}, headers=headers, status=409)
    dbsession.expire_all()
    assert dbsession.get(Interview, first.interview_id).status == "approved"


def test_the_openapi_document_describes_the_failed_revisit(testapp, field):
    testapp.login(field.expert.username)
    doc = testapp.get("/api/openapi.json").json
    case = doc["components"]["schemas"]["AppealCase"]["properties"]
    assert case["revisit_failed"]["type"] == "boolean"
    assert case["earlier_rulings"]["type"] == "array"
    assert "contact_outcome" in case["revisit_interview"]["properties"]
