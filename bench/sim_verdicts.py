"""How often does each verdict come out when the truth is near a threshold?

The county of ``bench/sim_population.py`` (30 villages drawn of 200, about 540 exited and 450
sampled non-registered households plus the screening households), with the true 错退率 set
to 1.5, 2.0 and 2.5 % (threshold 2 %, ``<=`` passes) and the true 群众认可度 to 89, 90 and
91 % (threshold 90 %, ``>=`` passes), each to within one household. Every replicate draws a
sample with 10 % non-contact at random (reserves released, the weighting-class adjustment)
or none, estimates through the production code and judges with
:func:`assessment.indicators.verdicts.judge` (scheme confidence 95 %).

Reported per setting: P(official 符合) — the scheme's rule, point estimate against the
threshold — and the confidence statement: P(meets with 95 %), P(不确定), P(fails with 95 %).

Run (a few minutes on the 2-core machine)::

    .venv/bin/python bench/sim_verdicts.py [--replicates 1000] [--seed 2026] [--concentration 15]

``--concentration C``: the beta concentration of the village rates of 错退 (and 漏评),
intra-village correlation ``1 / (1 + C)`` (default 15: 0.0625); the production ρ stays 0.10.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment.indicators.county import rates
from assessment.indicators.model import Confidence, Official, Scheme
from assessment.indicators.verdicts import judge
from bench.sim_population import draw, make_population

SCHEME = Scheme(
    poverty_incidence_max=0.02, wrongful_exit_max=0.02, missed_max=0.02, recognition_min=0.90
)
# (true 错退率, true 群众认可度): each pair shares one simulated county
SETTINGS = ((0.015, 0.89), (0.020, 0.90), (0.025, 0.91))


def verdict_table(
    replicates: int, seed: int, noncontact=(0.0, 0.10), concentration: float = 15.0
) -> list[dict]:
    """One row per (indicator, true value, non-contact) with the verdict probabilities
    (``concentration``: of the village rates, intra-village correlation ``1 / (1 + C)``)."""
    rows = []
    for i, (wrongful, recognition) in enumerate(SETTINGS):
        population = make_population(
            np.random.default_rng([seed, 7, i]), wrongful, 0.01, recognition=recognition,
            exact=True, concentration=concentration,
        )  # fmt: skip
        for share in noncontact:
            rng = np.random.default_rng([seed, 7, i, int(share * 100)])
            counts = {k: {"n": 0, "official": 0, "meets": 0, "fails": 0, "inconclusive": 0}
                      for k in ("wrongful_exit_rate", "recognition_rate")}  # fmt: skip
            for _ in range(replicates):
                found = rates(draw(rng, population, noncontact=share))
                for indicator, tally in counts.items():
                    result = judge(indicator, found[indicator], SCHEME)
                    tally["n"] += 1
                    tally["official"] += result.official == Official.MEETS
                    tally["meets"] += result.confidence == Confidence.MEETS
                    tally["fails"] += result.confidence == Confidence.FAILS
                    tally["inconclusive"] += result.confidence == Confidence.INCONCLUSIVE
            for indicator, tally in counts.items():
                n = tally.pop("n")
                rows.append(
                    {
                        "indicator": indicator,
                        "truth": population.truth[indicator],
                        "noncontact": share,
                        **{k: v / n for k, v in tally.items()},
                    }
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--concentration",
        type=float,
        default=15.0,
        help="beta concentration C of the village rates; intra-village correlation 1/(1+C)",
    )
    args = parser.parse_args()
    if args.concentration <= 0:
        parser.error(f"--concentration must be positive, got {args.concentration}")
    print(
        "| indicator | true value | non-contact | P(official 符合) | P(meets, 95 %) "
        "| P(不确定) | P(fails, 95 %) |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in verdict_table(args.replicates, args.seed, concentration=args.concentration):
        print(
            f"| {row['indicator']} | {row['truth']:.2%} | {row['noncontact']:.0%} | "
            f"{row['official']:.3f} | {row['meets']:.3f} | {row['inconclusive']:.3f} | "
            f"{row['fails']:.3f} |"
        )


if __name__ == "__main__":
    main()
