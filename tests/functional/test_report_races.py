"""Report races under real concurrency: simultaneous sign-offs and version creations.

The app runs against its own database (a temporary SQLite file, or a throwaway PostgreSQL
database next to ``TEST_DATABASE_URL``) with committed rows, and several threads send their
requests at the same moment through the whole stack (pyramid_tm, retries, the services).
"""

from __future__ import annotations

import os
import re
import threading
import uuid

import numpy as np
import pytest
import webtest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from assessment.core.db import make_engine
from assessment.core.models import AssessmentRound, Role
from assessment.core.settings import normalise_database_url
from assessment.migrate import upgrade
from reports.models import ReportVersion
from reports.services import ReportService
from sampling.plans import PlanService
from sampling.services import FrameService
from sampling.synthetic import synthetic_frame_csv
from surveys.instrument_store import ensure_builtin_instruments
from surveys.simulation import simulate_fieldwork
from tests.factories import make_county, make_team, make_user

pytestmark = [pytest.mark.db, pytest.mark.slow]


WORKERS = 8
HIERARCHY = {f"乡{t}": [f"村{t}-{v}" for v in range(1, 5)] for t in range(1, 3)}
DESIGN = {
    "type": "two-stage",
    "villages": {"poor": 2, "non_poor": 2},
    "households_per_village": {"exited": 4, "not_exited": 1, "non_registered": 4},
    "reserves_per_household": 1,
    "screening": False,
}


@pytest.fixture
def race_url(tmp_path):
    """A database of this test's own, migrated, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path}/race.sqlite"
        upgrade(url)
        yield url
        return
    base = normalise_database_url(base)
    name = f"assess_race_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def race(race_url, app_settings):
    """A county with approved fieldwork, one report version, eight coordinators; the app."""
    from assessment import main

    engine = make_engine(race_url)
    with Session(engine) as db:
        county = make_county(db, townships=0)
        data = synthetic_frame_csv(HIERARCHY, 600, rng=np.random.default_rng(3), id_prefix="R")
        frame = FrameService(db).import_file(county, data, "r.csv").frame
        db.add(AssessmentRound(name="并发测试", year=2019, poverty_line=3218.0, counties=[county]))
        team = make_team(db)
        make_user(db, Role.assessor, team=team)
        make_user(db, Role.supervisor, team=team)
        plans = PlanService(db)
        plan = plans.draw(frame, DESIGN, seed_hex="22" * 32)
        for row in plans.villages(plan):
            plans.assign(plan, row["plan_village"].id, team)
        ensure_builtin_instruments(db)
        simulate_fieldwork(db, plan, rng=np.random.default_rng(1), poverty_line=3218.0)
        coordinators = [make_user(db, Role.coordinator) for _ in range(WORKERS)]
        version = ReportService(db).create_version(county, lang="zh", user=coordinators[0])
        db.commit()
        names = {u.id: u.username for u in coordinators}
        ids = {"county": county.code, "version": version.id, "users": names}
    app = main({}, **{**app_settings, "sqlalchemy.url": race_url})
    yield app, engine, ids
    app.registry.dbengine.dispose()
    engine.dispose()


def _clients(app, usernames):
    clients = []
    for username in usernames:
        client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "example.com"})
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post(
            "/login", {"username": username, "password": "password123", "csrf_token": token}
        )
        page = client.get("/")
        client.token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        clients.append(client)
    return clients


def _at_once(clients, path, data):
    """POST ``path`` from every client at the same moment; (status, flash text) per client."""
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def send(i, client):
        barrier.wait()
        try:
            response = client.post(path, {**data, "csrf_token": client.token}, expect_errors=True)
            shown = response.follow().text if response.status_int == 303 else response.text
            flashes = re.findall(r'class="flash flash-(\w+)"[^>]*>\s*([^<]+)', shown)
            results[i] = (response.status_int, flashes)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[i] = (0, repr(exc))

    threads = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_concurrent_sign_offs_one_wins_the_others_are_told(race):
    app, engine, ids = race
    clients = _clients(app, list(ids["users"].values()))
    path = f"/reports/versions/{ids['version']}/sign-off?_LOCALE_=en"
    results = _at_once(clients, path, {})
    assert all(status == 303 for status, _ in results), results
    kinds = [flashes[0][0] if flashes else None for _, flashes in results]
    assert kinds.count("success") == 1, results
    assert kinds.count("error") == WORKERS - 1, results
    winner = kinds.index("success")
    with Session(engine) as db:
        version = db.get(ReportVersion, ids["version"])
        assert version.signed_off and version.pdf is not None
        assert ids["users"][version.signed_off_by_id] == list(ids["users"].values())[winner]
        signer = version.signed_off_by.display_name
    for i, (_, flashes) in enumerate(results):
        if i != winner:
            assert "already signed off" in flashes[0][1] and signer in flashes[0][1]


def test_concurrent_version_creation_numbers_them_all(race):
    app, engine, ids = race
    clients = _clients(app, list(ids["users"].values()))
    path = f"/reports/county/{ids['county']}/versions?_LOCALE_=en"
    results = _at_once(clients, path, {"lang": "zh"})
    assert all(status == 303 for status, _ in results), results
    assert all(flashes and flashes[0][0] == "success" for _, flashes in results), results
    with Session(engine) as db:
        numbers = db.scalars(select(ReportVersion.version).order_by(ReportVersion.version)).all()
    assert numbers == list(range(1, WORKERS + 2))  # the fixture's version 1, then 2 ... 9
