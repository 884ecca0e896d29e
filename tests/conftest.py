"""Fixtures: a migrated database per run, a rolled-back transaction per test, a WebTest app.

The database is SQLite in a temporary folder, or a throwaway PostgreSQL database created
from ``TEST_DATABASE_URL`` and dropped at the end.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
import transaction
import webtest
import zope.sqlalchemy
from hypothesis import settings
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from assessment.core.db import make_engine
from assessment.core.settings import normalise_database_url
from assessment.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]

# The same examples on every run and machine: a property test that fails in CI fails
# locally too (no example database, no random seed per run).
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")
os.environ.pop("DATABASE_URL", None)  # the ini's URL below must win in tests


def pytest_collection_modifyitems(items):
    for item in items:
        if "dbengine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db')}/test.sqlite"
        return
    url = normalise_database_url(url)
    name = f"assess_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def dbengine(database_url):
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def tm():
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    manager.doom()  # nothing a test does is ever committed
    yield manager
    manager.abort()


@pytest.fixture
def dbsession(dbengine, tm):
    connection = dbengine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    zope.sqlalchemy.register(session, transaction_manager=tm)
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture(scope="session")
def app_settings(database_url):
    from pyramid.paster import get_appsettings

    settings = dict(get_appsettings(str(ROOT / "development.ini")))
    settings.update(
        {
            "sqlalchemy.url": database_url,
            "pyramid.reload_templates": "false",
            "session.secret": "test-secret-" + "x" * 40,
            "assess.trusted_hosts": "example.com localhost 127.0.0.1",
        }
    )
    return settings


@pytest.fixture(scope="session")
def app(app_settings, dbengine):
    from assessment import main

    return main({}, **app_settings)


class TestApp(webtest.TestApp):
    """WebTest with the helpers our journeys need."""

    def get_csrf_token(self, path: str = "/login") -> str:
        page = self.get(path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username: str, password: str = "password123", status: int = 303):
        token = self.get_csrf_token("/login")
        return self.post(
            "/login",
            {"username": username, "password": password, "csrf_token": token},
            status=status,
        )

    def post_form(self, path: str, data: dict, *, status=None, token_from: str | None = None):
        """POST ``data`` with the CSRF token of the current session."""
        token = self.get_csrf_token(token_from or path)
        return self.post(path, {**data, "csrf_token": token}, status=status)


@pytest.fixture
def testapp(app, tm, dbsession):
    return TestApp(
        app,
        extra_environ={
            "HTTP_HOST": "example.com",
            "REMOTE_ADDR": "10.0.0.1",
            "tm.active": True,
            "tm.manager": tm,
            "app.dbsession": dbsession,
        },
    )
