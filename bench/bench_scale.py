"""National scale on PostgreSQL: the reader dashboard, the provincial summary and one county's
report as the round grows from 1 county to N (issue 14).

Builds a throwaway PostgreSQL database. One *template* county goes through the project's
own services: a synthetic frame imported by ``FrameService``, a plan drawn by
``PlanService``, every planned household interviewed, submitted and approved through
``InterviewService`` / ``ReviewService`` (``surveys.simulation``), fieldwork closed; the
commit stores its results row (``county_results``) as in production. The round then grows
to each size of ``--sizes`` by copying the template's rows server-side (``INSERT ...
SELECT`` with id offsets, one statement per table for all new counties: counties,
townships, villages, frames, frame villages, households, plans, plan villages, plan
households, approved interviews with their derived verdicts, reserve releases, closures,
results rows) - the same tables the app reads, not HTTP. Copied results rows are the
template's (same data, so the same results, under the copy's name); a sample of them is
checked against a fresh computation, and a few are recomputed to time what one change
costs. The first 90 counties form one province (the provincial summary's size), the rest
are spread over 21 more.

Timed in the same run and process, through the whole WSGI stack (WebTest, a reader logged
in): a trivial page (the log-in form) as the baseline; the reader dashboard (p50 / p95 of
``--requests`` warm requests); the provincial summary PDF of the large province (median of
3); one county's draft report PDF and its CSV and XLSX exports (median of 3) - their ratio
to N = 1 shows whether they depend on N.

    .venv/bin/python bench/bench_scale.py --sizes 1,10,100,832
    .venv/bin/python bench/bench_scale.py --sizes 1,100 --partitioned
    # (--partitioned: after the largest size, the growing tables are partitioned by county
    #  as assess partition-tables does, and the same requests are timed again)
    # (--database-url names the PostgreSQL server; --keep keeps the database)
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-123"  # noqa: S105 - throwaway users of a throwaway database
LARGE_PROVINCE = 90
OTHER_PROVINCES = 21
DESIGN = {
    "type": "two-stage",
    "villages": {"poor": 30, "non_poor": 30},
    "households_per_village": {"exited": 10, "not_exited": 2, "non_registered": 10},
    "reserves_per_household": 2,
    "screening": True,
}
# Copied in this order (parents first); every id is offset by k × stride in copy k.
CLONED = (
    "counties",
    "townships",
    "villages",
    "frames",
    "frame_villages",
    "households",
    "sample_plans",
    "plan_villages",
    "plan_households",
    "interviews",
    "reserve_releases",
    "fieldwork_closures",
    "review_comments",
    "round_counties",
    "county_results",
)


def create_database(base_url: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from assessment.core.settings import normalise_database_url

    url = normalise_database_url(base_url)
    name = f"bench_scale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from assessment.core.settings import normalise_database_url

    admin = create_engine(normalise_database_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


def make_app(url: str):
    from pyramid.paster import get_appsettings

    from assessment import main

    settings = dict(get_appsettings(str(ROOT / "development.ini")))
    settings.update(
        {
            "sqlalchemy.url": url,
            "pyramid.reload_templates": "false",
            "session.secret": "bench-secret-" + "x" * 40,
            "assess.trusted_hosts": "localhost",
        }
    )
    return main({}, **settings)


def in_transaction(app, work):
    """Run ``work(session)`` in one committed transaction, as a command does."""
    import transaction

    from assessment.core.db import session_for_transaction

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = session_for_transaction(app.registry.dbsession_factory, manager)
        return work(session)


def build_template(app, households: int, seed: int = 2019) -> dict:
    """The template county through the project's services; returns ids and names."""
    from sqlalchemy import select

    from assessment.core.models import AssessmentRound, County, Province, Role, Team, User
    from assessment.core.security import hash_password
    from assessment.core.services import set_round_counties
    from assessment.demo import demo_hierarchy
    from reports import results  # noqa: F401 - registers the refresher, as the app does
    from sampling.plans import PlanService
    from sampling.services import FrameService
    from sampling.synthetic import synthetic_frame_csv
    from surveys.fieldwork import FieldworkService
    from surveys.instrument_store import ensure_builtin_instruments
    from surveys.simulation import simulate_fieldwork

    def work(db):
        ensure_builtin_instruments(db)
        secret = hash_password(PASSWORD)
        provinces = [Province(name="省00")] + [
            Province(name=f"省{i:02d}") for i in range(1, OTHER_PROVINCES + 1)
        ]
        db.add_all(provinces)
        county = County(code="C0000", name="县0000", province=provinces[0])
        db.add(county)
        teams = [Team(name=f"评估组{i}") for i in range(2)]
        db.add_all(teams)
        users = [User(username="reader", display_name="领导", role=Role.reader)]
        users.append(User(username="admin", display_name="管理员", role=Role.admin))
        for i, team in enumerate(teams):
            users.append(
                User(username=f"a{i}", display_name="调查员", role=Role.assessor, team=team)
            )
            users.append(
                User(username=f"s{i}", display_name="组长", role=Role.supervisor, team=team)
            )
        for user in users:
            user.password_hash = secret
        db.add_all(users)
        assessment_round = AssessmentRound(name="全国2019年评估", year=2019, poverty_line=3218.0)
        db.add(assessment_round)
        db.flush()
        set_round_counties(db, assessment_round, [county])
        rng = np.random.default_rng(seed)
        hierarchy = demo_hierarchy(seed, villages_per_township=12)
        data = synthetic_frame_csv(hierarchy, households, rng=rng, id_prefix="B")
        frame = FrameService(db).import_file(county, data, "bench-frame.csv").frame
        plans = PlanService(db)
        plan = plans.draw(frame, DESIGN, seed_hex=f"{seed:064x}")
        for i, row in enumerate(plans.villages(plan)):
            plans.assign(plan, row["plan_village"].id, teams[i % 2])
        approved = simulate_fieldwork(db, plan, rng=rng, poverty_line=3218.0)
        coordinator = db.scalar(select(User).where(User.username == "admin"))
        FieldworkService(db).close(plan, coordinator, "基准测试：实地调查结束")
        return {
            "county_id": county.id,
            "round_id": assessment_round.id,
            "province_id": provinces[0].id,
            "approved": approved,
            "households": frame.households,
            "counties": 1,
        }

    return in_transaction(app, work)


