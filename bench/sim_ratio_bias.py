"""Is the small-county bias of the rare rates the ratio estimator's own?

``bench/sim_rare_rates.py`` measured a relative bias of up to +12 % (2.7 Monte Carlo SE) for
错退率 in counties that sample four to six villages a stratum, and a handful of cells beyond
two MC SE, all positive (docs/estimation.md, "Few villages at stronger clustering"). A ratio
of two estimated totals is biased by O(1/n) in the number of sampled villages; in a fixed
population its first-order (Taylor) bias is known exactly from the population:

    E[Ŷ/X̂] − R ≈ (1/X²) Σ_h N_h² (1 − f_h)/n_h · (R S²_x,h − S_xy,h)        (stage 1)
               + (1/X²) Σ_h (N_h/n_h) Σ_v M_v² (1 − m_v/M_v)/m_v · (R s²_x,v − s_xy,v)
                                                                           (stage 2)

with village totals ``x, y`` (persons; persons found wrongly exited or missed) in stratum
``h`` (``N_h`` villages, ``n_h`` drawn, SRS), and within village ``v`` the ``M_v`` households
of the status of which ``m_v`` are drawn (Cochran 1977, §6.8 and §11.8). For 漏评率 the
denominator is the drawn villages' known non-registered population, so only stage 1 applies.

For each setting this prints that prediction beside the bias measured on the samples of
``bench/sim_rare_rates.py`` (same populations and samples: same seeds, ``one_run``), over the
first 5,000 samples (the docs' tables) and over all ``--replicates``::

    .venv/bin/python bench/sim_ratio_bias.py --concentration 2 --villages 6 4 \\
        --settings 1 2 3 --replicates 20000 [--jobs 2] [--flagged-slot reserve]

The point estimate does not depend on ρ, so no pool is drawn (the intervals are not judged
here). ``--flagged-slot reserve`` measures the treatment before 7 December 2026 of a
screening-flagged household the SRS selected and that is out of contact
(``sim_population.draw``); the default, ``census``, is production's.

Tests: ``tests/assessment/test_ratio_bias.py`` (the prediction against the exact expectation
by enumeration of every sample of a small population).
"""

from __future__ import annotations

import argparse
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment.indicators.county import rates
from bench.sim_population import HOUSEHOLDS, INDICATORS, KINDS, draw, make_population
from bench.sim_rare_rates import CONCENTRATION, NONCONTACT, RATES, villages_drawn

FIRST = 5000  # the replicates of docs/estimation.md's tables


