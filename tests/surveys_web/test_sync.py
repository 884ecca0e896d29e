"""The phone's sync queue on the server: idempotency keys, version conflicts, reserves."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from PIL import Image
from sqlalchemy import func, select

from assessment.core.models import utcnow
from surveys.models import InterviewChange, InterviewPhoto, ReserveRelease, SyncReceipt
from tests.surveys_web.conftest import form_pairs, full_answers, interview_of

pytestmark = pytest.mark.db


def _device(testapp, user) -> dict:
    """Log ``user`` in (a phone's session) and return its CSRF header."""
    testapp.reset()
    testapp.login(user.username)
    return {"X-CSRF-Token": testapp.get_csrf_token("/")}


def _send(
    testapp, ph, headers, key, action, *, status=200, answers=None, version=0, files=None, **fields
):
    """POST one queued change as the phone's page does (its form fields, key, action)."""
    pairs = [("key", key), ("action", action), ("version", str(version))]
    if answers is not None:
        skip = ("csrf_token", "version")
        pairs += [p for p in form_pairs(answers, version=version, token="") if p[0] not in skip]
    for name, value in fields.items():  # a list: the field repeated (visit_at)
        pairs += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    locale = "?_LOCALE_=en" if headers.get("locale") == "en" else ""
    return testapp.post(
        f"/api/households/{ph.id}/sync{locale}",
        pairs,
        headers={k: v for k, v in headers.items() if k != "locale"},
        upload_files=files,
        status=status,
    ).json


def _jpeg(width=640, height=480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (120, 90, 60)).save(out, "JPEG")
    return out.getvalue()


def _saves(dbsession, ph) -> int:
    item = interview_of(dbsession, ph)
    query = select(func.count()).where(
        InterviewChange.interview_id == item.id, InterviewChange.action == "save"
    )
    return dbsession.scalar(query)


def test_a_retried_draft_is_stored_once_and_answered_the_same(testapp, dbsession, world):
    ph = world.plan.first_selected()
    phone = _device(testapp, world.assessor)
    started = _send(testapp, ph, phone, "outcome-key-1", "outcome", outcome="interviewed")
    assert started["created"] is True and started["status"] == "draft"
    version = started["version"]
    answers = {"verification": {"income_wages": 5000}}
    first = _send(testapp, ph, phone, "draft-key-0001", "draft", answers=answers, version=version)
    again = _send(testapp, ph, phone, "draft-key-0001", "draft", answers=answers, version=version)
    assert first == {"status": "draft", "version": version + 1}
    assert again == {**first, "replayed": True}
    assert _saves(dbsession, ph) == 1
    assert interview_of(dbsession, ph).version == version + 1
    # The outcome sent again (its answer was lost) does not record it twice either.
    repeat = _send(testapp, ph, phone, "outcome-key-1", "outcome", outcome="interviewed")
    assert repeat["replayed"] is True and repeat["created"] is True


def test_a_photo_sent_twice_is_stored_once(testapp, dbsession, world):
    ph = world.plan.first_selected()
    phone = _device(testapp, world.assessor)
    _send(testapp, ph, phone, "outcome-key-2", "outcome", outcome="interviewed")
    photo = [("photo", "house.jpg", _jpeg())]
    first = _send(testapp, ph, phone, "photo-key-0001", "photo", files=photo)
    again = _send(testapp, ph, phone, "photo-key-0001", "photo", files=photo)
    assert again["sha256"] == first["sha256"] and again["replayed"] is True
    item = interview_of(dbsession, ph)
    count = select(func.count()).where(InterviewPhoto.interview_id == item.id)
    assert dbsession.scalar(count) == 1


def test_a_second_device_editing_offline_gets_a_conflict_with_both_values(
    testapp, dbsession, world
):
    ph = world.plan.first_selected()
    phone = _device(testapp, world.assessor)
    version = _send(testapp, ph, phone, "outcome-key-3", "outcome", outcome="interviewed")[
        "version"
    ]
    mine = {"verification": {"income_wages": 5000}}
    _send(testapp, ph, phone, "first-device-1", "draft", answers=mine, version=version)
    other = _device(testapp, world.assessor2)
    theirs = {"verification": {"income_wages": 6000}}
    conflict = _send(
        testapp,
        ph,
        {**other, "locale": "en"},
        "second-device-1",
        "draft",
        answers=theirs,
        version=version,
        status=409,
    )
    assert conflict["error"] == "stale" and conflict["version"] == version + 1
    assert conflict["changes"] == [
        {
            "path": "verification.income_wages",
            "label": "Wage income",
            "theirs": "5000",
            "yours": "6000",
        }
    ]
    assert json.loads(interview_of(dbsession, ph).verification_json)["income_wages"] == 5000
    # Sending it again with the same key repeats the conflict; nothing is overwritten.
    again = _send(
        testapp, ph, other, "second-device-1", "draft", answers=theirs, version=version, status=409
    )
    assert again["error"] == "stale" and again["replayed"] is True
    # The assessor who chose to keep their version sends it on the server's version.
    kept = _send(
        testapp, ph, other, "second-device-2", "draft", answers=theirs, version=version + 1
    )
    assert kept["version"] == version + 2


def test_a_draft_the_server_already_holds_is_no_conflict(testapp, dbsession, world):
    ph = world.plan.first_selected()
    phone = _device(testapp, world.assessor)
    version = _send(testapp, ph, phone, "outcome-key-4", "outcome", outcome="interviewed")[
        "version"
    ]
    answers = {"verification": {"income_wages": 5000}}
    _send(testapp, ph, phone, "page-autosave", "draft", answers=answers, version=version)
    # The queue's copy of the same answers, made on the version the phone had cached.
    queued = _send(testapp, ph, phone, "queued-copy-1", "draft", answers=answers, version=version)
    assert queued == {"status": "draft", "version": version + 1}
    assert _saves(dbsession, ph) == 1


def test_a_rejected_submission_keeps_the_answers_as_the_draft(testapp, dbsession, world):
    ph = world.plan.first_selected()
    phone = _device(testapp, world.assessor)
    version = _send(testapp, ph, phone, "outcome-key-5", "outcome", outcome="interviewed")[
        "version"
    ]
    answers = full_answers(income_stable=None)
    rejected = _send(
        testapp, ph, phone, "submit-key-01", "submit", answers=answers, version=version, status=422
    )
    assert "verification.income_stable" in rejected["errors"]
    item = interview_of(dbsession, ph)
    assert item.status == "draft" and rejected["version"] == item.version == version + 1
    assert '"income_wages"' in item.verification_json
    done = _send(
        testapp,
        ph,
        phone,
        "submit-key-02",
        "submit",
        answers=full_answers(),
        version=rejected["version"],
    )
    assert done["status"] == "submitted" and done["verdict"] == "meets_standard"


def test_a_reserve_released_offline_is_checked_by_the_server(testapp, dbsession, world):
    village = world.plan.villages[0].id
    first, second = world.plan.selected[(village, "exited")][:2]
    reserves = world.plan.reserves[(village, "exited")]
    phone = _device(testapp, world.assessor)
    # Each phone made the round's two 不在家 visits (3 h and 1 h ago by its clock).
    now = utcnow().replace(tzinfo=None)
    visits = [(now - dt.timedelta(hours=h)).isoformat() + "Z" for h in (3, 1)]
    # The phone released the first reserve in rank order: the server agrees.
    agreed = _send(
        testapp,
        first,
        phone,
        "absent-key-1",
        "outcome",
        outcome="absent",
        reserve=str(reserves[0].id),
        visit_at=visits,
    )
    assert agreed["released_reserve"]["id"] == reserves[0].id
    assert agreed["reserve_confirmed"] is True
    # A phone that missed that release picks the same reserve again: the server releases
    # the next one and says so.
    differs = _send(
        testapp,
        second,
        phone,
        "absent-key-2",
        "outcome",
        outcome="absent",
        reserve=str(reserves[0].id),
        visit_at=visits,
    )
    assert differs["released_reserve"]["id"] == reserves[1].id
    assert differs["reserve_confirmed"] is False
    rows = dbsession.scalars(select(ReserveRelease).order_by(ReserveRelease.id)).all()
    assert [(r.replaced_id, r.reserve_id) for r in rows] == [
        (first.id, reserves[0].id),
        (second.id, reserves[1].id),
    ]


def test_keys_csrf_and_team_are_checked(testapp, dbsession, world):
    ph = world.plan.first_selected()
    phone = _device(testapp, world.assessor)
    _send(testapp, ph, {}, "outcome-key-6", "outcome", outcome="interviewed", status=403)
    bad = _send(testapp, ph, phone, "short", "outcome", outcome="interviewed", status=400)
    assert "幂等键" in bad["message"]  # Chinese by default
    unknown = _send(testapp, ph, phone, "outcome-key-6", "erase", status=400)
    assert unknown["error"] == "invalid"
    assert dbsession.scalar(select(func.count()).select_from(SyncReceipt)) == 0
    _send(testapp, ph, phone, "outcome-key-6", "outcome", outcome="interviewed")
    reused = _send(testapp, ph, phone, "outcome-key-6", "draft", status=409)
    assert reused["error"] == "conflict"
    # Keys belong to a user: the same key from another assessor is another change.
    other = _device(testapp, world.assessor2)
    same = _send(testapp, ph, other, "outcome-key-6", "outcome", outcome="interviewed")
    assert "replayed" not in same and same["created"] is False
    outsider = _device(testapp, world.other_assessor)
    _send(testapp, ph, outsider, "outcome-key-7", "outcome", outcome="interviewed", status=403)


def test_the_sync_endpoint_is_in_the_openapi_document(testapp, world):
    _device(testapp, world.assessor)
    document = testapp.get("/api/openapi.json").json
    operation = document["paths"]["/api/households/{household}/sync"]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["action"]["enum"] == ["visit", "outcome", "draft", "submit", "photo"]
    assert body["properties"]["visit_at"]["items"]["format"] == "date-time"
    assert {"200", "400", "403", "404", "409", "422"} <= operation["responses"].keys()


def test_a_version_moved_on_without_differing_answers_is_no_conflict(testapp, dbsession, world):
    ph = world.plan.first_selected()
    phone_a = _device(testapp, world.assessor)
    version = _send(testapp, ph, phone_a, "a-outcome-01", "outcome", outcome="interviewed")[
        "version"
    ]
    # Phone B recorded the same outcome offline and typed on the blank questionnaire
    # (version 0): only the outcome happened since, so its answers apply.
    phone_b = _device(testapp, world.assessor2)
    again = _send(testapp, ph, phone_b, "b-outcome-01", "outcome", outcome="interviewed")
    assert again["created"] is False and again["version"] == version
    typed = {"verification": {"income_wages": 5000}}
    saved = _send(testapp, ph, phone_b, "b-draft-0001", "draft", answers=typed, version=0)
    assert saved["version"] == version + 1
    # Phone A typed the same wage and one more answer on its older version: no conflict.
    more = {"verification": {"income_wages": 5000, "income_property": 300}}
    phone_a = _device(testapp, world.assessor)
    merged = _send(testapp, ph, phone_a, "a-draft-0001", "draft", answers=more, version=version)
    assert merged["version"] == version + 2
    stored = json.loads(interview_of(dbsession, ph).verification_json)
    assert (stored["income_wages"], stored["income_property"]) == (5000, 300)
