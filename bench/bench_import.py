"""Frame import time, as a ratio to the raw driver's bulk insert of the same rows.

Usage::

    .venv/bin/python bench/bench_import.py [--sizes 100000,1000000] [--formats csv,xlsx]
        [--backends sqlite,postgresql] [--pg postgresql://postgres@127.0.0.1:5432/test]
        [--xlsx-max 100000] [--workdir DIR] [--frames DIR] [--quote-all]

For each frame size and file format a synthetic county frame is written with
``bench/make_frame.py`` (CSV: GBK, rows shuffled; XLSX: same rows), then, for each backend, in
a fresh database (a temporary SQLite file; a throwaway PostgreSQL database created and dropped
here):

- **ours**: ``FrameService(isolated=True).import_file``, the path of the web form and the CLI:
  read + check in the child process with its memory and time limits, then frame + hash,
  villages, households, and commit. The pure part ends at the reader's last progress call,
  once the frame is built; its content hash is computed on a thread while the households
  are stored, so that it counts in the DB phase.
- **raw**: the same household rows, already parsed into tuples before the clock starts and in
  the same order (by household_id), inserted with the bare driver into an identical
  ``households`` table (same schema, same indexes and foreign keys, referenced frame and
  villages present) and committed: ``sqlite3`` ``executemany`` of a one-row INSERT / psycopg
  ``COPY ... FROM STDIN`` with ``write_row``.
- **raw multi-row** (SQLite only): the same tuples, inserted the way the import does it,
  ``ROWS_PER_INSERT`` (100) rows per INSERT statement through ``executemany`` (the remainder
  in one shorter statement), with the connection settings of the app (foreign keys, WAL,
  ``synchronous=NORMAL``), into its own fresh database. Written here on its own, not by
  calling the import's code; each statement's parameters (the rows' values one after the
  other) are laid out before the clock starts, as the tuples are for **raw**.

Printed: ``full ratio = ours / raw``, ``DB ratio = (ours - pure part) / raw``,
``full ratio vs multi-row = ours / raw multi-row`` (``-`` on PostgreSQL), and the peak
resident memory of each of our imports: of this process (the web process's part: frame, hash,
insert; its high-water mark ``VmHWM`` reset before the import through ``/proc/self/clear_refs``)
and of the reading child (its ``VmHWM``, polled every 20 ms; ``getrusage`` would give a child
the size of the process it was started from). XLSX frames larger than ``--xlsx-max`` are
skipped: openpyxl takes about 3.5 minutes to write the 1,000,000-row workbook
(``--xlsx-max 1000000`` adds it).
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment.core.db import make_engine, make_session_factory
from assessment.core.models import County, Province
from assessment.migrate import upgrade
from bench.make_frame import make_rows, write_frame
from sampling.frames import Limits
from sampling.models import Frame
from sampling.services import HOUSEHOLD_COLUMNS, ROWS_PER_INSERT, FrameService

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Result:
    households: int
    file_format: str
    backend: str
    pure: float  # read + check + hash, s
    ours: float  # full import incl. commit, s
    raw: float  # raw driver insert of the same rows incl. commit, s
    parent_mb: float  # peak resident memory of this process during our import
    child_mb: float  # peak resident memory of the reading child
    raw_multi: float | None = None  # raw driver, multi-row INSERT statements (SQLite), s

    @property
    def full_ratio(self) -> float:
        return self.ours / self.raw

    @property
    def multi_ratio(self) -> float | None:
        return None if self.raw_multi is None else self.ours / self.raw_multi

    @property
    def db_ratio(self) -> float:
        return (self.ours - self.pure) / self.raw


def write_frames(workdir: Path, sizes, formats, xlsx_max: int, quote_all: bool = False) -> dict:
    """Synthetic frames by (size, format): CSV in GBK with rows shuffled, XLSX the same rows.
    A frame already in ``workdir`` (same name) is used as it is."""
    paths = {}
    for n in sizes:
        header, columns = make_rows(n, seed=1)
        order = np.random.default_rng(2).random(n)
        for file_format in formats:
            if file_format == "xlsx" and n > xlsx_max:
                continue
            quoted = "-quoted" if quote_all and file_format == "csv" else ""
            path = workdir / f"frame-{n}{quoted}.{file_format}"
            if path.exists():
                paths[n, file_format] = path
                continue
            encoding = "gbk" if file_format == "csv" else "utf-8"
            write_frame(path, header, columns, encoding=encoding, order=order, quote_all=quote_all)
            paths[n, file_format] = path
    return paths


@contextmanager
def fresh_database(backend: str, workdir: Path, pg_url: str):
    """URL of an empty database with the app's schema; dropped afterwards."""
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.sqlite"
        url = f"sqlite:///{path}"
        upgrade(url)
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url.replace("postgresql://", "postgresql+psycopg://"))
        yield url.replace("postgresql://", "postgresql+psycopg://")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _county(db):
    county = County(code="B1", name="基准县", province=Province(name="基准省"))
    db.add(county)
    db.flush()
    return county


