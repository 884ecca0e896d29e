"""The checked frame (抽样框) in columnar form, and the one path from bytes to it.

PURE. :func:`read_frame` reads (:mod:`~sampling.frames.read`), checks
(:mod:`~sampling.frames.check`) and hashes (:mod:`~sampling.frames.hashing`) a file and returns a
:class:`FrameImport`: a :class:`Frame`, or the issues that refuse the file. A frame loaded back
from the database is rebuilt with :func:`make_frame`, which gives the same content hash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from sampling.frames import columns as fc
from sampling.frames.check import Checked, FrameIssue, IssueLog, check_table
from sampling.frames.hashing import content_hash, id_order
from sampling.frames.read import (
    DEFAULT_LIMITS,
    XLSX_MAGIC,
    FrameFileError,
    Limits,
    Progress,
    first_bytes,
    read_table,
)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


#: Columns whose values repeat (extra columns): their households share one ``str`` per value.
_SHARED = ("township", "village", "village_code", "village_type", "status", "extra_json")


def _array(series: pl.Series) -> np.ndarray:
    if series.name not in _SHARED:
        return _frozen(series.to_numpy())
    distinct = series.unique(maintain_order=True)
    index = series.to_frame().join(
        distinct.to_frame().with_row_index("_i"), on=series.name, how="left", maintain_order="left"
    )["_i"]
    return _frozen(distinct.to_numpy()[index.to_numpy()])


@dataclass(frozen=True, eq=False)
class VillageTable:
    """One entry per village, sorted by :attr:`key` (the canonical village order): its
    ``village_code`` when the frame has codes, otherwise ``"township/village"``."""

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
    """A checked household frame, one read-only array entry per household, in file order.

    Text arrays hold ``str``; ``status`` and ``village_type`` canonical values; ``exit_year``
    is 0 where blank; absent optional columns read as ``""`` or False. ``extra_json`` holds each
    row's extra columns as JSON (``"{}"`` without any), ``source_row`` the file row (header =
    row 1), ``village_index`` the position of the household's village in :attr:`villages`,
    ``id_order`` the positions sorted by ``household_id`` (the canonical order),
    :attr:`content_hash` the SHA-256 of :func:`~sampling.frames.hashing.content_hash`.
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
    digest: Future = field(repr=False)

    @property
    def content_hash(self) -> str:
        """The content hash, once its thread has computed it."""
        return self.digest.result()

    def __len__(self) -> int:
        return len(self.household_id)

    def flags(self) -> dict[str, np.ndarray]:
        """The screening-flag arrays by canonical name."""
        return {name: getattr(self, name) for name in fc.FLAG_COLUMNS}

    def village_keys(self) -> np.ndarray:
        """Village key of each household."""
        return self.villages.key[self.village_index]

    def columns(self) -> dict[str, list]:
        """Plain Python lists (``exit_year`` None where blank)."""
        names = (*fc.CANONICAL_COLUMNS, "extra_json", "source_row")
        out = {name: getattr(self, name).tolist() for name in names}
        out["exit_year"] = [year or None for year in out["exit_year"]]
        return {**out, "village_key": self.village_keys().tolist()}


@dataclass(frozen=True)
class FrameImport:
    """The frame (None if refused), the first issues by row (the cap), their count, rows read."""

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
    limits: Limits = DEFAULT_LIMITS,
) -> FrameImport:
    """Read, check and hash a frame file (CSV or XLSX): ``source`` a path, bytes or a binary
    file; ``file_format`` "csv" or "xlsx" (told from the first bytes when omitted: XLSX files
    are ZIP archives); ``encoding`` of a CSV file (detected when omitted: UTF-8, UTF-8 or UTF-16
    with BOM, else GB18030); ``progress`` called with the number of data rows done (after
    reading and at the end); ``max_issues`` listed at most (the rest only counted); ``limits``
    what the file may hold. The result's ``frame`` is None when the file has any issue."""
    if max_issues < 1:
        raise ValueError(f"max_issues: must be at least 1, got {max_issues!r}")
    if isinstance(source, str | Path):
        data = Path(source)  # measured before it is read
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(limits.max_bytes + 1)
    else:
        raise ValueError(f"source: expected a path, bytes or a binary file, got {type(source)!r}")
    checked, result = read_and_check(data, file_format, encoding, max_issues, limits, progress)
    if checked is None:
        return result
    return replace(result, frame=build_frame(checked.columns, checked.extra_columns))


