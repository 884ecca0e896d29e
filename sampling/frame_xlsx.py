"""Fast path for clean XLSX frames: the first worksheet's cells read by a C scanner.

PURE. A 1,000,000-household workbook unpacks to about 0.8 GB of XML; calamine needs about
16 s to parse it into cells, more than twice the raw database insert. Frame workbooks are
regular (one ``<c r="B7" ...>`` element per cell, values in ``<v>`` or ``<is><t>``), so the
scanner of ``sampling/_xlsx_scan.c`` reads each block of rows in one pass while the next
block is unpacked: it checks every element against the few shapes listed there and codes
each column's values by distinct bytes. Only distinct values are then decoded, unescaped or
turned into numbers here (:mod:`sampling.xlsx_parts`).

:func:`fast_xlsx_table` returns None for anything it does not recognise exactly (a formula,
a rich-text or phonetic run, a boolean, error or date cell, a namespace prefix, a comment, a
cell without its reference, cells out of order, a number with a date or custom format,
``_x000D_`` escapes, text beyond the header, a row of white space), and the general reader
(calamine) then reads the workbook. When it answers, the cells are those
:func:`frame_reader.read_xlsx_table` gives, character for character
(``tests/sampling/test_frame_xlsx.py`` compares both on generated workbooks): the fast checks
take them, or every check runs on them (:func:`raw_table`) and reports each issue.

The scanner is a C extension built by ``setup.py``. Where it could not be built (no C
compiler), :data:`Scanner` is None and calamine reads every workbook.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import xml.parsers.expat
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sampling import frame_checks as ck
from sampling.frame_fast import Coded, FastTable
from sampling.frame_reader import PROGRESS_EVERY, Progress, RawTable, _RowView
from sampling.xlsx_parts import (
    XML_SPACE,
    NotPlain,
    number_formats,
    number_texts,
    shared_strings,
    shared_texts,
    unescaped,
    workbook_parts,
)

try:
    from sampling._xlsx_scan import (
        AMPERSAND,
        DIGITS,
        EDGE_SPACE,
        EXCEL_ESCAPE,
        INLINE,
        INLINE_KEPT,
        NUMBER,
        SHARED,
        Scanner,
    )
except ImportError:  # not built: no C compiler where the package was installed
    Scanner = None

log = logging.getLogger(__name__)

#: Bytes of worksheet XML unpacked at a time.
BLOCK_BYTES = 1 << 22
#: Runs of rows unpacked but not scanned yet, at most (the unpacking waits beyond it).
QUEUED_RUNS = 8
_RANGE = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}(:[A-Z]{1,3}[1-9][0-9]{0,6})?")


def fast_xlsx_table(data: bytes, progress: Progress | None = None) -> FastTable | None:
    """Cells of the first worksheet coded by column, or None when the workbook is not plain
    (see the module docstring) or has no data row."""
    if Scanner is None:
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = workbook_parts(archive)
        shared = shared_strings(archive, parts.get("sharedStrings"))
        formats = number_formats(archive, parts.get("styles"))
        sheet = _Sheet.read(archive, parts["worksheet"], progress)
        return _table(sheet, shared, formats)
    except (NotPlain, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        # calamine reads it, or says what is wrong with it
        log.debug("fast XLSX path declined the workbook: %r", error)
        return None
    except (KeyError, ValueError, IndexError, UnicodeDecodeError) as error:
        # a part missing or not what the relationships say
        log.debug("fast XLSX path declined the workbook: %r", error)
        return None


class _Sheet:
    """Every cell of the worksheet by column, as the scanner coded them: the ``r`` of each
    row, and for each column the code of each row's cell (0: none or empty) with the kind,
    the flags and the bytes of each code's value (see ``Scanner.column``)."""

    def __init__(self, scanner) -> None:
        self.row_values = np.frombuffer(scanner.rows(), dtype=np.int64)
        self.styles = set(scanner.styles())
        self.columns = []
        for j in range(scanner.width):
            found = scanner.column(j)
            if found is None:
                found = (np.zeros(len(self.row_values), dtype=np.int32), b"", b"", b"")
            codes, kinds, flags, arena = found
            self.columns.append((np.frombuffer(codes, dtype=np.int32), kinds, flags, arena))

    @classmethod
    def read(cls, archive: zipfile.ZipFile, part: str, progress: Progress | None) -> _Sheet:
        """Unpack the worksheet block by block, each run of whole rows scanned (on another
        core) while the next block is unpacked; zipfile checks the part's size and CRC on the
        way."""
        scanner = Scanner()
        futures, reported = [], 0
        with archive.open(part) as stream, ThreadPoolExecutor(1) as pool:
            for data, start, end in _row_runs(stream):
                futures.append(pool.submit(_scan, scanner, data, start, end))
                while reported < len(futures) and (
                    futures[reported].done() or len(futures) - reported > QUEUED_RUNS
                ):
                    futures[reported].result()  # a run it cannot read: stop unpacking
                    reported += 1
                    _report(futures[:reported], progress)
            for future in futures:
                future.result()
        _report(futures, progress)
        return cls(scanner)


