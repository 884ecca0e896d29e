"""The fast XLSX path reads exactly what calamine reads, and takes the workbooks frames come in.

calamine (the general reader, with its own XML parser) is the reference. Workbooks are written
here in the ways spreadsheet programs write them: shared strings as Excel and WPS write them
(with ``<phoneticPr/>`` for East Asian text), inline strings as openpyxl and streaming exports
write them, numbers as number cells, styled and self-closing empty cells, rows with extra
attributes, ``xml:space="preserve"``, entities and character references. Each is read by
``read_frame`` (fast path first) and by the general path, and the results must agree; the
fast path's cells must also be calamine's cells.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sampling import frame_xlsx, frames
from sampling.frame_reader import read_xlsx_table
from sampling.synthetic import synthetic_frame_csv
from tests.sampling.test_frame_fast import _as_xlsx, assert_same, csv_cells, frame_files, read_both

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _column_letters(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_xml(text: str, style: dict) -> str:
    """A ``<t>`` element as Excel writes it (preserve for edge spaces)."""
    body = escape(text)
    if style["char_refs"]:
        body = "".join(f"&#{ord(c)};" if ord(c) > 0x4E00 and ord(c) % 3 == 0 else c for c in body)
    if style["quotes"]:
        body = body.replace('"', "&quot;").replace("'", "&apos;")
    if text == "":
        return "<t/>"
    if style["preserve"] and text != text.strip():
        return f'<t xml:space="preserve">{body}</t>'
    return f"<t>{body}</t>"


def workbook(rows: list[list[str]], style: dict) -> bytes:
    """An XLSX workbook of ``rows`` (text cells; a plain number may become a number cell)."""
    shared: dict[str, int] = {}
    out = []
    for i, cells in enumerate(rows, start=1):
        attrs = f' spans="1:{max(len(cells), 1)}" ht="15"' if style["row_attrs"] else ""
        written = []
        for j, text in enumerate(cells):
            ref = f"{_column_letters(j)}{i}"
            s = f' s="{style["cell_style"]}"' if style["cell_style"] else ""
            if text == "":
                if style["empty"] == "omit":
                    continue
                if style["empty"] == "self_closing":
                    written.append(f'<c r="{ref}"{s}/>')
                    continue
                written.append(f'<c r="{ref}"{s} t="inlineStr"><is><t/></is></c>')
                continue
            if style["numbers"] and _NUMBER.fullmatch(text):
                t = ' t="n"' if style["explicit_n"] else ""
                written.append(f'<c r="{ref}"{s}{t}><v>{text}</v></c>')
            elif style["strings"] == "shared":
                index = shared.setdefault(text, len(shared))
                written.append(f'<c r="{ref}"{s} t="s"><v>{index}</v></c>')
            else:
                written.append(
                    f'<c r="{ref}"{s} t="inlineStr"><is>{_text_xml(text, style)}</is></c>'
                )
        out.append(
            f'<row r="{i}"{attrs}>' + "".join(written) + "</row>"
            if written
            else f'<row r="{i}"{attrs}/>'
        )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
        f'xmlns:r="{_REL}"><dimension ref="A1"/><sheetData>{"".join(out)}</sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )
    phonetic = '<phoneticPr fontId="1" type="noConversion"/>' if style["phonetic"] else ""
    items = "".join(f"<si>{_text_xml(text, style)}{phonetic}</si>" for text in shared)
    strings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
        f'count="{len(shared)}" uniqueCount="{len(shared)}">{items}</sst>'
    )
    return _package(sheet, strings if style["strings"] == "shared" else None, style)


def _package(
    sheet: str, strings: str | None, style: dict, extra_sheet_first: bool = False
) -> bytes:
    number_formats = style.get("number_formats", (0, 49, 14))
    xfs = "".join(
        f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for n in number_formats
    )
    styles = (
        f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/>'
        '<name val="宋体"/></font></fonts><fills count="1"><fill>'
        '<patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" '
        'fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(number_formats)}">{xfs}</cellXfs></styleSheet>'
    )
    rels = [
        ("rId1", "worksheet", "worksheets/sheet1.xml"),
        ("rId2", "styles", "styles.xml"),
    ]
    if strings is not None:
        rels.append(("rId3", "sharedStrings", "sharedStrings.xml"))
    relationships = "".join(
        f'<Relationship Id="{rid}" Type="{_REL}/{kind}" Target="{target}"/>'
        for rid, kind, target in rels
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="户" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG}">{relationships}</Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/styles.xml", styles)
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


STYLES = st.fixed_dictionaries(
    {
        "strings": st.sampled_from(["shared", "inline"]),
        "numbers": st.booleans(),
        "explicit_n": st.booleans(),
        "phonetic": st.booleans(),
        "row_attrs": st.booleans(),
        "cell_style": st.sampled_from([None, 0, 1]),  # General, Text (@)
        "empty": st.sampled_from(["omit", "self_closing", "inline_empty"]),
        "char_refs": st.booleans(),
        "quotes": st.booleans(),
        "preserve": st.booleans(),  # xml:space="preserve" on text with edge spaces
    }
)


def assert_cells_are_calamines(data: bytes) -> None:
    """The fast path's table holds calamine's cells, character for character."""
    fast = frame_xlsx.fast_xlsx_table(data)
    if fast is None:
        return
    reference = read_xlsx_table(data)
    assert fast.header == reference.header
    assert fast.row_numbers.tolist() == reference.row_numbers
    width = len(fast.header)
    expected = [row[:width] for row in reference.rows]
    got = [[column.values[column.codes[i]] for column in fast.columns] for i in range(fast.rows)]
    assert got == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame_files(), STYLES)
def test_fast_xlsx_path_agrees_with_calamine(case, style):
    data, clean = case
    if b"\x07" in data or b"\xff" in data:
        return  # a control character or bad bytes cannot be written into a workbook
    book = workbook(csv_cells(data), style)
    result, reference, answered = read_both(book, path="_read_fast_xlsx")
    assert_same(result, reference)
    assert_cells_are_calamines(book)
    if clean:
        assert answered and result.ok, "a clean workbook went to calamine"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame_files(flaws=False))
def test_openpyxl_workbooks_take_the_fast_path(case):
    data, _clean = case
    book = _as_xlsx(data)
    result, reference, answered = read_both(book, path="_read_fast_xlsx")
    assert answered
    assert_same(result, reference)
    assert_cells_are_calamines(book)


def test_a_synthetic_county_takes_the_fast_path_with_the_csv_hash():
    hierarchy = {f"第{t}乡": [f"第{t}-{v}村" for v in range(12)] for t in range(6)}
    csv_data = synthetic_frame_csv(hierarchy, 6000, rng=np.random.default_rng(3))
    book = _as_xlsx(csv_data)
    result, reference, answered = read_both(book, path="_read_fast_xlsx")
    assert answered and result.ok
    assert_same(result, reference)
    assert result.frame.content_hash == frames.read_frame(csv_data).frame.content_hash


def test_progress_reaches_the_row_count():
    data, _ = _one_frame()
    seen = []
    result = frames.read_frame(data, progress=seen.append)
    assert result.ok
    assert seen[-1] == result.rows
    assert seen == sorted(seen)


def _one_frame(style=None, rows=None):
    rows = rows or [
        HEADER,
        ["H001", "城关镇", "东村", "贫困村", "已脱贫", "2019", "3", "王国华"],
        ["H002", "城关镇", "东村", "贫困村", "未脱贫", "", "4", "李秀英"],
        ["H003", "河口乡", "新庄", "非贫困村", "非建档立卡", "", "2", "张明"],
    ]
    style = style or {**_plain("shared"), "phonetic": True, "row_attrs": True, "quotes": False}
    return workbook(rows, style), rows


def _edited(data: bytes, part: str, edit) -> bytes:
    """``data`` with one part's XML changed by ``edit`` (a function of the text)."""
    text = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    return _with_parts(data, {part: edit(text)})


SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
#: Edits (part, old text, new text) that make a workbook one the fast path must decline.
DECLINED = {
    "formula": (SHEET, '<c r="G2"><v>3</v>', '<c r="G2"><f>1+2</f><v>3</v>'),
    "boolean": (SHEET, '<c r="G2"><v>3</v>', '<c r="G2" t="b"><v>1</v>'),
    "error": (SHEET, '<c r="G2"><v>3</v>', '<c r="G2" t="e"><v>#N/A</v>'),
    "formula string": (SHEET, '<c r="G2"><v>3</v>', '<c r="G2" t="str"><v>3</v>'),
    "date style": (SHEET, '<c r="G2"><v>3</v>', '<c r="G2" s="2"><v>3</v>'),
    "unknown style": (SHEET, '<c r="G2"><v>3</v>', '<c r="G2" s="9"><v>3</v>'),
    "no reference": (SHEET, '<c r="G2">', "<c>"),
    "prefixed": (SHEET, '<c r="G2"><v>3</v></c>', '<x:c r="G2"><v>3</v></x:c>'),
    "comment": (SHEET, "</row>", "<!-- note --></row>"),
    "cell of another row": (SHEET, '<c r="G2">', '<c r="G3">'),
    "cells out of order": (SHEET, 'r="B2"', 'r="Z2"'),
    "rows out of order": (SHEET, '<row r="3"', '<row r="1"'),
    "lower-case reference": (SHEET, 'r="B2"', 'r="b2"'),
    "cell metadata": (SHEET, '<c r="G2">', '<c r="G2" vm="1">'),
    "two values": (SHEET, "<v>3</v>", "<v>3</v><v>4</v>"),
    "text between cells": (SHEET, '</c><c r="H2"', '</c>x<c r="H2"'),
    "bare & before the rows": (SHEET, '<dimension ref="A1"/>', '<dimension ref="A1"/>&'),
    "dimension not a range": (SHEET, '<dimension ref="A1"/>', '<dimension ref="A1:"/>'),
    "unknown encoding": (SHEET, 'encoding="UTF-8"', 'encoding="x-8"'),
    "single-quoted attribute": (SHEET, '<c r="G2">', "<c r=\"G2\" s='0'>"),
    "cell outside a row": (SHEET, '</row><row r="3"', '<c r="G2"><v>3</v></c></row><row r="3"'),
    "number with spaces": (SHEET, "<v>3</v>", "<v> 3</v>"),
    "index past the table": (SHEET, 't="s"><v>0</v>', 't="s"><v>999</v>'),
    "rich text": (STRINGS, "<si><t>王国华</t>", "<si><r><t>王国</t></r><r><t>华</t></r>"),
    "phonetic run": (STRINGS, "<t>王国华</t>", '<t>王国华</t><rPh sb="0" eb="1"><t>おう</t></rPh>'),
    "excel escape": (STRINGS, "<t>王国华</t>", "<t>王_x000D_国华</t>"),
    "unknown entity": (STRINGS, "<t>王国华</t>", "<t>王&nbsp;国华</t>"),
}


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_what_the_fast_path_does_not_know_is_left_to_calamine(name):
    data, _ = _one_frame()
    assert frame_xlsx.fast_xlsx_table(data) is not None
    part, old, new = DECLINED[name]
    changed = _edited(data, part, lambda text: text.replace(old, new))
    assert changed != data
    assert frame_xlsx.fast_xlsx_table(changed) is None
    result, reference, answered = read_both(changed, path="_read_fast_xlsx")
    assert not answered
    assert_same(result, reference)


