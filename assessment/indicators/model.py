"""Input and output dataclasses of the exit indicators (read by the database layer and reports).

See :mod:`assessment.indicators` for the definitions.

PURE module. All rates are proportions 0-1.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from assessment import estimation as est
from assessment.core.i18n import Message

INDICATORS = ("poverty_incidence", "wrongful_exit_rate", "missed_rate", "recognition_rate")
_PREFIX = {
    "poverty_incidence": "poverty_incidence",
    "wrongful_exit_rate": "wrongful_exit",
    "missed_rate": "missed",
    "recognition_rate": "recognition",
}
COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
# ρ, the intra-village correlation of 错退 / 漏评 households, when the round records no pooled
# value: a planning value, not a published one (docs/estimation.md says why 0.10).
RARE_RATE_ICC = 0.10


class Official(StrEnum):
    """The official result of an indicator: the scheme's rule, point estimate vs threshold."""

    MEETS = "meets"  # 符合
    FAILS = "fails"  # 不符合
    INSUFFICIENT = "insufficient_data"  # 数据不足: no point estimate can be formed


class Confidence(StrEnum):
    """Our confidence statement beside the official verdict."""

    MEETS = "meets"  # meets the threshold with at least the scheme's confidence
    FAILS = "fails"  # fails it with at least that confidence
    INCONCLUSIVE = "inconclusive"  # 不确定
    INSUFFICIENT = "insufficient_data"  # no interval can be formed (数据不足)


class Insufficient(StrEnum):
    """Why an indicator (or a breakdown row) carries no estimate or no interval."""

    NO_INTERVIEWS = "no_interviews"  # no approved interview at all
    NO_RANDOM_VILLAGE = "no_random_village"  # only purposively chosen villages
    NO_ROWS = "no_rows"  # no interviewed household concerned by the indicator
    ZERO_DENOMINATOR = "zero_denominator"  # the weighted denominator total is zero
    NO_POPULATION = "no_population"  # the county's rural population is zero
    NO_DEGREES_OF_FREEDOM = "no_degrees_of_freedom"  # one village per stratum: no variance
    COMPONENT = "component"  # a rate that poverty incidence is made of is insufficient


