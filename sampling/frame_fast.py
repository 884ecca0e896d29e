"""Fast paths for clean frames: plain CSV coded with numpy on the raw bytes, and checks by
distinct value for any table already read into cells.

PURE. :func:`~sampling.frames.read_frame` tries :func:`fast_csv_table` before the general
reader. The general path turns every cell of a 1,000,000-row file into a Python string (16
million objects) before checking it; here the file's bytes are split with numpy, each
column is coded by its distinct byte strings (pandas' hash-table ``factorize``), and only
distinct values are decoded and checked. Text columns become object arrays that share one
string per distinct value.

The fast path only *accepts*: it returns None as soon as the file is not plain (a quote
inside a cell, a ragged line, mixed line breaks, a control character; see
:func:`fast_csv_table`) or any check fails or might fail, and the general path then reads
the file again and reports every issue with its row and column. When it returns columns,
they are the typed columns the general path would give, so the frame and its content hash
are the same (``tests/sampling/test_frame_fast.py`` compares both paths).

Files the plain-CSV path cannot take (XLSX, CSV with quotes inside cells) are read into
cells by :mod:`sampling.frame_reader`; :func:`coded_table` then codes those cells by column,
and the same checks (:func:`fast_columns`) accept the table or leave it to the general
checks.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from json.encoder import encode_basestring

import numpy as np
import pandas as pd

from sampling import frame_checks as ck
from sampling import frame_columns as fc
from sampling.frame_reader import (
    _ASCII_TRANSPARENT,
    PROGRESS_EVERY,
    Progress,
    _no_control_bytes,
    _sniff_delimiter,
)
from sampling.frame_validate import _BY_CODE, _BY_NAME, _functional

#: Widest cell (bytes) coded by its 64-bit words; a column with a wider cell is coded from
#: Python slices of the file instead (slower per cell, same codes).
MAX_CELL_BYTES = 64
#: Threads that code columns at the same time (at most one per core).
MAX_THREADS = 4
#: csv's default field size limit, which the general path's plain-line split respects.
_LINE_LIMIT = 131_072
_NEWLINE, _CR, _QUOTE = 0x0A, 0x0D, 0x22
_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Coded:
    """A column as codes into its distinct values.

    Attributes
    ----------
    codes : ndarray of intp
        Position of each row's value in :attr:`values`.
    values : list
        Distinct values (first appearance order).
    """

    codes: np.ndarray
    values: list

    def array(self) -> np.ndarray:
        """One entry per row (an object array sharing the distinct values)."""
        table = np.empty(len(self.values), dtype=object)
        table[:] = self.values
        return table[self.codes]

    def mapped(self, convert: Callable) -> Coded | None:
        """Each distinct value converted; None when ``convert`` gives None for any value."""
        values = [convert(value) for value in self.values]
        if any(value is None for value in values):
            return None
        return Coded(self.codes, values)

    def recoded(self) -> Coded:
        """The same column with equal values merged (after a conversion made two equal)."""
        codes, uniques = pd.factorize(np.asarray(self.values, dtype=object))
        return Coded(codes[self.codes], list(uniques))


@dataclass(frozen=True)
class FastTable:
    """What the fast reader found: header, coded cells by column, row numbers."""

    header: tuple[str, ...]
    columns: list[Coded]
    rows: int
    encoding: str
    #: File row number of each data row (header = row 1; skipped blank rows count).
    row_numbers: np.ndarray | None = None
    #: The household id column's cells as zero-padded 8-byte words, and their lengths.
    id_words: np.ndarray | None = None
    id_lengths: np.ndarray | None = None


def fast_csv_table(data: bytes, encoding: str, progress: Progress | None = None):
    """Cells of a plain CSV file coded by column, or None when the file is not plain.

    Plain: an encoding in which bytes below 0x80 are always ASCII, the header on the first
    line, every other line empty or with exactly as many cells as the header (cells under
    trailing blank headers empty), one line-break style, no control characters, and quote
    characters only around whole cells (``"text"``, as exports that quote every cell write
    them: no quote, delimiter or line break inside the quotes).
    """
    name = codecs.lookup(encoding).name
    if name not in _ASCII_TRANSPARENT:
        return None
    cell_encoding = "utf-8" if name == "utf-8-sig" else encoding
    bom = name in ("utf-8", "utf-8-sig") and data.startswith(codecs.BOM_UTF8)
    start = len(codecs.BOM_UTF8) if bom else 0
    try:
        first_line = data[start : data.find(b"\n")].decode(cell_encoding).removesuffix("\r")
    except UnicodeDecodeError:
        return None
    delimiter = _sniff_delimiter(first_line)
    if not _no_control_bytes(data, name, delimiter):
        return None
    header_cells = [_header_cell(cell) for cell in first_line.split(delimiter)]
    if None in header_cells:
        return None
    lines = _lines(data, ord(delimiter), len(header_cells), start)
    if lines is None:
        return None
    words = _Words(data)
    quotes = data.count(b'"')  # each one must be found around a whole cell
    quoted = quotes > 0
    header = _trimmed_header([cell for cell, _ in header_cells], lines, words, quoted)
    if header is None:
        return None
    names = [fc.canonical_column(cell) if cell else None for cell in header]
    id_column = names.index("household_id") if "household_id" in names else None
    quotes -= sum(removed for _, removed in header_cells)

    def code(j: int):
        cell_starts, cell_ends, removed = lines.cells(j, words, quoted)
        lengths = cell_ends - cell_starts
        found = _code_column(words, cell_starts, lengths)
        if found is None:
            return None
        coded, keys = found
        values = _decoded(coded.values, cell_encoding)
        if values is None:
            return None
        id_cells = (keys, lengths) if j == id_column and keys is not None else None
        return Coded(coded.codes, values), id_cells, removed

    columns = []
    id_words = id_lengths = None
    # numpy and pandas release the GIL in their loops: columns are coded on every core
    with ThreadPoolExecutor(min(len(header), os.cpu_count() or 1, MAX_THREADS)) as pool:
        for j, found in enumerate(pool.map(code, range(len(header_cells)))):
            if found is None:
                pool.shutdown(cancel_futures=True)
                return None
            coded, id_cells, removed = found
            quotes -= removed
            if j >= len(header):
                continue  # a trailing blank column (checked empty)
            columns.append(coded)
            if id_cells is not None:
                id_words, id_lengths = id_cells
            if progress is not None:
                done = lines.rows * (j + 1) // len(header)
                progress(done // PROGRESS_EVERY * PROGRESS_EVERY)
    if quotes:
        return None  # a quote stands inside a cell: the csv module decides what it means
    return FastTable(header, columns, lines.rows, encoding, lines.numbers, id_words, id_lengths)


def _header_cell(cell: str) -> tuple[str, int] | None:
    """A header cell as the csv module reads it (quotes around it removed) and stripped, and
    the number of quotes removed; None for a quote anywhere else."""
    if '"' not in cell:
        return cell.strip(), 0
    if len(cell) >= 2 and cell[0] == cell[-1] == '"' and '"' not in cell[1:-1]:
        return cell[1:-1].strip(), 2
    return None


def _trimmed_header(cells: list[str], lines, words, quoted: bool) -> tuple[str, ...] | None:
    """The header without its trailing blank cells (Excel writes a comma for each formatted
    empty column), or None when a data line has text under them (the general path reports
    such cells) or the header is blank."""
    width = len(cells)
    while width and not cells[width - 1]:
        width -= 1
    if width == 0:
        return None
    for j in range(width, len(cells)):
        cell_starts, cell_ends, _ = lines.cells(j, words, quoted)
        if (cell_ends > cell_starts).any():
            return None
    return tuple(cells[:width])


@dataclass(frozen=True)
class _Lines:
    """Separator offsets of every line kept: ``grid[i, j]`` ends cell j of line i (the header
    is line 0); ``starts`` and ``ends`` are where the lines start and end (before any CR);
    ``numbers`` the file row number of each data line."""

    grid: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    numbers: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.grid) - 1

    def column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Start and end offsets of cell j of every data line."""
        width = self.grid.shape[1]
        start = self.starts[1:] if j == 0 else self.grid[1:, j - 1] + 1
        end = self.ends[1:] if j == width - 1 else self.grid[1:, j]
        return start, end

    def cells(self, j: int, words: _Words, quoted: bool):
        """Start and end offsets of the text of cell j of every data line, without the
        quotes around cells quoted whole, and the number of quotes left out.

        The caller checks that the quotes left out are all the quotes of the file: then no
        quoted cell holds a quote, a delimiter or a line break (those would split it into
        cells with a quote at one end only, which is not left out).
        """
        starts, ends = self.column(j)
        if not quoted:
            return starts, ends, 0
        whole = (
            (ends - starts >= 2)
            & (words.byte_at(starts) == _QUOTE)
            & (words.byte_at(ends - 1) == _QUOTE)
        )
        return starts + whole, ends - whole, 2 * int(np.count_nonzero(whole))


