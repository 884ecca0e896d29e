"""A synthetic county and its two-stage samples, shared by the estimation simulations.

``bench/sim_rare_rates.py`` (interval coverage of the rare rates) and ``bench/sim_verdicts.py``
(verdict error rates near the thresholds) both draw from it, and so does the seeded test
``tests/assessment/test_rare_rate_intervals.py``.

The county (:func:`make_population`):

- 200 villages in two strata (120 poor, 80 non-poor); a poor village holds 30-120 exited
  households, a non-poor one 5-40, and each 100-300 non-registered households;
- persons are clustered in households (1 + Poisson(2.3)); 错退 and 漏评 are household findings
  counted in persons (the whole household counts);
- village rates vary (beta with concentration 15: an intra-village correlation of about 6 %);
- screening flags (低保, 危房, illness, no labour, elderly alone) on non-registered households:
  60 % of the missed households carry one, 8 % of the others (the screening targets the
  groups most at risk of 漏评; about 500 screening households a county, as the 2017 national
  round's 20,000 over 40 counties).

One sample (:func:`draw`) follows the project's two-stage design and workflow
(``sampling/two_stage.py``, ``reports/county_estimates.py``,
``reports/county_nonresponse.py``):

- stage 1: 20 poor and 10 non-poor villages by stratified SRS (the 2:1 split of the national
  rounds, about 30 villages a county);
- stage 2, per drawn village: an SRS of 20 exited and 15 non-registered households (all when
  fewer), in a random order that also ranks the reserves (2 per sampled household, drawn from
  the unflagged households not sampled); every flagged non-registered household the SRS did
  not take is a screening household (a census of that group, within-village weight 1);
- non-contact: each household visited is out of contact with the given probability, at
  random; a sampled household out of contact releases the next reserve of its cell, a
  screening household has no reserve; each slot (a sampled or screening household) that ends
  without an interview is non-response, and the respondents of its cell (village × status;
  village for screening) carry its weight by
  :func:`~assessment.indicators.nonresponse.weighting_class_adjustment`;
- 漏评 is counted as the estimator uses it (:func:`reports.county_estimates.screening_adjusted`):
  a screening household's missed persons at its weight, a flagged household drawn by the SRS
  at weight 1 (its persons × the SRS inclusion probability under its SRS weight), over the
  known non-registered population of the drawn villages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assessment.indicators.icc import (
    household_events,
    icc_terms,
    pooled_icc,
    pooled_screening_model,
    screening_group_events,
)
from assessment.indicators.model import HouseholdSample
from assessment.indicators.nonresponse import weighting_class_adjustment
from reports.county_estimates import screening_adjusted

INDICATORS = ("wrongful_exit_rate", "missed_rate")
KINDS = ("exited", "non_registered")
VILLAGES = (("poor", 120), ("non_poor", 80))
VILLAGES_DRAWN = (("poor", 20), ("non_poor", 10))
HOUSEHOLDS = (("exited", 20), ("non_registered", 15))
RESERVES_PER_HOUSEHOLD = 2
FLAGGED_IF_MISSED = 0.60
FLAGGED_OTHERWISE = 0.08


@dataclass(frozen=True)
class Population:
    """Households of a synthetic county, one row each (flat arrays), indexed by village."""

    stratum: np.ndarray  # "poor" / "non_poor" per village (length V)
    status: np.ndarray  # "exited" / "non_registered" per household
    persons: np.ndarray
    flag: np.ndarray  # wrongly exited (exited) or missed (non-registered)
    flagged: np.ndarray  # carries a screening flag (non-registered only)
    recognises: np.ndarray  # per household (all True when no recognition rate is given)
    cells: tuple  # cells[v][kind] = household rows of village v and status kind
    truth: dict


def make_population(
    rng: np.random.Generator,
    wrongful_rate: float,
    missed_rate: float,
    *,
    villages=VILLAGES,
    concentration: float = 15.0,
    recognition: float | None = None,
    exact: bool = False,
) -> Population:
    """A county whose true person-level rates are near the given ones.

    ``recognition``: households recognising, with village rates that differ (concentration 30).
    ``exact``: flags are then added or removed at random until each true rate is the given
    one to within one household (for the verdict table near the thresholds); the screening
    flags follow the missed flags as they end up.
    """
    strata, status, persons, flag, rec, cells = [], [], [], [], [], []
    start = 0
    for name, count in villages:
        for _ in range(count):
            exited = int(rng.integers(30, 121) if name == "poor" else rng.integers(5, 41))
            non_registered = int(rng.integers(100, 301))
            rate_w = rng.beta(wrongful_rate * concentration, (1 - wrongful_rate) * concentration)
            rate_m = rng.beta(missed_rate * concentration, (1 - missed_rate) * concentration)
            rate_r = rng.beta(recognition * 30, (1 - recognition) * 30) if recognition else 1.0
            village = {}
            for kind, size, rate in (
                ("exited", exited, rate_w),
                ("non_registered", non_registered, rate_m),
            ):
                status.append(np.full(size, kind))
                persons.append(1.0 + rng.poisson(2.3, size))
                flag.append(rng.random(size) < rate)
                rec.append(rng.random(size) < rate_r)
                village[kind] = np.arange(start, start + size)
                start += size
            strata.append(name)
            cells.append(village)
    status = np.concatenate(status)
    persons = np.concatenate(persons)
    flag = np.concatenate(flag)
    recognises = np.concatenate(rec)
    truth = {}
    targets = {"wrongful_exit_rate": wrongful_rate, "missed_rate": missed_rate}
    for indicator, kind in zip(INDICATORS, KINDS, strict=True):
        rows = status == kind
        if exact:
            _calibrate(rng, flag, persons, rows, targets[indicator])
        truth[indicator] = float(np.sum(persons[rows] * flag[rows]) / np.sum(persons[rows]))
    if recognition:
        if exact:
            everyone = np.ones(flag.size, bool)
            _calibrate(rng, recognises, np.ones(flag.size), everyone, recognition)
        truth["recognition_rate"] = float(np.mean(recognises))
    chance = np.where(flag, FLAGGED_IF_MISSED, FLAGGED_OTHERWISE)
    flagged = (status == "non_registered") & (rng.random(flag.size) < chance)
    return Population(
        np.array(strata), status, persons, flag, flagged, recognises, tuple(cells), truth
    )


def _calibrate(rng, flag, weight, rows, target) -> None:
    """Flip flags of ``rows`` at random, in place, until Σweight·flag / Σweight is ``target``."""
    total = np.sum(weight[rows])
    gap = target * total - np.sum(weight[rows & flag])
    candidates = np.flatnonzero(rows & (~flag if gap > 0 else flag))
    order = rng.permutation(candidates)
    reached = np.searchsorted(np.cumsum(weight[order]), abs(gap))
    flag[order[:reached]] = gap > 0


def _fill(rng, selected, reserves, noncontact: float) -> tuple[np.ndarray, np.ndarray]:
    """For each sampled household of a cell, the household whose interview fills its slot
    (-1 when none) and whether it is the sampled one: the sampled household if reached, else
    the next unused reserve of the cell, in rank order, until one is reached or none is left."""
    reached = rng.random(selected.size) >= noncontact
    responder = np.where(reached, selected, -1)
    if reached.all():
        return responder, reached
    contact = rng.random(reserves.size) >= noncontact
    next_reserve = 0
    for i in np.flatnonzero(~reached):  # the few slots out of contact, in rank order
        while next_reserve < reserves.size:
            next_reserve += 1
            if contact[next_reserve - 1]:
                responder[i] = reserves[next_reserve - 1]
                break
    return responder, reached


def draw(
    rng: np.random.Generator,
    population: Population,
    *,
    noncontact: float = 0.0,
    villages_drawn=VILLAGES_DRAWN,
    households=HOUSEHOLDS,
    flagged_slot: str = "census",
) -> HouseholdSample:
    """One sample of the county as the indicators core receives it (respondents only).

    ``flagged_slot``: what becomes of a screening-flagged household the SRS selected and
    that is out of contact. ``"census"`` (production since 7 December 2026,
    ``reports.county_nonresponse.census_stand_ins``): the next reserve (unflagged) fills the
    slot for recognition but counts no missed person, since the slot's share of the
    unflagged part was nil; the flagged household is a non-respondent of the village's census
    of flagged households, whose respondents carry its weight (the screening cell).
    ``"reserve"`` (production before; the tables of docs/estimation.md measured before that
    date): the reserve counts its missed persons at the slot's SRS weight."""
    if flagged_slot not in ("reserve", "census"):
        raise ValueError(f"flagged_slot: {flagged_slot!r}")
    parts = {k: [] for k in ("w", "stratum", "village", "kind", "responder", "role", "pi")}
    village_weight, nr_persons = {}, {}
    wanted = dict(households)
    for name, count in villages_drawn:
        members = np.flatnonzero(population.stratum == name)
        for v in rng.choice(members, count, replace=False):
            village_weight[v] = members.size / count
            cell = population.cells[v]
            nr_persons[v] = float(np.sum(population.persons[cell["non_registered"]]))
            for kind in KINDS:
                rows = rng.permutation(cell[kind])
                take = min(wanted[kind], rows.size)
                selected, rest = rows[:take], rows[take:]
                flagged = population.flagged[rest]
                screening = rest[flagged]
                reserves = rest[~flagged][: RESERVES_PER_HOUSEHOLD * take]
                responder, first = _fill(rng, selected, reserves, noncontact)
                screened = np.where(rng.random(screening.size) >= noncontact, screening, -1)
                pi = take / rows.size
                roles = np.where(first, "selected", "reserve").astype("<U9")
                if flagged_slot == "census":
                    lost = population.flagged[selected] & ~first
                    roles[lost] = "reserve_f"
                    screened = np.concatenate([screened, np.full(int(lost.sum()), -1)])
                census = screened.size
                size = take + census
                parts["responder"] += [responder, screened]
                parts["role"] += [roles, np.full(census, "screening", dtype="<U9")]
                parts["w"] += [
                    np.full(take, village_weight[v] / pi),
                    np.full(census, village_weight[v]),
                ]
                parts["kind"] += [
                    np.full(take, kind, dtype="<U14"),
                    np.full(census, "screening", dtype="<U14"),
                ]
                parts["pi"] += [np.full(take, pi), np.ones(census)]
                parts["stratum"].append(np.full(size, name))
                parts["village"].append(np.full(size, v))
    slots = {k: np.concatenate(v) for k, v in parts.items()}
    responded = slots["responder"] >= 0
    weight = weighting_class_adjustment(
        slots["w"], slots["stratum"], slots["village"], slots["kind"], responded
    ).weights
    keep = np.flatnonzero(responded)
    responder = slots["responder"][keep]
    village = slots["village"][keep]
    status = population.status[responder]
    persons = population.persons[responder]
    flag = population.flag[responder]
    pairs = [
        screening_adjusted(role, kind, flagged, True, pi, size, missed, recognises)
        for role, kind, flagged, pi, size, missed, recognises in zip(
            slots["role"][keep].tolist(),
            status.tolist(),
            population.flagged[responder].tolist(),
            slots["pi"][keep].tolist(),
            persons.tolist(),
            (flag & (status == "non_registered")).tolist(),
            population.recognises[responder].astype(float).tolist(),
            strict=True,
        )
    ]
    missed, recognises = (np.array(column) for column in zip(*pairs, strict=True))
    sizes = [  # what each household would count if found missed (the interval's event size)
        screening_adjusted(role, kind, flagged, True, pi, size, True, 1.0)[0]
        for role, kind, flagged, pi, size in zip(
            slots["role"][keep].tolist(),
            status.tolist(),
            population.flagged[responder].tolist(),
            slots["pi"][keep].tolist(),
            persons.tolist(),
            strict=True,
        )
    ]
    nil = slots["role"][keep] == "reserve_f"  # flagged_slot "census": no share of 漏评
    missed = np.where(nil, 0.0, missed)
    sizes = np.where(nil, 0.0, sizes)
    n = keep.size
    return HouseholdSample(
        village=village,
        stratum=slots["stratum"][keep],
        weight=weight[keep],
        status=status,
        persons=persons,
        wrongly_exited=flag & (status == "exited"),
        missed_persons=np.array(missed),
        recognises=np.array(recognises),
        random_village=np.ones(n, bool),
        township=np.full(n, "t"),
        household_type=np.full(n, "general"),
        village_weight=np.array([village_weight[v] for v in village.tolist()]),
        village_non_registered=np.array([nr_persons[v] for v in village.tolist()]),
        missed_size=np.array(sizes),
        flagged=population.flagged[responder] & (status == "non_registered"),
        village_nr_households=np.array(
            [population.cells[v]["non_registered"].size for v in village.tolist()], float
        ),
    )