def existing_template(app) -> dict:
    """The template of a kept database (county C0000) and how many counties it has."""
    from sqlalchemy import func, select

    from assessment.core.models import AssessmentRound, County
    from sampling.models import SamplePlan
    from surveys.models import Interview

    def work(db):
        county = db.scalar(select(County).where(County.code == "C0000"))
        plans = select(SamplePlan.id).where(SamplePlan.county_id == county.id)
        approved = (
            select(func.count())
            .select_from(Interview)
            .where(Interview.plan_id.in_(plans), Interview.status == "approved")
        )
        return {
            "county_id": county.id,
            "round_id": db.scalar(select(AssessmentRound.id)),
            "province_id": county.province_id,
            "approved": db.scalar(approved),
            "households": 0,
            "counties": db.scalar(select(func.count(County.id))),
        }

    return in_transaction(app, work)


def _select_list(table, stride_param: str, renames: dict) -> tuple[list[str], list[str]]:
    names, exprs = [], []
    for column in table.columns:
        names.append(column.name)
        if column.name in renames:
            exprs.append(renames[column.name])
        elif column.primary_key and column.name == "id":
            exprs.append(f"t.id + k * {stride_param}")
        elif any(fk.column.table.name in CLONED for fk in column.foreign_keys):
            exprs.append(f"t.{column.name} + k * {stride_param}")
        else:
            exprs.append(f"t.{column.name}")
    return names, exprs


