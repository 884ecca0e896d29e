"""Simulated report snapshots for demos, tests and benchmarks (PURE).

Everything here is made up and marked ``simulated=True``: a report built from it says
模拟数据 on the cover and on every page.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import numpy as np

from reports.model import (
    PROBLEM_KINDS,
    CountRow,
    CountyReport,
    CountySummary,
    Coverage,
    GroupEstimate,
    Indicator,
    Methods,
    Problem,
    ProvinceReport,
    StratumSize,
)

PLACE_SYLLABLES = "龙泉石桥河西城关青山白沙高坪新田长岭金竹云溪大坝柳湾花园马场红岩"
HOUSEHOLD_TYPES = ("已脱贫户", "其中：易地扶贫搬迁户", "未脱贫户", "非建档立卡户")
THRESHOLDS = {
    "poverty_incidence": (0.02, "<="),
    "wrongful_exit_rate": (0.02, "<="),
    "missed_rate": (0.02, "<="),
    "recognition_rate": (0.90, ">="),
}
REASONS = (
    "家庭人均纯收入低于当年贫困线，收入主要依靠低保和临时救助，缺乏稳定来源。",
    "住房为C级危房，墙体开裂、屋顶漏雨，尚未纳入改造计划。",
    "家中有一名适龄儿童辍学在家务农，未办理送教上门。",
    "患慢性病，未办理慢病卡，自付医疗费用较高。",
    "对帮扶措施和退出结果不认可，反映产业扶持资金未到位。",
)
STANDARDS = ("income_ok", "housing_ok", "schooling_ok", "medical_ok", "water_ok", "food_ok")
STATUSES = ("approved", "appealed", "upheld", "pending", "returned")


def place_names(count: int, suffix: str, rng: np.random.Generator) -> list[str]:
    """``count`` distinct made-up place names such as 龙泉镇."""
    names: list[str] = []
    while len(names) < count:
        a, b = rng.integers(0, len(PLACE_SYLLABLES), 2)
        name = PLACE_SYLLABLES[a] + PLACE_SYLLABLES[b] + suffix
        if name not in names:
            names.append(name)
    return names


def indicator(key: str, estimate: float, half_width: float) -> Indicator:
    """An Indicator with a symmetric interval, verdicts derived from the scheme threshold."""
    threshold, comparator = THRESHOLDS[key]
    low, high = max(0.0, estimate - half_width), min(1.0, estimate + half_width)
    upper = comparator == "<="
    meets = estimate <= threshold if upper else estimate >= threshold
    if upper:
        confidence = (
            "meets" if high <= threshold else "fails" if low > threshold else "inconclusive"
        )
    else:
        confidence = (
            "meets" if low >= threshold else "fails" if high < threshold else "inconclusive"
        )
    z = (threshold - estimate if upper else estimate - threshold) / max(half_width / 1.96, 1e-9)
    prob = 0.5 * (1 + math.erf(z / math.sqrt(2)))  # normal approximation, for display only
    return Indicator(
        key,
        estimate,
        low,
        high,
        threshold,
        comparator,
        "meets" if meets else "fails",
        confidence,
        prob,
        numerator=round(estimate * 3000),
        denominator=3000,
    )


def _problems(
    n: int, townships: list[str], villages: list[str], rng: np.random.Generator
) -> tuple[Problem, ...]:
    problems = []
    for i in range(n):
        t = int(rng.integers(len(townships)))
        v = int(rng.integers(len(villages)))
        picks = rng.choice(len(STANDARDS), size=int(rng.integers(1, 3)), replace=False)
        problems.append(
            Problem(
                kind=PROBLEM_KINDS[int(rng.integers(3))],
                township=townships[t],
                village=villages[v],
                household_id=f"5226{t:03d}{v:03d}{i:05d}{int(rng.integers(10))}",
                persons=int(rng.integers(1, 7)),
                standards_not_met=tuple(STANDARDS[j] for j in sorted(picks)),
                reasons=REASONS[int(rng.integers(len(REASONS)))] * int(rng.integers(1, 3)),
                review_status=STATUSES[int(rng.integers(len(STATUSES)))],
            )
        )
    return tuple(problems)


def _groups(names, keys, rng: np.random.Generator) -> tuple[GroupEstimate, ...]:
    out = []
    for name in names:
        for key in keys:
            if key == "recognition_rate":
                est = float(rng.uniform(0.86, 0.99))
            else:
                est = float(rng.uniform(0.0, 0.025))
            hw = float(rng.uniform(0.004, 0.03))
            out.append(
                GroupEstimate(
                    name,
                    key,
                    est,
                    max(0.0, est - hw),
                    min(1.0, est + hw),
                    int(rng.integers(80, 300)),
                )
            )
    return tuple(out)


def sample_county_report(
    *,
    rng: np.random.Generator,
    problems: int = 25,
    interviews: int = 1500,
    townships: int = 8,
    county: str = "示范县",
    signed_off: bool = False,
) -> CountyReport:
    """A simulated, internally consistent county snapshot."""
    town_names = place_names(townships, "镇", rng)
    village_names = place_names(min(townships * 4, 60), "村", rng)
    inds = (
        indicator("poverty_incidence", 0.0086, 0.004),
        indicator("wrongful_exit_rate", 0.0041, 0.0025),
        indicator("missed_rate", 0.0118, 0.0095),
        indicator("recognition_rate", 0.9467, 0.018),
    )
    share = np.array([0.45, 0.08, 0.07, 0.40])
    planned = np.round(share * interviews * 1.04).astype(int)
    rows = tuple(
        CountRow(t, int(p), round(float(p) / 1.04))
        for t, p in zip(HOUSEHOLD_TYPES, planned, strict=True)
    )
    coverage = Coverage(
        townships=townships,
        villages_poor=len(village_names) * 2 // 3,
        villages_non_poor=len(village_names) - len(village_names) * 2 // 3,
        villages_purposive=len(village_names) // 4,
        households_by_type=rows,
        interviews_completed=interviews,
        substitutions=interviews // 20,
        substitution_reasons=(
            ("外出务工，无人在家", interviews // 40),
            ("拒访", interviews // 200),
            ("已搬迁", interviews // 100),
        ),
        response_rates=(("已脱贫户", 0.962), ("未脱贫户", 0.981), ("非建档立卡户", 0.944)),
    )
    methods = Methods(
        frame_hash="9f2c" + "0123456789abcdef" * 3 + "deadbeefcafe",
        plan_id="PLAN-2019-522601-01",
        design="分层两阶段抽样：按贫困村/非贫困村分层，按户数的PPS系统抽取行政村，村内等距抽取样本户；"
        "另对偏远村目标抽样，单独报告。",
        strata=(
            StratumSize("贫困村", 120, coverage.villages_poor),
            StratumSize("非贫困村", 95, coverage.villages_non_poor),
            StratumSize("样本村内建档立卡户", 9800, interviews // 2, unit="household"),
        ),
        seed_commitment="sha256:" + "5be0" * 16,
        estimators="比率估计（按人口加权），以行政村为初级抽样单位的泰勒线性化方差。",
        ci_method="wilson-model, wald-t",
        instrument_version="verification-2019.2 / recognition-2019.1",
    )
    start = date(2019, 7, 8)
    return CountyReport(
        scheme="2019年贫困县退出专项评估检查",
        year=2019,
        province="贵州省",
        county=county,
        period_start=start,
        period_end=start + timedelta(days=12),
        institution="某大学第三方评估中心",
        team_leaders=("张伟", "李娜"),
        version="1.0",
        report_date=date(2019, 8, 2),
        created=datetime(2019, 8, 2, 10, 30, tzinfo=timezone(timedelta(hours=8))),
        verdict="inconclusive",
        indicators=inds,
        coverage=coverage,
        methods=methods,
        problems=_problems(problems, town_names, village_names, rng),
        by_township=_groups(
            town_names, ("wrongful_exit_rate", "missed_rate", "recognition_rate"), rng
        ),
        recognition_by_type=_groups(HOUSEHOLD_TYPES, ("recognition_rate",), rng),
        signed_off=signed_off,
        simulated=True,
    )


def sample_province_report(*, rng: np.random.Generator, counties: int = 12) -> ProvinceReport:
    """A simulated provincial snapshot with passing, failing and inconclusive counties."""
    rows = []
    for name in place_names(counties, "县", rng):
        recog = float(rng.uniform(0.87, 0.985))
        wrong = float(rng.uniform(0.0, 0.026))
        inds = (
            indicator("poverty_incidence", float(rng.uniform(0.002, 0.018)), 0.004),
            indicator("wrongful_exit_rate", wrong, float(rng.uniform(0.002, 0.008))),
            indicator("missed_rate", float(rng.uniform(0.0, 0.012)), 0.005),
            indicator("recognition_rate", recog, 0.015),
        )
        if any(i.verdict == "fails" for i in inds):
            verdict = "not_met"
        elif any(i.confidence == "inconclusive" for i in inds):
            verdict = "inconclusive"
        else:
            verdict = "exit_recommended"
        rows.append(
            CountySummary(
                name, verdict, inds, int(rng.integers(1200, 1700)), int(rng.integers(0, 40))
            )
        )
    return ProvinceReport(
        scheme="2019年贫困县退出专项评估检查",
        year=2019,
        province="贵州省",
        institution="某大学第三方评估中心",
        version="1.0",
        report_date=date(2019, 9, 1),
        created=datetime(2019, 9, 1, 9, 0, tzinfo=timezone(timedelta(hours=8))),
        counties=tuple(rows),
        simulated=True,
    )
