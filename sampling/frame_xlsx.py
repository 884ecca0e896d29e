"""Fast path for clean XLSX frames: the first worksheet's XML split with numpy.

PURE. A 1,000,000-household workbook unpacks to about 0.8 GB of XML; calamine needs about
16 s to parse it into cells, more than twice the raw database insert. Frame workbooks are
regular (one ``<c r="B7" ...>`` element per cell, values in ``<v>`` or ``<is><t>``), so here
the XML is tokenised with numpy (:mod:`sampling.xlsx_parts`): every ``<`` is found, the bytes
after it must be one of the few tags listed in :data:`~sampling.xlsx_parts.SHEET_TAGS`, and
the cells are read from the token sequence. Values are coded by column as the CSV fast path
codes them (:func:`sampling.frame_fast._code_column`) and only distinct values are decoded,
unescaped or turned into numbers.

:func:`fast_xlsx_table` returns None for anything it does not recognise exactly (a formula,
a rich-text or phonetic run, a boolean, error or date cell, a namespace prefix, a comment, a
cell without its reference, cells out of order, a number with a date or custom format,
``_x000D_`` escapes, text beyond the header, a row of white space), and the general reader
(calamine) then reads the workbook. When it answers, the cells are those
:func:`frame_reader.read_xlsx_table` gives, character for character
(``tests/sampling/test_frame_xlsx.py`` compares both on generated workbooks): the fast checks
take them, or every check runs on them (:func:`raw_table`) and reports each issue.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from sampling import frame_checks as ck
from sampling.frame_fast import Coded, FastTable
from sampling.frame_reader import PROGRESS_EVERY, Progress, RawTable, _RowView
from sampling.xlsx_parts import (
    C_END,
    IS,
    IS_END,
    MASKS,
    ROW,
    ROW_END,
    SHEET_TABLE,
    T_EMPTY,
    T_END,
    T_SPACE,
    V_END,
    Buffer,
    C,
    NotPlain,
    T,
    V,
    code_values,
    first_below,
    number_formats,
    number_texts,
    shared_strings,
    shared_texts,
    tokens,
    workbook_parts,
    xml_texts,
)

#: Bytes of worksheet XML tokenised at a time (each block ends after a row).
BLOCK_BYTES = 1 << 24
_TAIL = re.compile(rb'^"((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(/?)>\s*$')
_TAIL_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*"([^"<]*)"')
# Cell value groups.
_BLANK, _SHARED, _NUMBER_CELL, _INLINE, _INLINE_KEPT = 0, 1, 2, 3, 4  # kept: xml:space


def fast_xlsx_table(data: bytes, progress: Progress | None = None) -> FastTable | None:
    """Cells of the first worksheet coded by column, or None when the workbook is not plain
    (see the module docstring) or has no data row."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = workbook_parts(archive)
        shared = shared_strings(archive, parts.get("sharedStrings"))
        formats = number_formats(archive, parts.get("styles"))
        sheet = _Sheet.read(archive, parts["worksheet"], progress)
        return _table(sheet, shared, formats)
    except (NotPlain, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return None  # calamine reads it, or says what is wrong with it
    except (KeyError, ValueError, IndexError, UnicodeDecodeError):
        return None  # a part missing or not what the relationships say


def _row_numbers(buffer: Buffer, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``r`` of each ``<row r="...`` tag: its digits as a word, and its value."""
    word = buffer.view[offsets + 8]
    count = first_below(word, 0x30)
    if len(count) and not ((count >= 1) & (count <= 7)).all():
        raise NotPlain
    quote = (word >> (np.uint64(8) * count.astype(np.uint64))) & np.uint64(0xFF)
    digits = word & MASKS[count]
    value = np.zeros(len(word), dtype=np.int64)
    for k in range(7):
        byte = ((digits >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(np.int64)
        inside = k < count
        if not ((byte[inside] >= 0x30) & (byte[inside] <= 0x39)).all():
            raise NotPlain
        value = np.where(inside, value * 10 + byte - 0x30, value)
    if not ((quote == 0x22).all() and ((digits & np.uint64(0xFF)) != 0x30).all()):
        raise NotPlain
    return digits, value


def _references(buffer: Buffer, at: np.ndarray, row_digits: np.ndarray):
    """Column (0-based) of each ``<c r="B7"`` at ``at`` and where its closing quote is
    (counted from the reference's first letter); NotPlain unless every reference is 1–3
    capital letters and the digits of its row's ``r``."""
    first, second = buffer.view[at + 6], buffer.view[at + 14]
    letters = first_below(first, 0x41)
    in_first = first_below(first, 0x30)
    quote = np.where(in_first < 8, in_first, 8 + first_below(second, 0x30))
    count = quote - letters
    if not (((letters >= 1) & (letters <= 3) & (count >= 1) & (count <= 7)).all()):
        raise NotPlain
    shift = np.uint64(8) * letters.astype(np.uint64)
    joined = (first >> shift) | (second << (np.uint64(64) - shift))
    if not np.array_equal(joined & MASKS[count], row_digits):
        raise NotPlain  # a cell of another row, or not digits
    column = np.zeros(len(at), dtype=np.int64)
    for k in range(3):
        byte = ((first >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(np.int64)
        inside = k < letters
        if (byte[inside] > 0x5A).any():
            raise NotPlain
        column = np.where(inside, column * 26 + byte - 0x40, column)
    return column - 1, quote


def _tails(buffer: Buffer, starts: np.ndarray, ends: np.ndarray):
    """What follows each cell's reference up to the next tag: the closing quote, the other
    attributes and ``>`` or ``/>``. Returns (self-closing, value group, style) per cell."""
    codes, distinct = code_values(buffer, starts, ends - starts)
    parsed = [_tail(tail) for tail in distinct]
    closing = np.array([p[0] for p in parsed], dtype=bool)[codes]
    group = np.array([p[1] for p in parsed], dtype=np.int8)[codes]
    style = np.array([p[2] for p in parsed], dtype=np.int64)[codes]
    return closing, group, style


def _tail(tail: bytes) -> tuple[bool, int, int]:
    match = _TAIL.match(tail)
    if match is None:
        raise NotPlain
    attributes = dict(_TAIL_ATTRIBUTE.findall(match[1]))
    if set(attributes) - {b"s", b"t"}:
        raise NotPlain  # cm, vm, ph ... or a second r
    kind = {b"s": _SHARED, b"n": _NUMBER_CELL, b"inlineStr": _INLINE}.get(
        attributes.get(b"t", b"n")
    )
    style = attributes.get(b"s", b"0")
    if kind is None or not style.isdigit():
        raise NotPlain  # booleans, errors, formula strings, dates
    return bool(match[2]), kind, int(style)


def _contents(kinds, offsets, cells, closing, declared):
    """Value group, value start and value length of each cell, from the tags after it; the
    cells and their contents must account for every tag except the rows'."""
    padded_kinds = np.concatenate((kinds, np.zeros(6, dtype=kinds.dtype)))
    padded_offsets = np.concatenate((offsets, np.zeros(6, dtype=offsets.dtype)))
    k = [padded_kinds[cells + i] for i in range(6)]
    o = [padded_offsets[cells + i] for i in range(4)]
    open_ = ~closing
    empty = open_ & (k[1] == C_END)
    value = open_ & (k[1] == V) & (k[2] == V_END) & (k[3] == C_END)
    texts = (k[2] == T) | (k[2] == T_SPACE)
    inline = open_ & (k[1] == IS) & texts & (k[3] == T_END) & (k[4] == IS_END) & (k[5] == C_END)
    no_text = open_ & (k[1] == IS) & (k[2] == T_EMPTY) & (k[3] == IS_END) & (k[4] == C_END)
    if not (closing | empty | value | inline | no_text).all():
        raise NotPlain
    if ((value & (declared == _INLINE)) | ((inline | no_text) & (declared != _INLINE))).any():
        raise NotPlain
    used = 1 + empty + 3 * value + 5 * inline + 4 * no_text
    rows = int(np.count_nonzero((kinds == ROW) | (kinds == ROW_END)))
    if int(used.sum()) != len(kinds) - rows or (cells[:-1] + used[:-1] > cells[1:]).any():
        raise NotPlain
    inline_group = np.where(k[2] == T, _INLINE, _INLINE_KEPT)
    group = np.where(value, declared, np.where(inline, inline_group, _BLANK)).astype(np.int8)
    start = np.where(value, o[1] + 3, np.where(inline, o[2] + np.where(k[2] == T, 3, 24), 0))
    end = np.where(value, o[2], np.where(inline, o[3], 0))
    return group, start, (end - start).astype(np.int64)


# --- the worksheet ----------------------------------------------------------------------


class _Block:
    """The rows of one block of ``<sheetData>`` (it ends after a row) and their cells by
    column: for each column, the cells' rows (index of the ``<row>`` in the block), value
    groups, value starts and value lengths."""

    def __init__(self, buffer: Buffer, start: int, end: int) -> None:
        offsets, kinds = tokens(buffer, start, end, SHEET_TABLE)
        is_row = kinds == ROW
        row_digits, self.row_values = _row_numbers(buffer, offsets[is_row])
        cells = np.flatnonzero(kinds == C)
        row = (np.cumsum(is_row, dtype=np.int32)[cells] - 1).astype(np.int32)
        if len(cells) and row[0] < 0:
            raise NotPlain  # a cell before any row
        at = offsets[cells]
        column, quote = _references(buffer, at, row_digits[row])
        tail_starts = at + 6 + quote
        tail_ends = np.concatenate((offsets, [end]))[cells + 1]
        closing, declared, style = _tails(buffer, tail_starts, tail_ends)
        group, value_start, value_length = _contents(kinds, offsets, cells, closing, declared)
        if (np.diff(row.astype(np.int64) * (1 << 16) + column) <= 0).any():
            raise NotPlain  # cells out of order or twice
        self.styles = set(np.unique(style[group == _NUMBER_CELL]).tolist())
        column = column.astype(np.int16)
        order = np.argsort(column, kind="stable")
        bounds = np.searchsorted(column[order], np.arange(int(column.max(initial=-1)) + 2))
        self.columns = []
        for j in range(len(bounds) - 1):
            chosen = order[bounds[j] : bounds[j + 1]]
            self.columns.append(
                (row[chosen], group[chosen], value_start[chosen], value_length[chosen])
            )


class _Sheet:
    """Every cell of the worksheet by column: rows (index of the cell's ``<row>``), value
    groups, and where the value's bytes are in :attr:`buffer`."""

    def __init__(self, buffer: Buffer, blocks: list[_Block]) -> None:
        self.buffer = buffer
        self.row_values = np.concatenate([b.row_values for b in blocks])
        if (np.diff(self.row_values) <= 0).any():
            raise NotPlain  # rows out of order or twice
        self.styles = set().union(*(b.styles for b in blocks))
        bases = np.cumsum([0] + [len(b.row_values) for b in blocks]).astype(np.int32)
        width = max(len(b.columns) for b in blocks)
        self.columns = []
        for j in range(width):
            parts = [
                (b.columns[j], base)
                for b, base in zip(blocks, bases, strict=False)
                if j < len(b.columns) and len(b.columns[j][0])
            ]
            self.columns.append(
                tuple(
                    np.concatenate([cells[k] + (base if k == 0 else 0) for cells, base in parts])
                    for k in range(4)
                )
            )

    @classmethod
    def read(cls, archive: zipfile.ZipFile, part: str, progress: Progress | None) -> _Sheet:
        """Unpack the worksheet block by block, each block tokenised (on another core) while
        the next one is unpacked; zipfile checks the part's size and CRC on the way."""
        info = archive.getinfo(part)
        buffer = Buffer(info.file_size)
        futures, begin, reported = [], None, 0
        with archive.open(info) as stream, ThreadPoolExecutor(2) as pool:
            while True:
                block = stream.read(BLOCK_BYTES)
                buffer.append(block)
                if begin is None:
                    begin = _data_start(buffer, final=not block)
                    if begin is None:
                        continue
                cut = _cut(buffer, begin, final=not block)
                if cut > begin:
                    futures.append(pool.submit(_Block, buffer, begin, cut))
                    begin = cut
                if not block:
                    break
                while reported < len(futures) and futures[reported].done():
                    futures[reported].result()  # a block it cannot read: stop unpacking
                    reported += 1
                    _report(futures[:reported], progress)
            blocks = [future.result() for future in futures]
        _report(futures, progress)
        return cls(buffer, blocks)


def _report(futures, progress: Progress | None) -> None:
    """Rows read so far, in whole steps of :data:`PROGRESS_EVERY`."""
    if progress is not None:
        rows = sum(len(future.result().row_values) for future in futures)
        progress(rows // PROGRESS_EVERY * PROGRESS_EVERY)


def _data_start(buffer: Buffer, *, final: bool) -> int | None:
    """Where the rows start (after ``<sheetData>``); None when not unpacked yet."""
    found = buffer.find(b"<sheetData>")
    if found >= 0:
        return found + len(b"<sheetData>")
    if final:
        raise NotPlain  # no rows (<sheetData/>), or tags with a namespace prefix
    return None


def _cut(buffer: Buffer, begin: int, *, final: bool) -> int:
    """End of the rows unpacked so far: after the last ``</row>``, or at ``</sheetData>``."""
    if final:
        found = buffer.find(b"</sheetData>", begin)
        if found < 0:
            raise NotPlain
        return begin + found
    found = buffer.bytes[begin : buffer.size].tobytes().rfind(b"</row>")
    return begin if found < 0 else begin + found + len(b"</row>")


def _table(sheet: _Sheet, shared: list[str], formats: frozenset[int]) -> FastTable:
    """The frame table of the worksheet as :func:`frame_reader._collect` builds it: the
    first non-blank row is the header, blank rows are skipped, cells beyond the header's
    last non-blank cell must be blank."""
    if not sheet.styles <= formats:
        raise NotPlain  # a date, a time or a custom format
    if not sheet.columns:
        raise NotPlain
    with ThreadPoolExecutor(2) as pool:
        columns = list(pool.map(lambda cells: _column(sheet, cells, shared), sheet.columns))
    blank = np.ones(len(sheet.row_values), dtype=bool)
    empty = blank.copy()
    for codes, texts in columns:
        blank &= np.array([not text or text.isspace() for text in texts], dtype=bool)[codes]
        empty &= np.array([not text for text in texts], dtype=bool)[codes]
    if (blank & ~empty).any():
        raise NotPlain  # a row of white space: csv-style readers differ on it
    kept = np.flatnonzero(~blank)
    if len(kept) < 2:
        raise NotPlain  # no data: the general path says so
    header = [texts[codes[kept[0]]].strip() for codes, texts in columns]
    while header and not header[-1]:
        header.pop()
    data = kept[1:]
    with ThreadPoolExecutor(2) as pool:
        coded = list(pool.map(lambda column: _data_column(column, data), columns))
    if any(any(text.strip() for text in column.values) for column in coded[len(header) :]):
        raise NotPlain  # text beyond the header: the general path reports it
    coded = coded[: len(header)]
    return FastTable(tuple(header), coded, len(data), None, sheet.row_values[data].astype(np.int32))


def _data_column(column: tuple[np.ndarray, list], data: np.ndarray) -> Coded:
    """The data rows' cells of a column, coded by distinct text."""
    codes, texts = column
    values, uniques = pd.factorize(codes[data])
    coded = Coded(values, [texts[u] for u in uniques.tolist()])
    return coded.recoded() if len(set(coded.values)) != len(coded.values) else coded


def _column(sheet: _Sheet, cells: tuple, shared: list[str]) -> tuple[np.ndarray, list]:
    """Code of each row's cell in one column (0: no cell or an empty one) and the text of
    each code (codes of equal texts are merged later)."""
    rows, group, starts, lengths = cells
    codes = np.zeros(len(sheet.row_values), dtype=np.int64)
    texts = [""]
    for kind, convert in (
        (_SHARED, lambda values: shared_texts(values, shared)),
        (_NUMBER_CELL, number_texts),
        (_INLINE, lambda values: xml_texts(values, trimmed=True)),
        (_INLINE_KEPT, lambda values: xml_texts(values, trimmed=False)),
    ):
        chosen = np.flatnonzero(group == kind)
        if len(chosen) == 0:
            continue
        value_codes, distinct = code_values(sheet.buffer, starts[chosen], lengths[chosen])
        codes[rows[chosen]] = value_codes + len(texts)
        texts.extend(convert(distinct))
    return codes, texts


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
