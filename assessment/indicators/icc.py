"""The intra-village correlation ρ of a rare rate's household events, pooled over counties (PURE).

ρ enters the model design effect ``1 + (b* - 1) ρ`` of the rare rates' interval
(``wilson-model``, :mod:`assessment.indicators.county`). A county's own data hold too few
events to estimate it, so it is pooled over the counties of a round: a one-way ANOVA of the
households' 0/1 events by village, each county with its own mean (so that counties whose
rates differ add nothing between villages), ``(MSB - MSW) / (MSB + (n0 - 1) MSW)``, at least 0.
``bench/sim_population.py`` and production use this one implementation.

An event is a 错退 household (an exited household found not meeting the standard) or a 漏评
household (a non-registered household with at least one person meeting the criteria), among
the households of random villages concerned by the rate.

References
----------
Donner, A. (1986). A review of inference procedures for the intraclass correlation
coefficient in the one-way random effects model. International Statistical Review 54(1),
67-82 (the ANOVA estimator and ``n0`` for unequal group sizes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from assessment.indicators.model import HouseholdSample

RARE_INDICATORS = ("wrongful_exit_rate", "missed_rate")


@dataclass(frozen=True)
class IccTerms:
    """One county's one-way ANOVA sums of one indicator's household events by village.

    ``n0_df`` is ``n0 · (villages - 1)`` (``n0`` the ANOVA's mean group size for unequal
    groups), kept as a sum so that counties pool by adding their terms.
    """

    between: float  # SSB
    within: float  # SSW
    df_between: int  # villages - 1
    df_within: int  # households - villages
    n0_df: float
    villages: int
    households: int
    events: int


@dataclass(frozen=True)
class PooledIcc:
    """ρ pooled over counties, with the counts it rests on (``value`` NaN: not estimable)."""

    value: float
    counties: int
    villages: int
    households: int
    events: int


def household_events(sample: HouseholdSample, indicator: str) -> tuple[np.ndarray, np.ndarray]:
    """``(village, event)`` of the random-village households concerned by ``indicator``.

    ``event`` is 1.0 for a 错退 household (``wrongful_exit_rate``) or a 漏评 household
    (``missed_rate``), else 0.0.
    """
    if indicator not in RARE_INDICATORS:
        raise ValueError(f"indicator must be one of {RARE_INDICATORS}, got {indicator!r}")
    status = np.asarray(sample.status, str)
    random = np.asarray(sample.random_village, bool)
    if indicator == "wrongful_exit_rate":
        rows = random & (status == "exited")
        events = np.asarray(sample.wrongly_exited, bool)[rows]
    else:
        rows = random & (status == "non_registered")
        events = np.asarray(sample.missed_persons, float)[rows] > 0
    return np.asarray(sample.village)[rows], events.astype(float)


def icc_terms(village, events) -> IccTerms | None:
    """The ANOVA sums of one county's household ``events`` (0/1) grouped by ``village``.

    None when they cannot enter a pooled ρ: fewer than two villages, or no household within
    a village beside another (no within-village degree of freedom).
    """
    events = np.asarray(events, float)
    if events.ndim != 1 or events.size != np.asarray(village).size:
        raise ValueError("village and events must be 1-d arrays of one length")
    _, group = np.unique(np.asarray(village), return_inverse=True)
    sizes = np.bincount(group).astype(float)
    k, total = sizes.size, events.size
    if k < 2 or total - k < 1:
        return None
    means = np.bincount(group, weights=events) / sizes
    between = float(np.sum(sizes * (means - events.mean()) ** 2))
    within = float(np.sum((events - means[group]) ** 2))
    n0 = (total - np.sum(sizes**2) / total) / (k - 1)
    return IccTerms(between, within, k - 1, total - k, n0 * (k - 1), k, total, int(events.sum()))


def pooled_icc(terms: Iterable[IccTerms | None]) -> PooledIcc:
    """ρ pooled over counties' :class:`IccTerms` (None entries are left out).

    ``(MSB - MSW) / (MSB + (n0 - 1) MSW)`` on the summed sums of squares and degrees of
    freedom, at least 0; NaN when no county enters or no household varies (no event at all,
    or every household an event).
    """
    kept = [t for t in terms if t is not None]
    counts = PooledIcc(
        float("nan"),
        len(kept),
        sum(t.villages for t in kept),
        sum(t.households for t in kept),
        sum(t.events for t in kept),
    )
    if not kept:
        return counts
    between, within = sum(t.between for t in kept), sum(t.within for t in kept)
    df_b, df_w = sum(t.df_between for t in kept), sum(t.df_within for t in kept)
    if not between + within > 0:
        return counts
    msb, msw, n0 = between / df_b, within / df_w, sum(t.n0_df for t in kept) / df_b
    value = max(0.0, float((msb - msw) / (msb + (n0 - 1) * msw)))
    return replace(counts, value=value)


SCREENING_GROUPS = ("flagged", "unflagged")


def screening_group_events(sample: HouseholdSample) -> dict:
    """``{group: (village, event, weight)}`` of the 漏评 household events of random villages,
    per screening group: households carrying a screening flag (``sample.flagged``) and the
    others. ``weight`` is the household's weight as the 漏评率 counts it (``weight ×
    missed_size / persons``: a flagged household the SRS drew counts at its village's weight)."""
    if sample.flagged is None:
        raise ValueError("the sample has no flagged column")
    village, events = household_events(sample, "missed_rate")
    status = np.asarray(sample.status, str)
    rows = np.asarray(sample.random_village, bool) & (status == "non_registered")
    flagged = np.asarray(sample.flagged, bool)[rows]
    weight = np.asarray(sample.weight, float)[rows]
    if sample.missed_size is not None:
        persons = np.asarray(sample.persons, float)[rows]
        size = np.asarray(sample.missed_size, float)[rows]
        weight = weight * np.divide(size, persons, out=np.ones_like(size), where=persons > 0)
    found = {
        "flagged": (village[flagged], events[flagged], weight[flagged]),
        "unflagged": (village[~flagged], events[~flagged], weight[~flagged]),
    }
    if sample.village_nr_households is not None:
        # "flagged and missed" over every non-registered household of the village's list
        households = np.asarray(sample.village_nr_households, float)[rows]
        names, first = np.unique(village, return_index=True)
        counts = np.rint(households[first]).astype(int)
        hits = [int(np.sum(events[flagged & (village == v)])) for v in names]
        found["census"] = (
            np.repeat(names, counts),
            np.concatenate([np.arange(c) < h for c, h in zip(counts, hits, strict=True)]),
            None,
        )
    return found


