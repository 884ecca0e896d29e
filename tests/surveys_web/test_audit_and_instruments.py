"""The audit table refuses UPDATE/DELETE in the database; instrument versions in the DB."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from surveys.instrument_store import ensure_builtin_instruments, instrument_of
from surveys.models import InstrumentVersion, InterviewChange
from tests.surveys_web.conftest import full_answers, interview_of, start_interview, submit


def _one_change(testapp, dbsession, world):
    testapp.login(world.assessor.username)
    start_interview(testapp, world.plan.first_selected())
    return dbsession.scalars(select(InterviewChange)).first()


@pytest.mark.parametrize(
    "statement",
    [
        lambda: update(InterviewChange).values(action="forged"),
        lambda: delete(InterviewChange),
    ],
    ids=["update", "delete"],
)
def test_database_refuses_to_change_audit_rows(testapp, dbsession, world, statement):
    row = _one_change(testapp, dbsession, world)
    assert row is not None
    savepoint = dbsession.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        dbsession.execute(statement())
    savepoint.rollback()
    count = dbsession.scalar(
        text("SELECT count(*) FROM interview_changes WHERE action = 'outcome'")
    )
    assert count == 1


def test_builtin_instruments_are_loaded_once(dbsession):
    ensure_builtin_instruments(dbsession)
    assert ensure_builtin_instruments(dbsession) == []
    rows = dbsession.scalars(select(InstrumentVersion).where(InstrumentVersion.active)).all()
    assert sorted(r.kind for r in rows) == ["recognition", "verification"]


def test_admin_edits_the_recognition_rule_and_old_interviews_keep_their_version(
    testapp, dbsession, world
):
    # An interview started under v1 ...
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    item = interview_of(dbsession, ph)
    v1 = item.recognition_version
    testapp.post_form("/logout", {}, token_from="/", status=303)
    # ... then the admin counts "3 neutral" as not recognised in v2.
    testapp.login(world.admin.username)
    testapp.get("/surveys/instruments")
    new_url = f"/surveys/instruments/{v1.id}/new"
    broken = testapp.post_form(new_url, {"definition": '{"id": "recognition"'}, status=400)
    assert "not valid JSON" in broken.text
    definition = json.loads(v1.definition)
    definition["recognition_rule"]["not_recognised"] = ["1", "2", "3"]
    definition["recognition_rule"]["unknown_key"] = 1
    rejected = testapp.post_form(new_url, {"definition": json.dumps(definition)}, status=400)
    assert "unknown_key" in rejected.text
    del definition["recognition_rule"]["unknown_key"]
    testapp.post_form(
        new_url, {"definition": json.dumps(definition), "note": "3 counts"}, status=303
    )
    v2 = dbsession.scalars(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == "recognition", InstrumentVersion.version == 2
        )
    ).one()
    assert v2.active and not v1.active
    assert instrument_of(v2).recognition_rule.not_recognised == ("1", "2", "3")
    testapp.post_form("/logout", {}, token_from="/", status=303)
    # The old interview is still bound to v1: a neutral answer does not count against.
    testapp.login(world.assessor.username)
    neutral = full_answers()
    neutral["recognition"]["rec_exit"] = "3"
    submit(testapp, dbsession, ph, neutral)
    assert item.recognition_version_id == v1.id and item.recognising is True
    # A new interview takes v2, where the same answer is "not recognising".
    other = world.plan.first_selected(1)
    start_interview(testapp, other)
    submit(testapp, dbsession, other, neutral)
    assert interview_of(dbsession, other).recognition_version_id == v2.id
    assert interview_of(dbsession, other).recognising is False
