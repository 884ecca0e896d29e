"""``assess pool-icc``: the ρ of a round's rare-rate intervals pooled over its counties, through
the console script on SQLite and PostgreSQL (issue 13).

Five small counties of one round are rehearsed to the end, each with two wrongly exited
households in one village (10 錯退 events pooled, clustered) and one missed screening
household (5 漏评 events: too few). The command refuses while fewer than five counties are
complete; then it pools 错退's ρ and leaves 漏评 on the planning value; ``--apply`` records
it, the county's results are computed again with it, and the JSON, the report and the
codebook's command (reproduced to 1e-9) all carry it. ``--planning`` puts the round back on the
planning value with a reason (the history kept) and every output says "planning" again.
"""

from __future__ import annotations

import csv
import json
import re
import shlex

import numpy as np
import pypdf
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from assessment.core.settings import normalise_database_url
from sampling.synthetic import synthetic_frame_csv
from tests.cli.test_console_script import chinese, last_line, ok, refused, url  # noqa: F401
from tests.cli.test_fieldwork_commands import (
    add_round,
    plan_rows,
    query,
    write_outcomes,
)
from tests.sampling_db.conftest import HIERARCHY, SMALL_DESIGN

pytestmark = [pytest.mark.db, pytest.mark.slow]
CODES = ("R1", "R2", "R3", "R4", "R5")
ROUND = "SELECT id FROM assessment_rounds WHERE name = '命令行测试'"
STORED = (
    "SELECT r.data_version FROM county_results r JOIN counties c ON c.id = r.county_id "
    "WHERE c.code = :code"
)


def script(households: list[dict]) -> list[dict]:
    """Everyone reached; two exited households of the first village with two or more
    wrongly exited, the first screening household missed."""
    exited = [h for h in households if h["role"] == "selected" and h["stratum"] == "exited"]
    by_village = [
        [h for h in exited if h["village"] == v] for v in {h["village"]: 0 for h in exited}
    ]
    first = next(group for group in by_village if len(group) >= 2)[:2]
    screening = [h for h in households if h["role"] == "screening"][:1]
    return [
        {
            "household_id": h["household_id"],
            "contacted": 1,
            "wrongly_exited": int(h in first),
            "missed": int(h in screening),
            "recognises": 1,
            "persons": 1 + i % 4,
        }
        for i, h in enumerate(households)
    ]


@pytest.fixture(scope="module")
def round_of_five(url, tmp_path_factory):  # noqa: F811
    """Five imported and drawn counties in one round, four of them rehearsed to the end."""
    work = tmp_path_factory.mktemp("pool")
    ok(url, "initdb")
    design = work / "design.json"
    design.write_text(json.dumps(SMALL_DESIGN))
    for seed, code in enumerate(CODES, 21):
        frame = work / f"{code}.csv"
        frame.write_bytes(
            synthetic_frame_csv(HIERARCHY, 600, rng=np.random.default_rng(seed), id_prefix=code)
        )
        ok(url, "import-frame", frame, "--county", code, "--county-name", f"县{code}")
    add_round(url, *CODES)
    exited, villages, counties = 0, set(), []
    for seed, code in enumerate(CODES, 21):  # seeded draws: the same samples every run
        drawn = ok(url, "draw", "--county", code, "--design", design, "--seed", f"{seed:064x}")
        rows = plan_rows(url, last_line(drawn))
        chosen = [h for h in rows if h["role"] == "selected" and h["stratum"] == "exited"]
        exited += len(chosen)
        villages |= {h["village"] for h in chosen}
        outcomes = script(rows)
        write_outcomes(work / f"{code}.csv", outcomes)
        wrong = {o["household_id"] for o in outcomes if o["wrongly_exited"]}
        counties.append([(h["village"], h["household_id"] in wrong) for h in chosen])
    for code in CODES[:4]:
        rehearse(url, work, code)
    found = {"exited": exited, "villages": len(villages), "expected_rho": anova_icc(counties)}
    return {"work": work, "round": str(query(url, ROUND)[0][0]), **found}