def read_and_check(
    data: bytes | Path, file_format, encoding, max_issues, limits, progress, *hooks
) -> tuple[Checked | None, FrameImport]:
    """Read and check ``data``, the file's bytes or path: the checked columns (None when there
    is any issue) and the :class:`FrameImport` without its frame (what the isolated child runs);
    ``hooks``: ``refused`` (:func:`read_table`), then ``typed_ready`` (:func:`check_table`)."""
    refused, typed_ready = (*hooks, None, None)[:2]
    guessed = file_format or ("xlsx" if first_bytes(data).startswith(XLSX_MAGIC) else "csv")
    log = IssueLog(max_issues)
    checked, rows = None, 0
    try:
        table = read_table(
            data, file_format=guessed, encoding=encoding, limits=limits, refused=refused
        )
    except FrameFileError as exc:
        log.add(None, None, "", exc.message.msgid, **exc.message.mapping)
    else:
        del data
        rows, encoding = table.cells.height, table.encoding
        progress = progress or (lambda rows: None)
        progress(rows)
        checked = check_table(table, log, limits, typed_ready)
        progress(rows)
    result = FrameImport(None, log.sorted_issues(), log.total, guessed, encoding, rows)
    return (checked if log.total == 0 else None), result


_TYPES = dict.fromkeys(("remote", *fc.FLAG_COLUMNS), pl.Boolean)
_TYPES.update(exit_year=pl.Int32, household_size=pl.Int32)


def make_frame(
    columns: Mapping[str, Sequence],
    *,
    extra_json: Sequence[str] | None = None,
    extra_columns: Sequence[str] = (),
    source_row: Sequence[int] | None = None,
) -> Frame:
    """Build a :class:`Frame` from canonical typed columns (e.g. loaded from the database):
    every canonical column but the optional ones (``village_code``, ``remote``, flags), maybe
    ``extra_json``; text as ``str``, booleans as bool or 0/1, ``exit_year`` None/0 when blank.
    ``extra_json``, ``extra_columns``, ``source_row`` default to ``"{}"``, ``()``, 2, 3, ...
    Values are trusted (from :func:`read_frame` or a database filled from it); only lengths and
    vocabularies are checked (ValueError)."""
    n = len(columns["household_id"]) if "household_id" in columns else 0
    data = dict(columns)
    extra = extra_json if extra_json is not None else data.pop("extra_json", None)
    data.setdefault("village_code", [""] * n)
    for name in ("remote", *fc.FLAG_COLUMNS):
        data.setdefault(name, [False] * n)
    for name in fc.CANONICAL_COLUMNS:
        if name not in data or len(data[name]) != n:
            raise ValueError(f"columns: column {name!r} is missing or has not {n} values")
    for name, allowed in (("status", fc.STATUSES), ("village_type", fc.VILLAGE_TYPES)):
        if unknown := set(data[name]) - set(allowed):
            raise ValueError(f"columns: {name} has unknown values {sorted(map(str, unknown))}")
    series = {
        name: pl.Series(name, list(data[name]), dtype=_TYPES.get(name, pl.String), strict=False)
        for name in fc.CANONICAL_COLUMNS
    }
    series["exit_year"] = series["exit_year"].fill_null(0)
    frame = pl.DataFrame(series).with_columns(
        pl.Series("extra_json", list(extra) if extra is not None else ["{}"] * n, pl.String),
        pl.Series("row", list(source_row) if source_row is not None else range(2, n + 2), pl.Int32),
    )
    return build_frame(frame, tuple(extra_columns))


def build_frame(data: pl.DataFrame, extra_columns: tuple[str, ...], digest=None) -> Frame:
    """The :class:`Frame` of typed columns plus ``extra_json`` and ``row``; its content hash
    from ``digest`` (a Future another process computes), else hashed here."""
    by_name = (data["village_code"] == "").all()
    key = pl.col("township") + "/" + pl.col("village") if by_name else pl.col("village_code")
    data = data.with_columns(key.alias("key"))
    villages = (
        data.group_by("key", maintain_order=True)
        .agg(
            pl.col("township", "village", "village_code", "village_type", "remote").first(),
            pl.len().cast(pl.Int64).alias("households"),
            pl.col("household_size").cast(pl.Int64).sum().alias("persons"),
        )
        .sort("key")
        .with_row_index("_index")
    )
    index = data.select("key").join(
        villages.select("key", "_index"), on="key", how="left", maintain_order="left"
    )
    order = data["id_order"] if "id_order" in data.columns else id_order(data)
    if digest is None:  # on a thread (polars and hashlib release the GIL): the store asks last
        pool = ThreadPoolExecutor(1)
        digest = pool.submit(content_hash, data.drop("key", "row"), order)
        pool.shutdown(wait=False)
    return Frame(
        **{name: _array(data[name]) for name in fc.CANONICAL_COLUMNS},
        extra_json=_array(data["extra_json"]),
        extra_columns=tuple(sorted(extra_columns)),
        source_row=_frozen(data["row"].cast(pl.Int32).to_numpy()),
        villages=VillageTable(
            **{f.name: _frozen(villages[f.name].to_numpy()) for f in fields(VillageTable)}
        ),
        village_index=_frozen(index["_index"].cast(pl.Int32).to_numpy()),
        id_order=_frozen(order.cast(pl.Int64).to_numpy()),
        digest=digest,
    )
