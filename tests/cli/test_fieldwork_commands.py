"""``simulate-fieldwork``, ``indicators --json``, ``close-fieldwork`` and a re-draw over
fieldwork, through the console script on SQLite and PostgreSQL (issue 13's CLI contract).

Summaries and refusals are in the default language (Chinese) and in English with
``--lang en``; ``indicators --json`` is the same in both (codes, for scripts)."""

from __future__ import annotations

import csv
import json
import re
import shlex

import numpy as np
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from assessment.core.models import AssessmentRound, County
from assessment.core.settings import normalise_database_url
from sampling.synthetic import synthetic_frame_csv
from tests.cli.test_console_script import (  # noqa: F401 - fixture
    chinese,
    last_line,
    ok,
    refused,
    url,
)
from tests.reports.test_printed_interval_decides import expected_confidence
from tests.sampling_db.conftest import HIERARCHY, SMALL_DESIGN

pytestmark = [pytest.mark.db, pytest.mark.slow]
KEYS = ("poverty_incidence", "wrongful_exit_rate", "missed_rate", "recognition_rate")
FIELDS = {
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "one_sided_bound",
    "threshold",
    "official",
    "confidence",
    "probability_within",
}


def add_round(database: str, *codes: str) -> None:
    """List the counties in a round of their own (no command creates rounds)."""
    engine = create_engine(normalise_database_url(database))
    with Session(engine) as session, session.begin():
        counties = session.scalars(select(County).where(County.code.in_(codes))).all()
        session.add(
            AssessmentRound(name="命令行测试", year=2020, poverty_line=3218.0, counties=counties)
        )
    engine.dispose()


@pytest.fixture(scope="module")
def counties(url, tmp_path_factory):  # noqa: F811
    """Two imported and drawn counties in a round: F1 (rehearsed) and F2 (closed early)."""
    work = tmp_path_factory.mktemp("fieldwork")
    ok(url, "initdb")
    design = work / "design.json"
    design.write_text(json.dumps(SMALL_DESIGN))
    plans = {}
    for code, seed in (("F1", 11), ("F2", 12)):
        frame = work / f"{code}.csv"
        frame.write_bytes(
            synthetic_frame_csv(HIERARCHY, 900, rng=np.random.default_rng(seed), id_prefix=code)
        )
        ok(url, "import-frame", frame, "--county", code, "--county-name", f"县{code}")
    add_round(url, "F1", "F2")
    drawn = ok(url, "draw", "--county", "F1", "--design", design, "--seed", "11" * 32)
    plans["F1"] = last_line(drawn)
    # F2 also visits a village chosen, not drawn: reported apart, never in the estimates.
    purposive = work / "purposive.json"
    chosen = {**SMALL_DESIGN, "purposive_villages": [query(url, VILLAGE_KEY, code="F2")[-1][0]]}
    purposive.write_text(json.dumps(chosen))
    drawn = ok(url, "draw", "--county", "F2", "--design", purposive, "--seed", "12" * 32)
    plans["F2"] = last_line(drawn)
    assert query(url, PURPOSIVE, plan=int(plans["F2"])) == [(1,)]
    rows = {code: plan_rows(url, plans[code]) for code in ("F1", "F2")}
    # F2's fieldwork half done: every village, half its households, everyone reached.
    script = [r for r in outcomes_for(rows["F2"]) if r["contacted"] == 1]
    write_outcomes(work / "f2.csv", script[::2])
    ok(url, "simulate-fieldwork", "--county", "F2", "--outcomes", work / "f2.csv", "--approve")
    return {"work": work, "design": design, "plans": plans, "rows": rows}


VILLAGE_KEY = (
    "SELECT fv.village_key FROM frame_villages fv JOIN frames f ON f.id = fv.frame_id "
    "JOIN counties c ON c.id = f.county_id WHERE c.code = :code ORDER BY fv.village_key"
)
PURPOSIVE = "SELECT COUNT(*) FROM plan_villages WHERE plan_id = :plan AND purposive"
PLAN_ROWS = (
    "SELECT h.household_id, ph.role, ph.stratum, ph.plan_village_id AS village "
    "FROM plan_households ph JOIN households h ON h.id = ph.household_pk "
    "WHERE ph.plan_id = :plan ORDER BY ph.id"
)


def query(database: str, sql: str, **values) -> list[tuple]:
    engine = create_engine(normalise_database_url(database))
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text(sql), values)]
    engine.dispose()
    return found


