"""A real server on a real database, for tests of what happens under concurrency.

The rolled-back fixture of ``conftest`` is one connection; concurrency needs committed rows
and one connection per request, as in production. :func:`live_database` makes a throwaway
database of the kind under test (a SQLite file, or a PostgreSQL database when
``TEST_DATABASE_URL`` is set and ``sqlite_only`` is not) migrated to head; :func:`serving`
runs the app on it under waitress on a loopback port; :class:`Client` is one browser (its
own connection and session cookie).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import threading
import time
import uuid
from urllib.parse import urlencode

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from assessment.core.db import make_engine
from assessment.core.settings import normalise_database_url
from assessment.migrate import upgrade

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextlib.contextmanager
def live_database(tmp_path, *, sqlite_only: bool = False):
    """Yield ``(url, engine)`` of a new database migrated to head; dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if sqlite_only or not base:
        url = f"sqlite:///{tmp_path}/live-{uuid.uuid4().hex[:8]}.sqlite"
        upgrade(url)
        engine = make_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()
        return
    admin = create_engine(normalise_database_url(base), isolation_level="AUTOCOMMIT")
    name = f"assess_live_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(normalise_database_url(base)).set(database=name)
    url = url.render_as_string(hide_password=False)
    engine = None
    try:
        upgrade(url)
        engine = make_engine(url)
        yield url, engine
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def serving(app_settings: dict, url: str, *, threads: int = 8, **overrides):
    """Serve the app on ``url`` under waitress (WebTest's stoppable server); yield the port."""
    from webtest.http import StopableWSGIServer

    from assessment import main

    app = main({}, **{**app_settings, "sqlalchemy.url": url, **overrides})
    server = StopableWSGIServer.create(app, threads=threads, expose_tracebacks=False)
    try:
        _wait_for(server.adj.port)
        yield server.adj.port
    finally:
        server.shutdown()
        server.runner.join(timeout=10)
        app.registry.dbengine.dispose()


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Client:
    """One browser: its own keep-alive connection and session cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        self.csrf = ""

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, str]:
        headers = {"Host": "localhost", **(headers or {})}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("Set-Cookie") or ():
            if value.startswith("assess_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data

    def fetch_csrf(self, path: str = "/login") -> str:
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        self.csrf = CSRF.search(page).group(1)
        return self.csrf

    def post_form(self, path: str, data: dict) -> tuple[int, str]:
        body = urlencode({**data, "csrf_token": self.csrf})
        return self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def login(self, username: str, password: str) -> tuple[int, str]:
        self.fetch_csrf("/login")
        return self.post_form("/login", {"username": username, "password": password})

    def close(self) -> None:
        self.conn.close()


def run_together(functions) -> list:
    """Call every function at once (a barrier releases them together); their results."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # reported, never swallowed
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results
