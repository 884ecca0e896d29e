"""Processor time of each step of reading a frame file, in one process.

Usage::

    .venv/bin/python bench/profile_frame_read.py FRAME.xlsx|FRAME.csv

Prints, for each step of the isolated reader's path (measuring the workbook, calamine's parse,
the hand-over to polars, the table, the checks, the Arrow file to the parent) and of the
parent's (the :class:`~sampling.frames.Frame` with its content hash), the processor time
(``time.process_time``: all threads, whatever else the machine runs), the wall time, and the
process's peak resident memory so far. ``bench_import.py`` gives the end-to-end ratios.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl

from sampling.frames import read as reading
from sampling.frames.check import IssueLog, check_table
from sampling.frames.frame import build_frame
from sampling.frames.hashing import content_hash


def step(label: str, work):
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label:<28} {time.process_time() - cpu:7.2f} s cpu {time.perf_counter() - wall:7.2f}"
        f" s wall   peak {peak:6,.0f} MB"
    )
    return result


def main(path: Path) -> int:
    limits = reading.DEFAULT_LIMITS
    if path.suffix.lower() == ".xlsx":
        archive, part = step("open workbook", lambda: reading._open_workbook(path, limits))
        step("measure sheet", lambda: reading._scan_sheet(archive, part, limits))
        frame, _ = step("calamine + to polars", lambda: reading._calamine(path))
        del frame
        rows = step("whole read (xlsx rows)", lambda: reading._xlsx_rows(path, limits))
        table = step("table", lambda: reading._table(rows, "xlsx", None, limits))
        del rows
    else:
        table = step("read csv", lambda: reading.read_table(path, limits=limits))
    log = IssueLog(200)
    checked = step("checks", lambda: check_table(table, log, limits))
    if checked is None or log.total:
        print(f"refused: {log.total} issues")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        arrow = Path(folder) / "columns.arrow"
        step("to Arrow file (child)", lambda: checked.columns.write_ipc(arrow))
        columns = step("from Arrow file (parent)", lambda: pl.read_ipc(arrow))
    step("content hash alone", lambda: content_hash(columns))
    step("frame + hash (parent)", lambda: build_frame(columns, checked.extra_columns).content_hash)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
