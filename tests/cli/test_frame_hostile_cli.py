"""Hostile frame files given to ``assess import-frame``, the console script a coordinator runs.

Each must end with a non-zero status, its message in Chinese (the default ``--lang``) on
standard error, no traceback, and the database as it was: the county the command names is new
and must not be created.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from assessment.core.models import County
from assessment.core.settings import normalise_database_url
from sampling.models import Frame, FrameImportLog, Household
from tests.cli.test_console_script import empty_database, ok, run
from tests.hostile_frames import CASES, good_csv

pytestmark = [pytest.mark.db, pytest.mark.slow]


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with empty_database(tmp_path_factory.mktemp("hostile-cli")) as found:
        ok(found, "initdb")
        yield found


def _counts(url: str) -> tuple:
    engine = create_engine(normalise_database_url(url))
    try:
        with Session(engine) as db:
            return tuple(
                db.scalar(select(func.count()).select_from(model))
                for model in (County, Frame, Household, FrameImportLog)
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize(("name", "build", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_file_is_refused_with_a_message_and_changes_nothing(
    url, tmp_path, name, build, expected
):
    path = tmp_path / f"{name}.bin"
    path.write_bytes(build())
    before = _counts(url)
    result = run(url, "import-frame", path, "--county", f"HX-{name}", "--county-name", "恶意县")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr[-2000:]
    assert "未导入任何数据" in result.stderr  # nothing imported
    assert _counts(url) == before


def test_a_good_file_creates_the_county_it_names(url, tmp_path):
    path = tmp_path / "good.csv"
    path.write_bytes(good_csv())
    ok(url, "import-frame", path, "--county", "HX-GOOD", "--county-name", "好县")
    assert _counts(url)[1:] == (1, 2, 1)
    engine = create_engine(normalise_database_url(url))
    with Session(engine) as db:
        assert db.scalars(select(County.name).where(County.code == "HX-GOOD")).one() == "好县"
    engine.dispose()
