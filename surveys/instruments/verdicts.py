"""Derived verdicts: income against the line, each standard met or not, 错退/漏评 (PURE).

Implements ``shared/domain.md`` §3 on the answers of a verification interview (the question
names of ``verification-v1``; later versions must keep them or bring their own rules).

Each standard is three-valued: ``True`` met, ``False`` not met, ``None`` undetermined (an
answer is missing; a submitted interview has none missing). Combination is Kleene logic: one
``False`` decides.

The **computed** verdict is the one that counts for the indicators. The assessor's own
judgement per standard (``income_ok`` ... ``water_ok`` in the answers) is recorded beside it,
never substituted for it; :func:`disagreements` lists where the two differ, as quality flags
for the supervisor (e.g. "income components inconsistent with the verdict").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from surveys.instruments.model import RecognitionRule

STANDARDS = ("income", "food", "clothing", "schooling", "medical", "housing", "water")
STATUSES = ("exited", "not_exited", "non_registered")
VERDICTS = ("meets_standard", "wrongly_exited", "missed", "still_poor", "incomplete")
INCOME_COMPONENTS = (
    "income_wages",
    "income_business_gross",
    "income_property",
    "income_transfer_dibao",
    "income_transfer_pension",
    "income_transfer_other",
)
INCOME_COSTS = ("income_business_costs",)


@dataclass(frozen=True)
class StandardRules:
    """Thresholds of the standards; defaults follow ``domain.md`` §3.

    Attributes
    ----------
    near_line_band : float
        Proportion (0-1) above the line within which a household is "near the line".
    income_at_line_meets : bool
        Whether a per-capita income exactly on the line meets it (identification counts as
        poor those *below* the line, so by default it does).
    require_stable_income : bool
        Whether an income judged not stable (``income_stable`` = no) fails the income standard.
    water_min_litres, water_min_litres_short : float
        Litres per person per day in water-rich and water-short areas.
    water_max_fetch_minutes : float
        Longest round trip to fetch water.
    water_max_interruption_days : int
        Most days without water in a year.
    piped_sources : tuple of str
        Water sources with no fetching (the fetching question is not asked).
    school_ages : tuple of int
        Compulsory-school ages, inclusive.
    schooled_statuses, excused_reasons : tuple of str
        Schooling codes that count as schooled, and out-of-school reasons that are excused.
    safe_ratings, safe_relocations : tuple of str
        House ratings that are safe, and relocation statuses that count as housed safely.
    standards : tuple of str
        The standards that a household must meet (all seven by default).
    """

    near_line_band: float = 0.2
    income_at_line_meets: bool = True
    require_stable_income: bool = True
    water_min_litres: float = 35.0
    water_min_litres_short: float = 20.0
    water_max_fetch_minutes: float = 20.0
    water_max_interruption_days: int = 36
    piped_sources: tuple[str, ...] = ("piped_home",)
    school_ages: tuple[int, int] = (6, 15)
    schooled_statuses: tuple[str, ...] = ("in_school", "home_taught")
    excused_reasons: tuple[str, ...] = ("physically_unable",)
    safe_ratings: tuple[str, ...] = ("A", "B")
    safe_relocations: tuple[str, ...] = ("centralised_keys_handed_over", "dispersed_moved_in")
    standards: tuple[str, ...] = STANDARDS

    def __post_init__(self) -> None:
        if not 0 <= self.near_line_band <= 1:
            raise ValueError(f"near_line_band: expected 0-1, got {self.near_line_band!r}")
        unknown = set(self.standards) - set(STANDARDS)
        if unknown or not self.standards:
            raise ValueError(f"standards: unknown or empty {sorted(unknown)!r}")


DEFAULT_RULES = StandardRules()


@dataclass(frozen=True)
class Income:
    """Household net income over the last 12 months (yuan) and its per-capita value."""

    net_income: float | None
    members: int
    per_capita: float | None
    poverty_line: float
    near_line: bool


@dataclass(frozen=True)
class Standards:
    """Each standard: ``True`` met, ``False`` not met, ``None`` undetermined."""

    income_ok: bool | None
    food_ok: bool | None
    clothing_ok: bool | None
    schooling_ok: bool | None
    medical_ok: bool | None
    housing_ok: bool | None
    water_ok: bool | None

    def of(self, standard: str) -> bool | None:
        """The result for ``standard`` ("income", "food", ...)."""
        return getattr(self, f"{standard}_ok")

    def failed(self, standards: Iterable[str] = STANDARDS) -> tuple[str, ...]:
        """The standards not met, in :data:`STANDARDS` order."""
        wanted = set(standards)
        return tuple(s for s in STANDARDS if s in wanted and self.of(s) is False)


@dataclass(frozen=True)
class HouseholdVerdict:
    """The derived verdict of one household.

    ``verdict`` is one of :data:`VERDICTS`; ``meets`` is True when every required standard is
    met, False when any is not, None when undetermined.
    """

    status: str
    verdict: str
    meets: bool | None
    income: Income
    standards: Standards
    failed: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Disagreement:
    """A standard on which the assessor's judgement differs from the computed one."""

    standard: str
    computed: bool
    assessor: bool
    reason: str | None


