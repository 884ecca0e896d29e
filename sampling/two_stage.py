"""Two-stage draw: villages by stratified systematic PPS, households by status within them.

PURE. Called through :func:`sampling.selection.draw`, which documents the order in which
uniforms are consumed. The measure of size of a village is its number of households in the
frame.
"""

from __future__ import annotations

import numpy as np

from sampling import draw_common as dc
from sampling.designs import VILLAGE_STRATA, TwoStageDesign
from sampling.frames import Frame
from sampling.frames.columns import FLAG_COLUMNS, STATUSES
from sampling.pps import allocate, pps_systematic

NON_REGISTERED = STATUSES.index("non_registered")


def village_strata(frame: Frame, design: TwoStageDesign) -> np.ndarray:
    """Village stratum of each village of the frame (``remote`` first when in the design)."""
    table = frame.villages
    strata = np.asarray(table.village_type, dtype=object)
    if "remote" in design.villages:
        strata = np.where(table.remote, "remote", strata).astype(object)
    return strata


def select_villages(frame: Frame, design: TwoStageDesign, generator, out: dict):
    """First stage; returns selected village positions (key order), pi and certainty."""
    table = frame.villages
    strata = village_strata(frame, design)
    pi = np.zeros(len(table))
    certain = np.zeros(len(table), dtype=bool)
    chosen = np.zeros(len(table), dtype=bool)
    for stratum in VILLAGE_STRATA:
        if stratum not in design.villages:
            continue
        members = np.flatnonzero(strata == stratum)
        requested = design.villages[stratum]
        listed = members[np.lexsort((np.arange(len(members)), generator.random(len(members))))]
        take = min(requested, len(listed))
        sample = pps_systematic(table.households[listed], take, rng=generator)
        pi[listed] = sample.pi
        certain[listed] = sample.certainty
        chosen[listed[sample.selected]] = True
        out["strata"].append(
            dc.StratumCount("village", stratum, "", len(members), requested, take, 0, 0)
        )
        if requested > len(members):
            out["shortfalls"].append(
                dc.Shortfall("village", stratum, "", "sample", requested, len(members))
            )
    purposive = np.isin(table.key, design.purposive_villages) & ~chosen
    unknown = set(design.purposive_villages) - set(table.key.tolist())
    if unknown:
        raise ValueError(f"design: purposive villages not in the frame: {sorted(unknown)}")
    out["purposive"] = purposive
    return np.flatnonzero(chosen | purposive), pi, certain, strata


def _requested(design: TwoStageDesign, population: np.ndarray) -> np.ndarray:
    """Households asked for per (selected village, status), shape like ``population``."""
    if design.household_allocation == "fixed":
        row = [design.households_per_village.get(status, 0) for status in STATUSES]
        return np.tile(np.asarray(row, dtype=np.int64), (len(population), 1))
    return np.array(
        [allocate(design.households_total, counts, counts) for counts in population],
        dtype=np.int64,
    ).reshape(population.shape)


def _status_codes(frame: Frame, rows: np.ndarray) -> np.ndarray:
    status = frame.status[rows]
    codes = np.zeros(len(rows), dtype=np.int64)
    for code, name in enumerate(STATUSES):
        codes[status == name] = code
    return codes


def _screen_flagged(frame: Frame, rows: np.ndarray, codes: np.ndarray) -> np.ndarray:
    flagged = np.zeros(len(rows), dtype=bool)
    for name in FLAG_COLUMNS:
        flagged |= getattr(frame, name)[rows]
    return flagged & (codes == NON_REGISTERED)


def draw_two_stage(frame: Frame, design: TwoStageDesign, generator) -> tuple:
    """Villages, households, strata and shortfalls of a two-stage draw."""
    out: dict[str, list] = {"strata": [], "shortfalls": []}
    chosen, pi_v, certain, vstrata = select_villages(frame, design, generator, out)
    position = np.full(len(frame.villages), -1, dtype=np.int64)
    position[chosen] = np.arange(len(chosen))
    rows = frame.id_order[position[frame.village_index[frame.id_order]] >= 0]
    codes = _status_codes(frame, rows)
    groups = position[frame.village_index[rows]] * len(STATUSES) + codes
    canonical = np.argsort(groups, kind="stable")
    rows, groups, codes = rows[canonical], groups[canonical], codes[canonical]
    order, ranks = dc.rank_in_groups(groups, generator.random(len(rows)))
    rows, groups, codes = rows[order], groups[order], codes[order]
    population = np.bincount(groups, minlength=len(chosen) * len(STATUSES))
    population = population.reshape(len(chosen), len(STATUSES))
    take = np.minimum(_requested(design, population), population)
    flagged = _screen_flagged(frame, rows, codes) & design.screening
    selected = ranks < take.ravel()[groups]
    candidate = ~selected & ~flagged
    reserve_rank = dc.group_cumcount(groups, candidate)
    reserve = candidate & (reserve_rank <= design.reserves_per_household * take.ravel()[groups])
    pi_h = np.divide(take, population, out=np.zeros(take.shape), where=population > 0).ravel()
    unit_pi_v = pi_v[frame.village_index[rows]]
    stratum_names = np.asarray(STATUSES, dtype=object)[codes]
    vstratum = vstrata[frame.village_index[rows]]
    households = []
    for role, mask, pi_house, rank in (
        ("selected", selected, pi_h[groups], None),
        ("reserve", reserve, pi_h[groups], reserve_rank),
        ("screening", flagged & ~selected, np.ones(len(rows)), None),
    ):
        households += dc.household_rows(
            frame,
            rows[mask],
            role=role,
            strata=stratum_names[mask].tolist(),
            village_strata=vstratum[mask].tolist(),
            ranks=[None] * int(mask.sum()) if rank is None else rank[mask].tolist(),
            pi_village=unit_pi_v[mask],
            pi_household=pi_house[mask],
        )
    reserves = np.bincount(groups[reserve], minlength=population.size)
    _household_counts(frame, design, chosen, population, take, reserves, out)
    villages = _village_records(frame, chosen, pi_v, certain, vstrata, out["purposive"])
    return villages, dc.sort_households(households), tuple(out["strata"]), tuple(out["shortfalls"])


def _household_counts(frame, design, chosen, population, take, reserves, out) -> None:
    requested = _requested(design, population)
    reserves = reserves.reshape(population.shape)
    k = design.reserves_per_household
    for i, village in enumerate(chosen.tolist()):
        key = str(frame.villages.key[village])
        for j, status in enumerate(STATUSES):
            asked, got = int(requested[i, j]), int(take[i, j])
            if asked == 0 and population[i, j] == 0:
                continue
            out["strata"].append(
                dc.StratumCount(
                    "household",
                    status,
                    key,
                    int(population[i, j]),
                    asked,
                    got,
                    k * got,
                    int(reserves[i, j]),
                )
            )
            if got < asked:
                out["shortfalls"].append(
                    dc.Shortfall("household", status, key, "sample", asked, got)
                )
            if reserves[i, j] < k * got:
                out["shortfalls"].append(
                    dc.Shortfall("household", status, key, "reserve", k * got, int(reserves[i, j]))
                )


def _village_records(
    frame, chosen, pi_v, certain, vstrata, purposive
) -> tuple[dc.SampledVillage, ...]:
    table = frame.villages
    return tuple(
        dc.SampledVillage(
            str(table.key[v]),
            str(table.township[v]),
            str(table.village[v]),
            str(table.village_code[v]),
            str(vstrata[v]),
            int(table.households[v]),
            float(pi_v[v]),
            bool(certain[v]),
            bool(purposive[v]),
        )
        for v in chosen.tolist()
    )