def _lines(data: bytes, delimiter: int, width: int, start: int) -> _Lines | None:
    """Where every cell ends, or None when a line is ragged, the line breaks are mixed, a
    line is longer than csv's field limit or there is no data line.

    Empty lines and lines of delimiters only (Excel writes those for formatted empty rows)
    are skipped, as the general path skips blank rows; they still count in the row numbers.
    A line whose cells hold only white space has a blank household id, so the checks fail
    and the file goes to the general path.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    separators = np.flatnonzero((raw == delimiter) | (raw == _NEWLINE))
    is_break = raw[separators] == _NEWLINE
    crlf = b"\r" in data
    if crlf and data.count(b"\r") != int(np.count_nonzero(is_break)):
        return None
    final_break = data.endswith(b"\n")
    if not final_break:  # the last line ends at the end of the file
        separators = np.append(separators, len(data))
        is_break = np.append(is_break, True)
    # An empty line: a line break right after the previous one (after its CR in CRLF files).
    breaks = separators[is_break]
    empty = np.diff(breaks, prepend=start - 1) - 1 == int(crlf)
    empty_ends = breaks[empty]
    if len(empty_ends):
        if empty[0] or (crlf and not (raw[empty_ends - 1] == _CR).all()):
            return None
        keep = np.ones(len(separators), dtype=bool)
        keep[np.searchsorted(separators, empty_ends)] = False
        separators, is_break = separators[keep], is_break[keep]
    if len(separators) % width or len(separators) < 2 * width:
        return None
    grid = separators.reshape(-1, width)
    pattern = is_break.reshape(-1, width)
    if not pattern[:, -1].all() or pattern[:, :-1].any():
        return None
    ends = grid[:, -1].copy()
    if crlf:
        real = len(ends) if final_break else len(ends) - 1
        if not (raw[ends[:real] - 1] == _CR).all():
            return None
        ends[:real] -= 1  # a last line without a line break has no CR either
    # Every line of the file in order (empty ones too): where it ends, where it starts.
    all_ends = np.sort(np.concatenate((grid[:, -1], empty_ends)))
    line_kept = np.ones(len(all_ends), dtype=bool)
    line_kept[np.searchsorted(all_ends, empty_ends)] = False
    line_index = np.flatnonzero(line_kept)
    line_starts = np.concatenate(([start], all_ends[:-1] + 1))[line_index]
    if int((grid[:, -1] - line_starts).max()) > _LINE_LIMIT:
        return None
    kept = ends - line_starts != width - 1  # lines of delimiters only are skipped
    kept[0] = True
    numbers = line_index[kept][1:] + 1
    if len(numbers) == 0:
        return None
    if not kept.all():
        grid, line_starts, ends = grid[kept], line_starts[kept], ends[kept]
    return _Lines(grid, line_starts, ends, numbers.astype(np.int32))


class _Words:
    """The file seen as an unaligned little-endian 64-bit word at every byte offset."""

    _MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)
    #: Bytes after the end: offsets up to the file length plus MAX_CELL_BYTES are read.
    _SLACK = MAX_CELL_BYTES + 16

    def __init__(self, data: bytes) -> None:
        self.data = data
        padded = np.zeros(len(data) + self._SLACK, dtype=np.uint8)
        padded[: len(data)] = np.frombuffer(data, dtype=np.uint8)
        self.view = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))

    def byte_at(self, offsets: np.ndarray) -> np.ndarray:
        """The byte at each offset (0 past the end)."""
        return self.view[offsets] & np.uint64(0xFF)

    def at(self, offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The bytes ``offsets[i] .. offsets[i] + min(lengths[i], 8)`` as a zero-padded word
        (0 where ``lengths[i] <= 0``); offsets may run up to the file length plus
        :data:`MAX_CELL_BYTES`."""
        word = self.view[offsets]
        word &= self._MASKS[np.minimum(np.maximum(lengths, 0), 8)]
        return word


