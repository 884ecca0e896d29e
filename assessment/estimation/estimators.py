"""Design-based estimators of means, totals, proportions and ratios, and their result type.

Every estimator linearises its statistic into per-row weighted scores, zero outside the domain
(the whole design is kept, as R's ``subset`` of a design does), and hands them to
:func:`~assessment.estimation.variance.taylor_covariance`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assessment.core.i18n import N_
from assessment.estimation import intervals
from assessment.estimation.design import Design
from assessment.estimation.errors import EstimationError
from assessment.estimation.variance import effective_psu_df, taylor_covariance

CI_METHODS = ("auto", "auto-rare", *intervals.METHODS)
_BOUNDED_ONLY = ("korn-graubard", "wilson", "korn-graubard-kish", "wilson-model")


@dataclass(frozen=True)
class Estimate:
    """One design-based estimate with its uncertainty.

    Attributes
    ----------
    stat : str
        ``"mean"``, ``"total"``, ``"proportion"``, ``"ratio"`` or a caller's name (e.g.
        ``"poverty_incidence"``).
    estimate : float
        Point estimate, in the unit of the variable (proportions and rates as 0-1).
    se : float
        Standard error (Taylor linearisation), same unit.
    ci_low, ci_high : float
        Two-sided confidence interval at ``level``.
    df : int
        Design degrees of freedom: PSUs minus strata holding domain rows.
    deff : float
        Design effect against simple random sampling without replacement of the same size
        (R's ``deff=TRUE``); NaN when the SRS variance is zero.
    n : int
        Observations (rows) in the domain with non-missing values and a weight above zero
        (rows of weight zero carry no information; R's ``deff`` leaves them out too).
    n_eff : float
        Effective sample size ``n / deff``; Kish's ``(Σw)²/Σw²`` when the variance is zero.
    n_psu : int
        Primary sampling units holding domain rows.
    population : float
        Estimated size of the domain, ``Σw`` over its rows (persons or households).
    method : str
        Interval method: ``"wald-t"``, ``"korn-graubard"``, ``"wilson"``,
        ``"korn-graubard-kish"``, ``"wilson-model"`` or ``"census"`` (every stratum enumerated: the
        interval is the point).
    level : float
        Confidence level of the interval, e.g. 0.95.
    category : str or None
        The category, for one row of :func:`proportions`.
    n_kish : float
        Kish's effective size of the domain, used by the zero-variance intervals.
    df_eff : float
        Satterthwaite's effective number of PSU contributions to the variance (NaN when the
        variance is zero), the degrees of freedom of the one-sided ``korn-graubard-kish``.
    n_event : float
        Kish's effective size of the rows' event sizes, ``(Σ w s)² / Σ (w s)²`` (``s`` the
        ratio's denominator unless given; 1 for a proportion): the floor of the design effect
        and the zero-event size of ``korn-graubard-kish``.
    deff_model : float
        The model-based clustering design effect ``1 + (b* - 1) ρ`` of ``wilson-model``
        (Gabler, Häder and Lahiri 1999): ``b* = Σ_c (Σ_{i∈c} w s)² / Σ (w s)²`` the weighted
        PSU size of the event sizes, ``ρ`` the intra-PSU correlation given as ``icc``; NaN
        without ``icc``.
    """

    stat: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    deff: float
    n: int
    n_eff: float
    n_psu: int
    population: float
    method: str
    level: float
    category: str | None = None
    n_kish: float = float("nan")
    df_eff: float = float("nan")
    n_event: float = float("nan")
    deff_model: float = float("nan")


def _rows(design: Design, domain, arrays: dict, na_rm: bool) -> np.ndarray:
    """Rows in the domain with every value present; check shapes and missing values."""
    rows = np.ones(design.n_rows, bool) if domain is None else np.asarray(domain, bool)
    if rows.shape != (design.n_rows,):
        raise EstimationError(
            N_("domain must have {rows} values, got {shape}"),
            rows=design.n_rows,
            shape=str(rows.shape),
        )
    for name, values in arrays.items():
        if values.shape != (design.n_rows,):
            raise EstimationError(
                N_("{name} must have {rows} values, got {shape}"),
                name=name,
                rows=design.n_rows,
                shape=str(values.shape),
            )
        missing = ~np.isfinite(values)
        if (missing & rows).any() and not na_rm:
            raise EstimationError(
                N_("{name} has missing values in the domain; pass na_rm=True"), name=name
            )
        rows = rows & ~missing
    if not rows.any():
        raise EstimationError(N_("domain has no rows with values"))
    return rows


def _as_float(values, name: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError) as error:
        raise EstimationError(N_("{name} must be numeric"), name=name) from error


def _srs_variance(design: Design, scores: np.ndarray, rows: np.ndarray) -> float:
    """Variance under SRS without replacement of the same size, as R's ``deff=TRUE``.

    With ``u = z / w`` the per-row influence value, it is ``(1 - n/N) N² s²_u / n`` over the
    domain, ``s²_u`` the weighted variance with the ``n/(n-1)`` factor of R's ``svyvar``. Rows
    of weight zero are not observations (R's ``nobs <- sum(weights != 0)``). When the weights
    do not expand to more than ``n`` (R would print Inf) the factor ``1 - n/N`` is dropped.
    """
    rows = rows & (design.weights > 0)
    w = design.weights[rows]
    n, population = int(rows.sum()), float(w.sum())
    if n < 2 or population <= 0:
        return float("nan")
    u = np.divide(scores[rows], w, out=np.zeros(n), where=w > 0)
    centred = u - np.sum(w * u) / population
    s2 = np.sum(w * centred**2) / population * n / (n - 1)
    fpc = 1 - n / population if population > n else 1.0
    return float(fpc * population**2 * s2 / n)


def from_scores(
    design: Design,
    value: float,
    scores: np.ndarray,
    rows: np.ndarray,
    *,
    stat: str,
    level: float = 0.95,
    ci_method: str = "auto",
    bounded: bool = False,
    category: str | None = None,
    event_size: np.ndarray | None = None,
    icc: float | None = None,
) -> Estimate:
    """Build an :class:`Estimate` from a statistic's value and its linearised scores.

    Parameters
    ----------
    design : Design
    value : float
        Point estimate.
    scores : ndarray, shape (n_rows,)
        Weighted influence values: the statistic minus its value is about ``scores.sum()``.
    rows : ndarray of bool, shape (n_rows,)
        Rows of the domain (for n, df, deff).
    stat : str
        Name of the statistic, stored in the result.
    level : float
        Confidence level (0.5-1).
    ci_method : {"auto", "auto-rare", "wald-t", "korn-graubard", "wilson", \
"korn-graubard-kish", "wilson-model"}
        ``"auto"`` applies :func:`~assessment.estimation.intervals.choose_method`;
        ``"auto-rare"`` the same rule with ``wilson-model`` for rare rates.
    bounded : bool
        The statistic is a proportion in [0, 1] (allows Korn–Graubard and Wilson).
    category : str, optional
    event_size : ndarray, shape (n_rows,), optional
        What each row adds to the numerator when it is an event (persons of a household);
        1 when omitted. Gives ``Estimate.n_event``.
    icc : float, optional
        Intra-PSU (village) correlation ρ of the events, pooled from more data than this
        sample (``wilson-model``, ``ci_method="auto-rare"``); gives ``Estimate.deff_model``.
        Without it the model design effect is 1 (weighting and household sizes only).

    Returns
    -------
    Estimate
    """
    if ci_method not in CI_METHODS:
        raise EstimationError(
            N_("ci_method must be one of {options}, got {value!r}"),
            options=CI_METHODS,
            value=ci_method,
        )
    if ci_method in _BOUNDED_ONLY and not bounded:
        raise EstimationError(
            N_("ci_method {value!r} needs a proportion or a ratio within [0, 1]"),
            value=ci_method,
        )
    variance = float(taylor_covariance(design, scores, rows)[0, 0])
    variance = max(variance, 0.0) if np.isfinite(variance) else float("nan")
    se = variance**0.5
    w = design.weights[rows]
    observed = rows & (design.weights > 0)
    n = int(observed.sum())
    n_kish = float(w.sum() ** 2 / np.sum(w**2)) if np.sum(w**2) > 0 else float(n)
    srs = _srs_variance(design, scores, rows)
    deff = variance / srs if srs > 0 else float("nan")
    n_eff = n / deff if deff > 0 else n_kish
    df = design.degrees_of_freedom(rows)
    n_psu = int((np.bincount(design.psu[observed], minlength=design.n_psu) > 0).sum())
    df_eff = effective_psu_df(design, scores) if variance > 0 else float("nan")
    units = np.where(observed, design.weights * (1.0 if event_size is None else event_size), 0.0)
    n_event = _kish(units[observed])
    deff_model = model_deff(design, units, icc)
    method = _method(ci_method, value, se, n_eff, bounded)
    if design.is_census:
        method, low, high = "census", value, value
    else:
        low, high = intervals.interval(
            method,
            value,
            se,
            n=n,
            df=df,
            n_kish=n_kish,
            level=level,
            df_eff=df_eff,
            n_event=n_event,
            deff_model=deff_model,
        )
    return Estimate(
        stat,
        float(value),
        se,
        low,
        high,
        df,
        deff,
        n,
        n_eff,
        n_psu,
        float(w.sum()),
        method,
        level,
        category,
        n_kish,
        df_eff,
        n_event,
        deff_model,
    )


def check_icc(icc: float | None) -> None:
    """Refuse an intra-PSU correlation outside [0, 1]."""
    if icc is not None and not 0 <= icc <= 1:
        raise EstimationError(N_("icc must be in [0, 1], got {value!r}"), value=icc)


def model_deff(design: Design, units: np.ndarray, icc: float | None) -> float:
    """``1 + (b* - 1) ρ`` with ``b* = Σ_c U_c² / Σ u²`` over PSUs (Gabler et al. 1999).

    ``units`` are the rows' weighted event sizes (zero off the domain); NaN without ``icc``
    or without a positive unit.
    """
    check_icc(icc)
    squares = float(np.sum(units**2))
    if icc is None or not squares > 0:
        return float("nan")
    per_psu = np.bincount(design.psu, weights=units, minlength=design.n_psu)
    return 1.0 + (float(np.sum(per_psu**2)) / squares - 1.0) * icc


def _kish(values: np.ndarray) -> float:
    """Kish's effective size ``(Σ v)² / Σ v²`` (NaN without a positive value)."""
    squares = float(np.sum(values**2))
    return float(np.sum(values) ** 2 / squares) if squares > 0 else float("nan")


def _method(ci_method: str, value: float, se: float, n_eff: float, bounded: bool) -> str:
    if ci_method in ("auto", "auto-rare"):
        rare = "korn-graubard" if ci_method == "auto" else "wilson-model"
        return intervals.choose_method(value, se, n_eff, bounded=bounded, rare=rare)
    if ci_method == "wald-t" and bounded and se <= 0:
        return "korn-graubard"  # a zero-width interval for 0 or all events is never right
    return ci_method


def total(design: Design, y, *, domain=None, na_rm=False, level=0.95, ci_method="auto") -> Estimate:
    """Estimated population total of ``y`` (Horvitz–Thompson), over a domain if given.

    Parameters
    ----------
    design : Design
    y : array_like of float, shape (n_rows,)
        Values per row (e.g. persons in the household).
    domain : array_like of bool, optional
        Rows of the subpopulation; the rest count as zero, the whole design is kept.
    na_rm : bool
        Treat missing values (NaN) as outside the domain, as R's ``na.rm=TRUE``.
    level : float
        Confidence level.
    ci_method : {"auto", "wald-t"}

    Returns
    -------
    Estimate
        In the unit of ``y`` (a count of persons for a 0/1 person-level ``y``).
    """
    y = _as_float(y, "y")
    rows = _rows(design, domain, {"y": y}, na_rm)
    scores = np.where(rows, design.weights * np.where(rows, y, 0.0), 0.0)
    value = scores.sum()
    return from_scores(design, value, scores, rows, stat="total", level=level, ci_method=ci_method)


def mean(design: Design, y, *, domain=None, na_rm=False, level=0.95, ci_method="auto") -> Estimate:
    """Estimated population mean of ``y`` (a ratio to the estimated population size).

    Parameters are those of :func:`total`; a 0/1 ``y`` gives a proportion but is reported
    with stat ``"mean"`` and Wald-t unless ``ci_method`` says otherwise — use
    :func:`proportion` for rates.

    Returns
    -------
    Estimate
        In the unit of ``y``.
    """
    y = _as_float(y, "y")
    return _ratio(design, y, np.ones_like(y), domain, na_rm, level, ci_method, "mean", False)


def proportion(
    design: Design, y, *, domain=None, na_rm=False, level=0.95, ci_method="auto"
) -> Estimate:
    """Estimated proportion of rows (weighted) where ``y`` is true / 1, over a domain.

    Parameters
    ----------
    y : array_like of bool or 0/1, shape (n_rows,)
    Others as :func:`total`; ``ci_method`` may also be ``"korn-graubard"`` or ``"wilson"``.

    Returns
    -------
    Estimate
        A proportion, 0-1.
    """
    y = _as_float(y, "y")
    present = y[np.isfinite(y)]
    if not np.isin(present, (0.0, 1.0)).all():
        raise EstimationError(N_("y must be 0/1 or boolean for a proportion; see proportions()"))
    return _ratio(design, y, np.ones_like(y), domain, na_rm, level, ci_method, "proportion", True)


def proportions(
    design: Design, labels, *, domain=None, level=0.95, ci_method="auto"
) -> tuple[Estimate, ...]:
    """Proportion of each category of a categorical column (one Estimate per category).

    Parameters
    ----------
    labels : array_like, shape (n_rows,)
        Category of each row; ``None``, ``""`` and NaN are missing and left out (the
        proportions of the present categories sum to 1).

    Returns
    -------
    tuple of Estimate
        Sorted by category, each with ``category`` set to ``str(label)``.
    """
    labels = np.asarray(labels, dtype=object).reshape(-1)
    missing = np.array([v is None or v == "" or (isinstance(v, float) and v != v) for v in labels])
    values = np.array([str(v) for v in labels[~missing]], dtype=object)
    categories = sorted(set(values))
    result = []
    for category in categories:
        y = np.full(labels.size, np.nan)
        y[~missing] = values == category
        estimate = proportion(
            design, y, domain=domain, na_rm=True, level=level, ci_method=ci_method
        )
        result.append(_with_category(estimate, category))
    return tuple(result)


def _with_category(estimate: Estimate, category: str) -> Estimate:
    from dataclasses import replace

    return replace(estimate, category=category)


def ratio(
    design: Design,
    y,
    x,
    *,
    domain=None,
    na_rm=False,
    level=0.95,
    ci_method="auto",
    bounded: bool | None = None,
    event_size=None,
    icc: float | None = None,
) -> Estimate:
    """Estimated ratio of population totals ``Σ w y / Σ w x`` over a domain.

    Parameters
    ----------
    y, x : array_like of float, shape (n_rows,)
        Numerator and denominator per row (e.g. wrongly exited persons and persons).
    bounded : bool, optional
        Whether the ratio is a proportion in [0, 1]; by default true when ``0 <= y <= x`` on
        every domain row, which allows Korn–Graubard and Wilson intervals.
    event_size : array_like of float, optional
        What a row adds to ``y`` when it is an event (``korn-graubard-kish``,
        ``wilson-model``); ``x`` when
        omitted (a household counted whole: ``y`` is 0 or ``x``).
    icc : float, optional
        Intra-PSU correlation of the events for ``ci_method="auto-rare"`` (see
        :func:`from_scores`).
    Others as :func:`total`.

    Returns
    -------
    Estimate
        In the unit of y per unit of x (a rate 0-1 for persons over persons).
    """
    y, x = _as_float(y, "y"), _as_float(x, "x")
    size = x if event_size is None else _as_float(event_size, "event_size")
    return _ratio(design, y, x, domain, na_rm, level, ci_method, "ratio", bounded, size, icc)


def ratio_scores(design: Design, y, x, rows) -> tuple[float, np.ndarray]:
    """A ratio and its weighted linearised scores ``w (y - r x) / X`` (zero off ``rows``).

    Parameters
    ----------
    design : Design
    y, x : ndarray of float, shape (n_rows,)
    rows : ndarray of bool, shape (n_rows,)

    Returns
    -------
    (float, ndarray)
        The ratio and the scores, for covariances between ratios (delta method).
    """
    w = np.where(rows, design.weights, 0.0)
    y0, x0 = np.where(rows, y, 0.0), np.where(rows, x, 0.0)
    denominator = float(np.sum(w * x0))
    if denominator == 0:
        raise EstimationError(N_("x: the estimated denominator total is zero in the domain"))
    r = float(np.sum(w * y0)) / denominator
    return r, w * (y0 - r * x0) / denominator


def _ratio(
    design, y, x, domain, na_rm, level, ci_method, stat, bounded, size=None, icc=None
) -> Estimate:
    rows = _rows(design, domain, {"y": y, "x": x}, na_rm)
    if bounded is None:
        bounded = bool(np.all((y[rows] >= 0) & (y[rows] <= x[rows])))
    r, scores = ratio_scores(design, y, x, rows)
    return from_scores(
        design,
        r,
        scores,
        rows,
        stat=stat,
        level=level,
        ci_method=ci_method,
        bounded=bounded,
        event_size=size,
        icc=icc,
    )


def grouped_model_n(
    design: Design,
    units: np.ndarray,
    groups: np.ndarray,
    relative: dict,
    iccs: dict,
    p: float,
    total: float | None = None,
) -> float:
    """A model-based effective size that knows the groups the events fall in (production
    through :func:`census_model_n`, 漏评率's census size).

    A generalisation of ``n_K / (1 + (b* - 1) ρ)`` (Kish 1992; Gabler, Häder and Lahiri 1999)
    to groups of rows whose event rates differ (for 漏评: the households carrying a screening
    flag, enumerated in each drawn village, and the others, drawn by the SRS). Row ``i`` of
    group ``g`` is an event with probability ``p_g = k_g p`` (``k_g`` the group's rate relative
    to the domain's, pooled from more data than the sample); within a group, events of one PSU
    correlate by ``ρ_g`` (Gabler's model, group by group), and the PSU effects of the groups
    are taken as fully correlated (one village rate drives both: the screening follows the
    village's 漏评). With ``v_g = k_g (1 - min(1, k_g p))`` (``p_g (1 - p_g) / p``) and
    ``a_g = √(ρ_g v_g)``::

        Var(Σ u y / Σ u) = p [Σ_g (1 - ρ_g) v_g Σ_{i∈g} u_i² + Σ_c (Σ_g a_g U_{g,c})²] / (Σ u)²

    ``U_{g,c}`` the group's units in PSU ``c``, and the effective size is ``p (1 - p)`` over it
    (continuous at ``p = 0``). With one group and ``k = 1`` it is ``n_K / (1 + (b* - 1) ρ)``.

    Parameters
    ----------
    design : Design
    units : ndarray, shape (n_rows,)
        The rows' weighted event sizes ``w s`` (zero off the domain).
    groups : ndarray, shape (n_rows,)
        Group label of each row (rows of zero unit are ignored).
    relative, iccs : dict
        ``{group: k_g}`` (at least 0) and ``{group: ρ_g}`` (0-1) for every group holding a
        positive unit.
    p : float
        The domain's estimated rate (0-1).
    total : float, optional
        The denominator ``Σ u`` when the groups' units do not sum to it (groups that overlap).

    Returns
    -------
    float
        The effective size; NaN without a positive unit, inf when no group can hold an event.
    """
    units = np.asarray(units, float)
    groups = np.asarray(groups)
    total = float(units.sum()) if total is None else float(total)
    if not total > 0:
        return float("nan")
    p = min(max(float(p), 0.0), 1.0)
    within, between = 0.0, np.zeros(design.n_psu)
    for group in np.unique(groups[units > 0]):
        part = np.where(groups == group, units, 0.0)
        rho, k = float(iccs[group]), float(relative[group])
        check_icc(rho)
        if not k >= 0:
            raise EstimationError(N_("relative rate must be at least 0, got {value!r}"), value=k)
        v = k * (1.0 - min(1.0, k * p))
        within += (1.0 - rho) * v * float(np.sum(part**2))
        between += np.sqrt(rho * v) * np.bincount(design.psu, weights=part, minlength=design.n_psu)
    variance = (within + float(np.sum(between**2))) / total**2
    return (1.0 - p) / variance if variance > 0 else float("inf")


SCREENING_MODEL_KEYS = ("k_census", "rho_census", "k_unflagged", "rho_unflagged")


def check_screening_model(model) -> tuple[float, float, float, float]:
    """``(k_C, ρ_C, k_U, ρ_U)`` as floats, refused unless the ``k`` are finite and at least 0
    and the ``ρ`` in [0, 1]."""
    try:
        values = tuple(float(v) for v in model)
    except (TypeError, ValueError):
        raise EstimationError(
            N_("the screening model needs four numbers k_C, rho_C, k_U, rho_U, got {value!r}"),
            value=model,
        ) from None
    if len(values) != 4:
        raise EstimationError(
            N_("the screening model needs four numbers k_C, rho_C, k_U, rho_U, got {value!r}"),
            value=model,
        )
    for k in values[0::2]:
        if not (np.isfinite(k) and k >= 0):
            raise EstimationError(N_("relative rate must be at least 0, got {value!r}"), value=k)
    for rho in values[1::2]:
        check_icc(rho)
    return values  # type: ignore[return-value]


def census_model_n(
    design: Design,
    units: np.ndarray,
    denominator: np.ndarray,
    flagged: np.ndarray,
    village_households: np.ndarray,
    domain: np.ndarray,
    model,
    p: float,
) -> float:
    """The screening census effective size of 漏评率 (docs/estimation.md, "Census").

    The screening enumerates every flagged non-registered household of a drawn village, so the
    flagged part of the village's 漏评 is counted over **every** non-registered household of its
    list: group "census", one unit per household of the list (the flagged rows' units, and the
    rest of the village's known population ``Σ w x`` spread evenly over its other households),
    events at ``k_C p``; group "unflagged", the SRS rows not flagged, events at ``k_U p``.
    :func:`grouped_model_n` on the two groups, whose village effects are fully correlated,
    with the denominator ``Σ_v w_v X_v``.

    Parameters
    ----------
    design : Design
    units : ndarray
        The rows' weighted event sizes ``w s`` (zero off the domain and on rows of weight 0).
    denominator : ndarray
        The ratio's denominator ``x`` (``Σ w x`` over a village's rows is its known
        non-registered population times the village weight).
    flagged : ndarray of bool
        The row carries a screening flag (a screening household or a flagged SRS household).
    village_households : ndarray
        Non-registered households of the row's village (the list's size).
    domain : ndarray of bool
    model : sequence of 4 floats
        ``(k_C, ρ_C, k_U, ρ_U)``, pooled from a round's counties.
    p : float
        The estimated rate.
    """
    k_c, rho_c, k_u, rho_u = check_screening_model(model)
    units = np.asarray(units, float)
    flagged = np.asarray(flagged, bool)
    domain = np.asarray(domain, bool)
    x = np.asarray(denominator, float)
    households = np.asarray(village_households, float)
    weights = design.weights
    carried = flagged & (units > 0)
    plain = ~flagged & (units > 0)
    psu, unit = [design.psu[plain]], [units[plain]]
    label = [np.full(int(plain.sum()), "unflagged")]
    total = 0.0
    for c in np.unique(design.psu[domain]):
        in_c = domain & (design.psu == c)
        known = float(np.sum(weights[in_c] * x[in_c]))  # w_v X_v
        total += known
        mine = units[carried & (design.psu == c)]
        size = households[in_c][0]
        if not (np.isfinite(size) and size >= 0):
            raise EstimationError(
                N_("the village's number of non-registered households must be at least 0, "
                   "got {value!r}"),
                value=float(size),
            )  # fmt: skip
        rest = max(round(float(size)) - mine.size, 1)
        filler = max(known - float(mine.sum()), 0.0) / rest
        psu += [np.full(mine.size + rest, c)]
        unit += [mine, np.full(rest, filler)]
        label += [np.full(mine.size + rest, "census")]
    shape = _Shape(np.concatenate(psu), design.n_psu)
    return grouped_model_n(
        shape,  # type: ignore[arg-type]
        np.concatenate(unit),
        np.concatenate(label),
        {"census": k_c, "unflagged": k_u},
        {"census": rho_c, "unflagged": rho_u},
        p,
        total=total,
    )


@dataclass(frozen=True)
class _Shape:
    """The PSU layout :func:`grouped_model_n` reads (units that are not the design's rows)."""

    psu: np.ndarray
    n_psu: int


def with_census_size(
    estimate: Estimate,
    design: Design,
    event_size: np.ndarray,
    denominator: np.ndarray,
    flagged: np.ndarray,
    village_households: np.ndarray,
    domain: np.ndarray,
    model,
) -> Estimate:
    """``estimate`` (a ``wilson-model`` ratio) on the screening census effective size
    (:func:`census_model_n`): the same Wilson interval on the design df, its one-sided bound
    following it (``n_event`` the census size, ``deff_model`` 1). Other methods unchanged."""
    if estimate.method != "wilson-model":
        return estimate
    domain = np.asarray(domain, bool)
    weights = design.weights
    size = np.asarray(event_size, float)
    units = np.where(domain & (weights > 0), weights * np.where(domain, size, 0.0), 0.0)
    n = census_model_n(
        design, units, denominator, flagged, village_households, domain, model, estimate.estimate
    )
    return on_model_size(estimate, n)


def on_model_size(estimate: Estimate, n: float, level: float | None = None) -> Estimate:
    """``estimate`` (a ``wilson-model`` one) with its Wilson interval on the effective size
    ``n``, carried as ``n_event`` with ``deff_model`` 1 so that the one-sided bound follows it."""
    from dataclasses import replace

    low, high = intervals.interval(
        "wilson-model",
        estimate.estimate,
        estimate.se,
        n=estimate.n,
        df=estimate.df,
        n_kish=estimate.n_kish,
        level=estimate.level if level is None else level,
        n_event=n,
        deff_model=1.0,
    )
    return replace(estimate, ci_low=low, ci_high=high, n_event=n, deff_model=1.0)
