"""Computation of the four indicators, verdicts and breakdowns for one county (PURE).

Thin data never raises: an indicator that cannot be estimated (no household concerned, a zero
denominator, no random village, no interview at all) comes back ``insufficient_data`` with a
reason, and so does a breakdown row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from assessment import estimation as est
from assessment.core.i18n import N_, Message
from assessment.indicators.model import (
    INDICATORS,
    RARE_RATE_ICC,
    BreakdownRow,
    CountyAssessment,
    CountyTotals,
    HouseholdSample,
    Insufficient,
    PurposiveSummary,
    Scheme,
)
from assessment.indicators.verdicts import combine, insufficient, judge

# The interval rule of the rare rates: Wald-t when the rate is common and well estimated,
# else wilson-model: Wilson's interval and bound on the design df, on Kish's effective size
# of the event sizes divided by the model design effect 1 + (b* - 1) ρ. Chosen by
# bench/sim_rare_rates.py (docs/estimation.md, "Rare rates").
RARE_RATE_METHOD = "auto-rare"


@dataclass(frozen=True, eq=False)
class _Rows:
    """Random-village rows as plain arrays, with the design built on them."""

    design: est.Design
    status: np.ndarray
    persons: np.ndarray
    wrong_persons: np.ndarray
    missed_persons: np.ndarray
    missed_denominator: np.ndarray
    missed_size: np.ndarray
    recognises: np.ndarray
    township: np.ndarray
    household_type: np.ndarray
    flagged: np.ndarray | None = None
    village_households: np.ndarray | None = None


def _prepare(sample: HouseholdSample, lonely_psu: str) -> _Rows | None:
    """The random-village rows and their design; None when there is none."""
    keep = np.asarray(sample.random_village, bool)
    if not keep.any():
        return None

    def col(values, dtype=None):
        return np.asarray(values, dtype=dtype)[keep]

    status = col(sample.status, str)
    persons = col(sample.persons, float)
    fpc = [col(f, float) for f in (sample.village_fpc, sample.household_fpc) if f is not None]
    clusters = [col(sample.village)] + ([np.flatnonzero(keep)] if len(fpc) == 2 else [])
    design = est.make_design(
        col(sample.weight, float),
        strata=col(sample.stratum),
        clusters=clusters,
        fpc=fpc,
        lonely_psu=lonely_psu,
    )
    wrong = np.where(col(sample.wrongly_exited, bool) & (status == "exited"), persons, 0.0)
    missed = np.where(status == "non_registered", col(sample.missed_persons, float), 0.0)
    denominator = _missed_denominator(sample, keep, design, status, persons)
    size = persons if sample.missed_size is None else col(sample.missed_size, float)
    return _Rows(
        design,
        status,
        persons,
        wrong,
        missed,
        denominator,
        np.where(status == "non_registered", size, 0.0),
        col(sample.recognises, float),
        col(sample.township).astype(str),
        col(sample.household_type).astype(str),
        None
        if sample.flagged is None
        else col(sample.flagged, bool) & (status == "non_registered"),
        None if sample.village_nr_households is None else col(sample.village_nr_households, float),
    )


def _missed_denominator(sample, keep, design, status, persons) -> np.ndarray:
    """Per-row x of the missed rate so that Σ w x = Σ_villages w_v × (known NR population).

    The village's known count is spread evenly over its sampled non-registered households'
    weighted rows, so it adds no second-stage variance. Without the village counts it falls
    back to the persons of the sampled non-registered households (an estimate).
    """
    non_registered = status == "non_registered"
    if sample.village_non_registered is None or sample.village_weight is None:
        return np.where(non_registered, persons, 0.0)
    village_weight = np.asarray(sample.village_weight, float)[keep]
    known = np.asarray(sample.village_non_registered, float)[keep]
    psu = design.psu
    # Only rows of positive weight carry the count: a row weighted 0 cannot hold a share.
    carriers = (non_registered & (design.weights > 0)).astype(float)
    households = np.bincount(psu, weights=carriers, minlength=design.n_psu)
    share = np.divide(carriers, households[psu], out=np.zeros(psu.size), where=households[psu] > 0)
    spread = village_weight * known * share / np.where(design.weights > 0, design.weights, 1.0)
    return np.where(non_registered, spread, 0.0)


def _rate_inputs(rows: _Rows, name: str, domain: np.ndarray):
    """``(y, x, domain rows, event size)`` of one of the three sampled rates."""
    if name == "wrongful_exit_rate":
        exited = domain & (rows.status == "exited")
        return rows.wrong_persons, rows.persons, exited, rows.persons
    if name == "missed_rate":
        concerned = domain & (rows.status == "non_registered")
        return rows.missed_persons, rows.missed_denominator, concerned, rows.missed_size
    answered = domain & np.isfinite(rows.recognises)
    ones = np.ones(rows.design.n_rows)
    return np.nan_to_num(rows.recognises, nan=0.0), ones, answered, ones


def _rate(
    rows: _Rows, name: str, domain: np.ndarray, level: float, icc=RARE_RATE_ICC, screening=None
):
    """``(Estimate, None)``, or ``(None, reason)`` when the rate cannot be estimated.

    ``screening`` (漏评率 only): ``{"census": (k, ρ), "unflagged": (k, ρ)}`` (production,
    from the round's screening model) or ``{"flagged": ..., "unflagged": ...}`` (the
    two-group size, measured only), each group's rate relative to the domain's and its ρ,
    pooled from other counties; the ``wilson-model`` interval then takes
    :func:`_screening_aware`."""
    y, x, concerned, size = _rate_inputs(rows, name, domain)
    if not concerned.any():
        return None, Insufficient.NO_ROWS
    if not np.sum(rows.design.weights[concerned] * x[concerned]) > 0:
        return None, Insufficient.ZERO_DENOMINATOR
    # Rare rates (错退率, 漏评率) take the interval that holds its level for rare events in
    # clustered samples (docs/estimation.md, "Rare rates"); recognition keeps R's rule.
    rare = name != "recognition_rate"
    estimate = est.ratio(
        rows.design,
        y,
        x,
        domain=concerned,
        level=level,
        bounded=True,
        ci_method=RARE_RATE_METHOD if rare else "auto",
        event_size=size,
        icc=icc if rare else None,
    )
    if screening is not None and name == "missed_rate" and estimate.method == "wilson-model":
        estimate = _screening_aware(rows, estimate, concerned, size, screening, level)
    return estimate, None


def _screening_aware(rows: _Rows, estimate, concerned, size, screening, level):
    """The 漏评率's ``wilson-model`` interval on a screening-aware effective size, carried as
    ``n_event`` with ``deff_model`` 1 so that the one-sided bound follows it.

    With ``"census"`` in ``screening`` and the villages' lists known: the census effective size
    (:func:`assessment.estimation.with_census_size`, production when the round records a
    screening model); otherwise the two-group size (flagged and unflagged households,
    :func:`assessment.estimation.grouped_model_n`; measured, not production)."""
    if rows.flagged is None:
        raise ValueError("the screening-aware 漏评率 needs the sample's flagged column")
    d = rows.design
    if "census" in screening and rows.village_households is not None:
        model = (*screening["census"], *screening["unflagged"])
        return est.with_census_size(
            estimate,
            d,
            size,
            rows.missed_denominator,
            rows.flagged,
            rows.village_households,
            concerned,
            model,
        )
    units = np.where(concerned & (d.weights > 0), d.weights * size, 0.0)
    groups = np.where(rows.flagged, "flagged", "unflagged")
    relative = {g: screening[g][0] for g in screening if g != "census"}
    iccs = {g: screening[g][1] for g in screening if g != "census"}
    n = est.grouped_model_n(d, units, groups, relative, iccs, estimate.estimate)
    return est.on_model_size(estimate, n, level)


def _incidence(rows: _Rows, county: CountyTotals, level: float, icc=RARE_RATE_ICC):
    """``(mapped estimate, pivot q, base, slope, reason)`` of poverty incidence.

    Only the rates whose county population is positive enter ``q``; when neither does, the
    incidence is the registry's exact ``remaining poor / rural population`` (no sampling).
    """
    if not county.rural_population > 0:
        return None, None, 0.0, 1.0, Insufficient.NO_POPULATION
    base = county.remaining_poor / county.rural_population
    parts = [
        (weight, name)
        for weight, name in (
            (county.exited_population, "wrongful_exit_rate"),
            (county.non_registered_population, "missed_rate"),
        )
        if weight > 0
    ]
    if not parts:
        return _exact(base, rows, level), None, 0.0, 1.0, None
    total = sum(weight for weight, _ in parts)
    d = rows.design
    value, scores, concerned = 0.0, np.zeros(d.n_rows), np.zeros(d.n_rows, bool)
    events = np.zeros(d.n_rows)  # what an event of each row adds to q
    everyone = np.ones(d.n_rows, bool)
    for weight, name in parts:
        y, x, domain, size = _rate_inputs(rows, name, everyone)
        if not domain.any() or not np.sum(d.weights[domain] * x[domain]) > 0:
            return None, None, base, 1.0, Insufficient.COMPONENT
        r, z = est.ratio_scores(d, y, x, domain)
        value += weight / total * r
        scores += weight / total * z
        concerned |= domain
        events += np.where(domain, weight / total * size / np.sum(d.weights[domain] * x[domain]), 0)
    q = est.from_scores(
        d,
        value,
        scores,
        concerned,
        stat="poverty_incidence",
        level=level,
        bounded=True,
        ci_method=RARE_RATE_METHOD,
        event_size=events,
        icc=icc,
    )
    slope = total / county.rural_population
    mapped = replace(
        q,
        estimate=base + slope * q.estimate,
        se=slope * q.se,
        ci_low=base + slope * q.ci_low,
        ci_high=base + slope * q.ci_high,
    )
    return mapped, q, base, slope, None


def _exact(value: float, rows: _Rows, level: float) -> est.Estimate:
    """A known value with no sampling error (interval = the point, method ``census``)."""
    d = rows.design
    return est.Estimate(
        "poverty_incidence", value, 0.0, value, value, d.degrees_of_freedom(), float("nan"),
        d.n_rows, float("nan"), d.n_psu, float("nan"), "census", level,
    )  # fmt: skip


def rates(
    sample: HouseholdSample,
    *,
    level: float = 0.95,
    lonely_psu: str = "adjust",
    icc: float | dict = RARE_RATE_ICC,
    screening: dict | None = None,
):
    """The three sampled rates of random villages, without county totals or verdicts.

    ``icc`` is the intra-village correlation ρ of the rare rates' model design effect, one
    for both or ``{indicator: ρ}``. ``screening``: the 漏评率's screening-aware effective
    size as :func:`_rate` takes it (``bench/sim_rare_rates.py --screening-aware``; production
    passes the round's census model through :func:`estimate_county`); needs
    ``sample.flagged``.

    Returns
    -------
    dict of str to Estimate or None
        Keys ``wrongful_exit_rate``, ``missed_rate``, ``recognition_rate`` (0-1); None where
        the rate cannot be estimated (see :class:`Insufficient`).
    """
    rows = _prepare(sample, lonely_psu)
    if rows is None:
        return dict.fromkeys(INDICATORS[1:])
    everyone = np.ones(rows.design.n_rows, bool)
    each = icc if isinstance(icc, dict) else dict.fromkeys(INDICATORS[1:], icc)
    return {
        name: _rate(rows, name, everyone, level, each.get(name, RARE_RATE_ICC), screening)[0]
        for name in INDICATORS[1:]
    }


def estimate_county(
    sample: HouseholdSample,
    county: CountyTotals,
    scheme: Scheme,
    *,
    level: float = 0.95,
    lonely_psu: str = "adjust",
) -> CountyAssessment:
    """Estimate the four exit indicators of a county and judge them against the scheme.

    Never raises on thin data (no interview, one interview, one status only, zero events,
    zero denominators, one village, no random village): what cannot be estimated is
    ``insufficient_data`` with a reason.

    Parameters
    ----------
    sample : HouseholdSample
        Approved interviews, one row per household, random and purposive villages (may be
        empty).
    county : CountyTotals
        Registry and frame counts (persons).
    scheme : Scheme
        Thresholds, comparators and the confidence of the statements.
    level : float
        Level of the two-sided intervals shown beside the estimates.
    lonely_psu : str
        Single-village strata: ``"adjust"`` by default, so that a stratum left with one
        approved village still gives a (conservative) variance instead of no report.

    Returns
    -------
    CountyAssessment
    """
    rows = _prepare(sample, lonely_psu) if np.asarray(sample.status).size else None
    if rows is None:
        return _nothing(sample, county, scheme)
    everyone = np.ones(rows.design.n_rows, bool)
    icc = scheme.icc("poverty_incidence")
    incidence, q, base, slope, why = _incidence(rows, county, level, icc)
    results = [
        judge(
            "poverty_incidence",
            incidence,
            scheme,
            events=_events(rows, "poverty_incidence"),
            pivot=q,
            base=base,
            slope=slope,
            reason=why,
        )
    ]
    census = _census_model(rows, scheme)
    for name in INDICATORS[1:]:
        screening = census if name == "missed_rate" else None
        estimate, why = _rate(rows, name, everyone, level, scheme.icc(name), screening)
        result = judge(name, estimate, scheme, events=_events(rows, name), reason=why)
        results.append(_with_size(result, screening is not None))
    official, confidence = combine(results)
    return CountyAssessment(
        tuple(results),
        official,
        confidence,
        _breakdown(rows, "township", rows.township, level, scheme),
        _breakdown(rows, "household_type", rows.household_type, level, scheme),
        _purposive(sample),
        scheme,
        county,
    )


def _census_model(rows: _Rows, scheme: Scheme) -> dict | None:
    """The 漏评率's census screening model when the round records one and the county's rows
    carry the screening flags and the villages' lists (a plan with screening); else None (the
    village model with the round's ρ)."""
    if scheme.missed_screening is None or rows.flagged is None or rows.village_households is None:
        return None
    k_c, rho_c, k_u, rho_u = scheme.missed_screening
    return {"census": (k_c, rho_c), "unflagged": (k_u, rho_u)}


def _with_size(result, census: bool):
    """``result`` naming the effective size of its ``wilson-model`` interval; on the census
    size, the bound's label says so (the village design effect is not what it rests on)."""
    detail = result.detail
    if detail is None or detail.method != "wilson-model":
        return result
    if not census:
        return replace(result, effective_size="village_model")
    label = result.bound_label
    if label is not None:
        label = census_bound_label(detail, result.bound_side, label)
    return replace(result, effective_size="screening_census", bound_label=label)


def census_bound_label(detail: est.Estimate, side: str, label: Message) -> Message:
    """What the bound on the census size is, in words for reports."""
    words = dict(label.mapping)
    words["n"] = f"{detail.n_event:.0f}" if np.isfinite(detail.n_event) else "—"
    words.pop("deff", None)
    msgid = {
        "upper": N_(
            "one-sided {level} upper bound (Wilson; effective sample size {n} from the "
            "screening census model; {df} design degrees of freedom)"
        ),
        "lower": N_(
            "one-sided {level} lower bound (Wilson; effective sample size {n} from the "
            "screening census model; {df} design degrees of freedom)"
        ),
    }[side]
    return Message(msgid, words)


def _nothing(sample: HouseholdSample, county: CountyTotals, scheme: Scheme) -> CountyAssessment:
    """Every indicator insufficient: no interview, or only purposive villages."""
    empty = np.asarray(sample.status).size == 0
    reason = Insufficient.NO_INTERVIEWS if empty else Insufficient.NO_RANDOM_VILLAGE
    results = tuple(insufficient(name, scheme, reason) for name in INDICATORS)
    official, confidence = combine(results)
    purposive = None if empty else _purposive(sample)
    return CountyAssessment(
        results, official, confidence, (), (), purposive, scheme, county, str(reason)
    )


def _events(rows: _Rows, name: str) -> int:
    wrong = int(np.sum(rows.wrong_persons > 0))
    missed = int(np.sum(rows.missed_persons > 0))
    counts = {
        "wrongful_exit_rate": wrong,
        "missed_rate": missed,
        "poverty_incidence": wrong + missed,
        "recognition_rate": int(np.nansum(rows.recognises == 1)),
    }
    return counts[name]


def _missing(name: str, level: float) -> est.Estimate:
    nan = float("nan")
    return est.Estimate(name, nan, nan, nan, nan, 0, nan, 0, nan, 0, nan, "none", level)


def _breakdown(rows: _Rows, by: str, groups: np.ndarray, level: float, scheme: Scheme):
    out = []
    for group in np.unique(groups):  # loops over groups (a handful), not rows
        domain = groups == group
        for name in INDICATORS[1:]:
            estimate, why = _rate(rows, name, domain, level, scheme.icc(name))
            if why == Insufficient.NO_ROWS:
                continue  # no household of this group is concerned by this indicator
            if estimate is None:
                out.append(BreakdownRow(by, str(group), name, _missing(name, level), str(why)))
            else:
                out.append(BreakdownRow(by, str(group), name, estimate))
    return tuple(out)


def _purposive(sample: HouseholdSample) -> PurposiveSummary | None:
    chosen = ~np.asarray(sample.random_village, bool)
    if not chosen.any():
        return None
    status = np.asarray(sample.status, str)[chosen]
    persons = np.asarray(sample.persons, float)[chosen]
    exited = status == "exited"
    wrong = np.asarray(sample.wrongly_exited, bool)[chosen] & exited
    recognises = np.asarray(sample.recognises, float)[chosen]
    answered = np.isfinite(recognises)
    exited_persons, wrong_persons = float(persons[exited].sum()), float(persons[wrong].sum())
    surveyed, recognising = int(answered.sum()), int(np.sum(recognises[answered] == 1))
    return PurposiveSummary(
        villages=len(np.unique(np.asarray(sample.village)[chosen])),
        households=int(chosen.sum()),
        exited_persons=exited_persons,
        wrongly_exited_persons=wrong_persons,
        non_registered_households=int(np.sum(status == "non_registered")),
        missed_persons=float(
            np.asarray(sample.missed_persons, float)[chosen][status == "non_registered"].sum()
        ),
        recognition_surveyed=surveyed,
        recognising=recognising,
        wrongful_exit_rate=wrong_persons / exited_persons if exited_persons else float("nan"),
        recognition_rate=recognising / surveyed if surveyed else float("nan"),
    )
