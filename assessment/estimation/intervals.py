"""Confidence intervals, one-sided bounds and the probability that a rate is within a threshold.

Four interval methods:

``"wald-t"``
    estimate ± t(df) · SE, t on the design degrees of freedom.
``"korn-graubard"``
    Clopper–Pearson on the effective sample size ``p(1-p)/Var(p)``, adjusted for the design
    degrees of freedom as R's ``svyciprop(method="beta")`` (Korn and Graubard 1998).
``"wilson"``
    Wilson's score interval on the effective sample size, with the t(df) quantile.
``"korn-graubard-kish"``
    Korn–Graubard for rare rates in clustered, unequally weighted samples (the exit
    indicators' previous interval, kept for comparison; see docs/estimation.md). Three
    changes to ``"korn-graubard"``, each from the literature:

    - the design effect is not allowed below Kish's design effect for unequal weighting and
      cluster size: the effective size is ``min(p(1-p)/Var(p), n_K)`` with
      ``n_K = (Σ w s)² / Σ (w s)²`` over the domain rows, ``s`` the row's event size (the
      persons a household counts when it is an event: the ratio's denominator unless given).
      Korn and Graubard (1998) truncate the design effect at 1 under equal weights; under
      unequal weights and whole households counted in persons the floor is Kish's
      ``deff_w`` (Kish 1965, 1992; Gabler, Häder and Lahiri 1999 with no intra-cluster
      correlation). A design-based variance resting on a few events is often far below it,
      and the interval built on it undercovers (Franco et al. 2019);
    - zero events (or all events) use ``n_K`` itself, so the bound accounts for the weights
      and for persons being counted by household;
    - the one-sided bound and the threshold probability (the pivot of verdicts,
      ``one_sided=True``) adjust the effective size on Satterthwaite's effective degrees of
      freedom of the variance estimate, ``min(df, ν)`` with ``ν = (Σ c_i d_i²)² / Σ (c_i d_i²)²``
      over the first-stage variance terms (Satterthwaite 1946; Johnson and Rust 1992), which
      is near 1 when one village carries the variance;
    - the two-sided interval is Wilson's score interval on the same floored effective size
      with the ``t(df)`` quantile, as ``"wilson"`` (Franco et al. 2019 and Kott and Liu
      2017 recommend Wilson's form for two-sided intervals in complex samples: the exact
      Clopper–Pearson ends on a few events cover far more than their level), its upper end
      raised to the one-sided bound at the same level when below it (lower end for a
      proportion above one half), so that the interval reported beside a one-sided bound
      always contains it.

``"wilson-model"``
    The exit indicators' rare rates (错退率, 漏评率, 综合贫困发生率; ``ci_method="auto-rare"``):
    Wilson's score interval with the ``t(df)`` quantile (design degrees of freedom) on a
    model-based effective size, ``n_K / deff_model`` (Franco et al. 2019): ``n_K`` Kish's
    effective size of the event sizes (weighting and persons counted by household) and
    ``deff_model = 1 + (b* - 1) ρ`` the clustering design effect of Gabler, Häder and Lahiri
    (1999), ``b*`` the weighted village size and ``ρ`` an intra-village correlation pooled from
    more data than the county (given by the caller). The effective size does not depend on the
    sample's own design-based variance, which for a rare event found in a few villages is too
    unstable to carry an interval. Both ends and the one-sided bound are ends of the same
    family: the two-sided 95 % interval at ``t(df)`` quantiles 0.025 / 0.975, the one-sided 95 %
    bound at 0.95, so the interval contains the bound by construction. Zero events give
    ``[0, z²/(m + z²)]``.

When the estimated variance is zero for a proportion of 0 or 1 (no events, or only events) the
effective sample size falls back to Kish's ``(Σw)²/Σw²`` of the domain (``n_K`` for
``korn-graubard-kish``), so that zero events give
a one-sided interval ``[0, upper]`` with ``upper > 0``, never a zero-width interval.

Without design degrees of freedom (``df < 1``: every domain row in one PSU per stratum) or
without a finite standard error there is no interval: bounds and probabilities are NaN, as R's
``qt(q, 0)`` makes them.

Each method defines a pivot, used consistently by :func:`one_sided_bound` and
:func:`probability_within`: "meets with ≥ 95 % confidence" is exactly "the 95 % one-sided bound
is on the right side of the threshold".

References
----------
Korn EL, Graubard BI (1998). Confidence intervals for proportions with small expected number
of positive counts estimated from survey data. *Survey Methodology* 24:193-201.
Kish L (1992). Weighting for unequal Pi. *Journal of Official Statistics* 8:183-200.
Gabler S, Häder S, Lahiri P (1999). A model based justification of Kish's formula for design
effects for weighting and clustering. *Survey Methodology* 25:105-106.
Satterthwaite FE (1946). An approximate distribution of estimates of variance components.
*Biometrics Bulletin* 2:110-114.
Johnson EG, Rust KF (1992). Population inferences and variance estimation for NAEP data.
*Journal of Educational Statistics* 17:175-190.
Franco C, Little RJA, Louis TA, Slud EV (2019). Comparative study of confidence intervals for
proportions in complex sample surveys. *Journal of Survey Statistics and Methodology*
7:334-364.
Kott PS, Liu YK (2017). A note on Wilson coverage intervals for proportions estimated from
complex samples. *Survey Methodology* 43(2).
"""

