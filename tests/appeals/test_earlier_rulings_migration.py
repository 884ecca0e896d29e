"""Migration 0012: an appeal case keeps its earlier rulings (a failed re-visit), data kept.

Runs on its own database (SQLite file, or a fresh PostgreSQL database when
``TEST_DATABASE_URL`` is set), since it migrates down and up.
"""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from appeals.services import AppealService
from assessment.core.db import make_engine
from assessment.migrate import alembic_config, upgrade
from surveys.workflow import InterviewService
from tests.appeals.helpers import completed_field
from tests.appeals.test_appeal_web import cases
from tests.factories import make_team

pytestmark = pytest.mark.db
BEFORE = "0011_i19re_revisit_interviews"


def _cases(engine) -> list[tuple]:
    with engine.connect() as conn:
        query = "SELECT id, interview_id, ruling, ruling_reason FROM appeal_cases ORDER BY id"
        return [tuple(r) for r in conn.execute(text(query))]


def _columns(engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("appeal_cases")}


def test_the_migration_adds_the_earlier_rulings_and_keeps_the_cases(fresh_url):
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with Session(engine) as db:
            field = completed_field(db, appeal_hours=48)
            team = make_team(db)
            service = AppealService(db)
            service.publish(field.drawn.plan, field.coordinator)
            first, _second = cases(db, field)
            service.answer(first, field.liaison, "disputed", "收入有误")
            service.rule(first, field.expert, "revisit", "需复访", revisit_team_id=team.id)
            InterviewService(db).record_outcome(first.interview.plan_household, "moved", None)
            service.rule(first, field.expert, "upheld", "住户已搬离")
            db.commit()
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT earlier_rulings_json FROM appeal_cases")).scalars()
            assert sum(v is not None and '"revisit"' in v for v in stored) == 1
        kept = _cases(engine)
        command.downgrade(alembic_config(fresh_url), BEFORE)
        assert "earlier_rulings_json" not in _columns(engine)
        assert _cases(engine) == kept
        upgrade(fresh_url)
        assert "earlier_rulings_json" in _columns(engine)
        assert _cases(engine) == kept
    finally:
        engine.dispose()
