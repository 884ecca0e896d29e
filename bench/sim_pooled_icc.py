"""How far does the pooled ρ stray from the population's, and do its upper limits cover it?

The spread of the 错退 ρ pooled from twenty counties (``bench/sim_population.py``
``other_counties_terms``, no non-contact) over many independent pools of one superpopulation,
against the population's ICC ``1 / (1 + C)``; for each pool the one-sided upper limits that
``bench/sim_rare_rates.py --rho-upper`` measures (Searle's F-based limit and the percentile
bootstrap over counties, 400 resamples here) and how often each falls below the population's
ICC (a 90 % upper limit should do so about 10 % of the time). A diagnostic for
docs/estimation.md, "A guard on the pooled ρ"; not production.

Run (about 2 minutes for 100 pools)::

    .venv/bin/python bench/sim_pooled_icc.py --concentration 4 --pools 100
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment.indicators.icc import pooled_icc
from bench.sim_population import other_counties_terms
from bench.sim_rare_rates import RATES, icc_upper_bootstrap, icc_upper_limit

LEVELS = (0.60, 0.75, 0.90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concentration", type=float, default=4.0)
    parser.add_argument("--pools", type=int, default=100)
    parser.add_argument("--seed", type=int, default=4242)
    args = parser.parse_args()
    boot = np.random.default_rng(7)
    found = []
    for j in range(args.pools):
        terms, _ = other_counties_terms([args.seed, j], RATES, 20, 0.0, args.concentration)
        wrongful = terms["wrongful_exit_rate"]
        found.append(
            [pooled_icc(wrongful).value]
            + [icc_upper_limit(wrongful, c) for c in LEVELS]
            + [icc_upper_bootstrap(wrongful, c, boot, resamples=400) for c in LEVELS]
        )
    table = np.array(found)
    truth = 1 / (1 + args.concentration)
    point = table[:, 0]
    print(
        f"C = {args.concentration:g}, {args.pools} pools of 20 counties, population ICC "
        f"{truth:.3f}: pooled ρ mean {point.mean():.3f}, SD {point.std(ddof=1):.3f}, "
        f"min {point.min():.3f}, 10 % {np.quantile(point, 0.1):.3f}, "
        f"median {np.median(point):.3f}, max {point.max():.3f}"
    )
    print("| ρ | median over pools | below the population's ICC |\n|---|---|---|")
    names = ["pooled"] + [f"Searle {c:.0%}" for c in LEVELS]
    names += [f"bootstrap {c:.0%}" for c in LEVELS]
    for k, name in enumerate(names):
        column = table[:, k]
        print(f"| {name} | {np.median(column):.3f} | {np.mean(column < truth):.0%} |")


if __name__ == "__main__":
    main()
