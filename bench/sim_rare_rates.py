"""Do the intervals of 错退率 and 漏评率 hold their level when the rates are rare?

A seeded simulation of a realistic county, through the production code
(:func:`assessment.indicators.county.rates` and, with non-contact, the weighting-class
adjustment of :func:`assessment.indicators.nonresponse.weighting_class_adjustment`):

- 200 villages in two strata (120 poor, 80 non-poor); 20 poor and 10 non-poor villages drawn by
  stratified SRS (the 2:1 split of the national rounds, about 30 villages a county);
- in each drawn village, an SRS of 20 exited households (all of them when fewer) and 15
  non-registered households; persons are clustered in households (1 + Poisson(2.3)) and the
  whole household counts (错退 and 漏评 are household findings counted in persons);
- village rates vary (beta with concentration 15, an intra-village correlation of about 6 %);
- non-contact: each drawn household is out of contact with probability 10 %, at random; the
  respondents of its cell (village × status) carry its weight, as main's adjustment does.

For each true rate (0.5, 1, 2, 3 %), with and without non-contact, it reports the relative bias
of the estimate, the two-sided 95 % coverage and how often the truth lies above the one-sided
95 % upper bound. The population is drawn once per setting; the samples are repeated.

Run (about a minute on the 2-core machine)::

    .venv/bin/python bench/sim_rare_rates.py [--replicates 1000] [--seed 2026]

The figures and the command are in docs/estimation.md; tests/assessment/test_rare_rate_intervals.py
runs a smaller version.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from assessment import estimation as est
from assessment.estimation import intervals
from assessment.indicators.county import rates
from assessment.indicators.model import HouseholdSample
from assessment.indicators.nonresponse import weighting_class_adjustment

RATES = (0.005, 0.01, 0.02, 0.03)
INDICATORS = ("wrongful_exit_rate", "missed_rate")


@dataclass(frozen=True)
class Population:
    """Households of a synthetic county, one row each (flat arrays)."""

    village: np.ndarray  # village index 0..V-1
    stratum: np.ndarray  # "poor" / "non_poor" per village (length V)
    status: np.ndarray  # "exited" / "non_registered" per household
    persons: np.ndarray
    flag: np.ndarray  # wrongly exited (exited) or missed (non-registered)
    truth: dict
    recognises: np.ndarray | None = None  # per household, when a recognition rate is given


def make_population(
    rng: np.random.Generator,
    wrongful_rate: float,
    missed_rate: float,
    *,
    villages=(("poor", 120), ("non_poor", 80)),
    concentration: float = 15.0,
    recognition: float | None = None,
    exact: bool = False,
) -> Population:
    """A county whose true person-level rates are near the given ones.

    ``recognition``: households recognising, with village rates that differ (concentration 30).
    ``exact``: flags are then added or removed at random until each true rate is the given
    one to within one household (for the verdict table near the thresholds).
    """
    strata, village, status, persons, flag, rec = [], [], [], [], [], []
    v = 0
    for name, count in villages:
        for _ in range(count):
            exited = int(rng.integers(30, 121) if name == "poor" else rng.integers(5, 41))
            non_registered = int(rng.integers(100, 301))
            rate_w = rng.beta(wrongful_rate * concentration, (1 - wrongful_rate) * concentration)
            rate_m = rng.beta(missed_rate * concentration, (1 - missed_rate) * concentration)
            rate_r = rng.beta(recognition * 30, (1 - recognition) * 30) if recognition else 1.0
            for kind, size, rate in (
                ("exited", exited, rate_w),
                ("non_registered", non_registered, rate_m),
            ):
                village.append(np.full(size, v))
                status.append(np.full(size, kind))
                persons.append(1.0 + rng.poisson(2.3, size))
                flag.append(rng.random(size) < rate)
                rec.append(rng.random(size) < rate_r)
            strata.append(name)
            v += 1
    population = Population(
        np.concatenate(village),
        np.array(strata),
        np.concatenate(status),
        np.concatenate(persons),
        np.concatenate(flag),
        {},
        np.concatenate(rec) if recognition else None,
    )
    targets = {"wrongful_exit_rate": wrongful_rate, "missed_rate": missed_rate}
    for indicator, kind in zip(INDICATORS, ("exited", "non_registered"), strict=True):
        rows = population.status == kind
        if exact:
            _calibrate(rng, population.flag, population.persons, rows, targets[indicator])
        value = np.sum(population.persons[rows] * population.flag[rows])
        population.truth[indicator] = float(value / np.sum(population.persons[rows]))
    if recognition:
        if exact:
            everyone = np.ones(population.flag.size, bool)
            _calibrate(rng, population.recognises, np.ones(everyone.size), everyone, recognition)
        population.truth["recognition_rate"] = float(np.mean(population.recognises))
    return population


def _calibrate(rng, flag, weight, rows, target) -> None:
    """Flip flags of ``rows`` at random, in place, until Σweight·flag / Σweight is ``target``."""
    total = np.sum(weight[rows])
    gap = target * total - np.sum(weight[rows & flag])
    candidates = np.flatnonzero(rows & (~flag if gap > 0 else flag))
    order = rng.permutation(candidates)
    reached = np.searchsorted(np.cumsum(weight[order]), abs(gap))
    flag[order[:reached]] = gap > 0


def draw(
    rng: np.random.Generator,
    population: Population,
    *,
    noncontact: float = 0.0,
    villages_drawn=(("poor", 20), ("non_poor", 10)),
    households=(("exited", 20), ("non_registered", 15)),
) -> HouseholdSample:
    """One sample of the county as the indicators core receives it (respondents only)."""
    names = ("village", "stratum", "status", "persons", "flag", "rec", "w", "wv", "nr")
    columns = {k: [] for k in names}
    for name, count in villages_drawn:
        members = np.flatnonzero(population.stratum == name)
        village_weight = members.size / count
        for v in rng.choice(members, count, replace=False):
            in_village = population.village == v
            nr_persons = np.sum(
                population.persons[in_village & (population.status == "non_registered")]
            )
            for kind, wanted in households:
                rows = np.flatnonzero(in_village & (population.status == kind))
                take = rng.choice(rows, min(wanted, rows.size), replace=False)
                columns["village"].append(np.full(take.size, v))
                columns["stratum"].append(np.full(take.size, name))
                columns["status"].append(np.full(take.size, kind))
                columns["persons"].append(population.persons[take])
                columns["flag"].append(population.flag[take])
                recognises = population.recognises
                columns["rec"].append(
                    recognises[take] if recognises is not None else np.ones(take.size, bool)
                )
                columns["w"].append(np.full(take.size, village_weight * rows.size / take.size))
                columns["wv"].append(np.full(take.size, village_weight))
                columns["nr"].append(np.full(take.size, nr_persons))
    c = {k: np.concatenate(v) for k, v in columns.items()}
    weight = c["w"]
    if noncontact > 0:
        responded = rng.random(weight.size) >= noncontact
        adjusted = weighting_class_adjustment(
            weight, c["stratum"], c["village"], c["status"], responded
        )
        keep = responded
        weight = adjusted.weights
    else:
        keep = np.ones(weight.size, bool)
    n = int(keep.sum())
    exited = c["status"] == "exited"
    return HouseholdSample(
        village=c["village"][keep],
        stratum=c["stratum"][keep],
        weight=weight[keep],
        status=c["status"][keep],
        persons=c["persons"][keep],
        wrongly_exited=(c["flag"] & exited)[keep],
        missed_persons=np.where(~exited & c["flag"], c["persons"], 0.0)[keep],
        recognises=c["rec"][keep].astype(float),
        random_village=np.ones(n, bool),
        township=np.full(n, "t"),
        household_type=np.full(n, "general"),
        village_weight=c["wv"][keep],
        village_non_registered=c["nr"][keep],
    )


def one_run(rng, population, noncontact) -> dict:
    """``{indicator: Estimate or None}`` of one sample."""
    found = rates(draw(rng, population, noncontact=noncontact))
    return {k: found[k] for k in INDICATORS}


def bounds(e: est.Estimate, method: str | None = None) -> tuple[float, float, float]:
    """``(low, high, upper)``: the two-sided 95 % interval and the one-sided 95 % upper bound,
    by the estimate's own method (the production choice) or by ``method``."""
    if method is None or e.method == "wald-t":
        return e.ci_low, e.ci_high, est.one_sided_bound(e, "upper", 0.95)
    args = {"n": e.n, "df": e.df, "n_kish": e.n_kish, "df_eff": e.df_eff}
    low, high = intervals.interval(method, e.estimate, e.se, level=0.95, **args)
    return low, high, intervals.bound(method, e.estimate, e.se, q=0.95, side="upper", **args)


