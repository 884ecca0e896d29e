"""``refresh-results``: the stored results of counties whose rows were never written (a
database upgraded with fieldwork in it) are computed, through the console script."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from assessment.core.settings import normalise_database_url
from sampling.synthetic import synthetic_frame_csv
from tests.cli.test_console_script import chinese, ok, refused, url  # noqa: F401 - fixture
from tests.cli.test_fieldwork_commands import add_round
from tests.sampling_db.conftest import HIERARCHY

pytestmark = [pytest.mark.db, pytest.mark.slow]
ROWS = (
    "SELECT c.code, r.state, r.verdict, r.data_version = c.data_version FROM county_results r "
    "JOIN counties c ON c.id = r.county_id ORDER BY c.code"
)


def rows(database: str) -> list[tuple]:
    engine = create_engine(normalise_database_url(database))
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text(ROWS))]
    engine.dispose()
    return found


def test_refresh_results_writes_the_rows_a_round_lacks(url, tmp_path):  # noqa: F811
    ok(url, "initdb")
    frame = tmp_path / "R1.csv"
    frame.write_bytes(synthetic_frame_csv(HIERARCHY, 300, rng=np.random.default_rng(3)))
    ok(url, "import-frame", frame, "--county", "R1", "--county-name", "县R1")
    add_round(url, "R1")  # listed behind the services' back: no row was written
    assert [r for r in rows(url) if r[0] == "R1"] == []
    refused(url, "refresh-results", "--round", "999999", says="没有评估批次 999999")
    refused(url, "refresh-results", "--round", "999999", "--lang", "en", says="no round 999999")
    done = ok(url, "refresh-results")
    chinese(done.stdout, r"已重新计算 \d+ 个县的存储结果")
    again = ok(url, "refresh-results", "--lang", "en")
    assert re.search(r"Stored results refreshed; counties: \d+", again.stdout)
    assert [r for r in rows(url) if r[0] == "R1"] == [("R1", "no_plan", "insufficient_data", True)]
