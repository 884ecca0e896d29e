"""``assess partition-tables``: the growing tables partitioned by county on a loaded database,
after which the application works as before (issue 14, docs/deployment.md §4).

The database is loaded through the project's own commands and services: the demo county
(approved fieldwork, appeal, back-checks) and two imported counties, X1 drawn and listed in a
round, X2 imported only. On SQLite the command refuses and changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import uuid
from pathlib import Path

import numpy as np
import pytest
from pyramid.paster import get_appsettings
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from assessment.core.audit_guard import grant_app_role
from assessment.core.models import AssessmentRound, County, Role, round_counties
from assessment.core.services import set_round_counties
from assessment.core.settings import normalise_database_url
from assessment.demo import DEMO_PASSWORD
from assessment.partitioning import HASH_PARTITIONS, NAMES
from reports import snapshot
from reports.models import CountyResult
from reports.status import county_status
from sampling.models import PlanHousehold, SamplePlan
from sampling.plans import PlanService
from sampling.synthetic import synthetic_frame_csv
from surveys.models import Interview, InterviewChange, ReviewComment, VisitAttempt
from surveys.review import ReviewService
from tests.cli.test_console_script import chinese, empty_database, last_line, ok, refused
from tests.conftest import TestApp
from tests.factories import make_team, make_user
from tests.rounds.helpers import interview
from tests.sampling_db.conftest import HIERARCHY, SMALL_DESIGN

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.db, pytest.mark.slow]

CATALOG = {
    "constraints": "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass)",
    "indexes": "SELECT indexrelid::regclass::text FROM pg_index "
    "WHERE indrelid = CAST(:t AS regclass)",
    "triggers": "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) "
    "AND NOT tgisinternal",
}
# The county of each row, read from where it comes from (not from the new column).
COUNTY_OF = {
    "households": "SELECT f.county_id FROM frames f WHERE f.id = t.frame_id",
    "plan_households": "SELECT p.county_id FROM sample_plans p WHERE p.id = t.plan_id",
    "interviews": "SELECT p.county_id FROM sample_plans p WHERE p.id = t.plan_id",
    "interview_changes": "SELECT p.county_id FROM interviews i JOIN sample_plans p "
    "ON p.id = i.plan_id WHERE i.id = t.interview_id",
    "review_comments": "SELECT p.county_id FROM interviews i JOIN sample_plans p "
    "ON p.id = i.plan_id WHERE i.id = t.interview_id",
    "interview_photos": "SELECT p.county_id FROM interviews i JOIN sample_plans p "
    "ON p.id = i.plan_id WHERE i.id = t.interview_id",
}


def engine_for(url: str):
    return create_engine(normalise_database_url(url))


def catalog(conn, table: str) -> dict[str, set[str]]:
    return {k: {r[0] for r in conn.execute(text(sql), {"t": table})} for k, sql in CATALOG.items()}


def fresh_results(db: Session) -> dict[tuple[str, int], object]:
    """Every listed county's results computed afresh from its rows, by (code, round)."""
    found = {}
    for county_id, round_id in db.execute(select(round_counties)).all():
        county = db.get(County, county_id)
        status = county_status(db, county, round_id)
        found[county.code, round_id] = dataclasses.replace(status.summary, signed_off=False)
    return found


def assert_stored_equal_fresh(db: Session) -> None:
    db.expire_all()
    for row in db.scalars(select(CountyResult)):
        county = db.get(County, row.county_id)
        assert row.data_version == county.data_version, county.code
        fresh = county_status(db, county, row.round_id)
        assert snapshot.loads(row.summary_json) == dataclasses.replace(
            fresh.summary, signed_off=False
        ), county.code
        assert (row.submitted, row.approved) == (fresh.submitted, fresh.approved)


