"""The report snapshot: frozen, plain data that the PDF renderers read (PURE).

A snapshot is taken from approved data and locked; the renderers never look anything up, so
the same snapshot always gives the same PDF. Every rate is a proportion in 0-1; the renderers
turn proportions into percentages. Free text (village names, reasons, household types) is
shown as given, in the language it was recorded in; the codes listed below are translated.

Codes
-----
Indicator keys: ``poverty_incidence`` (综合贫困发生率), ``wrongful_exit_rate`` (错退率),
``missed_rate`` (漏评率), ``recognition_rate`` (群众认可度).
Comparators: ``"<="``, ``"<"``, ``">="``, ``">"`` (the estimate must satisfy
``estimate <comparator> threshold`` to meet the condition).
Official verdict per indicator: ``meets`` / ``fails`` / ``insufficient_data`` (数据不足: the
indicator cannot be estimated; its estimate and interval are then None).
Confidence statement per indicator: ``meets`` (meets with at least 95% confidence), ``fails``
(fails with at least 95% confidence), ``inconclusive`` or ``insufficient_data``.
Overall verdict (:func:`reports.county_verdict.county_verdict`): ``insufficient_data``
(数据不足: fieldwork not complete, or an indicator cannot be estimated), ``exit_recommended``
(建议同意退出) or ``not_met`` (不符合退出条件); ``inconclusive`` is read from snapshots
locked before that rule (a recommendation to exit with items the sample cannot settle).
Problem kinds: ``wrongly_exited`` (错退), ``missed`` (漏评), ``not_recognising`` (不认可).
Standards (``Problem.standards_not_met``): ``income_ok``, ``food_ok``, ``clothing_ok``,
``schooling_ok``, ``medical_ok``, ``housing_ok``, ``water_ok``; other strings are shown as given.
Review status: ``pending``, ``approved``, ``returned``, ``appealed``, ``upheld``, ``overturned``;
other strings are shown as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

INDICATOR_KEYS = ("poverty_incidence", "wrongful_exit_rate", "missed_rate", "recognition_rate")
COMPARATORS = ("<=", "<", ">=", ">")
VERDICTS = ("meets", "fails", "insufficient_data")
CONFIDENCE = ("meets", "fails", "inconclusive", "insufficient_data")
OVERALL_VERDICTS = ("exit_recommended", "not_met", "inconclusive", "insufficient_data")
# Where a county stands, for the summary rows: no frame, no plan, no approved interview,
# fieldwork under way (interim figures) or complete (final).
STATES = ("no_round", "no_frame", "no_plan", "no_interviews", "interim", "final")
PROBLEM_KINDS = ("wrongly_exited", "missed", "not_recognising")


def _check_proportion(name: str, value: float | None, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if value is None or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be a proportion in 0-1, got {value!r}")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


@dataclass(frozen=True)
class Indicator:
    """One of the four exit indicators (三率一度) with its interval and verdicts.

    Parameters
    ----------
    key : str
        One of :data:`INDICATOR_KEYS`.
    estimate, ci_low, ci_high : float or None
        Point estimate and two-sided 95% confidence interval, proportions 0-1; None when
        they cannot be computed (数据不足).
    threshold : float
        The scheme's threshold, proportion 0-1 (e.g. 0.02, 0.90).
    comparator : str
        How the estimate must compare with the threshold to meet it (``"<="`` etc.).
    verdict : str
        Official verdict on the point estimate: ``meets``, ``fails`` or ``insufficient_data``.
    confidence : str
        ``meets`` / ``fails`` with at least 95% confidence, ``inconclusive``, or
        ``insufficient_data``.
    prob_within : float or None
        Probability (0-1) that the true value is within the threshold, if computed.
    numerator, denominator : float or None
        Optional counts behind the estimate (persons or households), unweighted, shown in
        the methods.
    se : float or None
        Standard error of the estimate.
    one_sided_bound : float or None
        The 95% one-sided bound on the threshold's side (upper for the rates, lower for
        recognition), 0-1.
    worst_case : float or None
        The rate if every unreached household had failed (sensitivity), 0-1.
    bound_label : str
        What ``one_sided_bound`` is, in the report's language (e.g. "one-sided 95% upper
        bound (Korn–Graubard, 27 design degrees of freedom)"); empty when unknown.
    effective_size : str
        The effective size of a rare rate's interval: ``village_model`` or
        ``screening_census`` (漏评率 on the round's screening model); empty otherwise and in
        snapshots taken before it was recorded.
    """

    key: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    threshold: float
    comparator: str
    verdict: str
    confidence: str
    prob_within: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    se: float | None = None
    one_sided_bound: float | None = None
    worst_case: float | None = None
    bound_label: str = ""
    effective_size: str = ""

    def __post_init__(self) -> None:
        _check_choice("key", self.key, INDICATOR_KEYS)
        _check_choice("comparator", self.comparator, COMPARATORS)
        _check_choice("verdict", self.verdict, VERDICTS)
        _check_choice("confidence", self.confidence, CONFIDENCE)
        _check_proportion("threshold", self.threshold)
        for name in ("estimate", "ci_low", "ci_high", "prob_within", "one_sided_bound"):
            _check_proportion(name, getattr(self, name), optional=True)
        _check_proportion("worst_case", self.worst_case, optional=True)
        if self.estimate is None and self.verdict != "insufficient_data":
            raise ValueError(f"{self.key}: an indicator without estimate must be insufficient_data")
        if None in (self.estimate, self.ci_low, self.ci_high):
            return
        if not self.ci_low <= self.estimate <= self.ci_high:
            raise ValueError(
                f"ci_low <= estimate <= ci_high must hold, got "
                f"{self.ci_low!r}, {self.estimate!r}, {self.ci_high!r}"
            )


@dataclass(frozen=True)
class GroupEstimate:
    """An indicator estimated for one group (a township, a household type).

    Parameters
    ----------
    group : str
        The group's display name (e.g. township name, household type).
    key : str
        Indicator key, one of :data:`INDICATOR_KEYS`.
    estimate, ci_low, ci_high : float
        Proportions 0-1; the interval may equal the estimate when not computed.
    n : int
        Households interviewed in the group.
    """

    group: str
    key: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int = 0

    def __post_init__(self) -> None:
        _check_choice("key", self.key, INDICATOR_KEYS)
        for name in ("estimate", "ci_low", "ci_high"):
            _check_proportion(name, getattr(self, name))


@dataclass(frozen=True)
class CountRow:
    """A labelled count, e.g. households by type: planned and completed."""

    label: str
    planned: int
    completed: int


@dataclass(frozen=True)
class CoverageRow:
    """Planned and completed households of one part of the sample (unweighted counts).

    Parameters
    ----------
    part : str
        ``random`` (villages drawn at random), ``purposive`` (villages chosen, reported
        apart) or ``screening`` (排查 of flagged non-registered households, apart).
    village_class : str
        ``poor``, ``non_poor`` or ``remote``: the village's stratum, or for a purposive
        village its type (remote when flagged remote).
    status : str
        ``exited``, ``not_exited`` or ``non_registered``.
    planned, completed : int
        Households planned (selected or screening) and interviews approved (a released
        reserve's counts for the household it replaced).
    """

    part: str
    village_class: str
    status: str
    planned: int
    completed: int


@dataclass(frozen=True)
class ResponseRate:
    """Response of one group: ``exited`` / ``not_exited`` / ``non_registered`` / ``screening``.

    ``fielded`` counts the households that were due (planned and released reserves);
    ``rate`` is a proportion 0-1 under ``definition`` (e.g. AAPOR RR1), None when nothing
    is final yet.
    """

    group: str
    fielded: int
    interviewed: int
    non_contacts: int
    open: int
    rate: float | None
    definition: str = ""

    def __post_init__(self) -> None:
        _check_proportion(f"response rate of {self.group!r}", self.rate, optional=True)


@dataclass(frozen=True)
class ReserveUse:
    """Reserves of one cell (village × household status): released and still available."""

    village: str
    status: str
    released: int
    available: int


@dataclass(frozen=True)
class Fieldwork:
    """Where the fieldwork stands: planned households resolved, and a closure if any."""

    planned: int
    resolved: int
    complete: bool
    closed_by: str = ""
    closed_at: datetime | None = None
    closure_reason: str = ""


@dataclass(frozen=True)
class Coverage:
    """Sample coverage of the fieldwork.

    Parameters
    ----------
    townships : int
        Townships visited.
    villages_poor, villages_non_poor, villages_purposive : int
        Sampled poor / non-poor villages and purposively chosen (e.g. remote) villages.
    households_by_type : tuple of CountRow
        Planned and completed interviews per household type.
    interviews_completed : int
        Interviews completed and approved.
    substitutions : int
        Reserve households released.
    substitution_reasons : tuple of (str, int)
        Reason (contact outcome) and count.
    response_rates : tuple of (str, float)
        Label and response rate, proportion 0-1 (snapshots locked before ``response``).
    villages_remote : int
        Sampled villages of a remote stratum drawn at random.
    rows : tuple of CoverageRow
        Planned and completed households per part, village class and status.
    response : tuple of ResponseRate
        Response rates per household status and for screening.
    reserves : tuple of ReserveUse
        Reserves released and left, per cell that released any.
    """

    townships: int
    villages_poor: int
    villages_non_poor: int
    villages_purposive: int
    households_by_type: tuple[CountRow, ...]
    interviews_completed: int
    substitutions: int
    substitution_reasons: tuple[tuple[str, int], ...] = ()
    response_rates: tuple[tuple[str, float], ...] = ()
    villages_remote: int = 0
    rows: tuple[CoverageRow, ...] = ()
    response: tuple[ResponseRate, ...] = ()
    reserves: tuple[ReserveUse, ...] = ()

    def __post_init__(self) -> None:
        for label, rate in self.response_rates:
            _check_proportion(f"response_rates[{label!r}]", rate)


@dataclass(frozen=True)
class EarlierRuling:
    """A ruling a later one replaced: a re-visit order whose re-visit could not reach the
    household (``appeals.services.earlier_rulings``).

    Parameters
    ----------
    ruling : str
        The replaced ruling's code (``revisit``, the order of the re-visit that failed).
    reason : str
        The expert's reason, free text.
    expert : str
        The expert, by name as the appeal page shows them (``""``: not known).
    ruled_at : str
        When, ``YYYY-MM-DD HH:MM`` (``""``: not known).
    team : str
        The re-visit team's name (``""``: none).
    contact_outcome : str
        How the re-visit ended (``absent``, ``refused``, ``moved``, ...; ``""``: not known).
    """

    ruling: str = ""
    reason: str = ""
    expert: str = ""
    ruled_at: str = ""
    team: str = ""
    contact_outcome: str = ""


@dataclass(frozen=True)
class AppealNote:
    """The county's appeal (申诉举证) on one suspected household.

    Parameters
    ----------
    response : str
        ``accepted``, ``disputed`` or ``""`` (no answer by the deadline, or not yet).
    statement : str
        The county's statement, free text.
    evidence : tuple of str
        The evidence files: name and the first 12 hex digits of their SHA-256.
    ruling : str
        ``upheld``, ``overturned``, ``revisit`` (under way), ``revisit_upheld`` /
        ``revisit_overturned`` (the approved re-visit found the problem again / did not),
        ``revisit_failed`` (the re-visit could not reach the household; a ruling is awaited
        again), ``revisit_failed_upheld`` / ``revisit_failed_overturned`` (the expert's
        ruling after it) or ``""`` (none).
    ruling_reason : str
        The expert's reason, free text.
    earlier : tuple of EarlierRuling
        The rulings the final one replaced, oldest first (empty in snapshots from before
        they were kept).
    """

    response: str = ""
    statement: str = ""
    evidence: tuple[str, ...] = ()
    ruling: str = ""
    ruling_reason: str = ""
    earlier: tuple[EarlierRuling, ...] = ()

    def __post_init__(self) -> None:
        _check_choice("response", self.response, ("", "accepted", "disputed"))
        _check_choice(
            "ruling",
            self.ruling,
            (
                "",
                "upheld",
                "overturned",
                "revisit",
                "revisit_upheld",
                "revisit_overturned",
                "revisit_failed",
                "revisit_failed_upheld",
                "revisit_failed_overturned",
            ),
        )


@dataclass(frozen=True)
class IndicatorMove:
    """An indicator before the appeal's rulings and after (proportions 0-1, None: 数据不足)."""

    key: str
    before: float | None
    after: float | None

    def __post_init__(self) -> None:
        _check_choice("key", self.key, INDICATOR_KEYS)
        _check_proportion("before", self.before, optional=True)
        _check_proportion("after", self.after, optional=True)


@dataclass(frozen=True)
class AppealSummary:
    """Where the county's appeal stands and how the rulings moved the indicators.

    Parameters
    ----------
    published : int
        Suspected households published to the county.
    accepted, unanswered, disputed : int
        Accepted by the county; not answered by the deadline; disputed.
    upheld, overturned, pending : int
        Rulings on the disputed cases; ``pending`` are disputed cases without a final
        ruling (none yet, or a re-visit under way).
    deadline : datetime or None
        The answer deadline.
    moves : tuple of IndicatorMove
        Each indicator before and after the rulings.
    overturned_cases : tuple of Problem
        The overturned households (out of the indicators and the problem list).
    revisit_failed_cases : tuple of Problem
        Households whose re-visit could not reach them and that await a ruling again (out
        of the indicators and the problem list meanwhile: 复访未能完成).
    """

    published: int
    accepted: int
    unanswered: int
    disputed: int
    upheld: int
    overturned: int
    pending: int
    deadline: datetime | None = None
    moves: tuple[IndicatorMove, ...] = ()
    overturned_cases: tuple[Problem, ...] = ()
    revisit_failed_cases: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class QualityRate:
    """A back-check discrepancy rate (proportions 0-1; None: 数据不足)."""

    key: str
    label: str
    compared: int
    discrepant: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    flagged: bool = False

    def __post_init__(self) -> None:
        for name in ("rate", "ci_low", "ci_high"):
            _check_proportion(name, getattr(self, name), optional=True)


@dataclass(frozen=True)
class QualitySummary:
    """The back-checks of the county's fieldwork (质量控制): coverage and discrepancy rates.

    Assessors appear by code, never by name; ``assessors`` and ``teams`` count the type 1
    items (facts that should not change).
    """

    approved: int
    drawn: int
    done: int
    share: float
    minimum: int
    seed: int
    digest: str
    items: tuple[QualityRate, ...] = ()
    assessors: tuple[QualityRate, ...] = ()
    # The seed's commitment recorded before the draw, and whether the draw re-checks
    # (``backchecks.compare.verify_draw``); None in snapshots taken before commitments.
    commitment: str | None = None
    verified: bool | None = None


@dataclass(frozen=True)
class Problem:
    """A household in the problem list (问题清单).

    Parameters
    ----------
    kind : str
        ``wrongly_exited``, ``missed`` or ``not_recognising``.
    township, village, household_id : str
        Where the household is and its id in the frame.
    persons : int
        Household members (the rates count persons).
    standards_not_met : tuple of str
        Standard codes (``income_ok`` ...) or free text.
    reasons : str
        The assessor's reasons, free text.
    review_status : str
        Review status code (``approved`` ...) or free text.
    appeal : AppealNote or None
        The county's appeal on the household, when its case was published.
    """

    kind: str
    township: str
    village: str
    household_id: str
    persons: int = 0
    standards_not_met: tuple[str, ...] = ()
    reasons: str = ""
    review_status: str = "pending"
    appeal: AppealNote | None = None

    def __post_init__(self) -> None:
        _check_choice("kind", self.kind, PROBLEM_KINDS)


@dataclass(frozen=True)
class StratumSize:
    """Population and sample size of one stratum of the design."""

    stratum: str
    population_units: int
    sample_units: int
    unit: str = "village"


@dataclass(frozen=True)
class RareRateIcc:
    """The ρ one rare rate's interval used, and where it came from.

    ``source`` ``planning`` (the planning value) or ``pooled``: pooled over ``counties``
    counties (``villages`` villages, ``events`` event households) of round ``from_round``,
    applied on ``applied``. ``screening_model`` (漏评率 only): ``(k_C, ρ_C, k_U, ρ_U)`` of the
    census effective size pooled over ``screening_counties`` counties with screening, or None.
    """

    indicator: str
    value: float
    source: str = "planning"
    from_round: str = ""
    counties: int = 0
    villages: int = 0
    events: int = 0
    applied: date | None = None
    screening_model: tuple[float, float, float, float] | None = None
    screening_counties: int = 0

    def __post_init__(self) -> None:
        _check_choice("source", self.source, ("planning", "pooled"))


@dataclass(frozen=True)
class Methods:
    """What the methods appendix says: frame, design, draw, estimators, instrument.

    Parameters
    ----------
    frame_hash : str
        SHA-256 of the sampling frame as imported.
    plan_id : str
        Identifier of the sampling plan (used in ``assess verify-draw PLAN``).
    design : str
        Description of the design (free text, in the report's language).
    strata : tuple of StratumSize
        Sample sizes per stratum.
    seed_commitment : str
        The published commitment (hash) of the seed of the draw.
    estimators, ci_method : str
        Descriptions of the estimators and interval methods.
    instrument_version : str
        Instrument (questionnaire) version.
    rare_rate_icc : tuple of RareRateIcc
        The ρ of 错退率 and 漏评率's intervals with its source (empty in snapshots taken
        before it was recorded: the planning value 0.10).
    """

    frame_hash: str
    plan_id: str
    design: str
    strata: tuple[StratumSize, ...]
    seed_commitment: str
    estimators: str
    ci_method: str
    instrument_version: str
    rare_rate_icc: tuple[RareRateIcc, ...] = ()


@dataclass(frozen=True)
class CountyReport:
    """Locked snapshot of one county's assessment, the input of the county PDF.

    ``created`` is written into the PDF metadata, so the same snapshot gives the same bytes.
    ``signed_off`` False draws a diagonal 草稿/DRAFT watermark; ``simulated`` True marks every
    page as simulated data (模拟数据); ``interim`` True (fieldwork not complete) marks the
    figures as interim (中期) and the verdict is then ``insufficient_data``. ``borderline`` and
    ``verdict_confidence`` are the statement beneath a final verdict; ``state`` says how far
    the county is (:data:`STATES`).
    """

    scheme: str
    year: int
    province: str
    county: str
    period_start: date
    period_end: date
    institution: str
    team_leaders: tuple[str, ...]
    version: str
    report_date: date
    created: datetime
    verdict: str
    indicators: tuple[Indicator, ...]
    coverage: Coverage
    methods: Methods
    problems: tuple[Problem, ...] = ()
    by_township: tuple[GroupEstimate, ...] = ()
    recognition_by_type: tuple[GroupEstimate, ...] = ()
    signed_off: bool = False
    simulated: bool = False
    interim: bool = False
    borderline: bool = False
    verdict_confidence: str = ""
    fieldwork: Fieldwork | None = None
    state: str = "final"
    appeals: AppealSummary | None = None
    quality: QualitySummary | None = None

    def __post_init__(self) -> None:
        _check_choice("verdict", self.verdict, OVERALL_VERDICTS)
        _check_choice("state", self.state, STATES)
        keys = tuple(i.key for i in self.indicators)
        if sorted(keys) != sorted(INDICATOR_KEYS):
            raise ValueError(f"indicators must hold each of {INDICATOR_KEYS} once, got {keys}")
        if self.period_end < self.period_start:
            raise ValueError(f"period_end {self.period_end} is before period_start")

    def indicator(self, key: str) -> Indicator:
        """The indicator with ``key``."""
        return next(i for i in self.indicators if i.key == key)


@dataclass(frozen=True)
class CountySummary:
    """One county's row in the provincial summary and on the dashboard.

    ``state`` (:data:`STATES`) says why a county has no figures (no frame, no plan, no
    approved interview) or whether they are interim; ``planned`` / ``resolved`` count the
    planned households of the fieldwork.
    """

    county: str
    verdict: str
    indicators: tuple[Indicator, ...]
    interviews_completed: int = 0
    problems: int = 0
    signed_off: bool = False
    state: str = "final"
    interim: bool = False
    borderline: bool = False
    planned: int = 0
    resolved: int = 0
    code: str = ""
    response: tuple[ResponseRate, ...] = ()

    def __post_init__(self) -> None:
        _check_choice("verdict", self.verdict, OVERALL_VERDICTS)
        _check_choice("state", self.state, STATES)

    def indicator(self, key: str) -> Indicator | None:
        """The indicator with ``key``, or None when the county lacks it."""
        return next((i for i in self.indicators if i.key == key), None)


@dataclass(frozen=True)
class ProvinceReport:
    """Locked snapshot of a provincial round, the input of the provincial summary PDF."""

    scheme: str
    year: int
    province: str
    institution: str
    version: str
    report_date: date
    created: datetime
    counties: tuple[CountySummary, ...]
    signed_off: bool = False
    simulated: bool = False
