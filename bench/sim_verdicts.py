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

``--pools P`` judges 错退率 with the ρ a round records when it pools (``assess pool-icc``)
instead of the planning 0.10: P independent pools a setting (truth × non-contact), each ρ
pooled from one sample of each of twenty other counties of the same superpopulation (as
clustered as the county, their rates cycling through 0.5, 1, 2, 3 %, the same non-contact),
drawn by ``bench/sim_rare_rates.py``'s :func:`pool_judges` (pool ``j`` of setting ``i`` seeded
``[seed, 7000 + i, non-contact, j]``, ``j`` left out for pool 0; never from the samples'
generator). Replicate ``r`` is judged with pool ``r mod P``. The samples are those of the run
without ``--pools`` (same seeds, for every P): only ρ, and so the confidence statements of
错退率, change. Each probability then carries its Monte Carlo standard error over pools
(cluster-robust, :func:`clustered_share_se`) and the 错退率 rows the ρ used, mean over the
pools (min–max) (docs/estimation.md, "With the round's pooled ρ, over pools"). Without
``--pools`` the rows are those of the planning ρ = 0.10, exactly as before. Tests:
``tests/assessment/test_verdict_pools.py``.

``--fails-bounds`` adds a table for 错退率: how often "fails with 95 %" would be said, on the
same samples, if it rested on each candidate lower bound of :data:`FAILS_BOUNDS` instead of
the verdict's own (docs/estimation.md, "Which 'fails' bound: the verdicts (measured)"); the
main table does not change. Tests: ``tests/assessment/test_verdict_fails_bounds.py``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment import estimation as est
from assessment.indicators import verdicts
from assessment.indicators.county import rates
from assessment.indicators.model import Confidence, Official, Scheme
from assessment.indicators.verdicts import judge
from bench.sim_population import draw, make_population
from bench.sim_rare_rates import _candidate_lower, _over_pools, clustered_share_se, pool_judges

SCHEME = Scheme(
    poverty_incidence_max=0.02, wrongful_exit_max=0.02, missed_max=0.02, recognition_min=0.90
)
# (true 错退率, true 群众认可度): each pair shares one simulated county
SETTINGS = ((0.015, 0.89), (0.020, 0.90), (0.025, 0.91))
JUDGED = ("wrongful_exit_rate", "recognition_rate")
OUTCOMES = ("official", "meets", "fails", "inconclusive")
POOL_BASE = 7000  # the pools' seeds: [seed, 7000 + i, non-contact, j] (see pool_seed)
# Candidate "fails" bounds of 错退率 (``--fails-bounds``), each on the production estimate:
# "fails" when the bound lies above the threshold. ``production`` is the verdict's own bound.
# ``one-sided-95`` is the bound production used before 7 December 2026.
FAILS_BOUNDS = ("production", "one-sided-95", "clopper-pearson", "fay-feuer")


def fails_bound(estimate, name: str) -> float:
    """The lower bound a "fails with 95 %" statement would rest on: ``production`` the
    verdict's (:func:`assessment.indicators.verdicts.fails_bound`, since 7 December 2026 the
    two-sided 95 % interval's lower end: "fails" when the whole interval lies above the
    threshold), ``one-sided-95`` the one-sided 95 % lower bound of the same family (the
    verdict's before), ``clopper-pearson`` and ``fay-feuer`` the exact candidates' 95 % lower
    bounds on the model effective size (``bench.sim_rare_rates._candidate_lower``)."""
    if name == "production":
        return verdicts.fails_bound(estimate, "<=", 0.95)
    if name == "one-sided-95":
        return est.one_sided_bound(estimate, "lower", 0.95)
    return _candidate_lower(estimate, name)


def _fails_flags(estimate, threshold: float) -> dict:
    """``{"fails_<name>": bool}`` for every candidate bound (False without an estimate or a
    finite bound)."""
    flags = {}
    for name in FAILS_BOUNDS:
        value = math.nan if estimate is None else fails_bound(estimate, name)
        flags[f"fails_{name}"] = bool(math.isfinite(value) and value > threshold)
    return flags


