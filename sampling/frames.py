"""Household frames (抽样框): a validated, columnar, content-hashed list of a county's households.

PURE. :func:`read_frame` reads a CSV or XLSX file, checks every row and returns a
:class:`FrameImport`: either a :class:`Frame` or the issues that reject the file. The web
layer and the CLI insert ``Frame.columns()`` in bulk; a frame loaded back from the database is
rebuilt with :func:`make_frame`, which gives the same :attr:`Frame.content_hash`.
See ``docs/frame-format.md`` for columns, accepted values and the hash.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from sampling import frame_columns as fc
from sampling import frame_fast, frame_xlsx
from sampling.frame_checks import FrameIssue, IssueLog
from sampling.frame_hash import (
    _gathered_lines,
    _hash,
    _id_order,
    content_hash,
)
from sampling.frame_reader import (
    XLSX_MAGIC,
    FrameFileError,
    Progress,
    RawTable,
    choose_encoding,
    read_bytes,
    read_table,
)
from sampling.frame_validate import validate_table

__all__ = [
    "Frame",
    "FrameImport",
    "FrameIssue",
    "VillageTable",
    "content_hash",
    "make_frame",
    "read_frame",
]


def _frozen(values, dtype=None) -> np.ndarray:
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class VillageTable:
    """One entry per village, sorted by :attr:`key` (the canonical village order).

    Attributes
    ----------
    key : ndarray of str
        ``village_code`` when the frame has codes, otherwise ``"township/village"``.
    township, village, village_code : ndarray of str
    village_type : ndarray of str
        ``"poor"`` or ``"non_poor"``.
    remote : ndarray of bool
    households, persons : ndarray of int64
        Households and persons of the village in the frame.
    """

    key: np.ndarray
    township: np.ndarray
    village: np.ndarray
    village_code: np.ndarray
    village_type: np.ndarray
    remote: np.ndarray
    households: np.ndarray
    persons: np.ndarray

    def __len__(self) -> int:
        return len(self.key)


@dataclass(frozen=True, eq=False)
class Frame:
    """A validated household frame in columnar form (one array entry per household).

    Arrays are in file order and read-only. Text arrays hold ``str`` objects; coded columns
    hold canonical values (``status`` in :data:`~sampling.frame_columns.STATUSES`,
    ``village_type`` in ``("poor", "non_poor")``). ``exit_year`` is 0 where blank. Absent
    optional columns read as ``""`` (``village_code``) or False (``remote`` and the flags).

    Attributes
    ----------
    household_id, township, village, village_code, head_name : ndarray of str
    village_type, status : ndarray of str
    remote : ndarray of bool
    exit_year, household_size : ndarray of int32
    dibao, unsafe_house, serious_illness, no_labour, elderly_alone : ndarray of bool
    extra_json : ndarray of str
        Extra columns of each row as JSON (``json.dumps(..., ensure_ascii=False,
        sort_keys=True, separators=(",", ":"))``), ``"{}"`` without extra columns.
    extra_columns : tuple of str
        Headers of the extra columns, sorted.
    source_row : ndarray of int32
        File row of each household (header = row 1).
    villages : VillageTable
    village_index : ndarray of int32
        Position of each household's village in :attr:`villages`.
    id_order : ndarray of int64
        Positions of the households sorted by ``household_id`` (canonical order).
    content_hash : str
        SHA-256 (hex) of the canonical content; see :func:`content_hash`.
    """

    household_id: np.ndarray
    township: np.ndarray
    village: np.ndarray
    village_code: np.ndarray
    village_type: np.ndarray
    remote: np.ndarray
    status: np.ndarray
    exit_year: np.ndarray
    household_size: np.ndarray
    head_name: np.ndarray
    dibao: np.ndarray
    unsafe_house: np.ndarray
    serious_illness: np.ndarray
    no_labour: np.ndarray
    elderly_alone: np.ndarray
    extra_json: np.ndarray
    extra_columns: tuple[str, ...]
    source_row: np.ndarray
    villages: VillageTable
    village_index: np.ndarray
    id_order: np.ndarray
    content_hash: str

    def __len__(self) -> int:
        return len(self.household_id)

    def flags(self) -> dict[str, np.ndarray]:
        """The screening-flag arrays by canonical name."""
        return {name: getattr(self, name) for name in fc.FLAG_COLUMNS}

    def village_keys(self) -> np.ndarray:
        """Village key of each household."""
        return self.villages.key[self.village_index]

    def columns(self) -> dict[str, list]:
        """Plain Python lists for bulk insert (``exit_year`` None where blank)."""
        out = {name: getattr(self, name).tolist() for name in fc.CANONICAL_COLUMNS}
        out["exit_year"] = [year or None for year in out["exit_year"]]
        out["extra_json"] = self.extra_json.tolist()
        out["village_key"] = self.village_keys().tolist()
        out["source_row"] = self.source_row.tolist()
        return out

    def records(self):
        """One dict per household, in file order (a convenience over :meth:`columns`)."""
        columns = self.columns()
        names = list(columns)
        for values in zip(*columns.values(), strict=True):
            yield dict(zip(names, values, strict=True))


@dataclass(frozen=True)
class FrameImport:
    """The result of reading a frame file.

    Attributes
    ----------
    frame : Frame or None
        The validated frame, or None when any issue was found (the file is rejected whole).
    issues : tuple of FrameIssue
        The first issues (at most the cap), sorted by row.
    issue_count : int
        Number of issues in all, including those beyond the cap.
    file_format : str
        ``"csv"`` or ``"xlsx"``.
    encoding : str or None
        Encoding a CSV file was read with.
    rows : int
        Data rows read.
    """

    frame: Frame | None
    issues: tuple[FrameIssue, ...]
    issue_count: int
    file_format: str
    encoding: str | None
    rows: int

    @property
    def ok(self) -> bool:
        return self.frame is not None

    @property
    def more_issues(self) -> int:
        """Issues found but not listed (beyond the cap)."""
        return self.issue_count - len(self.issues)


def read_frame(
    source: str | Path | bytes | BinaryIO,
    *,
    file_format: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
    max_issues: int = 200,
) -> FrameImport:
    """Read, check and hash a frame file (CSV or XLSX).

    Parameters
    ----------
    source : path, bytes or binary file
        The uploaded file.
    file_format : {"csv", "xlsx"}, optional
        Detected from the first bytes when omitted (XLSX files are ZIP archives).
    encoding : str, optional
        Text encoding of a CSV file; detected when omitted (UTF-8, UTF-8 with BOM, UTF-16
        with BOM, else GB18030, which also reads GBK).
    progress : callable, optional
        Called with the number of data rows read so far, every 100,000 rows and at the end.
    max_issues : int
        Issues listed at most; the rest are only counted.

    Returns
    -------
    FrameImport
        ``frame`` is None when the file has any issue.
    """
    if max_issues < 1:
        raise ValueError(f"max_issues: must be at least 1, got {max_issues!r}")
    with _gc_paused():
        return _read_frame(source, file_format, encoding, progress, max_issues)


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic collector: millions of row lists would trigger it over and over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_frame(source, file_format, encoding, progress, max_issues) -> FrameImport:
    data = read_bytes(source)
    if file_format is None:
        file_format = "xlsx" if data.startswith(XLSX_MAGIC) else "csv"
    if file_format == "csv":
        fast = _read_fast(data, encoding, progress)
        if fast is not None:
            return fast
    if file_format == "xlsx":
        fast = _read_fast_xlsx(data, progress, max_issues)
        if fast is not None:
            return fast
    try:
        table = read_table(data, file_format=file_format, encoding=encoding, progress=progress)
    except FrameFileError as exc:
        issue = FrameIssue(None, None, "", exc.message)
        return FrameImport(None, (issue,), 1, file_format or "csv", encoding, 0)
    coded = _read_coded(table, progress)
    if coded is not None:
        return coded
    return _checked(table, progress, max_issues)


def _checked(table: RawTable, progress, max_issues: int) -> FrameImport:
    """Every check on a table of cells: the frame, or each issue with its row and column."""
    log = IssueLog(max_issues)
    checked = validate_table(table, log)
    frame = None
    if checked is not None and log.total == 0:
        columns, extra_columns = checked
        frame = _build_frame(columns, None, extra_columns, table.row_numbers, checked=True)
    if progress is not None:
        progress(len(table.rows))
    return _result(frame, log, table)


def _read_fast(data: bytes, encoding: str | None, progress) -> FrameImport | None:
    """The frame of a clean plain CSV file by the fast path, or None (see
    :mod:`sampling.frame_fast`; the general path then reads the file)."""
    chosen = choose_encoding(data, encoding)
    table = frame_fast.fast_csv_table(data, chosen, progress)
    if table is None:
        return None
    return _fast_result(table, table.row_numbers, "csv", progress)


def _read_fast_xlsx(data: bytes, progress, max_issues: int) -> FrameImport | None:
    """The frame of a plain XLSX workbook by the fast path or, when the fast checks do not
    accept its cells, every check on those cells (they are the cells calamine reads); None
    when the fast path does not read the workbook (see :mod:`sampling.frame_xlsx`; calamine
    then reads it)."""
    table = frame_xlsx.fast_xlsx_table(data, progress)
    if table is None:
        return None
    if frame_xlsx.clean(table):
        result = _fast_result(table, table.row_numbers, "xlsx", progress)
        if result is not None:
            return result
    return _checked(frame_xlsx.raw_table(table), progress, max_issues)


def _read_coded(table: RawTable, progress) -> FrameImport | None:
    """The frame of a table already read into cells (XLSX, quoted CSV) by the fast checks, or
    None when they do not accept it (the general checks then report every issue)."""
    coded = frame_fast.coded_table(table)
    if coded is None:
        return None
    return _fast_result(coded, table.row_numbers, table.file_format, progress)


def _fast_result(table, rows, file_format: str, progress) -> FrameImport | None:
    checked = frame_fast.fast_columns(table)
    if checked is None:
        return None
    columns, extra_columns, id_order = checked
    extra_json = columns.pop("extra_json")
    frame = _build_frame(columns, extra_json, extra_columns, rows, checked=True, id_order=id_order)
    if progress is not None:
        progress(table.rows)
    return FrameImport(frame, (), 0, file_format, table.encoding, table.rows)


def _result(frame, log: IssueLog, table: RawTable) -> FrameImport:
    return FrameImport(
        frame,
        log.sorted_issues(),
        log.total,
        table.file_format,
        table.encoding,
        len(table.rows),
    )


def _village_table(columns: Mapping[str, Sequence]) -> tuple[VillageTable, np.ndarray]:
    codes = columns["village_code"]
    if any(codes):
        keys = list(codes)
    else:
        keys = [t + "/" + v for t, v in zip(columns["township"], columns["village"], strict=True)]
    distinct = sorted(set(keys))
    position = {key: i for i, key in enumerate(distinct)}
    index = np.fromiter(map(position.__getitem__, keys), dtype=np.int32, count=len(keys))
    _, first = np.unique(index, return_index=True)
    sizes = np.asarray(columns["household_size"], dtype=np.int64)

    def pick(name, dtype=object):
        values = columns[name]
        return _frozen([values[i] for i in first], dtype)

    table = VillageTable(
        key=_frozen(distinct, object),
        township=pick("township"),
        village=pick("village"),
        village_code=pick("village_code"),
        village_type=pick("village_type"),
        remote=pick("remote", bool),
        households=_frozen(np.bincount(index, minlength=len(distinct))),
        persons=_frozen(np.bincount(index, weights=sizes, minlength=len(distinct)).astype(int)),
    )
    index.setflags(write=False)
    return table, index


def make_frame(
    columns: Mapping[str, Sequence],
    *,
    extra_json: Sequence[str] | None = None,
    extra_columns: Sequence[str] = (),
    source_row: Sequence[int] | None = None,
) -> Frame:
    """Build a :class:`Frame` from canonical typed columns (e.g. loaded from the database).

    Parameters
    ----------
    columns : mapping of str to sequence
        Every name in :data:`~sampling.frame_columns.CANONICAL_COLUMNS` except the optional
        ones (``village_code``, ``remote``, flags), each a sequence of one value per
        household: text as ``str``, ``remote`` and flags as bool/0/1, ``exit_year`` as int or
        None/0 when blank, ``household_size`` as int. ``extra_json`` may be given here too.
    extra_json, extra_columns, source_row : optional
        As in :class:`Frame`; defaults ``"{}"``, ``()`` and 2, 3, ... .

    Returns
    -------
    Frame
        With villages, canonical order and content hash computed. Values are trusted to be
        valid (they come from :func:`read_frame` or a database filled from it); only
        lengths and vocabularies are checked, raising ValueError.
    """
    return _build_frame(columns, extra_json, extra_columns, source_row, checked=False)


def _build_frame(
    columns, extra_json, extra_columns, source_row, *, checked: bool, id_order=None
) -> Frame:
    """:func:`make_frame`; ``checked`` when the columns passed the file checks, so that every
    village-level column is a function of the household's village (used by the hash);
    ``id_order`` what :func:`_id_order` gives, when the caller knows it."""
    n = len(columns["household_id"])
    data = dict(columns)
    if extra_json is None:
        extra_json = data.pop("extra_json", None) or ["{}"] * n
    data.setdefault("village_code", [""] * n)
    for name in ("remote", *fc.FLAG_COLUMNS):
        data.setdefault(name, np.zeros(n, dtype=bool))
    _check_typed(data, n)
    data["exit_year"] = _years(data["exit_year"])
    villages, village_index = _village_table(data)
    order, prepared = id_order or _id_order(data["household_id"])
    if checked and n:
        for name in ("township", "village", "village_code", "village_type"):
            prepared[name] = _gathered_lines(getattr(villages, name), village_index[order])
    arrays = {name: _frozen(data[name], _DTYPES.get(name, object)) for name in fc.CANONICAL_COLUMNS}
    extra = _frozen(extra_json, object)
    rows = source_row if source_row is not None else range(2, n + 2)
    return Frame(
        **arrays,
        extra_json=extra,
        extra_columns=tuple(sorted(extra_columns)),
        source_row=_frozen(rows, np.int32),
        villages=villages,
        village_index=village_index,
        id_order=_frozen(order),
        content_hash=_hash(arrays, extra, order, prepared),
    )


def _years(values: Sequence) -> np.ndarray:
    """Exit years as int32, 0 where blank (None or 0)."""
    try:
        return np.asarray(values, dtype=np.int32)
    except TypeError:  # None among them
        return np.array([year or 0 for year in values], dtype=np.int32)


_DTYPES = {
    "remote": bool,
    "exit_year": np.int32,
    "household_size": np.int32,
    **dict.fromkeys(fc.FLAG_COLUMNS, bool),
}


def _check_typed(data: Mapping[str, Sequence], n: int) -> None:
    for name in fc.CANONICAL_COLUMNS:
        if name not in data:
            raise ValueError(f"columns: missing column {name!r}")
        if len(data[name]) != n:
            raise ValueError(f"columns: column {name!r} has {len(data[name])} values, not {n}")
    for name, allowed in (("status", fc.STATUSES), ("village_type", fc.VILLAGE_TYPES)):
        unknown = set(data[name]) - set(allowed)
        if unknown:
            raise ValueError(f"columns: {name} has unknown values {sorted(map(str, unknown))}")