def _row_runs(stream):
    """``(data, start, end)``: the whole rows of ``<sheetData>`` in order, as the part is
    unpacked. A block's rows up to its last ``</row>`` are one run; the rest is joined to
    the next block's first row. NotPlain unless the XML around the rows is well-formed."""
    head = b""
    while (found := head.find(b"<sheetData>")) < 0:
        block = stream.read(BLOCK_BYTES)
        if not block:
            raise NotPlain  # no rows (<sheetData/>), or tags with a namespace prefix
        head += block
    before = head[: found + len(b"<sheetData>")]
    block, start, tail = head, len(before), b""
    while block:
        first = block.find(b"</row>", start)
        if first < 0:
            tail += block[start:]
        else:
            first += len(b"</row>")
            if tail:
                yield tail + block[start:first], 0, len(tail) + first - start
            else:
                yield block, start, first
            last = block.rfind(b"</row>", first) + len(b"</row>")
            if last > first:
                yield block, first, last
            tail = block[max(first, last) :]
        block, start = stream.read(BLOCK_BYTES), 0
    end = tail.find(b"</sheetData>")
    if end < 0:
        raise NotPlain
    _check_well_formed(before, tail[end:])
    yield tail, 0, end


def _check_well_formed(before: bytes, after: bytes) -> None:
    """NotPlain unless the worksheet's XML without its rows is well-formed and its
    ``<dimension ref="A1:H9">`` is a cell range (calamine refuses a worksheet that is not).
    No document type declarations: calamine decides on those."""
    if b"<!DOCTYPE" in before:
        raise NotPlain
    parser = xml.parsers.expat.ParserCreate()
    refs = []
    parser.StartElementHandler = lambda name, attributes: (
        refs.append(attributes.get("ref")) if name.rpartition(":")[2] == "dimension" else None
    )
    try:
        parser.Parse(before, False)
        parser.Parse(after, True)
    except (xml.parsers.expat.ExpatError, LookupError) as error:  # LookupError: encoding
        raise NotPlain(f"not well-formed around the rows: {error}") from None
    if not all(_RANGE.fullmatch(ref or "") for ref in refs):
        raise NotPlain(f"a dimension that is not a cell range: {refs}")


def _scan(scanner, data: bytes, start: int, end: int) -> int:
    """Rows scanned in ``data[start:end]``; NotPlain for anything but plain cells."""
    try:
        return scanner.scan(data, start, end)
    except ValueError as error:
        raise NotPlain(str(error)) from None


