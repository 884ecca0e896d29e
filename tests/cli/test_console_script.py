"""Every ``assess`` subcommand the README documents, run as a user runs it: the console script.

Each command runs in a subprocess of ``.venv/bin/assess`` against one database per module
(SQLite in a temporary folder, or a throwaway PostgreSQL database when ``TEST_DATABASE_URL`` is
set, so the ``-m db`` pass runs them again on PostgreSQL). Each error path must end with a
clear message on standard error, a non-zero status and no traceback.

Every command speaks the interface's default language of ``development.ini`` (Chinese: it
names none) and English when asked (``--lang en``): each test checks a summary or refusal of
its command in Chinese, with no English sentence in it, and the same in English.
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

from assessment.core.settings import normalise_database_url
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
    # issue 13's pooled ρ: tests/cli/test_pool_icc.py
    "pool-icc",
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


# Three Latin words in a row: an English sentence where Chinese was expected (paths, codes,
# hashes and single technical words such as "sha256" or "DEMO" are not sentences).
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")


def chinese(text: str, *phrases: str) -> str:
    """``text`` holds each phrase (a regular expression) and no English sentence."""
    for phrase in phrases:
        assert re.search(phrase, text), text
    assert not ENGLISH_SENTENCE.search(text), text
    return text


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


def test_a_bad_or_unready_database_is_named_in_a_sentence(tmp_path):
    chinese(refused("notaurl", "verify-audit", says="数据库地址无效").stderr)
    refused("notaurl", "verify-audit", "--lang", "en", says="database URL is not valid")
    chinese(refused("mysql://x@y/z", "initdb", says="数据库地址无效").stderr)
    # A database initdb never set up: no table to read.
    empty = f"sqlite:///{tmp_path}/empty.sqlite"
    chinese(refused(empty, "indicators", "--county", "X", says="无法使用数据库").stderr)
    refused(empty, "indicators", "--county", "X", "--lang", "en", says="cannot be used")


def test_help_is_in_the_default_language_and_in_english_when_asked():
    def help_of(*args: str) -> str:
        done = subprocess.run(
            [str(ASSESS), *args, "--help"], capture_output=True, text=True, check=True, cwd=ROOT
        )
        return done.stdout

    chinese_help = help_of("draw")
    chinese(chinese_help, "用法：assess draw", "--county COUNTY +县代码", "显示此帮助信息并退出")
    english = help_of("draw", "--lang", "en")
    assert "usage: assess draw" in english and "why the county is drawn again" in english
    commands = help_of()
    assert "创建或升级数据库结构" in commands and "导入县的农户抽样框" in commands


def test_initdb_is_idempotent_and_a_missing_config_is_named(url, loaded):
    chinese(ok(url, "initdb").stdout, "数据库结构已是最新版本", "内置问卷已加载")
    assert "latest schema" in ok(url, "initdb", "--lang", "en").stdout
    missing = refused(url, "initdb", "--config", "nowhere.ini", says="找不到配置文件：nowhere.ini")
    chinese(missing.stderr)
    refused(url, "initdb", "--config", "nowhere.ini", "--lang", "en", says="file not found")


def test_create_user_and_its_refusals(url, loaded):
    admin = ("cli-admin", "--role", "admin", "--password", "long-password-1")
    created = ok(url, "create-user", *admin)
    chinese(created.stdout, r"已创建用户 cli-admin（管理员）")
    taken = refused(url, "create-user", *admin, says="用户名 cli-admin 已被使用")
    chinese(taken.stderr)
    refused(url, "create-user", *admin, "--lang", "en", says="cli-admin.*taken")
    english = ok(url, "create-user", "cli-reader", *admin[1:], "--lang", "en")
    assert "Created user cli-reader (Administrator)" in english.stdout
    assessor = ("cli-a", "--role", "assessor", "--password", "long-password-1")
    chinese(refused(url, "create-user", *assessor, says="评估组").stderr)
    refused(url, "create-user", *assessor, "--lang", "en", says="team")
    no_team = refused(
        url, "create-user", *assessor, "--team", "无此组", says="没有名为 无此组 的评估组"
    )
    chinese(no_team.stderr)
    # argparse's own refusals too: Chinese by default, English when asked.
    wrong = refused(url, "create-user", "cli-b", "--role", "emperor", says="无效的选项：'emperor'")
    assert wrong.stderr.startswith("用法：assess create-user")
    chinese(wrong.stderr.splitlines()[-1], "assess create-user：错误：参数 --role：")
    refused(url, "create-user", "cli-b", "--role", "emperor", "--lang", "en", says="invalid choice")
    chinese(refused(url, "create-user", says="缺少必需的参数").stderr.splitlines()[-1])


def test_demo_prints_an_account_of_every_role_and_if_empty_leaves_it_alone(url, loaded):
    output = chinese(loaded["demo_output"], "演示账号（用户名 / 密码 / 角色）", "抽样方案 \\d+：")
    for role in ("管理员", "协调员", "组长", "调查员", "领导（只读）"):
        assert role in output
    again = ok(url, "demo", "--if-empty")
    chinese(again.stdout, "未加载演示数据")
    assert "not loaded" in ok(url, "demo", "--if-empty", "--lang", "en").stdout
    exists = refused(url, "demo", "--households", "600", says="演示县 DEMO 已存在")
    chinese(exists.stderr)
    refused(url, "demo", "--lang", "en", says="DEMO exists already")


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
    absent = refused(url, "import-frame", work / "absent.csv", "--county", "X1", says="找不到文件")
    chinese(absent.stderr)
    refused(
        url, "import-frame", work / "absent.csv", "--county", "X1", "--lang", "en", says="No such"
    )


def test_draw_verify_and_refusals(url, loaded):
    plan = loaded["plan"]
    assert plan.isdigit()
    chinese(ok(url, "verify-draw", plan).stdout, f"一致：抽样方案 {plan}，重新抽取的 \\d+ 户")
    assert "Identical" in ok(url, "verify-draw", plan, "--lang", "en").stdout
    chinese(refused(url, "verify-draw", "999999", says="没有抽样方案 999999").stderr)
    refused(url, "verify-draw", "999999", "--lang", "en", says="no plan 999999")
    design = loaded["design"]
    chinese(refused(url, "draw", "--county", "NOPE", "--design", design, says="NOPE").stderr)
    no_file = loaded["work"] / "no.json"
    refused(url, "draw", "--county", "X1", "--design", no_file, says="找不到设计文件")
    refused(url, "draw", "--county", "X1", "--design", no_file, "--lang", "en", says="design")
    refused(url, "draw", "--county", "X1", "--design", design, says="须填写书面理由")
    refused(
        url,
        *("draw", "--county", "X1", "--design", design, "--round", "999", "--reason", "x"),
        says="评估批次 999 不包含 X1 县",
    )
    refused(
        url,
        *("draw", "--county", "X1", "--design", design, "--round", "999", "--reason", "x"),
        *("--lang", "en"),
        says="Round 999 does not assess county X1",
    )
    again = ok(url, "draw", "--county", "X1", "--design", design, "--reason", "复核")
    assert last_line(again).isdigit() and last_line(again) != plan
    summary = "\n".join(again.stdout.splitlines()[:-1])
    chinese(summary, "承诺值 [0-9a-f]+ 已于 .* 记录", "县 X1 的抽样方案第 \\d+ 版")
    english = ok(
        url, "draw", "--county", "X1", "--design", design, "--reason", "再次复核", "--lang", "en"
    )
    assert re.search(r"Plan version \d+ of county X1", english.stdout)
    assert "一致" in ok(url, "verify-draw", plan).stdout  # the old plan still verifies


def test_export_plan_csv_and_xlsx(url, loaded):
    work, plan = loaded["work"], loaded["plan"]
    written = ok(url, "export-plan", plan, "--format", "csv", "--out", work / "plan.csv")
    chinese(written.stdout, r"已将 [\d,]+ 户写入 .*plan\.csv")
    english = ok(
        url, "export-plan", plan, "--format", "csv", "--out", work / "plan.csv", "--lang", "en"
    )
    assert re.search(r"Wrote [\d,]+ households to", english.stdout)
    with (work / "plan.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["role"] for r in rows} >= {"selected", "reserve"}
    ok(url, "export-plan", plan, "--format", "xlsx", "--out", work / "plan.xlsx")
    assert (work / "plan.xlsx").read_bytes()[:2] == b"PK"
    absent = ("export-plan", "999999", "--format", "csv", "--out", work / "x.csv")
    chinese(refused(url, *absent, says="没有抽样方案 999999").stderr)
    refused(url, *absent, "--lang", "en", says="There is no plan 999999")


def test_export_survey_data_csv_xlsx_and_round(url, loaded):
    work = loaded["work"]
    out = work / "survey.csv"
    written = ok(url, "export", "--county", "DEMO", "--format", "csv", "--out", out)
    # The sheets keep their (file) names; the sentence is Chinese.
    chinese(written.stdout, r"已写入 .*survey\.csv：households：[\d,]+ 行", r"members：[\d,]+ 行")
    english = ok(url, "export", "--county", "DEMO", "--format", "csv", "--out", out, "--lang", "en")
    assert re.search(r"Wrote .*survey\.csv: households: [\d,]+ rows", english.stdout)
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
        says="评估批次 999",
    )
    empty = ("export", "--county", "X1", "--format", "csv", "--out", out)
    chinese(refused(url, *empty, says="县 X1 没有已通过的访问记录").stderr)
    refused(url, *empty, "--lang", "en", says="County X1 has no approved interviews")
    nope = ("export", "--county", "NOPE", "--format", "csv", "--out", out)
    chinese(refused(url, *nope, says="没有代码为 NOPE 的县").stderr)
    refused(url, *nope, "--lang", "en", says="no county with code NOPE")


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
    no_column = ("estimate", data, "--var", "no_such_column", *design)
    chinese(refused(url, *no_column, says="数据中没有列 'no_such_column'").stderr.split("（")[0])
    refused(url, *no_column, "--lang", "en", says="no column 'no_such_column'")
    absent = ("estimate", work / "absent.csv", "--var", "x")
    chinese(refused(url, *absent, says="找不到文件：.*absent.csv").stderr)
    refused(url, *absent, "--lang", "en", says="No such file: .*absent.csv")


def test_county_and_provincial_reports(url, loaded):
    work = loaded["work"]
    verdicts = "建议同意退出|不符合退出条件|数据不足|不确定"
    for lang in ("zh", "en"):
        out = work / f"demo-{lang}.pdf"
        written = ok(url, "report", "--county", "DEMO", "--out", out, "--lang", lang)
        assert out.read_bytes()[:5] == b"%PDF-"
        if lang == "en":
            assert re.search(r"Wrote .* \([\d,]+ bytes\): DEMO, ", written.stdout)
        else:
            chinese(written.stdout, rf"已写入 .*（[\d,]+ 字节）：DEMO，({verdicts})。")
    # Without --lang, the report and its summary are in the default language (Chinese).
    out = work / "demo-default.pdf"
    chinese(ok(url, "report", "--county", "DEMO", "--out", out).stdout, "已写入")
    chinese(refused(url, "report", "--county", "NOPE", "--out", out, says="NOPE").stderr)
    refused(url, "report", "--county", "NOPE", "--out", out, "--lang", "en", says="no county")
    unwritable = ("report", "--county", "DEMO", "--out", work / "no-such-dir" / "x.pdf")
    chinese(refused(url, *unwritable, says="无法读取或写入 .*x.pdf").stderr)
    province = demo_province(url)
    out = work / "province.pdf"
    written = ok(url, "report-province", "--province", province, "--out", out)
    assert out.read_bytes()[:5] == b"%PDF-"
    chinese(written.stdout, r"已写入 .*（[\d,]+ 字节）：1 个县。")
    english = ok(url, "report-province", "--province", province, "--out", out, "--lang", "en")
    assert re.search(r"bytes\); counties: 1\.", english.stdout)
    nowhere = refused(url, "report-province", "--province", "无此省", "--out", out, says="无此省")
    chinese(nowhere.stderr)


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
    rows = int(
        re.search(r"审计链完好：共 ([\d,]+) 行", chinese(result.stdout)).group(1).replace(",", "")
    )
    assert rows > 0
    english = ok(url, "verify-audit", "--lang", "en").stdout
    assert re.search(r"audit chain is intact: [\d,]+ rows", english)
    refused(url, "verify-audit", "--config", "nowhere.ini", says="找不到配置文件：nowhere.ini")


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        counts = {t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar() for t in tables}
    engine.dispose()
    return counts


def test_backup_and_restore_into_an_empty_database(url, loaded, tmp_path):
    copy = tmp_path / "assess.backup"
    chinese(ok(url, "backup", "--out", copy).stdout, r"已写入 .*assess\.backup（[\d,]+ 字节）")
    chinese(refused(url, "backup", "--out", copy, says="已存在；请指定一个新文件").stderr)
    refused(url, "backup", "--out", copy, "--lang", "en", says="exists; name a new file")
    english = tmp_path / "english.backup"
    assert re.search(
        r"Wrote .* bytes\)", ok(url, "backup", "--out", english, "--lang", "en").stdout
    )
    before = row_counts(url)
    assert before["interviews"] > 0 and before["households"] > 0
    with empty_database(tmp_path) as target:
        chinese(ok(target, "restore", copy).stdout, r"已将 .*assess\.backup 恢复到 \S+。")
        assert row_counts(target) == before
        # The restored database is a working one: the draw and the audit trail verify.
        assert "一致" in ok(target, "verify-draw", loaded["plan"]).stdout
        ok(target, "verify-audit")
        chinese(refused(target, "restore", copy, says="目标数据库不是空的").stderr)
        refused(target, "restore", copy, "--lang", "en", says="not empty")
    wrong = tmp_path / "not-a-backup.bin"
    wrong.write_bytes(b"hello")
    with empty_database(tmp_path) as target:
        chinese(refused(target, "restore", wrong, says="不是 assess backup 写出的").stderr)
        refused(target, "restore", wrong, "--lang", "en", says="not a .* backup")
        chinese(refused(target, "restore", tmp_path / "absent", says="找不到文件").stderr)
        refused(target, "restore", tmp_path / "absent", "--lang", "en", says="No such file")


def test_readme_parser_and_these_tests_name_the_same_commands():
    assert documented_commands() == parser_commands()
    assert documented_commands() == TESTED


def test_the_console_script_works_from_another_directory(url, loaded, tmp_path):
    # A user runs it from anywhere, naming the config: the relative paths inside resolve.
    shutil.copy(ROOT / "development.ini", tmp_path / "development.ini")
    result = run(url, "verify-draw", loaded["plan"], "--config", tmp_path / "development.ini")
    assert result.returncode == 0, result.stderr