def pooled_screening_model(samples_events: Iterable[dict]) -> dict:
    """``{group: (k, ρ)}`` pooled over counties' :func:`screening_group_events`: ``k`` the
    group's weighted household event rate relative to all non-registered households' (weighted
    sums added over counties), ``ρ`` the group's pooled ANOVA ρ (0 when not estimable). With
    the villages' lists, also ``"census"``: the share of the 漏评 weight on flagged households
    and the ρ of "flagged and missed" over every household of the villages' lists."""
    counts = {g: [0.0, 0.0] for g in SCREENING_GROUPS}  # weighted events, weighted households
    terms = {g: [] for g in SCREENING_GROUPS}
    census = []
    for per_group in samples_events:
        for group, (village, events, weight) in per_group.items():
            if group == "census":
                census.append(icc_terms(village, np.asarray(events, float)))
                continue
            counts[group][0] += float(np.sum(weight * events))
            counts[group][1] += float(np.sum(weight))
            terms[group].append(icc_terms(village, events))
    events = sum(c[0] for c in counts.values())
    households = sum(c[1] for c in counts.values())
    overall = events / households if households > 0 else float("nan")
    model = {}
    for group, (e, h) in counts.items():
        k = (e / h) / overall if h > 0 and overall > 0 else 1.0
        rho = pooled_icc(terms[group]).value
        model[group] = (float(k), 0.0 if np.isnan(rho) else float(rho))
    if census:
        # the share of the 漏评 weight on flagged households, its ρ over the villages' lists
        share = counts["flagged"][0] / events if events > 0 else 1.0
        rho = pooled_icc(census).value
        model["census"] = (float(share), 0.0 if np.isnan(rho) else float(rho))
    return model