def _report(futures, progress: Progress | None) -> None:
    """Rows read so far, in whole steps of :data:`PROGRESS_EVERY`."""
    if progress is not None:
        rows = sum(future.result() for future in futures)
        progress(rows // PROGRESS_EVERY * PROGRESS_EVERY)


def _table(sheet: _Sheet, shared: list[str], formats: frozenset[int]) -> FastTable:
    """The frame table of the worksheet as :func:`frame_reader._collect` builds it: the
    first non-blank row is the header, blank rows are skipped, cells beyond the header's
    last non-blank cell must be blank."""
    if not sheet.styles <= formats:
        raise NotPlain  # a date, a time or a custom format
    if not sheet.columns:
        raise NotPlain
    strings = np.empty(len(shared), dtype=object)
    strings[:] = shared
    with ThreadPoolExecutor(2) as pool:
        columns = list(pool.map(lambda cells: _column(cells, strings), sheet.columns))
    kept = np.flatnonzero(~_blank_rows(columns, len(sheet.row_values)))
    if len(kept) < 2:
        raise NotPlain  # no data: the general path says so
    header = [texts[codes[kept[0]]].strip() for codes, texts, _ in columns]
    while header and not header[-1]:
        header.pop()
    data = kept[1:]
    with ThreadPoolExecutor(2) as pool:
        coded = list(pool.map(lambda column: _data_column(column, data), columns))
    if any(any(text.strip() for text in column.values) for column in coded[len(header) :]):
        raise NotPlain  # text beyond the header: the general path reports it
    coded = coded[: len(header)]
    return FastTable(tuple(header), coded, len(data), None, sheet.row_values[data].astype(np.int32))


def _blank_rows(columns: list[tuple], rows: int) -> np.ndarray:
    """Rows whose every cell is empty or white space; NotPlain for a row of white space
    (csv-style readers differ on it). Columns with few distinct texts go first: after them
    only a few rows are left to look at in the others."""
    left = np.arange(rows)
    for codes, texts, _ in sorted(columns, key=lambda column: len(column[1])):
        if len(left) == 0:
            break
        cells = codes[left]
        blank = np.zeros(len(texts), dtype=bool)
        for code in np.flatnonzero(np.bincount(cells, minlength=len(texts))).tolist():
            blank[code] = not texts[code] or texts[code].isspace()
        left = left[blank[cells]]
    for codes, texts, _ in columns:
        if any(texts[code] for code in np.unique(codes[left]).tolist()):
            raise NotPlain
    blank = np.zeros(rows, dtype=bool)
    blank[left] = True
    return blank


def _data_column(column: tuple[np.ndarray, list, bool], data: np.ndarray) -> Coded:
    """The data rows' cells of a column, coded by distinct text."""
    codes, texts, distinct = column
    cells = codes[data]
    used = np.bincount(cells, minlength=len(texts)) > 0
    coded = Coded((np.cumsum(used) - 1)[cells], list(itertools.compress(texts, used)))
    if distinct or len(set(coded.values)) == len(coded.values):
        return coded
    return coded.recoded()


def _column(cells: tuple, shared: np.ndarray) -> tuple[np.ndarray, list, bool]:
    """Code of each row's cell in one column (0: no cell or an empty one), the text of each
    code, and whether those texts are known to be distinct (else equal texts are merged
    later)."""
    codes, kinds, flags, arena = cells
    kind_of = np.frombuffer(kinds, dtype=np.int8)
    flag_of = np.frombuffer(flags, dtype=np.uint8)
    inline = (INLINE, INLINE_KEPT)
    if len(kind_of) == 0 or ((kind_of == kind_of[0]).all() and kind_of[0] in inline):
        trimmed = len(kind_of) > 0 and kind_of[0] == INLINE
        changed = AMPERSAND | (EDGE_SPACE if trimmed else 0)
        # distinct bytes decode to distinct text, unless changed or empty (as code 0)
        distinct = not (flag_of & changed).any() and not _has_empty(arena)
        return codes, ["", *_inline_texts(arena, flag_of, trimmed=trimmed)], distinct
    values = arena.split(b"\x00")[:-1]
    texts = np.empty(len(values) + 1, dtype=object)
    texts[0] = ""
    for kind, convert in (
        (SHARED, lambda chosen: _shared_part(values, chosen, flag_of, shared)),
        (NUMBER, lambda chosen: _number_part(values, chosen, flag_of)),
        (INLINE, lambda chosen: _inline_part(values, chosen, flag_of, trimmed=True)),
        (INLINE_KEPT, lambda chosen: _inline_part(values, chosen, flag_of, trimmed=False)),
    ):
        chosen = np.flatnonzero(kind_of == kind)
        if len(chosen):
            converted = convert(chosen)
            if len(converted) != len(chosen):
                raise NotPlain
            texts[chosen + 1] = converted
    return codes, texts.tolist(), False


def _has_empty(arena: bytes) -> bool:
    return arena.startswith(b"\x00") or b"\x00\x00" in arena


def _picked(values: list[bytes], chosen: np.ndarray) -> list[bytes]:
    return values if len(chosen) == len(values) else [values[i] for i in chosen.tolist()]


def _inline_part(values: list[bytes], chosen: np.ndarray, flags: np.ndarray, *, trimmed: bool):
    arena = b"".join(value + b"\x00" for value in _picked(values, chosen))
    return _inline_texts(arena, flags[chosen], trimmed=trimmed)


def _number_part(values: list[bytes], chosen: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Numbers as calamine reads them; a plain integer of up to 15 digits is its own text."""
    texts = np.empty(len(chosen), dtype=object)
    plain = (flags[chosen] & DIGITS) != 0
    if plain.any():
        texts[plain] = b"\x00".join(_picked(values, chosen[plain])).decode().split("\x00")
    if not plain.all():
        texts[~plain] = number_texts(_picked(values, chosen[~plain]))
    return texts


def _shared_part(values: list[bytes], chosen: np.ndarray, flags: np.ndarray, shared):
    """The shared strings the values (indices) point to."""
    picked = _picked(values, chosen)
    if not (flags[chosen] & DIGITS).all():
        return shared_texts(picked, list(shared))
    indices = np.fromiter(map(int, picked), dtype=np.int64, count=len(picked))
    if len(indices) and int(indices.max()) >= len(shared):
        raise NotPlain
    return shared[indices]


def _inline_texts(arena: bytes, flags: np.ndarray, *, trimmed: bool) -> list[str]:
    """The text of each value of ``arena`` (each followed by a NUL byte) as calamine reads
    it from a ``<t>``: unescaped, and without XML white space at its ends when ``trimmed``
    (no ``xml:space="preserve"``). Only the values the scanner flagged are looked at."""
    texts = arena.decode("utf-8").split("\x00")
    texts.pop()
    marked = np.flatnonzero(flags & (AMPERSAND | EXCEL_ESCAPE)).tolist()
    for i, text in zip(marked, unescaped([texts[i] for i in marked]), strict=True):
        texts[i] = text
    if trimmed:
        for i in np.flatnonzero(flags & (AMPERSAND | EDGE_SPACE)).tolist():
            texts[i] = texts[i].strip(XML_SPACE)
    return texts


def clean(table: FastTable) -> bool:
    """True when no cell holds a control character (the fast checks do not look for them)."""
    return not any(ck.CONTROL.search("".join(column.values)) for column in table.columns)


def raw_table(table: FastTable) -> RawTable:
    """The same cells as a :class:`~sampling.frame_reader.RawTable`, for every check."""
    columns = [column.array().tolist() for column in table.columns]
    return RawTable(
        table.header,
        _RowView(columns, table.rows),
        table.row_numbers.tolist(),
        [],
        "xlsx",
        None,
        columns,
    )