def _peak_kb(pid: int | str) -> int:
    """``VmHWM`` (peak resident kB) of a process, 0 once it is gone."""
    try:
        return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1])
    except (OSError, TypeError):
        return 0


class ChildPeak(threading.Thread):
    """The largest ``VmHWM`` of this process's children while it runs, polled every 20 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            for children in Path("/proc/self/task").glob("*/children"):
                for pid in children.read_text().split():
                    self.peak_kb = max(self.peak_kb, _peak_kb(pid))


def time_ours(url: str, path: Path, bar: tqdm):
    """Seconds for the full import (with commit) and for its pure part; the pure frame."""
    engine = make_engine(url)
    stamps = []

    def progress(rows: int) -> None:
        stamps.append(time.perf_counter())
        bar.set_postfix_str(f"{rows:,} rows read")

    try:
        with make_session_factory(engine)() as db:
            county = _county(db)
            db.commit()
            Path("/proc/self/clear_refs").write_text("5")  # this process's VmHWM from here on
            watch = ChildPeak()
            watch.start()
            start = time.perf_counter()
            service = FrameService(db, isolated=True, limits=Limits(max_seconds=600))
            outcome = service.import_file(county, path, path.name, progress=progress)
            db.commit()
            end = time.perf_counter()
            watch.done.set()
            watch.join()
            peaks = (_peak_kb("self") / 1024, watch.peak_kb / 1024)
            if outcome.frame is None:
                raise SystemExit(f"{path}: rejected: {outcome.result.issues[:3]}")
    finally:
        engine.dispose()
    return end - start, stamps[-1] - start, outcome.result.frame, peaks


def prepared_rows(url: str, data) -> list[tuple]:
    """Frame and villages stored (not timed); the household tuples to insert, in memory."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as db:
            county = _county(db)
            frame = Frame(county=county, version=1, content_hash=data.content_hash,
                          file_name="raw", file_format="csv", households=len(data),
                          persons=int(data.household_size.sum()), extra_columns="[]")  # fmt: skip
            db.add(frame)
            db.flush()
            service = FrameService(db)
            village_ids = service._ensure_villages(county, data.villages)
            fv_ids = service._store_frame_villages(frame, data.villages, village_ids)
            rows = list(service._household_rows(frame, data, fv_ids))
            db.commit()
    finally:
        engine.dispose()
    return rows