APP_ROLE = f"assess_app_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with empty_database(tmp_path_factory.mktemp("partition")) as url:
        yield url
    if not url.startswith("sqlite"):  # the role outlives its (dropped) database
        admin = create_engine(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {APP_ROLE}")
        admin.dispose()


@pytest.fixture(scope="module")
def loaded(database, tmp_path_factory):
    """The demo county and X1 (drawn, in a round), X2 (imported) through the commands."""
    work = tmp_path_factory.mktemp("partition-files")
    ok(database, "initdb")
    demo = ok(database, "demo", "--households", "3000")
    design = work / "design.json"
    design.write_text(json.dumps(SMALL_DESIGN))
    for code, seed in (("X1", 21), ("X2", 22)):
        frame = work / f"{code}.csv"
        rng = np.random.default_rng(seed)
        frame.write_bytes(synthetic_frame_csv(HIERARCHY, 900, rng=rng, id_prefix=code))
        ok(database, "import-frame", frame, "--county", code, "--county-name", f"县{code}")
    engine = engine_for(database)
    with Session(engine) as db, db.begin():
        x1 = db.scalar(select(County).where(County.code == "X1"))
        assessment_round = AssessmentRound(name="分区", year=2020, poverty_line=3218.0)
        db.add(assessment_round)
        set_round_counties(db, assessment_round, [x1])
    engine.dispose()
    plan_id = int(last_line(ok(database, "draw", "--county", "X1", "--design", design)))
    return {"plan_id": plan_id, "demo_output": demo.stdout}


def test_refused_on_sqlite_or_with_a_bad_partition_count(database, loaded):
    if database.startswith("sqlite"):
        # In the interface's default language (Chinese), English when asked.
        chinese(refused(database, "partition-tables", says="需要 PostgreSQL.*未做任何更改").stderr)
        refused(database, "partition-tables", "--dry-run", says="需要 PostgreSQL")
        refused(
            database,
            "partition-tables",
            "--lang",
            "en",
            says="needs PostgreSQL.*nothing was changed",
        )
    refused(database, "partition-tables", "--hash-partitions", "1", says="在 2 到 1024 之间")
    refused(
        database,
        "partition-tables",
        "--hash-partitions",
        "1",
        "--lang",
        "en",
        says="between 2 and 1024",
    )


def _is_partitioned(url: str) -> bool:
    engine = engine_for(url)
    with engine.connect() as conn:
        kind = conn.execute(text("SELECT relkind FROM pg_class WHERE relname = 'interviews'"))
        found = kind.scalar() == "v"
    engine.dispose()
    return found


@pytest.fixture(scope="module")
def partitioned(database, loaded):
    """Catalog, counts and fresh results before; then the conversion, run once."""
    if database.startswith("sqlite"):
        pytest.skip("PostgreSQL only; SQLite's refusal is tested above")
    engine = engine_for(database)
    with engine.connect() as conn:
        before = {t: catalog(conn, t) for t in NAMES}
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in NAMES}
        sequences = {
            t: conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": t}).scalar()
            for t in NAMES
        }
    with Session(engine) as db:
        results = fresh_results(db)
    with engine.begin() as conn:  # what assess initdb gives the app's role
        conn.exec_driver_sql(f"CREATE ROLE {APP_ROLE}")
        grant_app_role(conn, APP_ROLE)
    dry = ok(database, "partition-tables", "--dry-run")
    assert 'CREATE TABLE "interviews_p"' in dry.stdout
    assert "-- 试运行：未做任何更改" in dry.stdout
    assert not _is_partitioned(database)
    done = ok(database, "partition-tables", "--lang", "en")
    assert _is_partitioned(database)
    for table in NAMES:
        assert f"{table}: {counts[table]:,} rows in {HASH_PARTITIONS} partitions" in done.stdout
    refused(database, "partition-tables", says="已经分区")
    refused(database, "partition-tables", "--dry-run", "--lang", "en", says="partitioned already")
    yield {
        "engine": engine,
        "catalog": before,
        "counts": counts,
        "sequences": sequences,
        "results": results,
        **loaded,
    }
    engine.dispose()