def test_the_cell_scanner_is_built():
    """setup.py builds sampling/_xlsx_scan.c; without it calamine reads every workbook."""
    assert frame_xlsx.Scanner is not None, "the C scanner was not built: pip install -e ."


_FUZZ_TEXT = st.text(alphabet='<>/"= \ncrvtisx&;#_0123456789ABGH', max_size=12)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["shared", "inline"]),
    st.floats(0, 1),
    st.integers(0, 6),
    _FUZZ_TEXT,
)
def test_a_damaged_sheet_is_declined_or_read_as_calamine_reads_it(strings, where, cut, text):
    """Bytes cut out of the worksheet or put in anywhere: the fast path declines it, or its
    cells are calamine's (and calamine reads the sheet)."""
    data, _ = _one_frame({**_plain(strings), "empty": "self_closing", "row_attrs": True})

    def damaged(xml: str) -> str:
        at = int(where * len(xml))
        return xml[:at] + text + xml[at + cut :]

    assert_cells_are_calamines(_edited(data, SHEET, damaged))


@settings(max_examples=40, deadline=None)
@given(block_bytes=st.integers(1, 400), strings=st.sampled_from(["shared", "inline"]))
def test_rows_split_across_unpacked_blocks_are_read_whole(block_bytes, strings):
    """However the worksheet is cut into blocks as it is unpacked, the cells are the same."""
    rows = [HEADER] + [
        [f"H{i:03}", "城关镇", "东村", "贫困村", "未脱贫", "", str(1 + i % 5), "王" * (i % 4)]
        for i in range(1, 40)
    ]
    rows.insert(9, [])  # a self-closing row
    data, _ = _one_frame({**_plain(strings), "empty": "self_closing"}, rows)
    whole = frame_xlsx.fast_xlsx_table(data)
    saved = frame_xlsx.BLOCK_BYTES
    frame_xlsx.BLOCK_BYTES = block_bytes
    try:
        split = frame_xlsx.fast_xlsx_table(data)
    finally:
        frame_xlsx.BLOCK_BYTES = saved
    assert whole is not None and split is not None
    assert split.row_numbers.tolist() == whole.row_numbers.tolist()
    assert [c.array().tolist() for c in split.columns] == [
        c.array().tolist() for c in whole.columns
    ]
    assert_cells_are_calamines(data)