from __future__ import annotations

import math

from scipy import stats

from assessment.core.i18n import N_
from assessment.estimation.errors import EstimationError

METHODS = ("wald-t", "korn-graubard", "wilson", "korn-graubard-kish", "wilson-model")
COMPARATORS = ("<", "<=", ">", ">=")


def check_level(level: float, name: str = "level") -> None:
    """Refuse a confidence level outside [0.5, 1), naming the argument ``name``."""
    if not 0.5 <= level < 1:
        raise EstimationError(
            N_("{name} must be in [0.5, 1), got {value!r}"), name=name, value=level
        )


def _t(q: float, df: float) -> float:
    return float(stats.t.ppf(q, df)) if df >= 1 else math.nan


def _defined(se: float, df: float) -> bool:
    """Whether an interval exists: a finite SE and at least one design degree of freedom."""
    return math.isfinite(se) and df >= 1


def adjusted_df(df: float, df_eff: float) -> float:
    """Satterthwaite's degrees of freedom of the variance, ``min(df, ν)``, at least 1."""
    if not math.isfinite(df_eff):
        return df
    return max(1.0, min(float(df), df_eff))


def effective_n_kish(p, se, n, df, n_event, tail, df_eff, one_sided) -> float:
    """Effective size of ``korn-graubard-kish``: at most ``n_event``, adjusted on its df."""
    if not (se > 0 and 0 < p < 1):
        return float(n_event)
    m = min(_plain_n(p, se, n_event), float(n_event))
    if n > 1:
        m *= (_t(tail, n - 1) / _t(tail, adjusted_df(df, df_eff) if one_sided else df)) ** 2
    return float(m)


def model_n(n_event: float, n_kish: float, deff_model: float) -> float:
    """The model-based effective size of ``wilson-model``: ``n_K / deff_model``.

    ``n_K`` is ``n_event`` (``n_kish`` when NaN); a missing or sub-unit ``deff_model`` counts
    as 1 (no clustering beyond the weights and the household sizes).
    """
    events = n_event if math.isfinite(n_event) else n_kish
    deff = deff_model if math.isfinite(deff_model) and deff_model > 1 else 1.0
    return float(events) / deff


def effective_n(p: float, se: float, n: int, df: float, n_kish: float, tail: float) -> float:
    """Effective sample size behind the Korn–Graubard pivot.

    Parameters
    ----------
    p, se : float
        Estimated proportion (0-1) and its standard error.
    n : int
        Observations in the domain.
    df : float
        Design degrees of freedom.
    n_kish : float
        Kish's effective size ``(Σw)²/Σw²``, used when the variance is zero.
    tail : float
        Tail probability of the quantile used for the degrees-of-freedom adjustment
        (``alpha/2`` for a two-sided interval, ``alpha`` for a one-sided bound).

    Returns
    -------
    float
    """
    m = _plain_n(p, se, n_kish)
    if se > 0 and 0 < p < 1 and n > 1:
        m *= (_t(tail, n - 1) / _t(tail, df)) ** 2
    return float(m)


def _plain_n(p: float, se: float, n_kish: float) -> float:
    """``p(1-p)/se²`` (Kish's size when that is undefined), without df adjustment (Wilson)."""
    if se <= 0 or p <= 0 or p >= 1:
        return float(n_kish)
    return p * (1 - p) / se**2


def _beta_upper(p: float, m: float, q: float) -> float:
    x = m * p
    return 1.0 if x >= m else float(stats.beta.ppf(q, x + 1, m - x))


def _beta_lower(p: float, m: float, q: float) -> float:
    x = m * p
    return 0.0 if x <= 0 else float(stats.beta.ppf(1 - q, x, m - x + 1))


