"""Reading frame files into one table of text cells: CSV through polars, XLSX through fastexcel.

The XLSX reference is openpyxl (a pure-Python reader, independent of calamine) for the cells
frames hold: text, whole and decimal numbers, dates, blank rows and columns.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import fastexcel
import numpy as np
import openpyxl
import pytest

from sampling.frames import Limits, read_frame
from sampling.frames.read import FrameFileError, read_table
from sampling.synthetic import synthetic_frame_csv


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _openpyxl_cells(value) -> str:
    """A cell as a CSV export writes it: whole numbers without ``.0``, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    return str(value)


def _reference(data: bytes) -> list[tuple[int, list[str]]]:
    """(row number, cells) of every non-blank row after the header, as openpyxl reads them."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = [
        (number, [_openpyxl_cells(v) for v in values])
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
    ]
    book.close()
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    return rows


HEADER = ["户编号", " 户主姓名 ", "家庭人口", "人均收入", "登记日期", "备注"]
ROWS = [
    [45210000294545, "  王国华 ", 3, 12.0, dt.date(2020, 5, 1), "x"],
    [45210000294546, "李明", 4, 8123.45, dt.datetime(2019, 12, 31, 8, 30, 15), None],
    [45210000294547, None, 2.0, 0.1, None, " 注 "],
    None,  # a blank row in the middle
    ["452100", "张三丰", -5, 2.5, None, None],
    [None, None, None, None, None, "末尾"],
    [45210000294551],  # a short row
]


@pytest.mark.parametrize(("blank_rows", "blank_columns"), [(0, 0), (2, 0), (0, 2), (3, 1)])
def test_workbook_cells_and_row_numbers_are_those_openpyxl_reads(blank_rows, blank_columns):
    book = openpyxl.Workbook()
    sheet = book.active
    for _ in range(blank_rows):
        sheet.append([])
    for row in [HEADER, *ROWS]:
        sheet.append([None] * blank_columns + list(row) if row else [])
    data = _saved(book)
    table = read_table(data)
    reference = _reference(data)
    width = len(HEADER) + blank_columns
    assert table.header == tuple(c.strip() for c in reference[0][1][:width])
    got = [(row[0], list(row[1:])) for row in table.cells.iter_rows()]
    expected = [
        (n, [c.strip() for c in (cells + [""] * width)[:width]]) for n, cells in reference[1:]
    ]
    assert got == expected
    assert got[0][0] == blank_rows + 2
    first = ["45210000294545", "王国华", "3", "12", "2020-05-01", "x"]
    assert got[0][1][blank_columns:] == first


def test_the_first_worksheet_is_read(rows, header, to_xlsx):
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(header, rows)))
    book.create_sheet("说明").append(["not", "this", "one"])
    result = read_frame(_saved(book))
    assert result.ok and result.rows == len(rows)


def test_an_empty_worksheet_is_an_empty_file():
    with pytest.raises(FrameFileError) as caught:
        read_table(_saved(openpyxl.Workbook()))
    assert caught.value.message.msgid == "The file is empty."


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()


def _good(rows=None) -> bytes:
    book = openpyxl.Workbook()
    for row in [HEADER, *(r for r in ROWS if r)]:
        book.active.append(row)
    return _saved(book)


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x00garbage" * 50,
        _good()[: len(_good()) // 2],
        _zip({"hello.txt": b"hi"}),
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
    ],
    ids=["signature-only", "truncated", "foreign-zip", "ods-like"],
)
def test_a_damaged_or_foreign_file_is_not_a_readable_workbook(data):
    result = read_frame(data)
    assert not result.ok and result.file_format == "xlsx"
    assert result.issues[0].message.msgid == "The file is not a readable XLSX workbook."


def test_a_synthetic_county_hashes_alike_as_csv_gbk_shuffled_and_xlsx():
    rng = np.random.default_rng(7)
    hierarchy = {f"第{t}乡": [f"第{t}-{v}村" for v in range(12)] for t in range(6)}
    data = synthetic_frame_csv(hierarchy, 3000, rng=rng)
    header, *lines = data.decode("utf-8").splitlines()
    shuffled = "\r\n".join([header, *(lines[i] for i in rng.permutation(len(lines)))]) + "\r\n"
    book = openpyxl.Workbook()
    for line in [header, *lines]:
        book.active.append(line.split(","))
    results = [
        read_frame(data),
        read_frame(shuffled.encode("gbk")),
        read_frame(_saved(book)),
    ]
    assert all(result.ok for result in results)
    assert results[1].encoding == "gb18030" and results[2].file_format == "xlsx"
    assert len({result.frame.content_hash for result in results}) == 1
    assert results[0].frame.id_order.tolist() == results[2].frame.id_order.tolist()


def test_quoted_cells_keep_commas_quotes_and_are_stripped(rows, header, to_csv):
    rows[0][9] = ' 王"国"华, 先生 '
    result = read_frame(to_csv(header, rows))
    assert result.ok
    assert result.frame.head_name[0] == '王"国"华, 先生'


def test_an_explicit_encoding_is_kept_and_a_wrong_one_refused(rows, header, to_csv):
    data = to_csv(header, rows, "gbk")
    assert read_frame(data, encoding="gb18030").encoding == "gb18030"
    wrong = read_frame(data, encoding="utf-8")
    assert not wrong.ok
    assert wrong.issues[0].message.msgid == "The file cannot be read as {encoding} text."


def test_a_utf16_file_with_a_byte_order_mark_is_read(rows, header, to_csv):
    text = to_csv(header, rows).decode("utf-8")
    result = read_frame(text.encode("utf-16"))
    assert result.ok and result.encoding == "utf-16"
    assert result.frame.content_hash == read_frame(to_csv(header, rows)).frame.content_hash


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_breaks_read_as_unix_ones(rows, header, to_csv, newline):
    lines = to_csv(header, rows).decode("utf-8").replace("\r\n", "\n").split("\n")
    lines.insert(3, "")  # a blank line: skipped, but counted in the row numbers
    unix = read_frame("\n".join(lines).encode("utf-8"))
    other = read_frame(newline.join(lines).encode("utf-8"))
    assert unix.ok and other.ok and other.rows == unix.rows == len(rows)
    assert other.frame.source_row.tolist() == unix.frame.source_row.tolist()
    assert unix.frame.source_row[3] == 6
    assert other.frame.content_hash == unix.frame.content_hash


@pytest.mark.parametrize("cells", [["H1", "H1"], ["H1", " H1"]])
def test_duplicate_ids_after_stripping_are_reported(rows, header, to_csv, cells):
    rows[0][0], rows[1][0] = cells
    result = read_frame(to_csv(header, rows))
    assert not result.ok
    issue = result.issues[0]
    assert (issue.row, issue.value, issue.message.mapping["first_row"]) == (3, "H1", 2)


def test_cells_beyond_the_header_name_the_row_and_count(rows, header, to_csv):
    rows[5] += ["", "stray"]
    result = read_frame(to_csv(header, rows))
    issue = next(i for i in result.issues if i.message.msgid.startswith("Row {row}: it has"))
    assert issue.row == 7 and issue.message.mapping["count"] == len(header) + 2


def _undimensioned(cell: str, *, edit=lambda body: body) -> bytes:
    """The good workbook with one more cell and no ``<dimension>``: only the references tell
    the sheet's extent."""
    from tests.hostile_frames import SHEET, _rewrite, good_xlsx

    strip = re.compile(rb"<dimension [^>]*>")
    data = good_xlsx({cell: "x"})
    return _rewrite(data, lambda n, body: edit(strip.sub(b"", body)) if n == SHEET else body)