def other_counties_icc(
    seed,
    rates,
    counties: int = 20,
    noncontact: float = 0.0,
    concentration: float = 15.0,
    screening: bool = False,
):
    """``{indicator: ρ}`` pooled from one sample of each of ``counties`` other counties of
    the same superpopulation (their rates cycling through ``rates``, their villages as
    clustered as ``concentration`` says): what a round's other counties give the county being
    estimated; never the true value. With ``screening``, ``(that, {group: (k, ρ)})``: the 漏评
    screening groups' relative rates and ρ pooled from the same samples
    (:func:`~assessment.indicators.icc.pooled_screening_model`)."""
    terms, groups = other_counties_terms(seed, rates, counties, noncontact, concentration)
    pooled = {indicator: pooled_icc(t).value for indicator, t in terms.items()}
    return (pooled, pooled_screening_model(groups)) if screening else pooled


def other_counties_terms(
    seed, rates, counties: int = 20, noncontact: float = 0.0, concentration: float = 15.0
) -> tuple[dict, list]:
    """What :func:`other_counties_icc` pools, before pooling (the same seeded draws):
    ``({indicator: [IccTerms per county]}, [screening_group_events per county])``."""
    rng = np.random.default_rng(seed)
    terms = {indicator: [] for indicator in INDICATORS}
    groups = []
    for j in range(counties):
        rate = rates[j % len(rates)]
        population = make_population(rng, rate, rate, concentration=concentration)
        sample = draw(rng, population, noncontact=noncontact)
        for indicator in INDICATORS:
            terms[indicator].append(icc_terms(*household_events(sample, indicator)))
        groups.append(screening_group_events(sample))
    return terms, groups
