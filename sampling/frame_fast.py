"""Fast path for clean, plain CSV frames: cells found and coded with numpy on the raw bytes.

PURE. :func:`~sampling.frames.read_frame` tries :func:`fast_csv_columns` before the general
reader. The general path turns every cell of a 1,000,000-row file into a Python string (16
million objects) before checking it; here the file's bytes are split with numpy, each
column is coded by its distinct byte strings (pandas' hash-table ``factorize``), and only
distinct values are decoded and checked. Text columns become object arrays that share one
string per distinct value.

The fast path only *accepts*: it returns None as soon as the file is not plain (a quote
character, a blank or ragged line, mixed line breaks, a control character, a very wide
cell) or any check fails or might fail, and the general path then reads the file again and
reports every issue with its row and column. When it returns columns, they are the typed
columns the general path would give, so the frame and its content hash are the same
(``tests/sampling/test_frame_fast.py`` compares both paths).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
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

#: Widest cell (bytes) the fast path codes; wider cells send the file to the general path.
MAX_CELL_BYTES = 64
#: csv's default field size limit, which the general path's plain-line split respects.
_LINE_LIMIT = 131_072
_NEWLINE, _CR = 0x0A, 0x0D
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


def fast_csv_table(data: bytes, encoding: str, progress: Progress | None = None):
    """Cells of a plain CSV file coded by column, or None when the file is not plain.

    Plain: an encoding in which bytes below 0x80 are always ASCII, no quote character, the
    header on the first line with a non-blank last cell, every other line with exactly as
    many cells as the header, one line-break style, no control
    characters, no cell wider than :data:`MAX_CELL_BYTES` bytes.
    """
    name = codecs.lookup(encoding).name
    if name not in _ASCII_TRANSPARENT or b'"' in data:
        return None
    cell_encoding = "utf-8" if name == "utf-8-sig" else encoding
    start = (
        len(codecs.BOM_UTF8)
        if data.startswith(codecs.BOM_UTF8)
        and name
        in (
            "utf-8",
            "utf-8-sig",
        )
        else 0
    )
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == _NEWLINE)
    crlf = b"\r" in data
    if crlf and not _all_crlf(raw, newlines, data):
        return None
    ends = newlines if data.endswith(b"\n") else np.append(newlines, len(data))
    if len(ends) < 2:
        return None
    try:
        first_line = data[start : ends[0]].decode(cell_encoding)
    except UnicodeDecodeError:
        return None
    delimiter = _sniff_delimiter(first_line.removesuffix("\r"))
    if not _no_control_bytes(data, name, delimiter):
        return None
    header_cells = first_line.removesuffix("\r").split(delimiter)
    if not header_cells[-1].strip():
        return None
    width = len(header_cells)
    starts = np.concatenate(([start], ends[:-1] + 1))
    line_ends = ends.copy()
    if crlf:
        line_ends[: len(newlines)] -= 1  # a last line without a line break has no CR either
    if int((ends - starts).max()) > _LINE_LIMIT:
        return None
    bounds = _cell_bounds(raw, ord(delimiter), starts[1:], line_ends[1:], width)
    if bounds is None:
        return None
    words = _Words(data)
    columns = []
    rows = len(starts) - 1
    for j in range(width):
        cell_starts, cell_ends = bounds.column(j)
        coded = _code_column(words, cell_starts, cell_ends - cell_starts)
        if coded is None:
            return None
        values = _decoded(coded.values, cell_encoding)
        if values is None:
            return None
        columns.append(Coded(coded.codes, values))
        if progress is not None:
            progress(rows * (j + 1) // width // PROGRESS_EVERY * PROGRESS_EVERY)
    header = tuple(cell.strip() for cell in header_cells)
    return FastTable(header, columns, rows, encoding)


def _all_crlf(raw: np.ndarray, newlines: np.ndarray, data: bytes) -> bool:
    """Every line break is CR LF and no CR stands anywhere else."""
    if data.count(b"\r") != len(newlines) or len(newlines) == 0 or newlines[0] == 0:
        return False
    return bool((raw[newlines - 1] == _CR).all())


@dataclass(frozen=True)
class _Bounds:
    """Where the cells of the data lines start and end."""

    starts: np.ndarray  # line starts
    ends: np.ndarray  # line ends (before the line break)
    marks: np.ndarray  # delimiter offsets, shape (rows, width - 1)

    def column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        width = self.marks.shape[1] + 1
        start = self.starts if j == 0 else self.marks[:, j - 1] + 1
        end = self.ends if j == width - 1 else self.marks[:, j]
        return start, end


def _cell_bounds(raw, delimiter: int, starts, ends, width: int) -> _Bounds | None:
    """Cell boundaries of the data lines; None when a line is ragged.

    A wholly blank line, which the general path skips, has a blank household id and so
    fails the checks: such files go to the general path too."""
    if len(starts) == 0:
        return None
    marks = np.flatnonzero(raw == delimiter)
    before = np.searchsorted(marks, starts)
    after = np.searchsorted(marks, ends)
    if not ((after - before) == width - 1).all():
        return None
    # Lines are consecutive, so the delimiters of the data lines are one contiguous run.
    marks = marks[before[0] : after[-1]].reshape(len(starts), width - 1)
    return _Bounds(starts, ends, marks)


class _Words:
    """The file as little-endian 64-bit words, to read the 8 bytes at any offset at once."""

    _MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)

    def __init__(self, data: bytes) -> None:
        padded = np.zeros(len(data) // 8 + 2, dtype=np.uint64)
        padded.view(np.uint8)[: len(data)] = np.frombuffer(data, dtype=np.uint8)
        self.words = padded

    def at(self, offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The bytes ``offsets[i] .. offsets[i] + min(lengths[i], 8)`` as a zero-padded word."""
        offsets = np.where(lengths > 0, offsets, 0)  # nothing to read: any valid offset
        index, shift = np.divmod(offsets, 8)
        shift = (shift * 8).astype(np.uint64)
        low = self.words[index] >> shift
        high = self.words[index + 1] << (np.uint64(64) - shift)
        word = np.where(shift == 0, low, low | high)
        return word & self._MASKS[np.clip(lengths, 0, 8)]


