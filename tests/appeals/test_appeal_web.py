"""The appeal pages through the browser: who sees what, CSRF, answers, rulings (issue 19)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from appeals.models import AppealCase, AppealPublication
from appeals.services import AppealService
from assessment.core.models import Role
from tests.appeals.helpers import completed_field
from tests.factories import make_county, make_user

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def field(dbsession):
    return completed_field(dbsession, appeal_hours=48)


def publish(testapp, field):
    testapp.login(field.coordinator.username)
    code = field.drawn.county.code
    page = testapp.post_form(
        f"/appeals/county/{code}/publish", {}, token_from=f"/appeals/county/{code}"
    )
    assert page.status_int == 303
    testapp.reset()


def form_to(page, ending: str):
    return next(f for f in page.forms.values() if f.action.endswith(ending))


def cases(dbsession, field) -> list[AppealCase]:
    query = (
        select(AppealCase)
        .join(AppealPublication)
        .where(AppealPublication.plan_id == field.drawn.plan.id)
    )
    return list(dbsession.scalars(query.order_by(AppealCase.id)))


def test_publishing_needs_the_csrf_token_and_the_coordinator(testapp, dbsession, field):
    code = field.drawn.county.code
    testapp.login(field.coordinator.username)
    testapp.post(f"/appeals/county/{code}/publish", {}, status=400)
    assert cases(dbsession, field) == []
    testapp.reset()
    testapp.login(field.liaison.username)
    page = testapp.get(f"/appeals/county/{code}")
    assert "还没有公布" in page.text or "No case is published" in page.text
    testapp.post_form(f"/appeals/county/{code}/publish", {}, token_from="/", status=403)
    assert cases(dbsession, field) == []
    testapp.reset()
    publish(testapp, field)
    assert len(cases(dbsession, field)) == 2
    testapp.login(field.coordinator.username)
    listing = testapp.get("/appeals")
    assert f'data-county="{field.drawn.county.code}"' in listing.text
    testapp.reset()
    testapp.login(field.expert.username)  # experts see the published counties
    assert f'data-county="{field.drawn.county.code}"' in testapp.get("/appeals").text


def test_the_liaison_sees_its_own_countys_cases_and_nothing_else(testapp, dbsession, field):
    publish(testapp, field)
    other = make_county(dbsession, townships=0)
    other_liaison = make_user(dbsession, Role.liaison)
    other_liaison.county_id = other.id
    dbsession.flush()
    testapp.login(field.liaison.username)
    code = field.drawn.county.code
    assert testapp.get("/appeals").headers["Location"].endswith(f"/appeals/county/{code}")
    page = testapp.get(f"/appeals/county/{code}")
    shown = sorted(s.attrs["data-household"] for s in page.html.select("section.appeal-case"))
    assert shown == sorted(c.household_code for c in cases(dbsession, field))
    # Neither the sample, nor another county, nor households, dashboards or reports.
    testapp.get(f"/appeals/county/{other.code}", status=403)
    for path in (
        "/dashboard",
        "/reports",
        f"/reports/county/{code}",
        "/sampling/plans",
        f"/sampling/plans/{field.drawn.plan.id}",
        f"/surveys/households/{field.households[0].id}",
        "/surveys/review",
    ):
        testapp.get(path, status=403)
    home = testapp.get("/")
    assert other.name not in home.text and field.drawn.county.name not in home.text
    testapp.reset()
    testapp.login(other_liaison.username)
    testapp.get(f"/appeals/county/{code}", status=403)
    case = cases(dbsession, field)[0]
    testapp.post_form(
        f"/appeals/cases/{case.id}/answer",
        {"response": "accepted"},
        token_from="/",
        status=403,
    )
    assert case.response is None


def test_the_liaison_disputes_with_evidence_and_an_expert_overturns(testapp, dbsession, field):
    publish(testapp, field)
    code = field.drawn.county.code
    case = cases(dbsession, field)[0]
    testapp.login(field.liaison.username)
    page = testapp.get(f"/appeals/county/{code}")
    form = form_to(page, f"/cases/{case.id}/answer")
    form["response"] = "disputed"
    form["statement"] = "户主有养老金，问卷漏记"
    form["evidence"] = [("pension.pdf", PDF)]
    done = form.submit().follow()
    assert "已记录" in done.text or "recorded" in done.text
    dbsession.refresh(case)
    assert (case.response, case.statement) == ("disputed", "户主有养老金，问卷漏记")
    (evidence,) = case.evidence
    download = testapp.get(f"/appeals/evidence/{evidence.id}")
    assert download.body == PDF and download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    testapp.reset()
    testapp.login(field.expert.username)
    page = testapp.get(f"/appeals/county/{code}")
    rule = form_to(page, f"/cases/{case.id}/rule")
    rule["ruling"] = "overturned"
    rule["reason"] = ""
    rule.submit().follow()
    dbsession.refresh(case)
    assert case.ruling is None  # a reason is required
    rule["reason"] = "养老金凭证属实"
    rule.submit().follow()
    dbsession.refresh(case)
    assert (case.ruling, case.ruled_by_id) == ("overturned", field.expert.id)
    testapp.get(f"/appeals/evidence/{evidence.id}", status=200)
    # The case as the page shows it in Chinese: labels and texts joined with full-width
    # colons, the basis says which standard is not met, yuan with thousands separators.
    shown = testapp.get(f"/appeals/county/{code}").text
    assert "对认定结果提出异议：户主有养老金，问卷漏记" in shown
    assert "不予认定：养老金凭证属实" in shown
    assert "未达标：" in shown and "贫困线 3,218 元" in shown and "3218" not in shown


def test_no_self_ruling_through_the_web(testapp, dbsession, field):
    publish(testapp, field)
    case = cases(dbsession, field)[0]
    AppealService(dbsession).answer(case, field.liaison, "disputed", "Not poor")
    case.interview.entered_by_id = field.expert.id  # the expert did this interview
    dbsession.flush()
    testapp.login(field.expert.username)
    page = testapp.get(f"/appeals/county/{field.drawn.county.code}")
    assert not [f for f in page.forms.values() if f.action.endswith(f"/cases/{case.id}/rule")]
    reply = testapp.post_form(
        f"/appeals/cases/{case.id}/rule",
        {"ruling": "overturned", "reason": "Mine"},
        token_from=f"/appeals/county/{field.drawn.county.code}",
    ).follow()
    assert "只有" in reply.text or "Only an appeal expert" in reply.text
    dbsession.refresh(case)
    assert case.ruling is None


def test_a_late_answer_is_refused_with_a_message(testapp, dbsession, field):
    publish(testapp, field)
    case = cases(dbsession, field)[0]
    case.publication.deadline = dt.datetime(2000, 1, 1)
    dbsession.flush()
    testapp.login(field.liaison.username)
    code = field.drawn.county.code
    page = testapp.get(f"/appeals/county/{code}")
    assert "answer-form" not in page.text
    reply = testapp.post_form(
        f"/appeals/cases/{case.id}/answer",
        {"response": "disputed", "statement": "Late"},
        token_from=f"/appeals/county/{code}",
    ).follow()
    assert "截止" in reply.text
    dbsession.refresh(case)
    assert case.response is None


def test_a_refused_file_changes_nothing(testapp, dbsession, field):
    publish(testapp, field)
    case = cases(dbsession, field)[0]
    testapp.login(field.liaison.username)
    page = testapp.get(f"/appeals/county/{field.drawn.county.code}")
    form = form_to(page, f"/cases/{case.id}/answer")
    form["response"] = "disputed"
    form["statement"] = "See the file"
    form["evidence"] = [("x.pdf", b"<html><script>alert(1)</script>")]
    reply = form.submit().follow()
    assert "PDF" in reply.text
    dbsession.refresh(case)
    assert case.response is None and case.evidence == []


def test_the_admin_names_liaisons_and_experts(testapp, dbsession):
    admin = make_user(dbsession, Role.admin)
    county = make_county(dbsession, townships=0)
    user = make_user(dbsession, Role.reader)
    testapp.login(admin.username)
    path = f"/admin/users/{user.id}"
    base = {"display_name": "联络员", "team_id": "0"}
    page = testapp.post_form(path, {**base, "role": "liaison", "county_id": "0"}, status=200)
    assert "县级联络员须指定所属县" in page.text
    dbsession.refresh(user)
    assert (user.role, user.county_id, user.display_name) == (Role.reader, None, "reader user")
    testapp.post_form(path, {**base, "role": "liaison", "county_id": str(county.id)}, status=303)
    dbsession.refresh(user)
    assert (user.role, user.county_id) == (Role.liaison, county.id)
    assessor = make_user(dbsession, Role.assessor)
    page = testapp.post_form(
        f"/admin/users/{assessor.id}",
        {**base, "role": "assessor", "county_id": "0", "appeal_expert": "y"},
        status=200,
    )
    assert "只有组长和协调员" in page.text
    dbsession.refresh(assessor)
    assert not assessor.appeal_expert
