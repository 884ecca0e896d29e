"""Load run of the survey workflow: simulated assessors against waitress + PostgreSQL.

Creates a throwaway PostgreSQL database, migrates and fills it (one team, plan village and
assessor per simulated assessor), serves the app with waitress in a subprocess on a free
loopback port, and runs N assessor threads for a fixed time. Each assessor repeatedly opens
its assignments, records an outcome, saves a draft and submits the interview through the
JSON API (session cookie + X-CSRF-Token), and opens a trivial page (the log-in form) of the
same app for comparison. Afterwards every accepted submission is checked to be in the
database exactly once. Loopback only; bounded by --seconds.

    .venv/bin/python bench/bench_load.py --seconds 60 --assessors 50 \
        --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-123"  # noqa: S105 - throwaway users of a throwaway database
RECOGNITION = {
    "rec_identification": "5",
    "rec_exit": "4",
    "rec_own_exit": "5",
    "rec_measures": "4",
    "rec_results": "5",
    "rec_work_team": "4",
    "helper_known": True,
    "rec_helper": "5",
}


def _answers() -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.surveys.households import household

    return {"verification": household(), "recognition": dict(RECOGNITION)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_database(base_url: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from assessment.settings import normalise_database_url

    url = normalise_database_url(base_url)
    name = f"bench_surveys_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from assessment.settings import normalise_database_url

    admin = create_engine(normalise_database_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


def fill(url: str, assessors: int, households: int) -> list[str]:
    """Migrate, then one team + assessor + drawn plan per simulated assessor; the user names."""
    from sqlalchemy.orm import Session

    from assessment.db import make_engine
    from assessment.migrate import upgrade
    from assessment.models import Role, Team, User
    from assessment.security import hash_password
    from surveys.instrument_store import ensure_builtin_instruments
    from tests.survey_factories import make_drawn_plan

    upgrade(url)
    engine = make_engine(url)
    names, digest = [], hash_password(PASSWORD)
    with Session(engine) as db:
        ensure_builtin_instruments(db)
        for i in range(assessors):
            team = Team(name=f"bench-team-{i}")
            db.add(team)
            db.flush()
            user = User(
                username=f"bench{i}",
                display_name=f"bench {i}",
                password_hash=digest,
                role=Role.assessor,
                team=team,
            )
            db.add(user)
            make_drawn_plan(db, team, villages=1, selected=households, reserves=0)
            names.append(user.username)
        db.commit()
    engine.dispose()
    return names


def serve(url: str, port: int) -> None:
    """Subprocess mode: serve the app on loopback until killed."""
    import logging

    from pyramid.paster import get_appsettings
    from waitress import serve as waitress_serve

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is expected here

    from assessment import main

    settings = dict(get_appsettings(str(ROOT / "development.ini")))
    settings.update(
        {
            "sqlalchemy.url": url,
            "pyramid.reload_templates": "false",
            "session.secret": "bench-secret-" + "x" * 40,
        }
    )
    waitress_serve(main({}, **settings), host="127.0.0.1", port=port, threads=8, _quiet=True)


class Client:
    """One assessor's keep-alive connection with its session cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.csrf = ""

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or ():
            if value.startswith("assess_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        from urllib.parse import urlencode

        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
        status, _ = self.request(
            "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 303, f"log-in of {username} failed: {status}"
        _, home = self.request("GET", "/")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', home).group(1).decode()

    def post_json(self, path, payload):
        return self.request(
            "POST",
            path,
            json.dumps(payload),
            {"Content-Type": "application/json", "X-CSRF-Token": self.csrf},
        )


def assessor(port, username, deadline, timings, accepted, errors, lock):
    client, answers = Client(port), _answers()
    client.login(username)
    local = defaultdict(list)

    def timed(kind, fn, *args):
        start = time.perf_counter()
        status, data = fn(*args)
        local[kind].append(time.perf_counter() - start)
        if status >= 500:
            errors.append((kind, status))
        return status, data

    while time.perf_counter() < deadline:
        timed("trivial", client.request, "GET", "/login")
        _, data = timed("assignments", client.request, "GET", "/api/assignments")
        todo = [a for a in json.loads(data)["assignments"] if a["status"] == "not_started"]
        if not todo:
            break
        base = f"/api/households/{todo[0]['household']}"
        timed("outcome", client.post_json, base + "/outcome", {"outcome": "interviewed"})
        _, data = timed("open", client.request, "GET", base + "/interview")
        version = json.loads(data)["interview"]["version"]
        partial = {"verification": {"respondent_name": "王大山", "income_wages": 9000}}
        status, data = timed(
            "draft",
            client.post_json,
            base + "/interview/draft",
            {"version": version, "answers": partial},
        )
        version = json.loads(data)["version"]
        status, data = timed(
            "submit",
            client.post_json,
            base + "/interview/submit",
            {"version": version, "answers": answers},
        )
        if status == 200:
            accepted.append(todo[0]["household"])
    with lock:
        for kind, values in local.items():
            timings[kind].extend(values)


def report(timings, seconds) -> list[str]:
    lines = [f"{'kind':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}"]
    for kind in ("trivial", "assignments", "outcome", "open", "draft", "submit"):
        values = np.asarray(timings.get(kind, [])) * 1000
        if not len(values):
            continue
        p50, p99 = np.percentile(values, [50, 99])
        lines.append(
            f"{kind:<12}{len(values):>10}{len(values) / seconds:>10.1f}{p50:>10.1f}{p99:>10.1f}"
        )
    return lines


def check_exactly_once(url: str, accepted: list[int]) -> str:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from assessment.db import make_engine
    from surveys.models import Interview, InterviewChange

    engine = make_engine(url)
    with Session(engine) as db:
        rows = db.execute(
            select(Interview.plan_household_id, func.count(InterviewChange.id))
            .join(InterviewChange, InterviewChange.interview_id == Interview.id)
            .where(Interview.status == "submitted", InterviewChange.action == "submit")
            .group_by(Interview.plan_household_id)
        ).all()
    engine.dispose()
    stored = {ph: n for ph, n in rows}
    lost = set(accepted) - set(stored)
    doubled = [ph for ph, n in stored.items() if n != 1] + [
        ph for ph in set(accepted) if accepted.count(ph) > 1
    ]
    extra = set(stored) - set(accepted)
    ok = not lost and not doubled and not extra
    return (
        f"accepted {len(accepted)}, stored {len(stored)}, lost {len(lost)}, "
        f"doubled {len(doubled)}, unexpected {len(extra)}: {'OK' if ok else 'FAILED'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--assessors", type=int, default=50)
    parser.add_argument("--households", type=int, default=60, help="per assessor")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--serve", nargs=2, metavar=("URL", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return 0
    if not 0 < args.seconds <= 600 or not 0 < args.assessors <= 200:
        parser.error("--seconds must be in (0, 600] and --assessors in (0, 200]")
    url = create_database(args.database_url)
    server = None
    try:
        names = fill(url, args.assessors, args.households)
        port = free_port()
        server = subprocess.Popen([sys.executable, __file__, "--serve", url, str(port)])
        _wait_for(port)
        timings, accepted, errors, lock = defaultdict(list), [], [], threading.Lock()
        start = time.perf_counter()
        deadline = start + args.seconds
        threads = [
            threading.Thread(
                target=assessor, args=(port, n, deadline, timings, accepted, errors, lock)
            )
            for n in names
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        print(f"{args.assessors} assessors, {elapsed:.1f} s, waitress 8 threads, PostgreSQL")
        print("\n".join(report(timings, elapsed)))
        print(f"server errors (5xx): {len(errors)}")
        print(check_exactly_once(url, accepted))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(args.database_url, url)
    return 0


def _wait_for(port: int, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


if __name__ == "__main__":
    raise SystemExit(main())
