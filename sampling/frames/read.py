"""Bytes to one table of text cells: CSV through polars, XLSX through fastexcel.

PURE. Every cell becomes text whatever the format, so the checked frame and its content hash do
not depend on it (an XLSX number ``12`` and a CSV ``"12"`` are the same cell). Row numbers are
those Excel shows: blank rows are skipped but counted. Before any parser runs, the file is
measured against :class:`Limits`, so that a small hostile file cannot make a parser allocate
without bound.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import ctypes
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assessment.core.i18n import N_, Message

Progress = Callable[[int], None]
XLSX_MAGIC = b"PK\x03\x04"
MB = 2**20


@dataclass(frozen=True)
class Limits:
    """What a frame file may hold, and the memory and processor time the reading process may
    use; the defaults fit a county of 2,000,000 households (``docs/frame-format.md`` has the
    table, the ini file the ``frames.*`` settings)."""

    max_bytes: int = 200 * MB
    max_columns: int = 64
    max_cell_chars: int = 1000
    max_rows: int = 2_500_000
    max_unpacked: int = 1536 * MB
    max_ratio: int = 200
    max_memory: int = 1536 * MB
    max_seconds: float = 30.0


DEFAULT_LIMITS = Limits()


class FrameFileError(Exception):
    """The file cannot be read at all (not a problem of one row)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def _refuse(msgid: str, **mapping) -> FrameFileError:
    return FrameFileError(Message(msgid, mapping))


@dataclass(frozen=True)
class Table:
    """Header and data cells of a frame file, every cell as text: the header cells as typed
    (stripped, trailing blank ones dropped); ``cells``, columns ``c0``, ``c1``, ... per header
    cell (String, stripped, "" for blank) and ``row`` (file row number, Int32), blank rows left
    out; ``overflow``, ``row`` and ``count`` (cells in the row) of rows with non-blank cells
    beyond the header."""

    header: tuple[str, ...]
    cells: pl.DataFrame
    overflow: pl.DataFrame
    file_format: str
    encoding: str | None


