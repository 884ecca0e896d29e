"""Load run of the survey workflow: simulated assessors against waitress + PostgreSQL or SQLite.

Creates a throwaway PostgreSQL database, migrates and fills it (one team, plan village and
assessor per simulated assessor), serves the app with ``--processes`` waitress processes
(``--threads`` each) on loopback ports ``--port``, ``--port`` + 1, ... (refused when taken, so
two runs on one machine never share a server) - the app is stateless (server-side sessions,
all state in the database), so this is the README's deployment behind a reverse proxy - and
spreads the simulated assessors over them round-robin. Every assessor logs in first (not
timed; one failed log-in stops the whole run at once, printing why); then, for
``--seconds``, each repeatedly opens its assignments, records an outcome, opens the
interview, saves a draft and submits it through the JSON API (session cookie +
X-CSRF-Token), and opens a trivial page (the log-in form) of the same app for comparison.
Between two actions an assessor pauses ``--think`` seconds, randomised uniformly by +-50 %
(0: closed loop, every assessor sends its next request at once - the saturation run).
The first ``--warmup`` seconds run the same way but are not counted (each process compiles
its templates and SQL, parses the instruments, fills its connection pool). Afterwards every
accepted submission - warm-up included - is checked to be in the database exactly once.
Loopback only; bounded by --warmup + --seconds.

    # paced: 50 assessors pausing about 1 s between actions, 2 processes (2 cores)
    .venv/bin/python bench/bench_load.py --seconds 60 --assessors 50 --think 1 --processes 2
    # saturation: the same without pauses
    .venv/bin/python bench/bench_load.py --seconds 60 --assessors 50 --think 0 --processes 2

(``--database-url`` names the PostgreSQL server; default postgres@127.0.0.1:5432;
``--database-url sqlite`` runs the same on the embedded default, a SQLite file in WAL mode.)

    # the embedded default: 50 assessors on SQLite
    .venv/bin/python bench/bench_load.py --seconds 60 --assessors 50 --think 1 --processes 2 \
        --database-url sqlite
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from argparse import SUPPRESS
from collections import defaultdict
from dataclasses import dataclass, field
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


def check_free(port: int) -> None:
    """Refuse a port another program (or another run of this benchmark) already holds."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            raise SystemExit(f"port {port} is in use ({exc.strerror}): choose --port") from exc


