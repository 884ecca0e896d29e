"""Hostile frame files, as an attacker would upload them, and what each must end with.

Each case is ``(name, builder, expected)``: ``builder()`` returns the file's bytes;
``expected`` is the Chinese text (the default interface language) that the refusal must show,
taken from the catalog's translation of the message, written out here by hand.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile

import numpy as np
import openpyxl

HEADER = "户编号,乡镇,行政村,村类型,户类型,脱贫年份,家庭人口,户主姓名"
ROWS = ["A1,河口镇,东山村,贫困村,已脱贫,2018,4,张三", "A2,河口镇,东山村,贫困村,非建档立卡,,2,李四"]

NOT_XLSX = "该文件不是可读取的 XLSX 工作簿"
TOO_BIG_UNPACKED = "该工作簿解压后超过"
ODD_ZIP = "该工作簿已加密，或使用了 Excel 不使用的压缩方式"
TOO_WIDE = "文件超过 64 列"
TOO_LONG = "文件超过 2500000 行"
BINARY = "文件含有二进制数据"
BIDI = "不可见字符或从右到左"
CONTROL = "含有换行符或控制字符"


def good_csv(**replace) -> bytes:
    text = "\n".join([HEADER, *ROWS]) + "\n"
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode("utf-8")


def good_xlsx(extra_cells: dict | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in [HEADER, *ROWS]:
        sheet.append(line.split(","))
    for ref, value in (extra_cells or {}).items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, edit) -> bytes:
    """A copy of the archive with ``edit(name, body)`` applied to each part's body."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, edit(item.filename, source.read(item.filename)))
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def _patch_headers(data: bytes, name: str, *, method=None, flags=None, size=None) -> bytes:
    """Patch the local and central headers of part ``name`` (method, flag bits, size)."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, name_at, fields in ((b"PK\x03\x04", 30, 6), (b"PK\x01\x02", 46, 8)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            start = at + 4
            length = struct.unpack_from("<H", out, at + name_at - (4 if fields == 6 else 18))[0]
            if out[at + name_at : at + name_at + length] != encoded:
                continue
            base = at + fields  # the flags field
            if flags is not None:
                struct.pack_into("<H", out, base, struct.unpack_from("<H", out, base)[0] | flags)
            if method is not None:
                struct.pack_into("<H", out, base + 2, method)
            if size is not None:
                struct.pack_into("<I", out, base + 16, size)
    return bytes(out)


def zip_bomb() -> bytes:
    """80 MB of white space in the worksheet, deflated to about 80 KB."""
    filler = b" " * (80 * 2**20)
    return _rewrite(
        good_xlsx(),
        lambda n, body: (
            body.replace(b"<sheetData>", b"<sheetData>" + filler) if n == SHEET else body
        ),
    )


def lying_size() -> bytes:
    """The worksheet declares fewer bytes than it unpacks to."""
    return _patch_headers(good_xlsx(), SHEET, size=200)


def declared_huge() -> bytes:
    return _patch_headers(good_xlsx(), SHEET, size=0xFFFFFFF0)


def far_corner(keep_dimension: bool = True) -> bytes:
    data = good_xlsx({"XFD1048576": "x"})
    if keep_dimension:
        return data
    return _rewrite(
        data,
        lambda n, body: re.sub(rb"<dimension [^>]*>", b"", body) if n == SHEET else body,
    )


def wide_sheet(refs: bool = True) -> bytes:
    """16,000 columns (Excel's limit is 16,384) of 50 rows; without ``refs`` the cells carry no
    ``r`` attribute and the sheet no dimension (both optional in the format)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in range(50):
        sheet.append([row] * 16_000)
    out = io.BytesIO()
    book.save(out)
    if refs:
        return out.getvalue()
    strip = re.compile(rb' r="[A-Z]+[0-9]+"|<dimension ref="[^"]*"/>')
    return _rewrite(out.getvalue(), lambda n, body: strip.sub(b"", body) if n == SHEET else body)


def entities() -> bytes:
    """Billion laughs: entity declarations in the worksheet, one of them used in a cell."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
            for i in range(8)
        )
        + b"]>"
    )
    return _rewrite(
        good_xlsx(),
        lambda n, body: laughs + body.replace(b"<t>", b"<t>&i;", 1) if n == SHEET else body,
    )


def binary() -> bytes:
    return np.random.default_rng(16).bytes(200_000)


CASES = [
    ("zip-bomb", zip_bomb, TOO_BIG_UNPACKED),
    ("declared-huge", declared_huge, TOO_BIG_UNPACKED),
    ("lying-size", lying_size, NOT_XLSX),
    ("deflate64", lambda: _patch_headers(good_xlsx(), SHEET, method=9), ODD_ZIP),
    ("encrypted-flag", lambda: _patch_headers(good_xlsx(), SHEET, flags=1), ODD_ZIP),
    ("far-corner", far_corner, TOO_WIDE),
    ("far-corner-no-dimension", lambda: far_corner(keep_dimension=False), TOO_WIDE),
    ("wide-sheet", wide_sheet, TOO_WIDE),
    ("wide-sheet-no-refs", lambda: wide_sheet(refs=False), TOO_BIG_UNPACKED),
    ("entities", entities, NOT_XLSX),
    ("binary", binary, "无法按 gb18030 编码读取"),
    ("utf-16-no-bom", lambda: good_csv().decode().encode("utf-16-le"), "无法按 gb18030 编码读取"),
    ("utf-32", lambda: codecs.BOM_UTF32_LE + good_csv().decode().encode("utf-32-le"), BINARY),
    ("nul", lambda: good_csv(张三="张\x00三"), BINARY),
    ("control", lambda: good_csv(张三="张\x1b三"), CONTROL),
    ("bidi", lambda: good_csv(张三="张\u202e三"), BIDI),
    ("huge-cell", lambda: good_csv(张三="张" * 5000), "文字超过 100 个字符"),
    ("huge-header", lambda: good_csv(户主姓名="户" * 3_000_000), "CSV 文件格式有误"),
    ("columns-20000", lambda: good_csv(户主姓名="户主姓名" + ",x" * 20_000), TOO_WIDE),
    (
        "blank-lines-5M",
        lambda: (HEADER + "\n" + "\n" * 5_000_000 + "\n".join(ROWS) + "\n").encode(),
        TOO_LONG,
    ),
]