def anova_icc(counties: list[list[tuple[str, bool]]]) -> float:
    """Donner's (1986) one-way ANOVA estimator written out from the script's events: per
    county, households grouped by village around the county's own mean; sums pooled."""
    ssb = ssw = df_b = df_w = n0_df = 0.0
    for households in counties:
        groups: dict[str, list[float]] = {}
        for village, event in households:
            groups.setdefault(village, []).append(float(event))
        n = len(households)
        mean = sum(sum(g) for g in groups.values()) / n
        ssb += sum(len(g) * (sum(g) / len(g) - mean) ** 2 for g in groups.values())
        ssw += sum((x - sum(g) / len(g)) ** 2 for g in groups.values() for x in g)
        df_b += len(groups) - 1
        df_w += n - len(groups)
        n0_df += n - sum(len(g) ** 2 for g in groups.values()) / n
    msb, msw, n0 = ssb / df_b, ssw / df_w, n0_df / df_b
    return max(0.0, (msb - msw) / (msb + (n0 - 1) * msw))


def rehearse(database: str, work, code: str) -> None:
    done = ok(
        database, "simulate-fieldwork", "--county", code, "--outcomes", work / f"{code}.csv",
        "--approve",
    )  # fmt: skip
    assert "实地调查已完成" in done.stdout, done.stdout


def indicators(database: str, code: str) -> dict:
    return json.loads(ok(database, "indicators", "--county", code, "--json").stdout)["indicators"]


def pdf_text(path) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_pool_icc_refuses_then_pools_applies_and_every_output_follows(url, round_of_five):  # noqa: F811
    work, round_id, exited, villages, expected = (
        round_of_five[k] for k in ("work", "round", "exited", "villages", "expected_rho")
    )
    refused(url, "pool-icc", "--round", round_id, says="至少 5 个实地调查已完成的县.*只有 4 个")
    refused(url, "pool-icc", "--round", round_id, "--lang", "en", says="at least 5 counties")
    refused(url, "pool-icc", "--round", "999", says="999")
    rehearse(url, work, "R5")
    before = indicators(url, "R1")
    for key in ("wrongful_exit_rate", "missed_rate"):
        assert (before[key]["icc"], before[key]["icc_source"]) == (0.1, "planning")
    assert "icc" not in before["recognition_rate"]

    shown = chinese(
        ok(url, "pool-icc", "--round", round_id).stdout,
        "5 个县中 5 个实地调查已完成",
        rf"错退率：合并估计 ρ = [\d.]+（5 个县、{villages} 个村、{exited} 户、10 户事件）"
        "；现用 0.100",
        "漏评率：.*5 户事件.*\n.*事件不足 10 户",
    )
    pooled = float(re.search(r"错退率：合并估计 ρ = ([\d.]+)", shown).group(1))
    # two events in one village of each county, none elsewhere: strongly clustered
    assert pooled == pytest.approx(expected, abs=5e-4)
    assert pooled > 0.10  # above the planning value: the interval below widens
    english = ok(url, "pool-icc", "--round", round_id, "--lang", "en").stdout
    assert "Wrongful-exit rate: pooled ρ" in english

    refused(url, "pool-icc", "--round", round_id, "--apply", says="--reason")
    refused(
        url, "pool-icc", "--round", round_id, "--apply", "--reason", "x", "--user", "nobody",
        says="nobody",
    )  # fmt: skip
    stored = query(url, STORED, code="R1")
    applied = ok(url, "pool-icc", "--round", round_id, "--apply", "--reason", "五县合并")
    chinese(applied.stdout, f"错退率 ρ = {pooled:.3f}", "5 个县的结果已重新计算")
    assert query(url, STORED, code="R1")[0][0] > stored[0][0]  # recomputed, not left stale
    (row,) = query(
        url,
        "SELECT value, source, counties, villages, events, reason FROM round_icc "
        "WHERE indicator = 'wrongful_exit_rate'",
    )
    assert row == (pytest.approx(pooled, abs=5e-4), "pooled", 5, villages, 10, "五县合并")
    assert query(url, "SELECT COUNT(*) FROM round_icc WHERE indicator = 'missed_rate'") == [(0,)]

    after = indicators(url, "R1")
    wrong = after["wrongful_exit_rate"]
    assert (wrong["icc"], wrong["icc_source"]) == (pytest.approx(pooled, abs=5e-4), "pooled")
    assert (after["missed_rate"]["icc"], after["missed_rate"]["icc_source"]) == (0.1, "planning")
    # a larger ρ: a larger model design effect, a wider interval; same estimate
    assert wrong["estimate"] == pytest.approx(before["wrongful_exit_rate"]["estimate"])
    assert wrong["ci_high"] > before["wrongful_exit_rate"]["ci_high"]
    assert after["missed_rate"]["ci_high"] == pytest.approx(before["missed_rate"]["ci_high"])

    ok(url, "report", "--county", "R1", "--out", work / "r1.pdf")
    text = re.sub(r"\s+", "", pdf_text(work / "r1.pdf"))
    assert re.search(rf"错退率：ρ={wrong['icc']:.3f}（由评估批次“命令行测试”的5个县", text), text
    assert "漏评率：ρ=0.10（规划值）" in text
    ok(url, "report", "--county", "R1", "--out", work / "r1-en.pdf", "--lang", "en")
    assert "pooledover5counties" in re.sub(r"\s+", "", pdf_text(work / "r1-en.pdf"))