def summarise(estimates, truth: float, method: str | None = None) -> dict:
    """Relative bias, two-sided coverage and one-sided exceedance over replicates."""
    values, covered, exceeded = [], [], []
    for e in estimates:
        if e is None:
            continue
        low, high, upper = bounds(e, method)
        values.append(e.estimate)
        covered.append(low <= truth <= high)
        exceeded.append(truth > upper)
    return {
        "replicates": len(values),
        "bias": float(np.mean(values) / truth - 1),
        "coverage": float(np.mean(covered)),
        "exceedance": float(np.mean(exceeded)),
    }


METHODS = {"production": None, "korn-graubard (R, before)": "korn-graubard"}


def table(replicates: int, seed: int, settings=None, noncontact=(0.0, 0.10)) -> list[dict]:
    """One row per (rate, non-contact, indicator, interval method)."""
    rows = []
    for i, rate in enumerate(settings or RATES):
        population = make_population(np.random.default_rng([seed, i]), rate, rate)
        for share in noncontact:
            rng = np.random.default_rng([seed, i, int(share * 100)])
            runs = [one_run(rng, population, share) for _ in range(replicates)]
            for indicator in INDICATORS:
                truth = population.truth[indicator]
                for label, method in METHODS.items():
                    summary = summarise([r[indicator] for r in runs], truth, method)
                    rows.append(
                        {
                            "indicator": indicator,
                            "method": label,
                            "rate": rate,
                            "truth": truth,
                            "noncontact": share,
                            **summary,
                        }
                    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(
        "| indicator | interval | true rate | non-contact | bias | 2-sided 95 % coverage "
        "| 95 % upper bound exceeded |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in table(args.replicates, args.seed):
        print(
            f"| {row['indicator']} | {row['method']} | {row['truth']:.2%} | "
            f"{row['noncontact']:.0%} | {row['bias']:+.1%} | {row['coverage']:.3f} | "
            f"{row['exceedance']:.3f} |"
        )


if __name__ == "__main__":
    main()