def time_raw(url: str, rows: list[tuple]) -> float:
    """Seconds for the bare driver to insert and commit ``rows`` into ``households``."""
    names = ", ".join(HOUSEHOLD_COLUMNS)
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA journal_mode=WAL")
        marks = ", ".join("?" * len(HOUSEHOLD_COLUMNS))
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO households ({names}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        conn.close()
        return seconds
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        start = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY households ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - start


def multi_row_params(rows: list[tuple], per_statement: int) -> tuple[list[list], list | None]:
    """Parameters of the multi-row INSERTs of ``rows``: one flat list of values per statement of
    ``per_statement`` rows, and those of the last, shorter statement (None when there is none)."""
    full = len(rows) - len(rows) % per_statement
    chunks = [
        [value for row in rows[start : start + per_statement] for value in row]
        for start in range(0, full, per_statement)
    ]
    rest = [value for row in rows[full:] for value in row] if full < len(rows) else None
    return chunks, rest


def multi_row_insert(count: int) -> str:
    """``INSERT INTO households (...) VALUES (?, ...), (?, ...), ...`` with ``count`` rows."""
    one = "(" + ", ".join("?" * len(HOUSEHOLD_COLUMNS)) + ")"
    return f"INSERT INTO households ({', '.join(HOUSEHOLD_COLUMNS)}) VALUES " + ", ".join(
        [one] * count
    )


def time_raw_multi(url: str, rows: list[tuple], per_statement: int = ROWS_PER_INSERT) -> float:
    """Seconds for bare ``sqlite3`` to insert and commit ``rows`` into ``households``,
    ``per_statement`` rows per INSERT, on a connection set up as the app's."""
    chunks, rest = multi_row_params(rows, per_statement)
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(multi_row_insert(per_statement), chunks)
    if rest is not None:
        conn.execute(multi_row_insert(len(rest) // len(HOUSEHOLD_COLUMNS)), rest)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def run_one(n, file_format, backend, path, args, bar) -> Result:
    bar.set_description(f"{n:,} {file_format} {backend}: ours")
    with fresh_database(backend, args.workdir, args.pg) as url:
        ours, pure, data, peaks = time_ours(url, path, bar)
    bar.set_description(f"{n:,} {file_format} {backend}: raw")
    with fresh_database(backend, args.workdir, args.pg) as url:
        raw = time_raw(url, prepared_rows(url, data))
    raw_multi = None
    if backend == "sqlite":
        bar.set_description(f"{n:,} {file_format} {backend}: raw multi-row")
        with fresh_database(backend, args.workdir, args.pg) as url:
            raw_multi = time_raw_multi(url, prepared_rows(url, data))
    return Result(n, file_format, backend, pure, ours, raw, *peaks, raw_multi=raw_multi)


def table(results) -> str:
    lines = [
        "| households | file | database | read+check+frame | our import | raw driver insert "
        "| full ratio | DB-phase ratio | peak MB: web process / reading child "
        f"| raw multi-row insert ({ROWS_PER_INSERT} per statement) | full ratio vs multi-row |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        multi = "- | -" if r.raw_multi is None else f"{r.raw_multi:.2f} s | {r.multi_ratio:.2f}×"
        lines.append(
            f"| {r.households:,} | {r.file_format} | {r.backend} | {r.pure:.2f} s "
            f"| {r.ours:.2f} s | {r.raw:.2f} s | {r.full_ratio:.2f}× | {r.db_ratio:.2f}× "
            f"| {r.parent_mb:,.0f} / {r.child_mb:,.0f} | {multi} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg", default=PG_DEFAULT, help="admin URL of a PostgreSQL server")
    parser.add_argument("--xlsx-max", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument(
        "--quote-all", action="store_true", help="CSV with every cell in quotes, as some exports"
    )
    parser.add_argument(
        "--frames", type=Path, help="keep the frame files here and reuse them in later runs"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    formats, backends = args.formats.split(","), args.backends.split(",")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        args.workdir = Path(tmp)
        if args.frames is not None:
            args.frames.mkdir(parents=True, exist_ok=True)
        paths = write_frames(
            args.frames or args.workdir, sizes, formats, args.xlsx_max, args.quote_all
        )
        runs = [(n, f, b) for (n, f) in paths for b in backends]
        results = []
        with tqdm(runs, unit="import") as bar:
            for n, file_format, backend in bar:
                path = paths[n, file_format]
                results.append(run_one(n, file_format, backend, path, args, bar))
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