def _code_column(words: _Words, starts: np.ndarray, lengths: np.ndarray):
    """Codes of a column's cells by their bytes (distinct values as ``bytes``) and the cells'
    words (None for a wide column); None when a hash collision cannot be ruled out.

    Each cell is read as zero-padded 8-byte words (cells hold no NUL byte, so the padded
    words identify the cell), the words are hashed to one 64-bit key and the keys factorized;
    a hash collision is ruled out by comparing every row with its value's first row. A
    column with a cell wider than :data:`MAX_CELL_BYTES` is factorized as ``bytes`` slices.
    """
    width = int(lengths.max())
    if width > MAX_CELL_BYTES:
        data = words.data
        ends = (starts + lengths).tolist()
        cells = [data[start:end] for start, end in zip(starts.tolist(), ends, strict=True)]
        return _factorized(cells), None
    count = max(1, -(-width // 8))
    keys = np.empty((len(starts), count), dtype=np.uint64)
    for i in range(count):
        keys[:, i] = words.at(starts + 8 * i, lengths - 8 * i)
    if count == 1:
        codes, uniques = pd.factorize(keys[:, 0])
        first = _first_rows(codes, len(uniques))
    else:
        mixed = np.zeros(len(starts), dtype=np.uint64)
        for i in range(count):
            mixed ^= keys[:, i]
            mixed *= _MIX
            mixed ^= mixed >> np.uint64(29)
        codes, uniques = pd.factorize(mixed)
        first = _first_rows(codes, len(uniques))
        if not np.array_equal(keys[first[codes]], keys):
            return None
    distinct = keys[first].view(f"S{8 * count}").ravel().tolist()
    return Coded(codes, distinct), keys


def _decoded(values: list[bytes], encoding: str) -> list[str] | None:
    """``values`` decoded in one call (no value holds a line break, and in these encodings
    the byte 0x0A is always a line break); None when the bytes are not valid text."""
    try:
        return b"\n".join(values).decode(encoding).split("\n")
    except UnicodeDecodeError:
        return None


def _factorized(cells) -> Coded:
    """Python values (text or bytes) coded by pandas' hash table."""
    codes, uniques = pd.factorize(np.asarray(cells, dtype=object))
    return Coded(codes, uniques.tolist())


def _first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """Row of the first appearance of each code, for codes numbered by first appearance (as
    ``pd.factorize`` numbers them): the rows where the running maximum grows."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    running = np.maximum.accumulate(codes)
    grows = np.empty(len(codes), dtype=bool)
    grows[0] = True
    np.greater(running[1:], running[:-1], out=grows[1:])
    return np.flatnonzero(grows)


def coded_table(table) -> FastTable | None:
    """A :class:`~sampling.frame_reader.RawTable` (cells already read as text) coded by
    column, or None when a row has cells beyond the header or a cell holds a control
    character (the general path reports both)."""
    n = len(table.rows)
    if table.overflow or n == 0:
        return None
    columns = []
    for cells in table.column_cells():
        coded = _factorized(cells)
        if not table.clean and ck.CONTROL.search("".join(coded.values)):
            return None
        columns.append(coded)
    return FastTable(table.header, columns, n, table.encoding)


# --- checks and typed columns ------------------------------------------------------------


def fast_columns(table: FastTable):
    """Typed canonical columns (as :func:`~sampling.frame_validate.validate_table` returns
    them) and the extra headers, or None when any check fails or might fail."""
    canonical, extra = _header_positions(table.header)
    if canonical is None:
        return None
    cells = {name: table.columns[i] for name, i in canonical.items()}
    n = table.rows
    ids = _text(cells["household_id"], required=True)
    ids_as_read = ids is cells["household_id"]
    if ids is None or len(ids.values) != n:
        return None
    status = cells["status"].mapped(lambda v: fc.STATUS_LOOKUP.get(fc.normalise(v)))
    village_type = cells["village_type"].mapped(
        lambda v: fc.VILLAGE_TYPE_LOOKUP.get(fc.normalise(v))
    )
    sizes = cells["household_size"].mapped(
        lambda v: ck._whole_number(v, fc.MIN_HOUSEHOLD_SIZE, fc.MAX_HOUSEHOLD_SIZE, None)
    )
    years = cells["exit_year"].mapped(
        lambda v: ck._whole_number(v, fc.MIN_EXIT_YEAR, fc.MAX_EXIT_YEAR, 0)
    )
    towns = _text(cells["township"], required=True)
    names = _text(cells["village"], required=True)
    heads = _text(cells["head_name"], required=True)
    if None in (status, village_type, sizes, years, towns, names, heads):
        return None
    codes = _text(cells["village_code"], required=False) if "village_code" in cells else None
    flags = {}
    for name in ("remote", *fc.FLAG_COLUMNS):
        if name in cells:
            flags[name] = cells[name].mapped(lambda v: fc.BOOLEAN_LOOKUP.get(fc.normalise(v)))
            if flags[name] is None:
                return None
    year_array = np.asarray(years.values, dtype=np.int64)[years.codes]
    exited = np.asarray([s == "exited" for s in status.values], dtype=bool)[status.codes]
    if ((year_array == 0) & exited).any() or ((year_array > 0) & ~exited).any():
        return None
    if not _villages_consistent(towns, names, codes, village_type, flags.get("remote")):
        return None
    columns = {
        "household_id": ids.array(),
        "township": towns.array(),
        "village": names.array(),
        "village_code": codes.array() if codes is not None else np.full(n, "", dtype=object),
        "village_type": village_type.array(),
        "status": status.array(),
        "exit_year": year_array.astype(np.int32),
        "household_size": np.asarray(sizes.values, dtype=np.int32)[sizes.codes],
        "head_name": heads.array(),
    }
    for name in ("remote", *fc.FLAG_COLUMNS):
        if name in flags:
            columns[name] = np.asarray(flags[name].values, dtype=bool)[flags[name].codes]
        else:
            columns[name] = np.zeros(n, dtype=bool)
    extra_names = sorted(extra)
    extra_json = _extra_json(
        extra_names, [_text(table.columns[extra[name]], required=False) for name in extra_names], n
    )
    columns["extra_json"] = extra_json.array()
    id_order = None
    if ids_as_read and table.id_words is not None:
        id_order = _id_order(table.id_words, table.id_lengths)
    if id_order is not None:
        order, prepared = id_order
        for name, coded in (("status", status), ("head_name", heads), ("extra_json", extra_json)):
            prepared[name] = _hash_lines(coded, order)
    return columns, tuple(extra_names), id_order


def _hash_lines(column: Coded, order: np.ndarray) -> bytes:
    """UTF-8 of the column's values in ``order``, each followed by a line break (as the
    content hash writes a text column), each distinct value encoded once."""
    lines = np.empty(len(column.values), dtype=object)
    lines[:] = [(value + "\n").encode("utf-8") for value in column.values]
    return b"".join(lines[column.codes[order]].tolist())


def _id_order(words: np.ndarray, lengths: np.ndarray):
    """What :func:`sampling.frame_hash._id_order` gives, from the ids' words: the order by
    id and, for ids of one length, their hash lines; None unless every id is ASCII.

    For distinct ASCII ids, sorting by the big-endian words (zero-padded, as numpy pads
    ``S`` strings) is sorting by code point, and there are no ties to break. Radix sorts,
    last word first, instead of comparing strings.
    """
    if (words & np.uint64(0x8080808080808080)).any():
        return None
    big = words.byteswap()
    order = np.argsort(big[:, -1], kind="stable")
    for i in range(words.shape[1] - 2, -1, -1):
        order = order[np.argsort(big[order, i], kind="stable")]
    width = int(lengths.max())
    if int(lengths.min()) != width:
        return order, {}
    matrix = np.empty((len(order), width + 1), dtype=np.uint8)
    matrix[:, :width] = words[order].view(np.uint8)[:, :width]
    matrix[:, width] = ord("\n")
    return order, {"household_id": matrix.tobytes()}


def _header_positions(header: tuple[str, ...]):
    """Canonical and extra column positions, or (None, None) on any header problem."""
    canonical: dict[str, int] = {}
    extra: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = fc.canonical_column(cell) if cell else None
        label = cell or f"column_{position + 1}"
        target, key = (canonical, name) if name else (extra, label)
        if key in target:
            return None, None
        target[key] = position
    if any(name not in canonical for name in fc.REQUIRED_COLUMNS):
        return None, None
    return canonical, extra


def _text(column: Coded, *, required: bool) -> Coded | None:
    """Stripped text (equal values merged); None when a required cell is blank."""
    stripped = list(map(str.strip, column.values))
    if required and not all(stripped):
        return None
    if stripped == column.values:  # str.strip gives the same object back: compared by identity
        return column
    merged = Coded(column.codes, stripped)
    return merged.recoded() if len(set(stripped)) != len(stripped) else merged


def _villages_consistent(towns, names, codes, village_type, remote) -> bool:
    """The general path's village rules, decided on the distinct village rows."""
    n = len(towns.codes)
    code_values = codes.array() if codes is not None else None
    by_code = codes is not None and any(codes.values)
    if by_code and not all(codes.values):
        return False
    if not by_code and any("/" in town for town in towns.values):
        return False
    parts = [towns, names]
    if codes is not None:
        parts.append(codes)
    parts.append(village_type)
    if remote is not None:
        parts.append(remote)
    key = np.zeros(n, dtype=np.int64)
    for part in parts:
        key, _ = pd.factorize(key * len(part.values) + part.codes)
    rows = _first_rows(key, int(key.max()) + 1)
    distinct = {
        (
            towns.values[towns.codes[i]],
            names.values[names.codes[i]],
            code_values[i] if code_values is not None else "",
            village_type.values[village_type.codes[i]],
            remote.values[remote.codes[i]] if remote is not None else False,
        )
        for i in rows.tolist()
    }
    rules = _BY_CODE if by_code else _BY_NAME
    return all(_functional(distinct, fields, value) for fields, value, _, _ in rules)


def _extra_json(names: list[str], columns: list[Coded], n: int) -> Coded:
    """Per-row JSON of the extra columns, written as the general path writes it."""
    if not names:
        return Coded(np.zeros(n, dtype=np.intp), ["{}"])
    last = len(names) - 1
    key = np.zeros(n, dtype=np.int64)
    parts = []
    for k, (name, column) in enumerate(zip(names, columns, strict=True)):
        prefix = ("{" if k == 0 else "") + encode_basestring(name) + ":"
        suffix = "}" if k == last else ""
        parts.append([prefix + encode_basestring(value) + suffix for value in column.values])
        key, _ = pd.factorize(key * len(column.values) + column.codes)
    codes, uniques = pd.factorize(key)
    first = _first_rows(codes, len(uniques))
    texts = [
        ",".join(part[column.codes[i]] for part, column in zip(parts, columns, strict=True))
        for i in first.tolist()
    ]
    return Coded(codes, texts)
