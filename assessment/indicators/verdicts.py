"""Verdicts of the indicators: the official rule, the confidence statement and their words (PURE).

:func:`judge` turns one estimate into an :class:`~assessment.indicators.IndicatorResult`;
:func:`combine` gives the county's overall official result and confidence. Neither raises on
thin data: a missing estimate gives ``insufficient_data`` with a reason.
"""

from __future__ import annotations

import math

from assessment import estimation as est
from assessment.core.i18n import N_, Message
from assessment.estimation import intervals
from assessment.indicators.model import (
    COMPARE,
    Confidence,
    IndicatorResult,
    Insufficient,
    Official,
    Scheme,
)

_STATEMENTS = {
    Confidence.MEETS: N_("{indicator} meets the threshold with at least {confidence} confidence"),
    Confidence.FAILS: N_("{indicator} fails the threshold with at least {confidence} confidence"),
    Confidence.INCONCLUSIVE: N_(
        "{indicator}: inconclusive; probability {probability} that it is within the threshold"
    ),
    Confidence.INSUFFICIENT: N_("{indicator}: insufficient data for a confidence statement"),
}
_BOUND_LABELS = {
    "upper": N_("one-sided {level} upper bound ({method}, {df} design degrees of freedom)"),
    "lower": N_("one-sided {level} lower bound ({method}, {df} design degrees of freedom)"),
}
# korn-graubard-kish: the one-sided bound rests on Satterthwaite's degrees of freedom
_BOUND_LABELS_EFFECTIVE = {
    "upper": N_(
        "one-sided {level} upper bound ({method}; design effect at least Kish's; "
        "{df} effective degrees of freedom, Satterthwaite)"
    ),
    "lower": N_(
        "one-sided {level} lower bound ({method}; design effect at least Kish's; "
        "{df} effective degrees of freedom, Satterthwaite)"
    ),
}
# wilson-model: the bound is Wilson's on the model-based effective size, design df
_BOUND_LABELS_MODEL = {
    "upper": N_(
        "one-sided {level} upper bound (Wilson; effective sample size from Kish's design "
        "effect and a village design effect of {deff}; {df} design degrees of freedom)"
    ),
    "lower": N_(
        "one-sided {level} lower bound (Wilson; effective sample size from Kish's design "
        "effect and a village design effect of {deff}; {df} design degrees of freedom)"
    ),
}
# Proper names of the interval methods, the same in every language.
METHOD_NAMES = {
    "korn-graubard": "Korn–Graubard",
    "korn-graubard-kish": "Korn–Graubard",
    "wilson": "Wilson",
    "wilson-model": "Wilson",
    "wald-t": "Wald t",
    "census": "census",
}


def side_of(comparator: str) -> str:
    """The bound on the threshold's side: ``"upper"`` for ``<``/``<=``, else ``"lower"``."""
    return "upper" if comparator in ("<", "<=") else "lower"


def bound_label(estimate: est.Estimate, side: str, confidence: float) -> Message:
    """What a one-sided bound is, in words for reports.

    Parameters
    ----------
    estimate : Estimate
        The estimate whose pivot gives the bound (its ``method`` and ``df``).
    side : {"upper", "lower"}
    confidence : float
        Confidence of the one-sided statement (0.95).

    Returns
    -------
    Message
        E.g. "one-sided 95% upper bound (Korn–Graubard, 27 design degrees of freedom)".
    """
    method = METHOD_NAMES.get(estimate.method, estimate.method)
    if estimate.method == "wilson-model":
        deff = estimate.deff_model if math.isfinite(estimate.deff_model) else 1.0
        words = {"level": f"{confidence:.0%}", "df": estimate.df, "deff": f"{deff:.2f}"}
        return Message(_BOUND_LABELS_MODEL[side], words)
    if estimate.method == "korn-graubard-kish":
        df = intervals.adjusted_df(estimate.df, estimate.df_eff)
        words = {"level": f"{confidence:.0%}", "method": method, "df": f"{round(df, 1):g}"}
        return Message(_BOUND_LABELS_EFFECTIVE[side], words)
    return Message(
        _BOUND_LABELS[side], {"level": f"{confidence:.0%}", "method": method, "df": estimate.df}
    )


def fails_level(confidence: float) -> float:
    """The one-sided level of the bound "fails with ``confidence``" rests on: ``1 − (1 − c)/2``.

    "Fails with at least 95 % confidence" is said when the whole two-sided 95 % interval lies
    on the failing side of the threshold, that is when the interval's own 2.5 % end (the
    one-sided 97.5 % bound of the same family) clears it. The one-sided 95 % bound on that
    side was measured too liberal for the rare rates (the truth beyond it in up to 9 % of
    samples); the interval's end holds about 95 % (docs/estimation.md, "The county's side").
    """
    return 1.0 - (1.0 - confidence) / 2.0


def fails_bound(
    pivot: est.Estimate, comparator: str, confidence: float, *, base=0.0, slope=1.0
) -> float:
    """The bound "fails with ``confidence``" rests on: the two-sided interval's end away from
    the threshold's side (its lower end for the rates, upper end for recognition).

    Parameters
    ----------
    pivot : Estimate
        The estimate the bound is taken on; the indicator is ``base + slope * pivot``.
    comparator : str
        The scheme's comparator of the indicator (``"<="`` for the rates, ``">="`` for
        recognition).
    confidence : float
        The confidence of the statement (0.95).

    Returns
    -------
    float
        In the indicator's unit; "fails" when it lies beyond the threshold.
    """
    far = "lower" if side_of(comparator) == "upper" else "upper"
    return base + slope * est.one_sided_bound(pivot, far, fails_level(confidence))


