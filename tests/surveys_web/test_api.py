"""The JSON API: same services, permissions and validation; session+CSRF header or bearer."""

from __future__ import annotations

from sqlalchemy import select

from assessment.core.tokens import token_hash
from surveys.models import ApiToken
from tests.surveys_web.conftest import full_answers, interview_of


def _session(testapp, user):
    testapp.login(user.username)
    return {"X-CSRF-Token": testapp.get_csrf_token("/")}


def test_assessor_day_through_the_api_with_a_session(testapp, dbsession, world):
    headers = _session(testapp, world.assessor)
    listing = testapp.get("/api/assignments").json
    assert listing["progress"] == {"total": 4, "done": 0, "by_status": {"not_started": 4}}
    ph = world.plan.first_selected()
    base = f"/api/households/{ph.id}"
    testapp.post_json(base + "/outcome", {"outcome": "interviewed"}, status=403)  # no CSRF header
    testapp.post_json(base + "/outcome", {"outcome": "interviewed"}, headers=headers)
    data = testapp.get(base + "/interview").json
    assert data["household"] == {
        "id": ph.id,
        "household_id": ph.household.household_id,
        "head_name": ph.household.head_name,
        "village": ph.household.frame_village.village.name,
    }
    assert "status" not in data["household"] and data["interview"]["status"] == "draft"
    version = data["interview"]["version"]
    saved = testapp.post_json(
        base + "/interview/draft",
        {"version": version, "answers": {"verification": {"income_wages": 5}}},
        headers=headers,
    ).json
    assert saved["version"] == version + 1
    stale = testapp.post_json(
        base + "/interview/draft",
        {"version": version, "answers": {"verification": {"income_wages": 6}}},
        headers=headers,
        status=409,
    ).json
    assert stale["error"] == "stale"
    assert stale["changes"] == [{"path": "verification.income_wages", "theirs": 5, "yours": 6}]
    bad = full_answers()
    del bad["verification"]["income_stable"]
    bad["recognition"]["rec_exit"] = "7"
    rejected = testapp.post_json(
        base + "/interview/submit?_LOCALE_=en",
        {"version": saved["version"], "answers": bad},
        headers=headers,
        status=422,
    ).json
    assert rejected["errors"] == {
        "verification.income_stable": ["This question needs an answer."],
        "recognition.rec_exit": ["“7” is not one of the choices."],
    }
    assert interview_of(dbsession, ph).status == "draft"
    done = testapp.post_json(
        base + "/interview/submit",
        {"version": saved["version"], "answers": full_answers()},
        headers=headers,
    ).json
    assert done["status"] == "submitted" and done["verdict"] == "meets_standard"


def test_bearer_token_is_stored_hashed_and_authenticates(testapp, dbsession, world):
    headers = _session(testapp, world.assessor)
    testapp.post_json("/api/tokens", {}, status=403)  # session POST without the CSRF header
    token = testapp.post_json("/api/tokens", {}, headers=headers).json["token"]
    row = dbsession.scalars(select(ApiToken)).one()
    assert row.token_hash == token_hash(token) and token not in row.token_hash
    testapp.post_form("/logout", {}, token_from="/", status=303)
    testapp.reset()
    bearer = {"Authorization": f"Bearer {token}"}
    assert len(testapp.get("/api/assignments", headers=bearer).json["assignments"]) == 4
    ph = world.plan.first_selected()
    testapp.post_json(
        f"/api/households/{ph.id}/outcome", {"outcome": "interviewed"}, headers=bearer
    )  # no CSRF needed with a bearer token
    assert interview_of(dbsession, ph).entered_by_id == world.assessor.id
    testapp.get("/api/assignments", headers={"Authorization": "Bearer nope"}, status=403)


def test_api_boundaries_answer_json(testapp, dbsession, world):
    ph = world.plan.first_selected()
    headers = _session(testapp, world.other_assessor)
    denied = testapp.post_json(
        f"/api/households/{ph.id}/outcome", {"outcome": "absent"}, headers=headers, status=403
    )
    assert denied.json == {"error": "forbidden"}
    assert testapp.get("/api/households/999999/interview", status=404).json == {
        "error": "not_found"
    }
    assert testapp.get("/api/assignments").json["assignments"] == []


def test_openapi_document_describes_every_endpoint(testapp, dbsession, world):
    testapp.login(world.assessor.username)
    doc = testapp.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {
        "/api/tokens",
        "/api/assignments",
        "/api/households/{household}/interview",
        "/api/households/{household}/outcome",
        "/api/households/{household}/interview/draft",
        "/api/households/{household}/interview/submit",
        "/api/households/{household}/sync",
        "/api/appeals/county/{code}",
        "/api/appeals/cases/{case}/answer",
        "/api/appeals/cases/{case}/evidence",
        "/api/appeals/cases/{case}/rule",
        "/api/backchecks",
        "/api/backchecks/{backcheck}",
        "/api/quality/county/{code}",
        "/api/offline/day",
    }
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