def test_every_growing_table_is_partitioned_by_its_rows_county(partitioned):
    with partitioned["engine"].connect() as conn:
        for table in NAMES:
            kinds = dict(
                conn.execute(
                    text("SELECT relname, relkind FROM pg_class WHERE relname IN (:a, :b)"),
                    {"a": table, "b": f"{table}_p"},
                ).all()
            )
            assert kinds == {table: "v", f"{table}_p": "p"}
            leaves = conn.execute(
                text("SELECT count(*) FROM pg_partition_tree(CAST(:t AS regclass)) WHERE isleaf"),
                {"t": f"{table}_p"},
            ).scalar()
            assert leaves == HASH_PARTITIONS
            assert (
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                == (partitioned["counts"][table])
            )
            wrong = conn.execute(
                text(f"SELECT count(*) FROM {table} t WHERE county_id IS DISTINCT FROM "
                     f"({COUNTY_OF[table]})")
            ).scalar()  # fmt: skip
            assert wrong == 0, table
            # Every constraint, index and trigger of the old table is on the new one.
            after = catalog(conn, f"{table}_p")
            for kind, names in partitioned["catalog"][table].items():
                assert names <= after[kind], (table, kind, names - after[kind])
            owner = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f"{table}_p"}
            ).scalar()
            assert owner == partitioned["sequences"][table]
    assert partitioned["counts"]["interviews"] > 0
    assert partitioned["counts"]["interview_changes"] > 0


def test_fresh_results_and_stored_rows_are_the_same_after_the_conversion(partitioned):
    with Session(partitioned["engine"]) as db:
        assert fresh_results(db) == partitioned["results"]
        assert_stored_equal_fresh(db)


def _partition_for(conn, table: str, county_id: int) -> str:
    """The leaf PostgreSQL's hash function assigns to ``county_id`` (not the row's tableoid)."""
    (name,) = [
        f"{table}_p_h{r}"
        for r in range(HASH_PARTITIONS)
        if conn.execute(
            text(f"SELECT satisfies_hash_partition(CAST('{table}_p' AS regclass), "
                 f"{HASH_PARTITIONS}, {r}, CAST(:c AS integer))"),
            {"c": county_id},
        ).scalar()
    ]  # fmt: skip
    return name


def test_approve_and_return_through_the_services_land_in_the_countys_partitions(partitioned):
    engine = partitioned["engine"]
    with Session(engine) as db, db.begin():
        plan = db.get(SamplePlan, partitioned["plan_id"])
        team = make_team(db)
        assessor = make_user(db, Role.assessor, team=team)
        supervisor = make_user(db, Role.supervisor, team=team)
        service = PlanService(db)
        for village in service.villages(plan):
            service.assign(plan, village["plan_village"].id, team)
        first, second = db.scalars(
            select(PlanHousehold)
            .where(PlanHousehold.plan_id == plan.id, PlanHousehold.role == "selected")
            .order_by(PlanHousehold.id)
            .limit(2)
        ).all()
        approved = interview(db, first, assessor, supervisor)
        returned = interview(db, second, assessor)
        ReviewService(db).return_(returned, supervisor, [("verification.head_name", "请核对")])
        ids = {"approved": approved.id, "returned": returned.id, "county": plan.county_id}
    with Session(engine) as db:
        assert_stored_equal_fresh(db)
        row = db.scalar(select(CountyResult).where(CountyResult.county_id == ids["county"]))
        assert row.approved == 1  # the returned one is back with its assessor
        assert db.get(Interview, ids["approved"]).status == "approved"
        assert db.get(Interview, ids["returned"]).status == "returned"
        (comment,) = db.scalars(
            select(ReviewComment).where(ReviewComment.interview_id == ids["returned"])
        ).all()
        assert comment.open
    with engine.connect() as conn:
        for table, column, key in (
            ("interviews", "id", ids["approved"]),
            ("interview_changes", "interview_id", ids["approved"]),
            ("review_comments", "interview_id", ids["returned"]),
        ):
            rows = conn.execute(
                text(f"SELECT tableoid::regclass::text, county_id FROM {table}_p "
                     f"WHERE {column} = :k"),
                {"k": key},
            ).all()  # fmt: skip
            assert rows, table
            expected = _partition_for(conn, table, ids["county"])
            assert set(rows) == {(expected, ids["county"])}, table
    assert ok(partitioned_url(partitioned), "verify-audit").returncode == 0


