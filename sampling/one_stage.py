"""One-stage stratified simple random sampling of households (fixed, proportional, Neyman).

PURE. Called through :func:`sampling.selection.draw`. Neyman allocation needs each stratum's
standard deviation; for the binary exit indicators it is ``sqrt(p (1 - p))`` with ``p`` the
anticipated rate of the stratum given in the design (``anticipated``, default
``default_anticipated`` = 0.5, which makes Neyman equal to proportional allocation).
"""

from __future__ import annotations

import numpy as np

from sampling import draw_common as dc
from sampling.designs import StratifiedSrsDesign
from sampling.frames import Frame
from sampling.pps import allocate


def _variable(frame: Frame, name: str) -> np.ndarray:
    if name == "remote":
        return np.where(frame.remote, "remote", "not_remote").astype(object)
    return np.asarray(getattr(frame, name), dtype=object)


def stratum_labels(frame: Frame, design: StratifiedSrsDesign) -> tuple[np.ndarray, list[str]]:
    """Stratum code of each household and the sorted labels the codes index."""
    code = np.zeros(len(frame), dtype=np.int64)
    parts: list[np.ndarray] = []
    for name in design.strata:
        values = _variable(frame, name)
        distinct = sorted(set(values.tolist()))
        lookup = {value: i for i, value in enumerate(distinct)}
        codes = np.fromiter(map(lookup.__getitem__, values), dtype=np.int64, count=len(values))
        code = code * len(distinct) + codes
        parts.append(np.asarray(distinct, dtype=object))
    used, code = np.unique(code, return_inverse=True)
    labels = []
    for combined in used.tolist():
        pieces = []
        for distinct in reversed(parts):
            combined, index = divmod(combined, len(distinct))
            pieces.append(str(distinct[index]))
        labels.append("/".join(reversed(pieces)))
    # Codes were built in per-variable sorted order, so labels come out sorted by tuple.
    return code, labels


def stratum_sizes(design: StratifiedSrsDesign, labels: list[str], population: np.ndarray):
    """Households to select per stratum (in ``labels`` order)."""
    if design.allocation == "fixed":
        asked = np.array([design.sizes.get(label, 0) for label in labels], dtype=np.int64)
        return asked, np.minimum(asked, population)
    if design.allocation == "proportional":
        weights = population.astype(float)
    else:
        p = np.array([design.anticipated.get(x, design.default_anticipated) for x in labels])
        weights = population * np.sqrt(p * (1 - p))
    take = allocate(design.n, weights, population)
    return take.copy(), take


def draw_stratified(frame: Frame, design: StratifiedSrsDesign, generator) -> tuple:
    """Villages, households, strata and shortfalls of a one-stage stratified draw."""
    code, labels = stratum_labels(frame, design)
    population = np.bincount(code, minlength=len(labels))
    asked, take = stratum_sizes(design, labels, population)
    rows = frame.id_order[np.argsort(code[frame.id_order], kind="stable")]
    groups = code[rows]
    order, ranks = dc.rank_in_groups(groups, generator.random(len(rows)))
    rows, groups = rows[order], groups[order]
    selected = ranks < take[groups]
    reserve_rank = ranks - take[groups] + 1
    reserve = ~selected & (reserve_rank <= design.reserves_per_household * take[groups])
    pi_h = np.divide(take, population, out=np.zeros(len(take)), where=population > 0)
    names = np.asarray(labels, dtype=object)
    households = []
    for role, mask in (("selected", selected), ("reserve", reserve)):
        households += dc.household_rows(
            frame,
            rows[mask],
            role=role,
            strata=names[groups[mask]].tolist(),
            village_strata=[""] * int(mask.sum()),
            ranks=reserve_rank[mask].tolist() if role == "reserve" else [None] * int(mask.sum()),
            pi_village=np.ones(int(mask.sum())),
            pi_household=pi_h[groups[mask]],
        )
    reserves = np.bincount(groups[reserve], minlength=len(labels))
    strata, shortfalls = _counts(design, labels, population, asked, take, reserves)
    return (
        _villages_of(frame, rows[selected | reserve]),
        dc.sort_households(households),
        (strata),
        shortfalls,
    )


def _counts(design, labels, population, asked, take, reserves):
    k = design.reserves_per_household
    strata, shortfalls = [], []
    for i, label in enumerate(labels):
        got, want = int(take[i]), int(asked[i])
        strata.append(
            dc.StratumCount(
                "stratum", label, "", int(population[i]), want, got, k * got, int(reserves[i])
            )
        )
        if got < want:
            shortfalls.append(dc.Shortfall("stratum", label, "", "sample", want, got))
        if reserves[i] < k * got:
            shortfalls.append(
                dc.Shortfall("stratum", label, "", "reserve", k * got, int(reserves[i]))
            )
    for label in sorted(set(design.sizes) - set(labels)):
        want = int(design.sizes[label])
        strata.append(dc.StratumCount("stratum", label, "", 0, want, 0, 0, 0))
        if want:
            shortfalls.append(dc.Shortfall("stratum", label, "", "sample", want, 0))
    return tuple(strata), tuple(shortfalls)


def _villages_of(frame: Frame, rows: np.ndarray) -> tuple[dc.SampledVillage, ...]:
    """The villages holding sampled or reserve households (pi 1: no village stage)."""
    table = frame.villages
    return tuple(
        dc.SampledVillage(
            str(table.key[v]),
            str(table.township[v]),
            str(table.village[v]),
            str(table.village_code[v]),
            "",
            int(table.households[v]),
            1.0,
            True,
        )
        for v in np.unique(frame.village_index[rows]).tolist()
    )
