"""XLSX frames are read by calamine into the very table the former openpyxl reader gave.

``_openpyxl_table`` is that former reader, kept here as the oracle: every workbook below is
read both ways and the tables (header, rows, row numbers, overflow) must be equal.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font

from sampling.frame_reader import (
    FrameFileError,
    _collect,
    cell_text,
    read_table,
    read_xlsx_table,
)


def _openpyxl_table(data: bytes):
    """The reader before calamine: openpyxl in read-only mode, values only."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        records = (
            [v if v.__class__ is str else cell_text(v) for v in row]
            for row in book.worksheets[0].iter_rows(values_only=True)
        )
        return _collect(records, None, "xlsx", None)
    finally:
        book.close()


def _parts(table):
    return (
        table.header,
        [list(cells) for cells in table.rows],
        list(table.row_numbers),
        [(number, list(cells)) for number, cells in table.overflow],
        table.file_format,
        table.encoding,
    )


def _assert_same_as_openpyxl(data: bytes):
    new = read_xlsx_table(data)
    assert _parts(new) == _parts(_openpyxl_table(data))
    return new


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["户编号", " 户主姓名 ", "家庭人口", "人均收入", "低保户", "登记日期", "核查时间", "备注"]
ROWS = [
    [45210000294545, "  王国华 ", 3, 12.0, True, dt.date(2020, 5, 1), dt.datetime(2021, 3, 1), "x"],
    [45210000294546, "李明", 4, 8123.45, False, dt.datetime(2019, 12, 31, 8, 30, 15), None, None],
    [45210000294547, None, 2.0, 0.1, None, dt.time(8, 30), dt.time(0, 0), " 注 "],
    None,  # a blank row in the middle
    ["452100", "张三丰", -5, 1e20, 1, dt.timedelta(days=1, hours=2), dt.timedelta(hours=5), None],
    [45210000294548, "赵", 1, 1e-7, 0, dt.datetime(2024, 1, 5, 12, 30, 15, 123456), None, "#N/A"],
    [45210000294549, "钱", 3, -0.0, None, None, None, None, "溢出", None, "再溢出"],  # overflow
    [45210000294550, "孙", 3, 3.0000000000000004, None, None, None, None, None, None, None],
    [None, None, None, None, None, None, None, "末尾"],
    [45210000294551],  # a short row
    [None, None, None, None, None, None, None, None, "只有溢出"],
]


def _book(*, blank_rows: int = 0, blank_columns: int = 0, epoch=None):
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    for _ in range(blank_rows):
        sheet.append([])
    for row in [HEADER, *ROWS]:
        sheet.append([None] * blank_columns + list(row) if row else [])
    return book, sheet


@pytest.mark.parametrize(("blank_rows", "blank_columns"), [(0, 0), (2, 0), (0, 2), (3, 1)])
def test_every_kind_of_cell_reads_as_openpyxl_read_it(blank_rows, blank_columns):
    book, _ = _book(blank_rows=blank_rows, blank_columns=blank_columns)
    table = _assert_same_as_openpyxl(_saved(book))
    assert table.header[blank_columns] == "户编号"
    first = table.rows[0][blank_columns:]
    assert first == ["45210000294545", "  王国华 ", "3", "12", "1", "2020-05-01", "2021-03-01", "x"]
    assert table.row_numbers[0] == blank_rows + 2
    assert table.rows[2][blank_columns + 5 :] == ["08:30:00", "00:00:00", " 注 "]
    assert table.rows[4][blank_columns + 7] == "#N/A"  # an error cell keeps its text
    assert [number for number, _ in table.overflow] == [blank_rows + 8, blank_rows + 12]


def test_dates_in_a_1904_workbook():
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book, _ = _book(epoch=CALENDAR_MAC_1904)
    table = _assert_same_as_openpyxl(_saved(book))
    assert table.rows[0][5:7] == ["2020-05-01", "2021-03-01"]


@pytest.mark.parametrize(
    "number_format",
    [
        'yyyy"年"m"月"d"日"',
        "yyyy/m/d;@",
        "[h]:mm:ss",
        "h:mm",
        "0.00",
        '#,##0 "户"',
        "0.00_);[Red]\\(0.00\\)",
        "@",
        "General",
    ],
)
def test_number_formats_read_as_openpyxl_read_them(number_format):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "c", "d"])
    for values in ([45296, 45296.5, 0.25, 1.5], [1, 2.75, 59, 61]):
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.number_format = number_format
    _assert_same_as_openpyxl(_saved(book))


