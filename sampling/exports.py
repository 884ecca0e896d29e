"""Column specs of the plan export (CSV / XLSX), streamed through ``assessment.core.exports``."""

from __future__ import annotations

from assessment.core.exports import Column, Sheet
from sampling.plans import EXPORT_COLUMNS

PLAN_COLUMNS = (
    Column("household_id", "户编号", "household id"),
    Column("township", "乡镇", "township"),
    Column("village", "行政村", "village"),
    Column("village_stratum", "村层", "village stratum", "poor / non_poor / remote"),
    Column("stratum", "户层", "household stratum", "exited / not_exited / non_registered"),
    Column("role", "角色", "role", "selected=样本户; reserve=替补户; screening=排查户"),
    Column("reserve_rank", "替补顺序", "reserve rank", "1, 2, … within village and stratum"),
    Column("pi_village", "村入样概率", "first-stage inclusion probability", "0-1"),
    Column("pi_household", "户入样概率（村内）", "second-stage inclusion probability", "0-1"),
    Column("pi", "入样概率", "inclusion probability", "pi_village × pi_household"),
    Column("weight", "设计权数", "design weight", "1 / pi"),
    Column("head_name", "户主姓名", "head of household"),
    Column("team", "评估组", "assigned team"),
)
assert tuple(c.name for c in PLAN_COLUMNS) == EXPORT_COLUMNS


def plan_sheet(rows) -> Sheet:
    """The plan's households as an export sheet (rows: dicts from ``PlanService.export_rows``)."""
    return Sheet("plan", PLAN_COLUMNS, ([r[name] for name in EXPORT_COLUMNS] for r in rows))