def _wilson(p: float, m: float, z: float, sign: int) -> float:
    z2 = z * z
    centre = (p + z2 / (2 * m)) / (1 + z2 / m)
    half = z / (1 + z2 / m) * math.sqrt(p * (1 - p) / m + z2 / (4 * m * m))
    return min(1.0, max(0.0, centre + sign * half))


def bound(
    method: str,
    p: float,
    se: float,
    *,
    n: int,
    df: float,
    n_kish: float,
    q: float,
    side: str,
    df_eff: float = math.nan,
    n_event: float = math.nan,
    one_sided: bool = False,
    deff_model: float = math.nan,
) -> float:
    """One bound at quantile ``q`` (e.g. 0.975 for a two-sided 95 % interval).

    Parameters
    ----------
    method : {"wald-t", "korn-graubard", "wilson", "korn-graubard-kish", "wilson-model"}
    p, se : float
        Estimate and standard error (proportions 0-1 for the last two methods).
    n, df, n_kish : see :func:`effective_n`.
    q : float
        Confidence of this bound alone, in (0.5, 1).
    side : {"upper", "lower"}
    df_eff : float
        Satterthwaite's effective PSU degrees of freedom (``korn-graubard-kish``, one-sided).
    n_event : float
        Kish's effective size of the event sizes (``korn-graubard-kish``); ``n_kish`` when NaN.
    one_sided : bool
        A one-sided bound (the verdict's pivot) rather than an end of a two-sided interval;
        only ``korn-graubard-kish`` treats them differently (its degrees of freedom).
    deff_model : float
        The model-based clustering design effect of ``wilson-model`` (1 when NaN).

    Returns
    -------
    float
    """
    sign = 1 if side == "upper" else -1
    if method not in METHODS:
        raise EstimationError(
            N_("method must be one of {options}, got {value!r}"), options=METHODS, value=method
        )
    if not _defined(se, df):
        return math.nan
    if method == "wald-t":
        return float(p + sign * _t(q, df) * se)
    if method == "korn-graubard":
        m = effective_n(p, se, n, df, n_kish, 1 - q)
        return _beta_upper(p, m, q) if side == "upper" else _beta_lower(p, m, q)
    if method == "korn-graubard-kish":
        events = n_event if math.isfinite(n_event) else n_kish
        if not one_sided:
            return _rare_two_sided_end(p, se, n, df, events, q, side, df_eff)
        m = effective_n_kish(p, se, n, df, events, 1 - q, df_eff, True)
        return _beta_upper(p, m, q) if side == "upper" else _beta_lower(p, m, q)
    if method == "wilson-model":
        return _wilson(p, model_n(n_event, n_kish, deff_model), _t(q, df), sign)
    return _wilson(p, _plain_n(p, se, n_kish), _t(q, df), sign)


def _rare_two_sided_end(p, se, n, df, n_event, q, side, df_eff) -> float:
    """An end of the two-sided interval of ``korn-graubard-kish`` at quantile ``q``.

    Wilson's score interval on the effective size ``min(p(1-p)/Var(p), n_event)`` with the
    ``t(df)`` quantile (Wilson's form is recommended for two-sided intervals in complex
    samples by Franco et al. 2019 and Kott and Liu 2017). Its upper end is raised to the
    one-sided bound at the interval's own level (Korn–Graubard on Satterthwaite's degrees of
    freedom, the verdicts' pivot) when below it, so that the two-sided interval never ends
    below the one-sided bound it is reported beside. The mirror holds for a proportion above
    one half (its rare outcome is the complement): the lower end is lowered to the one-sided
    lower bound.
    """
    m = min(_plain_n(p, se, n_event), float(n_event))
    sign = 1 if side == "upper" else -1
    end = _wilson(p, m, _t(q, df), sign)
    if (side == "upper") != (p <= 0.5):
        return end
    level = 2 * q - 1
    one = effective_n_kish(p, se, n, df, n_event, 1 - level, df_eff, True)
    if side == "upper":
        return max(end, _beta_upper(p, one, level))
    return min(end, _beta_lower(p, one, level))


def interval(
    method, p, se, *, n, df, n_kish, level, df_eff=math.nan, n_event=math.nan, deff_model=math.nan
) -> tuple[float, float]:
    """Two-sided interval ``(low, high)`` at confidence ``level`` (see :func:`bound`)."""
    check_level(level)
    q = 1 - (1 - level) / 2
    kwargs = {"n": n, "df": df, "n_kish": n_kish, "q": q, "df_eff": df_eff, "n_event": n_event}
    kwargs["deff_model"] = deff_model
    return bound(method, p, se, side="lower", **kwargs), bound(
        method, p, se, side="upper", **kwargs
    )


