"""Migration 0014: 漏评率's screening model on ``round_icc`` rows, nullable, checked, and
undone without losing the ρ history (issue 13). Runs on its own database (SQLite file, or a
fresh PostgreSQL database when ``TEST_DATABASE_URL`` is set), since it migrates down and up."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.core.db import make_engine
from assessment.core.models import AssessmentRound
from assessment.migrate import alembic_config, upgrade
from tests.cli.test_console_script import empty_database

pytestmark = pytest.mark.db


@pytest.fixture
def fresh_url(tmp_path):
    with empty_database(tmp_path) as url:
        yield url


BEFORE = "0013_i13rho_round_icc"
ROW = (
    "INSERT INTO round_icc (round_id, indicator, value, source, from_round_name, counties, "
    "villages, households, events, applied_at, reason{extra}) VALUES (1, 'missed_rate', 0.2, "
    "'pooled', 'R', 10, 60, 500, 30, '2026-12-07 01:00:00', 'x'{values})"
)
SCREENING = ", k_census, rho_census, k_unflagged, rho_unflagged, screening_counties"


def test_the_screening_model_columns_are_nullable_checked_and_undone(fresh_url):
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with Session(engine) as db, db.begin():
            db.add(AssessmentRound(id=1, name="R", year=2019, poverty_line=3218.0))
        with engine.begin() as conn:
            conn.execute(text(ROW.format(extra="", values="")))  # no model: the village model
            conn.execute(text(ROW.format(extra=SCREENING, values=", 0.6, 0.12, 0.45, 0.08, 10")))
        with pytest.raises(IntegrityError), engine.begin() as conn:  # ρ outside [0, 1]
            conn.execute(text(ROW.format(extra=SCREENING, values=", 0.6, 1.5, 0.45, 0.08, 10")))
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT k_census, rho_census FROM round_icc ORDER BY id")
            ).all()
        assert [tuple(r) for r in found] == [(None, None), (0.6, 0.12)]
        engine.dispose()
        command.downgrade(alembic_config(fresh_url), BEFORE)
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT value, source FROM round_icc ORDER BY id")).all()
        assert [tuple(r) for r in kept] == [(0.2, "pooled"), (0.2, "pooled")]  # history kept
        engine.dispose()
        upgrade(fresh_url)
        with engine.connect() as conn:
            again = conn.execute(text("SELECT k_census FROM round_icc ORDER BY id")).all()
        assert [tuple(r) for r in again] == [(None,), (None,)]
    finally:
        engine.dispose()
