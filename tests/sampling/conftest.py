"""Fixtures for the sampling core tests: small frames written as CSV or XLSX."""

from __future__ import annotations

import csv
import io

import pytest

from sampling.frames.columns import CANONICAL_COLUMNS

HEADER = list(CANONICAL_COLUMNS)


def small_rows() -> list[list[str]]:
    """Nine households in three villages of two townships, Chinese names and values mixed."""
    return [
        [
            "H001",
            "城关镇",
            "东村",
            "V01",
            "poor",
            "1",
            "exited",
            "2018",
            "3",
            "王国华",
            "0",
            "0",
            "0",
            "0",
            "0",
        ],
        [
            "H002",
            "城关镇",
            "东村",
            "V01",
            "poor",
            "1",
            "not_exited",
            "",
            "4",
            "李秀英",
            "0",
            "1",
            "0",
            "0",
            "0",
        ],
        [
            "H003",
            "城关镇",
            "东村",
            "V01",
            "poor",
            "1",
            "non_registered",
            "",
            "2",
            "张明",
            "1",
            "0",
            "0",
            "0",
            "0",
        ],
        [
            "H004",
            "城关镇",
            "西村",
            "V02",
            "non_poor",
            "0",
            "exited",
            "2019",
            "5",
            "刘建平",
            "0",
            "0",
            "0",
            "0",
            "0",
        ],
        [
            "H005",
            "城关镇",
            "西村",
            "V02",
            "non_poor",
            "0",
            "non_registered",
            "",
            "1",
            "陈兰",
            "0",
            "0",
            "0",
            "0",
            "1",
        ],
        [
            "H006",
            "石桥乡",
            "南村",
            "V03",
            "poor",
            "0",
            "exited",
            "2017",
            "3",
            "杨春",
            "0",
            "0",
            "0",
            "0",
            "0",
        ],
        [
            "H007",
            "石桥乡",
            "南村",
            "V03",
            "poor",
            "0",
            "exited",
            "2020",
            "6",
            "黄志强",
            "0",
            "0",
            "1",
            "0",
            "0",
        ],
        [
            "H008",
            "石桥乡",
            "南村",
            "V03",
            "poor",
            "0",
            "non_registered",
            "",
            "2",
            "赵玉兰",
            "0",
            "0",
            "0",
            "1",
            "0",
        ],
        [
            "H009",
            "石桥乡",
            "南村",
            "V03",
            "poor",
            "0",
            "non_registered",
            "",
            "4",
            "吴海",
            "0",
            "0",
            "0",
            "0",
            "0",
        ],
    ]


def csv_bytes(header, rows, encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header, rows, *, numbers: bool = True) -> bytes:
    """An XLSX workbook; with ``numbers`` numeric-looking cells are stored as numbers."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(
            [int(v) if numbers and v.isdigit() and not v.startswith("0") else v for v in row]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def rows():
    return small_rows()


@pytest.fixture
def header():
    return list(HEADER)


@pytest.fixture
def to_csv():
    return csv_bytes


@pytest.fixture
def to_xlsx():
    return xlsx_bytes


def synthetic_frame(villages, *, seed: int = 0, flag_rate: float = 0.2):
    """A frame from ``villages``: a list of (village_type, remote, n_exited, n_not_exited,
    n_non_registered). Ids are zero-padded so that their order is the creation order; flags
    fall on about ``flag_rate`` of the households (a fixed pattern, no randomness)."""
    from sampling.frames import make_frame

    cols = {k: [] for k in HEADER}
    hh = 0
    for v, (vtype, remote, *counts) in enumerate(villages):
        for status, count in zip(("exited", "not_exited", "non_registered"), counts, strict=True):
            for _ in range(count):
                hh += 1
                cols["household_id"].append(f"H{hh:06d}")
                cols["township"].append(f"T{v % 3}")
                cols["village"].append(f"V{v:03d}")
                cols["village_code"].append(f"C{v:03d}")
                cols["village_type"].append(vtype)
                cols["remote"].append(remote)
                cols["status"].append(status)
                cols["exit_year"].append(2018 if status == "exited" else None)
                cols["household_size"].append(1 + (hh * 7 + seed) % 5)
                cols["head_name"].append(f"户主{hh}")
                for j, flag in enumerate(HEADER[10:]):
                    cols[flag].append((hh * 13 + j * 5 + seed) % 100 < flag_rate * 20)
    return make_frame(cols)


@pytest.fixture
def frame_from():
    return synthetic_frame
