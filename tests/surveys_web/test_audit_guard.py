"""The audit trail, review comments and signed-off reports are append-only in fact.

Triggers (both databases) refuse rewrites, including SQLite's ``REPLACE INTO``; the app's
SQLite connections cannot drop them; on PostgreSQL the app's role owns nothing. Every audit
row carries the hash of the one before, and ``assess verify-audit`` finds the first break.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from assessment.core.db import make_engine
from assessment.core.models import Role
from reports.models import ReportVersion
from surveys.audit import GENESIS, chain_hash, verify_chain
from surveys.models import InterviewChange, ReviewComment
from surveys.review import ReviewService
from surveys.workflow import InterviewService
from tests.factories import make_team, make_user
from tests.live import live_database
from tests.survey_factories import make_drawn_plan

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("TEST_DATABASE_URL")


def _refused(dbsession, sql: str, params=None, match: str | None = None):
    savepoint = dbsession.begin_nested()
    with pytest.raises(DBAPIError, match=match):
        dbsession.execute(text(sql), params or {})
    savepoint.rollback()


def _three_changes(dbsession, world):
    service = InterviewService(dbsession)
    for ph in (
        world.plan.first_selected(),
        world.plan.selected[next(iter(world.plan.selected))][1],
    ):
        service.record_outcome(ph, "interviewed", world.assessor)
    item = service.interview_of(world.plan.first_selected())
    service.save_draft(
        item, {"verification": {"income_wages": 5}}, base_version=item.version, user=world.assessor
    )
    return list(dbsession.scalars(select(InterviewChange).order_by(InterviewChange.id)))


def test_each_audit_row_carries_the_hash_of_the_one_before(dbsession, world):
    rows = _three_changes(dbsession, world)[-3:]
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.row_hash
    last = rows[-1]
    expected = chain_hash(
        last.prev_hash,
        last.interview_id,
        last.version,
        last.action,
        last.user_id,
        last.at,
        last.changes_json,
    )
    assert last.row_hash == expected
    assert verify_chain(dbsession)[1] is None


def test_a_row_that_does_not_chain_onto_the_last_is_refused(dbsession, world):
    row = _three_changes(dbsession, world)[-1]
    _refused(
        dbsession,
        "INSERT INTO interview_changes (interview_id, version, action, at, changes_json, "
        "prev_hash, row_hash) VALUES (:i, 99, 'forged', :at, '[]', :prev, :hash)",
        {"i": row.interview_id, "at": row.at, "prev": GENESIS, "hash": "f" * 64},
        match="prev_hash",
    )


def test_replacing_an_audit_row_is_refused(dbsession, world):
    row = _three_changes(dbsession, world)[0]
    columns = "id, interview_id, version, action, user_id, at, changes_json, prev_hash, row_hash"
    if dbsession.get_bind().dialect.name == "sqlite":
        sql = (
            f"REPLACE INTO interview_changes ({columns}) SELECT id, interview_id, version, "
            "'forged', user_id, at, '[]', prev_hash, row_hash FROM interview_changes "
            "WHERE id = :id"
        )
    else:
        sql = (
            f"INSERT INTO interview_changes ({columns}) SELECT id, interview_id, version, "
            "'forged', user_id, at, '[]', prev_hash, row_hash FROM interview_changes "
            "WHERE id = :id ON CONFLICT (id) DO UPDATE SET action = 'forged'"
        )
    _refused(dbsession, sql, {"id": row.id})
    dbsession.expire_all()
    assert dbsession.get(InterviewChange, row.id).action == "outcome"


def test_review_comments_can_be_closed_but_never_rewritten_or_removed(dbsession, world):
    comment = ReviewComment(
        interview_id=_three_changes(dbsession, world)[0].interview_id,
        field_path="verification.income_wages",
        text="check the wages",
    )
    dbsession.add(comment)
    dbsession.flush()
    _refused(
        dbsession,
        "UPDATE review_comments SET text = 'all fine' WHERE id = :id",
        {"id": comment.id},
        match="only be closed",
    )
    _refused(
        dbsession,
        "DELETE FROM review_comments WHERE id = :id",
        {"id": comment.id},
        match="never deleted",
    )
    comment.open = False
    dbsession.flush()  # closing is allowed
    _refused(
        dbsession,
        "UPDATE review_comments SET open = :t WHERE id = :id",
        {"id": comment.id, "t": True},
        match="only be closed",
    )


def _version(dbsession, world, *, signed: bool, version: int = 1) -> ReportVersion:
    row = ReportVersion(
        county_id=world.plan.county.id,
        plan_id=world.plan.plan.id,
        version=version,
        language="zh",
        snapshot_json="{}",
        snapshot_sha256="0" * 64,
        signed_off=signed,
        pdf=b"%PDF signed" if signed else None,
    )
    dbsession.add(row)
    dbsession.flush()
    return row


def test_a_signed_off_report_version_never_changes(dbsession, world):
    signed = _version(dbsession, world, signed=True)
    _refused(
        dbsession,
        "UPDATE report_versions SET pdf = :b WHERE id = :id",
        {"b": b"%PDF forged", "id": signed.id},
        match="never changes",
    )
    _refused(
        dbsession,
        "DELETE FROM report_versions WHERE id = :id",
        {"id": signed.id},
        match="never changes",
    )
    draft = _version(dbsession, world, signed=False, version=2)
    _refused(
        dbsession,
        "UPDATE report_versions SET snapshot_json = '[]' WHERE id = :id",
        {"id": draft.id},
        match="keeps its snapshot",
    )
    draft.signed_off, draft.pdf = True, b"%PDF"
    dbsession.flush()  # signing off is the one change allowed


def test_the_status_of_an_interview_is_the_one_its_trail_recorded(dbsession, world):
    from surveys.audit import status_mismatches

    _three_changes(dbsession, world)
    assert status_mismatches(dbsession) == []
    item = InterviewService(dbsession).interview_of(world.plan.first_selected())
    dbsession.execute(
        text("UPDATE interviews SET status = 'approved' WHERE id = :id"), {"id": item.id}
    )
    assert status_mismatches(dbsession) == [(item.id, "draft", "approved")]


# -- the app's own SQLite connections ---------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TRIGGER interview_changes_no_update",
        "PRAGMA recursive_triggers = OFF",
        "PRAGMA writable_schema = ON",
        "ALTER TABLE interview_changes RENAME TO old_changes",
        "CREATE TEMP TRIGGER t AFTER INSERT ON users BEGIN SELECT 1; END",
        "ATTACH DATABASE ':memory:' AS other",
        "DELETE FROM interview_changes",
    ],
)
def test_the_apps_sqlite_connections_cannot_touch_the_guards(tmp_path, sql):
    with live_database(tmp_path, sqlite_only=True) as (url, _):
        engine = make_engine(url, app=True)
        try:
            with engine.connect() as conn, pytest.raises(DBAPIError, match="not authorized"):
                conn.exec_driver_sql(sql)
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 1
        finally:
            engine.dispose()


# -- assess verify-audit on both databases ----------------------------------------------------


def _assess(*args, url: str, **env):
    environ = {**os.environ, "DATABASE_URL": url, **env}
    return subprocess.run(
        [sys.executable, "-m", "assessment.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=300,
    )


def _fieldwork(engine) -> list[int]:
    with Session(engine) as db:
        team = make_team(db)
        user = make_user(db, Role.assessor, team=team)
        plan = make_drawn_plan(db, team, villages=1, selected=3, reserves=0)
        service = InterviewService(db)
        for ph in plan.selected[next(iter(plan.selected))]:
            service.record_outcome(ph, "interviewed", user)
        db.commit()
        return list(db.scalars(select(InterviewChange.id).order_by(InterviewChange.id)))


@pytest.mark.db
def test_verify_audit_passes_an_intact_trail_and_names_the_first_rewritten_row(tmp_path):
    with live_database(tmp_path) as (url, engine):
        ids = _fieldwork(engine)
        ok = _assess("verify-audit", url=url)
        assert ok.returncode == 0, ok.stderr
        assert f"审计链完好：共 {len(ids)} 行" in ok.stdout  # the interface's default language
        # Someone holding the database itself rewrites the middle row.
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("DROP TRIGGER interview_changes_no_update")
            else:
                conn.exec_driver_sql("ALTER TABLE interview_changes DISABLE TRIGGER USER")
            conn.execute(
                text("UPDATE interview_changes SET action = 'forged' WHERE id = :id"),
                {"id": ids[1]},
            )
        broken = _assess("verify-audit", "--lang", "en", url=url)
        assert broken.returncode == 1
        assert f"row {ids[1]}" in broken.stderr


def test_verify_audit_finds_a_status_changed_outside_the_services(tmp_path):
    with live_database(tmp_path, sqlite_only=True) as (url, engine):
        _fieldwork(engine)
        with sqlite3.connect(make_url(url).database) as raw:  # the file's owner, no guards
            raw.execute("UPDATE interviews SET status = 'approved'")
        result = _assess("verify-audit", url=url)
        assert result.returncode == 1
        assert "状态为已通过，审计记录最后记录的是草稿" in result.stderr
        english = _assess("verify-audit", "--lang", "en", url=url).stderr
        assert "approved" in english.lower() and "draft" in english.lower(), english


# -- PostgreSQL: the app's role owns nothing ---------------------------------------------------


@pytest.fixture
def split_roles():
    """A database owned by a fresh owner role, and the name of the app role to be."""
    admin = create_engine(
        make_url(PG).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    tag = uuid.uuid4().hex[:8]
    owner, app_role, name = f"assess_owner_{tag}", f"assess_app_{tag}", f"assess_roles_{tag}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{owner}" LOGIN CREATEROLE')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    base = make_url(PG).set(drivername="postgresql+psycopg", database=name)
    owner_url = base.set(username=owner).render_as_string(hide_password=False)
    app_url = base.set(username=app_role).render_as_string(hide_password=False)
    try:
        yield owner_url, app_url, app_role
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{app_role}"')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{owner}"')
        admin.dispose()


@pytest.mark.db
@pytest.mark.skipif(not PG, reason="PostgreSQL roles (runs in the PostgreSQL pass of make test)")
def test_initdb_makes_an_app_role_that_cannot_rewrite_the_audit_trail(split_roles):
    owner_url, app_url, app_role = split_roles
    result = _assess("initdb", url=app_url, DATABASE_OWNER_URL=owner_url)
    assert result.returncode == 0, result.stderr
    assert app_role in result.stdout
    engine = create_engine(app_url)
    try:
        for sql in (
            "UPDATE interview_changes SET action = 'x'",
            "DELETE FROM interview_changes",
            "TRUNCATE interview_changes",
            "ALTER TABLE interview_changes DISABLE TRIGGER USER",
            "DROP TRIGGER interview_changes_chain ON interview_changes",
            "DELETE FROM review_comments",
            "DELETE FROM report_versions",
            "ALTER TABLE report_versions DISABLE TRIGGER report_versions_guard",
            "SET session_replication_role = replica",
            "CREATE TABLE mine (id int)",
        ):
            with engine.connect() as conn, pytest.raises(DBAPIError, match=r"denied|owner"):
                conn.exec_driver_sql(sql)
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT has_table_privilege(current_user, 'interview_changes', 'INSERT') "
                "AND has_table_privilege(current_user, 'interviews', 'UPDATE')"
            ).scalar()
    finally:
        engine.dispose()


@pytest.mark.db
@pytest.mark.skipif(not PG, reason="a deferred constraint trigger (PostgreSQL)")
def test_postgresql_refuses_at_commit_a_status_change_without_its_audit_row(tmp_path):
    with live_database(tmp_path) as (_, engine):
        _fieldwork(engine)
        with pytest.raises(DBAPIError, match="without an audit row"), engine.begin() as conn:
            conn.exec_driver_sql("UPDATE interviews SET status = 'approved'")
        with Session(engine) as db:  # through the service it is fine
            team = make_team(db)
            supervisor = make_user(db, Role.supervisor, team=team)
            plan = make_drawn_plan(db, team, villages=1, selected=1, reserves=0)
            ph = plan.first_selected()
            service = InterviewService(db)
            service.record_outcome(ph, "interviewed", supervisor)
            db.commit()
            item = service.interview_of(ph)
            item.status = "submitted"
            db.flush()
            with pytest.raises(DBAPIError, match="without an audit row"):
                db.commit()
            db.rollback()
            assert ReviewService(db).queue(team.id) == []