def test_the_codebook_reproduces_the_report_with_a_pooled_rho(url, round_of_five):  # noqa: F811
    work = round_of_five["work"]
    if indicators(url, "R2")["wrongful_exit_rate"]["icc_source"] != "pooled":  # run alone
        rehearse(url, work, "R5")
        ok(url, "pool-icc", "--round", round_of_five["round"], "--apply", "--reason", "合并")
    report = indicators(url, "R2")
    assert report["wrongful_exit_rate"]["icc_source"] == "pooled"
    out = work / "r2-survey.csv"
    ok(url, "export", "--county", "R2", "--format", "csv", "--out", out)
    with (work / "r2-survey-codebook.csv").open(encoding="utf-8-sig") as f:
        codebook = list(csv.DictReader(f))
    commands = {r["variable"]: r["values"] for r in codebook if r["sheet"] == "commands"}
    for key in ("wrongful_exit_rate", "missed_rate"):
        words = shlex.split(commands[key])
        assert float(words[words.index("--icc") + 1]) == report[key]["icc"]
        (found,) = json.loads(ok(url, "estimate", out, *words[3:]).stdout)
        for field in ("estimate", "se", "ci_low", "ci_high"):
            expected = report[key][field]
            assert found[field] == pytest.approx(expected, rel=1e-9, abs=1e-12), (key, field)


def _pooled_in_force(url, round_of_five) -> None:  # noqa: F811
    if indicators(url, "R3")["wrongful_exit_rate"]["icc_source"] != "pooled":  # run alone
        if query(url, "SELECT COUNT(*) FROM round_icc") == [(0,)]:
            rehearse(url, round_of_five["work"], "R5")
        ok(url, "pool-icc", "--round", round_of_five["round"], "--apply", "--reason", "合并")


ICC_ROWS = "SELECT source, value, reason FROM round_icc WHERE indicator = :key ORDER BY id"