def setting_pools(
    seed: int, i: int, share: float, pools: int, concentration: float = 15.0
) -> list[dict]:
    """``{indicator: ρ}`` of setting ``i``'s ``pools`` independent pools at non-contact
    ``share``: each pooled from twenty other counties of the superpopulation, as clustered as
    ``concentration`` says (:func:`bench.sim_rare_rates.pool_judges`, no floor)."""
    judges = pool_judges(seed, i, share, pools, concentration=concentration, base=POOL_BASE)
    return [icc for icc, _ in judges]


def _outcomes(result) -> dict:
    return {
        "official": result.official == Official.MEETS,
        "meets": result.confidence == Confidence.MEETS,
        "fails": result.confidence == Confidence.FAILS,
        "inconclusive": result.confidence == Confidence.INCONCLUSIVE,
    }


def judged_runs(
    rng, population, share: float, replicates: int, pools=None, fails_bounds: bool = False
) -> list[dict]:
    """Per replicate, one sample drawn from ``rng`` and judged: ``{indicator: {outcome: bool,
    "estimate": value or None}, "icc": the ρ given (None: production's planning value)}``,
    replicate ``r`` with ``pools[r % len(pools)]`` when ``pools`` is given. The draws do not
    depend on ``pools``: the same ``rng`` gives the same samples."""
    runs = []
    for r in range(replicates):
        icc = None if pools is None else pools[r % len(pools)]
        sample = draw(rng, population, noncontact=share)
        found = rates(sample) if icc is None else rates(sample, icc=icc)
        run = {"icc": icc}
        for indicator in JUDGED:
            estimate = found[indicator]
            run[indicator] = {
                **_outcomes(judge(indicator, estimate, SCHEME)),
                "estimate": None if estimate is None else estimate.estimate,
            }
            if fails_bounds and indicator == "wrongful_exit_rate":
                run[indicator].update(_fails_flags(estimate, SCHEME.wrongful_exit_max))
        runs.append(run)
    return runs


def _rows(runs: list[dict], population, share: float, pools=None) -> list[dict]:
    """One row per judged indicator: the share of each outcome and, with ``pools``, its Monte
    Carlo SE over pools and (错退率) the ρ used, mean over the pools (min–max)."""
    clusters = None if pools is None else [r % len(pools) for r in range(len(runs))]
    rows = []
    for indicator in JUDGED:
        row = {
            "indicator": indicator,
            "truth": population.truth[indicator],
            "noncontact": share,
        }
        outcomes = OUTCOMES + tuple(  # the --fails-bounds flags, when the runs carry them
            f"fails_{name}" for name in FAILS_BOUNDS if f"fails_{name}" in runs[0][indicator]
        )
        for outcome in outcomes:
            flags = [run[indicator][outcome] for run in runs]
            row[outcome] = sum(flags) / len(flags)
            if pools is not None:
                row[f"{outcome}_se"] = clustered_share_se(flags, clusters)
        if pools is not None:
            rhos = [pool.get(indicator) for pool in pools]
            used = {"icc": None} if None in rhos else _over_pools(rhos, len(pools))
            row.update(pools=len(pools), **used)
        rows.append(row)
    return rows


def verdict_table(
    replicates: int,
    seed: int,
    noncontact=(0.0, 0.10),
    concentration: float = 15.0,
    pools: int | None = None,
    fails_bounds: bool = False,
) -> list[dict]:
    """One row per (indicator, true value, non-contact) with the verdict probabilities
    (``concentration``: of the village rates, intra-village correlation ``1 / (1 + C)``;
    ``pools``: judge 错退率 with ρ pooled from that many independent pools of other counties,
    replicate ``r`` with pool ``r mod pools``, instead of the planning ρ = 0.10;
    ``fails_bounds``: 错退率's row also carries ``fails_<name>`` (and its MC SE with pools),
    how often "fails with 95 %" would be said with each of :data:`FAILS_BOUNDS`)."""
    rows = []
    for i, (wrongful, recognition) in enumerate(SETTINGS):
        population = make_population(
            np.random.default_rng([seed, 7, i]), wrongful, 0.01, recognition=recognition,
            exact=True, concentration=concentration,
        )  # fmt: skip
        for share in noncontact:
            rng = np.random.default_rng([seed, 7, i, int(share * 100)])
            drawn = None if pools is None else setting_pools(seed, i, share, pools, concentration)
            runs = judged_runs(rng, population, share, replicates, drawn, fails_bounds)
            rows += _rows(runs, population, share, drawn)
    return rows