def plan_rows(database: str, plan: str) -> list[dict]:
    """The plan's households (id, role, status stratum, village), as the plan export has them."""
    keys = ("household_id", "role", "stratum", "village")
    return [dict(zip(keys, r, strict=True)) for r in query(database, PLAN_ROWS, plan=int(plan))]


def write_outcomes(path, rows: list[dict]) -> None:
    columns = ("household_id", "contacted", "wrongly_exited", "missed", "recognises", "persons")
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)


def outcomes_for(households: list[dict]) -> list[dict]:
    """A scripted county: two exited households wrongly exited, one screening household
    missed, one sampled household of each village not at home (its reserve is), every
    tenth household not recognising; persons 1-5."""
    rows, absent = [], set()
    wrong = [h for h in households if h["role"] == "selected" and h["stratum"] == "exited"][:2]
    missed = [h for h in households if h["role"] == "screening"][:1]
    for i, h in enumerate(households):
        village_first = h["role"] == "selected" and h["village"] not in absent
        if village_first:
            absent.add(h["village"])
        rows.append(
            {
                "household_id": h["household_id"],
                "contacted": 0 if village_first else 1,
                "wrongly_exited": int(h in wrong),
                "missed": int(h in missed),
                "recognises": 0 if i % 10 == 0 else 1,
                "persons": 1 + i % 5,
            }
        )
    return rows


def indicators(database: str, code: str) -> dict:
    return json.loads(ok(database, "indicators", "--county", code, "--json").stdout)


def check_shape(data: dict) -> None:
    assert set(data) == {"verdict", "fieldwork_complete", "response_rates", "indicators"}
    assert data["verdict"] in ("insufficient_data", "exit_recommended", "not_met")
    assert set(data["indicators"]) == set(KEYS)
    for key, values in data["indicators"].items():
        rare = key in ("wrongful_exit_rate", "missed_rate")
        sizes = {"icc", "icc_source", "effective_size", "screening_model"}
        assert set(values) == FIELDS | (sizes if rare else set())
        for name in FIELDS - {"official", "confidence"}:
            value = values[name]
            assert value is None or 0 <= value <= 1, (name, value)
        check_confidence_rule(key, values)
        if rare:  # no round of this module records a pooled ρ: the planning value
            assert (values["icc"], values["icc_source"]) == (0.1, "planning")
            # nor a screening model: the village model wherever an interval is formed
            assert values["effective_size"] in ("village_model", None), values
            assert values["screening_model"] is None


def check_confidence_rule(key: str, values: dict) -> None:
    """The documented rule, read off the JSON alone (``expected_confidence``): "meets with
    95 %" when the one-sided 95 % bound is within the threshold; "fails with 95 %" when the
    whole two-sided 95 % interval is beyond it; 不确定 otherwise."""
    if values["confidence"] == "insufficient_data":
        return
    assert values["confidence"] == expected_confidence(key, values), (key, values)
    meets = values["confidence"] == "meets"
    assert (values["probability_within"] >= 0.95) == meets, (key, values)