def partitioned_url(partitioned) -> str:
    return partitioned["engine"].url.render_as_string(hide_password=False)


def test_a_frame_imported_and_drawn_afterwards_lands_in_its_countys_partitions(
    partitioned, tmp_path
):
    """The import's COPY and the draw's inserts go through the views' routing trigger."""
    url = partitioned_url(partitioned)
    frame = tmp_path / "X3.csv"
    rng = np.random.default_rng(23)
    frame.write_bytes(synthetic_frame_csv(HIERARCHY, 700, rng=rng, id_prefix="X3"))
    ok(url, "import-frame", frame, "--county", "X3", "--county-name", "县X3")
    design = tmp_path / "design.json"
    design.write_text(json.dumps(SMALL_DESIGN))
    ok(url, "draw", "--county", "X3", "--design", design)
    with partitioned["engine"].connect() as conn:
        county_id = conn.execute(text("SELECT id FROM counties WHERE code = 'X3'")).scalar()
        for table, expected_rows in (("households", 700), ("plan_households", None)):
            rows = conn.execute(
                text(f"SELECT tableoid::regclass::text, count(*) FROM {table}_p "
                     "WHERE county_id = :c GROUP BY 1"),
                {"c": county_id},
            ).all()  # fmt: skip
            assert [leaf for leaf, _ in rows] == [_partition_for(conn, table, county_id)]
            assert rows[0][1] == expected_rows if expected_rows else rows[0][1] > 0


def test_the_audit_trail_still_refuses_update_delete_and_truncate(partitioned):
    engine = partitioned["engine"]
    leaf = "interview_changes_p_h0"
    with engine.connect() as conn:
        some = conn.execute(text("SELECT id, county_id FROM interview_changes LIMIT 1")).one()
        leaf = _partition_for(conn, "interview_changes", some.county_id)
    for sql in (
        "UPDATE interview_changes SET action = 'x' WHERE id = :i",
        "DELETE FROM interview_changes WHERE id = :i",
        "UPDATE interview_changes_p SET action = 'x' WHERE id = :i",
        f"DELETE FROM {leaf} WHERE id = :i",
        f"TRUNCATE {leaf}",
        "TRUNCATE interview_changes_p",
        "DELETE FROM review_comments WHERE id = :i",
    ):
        with engine.connect() as conn, pytest.raises(DBAPIError) as caught:
            conn.execute(text(sql), {"i": some.id})
        assert re.search("append-only|never deleted", str(caught.value)), sql
    with Session(engine) as db:
        assert db.scalar(select(InterviewChange).where(InterviewChange.id == some.id)) is not None
    # The hash chain still links a new row to the last one (tested above through the services).
    assert ok(partitioned_url(partitioned), "verify-audit").returncode == 0


def test_foreign_keys_to_partitioned_tables_still_refuse_dangling_rows(partitioned):
    engine = partitioned["engine"]
    with Session(engine) as db, pytest.raises(IntegrityError, match="plan_household"):
        db.add(VisitAttempt(plan_household_id=987654321, outcome="absent"))
        db.flush()
    with engine.connect() as conn:
        referenced = conn.execute(text("SELECT plan_household_id FROM interviews LIMIT 1")).scalar()
        with pytest.raises(IntegrityError):
            conn.execute(text("DELETE FROM plan_households WHERE id = :i"), {"i": referenced})
    with engine.connect() as conn, pytest.raises(IntegrityError, match="no row of sample_plans"):
        conn.execute(
            text("INSERT INTO interviews (plan_household_id, plan_id, status, contact_outcome, "
                 "version, verification_json, recognition_json, started_at, updated_at, "
                 "flags_json) VALUES (1, 987654321, 'draft', 'interviewed', 1, '{}', '{}', "
                 "now(), now(), '[]')")
        )  # fmt: skip


