"""Computation of the four indicators, verdicts and breakdowns for one county (PURE)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from assessment import estimation as est
from assessment.i18n import N_, Message
from assessment.indicators.model import (
    COMPARE,
    INDICATORS,
    BreakdownRow,
    Confidence,
    CountyAssessment,
    CountyTotals,
    HouseholdSample,
    IndicatorResult,
    PurposiveSummary,
    Scheme,
)

_STATEMENTS = {
    Confidence.MEETS: N_("{indicator} meets the threshold with at least {confidence} confidence"),
    Confidence.FAILS: N_("{indicator} fails the threshold with at least {confidence} confidence"),
    Confidence.INCONCLUSIVE: N_(
        "{indicator}: inconclusive; probability {probability} that it is within the threshold"
    ),
}


@dataclass(frozen=True, eq=False)
class _Rows:
    """Random-village rows as plain arrays, with the design built on them."""

    design: est.Design
    status: np.ndarray
    persons: np.ndarray
    wrong_persons: np.ndarray
    missed_persons: np.ndarray
    missed_denominator: np.ndarray
    recognises: np.ndarray
    township: np.ndarray
    household_type: np.ndarray


def _prepare(sample: HouseholdSample, lonely_psu: str) -> _Rows:
    keep = np.asarray(sample.random_village, bool)
    if not keep.any():
        raise ValueError("random_village: no randomly drawn village to estimate from")

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
    return _Rows(
        design,
        status,
        persons,
        wrong,
        missed,
        denominator,
        col(sample.recognises, float),
        col(sample.township).astype(str),
        col(sample.household_type).astype(str),
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
    households = np.bincount(psu, weights=non_registered.astype(float), minlength=design.n_psu)
    share = np.divide(1.0, households[psu], out=np.zeros(psu.size), where=households[psu] > 0)
    spread = village_weight * known * share / np.where(design.weights > 0, design.weights, 1.0)
    return np.where(non_registered, spread, 0.0)


def _rate(rows: _Rows, name: str, domain: np.ndarray, level: float) -> est.Estimate:
    d = rows.design
    if name == "wrongful_exit_rate":
        domain = domain & (rows.status == "exited")
        return est.ratio(d, rows.wrong_persons, rows.persons, domain=domain, level=level)
    if name == "missed_rate":
        domain = domain & (rows.status == "non_registered")
        return est.ratio(
            d,
            rows.missed_persons,
            rows.missed_denominator,
            domain=domain,
            level=level,
            bounded=True,
        )
    recognition = np.nan_to_num(rows.recognises, nan=0.0)
    answered = domain & np.isfinite(rows.recognises)
    return est.ratio(d, recognition, np.ones(d.n_rows), domain=answered, level=level)


def _incidence(rows: _Rows, county: CountyTotals, level: float):
    """Poverty incidence and the estimate of its sampled component ``q`` with the map."""
    d = rows.design
    exited = rows.status == "exited"
    non_registered = rows.status == "non_registered"
    r_w, z_w = est.ratio_scores(d, rows.wrong_persons, rows.persons, exited)
    r_m, z_m = est.ratio_scores(d, rows.missed_persons, rows.missed_denominator, non_registered)
    e, m = county.exited_population, county.non_registered_population
    if e + m <= 0:
        raise ValueError("county: exited and non-registered populations are both zero")
    base = county.remaining_poor / county.rural_population
    slope = (e + m) / county.rural_population
    q_value = (e * r_w + m * r_m) / (e + m)
    q_scores = (e * z_w + m * z_m) / (e + m)
    q = est.from_scores(
        d,
        q_value,
        q_scores,
        exited | non_registered,
        stat="poverty_incidence",
        level=level,
        bounded=True,
    )
    mapped = replace(
        q,
        estimate=base + slope * q.estimate,
        se=slope * q.se,
        ci_low=base + slope * q.ci_low,
        ci_high=base + slope * q.ci_high,
    )
    return mapped, q, base, slope


def judge(
    indicator: str,
    estimate: est.Estimate,
    scheme: Scheme,
    *,
    events: int = 0,
    pivot: est.Estimate | None = None,
    base: float = 0.0,
    slope: float = 1.0,
) -> IndicatorResult:
    """Official verdict and confidence statement of one indicator.

    Parameters
    ----------
    indicator : str
        One of ``INDICATORS``.
    estimate : Estimate
        The indicator (0-1).
    scheme : Scheme
    events : int
        Unweighted numerator households, reported as is.
    pivot, base, slope : optional
        When the indicator is ``base + slope * pivot`` (poverty incidence), bounds and
        probabilities are taken on ``pivot`` and mapped back.

    Returns
    -------
    IndicatorResult
    """
    threshold, comparator = scheme.rule(indicator)
    pivot = pivot or estimate
    c = scheme.confidence
    lower = base + slope * est.one_sided_bound(pivot, "lower", c)
    upper = base + slope * est.one_sided_bound(pivot, "upper", c)
    mapped = (threshold - base) / slope if slope > 0 else threshold
    probability = est.probability_within(pivot, mapped, comparator, c)
    official = bool(COMPARE[comparator](estimate.estimate, threshold))
    if probability >= c:
        confidence = Confidence.MEETS
    elif (lower > threshold) if comparator in ("<", "<=") else (upper < threshold):
        confidence = Confidence.FAILS
    else:
        confidence = Confidence.INCONCLUSIVE
    statement = Message(
        _STATEMENTS[confidence],
        {"indicator": indicator, "confidence": f"{c:.0%}", "probability": f"{probability:.0%}"},
    )
    return IndicatorResult(
        indicator,
        estimate,
        threshold,
        comparator,
        official,
        confidence,
        probability,
        lower,
        upper,
        int(events),
        statement,
    )


def rates(sample: HouseholdSample, *, level: float = 0.95, lonely_psu: str = "adjust"):
    """The three sampled rates of random villages, without county totals or verdicts.

    Returns
    -------
    dict of str to Estimate
        Keys ``wrongful_exit_rate``, ``missed_rate``, ``recognition_rate`` (0-1).
    """
    rows = _prepare(sample, lonely_psu)
    everyone = np.ones(rows.design.n_rows, bool)
    return {name: _rate(rows, name, everyone, level) for name in INDICATORS[1:]}


def estimate_county(
    sample: HouseholdSample,
    county: CountyTotals,
    scheme: Scheme,
    *,
    level: float = 0.95,
    lonely_psu: str = "adjust",
) -> CountyAssessment:
    """Estimate the four exit indicators of a county and judge them against the scheme.

    Parameters
    ----------
    sample : HouseholdSample
        Approved interviews, one row per household, random and purposive villages.
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
    rows = _prepare(sample, lonely_psu)
    everyone = np.ones(rows.design.n_rows, bool)
    incidence, q, base, slope = _incidence(rows, county, level)
    results = [
        judge(
            "poverty_incidence",
            incidence,
            scheme,
            events=_events(rows, "poverty_incidence"),
            pivot=q,
            base=base,
            slope=slope,
        )
    ]
    for name in INDICATORS[1:]:
        results.append(
            judge(name, _rate(rows, name, everyone, level), scheme, events=_events(rows, name))
        )
    statements = {r.confidence for r in results}
    if statements == {Confidence.MEETS}:
        overall = Confidence.MEETS
    elif Confidence.FAILS in statements:
        overall = Confidence.FAILS
    else:
        overall = Confidence.INCONCLUSIVE
    return CountyAssessment(
        tuple(results),
        all(r.official_pass for r in results),
        overall,
        _breakdown(rows, "township", rows.township, level),
        _breakdown(rows, "household_type", rows.household_type, level),
        _purposive(sample),
        scheme,
        county,
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


def _breakdown(rows: _Rows, by: str, groups: np.ndarray, level: float):
    out = []
    for group in np.unique(groups):  # loops over groups (a handful), not rows
        domain = groups == group
        for name in INDICATORS[1:]:
            try:
                estimate = _rate(rows, name, domain, level)
            except ValueError:
                continue  # no household of this group is concerned by this indicator
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