def _detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (which also reads GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def read_table(
    data: bytes | Path,
    *,
    file_format: str | None = None,
    encoding: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    refused: Callable[[Message], None] | None = None,
) -> Table:
    """Read a frame file (CSV or XLSX, told by ``file_format`` or the first bytes), given as
    its bytes or its path (a workbook's path spares a copy of it in memory while it is read).
    With ``refused``, a large workbook is measured while it is parsed (:data:`SCAN_ALONGSIDE`)."""
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    if size > limits.max_bytes:
        raise _refuse(
            N_("The file is larger than {limit} MB."), limit=max(1, limits.max_bytes // MB)
        )
    if file_format is None:
        file_format = "xlsx" if first_bytes(data).startswith(XLSX_MAGIC) else "csv"
    if file_format == "xlsx":
        return _table(_xlsx_rows(data, limits, refused), "xlsx", None, limits)
    if file_format == "csv":
        data = data.read_bytes() if isinstance(data, Path) else data
        decoded = list(_decode(data, encoding))  # handed over: _csv_rows frees the text early
        chosen = decoded[1]
        return _table(_csv_rows(decoded, limits), "csv", chosen, limits)
    raise ValueError(f"file_format: expected 'csv' or 'xlsx', got {file_format!r}")


def first_bytes(data: bytes | Path) -> bytes:
    """The first four bytes (an XLSX workbook, a zip archive, starts ``PK\\x03\\x04``)."""
    if isinstance(data, bytes):
        return data[:4]
    with data.open("rb") as stream:
        return stream.read(4)


# --- CSV -------------------------------------------------------------------------------------


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and its encoding: ``encoding`` (ValueError when unknown; UTF-8 with a byte-order
    mark read as ``utf-8-sig``), or the detected one."""
    chosen = encoding or _detect_encoding(data)
    try:
        if codecs.lookup(chosen).name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            chosen = "utf-8-sig"
    except LookupError:
        raise ValueError(f"encoding: unknown encoding {chosen!r}") from None
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError:
        raise _refuse(N_("The file cannot be read as {encoding} text."), encoding=chosen) from None
    return text, chosen


def _sniff_delimiter(text: str) -> str:
    end = re.search(r"[\r\n]", text)  # the first line, whatever the line breaks
    first = text[: end.start()] if end else text
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_rows(decoded: list, limits: Limits) -> pl.DataFrame:
    """Every record of the decoded text (taken out of ``decoded``, so that it is freed once
    encoded for polars) as String columns ``c0`` ... (null for a missing or empty field)."""
    head = decoded[0][: 1 << 20].replace("\r\n", "\n").replace("\r", "\n")
    delimiter = _sniff_delimiter(decoded[0])
    data = decoded.pop(0).encode("utf-8")  # measured as UTF-8 bytes: one byte per break or NUL
    if b"\x00" in data:
        raise _refuse(N_("The file holds binary data (NUL characters): it is not a CSV file."))
    if data.count(b"\n") + (breaks := data.count(b"\r")) > 2 * limits.max_rows:
        _check_dimension(0, limits.max_rows + 1, limits)  # before polars holds every row
    if breaks and breaks != data.count(b"\r\n"):
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # old Mac line breaks
    width = _record_width(head, delimiter, limits, header_only=True)
    schema = {f"c{i}": pl.String for i in range(width)}
    try:
        return pl.read_csv(
            data, has_header=False, separator=delimiter, schema=schema, missing_columns="insert"
        )
    except pl.exceptions.PolarsError as exc:
        if "more fields" not in str(exc) and "not specified in schema" not in str(exc):
            raise _refuse(
                N_("The CSV file is malformed: {detail}"), detail=str(exc)[:200]
            ) from None
    # A record longer than the first: read it again wide enough to name the extra cells.
    wide = _record_width(data.decode("utf-8"), delimiter, limits, header_only=False)
    schema = {f"c{i}": pl.String for i in range(wide)}
    return pl.read_csv(
        data, has_header=False, separator=delimiter, schema=schema, missing_columns="insert"
    )


def _record_width(text: str, delimiter: str, limits: Limits, *, header_only: bool) -> int:
    """Cells of the longest record: of all, or of those up to the first non-blank one."""
    width = 1
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            width = max(width, len(cells))
            _check_width(width, limits)
            if header_only and any(cell.strip() for cell in cells):
                break
    except csv.Error as exc:  # e.g. a cell beyond csv's field size limit (128 KB)
        if not header_only:  # (a header cut at the 1 MB mark: polars reads the whole file)
            raise _refuse(
                N_("The CSV file is malformed: {detail}"), detail=str(exc)[:200]
            ) from None
    return width


def _check_width(width: int, limits: Limits) -> None:
    if width > limits.max_columns:
        raise _refuse(
            N_("The file has more than {limit} columns (a frame has at most {limit})."),
            limit=limits.max_columns,
        )


# --- XLSX ------------------------------------------------------------------------------------

_WORKBOOK, _RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
_ALLOWED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\$?(\d*):?\$?([A-Z]+)\$?(\d+)\"")
_FIRST_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)[\s>]")
_CELL_ROW = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"[A-Z]+(\d+)\"")
_DATETIME = r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$"
_UPPER, _SPACES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"\t\n\r"
#: Worksheet XML reduced to the shape of its references (letters "A", digits "0", white space
#: " ", "$" dropped), where a search finds at C speed the few references worth reading.
_SHAPE = bytes.maketrans(_UPPER + b"0123456789" + _SPACES, b"A" * 26 + b"0" * 10 + b"   ")
_REF = re.compile(rb'\sr="\$?([A-Z]*)\$?(\d+)"')
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def _not_xlsx() -> FrameFileError:
    return _refuse(N_("The file is not a readable XLSX workbook."))


#: A worksheet that unpacks to more is measured on a second thread while calamine parses it
#: (releasing the GIL; it allocates its cells only once it has read the whole sheet), and a
#: refusal is told to ``refused`` at once. Smaller sheets, and reads without ``refused``, are
#: measured before calamine starts (``docs/frame-format.md``, "Limits").
SCAN_ALONGSIDE = 16 * MB


def _xlsx_rows(data: bytes | Path, limits: Limits, refused=None) -> pl.DataFrame:
    """The first worksheet's rows from row 1, as String columns ``c0`` ... (null when empty)."""
    archive, part = _open_workbook(data, limits)
    if refused is None or archive.getinfo(part).file_size < SCAN_ALONGSIDE:
        first_row, width = _scan_sheet(archive, part, limits)
        frame, offset = _calamine(data)
    else:
        with ThreadPoolExecutor(1) as pool:
            scan = pool.submit(_scan_sheet, archive, part, limits, refused)
            try:
                frame, offset = _calamine(data)
            except FrameFileError:
                scan.result()  # the measuring's refusal, if any, says more
                raise
            first_row, width = scan.result()
    if frame.width > limits.max_columns or width > limits.max_columns:
        _check_width(max(frame.width, width), limits)
    named = [pl.lit(None, pl.String).alias(f"c{i}") for i in range(offset)]
    named += [
        _calamine_text(frame[name]).alias(f"c{offset + i}") for i, name in enumerate(frame.columns)
    ]
    blank_rows = pl.DataFrame({f"c{i}": [None] * (first_row - 1) for i in range(len(named))})
    body = frame.select(named) if named else frame
    return pl.concat([blank_rows.cast(pl.String), body]) if first_row > 1 else body


def _calamine(data: bytes | Path) -> tuple[pl.DataFrame, int]:
    """The first worksheet as fastexcel reads it (every cell as text), and the position of its
    first column."""
    import fastexcel  # imported here: CSV-only callers do not pay for it

    try:
        sheet = fastexcel.read_excel(data).load_sheet(0, header_row=None, dtypes="string")
        frame = pl.DataFrame(sheet.to_polars())
        columns = sheet.selected_columns
    except Exception:  # fastexcel raises several types for a damaged or foreign file
        raise _not_xlsx() from None
    del sheet  # calamine's cells: about 46 bytes each, 740 MB for 1,000,000 households
    # hand the freed heap back to the system (glibc keeps it; the child is watched by its size)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return frame, columns[0].absolute_index if columns else 0


def _calamine_text(column: pl.Series) -> pl.Expr:
    """A column as text the way calamine writes a date (``YYYY-MM-DD``) or a date and time
    (``YYYY-MM-DDTHH:MM:SS``); only a column holding cells of that length is searched."""
    if not (column.str.len_bytes() == len("YYYY-MM-DD HH:MM:SS")).any():
        return pl.col(column.name)
    return (
        pl.col(column.name)
        .str.replace(_DATETIME, "${1}T${2}")
        .str.replace(r"^(\d{4}-\d{2}-\d{2})T00:00:00$", "${1}")
    )


def _open_workbook(data: bytes | Path, limits: Limits) -> tuple[zipfile.ZipFile, str]:
    """Open a workbook and measure it before any parser sees it; its first worksheet's part.
    Refuses odd compression, encryption, entity declarations and zip bombs (declared sizes)."""
    try:
        archive = zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data))
        infos = archive.infolist()
        names = {info.filename for info in infos}
    except Exception:
        raise _not_xlsx() from None
    if _WORKBOOK not in names:
        raise _not_xlsx()
    total = 0
    for info in infos:
        if info.compress_type not in _ALLOWED_METHODS or info.flag_bits & 0x1:
            raise _refuse(
                N_("The workbook is encrypted or compressed in a way Excel does not use.")
            )
        total += info.file_size
        if total > limits.max_unpacked or info.file_size > limits.max_ratio * max(
            info.compress_size, 1 << 16
        ):
            raise _refuse(
                N_("The workbook unpacks to more than {limit} MB. Save the frame as CSV."),
                limit=limits.max_unpacked // MB,
            )
    try:
        for info in infos:  # an XML parser must never meet entity declarations
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as stream:
                    if _DOCTYPE.search(stream.read(4096)):
                        raise ValueError("entity declarations")
    except Exception:  # also a bad CRC or a damaged stream
        raise _not_xlsx() from None
    return archive, _first_sheet(archive, names)