def _plain(strings: str) -> dict:
    return {
        "strings": strings,
        "numbers": True,
        "explicit_n": False,
        "phonetic": False,
        "row_attrs": False,
        "cell_style": None,
        "empty": "omit",
        "char_refs": False,
        "quotes": True,
        "preserve": True,
    }


HEADER = ["户编号", "乡镇", "行政村", "村类型", "户类型", "脱贫年份", "家庭人口", "户主姓名"]


@pytest.mark.parametrize("strings", ["shared", "inline"])
def test_entities_and_character_references_are_read_as_calamine_reads_them(strings):
    rows = [
        [*HEADER, "备注"],
        ["H&1", "城关镇", "东村", "贫困村", "已脱贫", "2019", "3", "王<国>华", "a & b \"c\" 'd'"],
        ["H<2>", "城关镇", "东村", "贫困村", "未脱贫", "", "4", "李秀英", "&amp; literally"],
    ]
    data, _ = _one_frame(_plain(strings), rows)
    part = STRINGS if strings == "shared" else SHEET
    data = _edited(data, part, lambda x: x.replace("国", "&#22269;").replace("秀", "&#x79C0;"))
    assert "&#22269;" in zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    result, reference, answered = read_both(data, path="_read_fast_xlsx")
    assert answered
    assert_same(result, reference)
    assert result.frame.head_name.tolist() == ["王<国>华", "李秀英"]
    assert result.frame.household_id.tolist() == ["H&1", "H<2>"]


def test_numbers_are_written_as_calamine_reads_them():
    rows = [
        HEADER,
        ["45210000000050", "城关镇", "东村", "贫困村", "已脱贫", "2019.0", "3", "王"],
        ["-7", "城关镇", "东村", "贫困村", "未脱贫", "", "4.00", "李"],
        ["0.25", "城关镇", "东村", "贫困村", "未脱贫", "", "2", "张"],
        ["123456789012345", "城关镇", "东村", "贫困村", "未脱贫", "", "2", "赵"],  # 15 digits
        ["1234567890123456789", "城关镇", "东村", "贫困村", "未脱贫", "", "2", "钱"],  # a float
        ["0", "城关镇", "东村", "贫困村", "未脱贫", "", "2", "孙"],
    ]
    data, _ = _one_frame(_plain("shared"), rows)
    data = _edited(
        data,
        SHEET,
        lambda x: x.replace("<v>-7</v>", "<v>-7E0</v>").replace("<v>0.25</v>", "<v>2.5e-1</v>"),
    )
    result, reference, answered = read_both(data, path="_read_fast_xlsx")
    assert answered
    assert_same(result, reference)
    rounded = str(int(float("1234567890123456789")))  # what a double holds
    assert sorted(result.frame.household_id.tolist()) == sorted(
        ["-7", "0.25", "45210000000050", "123456789012345", rounded, "0"]
    )
    assert sorted(result.frame.household_size.tolist()) == [2, 2, 2, 2, 3, 4]
    assert sorted(result.frame.exit_year.tolist()) == [0, 0, 0, 0, 0, 2019]


def test_a_damaged_worksheet_gets_the_general_message():
    data, _ = _one_frame()
    raw = bytearray(data)
    at = raw.find(b"xl/worksheets/sheet1.xml", raw.find(b"PK\x03\x04")) + 40
    raw[at] ^= 0xFF
    result, reference, _answered = read_both(bytes(raw), path="_read_fast_xlsx")
    assert_same(result, reference)
    assert not result.ok


