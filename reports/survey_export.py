"""The survey-data export: approved interviews, one row per household, roster on a sheet apart.

The ``households`` sheet holds the households of villages drawn at random, with the design
columns (``weight``, ``village_stratum`` strata, ``village_id`` PSU) and every variable the
four indicators are computed from, so that ``assess estimate`` (or other survey software)
reproduces the report exactly; purposive villages (chosen, not drawn) are on a sheet of
their own, ``purposive``, since they are not part of the design. The codebook ends with the
exact commands (:func:`reproduction_notes`), e.g. the wrongful-exit rate is
``assess estimate DATA --var wrongly_exited_persons --denominator persons --stat ratio
--weight weight --strata village_stratum --cluster village_id --domain "status == 'exited'"
--lonely-psu adjust``.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.exports import Column, Sheet
from assessment.indicators.county import RARE_RATE_ICC
from reports import county_estimates as ce
from sampling.services import Household, PlanHousehold
from surveys.services import Interview

INCOME = (
    "income_wages",
    "income_business_gross",
    "income_business_costs",
    "income_property",
    "income_transfer_dibao",
    "income_transfer_pension",
    "income_transfer_other",
)
STANDARDS = (
    "income_ok",
    "food_ok",
    "clothing_ok",
    "schooling_ok",
    "medical_ok",
    "housing_ok",
    "water_ok",
)
YES_NO = "1=是/yes; 0=否/no"
HOUSEHOLD_COLUMNS = (
    Column("household_id", "户编号", "household id"),
    Column("township", "乡镇", "township"),
    Column("village", "行政村", "village"),
    Column("village_id", "样本村编号（初级抽样单元）", "village id (PSU)"),
    Column(
        "village_stratum", "村层", "village stratum (design strata)", "poor / non_poor / remote"
    ),
    Column("random_village", "随机抽取的村", "village drawn at random", YES_NO),
    Column("status", "户类型", "registration status", "exited / not_exited / non_registered"),
    Column("role", "样本角色", "role in the plan", "selected / reserve / screening"),
    Column(
        "weight",
        "权数（无应答调整后）",
        "weight adjusted for non-contact",
        "1 / inclusion probability, scaled within village × household type (screening: "
        "village) so that the interviewed households carry the households not reached",
    ),
    Column("base_weight", "设计权数", "design weight", "1 / inclusion probability"),
    Column("pi_village", "村入样概率", "village inclusion probability", "0-1"),
    Column("persons", "家庭人口", "household members", "persons"),
    Column(
        "verdict",
        "核查结论",
        "derived verdict",
        "meets_standard / wrongly_exited / missed / still_poor",
    ),
    Column("wrongly_exited", "错退户", "wrongly exited household", YES_NO),
    Column(
        "wrongly_exited_persons", "错退人数", "persons of a wrongly exited household", "persons"
    ),
    Column(
        "missed_persons",
        "计入漏评率的人数",
        "missed persons as counted in the missed rate",
        "persons; a flagged household drawn by SRS counts × pi (census weight 1); a reserve "
        "interviewed in the slot of a flagged household drawn by SRS counts 0",
    ),
    Column(
        "missed_size",
        "漏评时计入人数",
        "missed persons the household would count if found missed",
        "persons, scaled as missed_persons is; the event size of the missed rate's interval "
        "(--event-size)",
    ),
    Column("recognises", "认可", "recognising household", "1 / 0; blank = not asked"),
    Column(
        "village_non_registered",
        "村非建档立卡人口",
        "non-registered persons of the village",
        "persons (from the frame)",
    ),
    Column(
        "missed_denominator",
        "漏评率分母份额",
        "share of the village's non-registered population in the missed rate's denominator",
        "persons / weight: village_non_registered / (pi_village × k × weight) for each of the "
        "k non-registered rows of the village, 0 for other rows",
    ),
    Column(
        "flagged",
        "排查标记户",
        "carries a screening flag (non-registered households of a plan with screening)",
        "1=是/yes; 0=否/no; blank = the plan has no screening; --flag-column of the missed "
        "rate's census effective size",
    ),
    Column(
        "village_nr_households",
        "村非建档立卡户数",
        "non-registered households of the village",
        "households (from the frame); --village-size-column of the missed rate's census "
        "effective size",
    ),
    Column(
        "incidence_score",
        "综合贫困发生率线性化得分",
        "linearised score of poverty incidence (delta method)",
        "slope × Σ_k share_k × (y_k − r_k x_k) / X_k over 错退率 and 漏评率; the SE of its "
        "weighted total is the SE of poverty incidence",
    ),
    Column("income_per_capita", "人均纯收入", "per-capita net income", "yuan per person per year"),
    *(Column(name, name, name.replace("_", " "), "yuan, last 12 months") for name in INCOME),
    *(Column(name, name, name.replace("_", " "), YES_NO) for name in STANDARDS),
)
MEMBER_COLUMNS = (
    Column("household_id", "户编号", "household id"),
    Column("member", "成员序号", "member number", "1 = first row of the roster"),
    Column("relation", "与户主关系", "relation to the head"),
    Column("sex", "性别", "sex"),
    Column("age", "年龄", "age", "years"),
    Column("schooling", "在校情况", "schooling (ages 6-15)"),
    Column("insured", "参加医保", "medical insurance", YES_NO),
    Column("labour", "劳动能力", "labour capacity"),
    Column("migrant", "外出务工", "migrant work", YES_NO),
)


def _flag(value) -> object:
    return "" if value is None else int(bool(value))


def _rate_parts(row: dict) -> dict[str, tuple[float, float, bool]]:
    """``(y, x, concerned)`` of a row for 错退率 and 漏评率, as the estimate reads them."""
    exited, non_registered = row["status"] == "exited", row["status"] == "non_registered"
    return {
        "wrongful_exit_rate": (row["persons"] * row["wrongly_exited"], row["persons"], exited),
        "missed_rate": (row["missed_persons"], row["missed_denominator"], non_registered),
    }


def incidence_scores(data: ce.CountyData) -> dict[str, float]:
    """Household id -> linearised score of poverty incidence (random villages).

    Incidence = base + slope × q with q = Σ_k share_k r_k over the two rates whose county
    population is positive (share_k = population_k / their sum, slope = their sum / rural
    population). By the delta method q's linearised variable is Σ_k share_k (y_k − r_k x_k) /
    X_k, with X_k the weighted denominator total: the design SE of the weighted total of the
    scores is the SE of poverty incidence, as the report computes it.
    """
    rows = [r for r in data.rows if r["random_village"]]
    t = data.totals
    populations = {
        "wrongful_exit_rate": t.exited_population,
        "missed_rate": t.non_registered_population,
    }
    used = {k: p for k, p in populations.items() if p > 0}
    scores = dict.fromkeys((r["household_id"] for r in rows), 0.0)
    if not used or not t.rural_population > 0:
        return scores
    total = sum(used.values())
    slope = total / t.rural_population
    for key, population in used.items():
        parts = [(r, *_rate_parts(r)[key]) for r in rows]
        x_total = sum(r["weight"] * x for r, _, x, on in parts if on)
        if not x_total > 0:
            return dict.fromkeys(scores, 0.0)
        ratio = sum(r["weight"] * y for r, y, _, on in parts if on) / x_total
        for r, y, x, on in parts:
            if on:
                scores[r["household_id"]] += slope * population / total * (y - ratio * x) / x_total
    return scores


def _household_row(row: dict, interview, score: float) -> list:
    answers = json.loads(interview.verification_json or "{}")
    standards = json.loads(interview.standards_json or "{}")
    recognises = row["recognises"]
    return [
        row["household_id"],
        row["township"],
        row["village"],
        row["village_id"],
        row["village_stratum"],
        int(row["random_village"]),
        row["status"],
        row["role"],
        row["weight"],
        row["base_weight"],
        row["pi_village"],
        row["persons"],
        row["verdict"],
        row["wrongly_exited"],
        row["persons"] * row["wrongly_exited"],
        row["missed_persons"],
        row.get("missed_size", row["persons"]),
        "" if recognises != recognises else int(recognises),
        row["village_non_registered"],
        row["missed_denominator"],
        "" if row.get("flagged") is None else int(row["flagged"]),
        row.get("village_nr_households", ""),
        score,
        interview.income_per_capita,
        *(answers.get(name, "") for name in INCOME),
        *(_flag(standards.get(name)) for name in STANDARDS),
    ]


def export_sheets(db: Session, data: ce.CountyData) -> tuple[Sheet, Sheet, Sheet]:
    """The households (random villages), purposive and members sheets of a county (rows
    generated lazily)."""
    # The household ids come with the interviews (one query; a lazy load per interview was
    # two queries per household).
    interviews = {
        household_id: i
        for i, household_id in db.execute(
            select(Interview, Household.household_id)
            .join(PlanHousehold, Interview.plan_household_id == PlanHousehold.id)
            .join(Household, PlanHousehold.household_pk == Household.id)
            .where(
                Interview.plan_id == data.plan.id,
                Interview.status == "approved",
                Interview.contact_outcome == "interviewed",
            )
        )
    }

    scores = incidence_scores(data)

    def households(random: bool):
        for row in data.rows:
            if bool(row["random_village"]) == random:
                score = scores.get(row["household_id"], 0.0) if random else 0.0
                yield _household_row(row, interviews[row["household_id"]], score)

    def members():
        for row in data.rows:
            answers = json.loads(interviews[row["household_id"]].verification_json or "{}")
            for number, m in enumerate(answers.get("roster", []), 1):
                yield [
                    row["household_id"],
                    number,
                    m.get("relation", ""),
                    m.get("sex", ""),
                    m.get("age", ""),
                    m.get("schooling", ""),
                    _flag(m.get("insured")),
                    m.get("labour", ""),
                    _flag(m.get("migrant")),
                ]

    return (
        Sheet("households", HOUSEHOLD_COLUMNS, households(True)),
        Sheet("purposive", HOUSEHOLD_COLUMNS, households(False)),
        Sheet("members", MEMBER_COLUMNS, members()),
    )


DESIGN = "--weight weight --strata village_stratum --cluster village_id --lonely-psu adjust --json"
COMMANDS = {
    "wrongful_exit_rate": (
        "错退率：错退人数 ÷ 已脱贫户人数（加权比率）",
        "Wrongful-exit rate: persons wrongly exited / persons of exited households",
        "--var wrongly_exited_persons --denominator persons --stat ratio "
        "--domain \"status == 'exited'\" --ci-method auto-rare --icc {icc}",
    ),
    "missed_rate": (
        "漏评率：漏评人数 ÷ 样本村非建档立卡人口（加权比率）",
        "Missed rate: missed persons / non-registered population of the sampled villages",
        "--var missed_persons --denominator missed_denominator --event-size missed_size "
        "--stat ratio --domain \"status == 'non_registered'\" --ci-method auto-rare "
        "--icc {icc}",
    ),
    "recognition_rate": (
        "群众认可度：认可户 ÷ 受访户（加权）",
        "Mass recognition: recognising households / households asked",
        "--var recognises --stat mean",
    ),
}


SCREENING = (
    "--screening-model {model} --flag-column flagged --village-size-column village_nr_households"
)


def command(
    indicator: str,
    data: str = "DATA",
    icc: float | None = RARE_RATE_ICC,
    screening: tuple[float, float, float, float] | None = None,
) -> str:
    """The ``assess estimate`` command that gives ``indicator`` from the households data
    (``icc``: the round's ρ of a rare rate, written exactly so that the command gives the
    report's figures; ``screening``: 漏评率's screening model ``(k_C, ρ_C, k_U, ρ_U)`` when
    the report's interval rests on the census effective size)."""
    options = COMMANDS[indicator][2].format(icc=repr(float(icc)) if icc is not None else "")
    if screening is not None and indicator == "missed_rate":
        model = ",".join(repr(float(v)) for v in screening)
        options = f"{options} {SCREENING.format(model=model)}"
    return f"assess estimate {data} {options} {DESIGN}"


def census_model(data: ce.CountyData) -> tuple[float, float, float, float] | None:
    """漏评率's screening model when the county's report uses the census effective size: the
    round records one and the plan has screening (its rows carry the flags)."""
    model = data.scheme.missed_screening
    if model is None or not data.rows or any(r.get("flagged") is None for r in data.rows):
        return None
    return model


def reproduction_notes(data: ce.CountyData) -> tuple[tuple[str, str, str, str, str], ...]:
    """Codebook entries with the exact commands reproducing the report's indicators.

    ``DATA`` is the households CSV or the XLSX file (its first sheet is ``households``).
    Poverty incidence combines the two rates with the county totals of the frame.
    """
    t = data.totals
    screening = census_model(data)
    notes = [
        ("commands", key, zh, en, command(key, icc=data.scheme.icc(key), screening=screening))
        for key, (zh, en, _) in COMMANDS.items()
    ]
    totals = (
        ("remaining_poor", "未脱贫人口", "remaining registered poor persons", t.remaining_poor),
        ("exited_population", "已脱贫人口", "persons of exited households", t.exited_population),
        (
            "non_registered_population",
            "非建档立卡人口",
            "non-registered persons",
            t.non_registered_population,
        ),
        ("rural_population", "农村人口", "rural population", t.rural_population),
    )
    notes += [("county", name, zh, en, repr(float(value))) for name, zh, en, value in totals]
    notes.append(
        (
            "commands",
            "poverty_incidence_se",
            "综合贫困发生率的标准误 = 下列命令所得总量的标准误（se）",
            "SE of poverty incidence = the se this command gives (of a total that is 0)",
            f"assess estimate DATA --var incidence_score --stat total {DESIGN}",
        )
    )
    notes.append(
        (
            "commands",
            "poverty_incidence",
            "综合贫困发生率 =（未脱贫人口 + 错退率 × 已脱贫人口 + 漏评率 × 非建档立卡人口）"
            "÷ 农村人口",
            "Poverty incidence = (remaining_poor + wrongful_exit_rate × exited_population + "
            "missed_rate × non_registered_population) / rural_population",
            "(remaining_poor + wrongful_exit_rate * exited_population + missed_rate * "
            "non_registered_population) / rural_population",
        )
    )
    return tuple(notes)