def probability_below(
    method,
    p,
    se,
    threshold,
    *,
    n,
    df,
    n_kish,
    confidence=0.95,
    df_eff=math.nan,
    n_event=math.nan,
    deff_model=math.nan,
) -> float:
    """Confidence that the true value is at most ``threshold`` (the upper-bound pivot).

    It is the level ``γ`` at which the one-sided upper bound equals ``threshold``; the
    Korn–Graubard effective size is adjusted at tail ``1 - confidence`` so that
    ``probability_below(...) >= confidence`` exactly when ``bound(..., q=confidence) <=
    threshold``.

    Returns
    -------
    float
        Between 0 and 1; NaN without an interval (see the module docstring).
    """
    if not _defined(se, df):
        return math.nan
    if method == "wald-t":
        if se <= 0:
            return 1.0 if p <= threshold else 0.0
        return float(stats.t.cdf((threshold - p) / se, df))
    if threshold >= 1:
        return 1.0
    if threshold <= 0:
        return 0.0
    if method in ("korn-graubard", "korn-graubard-kish"):
        m = _kg_size(method, p, se, n, df, n_kish, 1 - confidence, df_eff, n_event)
        x = m * p
        return 0.0 if x >= m else float(stats.beta.cdf(threshold, x + 1, m - x))
    m = _score_size(method, p, se, n_kish, n_event, deff_model)
    score = (threshold - p) / math.sqrt(threshold * (1 - threshold) / m)
    return float(stats.t.cdf(score, df))


def probability_above(
    method,
    p,
    se,
    threshold,
    *,
    n,
    df,
    n_kish,
    confidence=0.95,
    df_eff=math.nan,
    n_event=math.nan,
    deff_model=math.nan,
) -> float:
    """Confidence that the true value is at least ``threshold`` (the lower-bound pivot)."""
    if not _defined(se, df):
        return math.nan
    if method == "wald-t":
        if se <= 0:
            return 1.0 if p >= threshold else 0.0
        return float(stats.t.cdf((p - threshold) / se, df))
    if threshold <= 0:
        return 1.0
    if threshold >= 1:
        return 0.0
    if method in ("korn-graubard", "korn-graubard-kish"):
        m = _kg_size(method, p, se, n, df, n_kish, 1 - confidence, df_eff, n_event)
        x = m * p
        return 0.0 if x <= 0 else float(stats.beta.sf(threshold, x, m - x + 1))
    m = _score_size(method, p, se, n_kish, n_event, deff_model)
    score = (p - threshold) / math.sqrt(threshold * (1 - threshold) / m)
    return float(stats.t.cdf(score, df))


def _score_size(method, p, se, n_kish, n_event, deff_model) -> float:
    """The effective size of a Wilson pivot (``wilson`` or ``wilson-model``)."""
    if method == "wilson-model":
        return model_n(n_event, n_kish, deff_model)
    return _plain_n(p, se, n_kish)


def _kg_size(method, p, se, n, df, n_kish, tail, df_eff, n_event) -> float:
    """The Korn–Graubard effective size of the one-sided pivot (verdicts)."""
    if method == "korn-graubard":
        return effective_n(p, se, n, df, n_kish, tail)
    events = n_event if math.isfinite(n_event) else n_kish
    return effective_n_kish(p, se, n, df, events, tail, df_eff, True)


def choose_method(
    p: float, se: float, n_eff: float, *, bounded: bool, rare: str = "korn-graubard"
) -> str:
    """The documented automatic rule.

    Wald-t for unbounded statistics (means, totals, unbounded ratios). For proportions and
    ratios known to lie in [0, 1]: Korn–Graubard when the estimate is within 0.10 of 0 or 1,
    when the smaller expected count ``n_eff · min(p, 1-p)`` is below 10, or when the
    variance is zero; Wald-t otherwise.

    Parameters
    ----------
    p, se : float
        Estimate and standard error.
    n_eff : float
        Effective sample size (Kish or n/deff).
    bounded : bool
        Whether the statistic is a proportion in [0, 1].
    rare : str
        The method for the rare (or near-certain) case: ``"korn-graubard"`` (R's
        ``svyciprop(method="beta")``, the default), ``"wilson-model"`` (the exit
        indicators' rare rates, ``ci_method="auto-rare"``) or ``"korn-graubard-kish"``.

    Returns
    -------
    str
        One of ``METHODS``.
    """
    if not bounded:
        return "wald-t"
    smaller = min(p, 1 - p)
    if smaller < 0.10 or se <= 0 or not (n_eff * smaller >= 10):
        return rare
    return "wald-t"
