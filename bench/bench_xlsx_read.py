"""XLSX frame reading: the fast XLSX path against calamine, measured in the same run.

Usage::

    .venv/bin/python bench/bench_xlsx_read.py [--sizes 100000,1000000] [--frames DIR]

For each size the benchmark workbook of ``bench/bench_import.py`` (openpyxl's inline strings;
written once into ``--frames``) is read by ``read_frame`` three ways, each timed from the
workbook's bytes to the checked frame or its issues:

- **fast**: as ``read_frame`` reads it (the fast XLSX path);
- **calamine**: with the fast XLSX path switched off (calamine reads the cells, then the
  same checks), the reader before the fast path;
- **with an issue**: the workbook with the second household's id made equal to the first's,
  as ``read_frame`` reads it (the issue is found from the fast path's cells).

Printed: seconds, the ratio ``calamine / fast``, and
whether the fast and calamine frames have the same content hash.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_import import write_frames
from sampling import frames

SHEET = "xl/worksheets/sheet1.xml"


def with_duplicate_id(data: bytes) -> bytes:
    """The workbook with the id of data row 2 replaced by the id of data row 1."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == SHEET:
                ids = re.findall(rb'<c r="A[23]" t="inlineStr"><is><t>([^<]*)</t>', content[:20000])
                content = content.replace(ids[1], ids[0], 1)
            archive.writestr(info.filename, content)
    return out.getvalue()


def timed(data: bytes, *, fast: bool):
    saved = frames._read_fast_xlsx
    if not fast:
        frames._read_fast_xlsx = lambda *args: None
    try:
        start = time.perf_counter()
        result = frames.read_frame(data)
        return time.perf_counter() - start, result
    finally:
        frames._read_fast_xlsx = saved


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--frames", type=Path)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    workdir = args.frames or Path(tempfile.mkdtemp(prefix="bench-xlsx-"))
    workdir.mkdir(parents=True, exist_ok=True)
    paths = write_frames(workdir, sizes, ["xlsx"], max(sizes))
    print("| households | fast | calamine | with an issue | calamine / fast | same hash |")
    print("|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        data = paths[n, "xlsx"].read_bytes()
        fast, fast_result = timed(data, fast=True)
        slow, slow_result = timed(data, fast=False)
        flawed, flawed_result = timed(with_duplicate_id(data), fast=True)
        assert fast_result.ok and slow_result.ok and flawed_result.issue_count == 1
        same = fast_result.frame.content_hash == slow_result.frame.content_hash
        print(
            f"| {n:,} | {fast:.2f} s | {slow:.2f} s | {flawed:.2f} s | {slow / fast:.1f}× | "
            f"{'yes' if same else 'NO'} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