def _code_column(words: _Words, starts: np.ndarray, lengths: np.ndarray) -> Coded | None:
    """Codes of a column's cells by their bytes; distinct values as ``bytes``.

    Each cell is read as zero-padded 8-byte words (cells hold no NUL byte, so the padded
    words identify the cell), the words are hashed to one 64-bit key and the keys factorized;
    a hash collision is ruled out by comparing every row with its value's first row.
    """
    width = int(lengths.max())
    if width > MAX_CELL_BYTES:
        return None
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
    return Coded(codes, distinct)


def _decoded(values: list[bytes], encoding: str) -> list[str] | None:
    """``values`` decoded, in one call (no value holds a line break, and in these encodings
    the byte 0x0A is always a line break); None when the bytes are not valid text."""
    try:
        return b"\n".join(values).decode(encoding).split("\n")
    except UnicodeDecodeError:
        return None


def _first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """Row of the first appearance of each code (factorize numbers codes by appearance)."""
    first = np.full(count, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first


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
    columns["extra_json"] = _extra_json(
        extra_names, [_text(table.columns[extra[name]], required=False) for name in extra_names], n
    )
    return columns, tuple(extra_names)


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
    stripped = column.mapped(str.strip)
    if required and not all(stripped.values):
        return None
    if len(set(stripped.values)) != len(stripped.values):
        stripped = stripped.recoded()
    return stripped


def _villages_consistent(towns, names, codes, village_type, remote) -> bool:
    """The general path's village rules, decided on the distinct village rows."""
    from sampling.frame_validate import _BY_CODE, _BY_NAME, _functional

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


def _extra_json(names: list[str], columns: list[Coded], n: int) -> np.ndarray:
    """Per-row JSON of the extra columns, written as the general path writes it."""
    if not names:
        return np.full(n, "{}", dtype=object)
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
    return Coded(codes, texts).array()
