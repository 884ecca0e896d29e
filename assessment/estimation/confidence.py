"""One-sided bounds and threshold probabilities of an :class:`Estimate`, for verdicts.

Both use the pivot of the estimate's own interval method (see
:mod:`assessment.estimation.intervals`), so that "the true rate is within the threshold with
at least 95 % confidence" holds exactly when the 95 % one-sided bound is within it. For
``wilson-model`` the pivot is Wilson's score on the model effective size (the bound is that
family's one-sided end); for ``korn-graubard-kish`` it is the one-sided Korn–Graubard one
(Satterthwaite's degrees of freedom), not an end of the two-sided interval.
"""

from __future__ import annotations

from assessment.core.i18n import N_
from assessment.estimation import intervals
from assessment.estimation.errors import EstimationError
from assessment.estimation.estimators import Estimate


def _pivot_method(estimate: Estimate) -> str:
    return estimate.method


def _pivot_args(estimate: Estimate) -> dict:
    return {
        "n": estimate.n,
        "df": estimate.df,
        "n_kish": estimate.n_kish,
        "df_eff": estimate.df_eff,
        "n_event": estimate.n_event,
        "deff_model": estimate.deff_model,
    }


def one_sided_bound(estimate: Estimate, side: str = "upper", confidence: float = 0.95) -> float:
    """The one-sided confidence bound of an estimate.

    Parameters
    ----------
    estimate : Estimate
    side : {"upper", "lower"}
    confidence : float
        Confidence of the one-sided statement, e.g. 0.95 (the true value is below the upper
        bound with that confidence).

    Returns
    -------
    float
        In the unit of the estimate (0-1 for rates).
    """
    if side not in ("upper", "lower"):
        raise EstimationError(N_("side must be 'upper' or 'lower', got {value!r}"), value=side)
    intervals.check_level(confidence, "confidence")
    if estimate.method == "census":
        return estimate.estimate  # no sampling error: the bound is the value
    return intervals.bound(
        _pivot_method(estimate),
        estimate.estimate,
        estimate.se,
        q=confidence,
        side=side,
        one_sided=True,
        **_pivot_args(estimate),
    )


def probability_within(
    estimate: Estimate, threshold: float, comparator: str = "<=", confidence: float = 0.95
) -> float:
    """Confidence that the true value satisfies ``true <comparator> threshold``.

    For ``"<"``/``"<="`` it is the level at which the one-sided upper bound equals the
    threshold (t distribution for Wald-t, beta for Korn–Graubard, score for Wilson); for
    ``">"``/``">="`` the same with the lower bound. Strict and non-strict comparators agree
    (continuous pivots).

    Parameters
    ----------
    estimate : Estimate
    threshold : float
        In the unit of the estimate (0.02 for 2 %).
    comparator : {"<", "<=", ">", ">="}
    confidence : float
        The confidence the verdict is stated at; it fixes the degrees-of-freedom adjustment of
        the Korn–Graubard effective size so that the probability and the bound agree.

    Returns
    -------
    float
        Between 0 and 1.
    """
    if comparator not in intervals.COMPARATORS:
        raise EstimationError(
            N_("comparator must be one of {options}, got {value!r}"),
            options=intervals.COMPARATORS,
            value=comparator,
        )
    intervals.check_level(confidence, "confidence")
    below = comparator in ("<", "<=")
    if estimate.method == "census":
        ok = estimate.estimate <= threshold if below else estimate.estimate >= threshold
        return 1.0 if ok else 0.0
    function = intervals.probability_below if below else intervals.probability_above
    return function(
        _pivot_method(estimate),
        estimate.estimate,
        estimate.se,
        threshold,
        confidence=confidence,
        **_pivot_args(estimate),
    )