def village_totals(population, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Per village, the persons of status ``kind`` and those of them flagged (``x``, ``y``)."""
    x, y = [], []
    for cell in population.cells:
        rows = cell[kind]
        x.append(float(np.sum(population.persons[rows])))
        y.append(float(np.sum(population.persons[rows] * population.flag[rows])))
    return np.array(x), np.array(y)


def _stage1(x, y, stratum, drawn, ratio) -> float:
    total = 0.0
    for name, n in drawn:
        members = stratum == name
        big_n = int(members.sum())
        if n >= big_n:
            continue
        xs, ys = x[members], y[members]
        covariance = float(np.cov(xs, ys, ddof=1)[0, 1])
        total += big_n**2 * (1 - n / big_n) / n * (ratio * float(np.var(xs, ddof=1)) - covariance)
    return total


def _stage2(population, kind: str, drawn, ratio, households: int) -> float:
    total = 0.0
    for name, n in drawn:
        members = np.flatnonzero(population.stratum == name)
        big_n = members.size
        for v in members:
            rows = population.cells[v][kind]
            size = rows.size
            m = min(households, size)
            if m >= size or size < 2:
                continue
            xs = population.persons[rows]
            ys = xs * population.flag[rows]
            covariance = float(np.cov(xs, ys, ddof=1)[0, 1])
            term = size**2 * (1 - m / size) / m * (ratio * float(np.var(xs, ddof=1)) - covariance)
            total += big_n / min(n, big_n) * term
    return total


def predicted_bias(population, indicator: str, drawn, households=HOUSEHOLDS) -> float:
    """First-order relative bias ``(E[R̂] − R) / R`` of the indicator's ratio for samples of
    ``drawn`` villages a stratum (``((stratum, n), ...)``) and ``households`` a village."""
    kind = dict(zip(INDICATORS, KINDS, strict=True))[indicator]
    x, y = village_totals(population, kind)
    ratio = y.sum() / x.sum()
    bias = _stage1(x, y, population.stratum, drawn, ratio)
    if indicator == "wrongful_exit_rate":  # 漏评's denominator is known per drawn village
        bias += _stage2(population, kind, drawn, ratio, dict(households)[kind])
    return bias / x.sum() ** 2 / ratio


def _setting(args) -> list[dict]:
    i, rate, share, seed, concentration, replicates, drawn, flagged_slot = args
    population = make_population(
        np.random.default_rng([seed, i]), rate, rate, concentration=concentration
    )
    rng = np.random.default_rng([seed, i, int(share * 100)])
    values = {indicator: [] for indicator in INDICATORS}
    for _ in range(replicates):
        sample = draw(
            rng, population, noncontact=share, villages_drawn=drawn, flagged_slot=flagged_slot
        )
        found = rates(sample)  # sim_rare_rates.one_run's draw and estimates (ρ aside)
        for indicator in INDICATORS:
            values[indicator].append(found[indicator].estimate)
    rows = []
    for indicator in INDICATORS:
        truth = population.truth[indicator]
        measured = {}
        for label, v in (("first", values[indicator][:FIRST]), ("all", values[indicator])):
            v = np.asarray(v)
            measured[label] = (
                float(v.mean() / truth - 1),
                float(v.std(ddof=1) / math.sqrt(v.size) / truth),
            )
        rows.append(
            {
                "indicator": indicator,
                "truth": truth,
                "noncontact": share,
                "predicted": predicted_bias(population, indicator, drawn),
                "predicted_standard": predicted_bias(population, indicator, villages_drawn(None)),
                **measured,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--concentration", type=float, default=CONCENTRATION)
    parser.add_argument("--villages", type=int, nargs=2, metavar=("POOR", "NONPOOR"))
    parser.add_argument(
        "--settings",
        type=int,
        nargs="+",
        default=tuple(range(len(RATES))),
        help="indices into sim_rare_rates's rates (0.005 0.01 0.02 0.03)",
    )
    parser.add_argument(
        "--flagged-slot",
        choices=("census", "reserve"),
        default="census",
        help="a flagged household the SRS selected and out of contact: the household a "
        "census non-respondent and its reserve counting no missed person ('census', "
        "production since 7 December 2026) or its reserve counting its missed persons "
        "('reserve', before): sim_population.draw",
    )
    args = parser.parse_args()
    drawn = villages_drawn(args.villages)
    tasks = [
        (
            i,
            RATES[i],
            share,
            args.seed,
            args.concentration,
            args.replicates,
            drawn,
            args.flagged_slot,
        )
        for i in args.settings
        for share in NONCONTACT
    ]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = [row for rows in pool.map(_setting, tasks) for row in rows]
    villages = " + ".join(str(n) for _, n in drawn)
    print(
        f"| indicator | true rate | non-contact | predicted ({villages}) | "
        f"measured, first {FIRST:,} (MC SE) | measured, all {args.replicates:,} (MC SE) | "
        "predicted (20 + 10) |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in sorted(results, key=lambda r: (r["indicator"], r["truth"], r["noncontact"])):
        first, every = r["first"], r["all"]
        print(
            f"| {'错退率' if r['indicator'] == 'wrongful_exit_rate' else '漏评率'} "
            f"| {r['truth']:.2%} | {r['noncontact']:.0%} | {r['predicted']:+.1%} "
            f"| {first[0]:+.1%} ({first[1]:.1%}) | {every[0]:+.1%} ({every[1]:.1%}) "
            f"| {r['predicted_standard']:+.1%} |"
        )


if __name__ == "__main__":
    main()