def test_rehearsal_from_an_empty_plan_to_a_verdict_and_a_redraw(url, counties):  # noqa: F811
    work, plan = counties["work"], counties["plans"]["F1"]
    before = indicators(url, "F1")
    check_shape(before)
    assert before["verdict"] == "insufficient_data" and before["fieldwork_complete"] is False
    assert {v["official"] for v in before["indicators"].values()} == {"insufficient_data"}

    households = counties["rows"]["F1"]
    script = outcomes_for(households)
    due = [h for h in households if h["role"] in ("selected", "screening")]
    # Issue 13's first day: one exited household interviewed and approved. Reports still work.
    exited = next(h for h in due if h["stratum"] == "exited" and h["role"] == "selected")
    first = {**next(r for r in script if r["household_id"] == exited["household_id"])}
    first["contacted"] = 1
    write_outcomes(work / "first.csv", [first])
    one = ok(
        url, "simulate-fieldwork", "--county", "F1", "--outcomes", work / "first.csv", "--approve"
    )
    chinese(one.stdout, "已模拟县 F1 的实地调查", "通过 1 户", "实地调查未完成")
    report = ok(url, "report", "--county", "F1", "--out", work / "f1-day1.pdf")
    chinese(report.stdout, "F1，数据不足（中期结果）。")
    english = ok(url, "report", "--county", "F1", "--out", work / "f1-en.pdf", "--lang", "en")
    assert "F1, Insufficient data (interim)." in english.stdout
    province = ok(url, "report-province", "--province", "未指定省份", "--out", work / "p.pdf")
    assert (work / "p.pdf").read_bytes()[:5] == b"%PDF-"
    chinese(province.stdout, r"：\d+ 个县。")

    first_half = {h["household_id"] for h in due[: len(due) // 2]}
    write_outcomes(work / "half.csv", [r for r in script if r["household_id"] in first_half])
    half = ok(url, "simulate-fieldwork", "--county", "F1", "--outcomes", work / "half.csv")
    chinese(half.stdout, "通过 0 户", "实地调查未完成")
    text = ok(url, "indicators", "--county", "F1").stdout
    chinese(text, "F1 .*：数据不足（实地调查进行中）", "综合贫困发生率：", "错退率：", "数据不足")
    english = ok(url, "indicators", "--county", "F1", "--lang", "en").stdout
    assert "Insufficient data (Fieldwork under way)" in english
    assert re.search(r"Wrongful-exit rate: [\d.]+%|Wrongful-exit rate: —", english)
    interim = indicators(url, "F1")
    assert interim["verdict"] == "insufficient_data" and not interim["fieldwork_complete"]

    write_outcomes(work / "all.csv", script)
    done = ok(
        url, "simulate-fieldwork", "--county", "F1", "--outcomes", work / "all.csv", "--approve"
    )
    chinese(done.stdout, "实地调查已完成：计划的 [\\d,]+ 户中已完结 [\\d,]+ 户。")
    english = ok(
        url, "simulate-fieldwork", "--county", "F1", "--outcomes", work / "all.csv", "--lang", "en"
    )
    assert "Fieldwork complete:" in english.stdout and "approved" in english.stdout
    final = indicators(url, "F1")
    check_shape(final)
    assert final["fieldwork_complete"] is True
    wrong = final["indicators"]["wrongful_exit_rate"]
    assert wrong["official"] in ("meets", "fails") and wrong["estimate"] > 0
    officials = [v["official"] for v in final["indicators"].values()]
    expected = "not_met" if "fails" in officials else "exit_recommended"
    assert final["verdict"] == expected
    rates = final["response_rates"]
    assert {"exited", "non_registered", "screening"} <= set(rates)
    sampled = sum(r["due"] for g, r in rates.items() if g != "screening")
    assert sampled > sum(1 for h in due if h["role"] == "selected")  # reserves were due too
    assert all(0 <= r["rate"] <= 1 for r in rates.values())

    refused(
        url,
        "draw",
        "--county",
        "F1",
        "--design",
        counties["design"],
        "--reason",
        "重抽",
        says="拒绝重新抽样",  # in the ini's default language, Chinese
    )
    refused(
        url,
        *("draw", "--county", "F1", "--design", counties["design"], "--reason", "重抽"),
        *("--lang", "en"),
        says="discard",
    )
    redrawn = ok(
        url,
        *("draw", "--county", "F1", "--design", counties["design"]),
        *("--reason", "样本村错误", "--discard-fieldwork"),
    )
    assert last_line(redrawn) != plan
    after = indicators(url, "F1")
    assert after["verdict"] == "insufficient_data" and not after["fieldwork_complete"]


def test_close_fieldwork_makes_the_verdict_final(url, counties):  # noqa: F811
    work = counties["work"]
    assert indicators(url, "F2")["verdict"] == "insufficient_data"
    blank = ("close-fieldwork", "--county", "F2", "--reason", "  ")
    chinese(refused(url, *blank, says="结束实地调查须填写原因").stderr)
    refused(url, *blank, "--lang", "en", says="needs a written reason")
    nobody = ("close-fieldwork", "--county", "F2", "--reason", "x", "--user", "nobody")
    chinese(refused(url, *nobody, says="没有名为 nobody 的用户").stderr)
    refused(url, *nobody, "--lang", "en", says="no user named nobody")
    closed = ok(url, "close-fieldwork", "--county", "F2", "--reason", "暴雨阻断道路")
    chinese(closed.stdout, "县 F2（抽样方案第 \\d+ 版）的实地调查已于 .* 结束")
    final = indicators(url, "F2")
    assert final["fieldwork_complete"] is True
    assert final["verdict"] in ("exit_recommended", "not_met", "insufficient_data")
    again = ("close-fieldwork", "--county", "F2", "--reason", "again")
    chinese(refused(url, *again, says="本抽样方案的实地调查已于 .* 结束").stderr)
    refused(url, *again, "--lang", "en", says="closed already")
    report = ok(url, "report", "--county", "F2", "--out", work / "f2.pdf")
    verdict = {"exit_recommended": "建议同意退出", "not_met": "不符合退出条件"}
    verdict["insufficient_data"] = "数据不足"
    chinese(report.stdout, f"F2，{verdict[final['verdict']]}。")
    assert "中期" not in report.stdout


def test_fieldwork_commands_refuse_bad_input_with_a_message(url, counties):  # noqa: F811
    work = counties["work"]
    households = counties["rows"]["F2"]
    good = {
        "household_id": households[0]["household_id"],
        "contacted": 1,
        "wrongly_exited": 0,
        "missed": 0,
        "recognises": 1,
        "persons": 3,
    }
    cases = {
        "bad.csv": (
            [{**good, "contacted": 2}, good, good],
            "第 2 行：contacted 必须是 0 或 1",
            "contacted must be 0 or 1",
        ),
        "unknown.csv": (
            [{**good, "household_id": "NO-SUCH"}],
            "户 NO-SUCH 不在抽样方案中",
            "not in the plan",
        ),
    }
    non_exited = next(h for h in households if h["stratum"] != "exited")
    cases["wrong-status.csv"] = (
        [{**good, "household_id": non_exited["household_id"], "wrongly_exited": 1}],
        "只有已脱贫户才可能错退",
        "only an exited household",
    )
    for name, (rows, zh, en) in cases.items():
        write_outcomes(work / name, rows)
        command = ("simulate-fieldwork", "--county", "F2", "--outcomes", work / name)
        chinese(refused(url, *command, says=zh).stderr.replace("household_id", ""))
        refused(url, *command, "--lang", "en", says=en)
    (work / "columns.csv").write_text("household_id,contacted\nA,1\n", encoding="utf-8")
    refused(
        url,
        "simulate-fieldwork",
        "--county",
        "F2",
        "--outcomes",
        work / "columns.csv",
        says="缺少列 wrongly_exited",
    )
    refused(
        url,
        "simulate-fieldwork",
        "--county",
        "F2",
        "--outcomes",
        work / "absent.csv",
        says="找不到访问结果文件",
    )
    write_outcomes(work / "one.csv", [good])
    refused(
        url, "simulate-fieldwork", "--county", "NOPE", "--outcomes", work / "one.csv", says="NOPE"
    )
    refused(url, "indicators", "--county", "NOPE", "--json", says="NOPE")
    refused(url, "indicators", "--county", "F2", "--round", "999", "--json", says="评估批次 999")


def estimate(database: str, command: str, data) -> dict:
    """Run one codebook command (``assess estimate DATA ...``) on ``data``."""
    words = shlex.split(command)
    assert words[:3] == ["assess", "estimate", "DATA"], command
    (row,) = json.loads(ok(database, "estimate", data, *words[3:]).stdout)
    return row


def test_the_codebook_commands_reproduce_the_report(url, counties):  # noqa: F811
    work = counties["work"]
    out = work / "f2-survey.csv"
    ok(url, "export", "--county", "F2", "--format", "csv", "--out", out)
    with (work / "f2-survey-codebook.csv").open(encoding="utf-8-sig") as f:
        codebook = list(csv.DictReader(f))
    commands = {r["variable"]: r["values"] for r in codebook if r["sheet"] == "commands"}
    totals = {r["variable"]: float(r["values"]) for r in codebook if r["sheet"] == "county"}
    with (work / "f2-survey-purposive.csv").open(encoding="utf-8-sig") as f:
        assert list(csv.DictReader(f)), "the purposive village's households are apart"
    report = indicators(url, "F2")["indicators"]
    found = {}
    for key in ("wrongful_exit_rate", "missed_rate", "recognition_rate"):
        found[key] = estimate(url, commands[key], out)
        assert found[key]["estimate"] == pytest.approx(report[key]["estimate"], rel=1e-9, abs=1e-12)
        assert found[key]["se"] == pytest.approx(report[key]["se"], rel=1e-9, abs=1e-12)
    # the rare-rate interval too (wilson-model: --ci-method auto-rare --icc, as the report)
    for key in ("wrongful_exit_rate", "missed_rate"):
        for end in ("ci_low", "ci_high"):
            reported = report[key][end]
            assert found[key][end] == pytest.approx(reported, rel=1e-9, abs=1e-12), (key, end)
    incidence = (
        totals["remaining_poor"]
        + found["wrongful_exit_rate"]["estimate"] * totals["exited_population"]
        + found["missed_rate"]["estimate"] * totals["non_registered_population"]
    ) / totals["rural_population"]
    assert incidence == pytest.approx(report["poverty_incidence"]["estimate"], rel=1e-9)
    spread = estimate(url, commands["poverty_incidence_se"], out)
    assert spread["se"] == pytest.approx(report["poverty_incidence"]["se"], rel=1e-9)
