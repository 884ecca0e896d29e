"""Read a frame file (CSV or XLSX) into a table of text cells, before any validation.

PURE. Every cell becomes a ``str`` whatever the file format, so the validated frame and its
content hash do not depend on the format: an XLSX number ``12`` and a CSV ``"12"`` are the
same cell. Row numbers are those a user sees in Excel: the header is row 1 when it is the first
line of the file, and every record counts as one row (blank rows are skipped but counted).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import itertools
import posixpath
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from assessment.i18n import N_, Message

Progress = Callable[[int], None]
PROGRESS_EVERY = 100_000

XLSX_MAGIC = b"PK\x03\x04"


class FrameFileError(Exception):
    """The file cannot be read at all (not a frame-level validation problem)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RawTable:
    """Header and data cells of a frame file, every cell as text.

    Attributes
    ----------
    header : tuple of str
        Header cells as typed in the file (stripped).
    rows : sequence of list of str
        Data rows, each padded or cut to the header's width (a view over :attr:`columns`
        when the reader built columns directly).
    row_numbers : list of int
        1-based file row number of each data row (header row counted).
    overflow : list of tuple
        ``(row_number, cells)`` for rows with non-blank cells beyond the header's width.
    file_format : str
        ``"csv"`` or ``"xlsx"``.
    encoding : str or None
        Text encoding of a CSV file (None for XLSX).
    columns : list of list of str, optional
        The same cells by column, when the reader produced them (fast CSV path).
    clean : bool
        True when the reader has already made sure no cell holds a control character.
    """

    header: tuple[str, ...]
    rows: Sequence
    row_numbers: list
    overflow: list
    file_format: str
    encoding: str | None
    columns: list | None = None
    clean: bool = False

    def column_cells(self) -> list[Sequence[str]]:
        """The cells of each column, in header order."""
        if self.columns is not None:
            return self.columns
        return list(zip(*self.rows, strict=True)) or [() for _ in self.header]


class _RowView(Sequence):
    """Rows of a table held by columns, built only when someone asks for them."""

    def __init__(self, columns: list[list[str]], n: int) -> None:
        self._columns, self._n = columns, n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [list(cells) for cells in zip(*(c[i] for c in self._columns), strict=True)]
        return [column[i] for column in self._columns]

    def __iter__(self):
        return map(list, zip(*self._columns, strict=True))


def read_bytes(source: str | Path | bytes | BinaryIO) -> bytes:
    """The raw bytes of ``source`` (a path, bytes, or a binary file object)."""
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    if hasattr(source, "read"):
        return source.read()
    raise ValueError(f"source: expected a path, bytes or a binary file, got {type(source)!r}")


