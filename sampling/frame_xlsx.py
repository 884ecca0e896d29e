"""Fast path for clean XLSX frames: the first worksheet's XML split with numpy.

PURE. A 1,000,000-household workbook unpacks to about 0.8 GB of XML; calamine needs about
16 s to parse it into cells, more than twice the raw database insert. Frame workbooks are
regular (one ``<c r="B7" ...>`` element per cell, values in ``<v>`` or ``<is><t>``), so here
the XML is tokenised with numpy: every ``<`` is found, the bytes after it must be one of the
few tags listed in :data:`_SHEET_TAGS`, and the cells are read from the token sequence. Values
are coded by column as the CSV fast path codes them (:func:`sampling.frame_fast._code_column`)
and only distinct values are decoded, unescaped or turned into numbers.

Like the CSV fast path it only *accepts*: :func:`fast_xlsx_table` returns None for anything it
does not recognise exactly (a formula, a rich-text or phonetic run, a boolean, error or date
cell, a namespace prefix, a comment, a cell without its reference, cells out of order, a number
with a date or custom format, ``_x000D_`` escapes), and the general reader (calamine) then
reads the workbook. When it answers, the cells are those :func:`frame_reader.read_xlsx_table`
gives (``tests/sampling/test_frame_xlsx.py`` compares both on generated workbooks).
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
from sampling.frame_fast import MAX_CELL_BYTES, Coded, FastTable, _code_column
from sampling.frame_reader import (
    _WORKBOOK_PART,
    _WORKBOOK_RELS,
    MAX_XLSX_UNPACKED,
    PROGRESS_EVERY,
    Progress,
    _attributes,
    cell_text,
)

#: Bytes of worksheet XML tokenised at a time (each block ends after a row).
BLOCK_BYTES = 1 << 24
_SLACK = MAX_CELL_BYTES + 32
_LT = 0x3C
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)

# Token kinds (0: not recognised).
ROW, ROW_END, C, C_END, V, V_END, IS, IS_END, T, T_SPACE, T_END, T_EMPTY = range(1, 13)
SI, SI_END, PHONETIC = 13, 14, 15
_SHEET_TAGS = {
    ROW: b'<row r="',
    ROW_END: b"</row>",
    C: b'<c r="',
    C_END: b"</c>",
    V: b"<v>",
    V_END: b"</v>",
    IS: b"<is>",
    IS_END: b"</is>",
    T: b"<t>",
    T_SPACE: b"<t xml:s",  # the rest, 'pace="preserve">', is checked apart
    T_END: b"</t>",
    T_EMPTY: b"<t/>",
}
_SST_TAGS = {
    SI: b"<si>",
    SI_END: b"</si>",
    T: b"<t>",
    T_SPACE: b"<t xml:s",
    T_END: b"</t>",
    T_EMPTY: b"<t/>",
    PHONETIC: b"<phoneti",  # <phoneticPr .../>: Excel's East Asian reading settings
}
_T_SPACE_REST = b'pace="preserve">'
#: Number formats under which calamine reads a number as a number (General, 0, 0.00, #,##0,
#: percentages, fractions, scientific, accounting, text): not dates or times.
_PLAIN_FORMATS = frozenset((*range(0, 14), *range(37, 45), 48, 49))
_TAIL = re.compile(rb'^"((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(/?)>\s*$')
_TAIL_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*"([^"<]*)"')
_NUMBER = re.compile(rb"^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_EXCEL_ESCAPE = re.compile(r"_x[0-9a-fA-F]{4}_")
# Cell value groups.
_BLANK, _SHARED, _NUMBER_CELL, _INLINE = 0, 1, 2, 3


class _NotPlain(Exception):
    """The workbook is not one the fast path reads exactly: calamine reads it."""


def fast_xlsx_table(data: bytes, progress: Progress | None = None) -> FastTable | None:
    """Cells of the first worksheet coded by column, or None when the workbook is not plain
    (see the module docstring) or a check on the cells might fail."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = _parts(archive)
        shared = _shared_strings(archive, parts.get("sharedStrings"))
        formats = _number_formats(archive, parts.get("styles"))
        sheet = _Sheet.read(archive, parts["worksheet"], progress)
        return _table(sheet, shared, formats)
    except (_NotPlain, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return None  # calamine reads it, or says what is wrong with it
    except (KeyError, ValueError, IndexError, UnicodeDecodeError):
        return None  # a part missing or not what the relationships say


def _parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Paths of the first worksheet, the shared strings and the styles, by the workbook's
    relationships (the first sheet whose relationship is a worksheet, as calamine takes)."""
    if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
        raise _NotPlain
    rels = {
        rel.get("Id"): (rel.get("Type", "").rpartition("/")[2], rel.get("Target", ""))
        for rel in _attributes(archive.read(_WORKBOOK_RELS), "Relationship")
    }
    parts = {}
    for kind, target in rels.values():
        if kind in ("sharedStrings", "styles"):
            parts[kind] = _part_path(target)
    for sheet in _attributes(archive.read(_WORKBOOK_PART), "sheet"):
        kind, target = rels.get(sheet.get("id"), ("", ""))
        if kind == "worksheet":
            parts["worksheet"] = _part_path(target)
            break
        if kind != "chartsheet":
            raise _NotPlain  # a dialog or macro sheet: leave the choice to calamine
    return parts


def _part_path(target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    if ".." in target or "\\" in target:
        raise _NotPlain
    return "xl/" + target


# --- tokens -----------------------------------------------------------------------------


class _Buffer:
    """A part's bytes in a zero-padded array, and the little-endian word at every offset."""

    def __init__(self, size: int) -> None:
        self.bytes = np.zeros(size + _SLACK, dtype=np.uint8)
        self.view = np.ndarray((size + _SLACK - 7,), dtype="<u8", buffer=self.bytes, strides=(1,))
        self.size = 0

    @classmethod
    def of(cls, data: bytes) -> _Buffer:
        buffer = cls(len(data))
        buffer.append(data)
        return buffer

    def append(self, block: bytes) -> None:
        self.bytes[self.size : self.size + len(block)] = np.frombuffer(block, dtype=np.uint8)
        self.size += len(block)

    def at(self, offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The bytes ``offsets[i] .. offsets[i] + min(lengths[i], 8)`` as a zero-padded word
        (the interface :func:`sampling.frame_fast._code_column` reads cells through)."""
        word = self.view[offsets]
        word &= _MASKS[np.minimum(np.maximum(lengths, 0), 8)]
        return word

    def joined(self, starts: np.ndarray, lengths: np.ndarray) -> bytes:
        """The bytes at ``starts`` (``lengths`` long) joined by NUL bytes, in one gather (XML
        text holds no NUL)."""
        if len(starts) == 0:
            return b""
        spans = lengths + 1
        ends = np.cumsum(spans)
        index = np.arange(int(ends[-1]), dtype=np.int64)
        index += np.repeat(starts - (ends - spans), spans)
        joined = self.bytes[index]
        joined[ends - 1] = 0
        return joined[:-1].tobytes()

    def find(self, needle: bytes, start: int = 0, end: int | None = None) -> int:
        return self.bytes[start : self.size if end is None else end].tobytes().find(needle)


def _tag_table(tags: dict[int, bytes]):
    """Lookup by the two bytes after ``<``, and each kind's word mask and expected word."""
    table = np.zeros(1 << 16, dtype=np.uint8)
    masks = np.zeros(max(tags) + 1, dtype=np.uint64)
    words = np.ones(max(tags) + 1, dtype=np.uint64)  # kind 0 never matches (mask 0, word 1)
    for kind, tag in tags.items():
        table[tag[1] | tag[2] << 8] = kind
        masks[kind] = _MASKS[len(tag)]
        words[kind] = int.from_bytes(tag, "little")
    return table, masks, words


_SHEET_TABLE = _tag_table(_SHEET_TAGS)
_SST_TABLE = _tag_table(_SST_TAGS)
_T_SPACE_WORDS = np.frombuffer(_T_SPACE_REST, dtype="<u8")


def _tokens(buffer: _Buffer, start: int, end: int, tags) -> tuple[np.ndarray, np.ndarray]:
    """Offset and kind of every ``<`` in ``[start, end)``; _NotPlain for a tag not listed."""
    table, masks, words = tags
    offsets = np.flatnonzero(buffer.bytes[start:end] == _LT)
    offsets += start
    word = buffer.view[offsets]
    kinds = table[(word >> np.uint64(8)).astype(np.uint16)]
    if not ((word & masks[kinds]) == words[kinds]).all():
        raise _NotPlain
    spaced = offsets[kinds == T_SPACE]
    if len(spaced) and not (
        (buffer.view[spaced + 8] == _T_SPACE_WORDS[0]).all()
        and (buffer.view[spaced + 16] == _T_SPACE_WORDS[1]).all()
    ):
        raise _NotPlain
    return offsets, kinds


def _first_below(word: np.ndarray, limit: int) -> np.ndarray:
    """Index of the first byte below ``limit`` in each word (8 where none); bytes of 0x80
    and above are never counted as below."""
    below = (word - np.uint64(0x0101010101010101 * limit)) & ~word
    below &= np.uint64(0x8080808080808080)
    lowest = below & (~below + np.uint64(1))
    index = (np.frexp(lowest.astype(np.float64))[1] - 8) // 8
    index[below == 0] = 8
    return index


def _row_numbers(buffer: _Buffer, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``r`` of each ``<row r="...`` tag: its digits as a word, and its value."""
    word = buffer.view[offsets + 8]
    count = _first_below(word, 0x30)
    if len(count) and not ((count >= 1) & (count <= 7)).all():
        raise _NotPlain
    quote = (word >> (np.uint64(8) * count.astype(np.uint64))) & np.uint64(0xFF)
    digits = word & _MASKS[count]
    value = np.zeros(len(word), dtype=np.int64)
    for k in range(7):
        byte = ((digits >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(np.int64)
        inside = k < count
        if not ((byte[inside] >= 0x30) & (byte[inside] <= 0x39)).all():
            raise _NotPlain
        value = np.where(inside, value * 10 + byte - 0x30, value)
    if not ((quote == 0x22).all() and ((digits & np.uint64(0xFF)) != 0x30).all()):
        raise _NotPlain
    return digits, value


def _references(buffer: _Buffer, at: np.ndarray, row_digits: np.ndarray):
    """Column (0-based) of each ``<c r="B7"`` at ``at`` and where its closing quote is
    (counted from the reference's first letter); _NotPlain unless every reference is 1–3
    capital letters and the digits of its row's ``r``."""
    first, second = buffer.view[at + 6], buffer.view[at + 14]
    letters = _first_below(first, 0x41)
    in_first = _first_below(first, 0x30)
    quote = np.where(in_first < 8, in_first, 8 + _first_below(second, 0x30))
    count = quote - letters
    if not (((letters >= 1) & (letters <= 3) & (count >= 1) & (count <= 7)).all()):
        raise _NotPlain
    shift = np.uint64(8) * letters.astype(np.uint64)
    joined = (first >> shift) | (second << (np.uint64(64) - shift))
    if not np.array_equal(joined & _MASKS[count], row_digits):
        raise _NotPlain  # a cell of another row, or not digits
    column = np.zeros(len(at), dtype=np.int64)
    for k in range(3):
        byte = ((first >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(np.int64)
        inside = k < letters
        if (byte[inside] > 0x5A).any():
            raise _NotPlain
        column = np.where(inside, column * 26 + byte - 0x40, column)
    return column - 1, quote


def _tails(buffer: _Buffer, starts: np.ndarray, ends: np.ndarray):
    """What follows each cell's reference up to the next tag: the closing quote, the other
    attributes and ``>`` or ``/>``. Returns (self-closing, value group, style) per cell."""
    codes, distinct = _code(buffer, starts, ends - starts)
    parsed = [_tail(tail) for tail in distinct]
    closing = np.array([p[0] for p in parsed], dtype=bool)[codes]
    group = np.array([p[1] for p in parsed], dtype=np.int8)[codes]
    style = np.array([p[2] for p in parsed], dtype=np.int64)[codes]
    return closing, group, style


def _tail(tail: bytes) -> tuple[bool, int, int]:
    match = _TAIL.match(tail)
    if match is None:
        raise _NotPlain
    attributes = dict(_TAIL_ATTRIBUTE.findall(match[1]))
    if set(attributes) - {b"s", b"t"}:
        raise _NotPlain  # cm, vm, ph ... or a second r
    kind = {b"s": _SHARED, b"n": _NUMBER_CELL, b"inlineStr": _INLINE}.get(
        attributes.get(b"t", b"n")
    )
    style = attributes.get(b"s", b"0")
    if kind is None or not style.isdigit():
        raise _NotPlain  # booleans, errors, formula strings, dates
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
        raise _NotPlain
    if ((value & (declared == _INLINE)) | ((inline | no_text) & (declared != _INLINE))).any():
        raise _NotPlain
    used = 1 + empty + 3 * value + 5 * inline + 4 * no_text
    rows = int(np.count_nonzero((kinds == ROW) | (kinds == ROW_END)))
    if int(used.sum()) != len(kinds) - rows or (cells[:-1] + used[:-1] > cells[1:]).any():
        raise _NotPlain
    group = np.where(value, declared, np.where(inline, _INLINE, _BLANK)).astype(np.int8)
    start = np.where(value, o[1] + 3, np.where(inline, o[2] + np.where(k[2] == T, 3, 24), 0))
    end = np.where(value, o[2], np.where(inline, o[3], 0))
    return group, start, (end - start).astype(np.int64)


def _code(buffer: _Buffer, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes of the byte strings at ``starts`` and their distinct values (``bytes``)."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.intp), []
    if int(lengths.max()) <= MAX_CELL_BYTES:
        found = _code_column(buffer, starts, lengths)
        if found is None:
            raise _NotPlain  # a hash collision could not be ruled out
        return found[0].codes, found[0].values
    cells = np.empty(len(starts), dtype=object)
    cells[:] = buffer.joined(starts, lengths).split(b"\x00")
    codes, distinct = pd.factorize(cells)
    return codes, distinct.tolist()


def _texts(values: list[bytes]) -> list[str]:
    """XML text (UTF-8, entities escaped) as str, each value decoded once."""
    return _unescaped(b"\x00".join(values).decode("utf-8").split("\x00"))


def _unescaped(texts: list[str]) -> list[str]:
    """XML's five named entities and character references replaced; _NotPlain for Excel's
    ``_xHHHH_`` escapes (read by calamine) and for any other ``&``."""
    for i, text in enumerate(texts):
        if "&" in text:
            text = _ENTITY.sub(_entity, text)
            if "&" in text.replace("\x00&", ""):
                raise _NotPlain
            texts[i] = text.replace("\x00&", "&")
        if "_x" in text and _EXCEL_ESCAPE.search(text):
            raise _NotPlain
    return texts


def _entity(match: re.Match) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        character = _NAMED[name]
    else:
        code = int(decimal) if decimal else int(hexadecimal, 16)
        if not 0 < code <= 0x10FFFF:
            raise _NotPlain
        character = chr(code)
    return "\x00&" if character == "&" else character  # marked: not an unknown entity


def _numbers(values: list[bytes]) -> list[str]:
    """Text of each number as :func:`cell_text` writes the float calamine reads."""
    texts = []
    for value in values:
        if not _NUMBER.match(value):
            raise _NotPlain
        number = float(value)
        if not np.isfinite(number):
            raise _NotPlain
        texts.append(cell_text(number))
    return texts


def _shared(values: list[bytes], shared: list[str]) -> list[str]:
    """The shared strings the indices point to."""
    if not all(value.isdigit() for value in values):
        raise _NotPlain
    indices = [int(value) for value in values]
    if indices and max(indices) >= len(shared):
        raise _NotPlain
    return [shared[i] for i in indices]


# --- parts ------------------------------------------------------------------------------


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    """The shared-string table: ``<si>`` items of one plain ``<t>`` each (Excel's
    ``<phoneticPr/>`` allowed); _NotPlain for rich-text or phonetic runs."""
    if part is None:
        return []
    data = archive.read(part)
    buffer = _Buffer.of(data)
    begin = data.find(b"<sst")
    end = data.rfind(b"</sst>")
    if begin < 0 or end < 0:
        raise _NotPlain  # no table, or written as <sst/> (empty) or with a prefix
    start = data.index(b">", begin) + 1
    offsets, kinds = _tokens(buffer, start, end, _SST_TABLE)
    phonetic = offsets[kinds == PHONETIC]
    after = (buffer.view[phonetic + 8] & _MASKS[4]).tolist()
    if not set(after) <= {int.from_bytes(b"cPr ", "little"), int.from_bytes(b"cPr/", "little")}:
        raise _NotPlain
    keep = kinds != PHONETIC
    offsets, kinds = offsets[keep], kinds[keep]
    items = np.flatnonzero(kinds == SI)
    pad = np.zeros(3, dtype=kinds.dtype)
    k = [np.concatenate((kinds, pad))[items + i] for i in range(1, 4)]
    text = ((k[0] == T) | (k[0] == T_SPACE)) & (k[1] == T_END) & (k[2] == SI_END)
    empty = (k[0] == T_EMPTY) & (k[1] == SI_END)
    used = 4 * text + 3 * empty
    if not (text | empty).all() or int(used.sum()) != len(kinds):
        raise _NotPlain
    if (items[:-1] + used[:-1] > items[1:]).any():
        raise _NotPlain
    padded = np.concatenate((offsets, np.zeros(3, dtype=offsets.dtype)))
    starts = np.where(text, padded[items + 1] + np.where(k[0] == T, 3, 24), 0)
    lengths = np.where(text, padded[items + 2] - starts, 0)
    return _unescaped(buffer.joined(starts, lengths).decode("utf-8").split("\x00"))


_XF = re.compile(rb"<xf\b([^>]*)>")
_NUMBER_FORMAT_ID = re.compile(rb'\snumFmtId\s*=\s*"([0-9]+)"')


def _number_formats(archive: zipfile.ZipFile, part: str | None) -> frozenset[int]:
    """Cell styles (``s``) under which a number cell reads as a plain number."""
    if part is None:
        return frozenset({0})
    styles = archive.read(part)
    begin, end = styles.find(b"<cellXfs"), styles.find(b"</cellXfs>")
    if begin < 0 or end < 0:
        return frozenset({0})
    plain = set()
    for index, match in enumerate(_XF.finditer(styles, begin, end)):
        number_format = _NUMBER_FORMAT_ID.search(match[1])
        if int(number_format[1] if number_format else 0) in _PLAIN_FORMATS:
            plain.add(index)
    return frozenset(plain)


# --- the worksheet ----------------------------------------------------------------------


class _Block:
    """The rows of one block of ``<sheetData>`` (it ends after a row) and their cells by
    column: for each column, the cells' rows (index of the ``<row>`` in the block), value
    groups, value starts and value lengths."""

    def __init__(self, buffer: _Buffer, start: int, end: int) -> None:
        offsets, kinds = _tokens(buffer, start, end, _SHEET_TABLE)
        is_row = kinds == ROW
        row_digits, self.row_values = _row_numbers(buffer, offsets[is_row])
        cells = np.flatnonzero(kinds == C)
        row = (np.cumsum(is_row, dtype=np.int32)[cells] - 1).astype(np.int32)
        if len(cells) and row[0] < 0:
            raise _NotPlain  # a cell before any row
        at = offsets[cells]
        column, quote = _references(buffer, at, row_digits[row])
        tail_starts = at + 6 + quote
        tail_ends = np.concatenate((offsets, [end]))[cells + 1]
        closing, declared, style = _tails(buffer, tail_starts, tail_ends)
        group, value_start, value_length = _contents(kinds, offsets, cells, closing, declared)
        if (np.diff(row.astype(np.int64) * (1 << 16) + column) <= 0).any():
            raise _NotPlain  # cells out of order or twice
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

    def __init__(self, buffer: _Buffer, blocks: list[_Block]) -> None:
        self.buffer = buffer
        self.row_values = np.concatenate([b.row_values for b in blocks])
        if (np.diff(self.row_values) <= 0).any():
            raise _NotPlain  # rows out of order or twice
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
        buffer = _Buffer(info.file_size)
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
                    reported += 1
                    _report(futures[:reported], progress)
            blocks = [future.result() for future in futures]
        _report(futures, progress)
        return cls(buffer, blocks)


def _report(futures, progress: Progress | None) -> None:
    if progress is not None:
        rows = sum(len(future.result().row_values) for future in futures)
        progress(rows // PROGRESS_EVERY * PROGRESS_EVERY)


def _data_start(buffer: _Buffer, *, final: bool) -> int | None:
    """Where the rows start (after ``<sheetData>``); None when not unpacked yet."""
    found = buffer.find(b"<sheetData>")
    if found >= 0:
        return found + len(b"<sheetData>")
    if final:
        raise _NotPlain  # no rows (<sheetData/>), or tags with a namespace prefix
    return None


def _cut(buffer: _Buffer, begin: int, *, final: bool) -> int:
    """End of the rows unpacked so far: after the last ``</row>``, or at ``</sheetData>``."""
    if final:
        found = buffer.find(b"</sheetData>", begin)
        if found < 0:
            raise _NotPlain
        return begin + found
    found = buffer.bytes[begin : buffer.size].tobytes().rfind(b"</row>")
    return begin if found < 0 else begin + found + len(b"</row>")


def _table(sheet: _Sheet, shared: list[str], formats: frozenset[int]) -> FastTable:
    """The frame table of the worksheet as :func:`frame_reader._collect` builds it: the
    first non-blank row is the header, blank rows are skipped, cells beyond the header's
    last non-blank cell must be blank."""
    if not sheet.styles <= formats:
        raise _NotPlain  # a date, a time or a custom format
    if not sheet.columns:
        raise _NotPlain
    with ThreadPoolExecutor(2) as pool:
        columns = list(pool.map(lambda cells: _column(sheet, cells, shared), sheet.columns))
    blank = np.ones(len(sheet.row_values), dtype=bool)
    empty = blank.copy()
    for codes, texts in columns:
        blank &= np.array([not text or text.isspace() for text in texts], dtype=bool)[codes]
        empty &= np.array([not text for text in texts], dtype=bool)[codes]
    if (blank & ~empty).any():
        raise _NotPlain  # a row of white space: csv-style readers differ on it
    kept = np.flatnonzero(~blank)
    if len(kept) < 2:
        raise _NotPlain  # no data: the general path says so
    header = [texts[codes[kept[0]]].strip() for codes, texts in columns]
    while header and not header[-1]:
        header.pop()
    data = kept[1:]
    with ThreadPoolExecutor(2) as pool:
        coded = list(pool.map(lambda column: _data_column(column, data), columns))
    if any(any(text.strip() for text in column.values) for column in coded[len(header) :]):
        raise _NotPlain  # text beyond the header: the general path reports it
    coded = coded[: len(header)]
    if any(ck.CONTROL.search("".join(column.values)) for column in coded):
        raise _NotPlain
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
        (_SHARED, lambda values: _shared(values, shared)),
        (_NUMBER_CELL, _numbers),
        (_INLINE, _texts),
    ):
        chosen = np.flatnonzero(group == kind)
        if len(chosen) == 0:
            continue
        value_codes, distinct = _code(sheet.buffer, starts[chosen], lengths[chosen])
        codes[rows[chosen]] = value_codes + len(texts)
        texts.extend(convert(distinct))
    return codes, texts