def test_pool_icc_planning_puts_the_round_back_and_keeps_the_history(url, round_of_five):  # noqa: F811
    work, round_id = round_of_five["work"], round_of_five["round"]
    _pooled_in_force(url, round_of_five)
    pooled = indicators(url, "R3")
    assert pooled["wrongful_exit_rate"]["icc"] > 0.1
    history = query(url, ICC_ROWS, key="wrongful_exit_rate")
    assert history[-1][0] == "pooled"

    # no reason, or with --apply: refused before anything is written
    refused(url, "pool-icc", "--round", round_id, "--planning", says="--planning.*--reason")
    refused(
        url, "pool-icc", "--round", round_id, "--planning", "--reason", " ", "--lang", "en",
        says="--planning needs --reason",
    )  # fmt: skip
    refused(
        url, "pool-icc", "--round", round_id, "--planning", "--apply", "--reason", "x",
        says="--apply",
    )  # fmt: skip
    assert query(url, ICC_ROWS, key="wrongful_exit_rate") == history
    assert indicators(url, "R3") == pooled

    stored = query(url, STORED, code="R3")
    done = ok(url, "pool-icc", "--round", round_id, "--planning", "--reason", "合并值存疑")
    chinese(done.stdout, "错退率已恢复规划值 ρ = 0.100", "5 个县的结果已重新计算")
    assert query(url, STORED, code="R3")[0][0] > stored[0][0]  # recomputed, not left stale
    # history kept: the earlier rows, then the planning row in force; 漏评 never left planning
    assert query(url, ICC_ROWS, key="wrongful_exit_rate") == [
        *history,
        ("planning", pytest.approx(0.1), "合并值存疑"),
    ]
    assert query(url, ICC_ROWS, key="missed_rate") == []

    after = indicators(url, "R3")
    wrong = after["wrongful_exit_rate"]
    assert (wrong["icc"], wrong["icc_source"]) == (0.1, "planning")
    # a smaller ρ again: the interval narrows back; the estimate does not move
    assert wrong["estimate"] == pytest.approx(pooled["wrongful_exit_rate"]["estimate"])
    assert wrong["ci_high"] < pooled["wrongful_exit_rate"]["ci_high"]
    ok(url, "report", "--county", "R3", "--out", work / "r3.pdf")
    text = re.sub(r"\s+", "", pdf_text(work / "r3.pdf"))
    assert "错退率：ρ=0.10（规划值）" in text and "漏评率：ρ=0.10（规划值）" in text
    assert "由评估批次" not in text
    ok(url, "export", "--county", "R3", "--format", "csv", "--out", work / "r3-survey.csv")
    with (work / "r3-survey-codebook.csv").open(encoding="utf-8-sig") as f:
        codebook = list(csv.DictReader(f))
    commands = {r["variable"]: r["values"] for r in codebook if r["sheet"] == "commands"}
    words = shlex.split(commands["wrongful_exit_rate"])
    assert float(words[words.index("--icc") + 1]) == 0.1

    # nothing left to put back: said so, nothing written
    refused(
        url, "pool-icc", "--round", round_id, "--planning", "--reason", "再来",
        says="已在使用 ρ 的规划值",
    )  # fmt: skip
    assert len(query(url, ICC_ROWS, key="wrongful_exit_rate")) == len(history) + 1


# 漏评率's screening model (k_C, ρ_C, k_U, ρ_U) as `pool-icc --apply` records it from a pool of
# ten counties with screening; written by the test (the module's round has five counties).
MODEL = (0.6, 0.12, 0.45, 0.08)


def record_screening_model(database: str, round_id: str) -> None:
    """Record :data:`MODEL` for the round through :func:`reports.icc.apply` (the command's and
    the web page's recording path: append-only row, the round's counties marked stale)."""
    from assessment.core.models import AssessmentRound
    from assessment.indicators.icc import PooledIcc
    from reports import icc

    engine = create_engine(normalise_database_url(database))
    with Session(engine) as db:
        target = db.get(AssessmentRound, int(round_id))
        values = {
            "wrongful_exit_rate": PooledIcc(float("nan"), 10, 60, 400, 0),
            "missed_rate": PooledIcc(0.2, 10, 60, 500, 30),
        }
        pooled = icc.Pooled(target, 10, 10, values, icc.ScreeningPool(10, 18, 12, MODEL))
        icc.apply(db, target, pooled, None, "十县合并（排查模型）")
        db.commit()
    engine.dispose()


