"""Benchmark of the estimation core and the county indicators, with samplics in the same run.

Run from the project root::

    .venv/bin/python bench/bench_estimation.py

samplics (archived; it pulls polars and pyarrow) is kept out of the project's venv. To compare
with it, create its own venv once; the benchmark then times it in a subprocess on the same
data (same seed, same numpy)::

    python3.11 -m venv bench/.venv-samplics && bench/.venv-samplics/bin/pip install samplics

Figures are the best of ``REPEAT`` runs, in seconds.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment import estimation as est
from assessment import indicators as ind

REPEAT = 5
SAMPLICS_PYTHON = Path(__file__).resolve().parent / ".venv-samplics" / "bin" / "python"

DATA_CODE = """
import numpy as np
rng = np.random.default_rng(1)
n = 100_000
strata = np.repeat(np.arange(50), 2_000)
psu = np.repeat(np.arange(1_000), 100)
weights = rng.uniform(1, 3, n)
y = rng.normal(size=n)
x = rng.uniform(1, 5, n)
hh = np.random.default_rng(2)
county_village = np.repeat(np.arange(40), 50)
county_stratum = county_village % 2
county_weight = hh.uniform(20, 60, 2_000)
county_persons = hh.integers(1, 7, 2_000).astype(float)
county_status = np.where(hh.random(2_000) < 0.5, "exited", "non_registered")
county_flag = hh.random(2_000) < 0.02
county_recognises = (hh.random(2_000) < 0.95).astype(float)
"""

SAMPLICS_CODE = (
    DATA_CODE
    + """
import time, warnings
warnings.simplefilter("ignore")
from samplics.estimation import TaylorEstimator
from samplics.utils.types import PopParam

def best(function):
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter(); function(); times.append(time.perf_counter() - start)
    return min(times)

def general():
    TaylorEstimator(param=PopParam.mean).estimate(y=y, samp_weight=weights, stratum=strata, psu=psu)
    TaylorEstimator(param=PopParam.ratio).estimate(
        y=y, x=x, samp_weight=weights, stratum=strata, psu=psu)

def county():
    exited = county_status == "exited"
    for numerator, denominator, domain in (
        (county_persons * county_flag, county_persons, exited),
        (county_persons * county_flag, county_persons, ~exited),
        (county_recognises, np.ones(2_000), np.ones(2_000, bool)),
    ):
        TaylorEstimator(param=PopParam.ratio).estimate(
            y=numerator, x=denominator, samp_weight=county_weight, stratum=county_stratum,
            psu=county_village, domain=domain.astype(int))

print(best(general), best(county))
"""
)


def _best(function) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _ours(data: dict) -> tuple[float, float, float]:
    def general():
        design = est.make_design(data["weights"], strata=data["strata"], clusters=[data["psu"]])
        est.mean(design, data["y"])
        est.ratio(design, data["y"], data["x"])

    n = data["county_village"].size
    sample = ind.HouseholdSample(
        village=data["county_village"],
        stratum=data["county_stratum"],
        weight=data["county_weight"],
        status=data["county_status"],
        persons=data["county_persons"],
        wrongly_exited=data["county_flag"],
        missed_persons=data["county_persons"] * data["county_flag"],
        recognises=data["county_recognises"],
        random_village=np.ones(n, bool),
        township=data["county_village"] // 10,
        household_type=data["county_village"] % 3,
    )
    scheme = ind.Scheme(0.02, 0.02, 0.02, 0.90)
    county = ind.CountyTotals(1_000, 40_000, 200_000, 300_000)
    full = _best(lambda: ind.estimate_county(sample, county, scheme))
    return _best(general), full, _best(lambda: ind.rates(sample))


def _samplics() -> tuple[float, float] | None:
    if not SAMPLICS_PYTHON.exists():
        return None
    code = f"REPEAT = {REPEAT}\n" + SAMPLICS_CODE
    done = subprocess.run(
        [str(SAMPLICS_PYTHON), "-c", code], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print("samplics failed:", done.stderr.strip().splitlines()[-1:], file=sys.stderr)
        return None
    general, county = (float(v) for v in done.stdout.split())
    return general, county


def main() -> int:
    data: dict = {}
    exec(DATA_CODE, data)  # noqa: S102  (our own constant code, shared with the samplics run)
    general, full, county = _ours(data)
    print("100,000 rows, 50 strata, 1,000 PSUs (mean + ratio, design built each time):")
    print(f"  exit-assessment {general:.3f} s")
    print("county of 2,000 interviews:")
    print(f"  exit-assessment estimate_county (4 indicators, verdicts, breakdowns) {full:.3f} s")
    print(f"  exit-assessment rates (the 3 sampled ratios) {county:.3f} s")
    reference = _samplics()
    if reference is None:
        print("samplics: not available (see the module docstring to install it)")
        return 0
    print(
        f"  samplics 100k: {reference[0]:.3f} s  ratio samplics/ours {reference[0] / general:.1f}x"
    )
    print(
        f"  samplics county (3 ratios): {reference[1]:.3f} s  "
        f"ratio samplics/ours {reference[1] / county:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