def create_database(base_url: str) -> str:
    """A throwaway database: a SQLite file in a temporary folder, or a PostgreSQL database."""
    if base_url.startswith("sqlite"):
        import tempfile

        return f"sqlite:///{tempfile.mkdtemp(prefix='bench_load_')}/bench.sqlite"
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from assessment.core.settings import normalise_database_url

    url = normalise_database_url(base_url)
    name = f"bench_surveys_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, url: str) -> None:
    if url.startswith("sqlite"):
        import shutil

        shutil.rmtree(Path(url[len("sqlite:///") :]).parent, ignore_errors=True)
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from assessment.core.settings import normalise_database_url

    admin = create_engine(normalise_database_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


def fill(url: str, assessors: int, households: int) -> list[str]:
    """Migrate, then one team + assessor + drawn plan per simulated assessor; the user names."""
    from sqlalchemy.orm import Session

    from assessment.core.db import make_engine
    from assessment.core.models import Role, Team, User
    from assessment.core.security import hash_password
    from assessment.migrate import upgrade
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


KINDS = ("trivial", "assignments", "outcome", "open", "draft", "submit")


def app_settings(url: str) -> dict:
    """The app settings of the benchmark server: production-like (no template reloading)."""
    from pyramid.paster import get_appsettings

    settings = dict(get_appsettings(str(ROOT / "development.ini")))
    settings.update(
        {
            "sqlalchemy.url": url,
            "pyramid.reload_templates": "false",
            "pyramid.debug_authorization": "false",
            "pyramid.debug_notfound": "false",
            "pyramid.debug_routematch": "false",
            "session.secret": "bench-secret-" + "x" * 40,
        }
    )
    return settings


def serve(url: str, port: int, threads: int) -> None:
    """Subprocess mode: serve the app on loopback until killed (logging at WARNING)."""
    import logging

    from waitress import serve as waitress_serve

    from assessment import main

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is expected here
    waitress_serve(
        main({}, **app_settings(url)), host="127.0.0.1", port=port, threads=threads, _quiet=True
    )


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


class TimeUp(Exception):
    """The run's deadline passed: the assessor stops."""


@dataclass
class Results:
    """What the assessor threads collect (appends under ``lock``)."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    accepted: list[int] = field(default_factory=list)
    errors: list[tuple[str, int]] = field(default_factory=list)
    exhausted: int = 0  # assessors that ran out of households before the deadline
    failures: list[str] = field(default_factory=list)  # assessors that could not go on, why
    elapsed: float = 0.0  # seconds from the end of the warm-up to the last assessor's end
    lock: threading.Lock = field(default_factory=threading.Lock)


class Pacer:
    """An assessor's pauses: ``think`` seconds +-50 % (uniform), never past the deadline."""

    def __init__(self, think: float, rng: np.random.Generator):
        self.think, self.rng, self.deadline = think, rng, float("inf")

    def pause(self, fraction: float = 1.0) -> None:
        if self.think <= 0:
            return
        wanted = self.think * fraction * self.rng.uniform(0.5, 1.5)
        time.sleep(max(0.0, min(wanted, self.deadline - time.perf_counter())))


def assessor(port, username, seconds, barrier, clock, pacer, results):
    """One simulated assessor; a failed log-in breaks the start barrier for all, with the reason."""
    try:
        client, answers = Client(port), _answers()
        client.login(username)
    except Exception as exc:
        with results.lock:
            results.failures.append(f"{username}: {exc!r}")
        barrier.abort()  # the others stop waiting for an assessor who will never come
        return
    local = defaultdict(list)

    def timed(kind, fn, *args):
        start = time.perf_counter()
        if start >= deadline:
            # Stop mid-cycle: finishing the cycle without pauses would end every paced run
            # with a burst of back-to-back requests that no real assessor sends.
            raise TimeUp
        status, data = fn(*args)
        if start >= clock["measured"]:  # requests of the warm-up are not counted
            local[kind].append(time.perf_counter() - start)
        if status >= 500:
            with results.lock:
                results.errors.append((kind, status))
        pacer.pause()
        return status, data

    try:
        barrier.wait()  # every assessor is logged in: the run starts now
    except threading.BrokenBarrierError:
        return
    deadline = pacer.deadline = clock["measured"] + seconds
    pacer.pause(fraction=float(pacer.rng.uniform(0, 1)))  # stagger the first requests
    try:
        _work(client, timed, results, answers)
    except TimeUp:
        pass
    except Exception as exc:  # a broken answer ends this assessor, never silently
        with results.lock:
            results.failures.append(f"{username}: {exc!r}")
    with results.lock:
        for kind, values in local.items():
            results.timings[kind].extend(values)


def _work(client: Client, timed, results: Results, answers: dict) -> None:
    """Assessor cycles until ``timed`` raises :class:`TimeUp` or no household is left."""
    while True:
        timed("trivial", client.request, "GET", "/login")
        _, data = timed("assignments", client.request, "GET", "/api/assignments")
        todo = [a for a in json.loads(data)["assignments"] if a["status"] == "not_started"]
        if not todo:
            with results.lock:
                results.exhausted += 1
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
            with results.lock:
                results.accepted.append(todo[0]["household"])


def report(timings, seconds) -> list[str]:
    lines = [f"{'kind':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}"]
    total = 0
    for kind in KINDS:
        values = np.asarray(timings.get(kind, [])) * 1000
        if not len(values):
            continue
        total += len(values)
        p50, p99 = np.percentile(values, [50, 99])
        lines.append(
            f"{kind:<12}{len(values):>10}{len(values) / seconds:>10.1f}{p50:>10.1f}{p99:>10.1f}"
            f"{values.max():>10.1f}"
        )
    lines.append(f"{'all':<12}{total:>10}{total / seconds:>10.1f}")
    return lines


def check_exactly_once(url: str, accepted: list[int]) -> str:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from assessment.core.db import make_engine
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


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--assessors", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="pause between actions, s")
    parser.add_argument("--processes", type=int, default=2, help="waitress processes")
    parser.add_argument(
        "--port", type=int, default=6610, help="first server port; processes use the next ones"
    )
    parser.add_argument("--threads", type=int, default=8, help="threads per process")
    parser.add_argument("--warmup", type=float, default=5, help="seconds run, not counted")
    parser.add_argument("--households", type=int, default=100, help="per assessor")
    parser.add_argument("--seed", type=int, default=20240601, help="seed of the pauses")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--serve", nargs=3, metavar=("URL", "PORT", "THREADS"), help=SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return args
    limits = (
        (0 < args.seconds <= 600, "--seconds must be in (0, 600]"),
        (0 <= args.warmup <= 60, "--warmup must be in [0, 60]"),
        (0 < args.assessors <= 200, "--assessors must be in (0, 200]"),
        (0 <= args.think <= 60, "--think must be in [0, 60]"),
        (0 < args.processes <= 8, "--processes must be in [1, 8]"),
        (0 < args.threads <= 32, "--threads must be in [1, 32]"),
        (0 < args.households <= 1000, "--households must be in [1, 1000]"),
        (1024 <= args.port <= 65535 - args.processes, "--port must be in [1024, 65535)"),
    )
    for ok, message in limits:
        if not ok:
            parser.error(message)
    return args


def run(args, names: list[str], ports: list[int]) -> Results:
    """Log every assessor in, then run them all for ``args.seconds``; the results."""
    results, clock = Results(), {}

    def start() -> None:
        clock["measured"] = time.perf_counter() + args.warmup

    barrier = threading.Barrier(len(names), action=start)
    seeds = np.random.SeedSequence(args.seed).spawn(len(names))
    threads = [
        threading.Thread(
            target=assessor,
            args=(
                ports[i % len(ports)],  # round-robin, as a reverse proxy would
                name,
                args.seconds,
                barrier,
                clock,
                Pacer(args.think, np.random.default_rng(seeds[i])),
                results,
            ),
        )
        for i, name in enumerate(names)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if "measured" in clock:
        results.elapsed = time.perf_counter() - clock["measured"]
    return results


def main() -> int:
    args = _arguments()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), int(args.serve[2]))
        return 0
    url = create_database(args.database_url)
    servers = []
    try:
        ports = list(range(args.port, args.port + args.processes))
        for port in ports:
            check_free(port)
        names = fill(url, args.assessors, args.households)
        for port in ports:
            command = [sys.executable, __file__, "--serve", url, str(port), str(args.threads)]
            servers.append(subprocess.Popen(command))
        for port, server in zip(ports, servers, strict=True):
            _wait_for(port, server)
        results = run(args, names, ports)
        if results.failures:
            print(f"run stopped: {len(results.failures)} assessor(s) failed", file=sys.stderr)
            print("\n".join(results.failures[:10]), file=sys.stderr)
            return 1
        think = f"think {args.think:g} s +-50 %" if args.think > 0 else "no think time"
        print(
            f"{args.assessors} assessors, {think}, {results.elapsed:.1f} s measured after "
            f"{args.warmup:g} s warm-up; waitress "
            f"{args.processes} process(es) x {args.threads} threads; "
            f"{'SQLite (WAL file)' if url.startswith('sqlite') else 'PostgreSQL'}; "
            f"{os.cpu_count()} CPUs"
        )
        print("\n".join(report(results.timings, results.elapsed)))
        print(f"server errors (5xx): {len(results.errors)}")
        if results.exhausted:
            print(f"assessors out of households before the end: {results.exhausted}")
        print(check_exactly_once(url, results.accepted))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        drop_database(args.database_url, url)
    return 0


def _wait_for(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if server.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with status {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start within {timeout:g} s")


if __name__ == "__main__":
    raise SystemExit(main())
