"""A snapshot's codes written as the report's words (reports.wording)."""

import json

from reports import wording as W

DESIGN = json.dumps(
    {
        "type": "two-stage",
        "villages": {"poor": 16, "non_poor": 8},
        "households_per_village": {"exited": 10, "not_exited": 2, "non_registered": 0},
        "reserves_per_household": 2,
        "screening": True,
    }
)


def test_design_in_sentences_not_json():
    zh = W.design_text("zh", DESIGN)
    assert "贫困村 16 个、非贫困村 8 个" in zh
    assert "已脱贫户 10 户、未脱贫户 2 户。" in zh and "非建档立卡户 0" not in zh  # 0 left out
    assert "替补户 2 户" in zh and "排查" in zh and "{" not in zh and "poor" not in zh
    assert "Poor village: 16" in W.design_text("en", DESIGN)
    assert W.design_text("zh", "not json") == "not json"


def test_codes_become_names_and_unknown_values_pass_through():
    assert W.version_text("zh", "draft") == "未编号草稿"
    assert W.version_text("zh", "3") == "3"
    assert W.stratum_text("zh", "non_poor") == "非贫困村"
    assert W.stratum_text("zh", "remote") == "偏远村"
    assert W.stratum_text("zh", "exited") == "已脱贫户"
    assert W.stratum_text("zh", "山区") == "山区"
    assert W.ci_method_text("zh", "korn-graubard, wilson").startswith("Korn–Graubard 区间")
    assert "、Wilson 区间" in W.ci_method_text("zh", "korn-graubard, wilson")
    assert (
        W.instrument_text("zh", "verification-v1, recognition-v2")
        == "入户核查问卷 v1、认可度问卷 v2"
    )
    assert W.seed_commitment_text("zh", "abc · seed 0f") == "abc · 种子 0f"


def test_estimators_of_old_snapshots_are_written_in_the_report_language():
    old = (
        "Weighted ratio estimators (persons) with Taylor linearisation, villages as PSUs "
        "within village strata (with-replacement variance); comprehensive incidence by the "
        "delta method."
    )
    assert W.estimators_text("zh", old).startswith("加权比率估计")
    assert W.estimators_text("zh", "ratio_taylor") == W.estimators_text("zh", old)
    assert W.estimators_text("en", "ratio_taylor") == old


def test_rho_and_its_source_in_the_report_language():
    import dataclasses
    from datetime import date

    from reports.model import Methods, RareRateIcc

    old = Methods("h", "1 (v1)", "{}", (), "c", "ratio_taylor", "wilson-model", "v1")
    assert W.icc_lines("zh", old) == ["错退率：ρ = 0.10（规划值）", "漏评率：ρ = 0.10（规划值）"]
    wrong = RareRateIcc(
        "wrongful_exit_rate", 0.186, "pooled", "2020年评估", 12, 340, 57, date(2020, 5, 4)
    )
    pooled = dataclasses.replace(old, rare_rate_icc=(wrong, RareRateIcc("missed_rate", 0.1)))
    assert W.icc_lines("zh", pooled) == [
        "错退率：ρ = 0.186（由评估批次“2020年评估”的 12 个县、340 个村、57 户事件合并估计，"
        "2020-05-04 起用）",
        "漏评率：ρ = 0.10（规划值）",
    ]
    assert W.icc_lines("en", pooled)[0] == (
        "Wrongful-exit rate: ρ = 0.186 (pooled over 12 counties, 340 villages and 57 event "
        "households of round “2020年评估”, in use from 2020-05-04)"
    )