@pytest.mark.parametrize("strings", ["shared", "inline"])
@pytest.mark.parametrize("where", ["before the header", "between data rows", "at the end"])
def test_rows_of_white_space_agree_with_calamine(strings, where):
    rows = [
        HEADER,
        ["H001", "城关镇", "东村", "贫困村", "已脱贫", "2019", "3", "王国华"],
        ["H002", "城关镇", "东村", "贫困村", "未脱贫", "", "4", "李秀英"],
    ]
    spot = {"before the header": 0, "between data rows": 2, "at the end": 3}[where]
    rows.insert(spot, [" ", "", "\u3000"])
    data, _ = _one_frame(_plain(strings), rows)
    result, reference, _answered = read_both(data, path="_read_fast_xlsx")
    assert_same(result, reference)


def test_issues_of_a_plain_workbook_come_from_its_own_cells():
    rows = [
        HEADER,
        ["H001", "城关镇", "东村", "贫困村", "已脱贫", "2019", "3", "王国华"],
        ["H001", "城关镇", "东村", "贫困村", "未知", "", "0", "李秀英"],
        ["H003", "河口乡", "新庄", "非贫困村", "非建档立卡", "2020", "2", "张明"],
    ]
    for strings in ("shared", "inline"):
        data, _ = _one_frame(_plain(strings), rows)
        result, reference, answered = read_both(data, path="_read_fast_xlsx")
        assert answered, "calamine read the workbook again to report its issues"
        assert_same(result, reference)
        assert not result.ok
        assert {(issue.row, issue.column) for issue in result.issues} == {
            (3, "户编号"),  # the id of row 2 again
            (3, "户类型"),  # unknown status
            (3, "家庭人口"),  # size 0
            (4, "脱贫年份"),  # an exit year without the exited status
        }


@pytest.mark.parametrize("text", ["王&#13;国华", "王&#10;国华", "王&#9;国华", "王&#x1F;国华"])
def test_a_control_character_in_a_cell_is_reported_as_calamine_reports_it(text):
    for strings in ("shared", "inline"):
        data, _ = _one_frame(_plain(strings))
        part = STRINGS if strings == "shared" else SHEET
        data = _edited(data, part, lambda x: x.replace("王国华", text))
        result, reference, answered = read_both(data, path="_read_fast_xlsx")
        assert_same(result, reference)
        assert answered
        assert not result.ok


def _with_parts(data: bytes, changes: dict[str, str]) -> bytes:
    """``data`` with parts replaced or added (name -> XML text)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename not in changes:
                archive.writestr(info.filename, source.read(info))
        for name, text in changes.items():
            archive.writestr(name, text)
    return out.getvalue()


WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


def _sheets(*entries: tuple[str, str, str]) -> dict[str, str]:
    """workbook.xml and its relationships for sheets (name, relationship type, target)."""
    sheets = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rIdS{i}"/>'
        for i, (name, _, _) in enumerate(entries, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rIdS{i}" Type="{_REL}/{kind}" Target="{target}"/>'
        for i, (_, kind, target) in enumerate(entries, start=1)
    )
    rels += f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    rels += f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    return {
        WORKBOOK: (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'
        ),
        WORKBOOK_RELS: f'<Relationships xmlns="{_PKG}">{rels}</Relationships>',
    }


NOTES_SHEET = (
    f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>说明</t>'
    "</is></c></row></sheetData></worksheet>"
)
CHART_SHEET = (
    f'<chartsheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    "</chartsheet>"
)


@pytest.mark.parametrize(
    "layout",
    [
        "absolute target",
        "notes sheet after the frame",
        "notes sheet before the frame",
        "chart sheet before the frame",
    ],
)
def test_the_first_worksheet_is_the_one_calamine_reads(layout):
    data, _ = _one_frame()
    frame = ("户", "worksheet", "worksheets/sheet1.xml")
    notes = ("说明", "worksheet", "worksheets/sheet2.xml")
    chart = ("图", "chartsheet", "chartsheets/sheet1.xml")
    entries = {
        "absolute target": [("户", "worksheet", "/xl/worksheets/sheet1.xml")],
        "notes sheet after the frame": [frame, notes],
        "notes sheet before the frame": [notes, frame],
        "chart sheet before the frame": [chart, frame],
    }[layout]
    changes = _sheets(*entries)
    changes["xl/worksheets/sheet2.xml"] = NOTES_SHEET
    changes["xl/chartsheets/sheet1.xml"] = CHART_SHEET
    changed = _with_parts(data, changes)
    result, reference, answered = read_both(changed, path="_read_fast_xlsx")
    assert_same(result, reference)
    frame_first = layout != "notes sheet before the frame"
    assert result.ok == frame_first
    assert answered == frame_first  # a one-row notes sheet goes to calamine, which says so