def grow(app, template: dict, first: int, last: int, stride: int) -> None:
    """Copies ``first`` .. ``last`` (inclusive) of the template county, server-side."""
    from sqlalchemy import text

    from assessment.migrate import import_all_models

    import_all_models()
    from assessment.core.db import Base

    tid, pid = template["county_id"], template["province_id"]
    province = (
        f"CASE WHEN k < {LARGE_PROVINCE} THEN {pid} "
        f"ELSE (SELECT p.id FROM provinces p WHERE p.name = "
        f"'省' || lpad(((k - {LARGE_PROVINCE}) % {OTHER_PROVINCES} + 1)::text, 2, '0')) END"
    )
    renames = {
        "counties": {
            "code": "'C' || lpad(k::text, 4, '0')",
            "name": "'县' || lpad(k::text, 4, '0')",
            "province_id": province,
        },
        "round_counties": {"county_id": "t.county_id + k * :stride"},
        "county_results": {
            "summary_json": (
                'replace(replace(t.summary_json, \'"code": "C0000"\', '
                "'\"code\": \"C' || lpad(k::text, 4, '0') || '\"'), "
                "'\"county\": \"县0000\"', '\"county\": \"县' || lpad(k::text, 4, '0') || '\"')"
            )
        },
    }
    where = {
        "round_counties": f"t.county_id = {tid}",
        "county_results": f"t.county_id = {tid}",
    }
    engine = app.registry.dbengine
    with engine.begin() as conn:
        for name in CLONED:
            table = Base.metadata.tables[name]
            cols, exprs = _select_list(table, ":stride", renames.get(name, {}))
            condition = where.get(name, "t.id < :stride")
            conn.execute(
                text(
                    f"INSERT INTO {name} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                    f"FROM {name} t, generate_series(CAST(:first AS integer), "
                    f"CAST(:last AS integer)) AS k WHERE {condition}"
                ),
                {"stride": stride, "first": first, "last": last},
            )
        for name in CLONED:
            if "id" in Base.metadata.tables[name].columns:
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def check_copies(app, template: dict, n: int, stride: int, *, sample: int = 3) -> list[float]:
    """Stored rows of a few copies equal a fresh computation; returns recompute times (s)."""
    import dataclasses

    from sqlalchemy import select

    from assessment.core.models import County
    from reports import results, snapshot
    from reports.models import CountyResult
    from reports.status import county_status

    rng = np.random.default_rng(n)
    picks = sorted({int(k) for k in rng.integers(1, n, size=sample)}) if n > 1 else []

    def work(db):
        times = []
        for k in picks:
            county = db.get(County, template["county_id"] + k * stride)
            row = db.scalar(select(CountyResult).where(CountyResult.county_id == county.id))
            fresh = county_status(db, county, template["round_id"])
            expected = dataclasses.replace(fresh.summary, signed_off=False)
            if snapshot.loads(row.summary_json) != expected:
                raise SystemExit(f"copied results of {county.code} differ from a fresh computation")
            start = time.perf_counter()
            results.refresh(db, [county.id])
            times.append(time.perf_counter() - start)
        return times

    return in_transaction(app, work)


class Client:
    def __init__(self, app):
        import webtest

        self.app = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})

    def login(self, username: str) -> None:
        page = self.app.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        self.app.post(
            "/login", {"username": username, "password": PASSWORD, "csrf_token": token}, status=303
        )

    def timed(self, path: str, repeat: int) -> list[float]:
        self.app.get(path)  # warm: templates compiled, statements prepared
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = self.app.get(path)
            times.append(time.perf_counter() - start)
            assert response.status_int == 200, (path, response.status)
        return times


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def measure(client: Client, staff: Client, template: dict, n: int, repeat: int) -> dict:
    """Reader pages with ``client``; the county's report and exports with ``staff`` (an
    administrator: a reader may not export)."""
    code = "C0000"
    trivial = client.timed("/login", repeat)
    board = client.timed("/dashboard", repeat)
    filtered = client.timed("/dashboard?verdict=not_met&stage=final", max(5, repeat // 4))
    province = client.timed(
        f"/reports/province/{template['province_id']}.pdf?round={template['round_id']}", 3
    )
    return {
        "n": n,
        "trivial": statistics.median(trivial),
        "board_p50": percentile(board, 50),
        "board_p95": percentile(board, 95),
        "filtered_p50": percentile(filtered, 50),
        "province": statistics.median(province),
        "province_counties": min(n, LARGE_PROVINCE),
        "county_pdf": statistics.median(staff.timed(f"/reports/county/{code}/draft.pdf", 3)),
        "csv": statistics.median(staff.timed(f"/reports/county/{code}/export.csv", 3)),
        "xlsx": statistics.median(staff.timed(f"/reports/county/{code}/export.xlsx", 3)),
    }


def report(rows: list[dict], first: dict, approved: int) -> None:
    print(
        "| counties | approved interviews | trivial page | dashboard p50 | dashboard p95 | "
        "dashboard filtered p50 | provincial PDF (counties) | county PDF (× N=1) | "
        "CSV export (× N=1) | XLSX export (× N=1) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['n']} | {r['n'] * approved:,} | {r['trivial'] * 1000:.1f} ms | "
            f"{r['board_p50'] * 1000:.0f} ms | {r['board_p95'] * 1000:.0f} ms | "
            f"{r['filtered_p50'] * 1000:.0f} ms | "
            f"{r['province']:.2f} s ({r['province_counties']}) | "
            f"{r['county_pdf']:.2f} s ({r['county_pdf'] / first['county_pdf']:.2f}) | "
            f"{r['csv']:.2f} s ({r['csv'] / first['csv']:.2f}) | "
            f"{r['xlsx']:.2f} s ({r['xlsx'] / first['xlsx']:.2f}) |",
            flush=True,
        )


def partition_and_measure(app, client, staff, template, rows, args, stride) -> dict:
    """The growing tables partitioned by county (``assess partition-tables``), then the same
    requests again at the largest size."""
    from assessment import partitioning

    engine = app.registry.dbengine
    engine.dispose()  # no idle connection of the app holds a lock on the tables
    start = time.perf_counter()
    with engine.begin() as conn:
        partitioning.convert(conn)
    print(f"partitioned by county in {time.perf_counter() - start:.0f} s (one transaction)")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    n = rows[-1]["n"]
    if n > 1:
        refresh = check_copies(app, template, n, stride, sample=5)
        print(
            f"  after partitioning: copies equal a fresh computation; one county's recompute "
            f"median {statistics.median(refresh) * 1000:.0f} ms of {len(refresh)}",
            flush=True,
        )
    row = measure(client, staff, template, n, args.requests)
    report([row], rows[0], template["approved"])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100,832", help="counties, ascending")
    parser.add_argument("--requests", type=int, default=20, help="dashboard requests per size")
    parser.add_argument("--households", type=int, default=10_000, help="frame size per county")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--partitioned",
        action="store_true",
        help="after the largest size, run assess partition-tables' conversion and time it again",
    )
    parser.add_argument(
        "--reuse", metavar="URL", help="a database kept by --keep: its counties are reused"
    )
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    if sizes[0] < 1:
        raise SystemExit("--sizes: every size must be at least 1")

    from assessment.migrate import upgrade

    url = args.reuse or create_database(args.database_url)
    try:
        if args.reuse:
            app = make_app(url)
            template = existing_template(app)
        else:
            upgrade(url)
            app = make_app(url)
            start = time.perf_counter()
            template = build_template(app, args.households)
            print(
                f"template county: {template['households']:,} households, "
                f"{template['approved']:,} approved interviews, built through the services "
                f"in {time.perf_counter() - start:.0f} s",
                flush=True,
            )
        engine = app.registry.dbengine
        with engine.connect() as conn:
            top = max(
                conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {name}").scalar()
                for name in CLONED
                if name not in ("round_counties",)
            )
        stride = 10 ** len(str(top))
        if template["counties"] > 1:  # a kept database: the copies' offset is on record
            with engine.connect() as conn:
                second = conn.exec_driver_sql(
                    f"SELECT min(id) FROM counties WHERE id > {template['county_id']}"
                ).scalar()
            stride = second - template["county_id"]
        if stride * sizes[-1] >= 2**31:
            raise SystemExit(f"ids would overflow: stride {stride} × {sizes[-1]} counties")
        client, staff = Client(app), Client(app)
        client.login("reader")
        staff.login("admin")
        rows, have = [], template["counties"]
        sizes = [n for n in sizes if n >= have]
        for n in sizes:
            if n > have:
                start = time.perf_counter()
                grow(app, template, have, n - 1, stride)
                print(f"grew to {n} counties in {time.perf_counter() - start:.0f} s", flush=True)
                have = n
            if n > 1:
                refresh = check_copies(app, template, n, stride, sample=5)
                print(
                    f"  copies equal a fresh computation; one county's recompute "
                    f"(what a change costs): median {statistics.median(refresh) * 1000:.0f} ms "
                    f"of {len(refresh)}",
                    flush=True,
                )
            rows.append(measure(client, staff, template, n, args.requests))
            report(rows[-1:], rows[0], template["approved"])
        if args.partitioned:
            rows.append(partition_and_measure(app, client, staff, template, rows, args, stride))
        print()
        report(rows, rows[0], template["approved"])
        if args.partitioned:
            print("(the last row: the same database after assess partition-tables)")
    finally:
        if not (args.keep or args.reuse):
            drop_database(args.database_url, url)
        else:
            print(f"kept: {url}")


if __name__ == "__main__":
    main()
