"""Column names and value vocabularies of a household frame (抽样框), English and Chinese.

PURE: standard library only. Headers and coded values are matched after :func:`normalise`
(case-folded, with spaces, underscores and hyphens removed), so ``Household ID``,
``household_id`` and ``HOUSEHOLD-ID`` are the same header. See ``docs/frame-format.md``.
"""

from __future__ import annotations

import re
from types import MappingProxyType

#: Screening flags (排查对象), in canonical order.
FLAG_COLUMNS = ("dibao", "unsafe_house", "serious_illness", "no_labour", "elderly_alone")
#: Canonical columns in canonical order (also the field order of the content hash).
CANONICAL_COLUMNS = (
    *("household_id", "township", "village", "village_code", "village_type", "remote"),
    *("status", "exit_year", "household_size", "head_name", *FLAG_COLUMNS),
)
#: Columns a frame may leave out (read as blank codes, not remote, no flags).
OPTIONAL_COLUMNS = ("village_code", "remote", *FLAG_COLUMNS)
REQUIRED_COLUMNS = tuple(name for name in CANONICAL_COLUMNS if name not in OPTIONAL_COLUMNS)

STATUSES = ("exited", "not_exited", "non_registered")
VILLAGE_TYPES = ("poor", "non_poor")

MIN_HOUSEHOLD_SIZE = 1
#: The 2019 exit-assessment app checked member counts within 0-30 (domain.md section 4).
MAX_HOUSEHOLD_SIZE = 30
#: Registration began in 2014; the last counties exited in 2020. Later years allow re-use.
MIN_EXIT_YEAR = 2014
MAX_EXIT_YEAR = 2035

#: Every accepted header of each canonical column.
HEADER_ALIASES = {
    "household_id": ("household_id", "户编号", "户编码", "户号", "家庭编号", "户代码"),
    "township": ("township", "乡镇", "乡（镇）", "乡(镇)", "乡镇（街道）", "乡镇(街道)", "镇"),
    "village": ("village", "行政村", "村", "村名", "村名称", "行政村名称"),
    "village_code": ("village_code", "村编码", "村代码", "行政村编码", "行政村代码"),
    "village_type": ("village_type", "村类型", "贫困村类型", "村属性"),
    "remote": ("remote", "偏远村", "是否偏远村", "偏远"),
    "status": ("status", "户类型", "状态", "户状态", "脱贫状态", "household_status"),
    "exit_year": ("exit_year", "脱贫年份", "脱贫年度", "脱贫时间"),
    "household_size": ("household_size", "家庭人口", "家庭人口数", "人口数", "户人口数"),
    "head_name": ("head_name", "户主姓名", "户主", "户主名"),
    "dibao": ("dibao", "低保户", "低保", "是否低保户"),
    "unsafe_house": ("unsafe_house", "危房户", "危房", "是否危房户"),
    "serious_illness": ("serious_illness", "重病户", "大病户", "重病", "是否重病户"),
    "no_labour": ("no_labour", "no_labor", "无劳动力户", "无劳动力", "是否无劳动力户"),
    "elderly_alone": ("elderly_alone", "独居老人", "独居老人户", "是否独居老人"),
}

_VILLAGE_TYPE_ALIASES = {
    "poor": ("poor", "贫困村", "贫困"),
    "non_poor": ("non_poor", "nonpoor", "非贫困村", "非贫困"),
}

_STATUS_ALIASES = {
    "exited": ("exited", "已脱贫", "已脱贫户", "脱贫户", "脱贫"),
    "not_exited": ("not_exited", "未脱贫", "未脱贫户"),
    "non_registered": ("non_registered", "非建档立卡", "非建档立卡户", "一般户", "一般农户"),
}

_BOOLEAN_ALIASES = {
    True: ("1", "是", "yes", "y", "true", "√"),
    False: ("0", "否", "no", "n", "false", ""),
}

_DROP = re.compile(r"[\s_\-]+")


def normalise(text: str) -> str:
    """Case-fold ``text`` and drop spaces, underscores and hyphens (for matching only)."""
    return _DROP.sub("", text.casefold())


def _invert(aliases: dict) -> MappingProxyType:
    return MappingProxyType(
        {normalise(alias): key for key, names in aliases.items() for alias in names}
    )


HEADER_LOOKUP = _invert(HEADER_ALIASES)
VILLAGE_TYPE_LOOKUP = _invert(_VILLAGE_TYPE_ALIASES)
STATUS_LOOKUP = _invert(_STATUS_ALIASES)
BOOLEAN_LOOKUP = _invert(_BOOLEAN_ALIASES)


def canonical_column(header: str) -> str | None:
    """The canonical column a file header stands for, or None for an extra column."""
    return HEADER_LOOKUP.get(normalise(header))