def test_a_per_county_query_reads_one_partition(partitioned):
    with partitioned["engine"].connect() as conn:
        county_id = conn.execute(text("SELECT county_id FROM interviews LIMIT 1")).scalar()
        for sql in (
            "SELECT count(*) FROM interviews WHERE county_id = :c AND status = 'approved'",
            "SELECT i.verdict, ph.weight FROM interviews i JOIN plan_households ph "
            "ON ph.county_id = i.county_id AND ph.id = i.plan_household_id "
            "WHERE i.county_id = :c",
        ):
            plan = conn.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"), {"c": county_id}).scalar()
            scanned = set(re.findall(r'"Relation Name": "(\w+)"', json.dumps(plan)))
            tables = {re.sub(r"_h\d+$", "", name) for name in scanned}
            assert len(scanned) == len(tables), scanned  # one leaf per table
            assert all(re.fullmatch(r"\w+_p_h\d+", name) for name in scanned), scanned


def test_dashboard_and_county_pdf_through_the_web_app(partitioned):
    settings = dict(get_appsettings(str(ROOT / "development.ini")))
    settings.update(
        {
            "sqlalchemy.url": partitioned_url(partitioned),
            "pyramid.reload_templates": "false",
            "session.secret": "test-secret-" + "x" * 40,
            "assess.trusted_hosts": "example.com",
        }
    )
    from assessment import main

    app = TestApp(main({}, **settings), extra_environ={"HTTP_HOST": "example.com"})
    app.login("reader", DEMO_PASSWORD)
    page = app.get("/dashboard")
    assert "DEMO" in page.text or "示范县" in page.text
    assert "X1" in page.text or "县X1" in page.text
    pdf = app.get("/reports/county/DEMO/draft.pdf")
    assert pdf.content_type == "application/pdf"
    assert pdf.body.startswith(b"%PDF")


def test_the_app_role_keeps_its_rights_and_no_more(partitioned):
    """Its grants were carried to the views, the partitioned tables and every partition; it
    still writes through the services' paths and still cannot rewrite the audit trail."""

    def may(conn, relation: str, privilege: str) -> bool:
        return conn.execute(
            text("SELECT has_table_privilege(:r, :t, :p)"),
            {"r": APP_ROLE, "t": relation, "p": privilege},
        ).scalar()

    engine = partitioned["engine"]
    with engine.begin() as conn:
        grant_app_role(conn, APP_ROLE)  # what assess initdb runs again after an upgrade
    for _ in range(2):  # as carried by the conversion, then as granted again
        with engine.connect() as conn:
            for relation in ("interview_changes", "interview_changes_p", "interview_changes_p_h7"):
                assert may(conn, relation, "INSERT") and may(conn, relation, "SELECT")
                assert not may(conn, relation, "UPDATE") and not may(conn, relation, "DELETE")
            for relation in ("review_comments", "review_comments_p_h3"):
                assert may(conn, relation, "UPDATE") and not may(conn, relation, "DELETE")
            assert may(conn, "interviews", "UPDATE") and may(conn, "interviews_p_h5", "UPDATE")
        with engine.begin() as conn:
            grant_app_role(conn, APP_ROLE)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SET ROLE {APP_ROLE}")
        household = conn.execute(text("SELECT id FROM plan_households LIMIT 1")).scalar()
        conn.execute(
            text("INSERT INTO visit_attempts (plan_household_id, outcome, visited_at) "
                 "VALUES (:h, 'absent', now())"),
            {"h": household},
        )  # fmt: skip
        with pytest.raises(DBAPIError, match="permission denied"):
            conn.execute(text("DELETE FROM interview_changes_p_h0"))
        conn.rollback()


def test_backup_and_restore_keep_the_partitioned_layout(partitioned, tmp_path):
    copy = tmp_path / "partitioned.backup"
    with partitioned["engine"].connect() as conn:
        source = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in NAMES}
    ok(partitioned_url(partitioned), "backup", "--out", copy)
    with empty_database(tmp_path) as target:
        ok(target, "restore", copy)
        assert _is_partitioned(target)
        assert "审计链完好" in ok(target, "verify-audit").stdout
        engine = engine_for(target)
        with engine.connect() as conn:
            restored = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in NAMES}
            assert restored == source
        engine.dispose()
