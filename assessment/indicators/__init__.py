"""The four exit indicators (三率一度) and their verdicts, on top of :mod:`assessment.estimation`.

PURE module. Input: one row per sampled household (:class:`HouseholdSample`), county totals from
the registry and the frame (:class:`CountyTotals`) and the thresholds of the assessment round
(:class:`Scheme`). Output: :class:`CountyAssessment`, consumed by the database layer and the PDF
report. All rates are proportions 0-1; percentages exist only in templates and reports.

Definitions (``docs/estimation.md``; shared/domain.md §2.2):

- 错退率 ``wrongful_exit_rate``: persons in sampled exited households found not meeting the
  standard ÷ persons in sampled exited households, weighted ratio, PSU = village.
- 漏评率 ``missed_rate``: persons found meeting the poverty criteria in non-registered
  households ÷ non-registered population of the sampled villages (known per village), a
  ratio over sampled villages.
- 综合贫困发生率 ``poverty_incidence``: (remaining registered poor + 错退率 × exited population
  + 漏评率 × non-registered population) ÷ rural population. Its uncertainty (delta method) is
  that of the population-weighted average ``q`` of the two rates, estimated jointly from the
  same villages so that their covariance is included, mapped by the affine formula; bounds and
  probabilities come from ``q``'s pivot, so zero findings still give a positive upper bound.
- 群众认可度 ``recognition_rate``: recognising households ÷ households surveyed, weighted.

Purposively chosen (non-random) villages are left out of the design-based estimates and
summarised separately, unweighted (:class:`PurposiveSummary`).

Thin data never raises: an indicator that cannot be estimated is ``insufficient_data``
(:class:`Official`, :class:`Confidence`) with a reason (:class:`Insufficient`).
Non-response (weighting-class adjustment, response rates, worst case) is in
:mod:`assessment.indicators.nonresponse`.
"""

from assessment.indicators.county import estimate_county, rates
from assessment.indicators.model import (
    INDICATORS,
    BreakdownRow,
    Confidence,
    CountyAssessment,
    CountyTotals,
    HouseholdSample,
    IndicatorResult,
    Insufficient,
    Official,
    PurposiveSummary,
    Scheme,
)
from assessment.indicators.verdicts import bound_label, combine, judge, side_of

__all__ = [
    "INDICATORS",
    "BreakdownRow",
    "Confidence",
    "CountyAssessment",
    "CountyTotals",
    "HouseholdSample",
    "IndicatorResult",
    "Insufficient",
    "Official",
    "PurposiveSummary",
    "Scheme",
    "bound_label",
    "combine",
    "estimate_county",
    "judge",
    "rates",
    "side_of",
]
