"""In-process cost of the survey workflow's hot requests: ms and SQL statements per request.

Creates a throwaway PostgreSQL database (as ``bench_load.py`` does), builds the app with the
benchmark server's production-like settings and drives it with WebTest - no sockets, no
queueing, one request at a time - so what is measured is the app's own work per request
(Python + round trips to PostgreSQL). Prints, per kind of request, the time (mean, median,
minimum over ``--rounds`` after 3 warm-up rounds), the SQL statements sent and the time spent
in them. ``--echo`` prints the statements of the last round with their times; ``--profile
DIR`` writes a pyinstrument profile per kind (``pip install pyinstrument``; not a dependency
of the project).

    .venv/bin/python bench/profile_requests.py --rounds 50 \
        --database-url postgresql://postgres@127.0.0.1:5432/postgres [--echo] [--profile DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_load import (  # noqa: E402
    KINDS,
    PASSWORD,
    _answers,
    app_settings,
    create_database,
    drop_database,
    fill,
)


class Counter:
    """Counts SQL statements sent through the app's engine and the time spent executing them."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.n, self.seconds, self._start = 0, 0.0, 0.0
        self.statements: list[str] | None = None  # a list to record into
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn, _cursor, statement, *_args):
        self.n += 1
        if self.statements is not None:
            self.statements.append(" ".join(statement.split())[:160])
        self._start = time.perf_counter()

    def _after(self, *_args):
        elapsed = time.perf_counter() - self._start
        self.seconds += elapsed
        if self.statements is not None:
            self.statements[-1] = f"{elapsed * 1000:6.2f} ms  {self.statements[-1]}"


def _login(app) -> str:
    page = app.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    app.post("/login", {"username": "bench0", "password": PASSWORD, "csrf_token": token})
    home = app.get("/")
    return re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)


def _steps(app, csrf: str, answers: dict):
    """One assessor cycle as (kind, callable) pairs; later steps read earlier results."""
    headers = {"X-CSRF-Token": csrf}
    state = {}

    def assignments():
        data = app.get("/api/assignments").json
        todo = [a for a in data["assignments"] if a["status"] == "not_started"]
        state["base"] = f"/api/households/{todo[0]['household']}"

    def outcome():
        app.post_json(state["base"] + "/outcome", {"outcome": "interviewed"}, headers=headers)

    def open_():
        state["version"] = app.get(state["base"] + "/interview").json["interview"]["version"]

    def draft():
        partial = {"verification": {"respondent_name": "王大山", "income_wages": 9000}}
        body = {"version": state["version"], "answers": partial}
        state["version"] = app.post_json(
            state["base"] + "/interview/draft", body, headers=headers
        ).json["version"]

    def submit():
        body = {"version": state["version"], "answers": answers}
        result = app.post_json(state["base"] + "/interview/submit", body, headers=headers).json
        assert result["status"] == "submitted", result

    return [
        ("trivial", lambda: app.get("/login")),
        ("assignments", assignments),
        ("outcome", outcome),
        ("open", open_),
        ("draft", draft),
        ("submit", submit),
    ]


def measure(app, counter, rounds: int, profile_dir: Path | None, echo: bool = False):
    csrf, answers = _login(app), _answers()
    times, queries, sql = defaultdict(list), defaultdict(list), defaultdict(list)
    profilers = {}
    if profile_dir is not None:
        from pyinstrument import Profiler

        profilers = {kind: Profiler() for kind in KINDS}
    for i in range(rounds + 3):
        for kind, step in _steps(app, csrf, answers):
            profiler = profilers.get(kind) if i >= 3 else None
            if profiler is not None:
                profiler.start()
            if echo and i == rounds + 2:
                counter.statements = []
            before, sql_before, start = counter.n, counter.seconds, time.perf_counter()
            step()
            elapsed = time.perf_counter() - start
            if profiler is not None:
                profiler.stop()
            if counter.statements is not None:
                print(f"-- {kind}: {len(counter.statements)} statements")
                print("\n".join(counter.statements))
                counter.statements = None
            if i >= 3:  # the first rounds warm caches (templates, parsed instruments)
                times[kind].append(elapsed)
                queries[kind].append(counter.n - before)
                sql[kind].append(counter.seconds - sql_before)
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
        for kind, profiler in profilers.items():
            (profile_dir / f"{kind}.txt").write_text(profiler.output_text(unicode=True))
    return times, queries, sql


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--profile", type=Path, help="folder for pyinstrument text profiles")
    parser.add_argument("--echo", action="store_true", help="print the SQL of the last round")
    args = parser.parse_args()
    if not 0 < args.rounds <= 55:
        parser.error("--rounds must be in (0, 55] (60 households, 3 warm-up rounds)")
    import webtest

    from assessment import main as make_app

    url = create_database(args.database_url)
    try:
        fill(url, 1, 60)
        wsgi = make_app({}, **app_settings(url))
        counter = Counter(wsgi.registry.dbengine)
        app = webtest.TestApp(wsgi, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
        times, queries, sql = measure(app, counter, args.rounds, args.profile, args.echo)
        wsgi.registry.dbengine.dispose()
    finally:
        drop_database(args.database_url, url)
    print(f"{'kind':<12}{'mean ms':>10}{'p50 ms':>10}{'min ms':>10}{'SQL/req':>10}{'SQL ms':>10}")
    for kind in KINDS:
        ms = np.asarray(times[kind]) * 1000
        print(
            f"{kind:<12}{ms.mean():>10.1f}{np.median(ms):>10.1f}{ms.min():>10.1f}"
            f"{np.mean(queries[kind]):>10.1f}{np.mean(sql[kind]) * 1000:>10.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
