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