def _all(values: Iterable[bool | None]) -> bool | None:
    values = list(values)
    if False in values:
        return False
    return None if None in values else True


def _answer(answers: Mapping[str, Any], name: str, expected: type) -> Any:
    value = answers.get(name)
    return value if isinstance(value, expected) else None


def household_income(
    answers: Mapping[str, Any], poverty_line: float, rules=DEFAULT_RULES
) -> Income:
    """Per-capita net income: (wages + business − costs + property + transfers) / members.

    Parameters
    ----------
    answers : mapping
        Verification answers; members are the rows of ``roster``.
    poverty_line : float
        The round's line, yuan per person per year (> 0).
    rules : StandardRules

    Returns
    -------
    Income
        ``net_income``/``per_capita`` are None when a component is missing or the roster is
        empty.
    """
    if not poverty_line > 0:
        raise ValueError(f"poverty_line: expected yuan > 0, got {poverty_line!r}")
    members = len(answers.get("roster") or ())
    values = [_answer(answers, n, int | float) for n in INCOME_COMPONENTS + INCOME_COSTS]
    net = None if None in values else sum(values[:-1]) - values[-1]
    per_capita = net / members if net is not None and members else None
    near = per_capita is not None and (
        poverty_line <= per_capita <= poverty_line * (1 + rules.near_line_band)
    )
    return Income(net, members, per_capita, float(poverty_line), near)


def income_ok(income: Income, answers: Mapping[str, Any], rules=DEFAULT_RULES) -> bool | None:
    """一超过: per-capita net income above (or on) the line, and stable if required."""
    if income.per_capita is None:
        above = None
    elif rules.income_at_line_meets:
        above = income.per_capita >= income.poverty_line
    else:
        above = income.per_capita > income.poverty_line
    stable = _answer(answers, "income_stable", bool) if rules.require_stable_income else True
    return _all([above, stable])


def food_ok(answers: Mapping[str, Any]) -> bool | None:
    """不愁吃: enough staple food all year and meat, eggs, milk or beans available."""
    return _all(
        [_answer(answers, "food_staple_enough", bool), _answer(answers, "food_protein", bool)]
    )


def clothing_ok(answers: Mapping[str, Any]) -> bool | None:
    """不愁穿: seasonal clothes and winter bedding, not mainly from donations."""
    donated = _answer(answers, "clothing_mainly_donated", bool)
    return _all(
        [
            _answer(answers, "clothing_seasonal", bool),
            _answer(answers, "clothing_bedding", bool),
            None if donated is None else not donated,
        ]
    )


def schooling_ok(answers: Mapping[str, Any], rules=DEFAULT_RULES) -> bool | None:
    """义务教育: every member aged 6-15 schooled, or out of school only if physically unable."""
    low, high = rules.school_ages
    results = []
    for member in answers.get("roster") or ():
        age = _answer(member, "age", int)
        if age is None:
            results.append(None)
        elif low <= age <= high:
            status = member.get("schooling")
            if status is None:
                results.append(None)
            elif status == "out_of_school":
                reason = member.get("out_of_school_reason")
                results.append(None if reason is None else reason in rules.excused_reasons)
            else:
                results.append(status in rules.schooled_statuses)
    return _all(results)


def medical_ok(answers: Mapping[str, Any]) -> bool | None:
    """基本医疗: every member insured and ordinary treatment affordable."""
    members = answers.get("roster") or ()
    insured = [_answer(m, "insured", bool) for m in members] or [None]
    return _all([*insured, _answer(answers, "medical_afford", bool)])


def housing_ok(answers: Mapping[str, Any], rules=DEFAULT_RULES) -> bool | None:
    """住房安全: rated A/B, or a C/D house renovated, or relocated (keys handed over / moved in).

    An unrated house is not met: safety has not been established.
    """
    relocation = answers.get("relocation")
    if relocation in rules.safe_relocations:
        return True
    rating = answers.get("housing_rating")
    if rating is None:
        return None
    if rating in rules.safe_ratings:
        return True
    if rating in ("C", "D"):
        return _answer(answers, "housing_renovated", bool)
    return False


