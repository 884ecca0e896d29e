"""Content hashes pinned: every recorded draw commitment names a frame hash, so the same content
must hash the same forever, whichever reader reads it.

The hexdigests below were computed by the frame reader of December 2026 (numpy tokenisers, C
XLSX scanner, calamine fallback) on exactly these files, before that reader was replaced by
polars and fastexcel. They are not derived from the code under test: if one changes, recorded
draws no longer verify.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from sampling.frames import read_frame

#: Canonical English headers, Chinese values and spellings the checks map, white space to strip,
#: a quoted cell with a comma, CRLF line breaks, two extra columns, a blank line.
UTF8_CSV = (
    "household_id,township,village,village_code,village_type,remote,status,exit_year,"
    "household_size,head_name,dibao,unsafe_house,serious_illness,no_labour,elderly_alone,"
    "备注,组\r\n"
    'H001,城关镇,东村,V01,poor,1,exited,2018,3,王国华,0,0,0,0,0,"低保, 重点",第1组\r\n'
    "H002,城关镇,东村,V01,贫困村,是,未脱贫,,4.0, 李秀英 ,否,1,0,0,0,,第1组\r\n"
    "\r\n"
    "H010,城关镇,西村,V02,non_poor,0,非建档立卡,,2,张明,1,0,是,0,0,{x},第2组\r\n"
    "H003,石桥乡,南村,V03,非贫困村,否,Exited,2020,5,欧阳建国,0,0,0,1,1,\\反斜杠,\r\n"
    "H004,石桥乡,南村,V03,non_poor,0,non_registered,,1,O'Neil,yes,0,0,0,0,a:b,第3组\r\n"
).encode()
UTF8_HASH = "8a32eda4b86d8c9e794e252824ffe5b85c6ed5c0f74e75e1fcba86fd5ef2c148"

#: Chinese headers, no village codes, no optional flag columns, GBK bytes, tab separated.
GBK_ROWS = [
    ["户编号", "乡镇", "行政村", "村类型", "户类型", "脱贫年份", "家庭人口", "户主姓名", "低保户"],
    ["A-17", "城关镇", "东村", "贫困村", "已脱贫", "2016", "3", "赵平", "否"],
    ["A-02", "城关镇", "东村", "贫困村", "非建档立卡", "", "6", "钱伟", "是"],
    ["B-01", "河口乡", "新庄", "非贫困村", "未脱贫", "", "1", "孙丽", "0"],
    ["B-09", "河口乡", "新庄", "非贫困村", "已脱贫", "2019", "2", "李娜", "1"],
]
GBK_CSV = "".join("\t".join(row) + "\n" for row in GBK_ROWS).encode("gbk")
GBK_HASH = "0e4260eddbc1604439258e14df0fd52ab42cdcddf6094a9cb2936aed92aba8bd"


def _workbook() -> bytes:
    """Numbers as numbers (ints and whole floats), a date and a fraction in extra columns,
    the data sheet first and a notes sheet after it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "抽样框"
    sheet.append(
        [
            "户编号",
            "乡镇",
            "行政村",
            "村编码",
            "村类型",
            "偏远村",
            "户类型",
            "脱贫年份",
            "家庭人口",
            "户主姓名",
            "登记日期",
            "耕地亩数",
        ]
    )
    sheet.append([1001, "城关镇", "东村", 11, "贫困村", 1, "已脱贫", 2018, 3, "王国华"])
    sheet.append([1002, "城关镇", "东村", 11, "贫困村", 1, "未脱贫", None, 4.0, "李秀英"])
    sheet.append([1003, "城关镇", "西村", 12, "非贫困村", 0, "非建档立卡", None, 2, "张明"])
    sheet.append(
        [
            1004,
            "河口乡",
            "北村",
            13,
            "贫困村",
            0,
            "已脱贫",
            2019.0,
            5,
            "刘建平",
            dt.date(2015, 3, 1),
            2.5,
        ]
    )
    sheet.append([" 1005 ", "河口乡", "北村", 13, "贫困村", 0, "exited", "2020", "1", "陈静"])
    book.create_sheet("说明").append(["本表为测试数据"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_HASH = "1a8d71e27faca54ccc72917eeb230f2b7fe449e5d0c69beb160e890c2f88a06e"


@pytest.mark.parametrize(
    ("data", "expected", "file_format", "encoding"),
    [
        (UTF8_CSV, UTF8_HASH, "csv", "utf-8"),
        (GBK_CSV, GBK_HASH, "csv", "gb18030"),
        (_workbook(), XLSX_HASH, "xlsx", None),
    ],
    ids=["csv-utf8", "csv-gbk", "xlsx"],
)
def test_recorded_frame_hashes_still_hold(data, expected, file_format, encoding):
    result = read_frame(data)
    assert result.ok, [str(issue.message) for issue in result.issues]
    assert (result.file_format, result.encoding) == (file_format, encoding)
    assert result.frame.content_hash == expected