def _line(row: dict) -> str:
    """A row of the table; with pools each probability's MC SE and the ρ used."""
    cells = [row["indicator"], f"{row['truth']:.2%}", f"{row['noncontact']:.0%}"]
    for outcome in ("official", "meets", "inconclusive", "fails"):
        se = row.get(f"{outcome}_se")
        cells.append(f"{row[outcome]:.3f}" + ("" if se is None else f" ({se:.3f})"))
    if "pools" in row:
        rho = "—" if row["icc"] is None else f"{row['icc']:.3f}"
        if row.get("icc_range"):
            rho += " ({:.3f}–{:.3f})".format(*row["icc_range"])
        cells.append(rho)
    return "| " + " | ".join(cells) + " |"


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
    parser.add_argument(
        "--pools",
        type=int,
        metavar="P",
        help="judge 错退率 with ρ pooled from other counties (P independent pools a setting, "
        "replicate r with pool r mod P; MC SEs over pools) instead of the planning 0.10",
    )
    parser.add_argument(
        "--fails-bounds",
        action="store_true",
        help='also print, for 错退率, how often "fails with 95 %%" would be said with each '
        "candidate lower bound (" + ", ".join(FAILS_BOUNDS) + ") on the same samples",
    )
    args = parser.parse_args()
    if args.concentration <= 0:
        parser.error(f"--concentration must be positive, got {args.concentration}")
    if args.pools is not None and args.pools < 1:
        parser.error(f"--pools must be at least 1, got {args.pools}")
    if args.pools is None:
        print(
            "| indicator | true value | non-contact | P(official 符合) | P(meets, 95 %) "
            "| P(不确定) | P(fails, 95 %) |"
        )
        print("|---|---|---|---|---|---|---|")
    else:
        print(
            "| indicator | true value | non-contact | P(official 符合) (MC SE) "
            "| P(meets, 95 %) (MC SE) | P(不确定) (MC SE) | P(fails, 95 %) (MC SE) "
            "| ρ used, mean over pools (min–max) |"
        )
        print("|---|---|---|---|---|---|---|---|")
    table = verdict_table(
        args.replicates,
        args.seed,
        concentration=args.concentration,
        pools=args.pools,
        fails_bounds=args.fails_bounds,
    )
    for row in table:
        print(_line(row), flush=True)
    if args.fails_bounds:
        print()
        print(fails_header())
        for row in table:
            if row["indicator"] == "wrongful_exit_rate":
                print(fails_line(row))


def fails_header() -> str:
    """The header of the ``--fails-bounds`` table (and its separator line)."""
    names = " | ".join(f"P(fails, 95 %): {name}" for name in FAILS_BOUNDS)
    return f"| true 错退率 | non-contact | {names} |\n|---|---|" + "---|" * len(FAILS_BOUNDS)


def fails_line(row: dict) -> str:
    """错退率's row of the ``--fails-bounds`` table: P(fails) with each candidate bound, with
    its MC SE over pools when judged with pools."""
    cells = [f"{row['truth']:.2%}", f"{row['noncontact']:.0%}"]
    for name in FAILS_BOUNDS:
        se = row.get(f"fails_{name}_se")
        value = row[f"fails_{name}"]
        cells.append(f"{value:.3f}" + ("" if se is None else f" ({se:.3f})"))
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    main()