@pytest.mark.parametrize(
    ("cell", "edit", "refused"),
    [
        ("A45", None, None),
        ("A50", None, None),
        ("A51", None, "rows"),  # as many digits as the limit
        ("C500", None, "rows"),  # more digits
        ("AD2", None, None),
        ("AE2", None, "columns"),
        ("AD51", None, "rows"),
        ("A51", lambda body: body.replace(b' r="A51"', b'\n r="$A$51"'), "rows"),
        ("B2", lambda body: body.replace(b'<row r="2"', b'<row r="77"'), "rows"),
        ("AE2", lambda body: body.replace(b' r="AE2"', b'\tr="$AE$2"'), "columns"),
    ],
)
def test_a_sheet_is_measured_by_its_references_before_it_is_parsed(
    cell, edit, refused, monkeypatch
):
    data = _undimensioned(cell, edit=edit or (lambda body: body))
    limits = Limits(max_rows=50, max_columns=30)
    if refused is None:
        assert read_table(data, limits=limits).file_format == "xlsx"
        return
    monkeypatch.setattr(fastexcel, "read_excel", lambda data: pytest.fail("parsed"))
    with pytest.raises(FrameFileError) as caught:
        read_table(data, limits=limits)
    assert caught.value.message.msgid.startswith(f"The file has more than {{limit}} {refused}")