def test_styled_blank_cells_and_a_lone_header():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["h1", "h2"])
    sheet.cell(row=3, column=2).font = Font(bold=True)  # styled, no value
    _assert_same_as_openpyxl(_saved(book))


def _patched_sheet(data: bytes, old: str, new: str) -> bytes:
    """``data`` with ``old`` replaced by ``new`` in its first worksheet's XML."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old.encode() in body
                body = body.replace(old.encode(), new.encode())
            target.writestr(item, body)
    return out.getvalue()


def test_error_cells_of_formulas_keep_their_text():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "收入", "人口"])
    sheet.append([1, "=1/0", "=NA()"])
    sheet.append([2, 5, "=B3"])
    data = _saved(book)
    # cached results, as Excel leaves them (openpyxl writes none); other quotes on C2
    data = _patched_sheet(data, '"B2"><f>1/0</f><v />', '"B2" t="e"><f>1/0</f><v>#DIV/0!</v>')
    error = '"C2" t=\'e\' s="0"><f>NA()</f><v>#N/A</v>'
    data = _patched_sheet(data, '"C2"><f>NA()</f><v />', error)
    data = _patched_sheet(data, "<f>B3</f><v />", "<f>B3</f><v>5</v>")
    table = _assert_same_as_openpyxl(data)
    assert table.rows == [["1", "#DIV/0!", "#N/A"], ["2", "5", "5"]]


def _excel_style_workbook(strings: list[str], sheet_data: str) -> bytes:
    """A workbook written as Excel writes it: shared strings, no inline strings."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kinds}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/data.xml" '
            f'ContentType="{kinds}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{kinds}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="户 &amp; 村" sheetId="1" r:id="rId7"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId7" Type="{rel}/worksheet" Target="/xl/worksheets/data.xml"/>'
            f'<Relationship Id="rId8" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">' + "".join(strings) + "</sst>",
        "xl/worksheets/data.xml": (
            f'<worksheet xmlns="{main}"><dimension ref="A1:D4"/>'
            f"<sheetData>{sheet_data}</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return out.getvalue()


def test_a_workbook_written_the_way_excel_writes_it():
    strings = [
        "<si><t>户编号</t></si>",
        '<si><t xml:space="preserve"> 户主 </t></si>',
        '<si><r><t xml:space="preserve">王 </t></r><r><rPr><b/></rPr><t>国华</t></r></si>',
        "<si><t>漢字</t><rPh sb='0' eb='2'><t>かんじ</t></rPh></si>",
        "<si><t>&lt;a &amp; b&gt;</t></si>",
    ]
    sheet_data = (
        '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c></row>'
        '<row r="3"><c r="B3"><v>45210000294545</v></c><c r="C3" t="s"><v>2</v></c>'
        '<c r="D3" t="e"><f>VLOOKUP(B3,X!A:B,2,0)</f><v>#N/A</v></c></row>'
        '<row r="4"><c r="B4" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="C4" t="s"><v>3</v></c><c r="D4" t="s"><v>4</v></c></row>'
    )
    table = _assert_same_as_openpyxl(_excel_style_workbook(strings, sheet_data))
    assert table.header == ("", "户编号", "户主")
    assert table.rows == [["", "45210000294545", "王 国华"], ["", "ab", "漢字"]]
    assert table.row_numbers == [3, 4]
    assert table.overflow == [
        (3, ["", "45210000294545", "王 国华", "#N/A"]),
        (4, ["", "ab", "漢字", "<a & b>"]),
    ]


def test_known_difference_text_of_white_space_only_without_xml_space_preserve():
    """calamine trims text not marked ``xml:space="preserve"``; openpyxl marks none of its
    white-space-only strings so. Such a cell reads as blank, which it is once stripped."""
    book = openpyxl.Workbook()
    book.active.append(["h1", "h2"])
    book.active.append(["a", "   "])
    data = _saved(book)
    assert _openpyxl_table(data).rows == [["a", "   "]]
    assert read_xlsx_table(data).rows == [["a", ""]]


def test_the_first_sheet_is_read_and_progress_is_reported():
    book, _ = _book()
    other = book.create_sheet("第二页")
    other.append(["not", "this", "one"])
    seen = []
    table = read_table(_saved(book), progress=seen.append)
    assert table.header[0] == "户编号" and table.file_format == "xlsx"
    assert seen == [len(table.rows)]


def test_an_empty_worksheet_is_an_empty_file():
    with pytest.raises(FrameFileError) as caught:
        read_xlsx_table(_saved(openpyxl.Workbook()))
    assert caught.value.message.msgid == "The file is empty."


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()


def _good() -> bytes:
    book, _ = _book()
    return _saved(book)


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x00garbage" * 50,  # a ZIP signature and nothing else
        _good()[: len(_good()) // 2],  # a truncated workbook
        _zip({"hello.txt": b"hi"}),  # a ZIP that is no workbook
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),  # ODS-like
        _patched_sheet(_good(), "</sheetData>", "<row>"),  # broken worksheet XML
    ],
    ids=["signature-only", "truncated", "foreign-zip", "ods-like", "broken-xml"],
)
def test_a_damaged_or_foreign_file_is_not_a_readable_workbook(data):
    for read in (read_xlsx_table, read_table):
        with pytest.raises(FrameFileError) as caught:
            read(data)
        assert caught.value.message.msgid == "The file is not a readable XLSX workbook."


