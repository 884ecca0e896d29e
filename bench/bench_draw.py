"""Draw time on a synthetic 1,000,000-household frame, as a ratio to a trivial baseline.

Usage::

    .venv/bin/python bench/bench_draw.py [--households 1000000] [--repeat 5] [--frame FILE]

Builds the frame in memory with ``bench/make_frame.py``'s generator (or reads FILE), then
times the issue's two-stage design and a one-stage stratified design. The baseline, measured
in the same run, is ``numpy.argsort`` of as many uniform doubles as there are households:
the least a draw that orders every household by a uniform must do. Frame loading (parse,
checks, hash, canonical id order) is reported separately: it happens once, at import.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.make_frame import make_rows, write_frame
from sampling.designs import parse_design
from sampling.frames import read_frame
from sampling.rng import new_seed
from sampling.selection import draw

TWO_STAGE = {
    "type": "two-stage",
    "villages": {"poor": 20, "non_poor": 10},
    "households_per_village": {"exited": 10, "not_exited": 2, "non_registered": 10},
    "reserves_per_household": 2,
    "screening": True,
}
ONE_STAGE = {
    "type": "stratified-srs",
    "strata": ["village_type", "status"],
    "allocation": "proportional",
    "n": 1500,
    "reserves_per_household": 1,
}


def _best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _frame(households: int, path: Path | None):
    if path is not None:
        return read_frame(path).frame
    header, columns = make_rows(households, english=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frame.csv"
        write_frame(path, header, columns)
        result = read_frame(path)
    if not result.ok:
        raise SystemExit("synthetic frame failed its checks")
    return result.frame


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--frame", type=Path)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    frame = _frame(args.households, args.frame)
    print(f"frame: {len(frame):,} households, {len(frame.villages):,} villages, "
          f"checked and hashed in {time.perf_counter() - start:.2f} s")  # fmt: skip
    uniforms = np.random.default_rng(0).random(len(frame))
    baseline = _best(lambda: np.argsort(uniforms), args.repeat)
    print(f"baseline argsort of {len(frame):,} doubles: {baseline * 1000:.1f} ms")
    seed = new_seed()
    for name, spec in (("two-stage", TWO_STAGE), ("stratified-srs", ONE_STAGE)):
        design = parse_design(spec)
        seconds = _best(lambda d=design: draw(frame, d, seed), args.repeat)
        rows = len(draw(frame, design, seed).households)
        print(f"{name:15s} draw: {seconds * 1000:8.1f} ms  ({seconds / baseline:5.1f} x baseline,"
              f" {rows:,} plan rows)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
