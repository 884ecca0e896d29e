"""The appeal JSON API: the same rules as the pages, pydantic bodies, OpenAPI (issue 19)."""

from __future__ import annotations

import pytest

from appeals.services import AppealService
from assessment.core.models import Role
from tests.appeals.helpers import completed_field
from tests.factories import make_county, make_user

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def field(dbsession):
    field = completed_field(dbsession, appeal_hours=48)
    AppealService(dbsession).publish(field.drawn.plan, field.coordinator)
    return field


def session(testapp, user) -> dict:
    testapp.reset()
    testapp.login(user.username)
    return {"X-CSRF-Token": testapp.get_csrf_token("/")}


def test_the_liaison_reads_and_answers_its_countys_cases(testapp, dbsession, field):
    headers = session(testapp, field.liaison)
    code = field.drawn.county.code
    listing = testapp.get(f"/api/appeals/county/{code}").json
    assert listing["published"] and listing["interim"]
    assert sorted(c["household_id"] for c in listing["cases"]) == sorted(
        i.plan_household.household.household_id for i in field.poor
    )
    case = listing["cases"][0]
    assert "income" in case["basis"]["standards_not_met"]
    url = f"/api/appeals/cases/{case['id']}"
    testapp.post_json(url + "/answer", {"response": "disputed", "statement": "x"}, status=403)
    bad = testapp.post_json(
        url + "/answer", {"response": "maybe", "extra": 1}, headers=headers, status=400
    )
    assert bad.json["error"] == "invalid" and set(bad.json["errors"]) >= {"response", "extra"}
    refused = testapp.post_json(
        url + "/answer", {"response": "disputed"}, headers=headers, status=409
    )
    assert refused.json["message"] == "提出异议须填写说明。"
    done = testapp.post_json(
        url + "/answer", {"response": "disputed", "statement": "有工资单"}, headers=headers
    ).json
    assert (done["response"], done["statement"]) == ("disputed", "有工资单")
    added = testapp.post(
        url + "/evidence?name=wages.pdf",
        PDF,
        headers={**headers, "Content-Type": "application/pdf"},
    ).json
    assert [e["name"] for e in added["evidence"]] == ["wages.pdf"]
    refused = testapp.post(
        url + "/evidence?name=page.html",
        b"<html></html>",
        headers={**headers, "Content-Type": "application/pdf"},
        status=400,
    )
    assert "PDF" in refused.json["message"]
    other = make_county(dbsession, townships=0)
    testapp.get(f"/api/appeals/county/{other.code}", status=403)


def test_a_liaison_of_another_county_and_a_non_expert_are_refused(testapp, dbsession, field):
    other = make_user(dbsession, Role.liaison)
    other.county_id = make_county(dbsession, townships=0).id
    dbsession.flush()
    case = AppealService(dbsession).publication(field.drawn.plan).cases[0]
    headers = session(testapp, other)
    testapp.get(f"/api/appeals/county/{field.drawn.county.code}", status=403)
    testapp.post_json(
        f"/api/appeals/cases/{case.id}/answer",
        {"response": "accepted"},
        headers=headers,
        status=403,
    )
    headers = session(testapp, field.supervisor)  # a supervisor without the expert right
    testapp.post_json(
        f"/api/appeals/cases/{case.id}/rule",
        {"ruling": "overturned", "reason": "x"},
        headers=headers,
        status=403,
    )
    assert case.response is None and case.ruling is None


def test_the_expert_rules_through_the_api_but_never_on_their_own_interview(
    testapp, dbsession, field
):
    first, second = AppealService(dbsession).publication(field.drawn.plan).cases
    for case in (first, second):
        AppealService(dbsession).answer(case, field.liaison, "disputed", "Not poor")
    second.interview.entered_by_id = field.expert.id
    dbsession.flush()
    headers = session(testapp, field.expert)
    body = {"ruling": "overturned", "reason": "Pension proven"}
    ruled = testapp.post_json(f"/api/appeals/cases/{first.id}/rule", body, headers=headers).json
    assert (ruled["ruling"], ruled["final"]) == ("overturned", True)
    own = testapp.post_json(
        f"/api/appeals/cases/{second.id}/rule", body, headers=headers, status=409
    )
    assert own.json["error"] == "conflict" and second.ruling is None
    testapp.post_json(
        f"/api/appeals/cases/{first.id}/rule", {"ruling": "upheld"}, headers=headers, status=400
    )


def test_the_openapi_document_describes_the_appeal_bodies(testapp, dbsession, field):
    session(testapp, field.liaison)
    doc = testapp.get("/api/openapi.json").json
    answer = doc["paths"]["/api/appeals/cases/{case}/answer"]["post"]
    assert answer["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AnswerBody"
    )
    schemas = doc["components"]["schemas"]
    assert schemas["AnswerBody"]["properties"]["response"]["enum"] == ["accepted", "disputed"]
    assert set(schemas["RuleBody"]["required"]) == {"ruling", "reason"}