def test_equal_values_of_different_types_share_their_text():
    """Cell texts are cached per distinct value: values that compare equal (True, 1, 1.0) must
    still give what openpyxl gave, and a date must not take a datetime's text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "c", "d"])
    sheet.append([True, 1, 1.0, dt.datetime(2020, 1, 1, 0, 0)])
    sheet.append([False, 0, -0.0, dt.date(2020, 1, 1)])
    sheet.append([1.5, True, dt.datetime(2020, 1, 1, 6, 0), dt.time(6, 0)])
    table = _assert_same_as_openpyxl(_saved(book))
    assert [list(row) for row in table.rows] == [
        ["1", "1", "1", "2020-01-01"],
        ["0", "0", "0", "2020-01-01"],
        ["1.5", "1", "2020-01-01T06:00:00", "06:00:00"],
    ]


def _claiming(data: bytes, part: str, size: int) -> bytes:
    """``data`` with the declared unpacked size of ``part`` set to ``size`` (local header and
    central directory), the way a zip bomb understates what it unpacks to."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    out = bytearray(data)
    local = info.header_offset
    assert out[local : local + 4] == b"PK\x03\x04"
    out[local + 22 : local + 26] = size.to_bytes(4, "little")
    name = part.encode()
    central = 0
    while True:
        central = out.find(b"PK\x01\x02", central)
        length = int.from_bytes(out[central + 28 : central + 30], "little")
        if out[central + 46 : central + 46 + length] == name:
            break
        central += 4
    out[central + 24 : central + 28] = size.to_bytes(4, "little")
    return bytes(out)


def _plain_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["household_id", "head_name"])
    for i in range(200):
        sheet.append([f"H{i:04d}", "王国华" * 3])
    return _saved(book)


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(monkeypatch):
    from sampling import frame_reader

    data = _plain_workbook()
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(frame_reader, "MAX_XLSX_UNPACKED", unpacked - 1)
    with pytest.raises(FrameFileError) as caught:
        read_xlsx_table(data)
    assert caught.value.message.msgid.startswith("The workbook unpacks to more than")
    monkeypatch.setattr(frame_reader, "MAX_XLSX_UNPACKED", unpacked)
    assert len(read_xlsx_table(data).rows) == 200


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_a_part_that_unpacks_to_more_than_it_claims_is_not_read(part):
    """A zip bomb claims a small size; zipfile stops at the claim and the CRC fails, so the
    file is refused before calamine unpacks it."""
    data = _plain_workbook()
    real = zipfile.ZipFile(io.BytesIO(data)).getinfo(part).file_size
    with pytest.raises(FrameFileError) as caught:
        read_xlsx_table(_claiming(data, part, real // 2))
    assert caught.value.message.msgid == "The file is not a readable XLSX workbook."
