"""Fixtures shared by the appeal tests."""

from __future__ import annotations

import pytest

from tests.cli.test_console_script import empty_database


@pytest.fixture
def fresh_url(tmp_path):
    """A fresh, empty database of its own (SQLite file, or a new PostgreSQL database when
    ``TEST_DATABASE_URL`` is set), for tests that migrate down and up."""
    with empty_database(tmp_path) as url:
        yield url