def water_ok(answers: Mapping[str, Any], rules=DEFAULT_RULES) -> bool | None:
    """饮水安全: quantity (35 L, 20 L where water-short), quality, ≤20 min, ≤36 days cut."""
    short = _answer(answers, "water_short_area", bool)
    litres = _answer(answers, "water_quantity", int | float)
    minimum = (
        None
        if short is None
        else (rules.water_min_litres_short if short else rules.water_min_litres)
    )
    quantity = None if litres is None or minimum is None else litres >= minimum
    minutes = _answer(answers, "water_fetch_minutes", int | float)
    if answers.get("water_source") in rules.piped_sources:
        fetch = True
    else:
        fetch = None if minutes is None else minutes <= rules.water_max_fetch_minutes
    days = _answer(answers, "water_interruption_days", int)
    reliable = None if days is None else days <= rules.water_max_interruption_days
    return _all([quantity, _answer(answers, "water_quality_ok", bool), fetch, reliable])


def assess_standards(
    answers: Mapping[str, Any], poverty_line: float, rules: StandardRules = DEFAULT_RULES
) -> tuple[Income, Standards]:
    """The income and every standard of one household (see the module docstring)."""
    income = household_income(answers, poverty_line, rules)
    standards = Standards(
        income_ok=income_ok(income, answers, rules),
        food_ok=food_ok(answers),
        clothing_ok=clothing_ok(answers),
        schooling_ok=schooling_ok(answers, rules),
        medical_ok=medical_ok(answers),
        housing_ok=housing_ok(answers, rules),
        water_ok=water_ok(answers, rules),
    )
    return income, standards


def derive_verdict(status: str, meets: bool | None) -> str:
    """The household's verdict from its registration status and whether it meets the standard.

    meets -> "meets_standard" whatever the status; not met -> "wrongly_exited" (错退) for an
    exited household, "missed" (漏评) for a non-registered one, "still_poor" for a registered
    household not yet exited; undetermined -> "incomplete".
    """
    if status not in STATUSES:
        raise ValueError(f"status: expected one of {STATUSES}, got {status!r}")
    if meets is None:
        return "incomplete"
    if meets:
        return "meets_standard"
    return {"exited": "wrongly_exited", "non_registered": "missed"}.get(status, "still_poor")


def assess_household(
    answers: Mapping[str, Any],
    *,
    status: str,
    poverty_line: float,
    rules: StandardRules = DEFAULT_RULES,
) -> HouseholdVerdict:
    """Derive the verdict of one verification interview.

    Parameters
    ----------
    answers : mapping
        Validated verification answers (irrelevant answers cleared).
    status : str
        Registration status from the frame: "exited", "not_exited" or "non_registered".
    poverty_line : float
        The round's poverty line, yuan per person per year.
    rules : StandardRules, optional

    Returns
    -------
    HouseholdVerdict
    """
    income, standards = assess_standards(answers, poverty_line, rules)
    meets = _all(standards.of(s) for s in rules.standards)
    failed = standards.failed(rules.standards)
    return HouseholdVerdict(status, derive_verdict(status, meets), meets, income, standards, failed)


def disagreements(answers: Mapping[str, Any], standards: Standards) -> tuple[Disagreement, ...]:
    """Standards where the assessor's yes/no (``<standard>_ok``) differs from the computed one."""
    out = []
    for name in STANDARDS:
        assessor, computed = _answer(answers, f"{name}_ok", bool), standards.of(name)
        if assessor is not None and computed is not None and assessor != computed:
            reason = answers.get(f"{name}_ok_reason")
            out.append(Disagreement(name, computed, assessor, reason))
    return tuple(out)


def is_recognising(answers: Mapping[str, Any], rule: RecognitionRule) -> bool:
    """Whether a household counts as recognising (认可户) under ``rule``.

    Not recognising when more than ``rule.max_not_recognised`` core items carry a
    ``not_recognised`` code; otherwise recognising, unless fewer than ``rule.min_substantive``
    core items were answered outside ``rule.ignored`` (don't know, refused), in which case the
    result is ``rule.when_undecided``. Unanswered items (not asked) count for nothing.
    """
    if not isinstance(rule, RecognitionRule):
        raise ValueError(f"rule: expected a RecognitionRule, got {type(rule).__name__}")
    given = [answers.get(item) for item in rule.items]
    given = [code for code in given if code is not None]
    if sum(code in rule.not_recognised for code in given) > rule.max_not_recognised:
        return False
    substantive = sum(code not in rule.ignored for code in given)
    return True if substantive >= rule.min_substantive else rule.when_undecided
