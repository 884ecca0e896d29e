"""Concurrent requests against a real server and database: the throttle holds, SQLite copes.

Each test serves the app with waitress on a throwaway database (PostgreSQL when
``TEST_DATABASE_URL`` is set, else a SQLite file); the clients are threads with their own
connections and cookies, released together by a barrier.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.core.models import LoginFailure, Role, utcnow
from tests.factories import PASSWORD, make_team, make_user
from tests.live import Client, live_database, run_together, serving

TOO_MANY = "登录失败次数过多"
WRONG = "用户名或密码错误"


def _guess(port: int, username: str, password: str):
    client = Client(port)
    try:
        client.fetch_csrf("/login")
        return lambda: _post_guess(client, username, password)
    except Exception:
        client.close()
        raise


def _post_guess(client: Client, username: str, password: str) -> str:
    status, page = client.post_form("/login", {"username": username, "password": password})
    client.close()
    if status == 303:
        return "in"
    if status == 400 and TOO_MANY in page:
        return "throttled"
    if status == 400 and WRONG in page:
        return "wrong"
    return f"status {status}"


def _failures(engine, username: str) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).where(LoginFailure.username == username))


@pytest.fixture
def live(tmp_path, app_settings):
    with (
        live_database(tmp_path) as (url, engine),
        serving(app_settings, url) as port_a,
        serving(app_settings, url) as port_b,
    ):
        yield engine, (port_a, port_b)  # two servers: two processes' worth of pools


@pytest.mark.db
def test_with_one_guess_left_eight_concurrent_guesses_check_one_password(live):
    engine, ports = live
    with Session(engine) as db:
        make_user(db, Role.assessor, username="target")
        then = utcnow() - dt.timedelta(minutes=1)
        db.add_all(LoginFailure(username="target", address="1.2.3.4", at=then) for _ in range(4))
        db.commit()
    passwords = ["wrong-1", "wrong-2", "wrong-3", PASSWORD, "wrong-4", "wrong-5", "wrong-6"]
    passwords.append("wrong-7")
    guesses = [_guess(ports[i % 2], "target", p) for i, p in enumerate(passwords)]
    outcomes = run_together(guesses)
    assert all(o in ("in", "wrong", "throttled") for o in outcomes), outcomes
    wrong = outcomes.count("wrong")
    if "in" not in outcomes:
        # One guess left: one password was checked, the fifth failure; the rest refused
        # unchecked, the right password among them.
        assert wrong == 1, outcomes
        assert _failures(engine, "target") == 5
    else:
        # The right password won the race for the last guess: a legitimate log-in, which
        # clears the count; guesses served after it count afresh, up to the limit. No wrong
        # guess was checked before it - that one would have been the fifth failure and the
        # right password refused - so every failure on record is one of the later guesses.
        assert outcomes.count("in") == 1, outcomes
        assert wrong <= 5, outcomes  # login.max_failures_per_account
        assert _failures(engine, "target") == wrong, outcomes


@pytest.mark.db
@pytest.mark.slow
def test_a_burst_of_forty_guesses_checks_at_most_the_limit(live):
    engine, ports = live
    with Session(engine) as db:
        make_user(db, Role.assessor, username="burst")
        db.commit()
    guesses = [_guess(ports[i % 2], "burst", f"guess-{i}") for i in range(40)]
    outcomes = run_together(guesses)
    assert all(o in ("wrong", "throttled") for o in outcomes), outcomes
    assert outcomes.count("wrong") == 5  # login.max_failures_per_account
    assert _failures(engine, "burst") == 5


def _assessor_day(port: int, username: str, household: int):
    client = Client(port)
    status, _ = client.login(username, PASSWORD)
    assert status == 303, (username, status)
    client.fetch_csrf("/")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": client.csrf}
    base = f"/api/households/{household}"

    def day() -> list[int]:
        statuses = []
        try:
            for method, path, body in (
                ("GET", "/api/assignments", None),
                ("POST", base + "/outcome", {"outcome": "interviewed"}),
                ("GET", base + "/interview", None),
                ("POST", base + "/interview/draft", {"version": 1, "answers": {}}),
                ("GET", "/surveys/assignments", None),
            ):
                payload = json.dumps(body) if body is not None else None
                status, _ = client.request(method, path, payload, headers)
                statuses.append(status)
        finally:
            client.close()
        return statuses

    return day


def test_twenty_assessors_at_once_on_sqlite_get_no_server_error(tmp_path, app_settings):
    from tests.survey_factories import make_drawn_plan

    with live_database(tmp_path, sqlite_only=True) as (url, engine):
        households = {}
        with Session(engine) as db:
            from surveys.instrument_store import ensure_builtin_instruments

            ensure_builtin_instruments(db)
            for i in range(20):
                team = make_team(db)
                user = make_user(db, Role.assessor, team=team, username=f"field{i}")
                plan = make_drawn_plan(db, team, villages=1, selected=1, reserves=0)
                households[user.username] = plan.first_selected().id
            db.commit()
        with serving(app_settings, url, threads=8) as port:
            # Twenty log-ins at once (each reads, hashes, then writes its session) ...
            logins = run_together(
                [lambda u=u, h=h: _assessor_day(port, u, h) for u, h in households.items()]
            )
            assert not [x for x in logins if isinstance(x, BaseException)], logins
            # ... then twenty assessors recording an outcome and saving a draft at once.
            days = run_together(logins)
    assert not [x for x in days if isinstance(x, BaseException)], days
    assert all(statuses == [200, 200, 200, 200, 200] for statuses in days), days