def _first_sheet(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The part of the first worksheet, as fastexcel takes it (the first sheet listed)."""
    sheet = re.search(
        rb"<(?:\w+:)?sheet\s[^>]*?\b(?:\w+:)?id=\"([^\"]+)\"", archive.read(_WORKBOOK)
    )
    rels = archive.read(_RELS) if sheet and _RELS in names else b""
    for rel in re.finditer(rb"<(?:\w+:)?Relationship\s[^>]*>", rels):
        if b'Id="' + sheet[1] + b'"' in rel[0]:
            target = re.search(rb"Target=\"([^\"]+)\"", rel[0])
            if target:
                path = target[1].decode("utf-8", "replace").lstrip("/")
                path = path if path.startswith("xl/") else "xl/" + path
                if path in names:
                    return path
    raise _not_xlsx()


def _scan_sheet(archive: zipfile.ZipFile, part: str, limits: Limits, refused=None):
    """Stream the worksheet XML: its declared dimension, its cells, its first used row; each
    against the limits, and its real unpacked size against the declared one (zipfile stops at
    the declared size and checks the CRC). The first used row and the declared width; a
    refusal is told to ``refused`` too."""
    cells = first_row = width = 0
    tail = b""
    try:
        with archive.open(part) as stream:
            while block := stream.read(1 << 22):
                chunk = tail + block
                if not tail and (dim := _DIMENSION.search(chunk)):  # at the top of the sheet
                    width = _column_number(dim[2])
                    _check_dimension(width, int(dim[3]), limits)
                cells += block.count(b"<c") + block.count(b":c ")  # (<col> too: a bound)
                _check_extent(chunk, limits)
                if cells > limits.max_rows * limits.max_columns:
                    raise _refuse(
                        N_("The worksheet has more cells than a frame may have ({limit})."),
                        limit=limits.max_rows * limits.max_columns,
                    )
                if not first_row and (value := _FIRST_VALUE.search(chunk)):
                    rows = _CELL_ROW.findall(chunk[: value.start()])
                    first_row = int(rows[-1]) if rows else 1
                tail = chunk[-256:]
    except (FrameFileError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        error = exc if isinstance(exc, FrameFileError) else _not_xlsx()  # e.g. a bad CRC
        if refused is not None:
            refused(error.message)
        raise error from None
    return max(first_row, 1), width


def _check_extent(chunk: bytes, limits: Limits) -> None:
    """Refuse cells or rows beyond the column or row limits, whatever the dimension says. Only
    a chunk with references wider than column Z, or with as many digits as the row limit, has
    its references read one by one (rare: a 1,000,000-household sheet has one such chunk)."""
    suspect = rb' r="(?:AA|A?0{%d})' % len(str(limits.max_rows))
    if re.search(suspect, chunk.translate(_SHAPE, b"$")):
        refs = _REF.findall(chunk)
        columns = max((_column_number(letters) for letters, _ in refs), default=0)
        _check_dimension(columns, max((int(row) for _, row in refs), default=0), limits)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_dimension(columns: int, rows: int, limits: Limits) -> None:
    _check_width(columns, limits)
    if rows > limits.max_rows:
        raise _refuse(
            N_("The file has more than {limit} rows (a frame has at most {limit})."),
            limit=limits.max_rows,
        )


# --- one table -------------------------------------------------------------------------------


def _table(rows: pl.DataFrame, file_format: str, encoding, limits: Limits) -> Table:
    """Header (first non-blank row), data rows with their file row numbers, overflow rows."""
    if rows.height > limits.max_rows:
        _check_dimension(0, rows.height, limits)
    _check_width(rows.width, limits)
    names = rows.columns
    if not names:
        raise _refuse(N_("The file is empty."))
    rows = rows.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int32))
    # each cell stripped once; the raw cells serve only the header and the overflow count
    cells = rows.select("row", *(pl.col(n).fill_null("").str.strip_chars() for n in names))
    nonblank = cells.select(pl.any_horizontal(pl.col(n) != "" for n in names)).to_series()
    if not nonblank.any():
        raise _refuse(N_("The file is empty."))
    header = [(cell or "").strip() for cell in rows.row(int(nonblank.arg_true()[0]))[1:]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    overflow = pl.DataFrame({"row": [], "count": []}, schema={"row": pl.Int32, "count": pl.Int32})
    if beyond := names[width:]:
        flagged = pl.any_horizontal(pl.col(n).str.strip_chars() != "" for n in beyond)
        last = pl.max_horizontal(
            pl.when(pl.col(n).fill_null("") != "").then(pl.lit(i + 1)) for i, n in enumerate(names)
        )
        body = rows.filter(nonblank).slice(1)
        overflow = body.filter(flagged).select("row", last.cast(pl.Int32).alias("count"))
    del rows
    cells = cells.select("row", *names[:width]).filter(nonblank).slice(1)
    return Table(tuple(header), cells, overflow, file_format, encoding)
