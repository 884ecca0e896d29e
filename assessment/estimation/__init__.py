"""Design-based estimation for complex samples (PURE: numpy, scipy, assessment.core.i18n only).

Taylor-linearisation variance for stratified multistage samples as R's ``survey`` package
computes it, estimators of means, totals, proportions and ratios over domains, design effects,
and confidence intervals (Wald-t, Korn–Graubard, Wilson) with one-sided bounds for verdicts.
See ``docs/estimation.md``.

Public API
----------
make_design, Design, DesignWarning, EstimationError
total, mean, proportion, proportions, ratio, ratio_scores, from_scores, Estimate
grouped_model_n, census_model_n, with_census_size, check_screening_model
taylor_covariance, group_sums
one_sided_bound, probability_within
choose_method, METHODS, CI_METHODS, COMPARATORS, LONELY_PSU_OPTIONS
"""

from assessment.estimation.confidence import one_sided_bound, probability_within
from assessment.estimation.design import LONELY_PSU_OPTIONS, Design, make_design
from assessment.estimation.errors import DesignWarning, EstimationError
from assessment.estimation.estimators import (
    CI_METHODS,
    Estimate,
    census_model_n,
    check_screening_model,
    from_scores,
    grouped_model_n,
    mean,
    on_model_size,
    proportion,
    proportions,
    ratio,
    ratio_scores,
    total,
    with_census_size,
)
from assessment.estimation.intervals import COMPARATORS, METHODS, choose_method
from assessment.estimation.variance import group_sums, taylor_covariance

__all__ = [
    "CI_METHODS",
    "COMPARATORS",
    "LONELY_PSU_OPTIONS",
    "METHODS",
    "Design",
    "DesignWarning",
    "Estimate",
    "EstimationError",
    "census_model_n",
    "check_screening_model",
    "choose_method",
    "from_scores",
    "group_sums",
    "grouped_model_n",
    "make_design",
    "mean",
    "on_model_size",
    "one_sided_bound",
    "probability_within",
    "proportion",
    "proportions",
    "ratio",
    "ratio_scores",
    "taylor_covariance",
    "total",
    "with_census_size",
]