def detect_encoding(data: bytes) -> str:
    """Guess the text encoding of a CSV file: UTF-8 (with or without BOM), UTF-16, GB18030.

    GB18030 is a superset of GBK and GB2312, so GBK files decode as GB18030. Any other
    byte string that is not valid UTF-8 is tried as GB18030 last.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def choose_encoding(data: bytes, encoding: str | None) -> str:
    """The encoding a CSV file is read with: ``encoding`` (detected when None), UTF-8 with
    a byte-order mark read as ``utf-8-sig``. ValueError for an unknown encoding name."""
    chosen = encoding or detect_encoding(data)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise ValueError(f"encoding: unknown encoding {chosen!r}") from None
    if chosen.replace("_", "-").lower() in ("utf-8", "utf8") and data.startswith(codecs.BOM_UTF8):
        chosen = "utf-8-sig"
    return chosen


def decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """Decode ``data`` with ``encoding`` (detected when None); return text and encoding."""
    chosen = choose_encoding(data, encoding)
    try:
        return data.decode(chosen), chosen
    except UnicodeDecodeError:
        raise FrameFileError(
            Message(N_("The file cannot be read as {encoding} text."), {"encoding": chosen})
        ) from None


def _sniff_delimiter(text: str) -> str:
    first = text[: text.find("\n")] if "\n" in text else text
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _blank(cells) -> bool:
    return not any(cell.strip() for cell in cells)


def _collect(records, progress: Progress | None, file_format: str, encoding) -> RawTable:
    records = iter(records)
    number = 0
    for cells in records:
        number += 1
        if not _blank(cells):
            break
    else:
        raise FrameFileError(Message(N_("The file is empty.")))
    header = [cell.strip() for cell in cells]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows: list = []
    numbers: list = []
    overflow: list = []
    while chunk := list(itertools.islice(records, PROGRESS_EVERY)):
        _add_chunk(chunk, number, width, rows, numbers, overflow)
        number += len(chunk)
        if progress is not None:
            progress(len(rows))
    return RawTable(tuple(header), rows, numbers, overflow, file_format, encoding)


def _add_chunk(chunk, number: int, width: int, rows, numbers, overflow) -> None:
    """Append a chunk of records; whole-chunk fast path when every row is regular."""
    if set(map(len, chunk)) == {width} and all(cells[0] for cells in chunk):
        rows.extend(chunk)
        numbers.extend(range(number + 1, number + 1 + len(chunk)))
        return
    for offset, cells in enumerate(chunk, start=number + 1):
        if _blank(cells):
            continue
        if len(cells) != width:
            if not _blank(cells[width:]):
                overflow.append((offset, cells))
            cells = (list(cells) + [""] * width)[:width]
        rows.append(cells)
        numbers.append(offset)


def read_csv_table(
    data: bytes, *, encoding: str | None = None, progress: Progress | None = None
) -> RawTable:
    """Parse CSV bytes (comma, tab or semicolon separated) into a :class:`RawTable`."""
    text, chosen = decode(data, encoding)
    delimiter = _sniff_delimiter(text)
    lines = _plain_lines(text)
    if lines is not None:
        del text  # the lines hold the same characters
        clean = _no_control_bytes(data, chosen, delimiter)
        return _collect_lines(lines, delimiter, progress, chosen, clean)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _collect(reader, progress, "csv", chosen)
    except csv.Error as exc:
        raise FrameFileError(
            Message(N_("The CSV file is malformed: {detail}"), {"detail": str(exc)})
        ) from None


def _plain_lines(text: str) -> list[str] | None:
    """The records of ``text`` when ``csv.reader`` would only split it at line breaks and
    delimiters: no quote character, one line-break style, no field near csv's size limit.
    None otherwise (the csv module then parses the file)."""
    if '"' in text:
        return None
    if "\r" in text:
        pairs = text.count("\r\n")
        if pairs != text.count("\r") or pairs != text.count("\n"):
            return None
        lines = text.split("\r\n")
    else:
        lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # csv yields no record after the final line break
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return None
    return lines


#: Encodings in which a byte below 0x20 or 0x7F always stands for that ASCII character.
_ASCII_TRANSPARENT = frozenset({"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "ascii"})


def _no_control_bytes(data: bytes, encoding: str, delimiter: str) -> bool:
    """True when no cell of a plain (unquoted) CSV can hold a control character.

    Checked once on the raw bytes instead of on every text column: line breaks and a tab
    delimiter are the only control characters allowed, and in these encodings a control
    byte cannot be part of a multi-byte character.
    """
    if codecs.lookup(encoding).name not in _ASCII_TRANSPARENT:
        return False
    if b"\x7f" in data:
        return False
    allowed = (
        data.count(b"\n") + data.count(b"\r") + (data.count(b"\t") if delimiter == "\t" else 0)
    )
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) < 0x20)) == allowed


def _header_line(lines: list[str], delimiter: str) -> tuple[int, list[str]]:
    """Position and cells of the first non-blank line."""
    for index, line in enumerate(lines):
        cells = line.split(delimiter)
        if not _blank(cells):
            return index, cells
    raise FrameFileError(Message(N_("The file is empty.")))


def _collect_lines(lines: list[str], delimiter: str, progress, encoding, clean) -> RawTable:
    """Like :func:`_collect`, for plain CSV lines, building columns instead of rows."""
    index, cells = _header_line(lines, delimiter)
    header = [cell.strip() for cell in cells]
    while header and not header[-1]:
        header.pop()
    columns: list[list[str]] = [[] for _ in header]
    numbers: list = []
    overflow: list = []
    for start in range(index + 1, len(lines), PROGRESS_EVERY):
        chunk = lines[start : start + PROGRESS_EVERY]
        _add_lines(chunk, start + 1, delimiter, columns, numbers, overflow)
        if progress is not None:
            progress(len(numbers))
    rows = _RowView(columns, len(numbers))
    return RawTable(tuple(header), rows, numbers, overflow, "csv", encoding, columns, clean)


def _add_lines(chunk, number: int, delimiter: str, columns, numbers, overflow) -> None:
    """Append lines (the first is file row ``number``); one split when every line is regular."""
    width = len(columns)
    if _regular(chunk, delimiter, width):
        cells = delimiter.join(chunk).split(delimiter)
        for j, column in enumerate(columns):
            column.extend(cells[j::width])
        numbers.extend(range(number, number + len(chunk)))
        return
    rows: list = []
    split = [line.split(delimiter) for line in chunk]
    _add_chunk(split, number - 1, width, rows, numbers, overflow)
    for column, cells in zip(columns, zip(*rows, strict=True), strict=False):
        column.extend(cells)


def _regular(chunk: list[str], delimiter: str, width: int) -> bool:
    """Every line has exactly ``width`` cells and a non-empty first cell: the condition under
    which :func:`_add_chunk` takes a chunk whole, so both paths give the same rows."""
    firsts = {line[:1] for line in chunk}
    if "" in firsts or delimiter in firsts:
        return False
    return set(map(str.count, chunk, itertools.repeat(delimiter))) == {width - 1}


def cell_text(value: object) -> str:
    """Text of one XLSX cell, written as the same cell would be in a CSV export."""
    if value is None:
        return ""
    if value.__class__ is int:
        return str(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx_table(data: bytes, *, progress: Progress | None = None) -> RawTable:
    """Read the first worksheet of an XLSX workbook into a :class:`RawTable`.

    The cells are read by calamine (``python-calamine``, about eight times faster than openpyxl)
    and written as :func:`cell_text` writes the values openpyxl reads, so the table is the one
    openpyxl gave: rows from row 1 and cells from column A (leading blank rows and columns
    kept), error cells such as ``#N/A`` as their text (calamine reads them as blank).
    """
    import python_calamine  # imported here: CSV-only callers should not pay for it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if _WORKBOOK_PART not in archive.namelist():  # an ODS or XLSB file, say
            raise ValueError("not an XLSX workbook")
        _check_unpacked(archive, lambda name: not name.startswith(_WORKSHEETS))
        with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            kinds = [sheet.typ for sheet in book.sheets_metadata]
            first = kinds.index(python_calamine.SheetTypeEnum.WorkSheet)
            name = book.sheets_metadata[first].name
            errors = _error_cells(archive, name)
            sheet = book.get_sheet_by_index(first)
    except _TooLarge:
        raise FrameFileError(
            Message(
                N_("The workbook unpacks to more than {limit} MB. Save the frame as CSV."),
                {"limit": MAX_XLSX_UNPACKED // 2**20},
            )
        ) from None
    except Exception:  # calamine and zipfile raise many types for a damaged or foreign file
        raise FrameFileError(Message(N_("The file is not a readable XLSX workbook."))) from None
    return _collect(_sheet_records(sheet, errors), progress, "xlsx", None)


#: Most bytes a frame workbook may unpack to. The benchmark's 1,000,000-household workbook
#: (63 MB) unpacks to 0.77 GB; a small file that unpacks to many gigabytes is refused before
#: calamine holds it in memory.
MAX_XLSX_UNPACKED = 1536 * 2**20
_WORKSHEETS = "xl/worksheets/"


class _TooLarge(Exception):
    """The workbook unpacks to more than :data:`MAX_XLSX_UNPACKED` bytes."""


def _check_unpacked(archive: zipfile.ZipFile, which) -> None:
    """Refuse a workbook whose parts claim more than :data:`MAX_XLSX_UNPACKED` bytes in all,
    and unpack the parts ``which(name)`` selects to make sure each holds what it claims.

    zipfile stops a part at its declared size and checks its CRC, so a part that claims to
    be small but unpacks to more raises BadZipFile here. Worksheets are checked while their
    error cells are scanned (:func:`_error_cells`).
    """
    if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
        raise _TooLarge
    for info in archive.infolist():
        if which(info.filename):
            with archive.open(info) as stream:
                while stream.read(1 << 24):
                    pass


_WORKBOOK_PART = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
#: An error cell (``t="e"``) of a worksheet: its attributes and its content.
_ERROR_CELL = re.compile(
    rb"<(?:[\w.-]+:)?c\s([^>]*?\bt\s*=\s*[\"']e[\"'][^>]*?)(?<!/)>(.*?)</(?:[\w.-]+:)?c>", re.S
)
_CELL_REF = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]+)\$?([0-9]+)[\"']")
_CELL_VALUE = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>([^<]*)<")
_ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


class _CellTexts(dict):
    """:func:`cell_text` of each distinct non-text cell value, computed once.

    Values that compare equal have the same text (``1 == 1.0 == True`` all give ``"1"``; a
    date never equals a datetime), so they may share an entry.
    """

    def __missing__(self, value) -> str:
        text = self[value] = cell_text(value)
        return text


def _sheet_records(sheet, errors: dict[int, dict[int, str]]):
    """The rows of a calamine sheet as lists of text, from row 1 and column A.

    ``iter_rows`` yields the blank rows above the data but starts each row at the first
    column holding data, so the blank columns on the left are added back here.
    """
    if sheet.start is None:  # no cell at all (iter_rows needs a start)
        return
    blank = [""] * sheet.start[1]
    texts = _CellTexts()
    for number, row in enumerate(sheet.iter_rows(), start=1):
        cells = [v if v.__class__ is str else texts[v] for v in row]
        if blank:
            cells = blank + cells
        if number in errors:
            for column, text in errors[number].items():
                cells.extend([""] * (column - len(cells)))
                cells[column - 1] = text
        yield cells


def _attributes(xml: bytes, tag: str) -> list[dict[str, str]]:
    """The attributes of each ``tag`` element of a small XML part, without namespace prefixes
    (read with a regular expression: an XML parser would be open to entity attacks)."""
    pattern = rb"<(?:[\w.-]+:)?" + tag.encode() + rb"\s([^>]*)>"
    return [
        {
            name.decode().rpartition(":")[2]: html.unescape((double or single).decode())
            for name, double, single in _ATTRIBUTE.findall(match[1])
        }
        for match in re.finditer(pattern, xml)
    ]


def _sheet_part(archive: zipfile.ZipFile, name: str) -> str | None:
    """Path inside the archive of the worksheet called ``name`` (None when not found)."""
    sheets = _attributes(archive.read(_WORKBOOK_PART), "sheet")
    rid = next((sheet.get("id") for sheet in sheets if sheet.get("name") == name), None)
    rels = _attributes(archive.read(_WORKBOOK_RELS), "Relationship")
    target = next((rel.get("Target") for rel in rels if rid and rel.get("Id") == rid), None)
    if target is None:
        return None
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(_WORKBOOK_PART), target))


def _error_cells(archive: zipfile.ZipFile, name: str) -> dict[int, dict[int, str]]:
    """The text of each error cell of worksheet ``name``, by row and column number (1-based).

    openpyxl reads an error cell as its text (``#N/A``, ``#DIV/0!``); calamine reads it as a
    blank cell. The worksheet is scanned block by block, each block ending after a row; this
    scan also makes sure the worksheet unpacks to the size it claims (see
    :func:`_check_unpacked`) before calamine reads it.
    """
    found: dict[int, dict[int, str]] = {}
    part = _sheet_part(archive, name)
    if part is None or part not in archive.namelist():
        # the worksheet was not found by name: make sure every worksheet holds what it claims
        _check_unpacked(archive, lambda name: name.startswith(_WORKSHEETS))
        return found
    tail = b""
    with archive.open(part) as stream:
        while True:
            block = stream.read(1 << 24)
            chunk = tail + block
            cut = len(chunk) if not block else max(chunk.rfind(b"</row>"), chunk.rfind(b":row>"))
            if cut < 0:
                tail = chunk
                continue
            chunk, tail = chunk[:cut], chunk[cut:]
            if b'"e"' in chunk or b"'e'" in chunk:
                for match in _ERROR_CELL.finditer(chunk):
                    ref = _CELL_REF.search(match[1])
                    value = _CELL_VALUE.search(match[2])
                    if ref is None or value is None:
                        continue
                    column = 0
                    for letter in ref[1].upper():
                        column = column * 26 + letter - 64
                    text = html.unescape(value[1].decode())
                    found.setdefault(int(ref[2]), {})[column] = text
            if not block:
                return found


def read_table(
    source: str | Path | bytes | BinaryIO,
    *,
    file_format: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> RawTable:
    """Read a frame file; the format is taken from ``file_format`` or the file's first bytes."""
    data = read_bytes(source)
    if file_format is None:
        file_format = "xlsx" if data.startswith(XLSX_MAGIC) else "csv"
    if file_format == "xlsx":
        return read_xlsx_table(data, progress=progress)
    if file_format == "csv":
        return read_csv_table(data, encoding=encoding, progress=progress)
    raise ValueError(f"file_format: expected 'csv' or 'xlsx', got {file_format!r}")