@dataclass(frozen=True)
class Scheme:
    """Thresholds and comparators of an assessment round (settings, never constants).

    Attributes
    ----------
    poverty_incidence_max, wrongful_exit_max, missed_max : float
        Thresholds as proportions (0.02 for 2 %, 0.03 in the west).
    recognition_min : float
        Threshold of mass recognition (0.90 for 90 %).
    poverty_incidence_comparator, wrongful_exit_comparator, missed_comparator : str
        How a rate must compare with its threshold to pass, ``"<"`` or ``"<="`` (boundary
        passes: ``"<="``, as "高于2%的不得退出").
    recognition_comparator : str
        ``">="`` (boundary passes) or ``">"``.
    confidence : float
        Confidence of the statements "meets / fails with ≥ …", e.g. 0.95.
    wrongful_exit_icc, missed_icc : float
        ρ of each rare rate's model design effect: the round's pooled value, or the planning
        value :data:`RARE_RATE_ICC` (docs/estimation.md, "Rare rates").
    missed_screening : tuple of 4 floats or None
        ``(k_C, ρ_C, k_U, ρ_U)``: the screening model of 漏评率 the round recorded (pooled
        from at least ten complete counties, ``assess pool-icc``). With it, a county whose plan
        has screening takes the census effective size for 漏评率's interval and bound
        (docs/estimation.md, "Census"); None: the village model with ``missed_icc``.
    """

    poverty_incidence_max: float
    wrongful_exit_max: float
    missed_max: float
    recognition_min: float
    poverty_incidence_comparator: str = "<="
    wrongful_exit_comparator: str = "<="
    missed_comparator: str = "<="
    recognition_comparator: str = ">="
    confidence: float = 0.95
    wrongful_exit_icc: float = RARE_RATE_ICC
    missed_icc: float = RARE_RATE_ICC
    missed_screening: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        if self.missed_screening is not None:
            object.__setattr__(
                self, "missed_screening", est.check_screening_model(self.missed_screening)
            )
        for name in ("wrongful_exit_icc", "missed_icc"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        for name in ("poverty_incidence", "wrongful_exit", "missed", "recognition"):
            comparator = getattr(self, f"{name}_comparator")
            if comparator not in COMPARE:
                raise ValueError(f"{name}_comparator must be one of {tuple(COMPARE)}")
        for name in ("poverty_incidence_max", "wrongful_exit_max", "missed_max", "recognition_min"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(
                    f"{name} must be a proportion in [0, 1], got {getattr(self, name)}"
                )
        if not 0.5 <= self.confidence < 1:
            raise ValueError(f"confidence must be in [0.5, 1), got {self.confidence}")

    def rule(self, indicator: str) -> tuple[float, str]:
        """``(threshold, comparator)`` of one of ``INDICATORS``."""
        prefix = _PREFIX[indicator]
        suffix = "min" if indicator == "recognition_rate" else "max"
        return getattr(self, f"{prefix}_{suffix}"), getattr(self, f"{prefix}_comparator")

    def icc(self, indicator: str) -> float | None:
        """ρ of a rare rate's interval; for poverty incidence, which pools both rates' events,
        the larger of the two (the more conservative); None for recognition (not rare)."""
        if indicator == "poverty_incidence":
            return max(self.wrongful_exit_icc, self.missed_icc)
        if indicator == "recognition_rate":
            return None
        return getattr(self, f"{_PREFIX[indicator]}_icc")


@dataclass(frozen=True)
class CountyTotals:
    """County-wide population counts, from the registry and the frame (persons).

    Attributes
    ----------
    remaining_poor : float
        Registered poor persons not yet exited (from the national system).
    exited_population : float
        Persons of exited (or planned-exit) registered households in the county.
    non_registered_population : float
        Non-registered rural population of the county.
    rural_population : float
        Rural (agricultural registered) population, the denominator of poverty incidence.
        Zero (a frame without persons) is accepted: poverty incidence is then
        ``insufficient_data``.
    """

    remaining_poor: float
    exited_population: float
    non_registered_population: float
    rural_population: float

    def __post_init__(self) -> None:
        for name in (
            "remaining_poor",
            "exited_population",
            "non_registered_population",
            "rural_population",
        ):
            if not 0 <= getattr(self, name) < float("inf"):
                raise ValueError(f"{name} must be a non-negative count, got {getattr(self, name)}")


@dataclass(frozen=True, eq=False)
class HouseholdSample:
    """One row per sampled and interviewed household (all arrays of the same length).

    Attributes
    ----------
    village : array_like
        Village id: the primary sampling unit.
    stratum : array_like
        Village stratum (e.g. poor / non_poor village).
    weight : array_like of float
        Household design weight (households in the county per sampled household).
    status : array_like of str
        ``"exited"``, ``"not_exited"`` or ``"non_registered"``.
    persons : array_like of float
        Household members.
    wrongly_exited : array_like of bool
        For exited households: found not meeting the standard (the whole household counts).
    missed_persons : array_like of float
        For non-registered households: persons found meeting the poverty criteria (0 if none).
    recognises : array_like of float
        1 recognising, 0 not, NaN when the recognition questionnaire was not answered.
    random_village : array_like of bool
        True when the village was drawn at random; False when chosen purposively.
    township : array_like
        Township of the village, for breakdowns.
    household_type : array_like
        Household type for breakdowns (e.g. general / dibao / wubao).
    village_weight : array_like of float, optional
        First-stage weight of the household's village. With ``village_non_registered``,
        the missed rate uses the known non-registered population of the sampled villages.
    village_non_registered : array_like of float, optional
        Non-registered population of the household's village (same value on its rows).
    village_fpc, household_fpc : array_like of float, optional
        Population sizes (or fractions) for the full two-stage variance: villages in the
        stratum, households in the village's list. Without them, with-replacement variance.
    missed_size : array_like of float, optional
        For non-registered households: the missed persons the household would count if it
        were found missed (``persons``, scaled as ``missed_persons`` is under screening); the
        event sizes of the 漏评率's interval. ``persons`` when omitted.
    flagged : array_like of bool, optional
        For non-registered households: carries a screening flag (a screening household, or a
        flagged household the SRS drew), for the screening-aware effective size of the
        漏评率 (the census size, :func:`assessment.estimation.with_census_size`, when the
        scheme has ``missed_screening``). None: the plan has no screening.
    village_nr_households : array_like of float, optional
        Non-registered households of the household's village (its list), for the census
        effective size.
    """

    village: np.ndarray
    stratum: np.ndarray
    weight: np.ndarray
    status: np.ndarray
    persons: np.ndarray
    wrongly_exited: np.ndarray
    missed_persons: np.ndarray
    recognises: np.ndarray
    random_village: np.ndarray
    township: np.ndarray
    household_type: np.ndarray
    village_weight: np.ndarray | None = None
    village_non_registered: np.ndarray | None = None
    village_fpc: np.ndarray | None = None
    household_fpc: np.ndarray | None = None
    missed_size: np.ndarray | None = None
    flagged: np.ndarray | None = None
    village_nr_households: np.ndarray | None = None

    def __post_init__(self) -> None:
        sizes = {k: np.asarray(v).shape for k, v in vars(self).items() if v is not None}
        if len(set(sizes.values())) != 1:
            raise ValueError(f"HouseholdSample columns differ in shape: {sizes}")
        bad = set(np.unique(np.asarray(self.status, dtype=str))) - {
            "exited",
            "not_exited",
            "non_registered",
        }
        if bad:
            raise ValueError(f"status has unknown values {sorted(bad)}")


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator for one county: estimate, intervals, official result and confidence.

    Every number is a proportion 0-1 and NaN where it cannot be computed; ``official`` and
    ``confidence`` then say ``insufficient_data`` and ``reason`` says why. This is the
    contract of the JSON of ``assess indicators --json`` (see :meth:`as_dict`).

    Attributes
    ----------
    indicator : str
        One of ``INDICATORS``.
    estimate, se : float
        Point estimate and standard error (Taylor linearisation).
    ci_low, ci_high : float
        Two-sided interval at the ``level`` of :func:`estimate_county` (95 %).
    one_sided_bound : float
        The one-sided bound at ``scheme.confidence`` on the threshold's side: the upper bound
        for the three rates (``<``/``<=``), the lower bound for recognition (``>``/``>=``).
    lower_bound, upper_bound : float
        Both one-sided bounds at ``scheme.confidence``.
    fails_bound : float
        The bound "fails with ``scheme.confidence``" rests on: the two-sided interval's end
        away from the threshold's side (the one-sided bound at ``1 − (1 − c)/2``, 97.5 %):
        "fails" when it lies beyond the threshold, that is when the whole two-sided interval
        does (:func:`assessment.indicators.verdicts.fails_bound`).
    threshold : float
    comparator : str
    official : Official
        The scheme's rule: the point estimate compared with the threshold (符合 / 不符合), or
        ``insufficient_data`` when there is no point estimate.
    confidence : Confidence
        Meets with at least ``scheme.confidence`` (the one-sided bound clears the threshold),
        fails with at least it (``fails_bound`` lies beyond the threshold), inconclusive, or
        ``insufficient_data`` when no interval can be formed (e.g. every concerned household
        in one village).
    probability_within : float
        Confidence (0-1) that the true value satisfies the rule; NaN when insufficient.
    events : int
        Unweighted households counted in the numerator (e.g. wrongly exited households).
    statement : Message
        The confidence statement in words, translatable.
    bound_label : Message or None
        What ``one_sided_bound`` is, for reports: "one-sided 95 % upper bound (Korn–Graubard,
        27 design degrees of freedom)"; None when there is no bound.
    detail : Estimate or None
        The full design-based estimate (df, deff, n, n_eff, method, ...). For poverty
        incidence, the mapped estimate (see :mod:`assessment.indicators`).
    reason : str or None
        An :class:`Insufficient` value when ``official`` or ``confidence`` is
        ``insufficient_data``; None otherwise.
    effective_size : str or None
        The effective sample size of a rare rate's ``wilson-model`` interval:
        ``"village_model"`` (Kish's size over ``1 + (b* - 1) ρ``) or ``"screening_census"``
        (漏评率 on the round's screening model); None for other intervals.
    """

    indicator: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    one_sided_bound: float
    lower_bound: float
    upper_bound: float
    fails_bound: float
    threshold: float
    comparator: str
    official: Official
    confidence: Confidence
    probability_within: float
    events: int
    statement: Message
    bound_label: Message | None = None
    detail: est.Estimate | None = None
    reason: str | None = None
    effective_size: str | None = None

    @property
    def official_pass(self) -> bool:
        """True when the official rule is met (False when failed or insufficient)."""
        return self.official == Official.MEETS

    @property
    def insufficient(self) -> bool:
        """True when either the official result or the confidence cannot be formed."""
        return Confidence.INSUFFICIENT in (self.official, self.confidence)

    @property
    def bound_side(self) -> str:
        """``"upper"`` for the rates, ``"lower"`` for recognition (the threshold's side)."""
        return "upper" if self.comparator in ("<", "<=") else "lower"

    def as_dict(self) -> dict:
        """The JSON object of ``assess indicators --json`` (non-finite numbers as None)."""
        numbers = {
            name: _finite(getattr(self, name))
            for name in (
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "one_sided_bound",
                "fails_bound",
                "threshold",
                "probability_within",
            )
        }
        return {
            **numbers,
            "official": str(self.official),
            "confidence": str(self.confidence),
            "comparator": self.comparator,
            "bound_side": self.bound_side,
            "reason": self.reason,
            "events": self.events,
            "effective_size": self.effective_size,
        }


def _finite(value: float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


@dataclass(frozen=True)
class BreakdownRow:
    """A domain estimate of one indicator within one group (township or household type).

    ``estimate`` is NaN-filled and ``reason`` set (an :class:`Insufficient` value) when the
    group holds households concerned by the indicator but no estimate can be formed; groups
    holding none are left out.
    """

    by: str
    group: str
    indicator: str
    estimate: est.Estimate
    reason: str | None = None


@dataclass(frozen=True)
class PurposiveSummary:
    """Unweighted counts of purposively chosen villages, never mixed into estimates.

    Rates are simple ratios of the counts (NaN when the denominator is 0).
    """

    villages: int
    households: int
    exited_persons: float
    wrongly_exited_persons: float
    non_registered_households: int
    missed_persons: float
    recognition_surveyed: int
    recognising: int
    wrongful_exit_rate: float
    recognition_rate: float


@dataclass(frozen=True)
class CountyAssessment:
    """The four indicators of a county with verdicts, breakdowns and the purposive summary.

    Attributes
    ----------
    indicators : tuple of IndicatorResult
        In the order of ``INDICATORS``.
    official : Official
        ``fails`` when any indicator fails the official rule (任何一项不符合, 不予退出);
        otherwise ``insufficient_data`` when any indicator is insufficient; else ``meets``.
        Whether fieldwork is complete is the database layer's matter, not this one's.
    confidence : Confidence
        ``fails`` when any indicator fails with confidence; otherwise ``insufficient_data``
        when any is insufficient; ``meets`` when all meet with confidence; else
        ``inconclusive``.
    by_township, by_household_type : tuple of BreakdownRow
    purposive : PurposiveSummary or None
        None when every village was drawn at random.
    scheme : Scheme
    county : CountyTotals
    reason : str or None
        Why no indicator could be estimated at all (``no_interviews``,
        ``no_random_village``), else None.
    """

    indicators: tuple[IndicatorResult, ...]
    official: Official
    confidence: Confidence
    by_township: tuple[BreakdownRow, ...]
    by_household_type: tuple[BreakdownRow, ...]
    purposive: PurposiveSummary | None
    scheme: Scheme
    county: CountyTotals
    reason: str | None = None

    @property
    def official_pass(self) -> bool:
        """True when every indicator meets the official rule."""
        return self.official == Official.MEETS

    def __getitem__(self, indicator: str) -> IndicatorResult:
        for result in self.indicators:
            if result.indicator == indicator:
                return result
        raise KeyError(indicator)
