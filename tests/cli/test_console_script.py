"""Every ``assess`` subcommand the README documents, run as a user runs it: the console script.

Each command runs in a subprocess of ``.venv/bin/assess`` against one database per module
(SQLite in a temporary folder, or a throwaway PostgreSQL database when ``TEST_DATABASE_URL`` is
set, so the ``-m db`` pass runs them again on PostgreSQL). Each error path must end with a
clear message on standard error, a non-zero status and no traceback.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from assessment.settings import normalise_database_url
from sampling.synthetic import synthetic_frame_csv
from tests.sampling_db.conftest import HIERARCHY, SMALL_DESIGN

ROOT = Path(__file__).resolve().parents[2]
ASSESS = Path(sys.executable).with_name("assess")
pytestmark = [pytest.mark.db, pytest.mark.slow]

# Every subcommand the README's command table documents; the last test checks the README,
# the parser and this list agree, so a new command cannot go untested.
TESTED = {
    "initdb",
    "create-user",
    "demo",
    "import-frame",
    "draw",
    "verify-draw",
    "export-plan",
    "estimate",
    "report",
    "report-province",
    "export",
    "verify-audit",
    "backup",
    "restore",
    # issue 14: tests/cli/test_refresh_results.py
    "refresh-results",
    # tests/cli/test_partition_tables.py
    "partition-tables",
    # issue 13's fieldwork commands: tests/cli/test_fieldwork_commands.py
    "simulate-fieldwork",
    "close-fieldwork",
    "indicators",
}


@contextlib.contextmanager
def empty_database(folder: Path):
    """A new empty database: a SQLite file in ``folder``, or a throwaway PostgreSQL one."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{folder}/{uuid.uuid4().hex[:8]}.sqlite"
        return
    base = normalise_database_url(base)
    name = f"assess_cli_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with empty_database(tmp_path_factory.mktemp("cli")) as found:
        yield found


def run(url: str, *args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ASSESS), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "DATABASE_URL": url},
        timeout=600,
    )


