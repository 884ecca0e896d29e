"""Bounded input: bodies checked against schemas (400 per field, never 500, never stored)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from webob import Request

from surveys.models import InterviewChange
from surveys.schemas import MAX_TEXT
from tests.surveys_web.conftest import (
    csrf_of,
    form_pairs,
    full_answers,
    interview_of,
    start_interview,
    url,
)


@pytest.fixture
def draft(testapp, dbsession, world):
    """An interview in progress, the assessor logged in; returns (household, headers)."""
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    return ph, {"X-CSRF-Token": testapp.get_csrf_token("/"), "Content-Type": "application/json"}


def _audit_rows(dbsession, ph) -> int:
    item = interview_of(dbsession, ph)
    query = select(func.count()).where(InterviewChange.interview_id == item.id)
    return dbsession.scalar(query)


def _post(testapp, ph, body: bytes | str, headers, *, status, path="/interview/draft"):
    data = body.encode() if isinstance(body, str) else body
    response = testapp.post(
        f"/api/households/{ph.id}{path}?_LOCALE_=en", data, headers=headers, status=status
    )
    return response.json


def _save_body(version: int, **verification) -> str:
    return json.dumps({"version": version, "answers": {"verification": verification}})


def _unchanged(dbsession, ph, version, rows):
    item = interview_of(dbsession, ph)
    assert item.version == version and _audit_rows(dbsession, ph) == rows
    assert "x" * 100 not in item.verification_json


def test_a_long_name_is_refused_before_it_is_stored_or_audited(testapp, dbsession, draft):
    ph, headers = draft
    version, rows = interview_of(dbsession, ph).version, _audit_rows(dbsession, ph)
    body = _save_body(version, head_name="x" * (MAX_TEXT + 1))
    refused = _post(testapp, ph, body, headers, status=400)
    assert refused["errors"] == {"verification.head_name": ["Use at most 2000 characters."]}
    _unchanged(dbsession, ph, version, rows)


@pytest.mark.parametrize(
    ("answers", "path", "message"),
    [
        ({"roster": [{"age": 30}] * 101}, "verification.roster", "At most 100 entries"),
        ({"roster": [{"age": 30}] * 31}, "verification.roster", "At most 30 rows"),
        ({f"q{i}": 1 for i in range(301)}, "verification", "At most 300 entries"),
        ({"colour": "red"}, "verification.colour", "not a question of the questionnaire"),
        ({"roster": [{"shoe": 42}]}, "verification.roster.0.shoe", "not a question"),
        ({"Head name": "x"}, "verification.Head name", "Not a valid question name"),
        ({"income_wages": 10**4000}, "verification.income_wages", "at most 1000000000000"),
        ({"income_wages": {"nested": 1}}, "verification.income_wages", "Expected text"),
        ({"health": ["a"] * 51}, "verification.health", "At most 50 entries"),
    ],
)
def test_answers_out_of_bounds_or_shape_are_refused(
    testapp, dbsession, draft, answers, path, message
):
    ph, headers = draft
    version, rows = interview_of(dbsession, ph).version, _audit_rows(dbsession, ph)
    refused = _post(testapp, ph, _save_body(version, **answers), headers, status=400)
    assert refused["error"] == "invalid"
    assert any(message in m for m in refused["errors"][path]), refused["errors"]
    _unchanged(dbsession, ph, version, rows)


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ('{"version": 1, "answers": {"verification": {"income_wages": NaN}}}', "", ""),
        ('{"version": 1, "answers": {"verification": {"income_wages": Infinity}}}', "", ""),
        ('{"version": true, "answers": {}}', "version", "Enter a whole number."),
        ('{"version": 1.5, "answers": {}}', "version", "Enter a whole number."),
        ('{"version": 99999999999, "answers": {}}', "version", "Must be at most 2147483647."),
        ('{"version": 1, "answers": {}, "extra": 1}', "extra", "not a question"),
        ('{"version": 1}', "answers", "This field is required."),
        ("{not json", "", "not valid JSON"),
        ("[1, 2]", "", "Expected an object."),
        ("", "", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "", "nested too deeply"),
        ('{"version": 1, "answers": {"verification": {"x": ' + "9" * 4000 + "}}}", "", ""),
    ],
)
def test_malformed_bodies_are_400_with_field_errors(testapp, dbsession, draft, body, path, message):
    ph, headers = draft
    version, rows = interview_of(dbsession, ph).version, _audit_rows(dbsession, ph)
    for endpoint in ("/interview/draft", "/interview/submit"):
        refused = _post(testapp, ph, body, headers, status=400, path=endpoint)
        assert refused["error"] == "invalid" and refused["errors"]
        if message:
            assert any(message in m for m in refused["errors"][path]), refused["errors"]
    _unchanged(dbsession, ph, version, rows)


def test_outcome_body_is_checked_too(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    headers = {"X-CSRF-Token": testapp.get_csrf_token("/"), "Content-Type": "application/json"}
    for body in ("", "{}", '{"outcome": "gone"}', '{"outcome": "absent", "x": 1}', "[]"):
        refused = _post(testapp, ph, body, headers, status=400, path="/outcome")
        assert refused["error"] == "invalid"
    assert interview_of(dbsession, ph) is None
    bad = _post(testapp, ph, '{"outcome": "gone"}', headers, status=400, path="/outcome")
    assert (
        "Choose one of" in bad["errors"]["outcome"][0] and "'absent'" in bad["errors"]["outcome"][0]
    )


def test_the_form_path_has_the_same_bounds(testapp, dbsession, draft):
    ph, _ = draft
    item = interview_of(dbsession, ph)
    version, rows = item.version, _audit_rows(dbsession, ph)
    page = testapp.get(url(ph, "/interview"))
    answers = full_answers(head_name="x" * (MAX_TEXT + 1), income_wages="1" + "0" * 400)
    pairs = form_pairs(answers, version=version, token=csrf_of(page), action="save")
    refused = testapp.post(url(ph, "/interview?_LOCALE_=en"), pairs, status=400)
    assert "Use at most 2000 characters." in refused.text
    assert "x" * (MAX_TEXT + 1) not in refused.text  # not echoed back either
    assert "Enter a finite number." in refused.text  # 10^400 typed: infinite as a float
    _unchanged(dbsession, ph, version, rows)
    # The autosave (sendBeacon) refuses it the same way.
    beacon = testapp.post(url(ph, "/interview/autosave?_LOCALE_=en"), pairs, status=400).json
    assert beacon["errors"]["verification.head_name"] == ["Use at most 2000 characters."]
    _unchanged(dbsession, ph, version, rows)
    testapp.post(url(ph, "/interview/relevance"), pairs, status=400)


def test_review_comments_are_bounded(testapp, dbsession, world):
    from surveys.review import ReviewService
    from tests.surveys_web.conftest import backdate, submit

    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    backdate(dbsession, ph)
    submit(testapp, dbsession, ph, full_answers())
    testapp.post_form("/logout", {}, token_from="/", status=303)
    testapp.login(world.supervisor.username)
    page = testapp.get(f"/surveys/review/{ph.id}")
    for key, text in (
        ("comment:" + "p" * 300, "x"),
        ("comment:verification.head_name", "y" * 5000),
    ):
        testapp.post(
            f"/surveys/review/{ph.id}",
            {"csrf_token": csrf_of(page), "return": "1", key: text},
            status=409,
        )
    assert interview_of(dbsession, ph).status == "submitted"
    assert ReviewService(dbsession).open_comments(interview_of(dbsession, ph)) == []


def test_bodies_over_the_limit_are_413_before_they_are_read(app):
    read = []

    class Body:
        def read(self, *args):
            read.append(args)
            return b""

    for path, length in (("/api/households/1/interview/draft", 16 * 2**20 + 1), ("/login", 2**40)):
        request = Request.blank(path, method="POST")
        request.environ.update({"CONTENT_LENGTH": str(length), "wsgi.input": Body()})
        response = request.get_response(app)
        assert response.status_code == 413
    assert read == []
    chunked = Request.blank("/login", method="POST")
    chunked.environ.update(
        {
            "wsgi.input_terminated": True,
            "wsgi.input": __import__("io").BytesIO(b"x" * (16 * 2**20 + 1)),
        }
    )
    chunked.environ.pop("CONTENT_LENGTH", None)
    assert chunked.get_response(app).status_code == 413


def test_openapi_document_refuses_what_the_server_refuses(testapp, world):
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    testapp.login(world.assessor.username)
    doc = testapp.get("/api/openapi.json").json
    registry = Registry().with_resource("urn:doc", DRAFT202012.create_resource(doc))
    post = doc["paths"]["/api/households/{household}/interview/draft"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({"$ref": "urn:doc" + schema["$ref"]}, registry=registry)
    good = {"version": 3, "answers": full_answers()}
    assert list(validator.iter_errors(good)) == []
    for bad in (
        {"version": True, "answers": {}},
        {"version": 3, "answers": {}, "x": 1},
        {"version": 3, "answers": {"verification": {"head_name": "x" * (MAX_TEXT + 1)}}},
        {"version": 3, "answers": {"verification": {"roster": [{"age": 1}] * 101}}},
        {"version": 3, "answers": {"verification": {"income_wages": 10**13}}},
        {"version": -1, "answers": {}},
    ):
        assert list(validator.iter_errors(bad)), bad
