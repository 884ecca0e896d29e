"""Migrations 0010-0011: one *current* interview per plan household, data kept (issue 19).

Runs on its own database (SQLite file, or a fresh PostgreSQL database when
``TEST_DATABASE_URL`` is set), since it migrates down and up.
"""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.core.db import make_engine
from assessment.migrate import alembic_config, upgrade
from backchecks.services import BackcheckService
from surveys.models import Interview
from tests.appeals.helpers import completed_field
from tests.factories import make_team

pytestmark = pytest.mark.db
BEFORE = "0009_i19appeals_backchecks"  # before both migrations of this branch


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        query = "SELECT id, plan_household_id, status, verdict FROM interviews ORDER BY id"
        return [tuple(r) for r in conn.execute(text(query))]


def _backchecks(engine) -> list[tuple]:
    with engine.connect() as conn:
        query = "SELECT b.id, b.interview_id, d.seed FROM backchecks b JOIN backcheck_draws d"
        return [tuple(r) for r in conn.execute(text(query + " ON d.id = b.draw_id ORDER BY b.id"))]


def _copy(conn, interview_id: int, status: str) -> None:
    """A second interview row of the same household as ``interview_id`` (raw SQL)."""
    conn.execute(
        text(
            "INSERT INTO interviews (plan_household_id, plan_id, status, contact_outcome,"
            " version, verification_json, recognition_json, started_at, updated_at,"
            " flags_json) SELECT plan_household_id, plan_id, :status, '', 1, '{}', '{}',"
            " started_at, updated_at, '[]' FROM interviews WHERE id = :id"
        ),
        {"status": status, "id": interview_id},
    )


def test_the_migration_keeps_the_interviews_and_allows_one_current_per_household(fresh_url):
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with Session(engine) as db:
            field = completed_field(db)
            make_team(db)  # back-checks go to another team
            BackcheckService(db).draw(field.drawn.plan, field.coordinator, seed=4)
            db.commit()
        before = _rows(engine)
        assert len(before) == 4
        drawn = _backchecks(engine)
        assert len(drawn) == 2
        command.downgrade(alembic_config(fresh_url), BEFORE)  # no superseded row: allowed
        assert _rows(engine) == before
        upgrade(fresh_url)
        assert _rows(engine) == before  # the existing interviews are kept as they were
        assert _backchecks(engine) == drawn  # and the back-checks (0010 copies their table)
        first = before[0][0]
        with pytest.raises(IntegrityError), engine.begin() as conn:
            _copy(conn, first, "draft")  # two current interviews of one household
        with engine.begin() as conn:
            _copy(conn, first, "superseded")  # a superseded row beside the current one
        with Session(engine) as db:
            statuses = db.scalars(
                select(Interview.status)
                .where(Interview.plan_household_id == before[0][1])
                .order_by(Interview.id)
            ).all()
        assert statuses == ["approved", "superseded"]
    finally:
        engine.dispose()