def test_a_recorded_screening_model_puts_the_missed_rate_on_the_census_size(url, round_of_five):  # noqa: F811
    """Five complete counties: no screening model (ten needed), 漏评率 on the village model.
    A recorded model: the county's 漏评率 takes the census effective size (same estimate,
    another interval), the JSON and the report say so, and the codebook's command gives the
    report's interval and bound to 1e-9."""
    work, round_id = round_of_five["work"], round_of_five["round"]
    _pooled_in_force(url, round_of_five)
    shown = ok(url, "pool-icc", "--round", round_id).stdout
    chinese(shown, "排查模型需要 10 个实地调查已完成且有排查的县.*漏评率仍按村级模型计算")
    english = ok(url, "pool-icc", "--round", round_id, "--lang", "en").stdout
    assert "The screening model needs 10 complete counties" in english
    assert query(url, "SELECT COUNT(*) FROM round_icc WHERE k_census IS NOT NULL") == [(0,)]
    before = indicators(url, "R4")["missed_rate"]
    assert (before["effective_size"], before["screening_model"]) == ("village_model", None)

    record_screening_model(url, round_id)
    (row,) = query(
        url,
        "SELECT k_census, rho_census, k_unflagged, rho_unflagged, screening_counties, "
        "census_events, unflagged_events FROM round_icc WHERE k_census IS NOT NULL",
    )
    assert row == (*MODEL, 10, 18, 12)
    missed = indicators(url, "R4")["missed_rate"]
    assert missed["effective_size"] == "screening_census"
    assert missed["screening_model"] == dict(
        zip(("k_census", "rho_census", "k_unflagged", "rho_unflagged"), MODEL, strict=True)
    )
    assert missed["estimate"] == pytest.approx(before["estimate"], rel=1e-12)
    assert missed["se"] == pytest.approx(before["se"], rel=1e-12)
    assert missed["ci_high"] != pytest.approx(before["ci_high"], rel=1e-6)
    assert missed["ci_low"] <= missed["estimate"] <= missed["one_sided_bound"] <= missed["ci_high"]
    # 错退率 is untouched by the screening model
    wrong = indicators(url, "R4")["wrongful_exit_rate"]
    assert wrong["effective_size"] == "village_model" and wrong["screening_model"] is None

    ok(url, "report", "--county", "R4", "--out", work / "r4.pdf")
    text = re.sub(r"\s+", "", pdf_text(work / "r4.pdf"))
    assert "漏评率：有效样本量按排查普查模型计算" in text, text
    assert "普查组相对比率0.600、村内相关ρ=0.120" in text
    assert "按排查普查模型计算；设计自由度" in text  # the bound's label names the size
    ok(url, "report", "--county", "R4", "--out", work / "r4-en.pdf", "--lang", "en")
    english = re.sub(r"\s+", "", pdf_text(work / "r4-en.pdf"))
    assert "effectivesamplesizefromthescreeningcensusmodel" in english

    out = work / "r4-survey.csv"
    ok(url, "export", "--county", "R4", "--format", "csv", "--out", out)
    with (work / "r4-survey-codebook.csv").open(encoding="utf-8-sig") as f:
        codebook = list(csv.DictReader(f))
    commands = {r["variable"]: r["values"] for r in codebook if r["sheet"] == "commands"}
    words = shlex.split(commands["missed_rate"])
    given = words[words.index("--screening-model") + 1]
    assert tuple(float(v) for v in given.split(",")) == MODEL
    (found,) = json.loads(ok(url, "estimate", out, *words[3:]).stdout)
    for field, reported in (
        ("estimate", "estimate"), ("se", "se"), ("ci_low", "ci_low"), ("ci_high", "ci_high"),
        ("upper_bound", "one_sided_bound"),
    ):  # fmt: skip
        assert found[field] == pytest.approx(missed[reported], rel=1e-9, abs=1e-12), field
    assert "--screening-model" not in commands["wrongful_exit_rate"]
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    non_registered = [r for r in rows if r["status"] == "non_registered"]
    assert {r["flagged"] for r in non_registered} == {"0", "1"}
    assert all(r["role"] != "screening" or r["flagged"] == "1" for r in non_registered)
    assert all(int(r["village_nr_households"]) >= 1 for r in non_registered)

    # bad option values: a message, no traceback
    base = [str(out), *words[3:]]
    at = base.index("--screening-model") + 1
    for bad, says in (
        ("0.6,0.12,0.45", "四个数"), ("0.6,1.5,0.45,0.08", "四个数"), ("a,b,c,d", "四个数"),
        ("-1,0.1,0.4,0.1", "四个数"),
    ):  # fmt: skip
        given = [*base[: at - 1], f"--screening-model={bad}", *base[at + 1 :]]
        refused(url, "estimate", *given, says=says)
    english = [*base[:at], "x", *base[at + 1 :], "--lang", "en"]
    refused(url, "estimate", *english, says="--screening-model must be four numbers")
    without = [w for w in base if w not in ("--flag-column", "flagged")]
    refused(url, "estimate", *without, says="--flag-column")
    wald = [*base, "--ci-method", "auto"]
    refused(url, "estimate", *wald, says="auto-rare")
    flag = base.index("--flag-column") + 1
    refused(url, "estimate", *base[:flag], "persons", *base[flag + 1 :], says="0 或 1")