def _nan() -> float:
    return float("nan")


def insufficient(
    indicator: str,
    scheme: Scheme,
    reason: str,
    *,
    events: int = 0,
    detail: est.Estimate | None = None,
) -> IndicatorResult:
    """An indicator with no point estimate: every number NaN, both verdicts insufficient."""
    threshold, comparator = scheme.rule(indicator)
    statement = Message(_STATEMENTS[Confidence.INSUFFICIENT], {"indicator": indicator})
    return IndicatorResult(
        indicator=indicator,
        estimate=_nan(),
        se=_nan(),
        ci_low=_nan(),
        ci_high=_nan(),
        one_sided_bound=_nan(),
        lower_bound=_nan(),
        upper_bound=_nan(),
        fails_bound=_nan(),
        threshold=threshold,
        comparator=comparator,
        official=Official.INSUFFICIENT,
        confidence=Confidence.INSUFFICIENT,
        probability_within=_nan(),
        events=int(events),
        statement=statement,
        detail=detail,
        reason=str(reason),
    )


def judge(
    indicator: str,
    estimate: est.Estimate | None,
    scheme: Scheme,
    *,
    events: int = 0,
    pivot: est.Estimate | None = None,
    base: float = 0.0,
    slope: float = 1.0,
    reason: str | None = None,
) -> IndicatorResult:
    """Official result and confidence statement of one indicator; never raises on thin data.

    Parameters
    ----------
    indicator : str
        One of ``INDICATORS``.
    estimate : Estimate or None
        The indicator (0-1); None (or a NaN estimate) when it cannot be estimated.
    scheme : Scheme
    events : int
        Unweighted numerator households, reported as is.
    pivot, base, slope : optional
        When the indicator is ``base + slope * pivot`` (poverty incidence), bounds and
        probabilities are taken on ``pivot`` and mapped back.
    reason : str, optional
        The :class:`Insufficient` reason to report when the estimate is missing.

    Returns
    -------
    IndicatorResult
        ``official`` is ``insufficient_data`` without a point estimate; ``confidence`` is
        ``insufficient_data`` without a finite bound (e.g. no design degrees of freedom).
    """
    if estimate is None or not math.isfinite(estimate.estimate):
        return insufficient(
            indicator, scheme, reason or Insufficient.NO_ROWS, events=events, detail=estimate
        )
    threshold, comparator = scheme.rule(indicator)
    pivot = pivot or estimate
    c = scheme.confidence
    lower = base + slope * est.one_sided_bound(pivot, "lower", c)
    upper = base + slope * est.one_sided_bound(pivot, "upper", c)
    failing = fails_bound(pivot, comparator, c, base=base, slope=slope)
    mapped = (threshold - base) / slope if slope > 0 else threshold
    probability = est.probability_within(pivot, mapped, comparator, c)
    passes = COMPARE[comparator](estimate.estimate, threshold)
    official = Official.MEETS if passes else Official.FAILS
    side = side_of(comparator)
    if not all(math.isfinite(v) for v in (lower, upper, failing, probability)):
        confidence, reason = Confidence.INSUFFICIENT, Insufficient.NO_DEGREES_OF_FREEDOM
        lower = upper = failing = probability = _nan()
    else:
        confidence, reason = _confidence(probability, failing, threshold, side, c), None
    statement = Message(
        _STATEMENTS[confidence],
        {"indicator": indicator, "confidence": f"{c:.0%}", "probability": f"{probability:.0%}"},
    )
    return IndicatorResult(
        indicator=indicator,
        estimate=float(estimate.estimate),
        se=float(estimate.se),
        ci_low=float(estimate.ci_low),
        ci_high=float(estimate.ci_high),
        one_sided_bound=upper if side == "upper" else lower,
        lower_bound=lower,
        upper_bound=upper,
        fails_bound=failing,
        threshold=threshold,
        comparator=comparator,
        official=official,
        confidence=confidence,
        probability_within=probability,
        events=int(events),
        statement=statement,
        bound_label=None if reason else bound_label(pivot, side, c),
        detail=estimate,
        reason=None if reason is None else str(reason),
    )


def _confidence(probability, failing, threshold, side, c) -> Confidence:
    if probability >= c:
        return Confidence.MEETS
    if (failing > threshold) if side == "upper" else (failing < threshold):
        return Confidence.FAILS
    return Confidence.INCONCLUSIVE


def combine(results) -> tuple[Official, Confidence]:
    """The county's official result and confidence from its indicators' (see CountyAssessment)."""
    officials = {r.official for r in results}
    if Official.FAILS in officials:
        official = Official.FAILS
    elif Official.INSUFFICIENT in officials:
        official = Official.INSUFFICIENT
    else:
        official = Official.MEETS
    statements = {r.confidence for r in results}
    if Confidence.FAILS in statements:
        confidence = Confidence.FAILS
    elif Confidence.INSUFFICIENT in statements:
        confidence = Confidence.INSUFFICIENT
    elif statements == {Confidence.MEETS}:
        confidence = Confidence.MEETS
    else:
        confidence = Confidence.INCONCLUSIVE
    return official, confidence
