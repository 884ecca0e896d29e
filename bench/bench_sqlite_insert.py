"""Ways to insert 1,000,000 household-like rows into SQLite, against ``executemany`` in id order.

Usage::

    .venv/bin/python bench/bench_sqlite_insert.py [--rows 1000000]

Why the SQLite import cannot be made much faster than the raw ``executemany`` it is compared
with (``docs/performance.md``). Each way inserts the same rows into a fresh WAL database with
a table shaped like ``households`` (a unique index on ``(frame_id, household_id)`` and an
index on the frame village) in one transaction, committed:

- **executemany, id order** (the baseline, as the import and the raw path insert);
- **executemany, file order** (random id order, as rows would arrive while a file is read);
- **multi-row VALUES** (100 rows per statement);
- **rows generated inside SQLite** (a recursive CTE: no binding from Python at all);
- **executemany, 256 MB page cache** (``PRAGMA cache_size``).

Printed: seconds and the ratio to the baseline, measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from pathlib import Path

COLUMNS = "frame_id, fv, hid, status, ey, size, head, f1, f2, f3, f4, f5, f6, extra, src"
MARKS = "(" + ", ".join("?" * 15) + ")"


def fresh(path: Path, cache_kib: int = 0) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    if cache_kib:
        conn.execute(f"PRAGMA cache_size=-{cache_kib}")
    conn.execute(
        "CREATE TABLE h (id INTEGER PRIMARY KEY, frame_id INT, fv INT, hid TEXT, status TEXT,"
        " ey INT, size INT, head TEXT, f1 INT, f2 INT, f3 INT, f4 INT, f5 INT, f6 INT,"
        " extra TEXT, src INT)"
    )
    conn.execute("CREATE UNIQUE INDEX u ON h (frame_id, hid)")
    conn.execute("CREATE INDEX v ON h (fv)")
    return conn


def timed(conn: sqlite3.Connection, insert) -> float:
    start = time.perf_counter()
    conn.execute("BEGIN")
    insert(conn)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    n = parser.parse_args(argv).rows
    rows = [
        (1, i % 3000, f"4521{i:010d}", "exited", 2019 if i % 2 else None, 3, "张三丰",
         0, 1, 0, 0, 0, 1, '{"a":"b"}', i + 2)
        for i in range(n)
    ]  # fmt: skip
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    per = 100
    flat = [value for row in rows for value in row]
    many = f"INSERT INTO h ({COLUMNS}) VALUES " + ", ".join([MARKS] * per)
    one = f"INSERT INTO h ({COLUMNS}) VALUES {MARKS}"
    full = n // per * per

    def multi_row(conn):
        conn.executemany(many, (flat[i : i + 15 * per] for i in range(0, full * 15, 15 * per)))
        conn.executemany(one, rows[full:])

    generated = (
        f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {n - 1}) "
        f"INSERT INTO h ({COLUMNS}) SELECT 1, i % 3000, printf('4521%010d', i), 'exited', "
        "CASE WHEN i % 2 THEN 2019 END, 3, '张三丰', 0, 1, 0, 0, 0, 1, '{\"a\":\"b\"}', i + 2 "
        "FROM s"
    )
    ways = [
        ("executemany, id order", 0, lambda conn: conn.executemany(one, rows)),
        ("executemany, file order", 0, lambda conn: conn.executemany(one, shuffled)),
        (f"multi-row VALUES ({per} rows)", 0, multi_row),
        ("rows generated inside SQLite", 0, lambda conn: conn.execute(generated)),
        ("executemany, 256 MB page cache", 262_144, lambda conn: conn.executemany(one, rows)),
    ]
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "insert.sqlite"
        print(f"| {n:,} rows | seconds | ratio to executemany, id order |")
        print("|---|---:|---:|")
        baseline = None
        for name, cache, insert in ways:
            seconds = timed(fresh(path, cache), insert)
            baseline = baseline or seconds
            print(f"| {name} | {seconds:.2f} | {seconds / baseline:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