def ok(url: str, *args: object) -> subprocess.CompletedProcess:
    result = run(url, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def refused(url: str, *args: object, says: str) -> subprocess.CompletedProcess:
    """The command fails as a user should see it: status, message, no traceback."""
    result = run(url, *args)
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert re.search(says, result.stderr), result.stderr
    return result


@pytest.fixture(scope="module")
def loaded(url, tmp_path_factory):
    """initdb + a small demo county (approved fieldwork) + an imported and drawn county X1."""
    work = tmp_path_factory.mktemp("files")
    ok(url, "initdb")
    demo = ok(url, "demo", "--households", "6000")
    frame = work / "frame.csv"
    frame.write_bytes(synthetic_frame_csv(HIERARCHY, 900, rng=np.random.default_rng(3)))
    design = work / "design.json"
    design.write_text(json.dumps(SMALL_DESIGN))
    ok(url, "import-frame", frame, "--county", "X1", "--county-name", "测试县")
    drawn = ok(url, "draw", "--county", "X1", "--design", design)
    return {
        "work": work,
        "frame": frame,
        "design": design,
        "plan": last_line(drawn),
        "demo_output": demo.stdout,
    }


def last_line(result: subprocess.CompletedProcess) -> str:
    return result.stdout.strip().splitlines()[-1]


def test_the_console_script_is_installed():
    assert ASSESS.is_file(), "pip install -e . installs the assess console script"
    result = subprocess.run([str(ASSESS), "--help"], capture_output=True, text=True, check=True)
    assert "initdb" in result.stdout


def test_initdb_is_idempotent_and_a_missing_config_is_named(url, loaded):
    ok(url, "initdb")
    refused(url, "initdb", "--config", "nowhere.ini", says="nowhere.ini")


def test_create_user_and_its_refusals(url, loaded):
    ok(url, "create-user", "cli-admin", "--role", "admin", "--password", "long-password-1")
    refused(
        url,
        *("create-user", "cli-admin", "--role", "admin", "--password", "long-password-1"),
        says="cli-admin.*taken",
    )
    refused(
        url,
        *("create-user", "cli-a", "--role", "assessor", "--password", "long-password-1"),
        says="team",
    )
    refused(url, "create-user", "cli-b", "--role", "emperor", says="invalid choice")


def test_demo_prints_an_account_of_every_role_and_if_empty_leaves_it_alone(url, loaded):
    for role in ("admin", "coordinator", "supervisor", "assessor", "reader"):
        assert role in loaded["demo_output"]
    again = ok(url, "demo", "--if-empty")
    assert "not loaded" in again.stdout


def test_import_frame_prints_the_hash_and_rejects_a_bad_file_whole(url, loaded):
    work = loaded["work"]
    again = ok(url, "import-frame", loaded["frame"], "--county", "X1")
    assert re.search(r"^sha256 [0-9a-f]{64}$", again.stdout, re.M)
    # Without --lang, the interface's default language of the ini (Chinese); --lang en asks.
    summary = again.stdout.splitlines()[0]
    assert re.fullmatch(r"抽样框 \d+（县 X1，第 \d+ 版）：900 户，[\d,]+ 人。", summary), summary
    english = ok(url, "import-frame", loaded["frame"], "--county", "X1", "--lang", "en")
    assert re.match(r"Frame \d+ \(county X1, version \d+\): 900 households", english.stdout)
    bad = work / "bad.csv"
    bad.write_text(
        "household_id,township,village,village_type,status,exit_year,household_size,"
        "head_name\nA,乡,村,poor,exited,2018,-2,张\n",
        encoding="utf-8",
    )
    result = refused(
        url, "import-frame", bad, "--county", "X9", "--lang", "en", says="nothing imported"
    )
    assert "Row 2" in result.stderr and "household_size" in result.stderr
    refused(url, "import-frame", work / "absent.csv", "--county", "X1", says="no such file")


def test_draw_verify_and_refusals(url, loaded):
    plan = loaded["plan"]
    assert plan.isdigit()
    assert "identical" in ok(url, "verify-draw", plan).stdout
    refused(url, "verify-draw", "999999", says="no plan 999999")
    design = loaded["design"]
    refused(url, "draw", "--county", "NOPE", "--design", design, says="NOPE")
    refused(url, "draw", "--county", "X1", "--design", loaded["work"] / "no.json", says="design")
    refused(url, "draw", "--county", "X1", "--design", design, says="须填写书面理由")
    refused(
        url,
        *("draw", "--county", "X1", "--design", design, "--round", "999", "--reason", "x"),
        says="round 999",
    )
    again = ok(url, "draw", "--county", "X1", "--design", design, "--reason", "复核")
    assert last_line(again).isdigit() and last_line(again) != plan
    assert "identical" in ok(url, "verify-draw", plan).stdout  # the old plan still verifies


def test_export_plan_csv_and_xlsx(url, loaded):
    work, plan = loaded["work"], loaded["plan"]
    ok(url, "export-plan", plan, "--format", "csv", "--out", work / "plan.csv")
    with (work / "plan.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["role"] for r in rows} >= {"selected", "reserve"}
    ok(url, "export-plan", plan, "--format", "xlsx", "--out", work / "plan.xlsx")
    assert (work / "plan.xlsx").read_bytes()[:2] == b"PK"
    refused(url, "export-plan", "999999", "--format", "csv", "--out", work / "x.csv", says="999")


def test_export_survey_data_csv_xlsx_and_round(url, loaded):
    work = loaded["work"]
    out = work / "survey.csv"
    written = ok(url, "export", "--county", "DEMO", "--format", "csv", "--out", out)
    assert "households" in written.stdout and "members" in written.stdout
    with out.open(encoding="utf-8-sig") as f:
        households = list(csv.DictReader(f))
    assert households and {"weight", "household_id"} <= set(households[0])
    codebook = (work / "survey-codebook.csv").read_text(encoding="utf-8-sig")
    assert "households,weight" in codebook and "members," in codebook
    assert (work / "survey-members.csv").stat().st_size > 0
    ok(url, "export", "--county", "DEMO", "--format", "xlsx", "--out", work / "survey.xlsx")
    round_id = demo_round(url)
    ok(url, "export", "--county", "DEMO", "--format", "csv", "--round", round_id, "--out", out)
    refused(
        url,
        *("export", "--county", "DEMO", "--format", "csv", "--round", "999", "--out", out),
        says="round 999",
    )
    refused(url, "export", "--county", "X1", "--format", "csv", "--out", out, says="X1")
    refused(url, "export", "--county", "NOPE", "--format", "csv", "--out", out, says="NOPE")


def demo_round(url: str) -> str:
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT rc.round_id FROM round_counties rc JOIN counties c ON c.id = rc.county_id "
            "WHERE c.code = 'DEMO'"
        ).scalar()
    engine.dispose()
    assert found is not None, "the demo county belongs to a round"
    return str(found)


def test_estimate_on_the_exported_data(url, loaded):
    work = loaded["work"]
    data = work / "estimate.csv"
    ok(url, "export", "--county", "DEMO", "--format", "csv", "--out", data)
    design = ("--weight", "weight", "--strata", "village_stratum", "--cluster", "village_id")
    result = ok(url, "estimate", data, "--var", "recognises", *design, "--json")
    (row,) = json.loads(result.stdout)
    assert 0.5 < row["estimate"] <= 1 and row["se"] > 0
    refused(url, "estimate", data, "--var", "no_such_column", *design, says="no_such_column")
    refused(url, "estimate", work / "absent.csv", "--var", "x", says="absent.csv")


def test_county_and_provincial_reports(url, loaded):
    work = loaded["work"]
    for lang in ("zh", "en"):
        out = work / f"demo-{lang}.pdf"
        ok(url, "report", "--county", "DEMO", "--out", out, "--lang", lang)
        assert out.read_bytes()[:5] == b"%PDF-"
    refused(url, "report", "--county", "NOPE", "--out", work / "x.pdf", says="NOPE")
    province = demo_province(url)
    out = work / "province.pdf"
    ok(url, "report-province", "--province", province, "--out", out)
    assert out.read_bytes()[:5] == b"%PDF-"
    refused(url, "report-province", "--province", "无此省", "--out", out, says="无此省")


def demo_province(url: str) -> str:
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        name = conn.exec_driver_sql(
            "SELECT p.name FROM provinces p JOIN counties c ON c.province_id = p.id "
            "WHERE c.code = 'DEMO'"
        ).scalar_one()
    engine.dispose()
    return name


def documented_commands() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `assess ([a-z-]+)", readme, re.M))


def parser_commands() -> set[str]:
    from assessment.cli import build_parser

    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    return set(subparsers.choices)


def test_verify_audit_passes_the_demo_fieldworks_trail(url, loaded):
    # The demo's simulated fieldwork went through the services: an intact chain, statuses
    # as recorded (the tampering cases are in tests/surveys_web/test_audit_guard.py).
    result = ok(url, "verify-audit")
    rows = int(re.search(r"audit chain intact: (\d+) rows", result.stdout).group(1))
    assert rows > 0
    refused(url, "verify-audit", "--config", "nowhere.ini", says="nowhere.ini")


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        counts = {t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar() for t in tables}
    engine.dispose()
    return counts


def test_backup_and_restore_into_an_empty_database(url, loaded, tmp_path):
    copy = tmp_path / "assess.backup"
    ok(url, "backup", "--out", copy)
    refused(url, "backup", "--out", copy, says="exists")
    before = row_counts(url)
    assert before["interviews"] > 0 and before["households"] > 0
    with empty_database(tmp_path) as target:
        ok(target, "restore", copy)
        assert row_counts(target) == before
        # The restored database is a working one: the draw and the audit trail verify.
        assert "identical" in ok(target, "verify-draw", loaded["plan"]).stdout
        ok(target, "verify-audit")
        refused(target, "restore", copy, says="not empty")
    wrong = tmp_path / "not-a-backup.bin"
    wrong.write_bytes(b"hello")
    with empty_database(tmp_path) as target:
        refused(target, "restore", wrong, says="not a .* backup")
        refused(target, "restore", tmp_path / "absent", says="no such file")


def test_readme_parser_and_these_tests_name_the_same_commands():
    assert documented_commands() == parser_commands()
    assert documented_commands() == TESTED


def test_the_console_script_works_from_another_directory(url, loaded, tmp_path):
    # A user runs it from anywhere, naming the config: the relative paths inside resolve.
    shutil.copy(ROOT / "development.ini", tmp_path / "development.ini")
    result = run(url, "verify-draw", loaded["plan"], "--config", tmp_path / "development.ini")
    assert result.returncode == 0, result.stderr
