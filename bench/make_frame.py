"""Write a realistic synthetic county household frame (CSV or XLSX) for benchmarks and demos.

Usage::

    .venv/bin/python bench/make_frame.py OUT.csv --households 1000000 [--encoding gbk]
        [--english] [--seed 1] [--shuffle]
    .venv/bin/python bench/make_frame.py OUT.xlsx --households 10000

Shape (domain.md sections 5 and 7): about 300 households per village, 15 villages per
township, a third of the villages poor, one in six remote; registered households mostly in
poor villages (about 30 % there, 8 % elsewhere), 2-8 % of them not yet exited; household
sizes around 3.3; exit years 2016-2020; screening flags on a few percent of households; an
extra column 村民小组 (villagers' group) kept as an attribute.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = list("国建明华英秀兰芳军平志强文玉春海金云红丽桂生德福成中永山林")
CHINESE = {
    "household_id": "户编号",
    "township": "乡镇",
    "village": "行政村",
    "village_code": "村编码",
    "village_type": "村类型",
    "remote": "偏远村",
    "status": "户类型",
    "exit_year": "脱贫年份",
    "household_size": "家庭人口",
    "head_name": "户主姓名",
    "dibao": "低保户",
    "unsafe_house": "危房户",
    "serious_illness": "重病户",
    "no_labour": "无劳动力户",
    "elderly_alone": "独居老人",
}
STATUS_ZH = {"exited": "已脱贫", "not_exited": "未脱贫", "non_registered": "非建档立卡"}
TYPE_ZH = {"poor": "贫困村", "non_poor": "非贫困村"}
FLAG_RATES = {
    "dibao": 0.05,
    "unsafe_house": 0.02,
    "serious_illness": 0.04,
    "no_labour": 0.03,
    "elderly_alone": 0.04,
}


def _villages(households: int, rng: np.random.Generator):
    n_villages = max(2, households // 300)
    weights = rng.gamma(4.0, 1.0, n_villages)
    village_of = np.sort(rng.choice(n_villages, households, p=weights / weights.sum()))
    poor = rng.random(n_villages) < 1 / 3
    remote = rng.random(n_villages) < 1 / 6
    return n_villages, village_of, poor, remote


def _statuses(village_poor: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(len(village_poor))
    registered = np.where(village_poor, 0.30, 0.08)
    not_exited = np.where(village_poor, 0.02, 0.004)
    return np.where(
        u < not_exited, "not_exited", np.where(u < registered, "exited", "non_registered")
    )


def make_rows(households: int, *, seed: int = 1, english: bool = False):
    """Columns of a synthetic frame: (header, list of column lists)."""
    rng = np.random.default_rng(seed)
    n_villages, village_of, poor, remote = _villages(households, rng)
    township_of_village = np.arange(n_villages) // 15
    status = _statuses(poor[village_of], rng)
    sizes = np.clip(rng.poisson(2.3, households) + 1, 1, 12)
    years = np.where(status == "exited", rng.integers(2016, 2021, households), 0)
    names = [
        SURNAMES[a] + GIVEN[b] + GIVEN[c]
        for a, b, c in rng.integers(0, [len(SURNAMES), len(GIVEN), len(GIVEN)], (households, 3))
    ]
    village_codes = 452122000000 + (township_of_village + 1) * 1000 + np.arange(n_villages) % 15 + 1
    code = village_codes[village_of]
    columns = {
        "household_id": [f"4521{i:010d}" for i in range(1, households + 1)],
        "township": [f"第{t + 1}乡镇" for t in township_of_village[village_of]],
        "village": [f"第{v + 1}村" for v in village_of],
        "village_code": [str(c) for c in code],
        "village_type": np.where(poor, "poor", "non_poor")[village_of].tolist(),
        "remote": remote[village_of].astype(int).tolist(),
        "status": status.tolist(),
        "exit_year": [str(y) if y else "" for y in years.tolist()],
        "household_size": sizes.tolist(),
        "head_name": names,
    }
    for flag, rate in FLAG_RATES.items():
        columns[flag] = (rng.random(households) < rate).astype(int).tolist()
    columns["村民小组"] = [f"第{g}组" for g in rng.integers(1, 9, households).tolist()]
    if not english:
        columns["status"] = [STATUS_ZH[s] for s in columns["status"]]
        columns["village_type"] = [TYPE_ZH[t] for t in columns["village_type"]]
    header = [name if english else CHINESE.get(name, name) for name in columns]
    return header, list(columns.values())


def write_frame(
    path: Path, header, columns, *, encoding: str = "utf-8", order=None, quote_all=False
) -> None:
    """Write ``columns`` under ``header`` to CSV (in ``encoding``; every cell in quotes with
    ``quote_all``) or XLSX (by suffix)."""
    rows = zip(*columns, strict=True)
    if order is not None:
        rows = [r for _, r in sorted(zip(order, rows, strict=True))]
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("frame")
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
        book.save(path)
        return
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--encoding", default="utf-8", help="utf-8, utf-8-sig, gbk, gb18030")
    parser.add_argument("--english", action="store_true", help="English headers and values")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shuffle", action="store_true", help="write rows in random order")
    args = parser.parse_args(argv)
    header, columns = make_rows(args.households, seed=args.seed, english=args.english)
    order = np.random.default_rng(args.seed + 1).random(args.households) if args.shuffle else None
    write_frame(args.out, header, columns, encoding=args.encoding, order=order)
    print(f"wrote {args.households} households to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
