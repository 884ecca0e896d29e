"""The four exit indicators of a county from its approved interviews (database side).

Reads the county's current plan, its approved interviews and the frame's population counts,
maps them onto :class:`~assessment.indicators.HouseholdSample` and
:class:`~assessment.indicators.CountyTotals`, and hands them to the pure core. The same
columns are what the survey-data export writes, so ``assess estimate`` on the export gives
the report's figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from appeals.services import AppealService
from assessment.core.models import AssessmentRound, County, Township, Village
from assessment.core.pipeline import answer_previous_deff
from assessment.core.services import county_round
from assessment.indicators import CountyTotals, HouseholdSample, Scheme, estimate_county
from assessment.indicators.model import RARE_RATE_ICC
from reports.county_nonresponse import (
    Fieldwork,
    adjusted_weights,
    census_stand_ins,
    read_fieldwork,
)
from sampling.services import (
    Household,
    PlanHousehold,
    PlanVillage,
    SamplePlan,
    current_plan,
    plans_of,
    with_location,
)
from surveys.services import Interview

SAMPLE_COLUMNS = (
    "household_id",
    "village_id",
    "village",
    "township",
    "village_stratum",
    "random_village",
    "status",
    "role",
    "weight",
    "base_weight",
    "pi_village",
    "persons",
    "verdict",
    "wrongly_exited",
    "missed_persons",
    "recognises",
    "household_type",
    "village_non_registered",
    "missed_denominator",
    "flagged",
    "village_nr_households",
)


@dataclass(frozen=True)
class CountyData:
    """Everything the estimate of one county is computed from (a locked snapshot)."""

    county: County
    plan: SamplePlan
    assessment_round: AssessmentRound | None
    rows: list[dict]
    totals: CountyTotals
    scheme: Scheme
    fieldwork: Fieldwork | None = None


def scheme_of(assessment_round: AssessmentRound, county: County) -> Scheme:
    """The thresholds of the round, with the western incidence threshold where it applies."""
    return Scheme(
        poverty_incidence_max=(
            assessment_round.incidence_max_west
            if county.western
            else assessment_round.incidence_max
        ),
        wrongful_exit_max=assessment_round.wrongful_exit_max,
        missed_max=assessment_round.missed_max,
        recognition_min=assessment_round.recognition_min,
        poverty_incidence_comparator=assessment_round.incidence_comparator,
        wrongful_exit_comparator=assessment_round.wrongful_exit_comparator,
        missed_comparator=assessment_round.missed_comparator,
        recognition_comparator=assessment_round.recognition_comparator,
        wrongful_exit_icc=round_icc(assessment_round, "wrongful_exit_rate"),
        missed_icc=round_icc(assessment_round, "missed_rate"),
        missed_screening=round_screening_model(assessment_round),
    )


def round_screening_model(assessment_round) -> tuple[float, float, float, float] | None:
    """``(k_C, ρ_C, k_U, ρ_U)`` of 漏评率's census effective size recorded for the round (on its
    ``missed_rate`` row in force), else None: the village model with the round's ρ."""
    record = assessment_round.icc("missed_rate") if hasattr(assessment_round, "icc") else None
    return None if record is None else record.screening_model


def round_icc(assessment_round, indicator: str) -> float:
    """The ρ of a rare indicator's interval in the round: its recorded value, else the
    planning value (a round-like object without a record, e.g. the national scheme)."""
    record = assessment_round.icc(indicator) if hasattr(assessment_round, "icc") else None
    return RARE_RATE_ICC if record is None else record.value


def county_totals(db: Session, plan: SamplePlan) -> CountyTotals:
    """Persons by registration status in the plan's frame (the county's rural population)."""
    persons = dict(
        db.execute(
            select(Household.status, func.sum(Household.household_size))
            .where(Household.frame_id == plan.frame_id)
            .group_by(Household.status)
        ).all()
    )
    return CountyTotals(
        remaining_poor=float(persons.get("not_exited", 0) or 0),
        exited_population=float(persons.get("exited", 0) or 0),
        non_registered_population=float(persons.get("non_registered", 0) or 0),
        rural_population=float(sum(v or 0 for v in persons.values())),
    )


def _non_registered_by_village(db: Session, plan: SamplePlan) -> dict[int, tuple[int, int]]:
    """Village -> (non-registered persons, non-registered households) of the plan's frame."""
    non_registered = case((Household.status == "non_registered", Household.household_size), else_=0)
    households = case((Household.status == "non_registered", 1), else_=0)
    return {
        village: (int(persons or 0), int(count or 0))
        for village, persons, count in db.execute(
            select(Household.frame_village_id, func.sum(non_registered), func.sum(households))
            .where(Household.frame_id == plan.frame_id)
            .group_by(Household.frame_village_id)
        )
    }


FLAGS = ("dibao", "unsafe_house", "serious_illness", "no_labour", "elderly_alone")


def screening_adjusted(
    role: str,
    status: str,
    flagged: bool,
    screening: bool,
    pi_household: float,
    persons: float,
    missed: bool,
    recognises: float,
) -> tuple[float, float]:
    """Missed persons and recognition of one household, fitted to a design with screening.

    With screening, every flagged non-registered household of a sampled village is visited
    (a census of that group, within-village weight 1), while the SRS of non-registered
    households is also drawn from all of them. So that each flagged household counts once,
    a flagged household that the SRS selected contributes its missed persons at weight 1
    (``persons × pi_household`` under its SRS weight), and the SRS expands the unflagged
    part only: the missed total of the village is then estimated without bias (the census
    part is exact; the unflagged part is the SRS expansion of a fixed domain). Screening
    households are not part of the probability sample of households, so they do not enter
    the recognition rate.
    """
    missed_persons = persons if missed else 0.0
    if role == "screening":
        return missed_persons, float("nan")
    if screening and flagged and status == "non_registered":
        missed_persons *= pi_household
    return missed_persons, recognises


# The interviews as first approved, before any appeal ruling: none of the re-visits an
# expert ordered, and the first interviews they superseded (only approved ones are).
_FIRST_APPROVED = Interview.revisit_of_id.is_(None) & Interview.status.in_(
    ("approved", "superseded")
)


def sample_rows(
    db: Session,
    plan: SamplePlan,
    fieldwork: Fieldwork | None = None,
    *,
    apply_rulings: bool = True,
) -> list[dict]:
    """One dict per approved, interviewed household of the plan (columns SAMPLE_COLUMNS).

    ``weight`` is the design weight after the weighting-class adjustment for non-contact
    (:mod:`reports.county_nonresponse`) in villages drawn at random, ``base_weight`` the
    design weight of the plan. A finding an appeal expert overturned (申诉举证) counts as
    meeting the standard unless ``apply_rulings`` is false: the figures before the appeal,
    from the first interviews as first approved (a re-visited household's first interview,
    superseded since, instead of its re-visit; pass the matching ``fieldwork``)."""
    fieldwork = fieldwork or read_fieldwork(db, plan, first_approved=not apply_rulings)
    adjusted = adjusted_weights(fieldwork)
    stand_ins = census_stand_ins(fieldwork)
    overturned = AppealService(db).overturned_interviews(plan) if apply_rulings else set()
    non_registered = _non_registered_by_village(db, plan)
    # Columns, not entities: ORM objects for every interview, planned household, village and
    # household (with the interviews' answers) were most of a county's recompute.
    query = (
        select(
            Interview.id.label("interview_id"),
            Interview.persons,
            Interview.verdict,
            Interview.recognising,
            PlanHousehold.id.label("ph_id"),
            PlanHousehold.role,
            PlanHousehold.weight,
            PlanHousehold.pi_household,
            PlanHousehold.pi_village,
            PlanVillage.frame_village_id,
            PlanVillage.stratum,
            PlanVillage.purposive,
            Household.household_id,
            Household.household_size,
            Household.status,
            Household.frame_village_id.label("household_village"),
            *(getattr(Household, f) for f in FLAGS),
            Village.name.label("village"),
            Township.name.label("township"),
        )
        .join(PlanHousehold, Interview.plan_household_id == PlanHousehold.id)
        .join(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
        .join(Household, PlanHousehold.household_pk == Household.id)
    )
    query = (
        with_location(query)
        .where(
            Interview.plan_id == plan.id,
            Interview.status == "approved" if apply_rulings else _FIRST_APPROVED,
            Interview.contact_outcome == "interviewed",
        )
        .order_by(Household.household_id)
    )
    screening = bool(json.loads(plan.design_json).get("screening", False))
    rows = []
    for r in db.execute(query):
        persons = r.persons or r.household_size
        verdict = "meets_standard" if r.interview_id in overturned else (r.verdict or "")
        flagged = any(getattr(r, f) for f in FLAGS)
        missed_persons, recognises = screening_adjusted(
            r.role,
            r.status,
            flagged,
            screening,
            r.pi_household,
            persons,
            verdict == "missed",
            np.nan if r.recognising is None else float(r.recognising),
        )
        # what the household would count if found missed: the event size of the interval
        missed_size = screening_adjusted(
            r.role, r.status, flagged, screening, r.pi_household, persons, True, np.nan
        )[0]
        if r.ph_id in stand_ins:  # a reserve in a flagged household's SRS slot: no 漏评 share
            missed_persons = missed_size = 0.0
        village_persons, village_households = non_registered.get(r.household_village, (0, 0))
        rows.append(
            {
                "household_id": r.household_id,
                "village_id": r.frame_village_id,
                "village": r.village,
                "township": r.township,
                "village_stratum": r.stratum,
                "random_village": not r.purposive,
                "status": r.status,
                "role": r.role,
                "weight": r.weight if r.purposive else adjusted.get(r.ph_id, r.weight),
                "base_weight": r.weight,
                "plan_household_id": r.ph_id,
                "pi_village": r.pi_village,
                "persons": persons,
                "verdict": verdict,
                "wrongly_exited": int(verdict == "wrongly_exited"),
                "missed_persons": missed_persons,
                "missed_size": missed_size,
                "recognises": recognises,
                "household_type": r.status,
                "village_non_registered": village_persons,
                # 漏评率's census effective size: the screening flag (plans with screening
                # only; None: no census of flagged households) and the village's list size
                "flagged": (int(flagged and r.status == "non_registered") if screening else None),
                "village_nr_households": village_households,
            }
        )
    spread_missed_denominator(rows)
    return rows


def spread_missed_denominator(rows: list[dict]) -> None:
    """Set each row's ``missed_denominator``: the share of its village's known non-registered
    population that the 漏评率's denominator gives it, ``w_v × N_v / (k_v × w_i)`` for each of
    the ``k_v`` non-registered rows of positive weight ``w_i`` of a random village ``v`` (0
    elsewhere), so that ``Σ w_i x_i = Σ_v w_v N_v`` over the villages, as the estimate uses.
    The export carries it, so ``assess estimate`` reproduces the 漏评率 as a plain ratio."""
    counts: dict = {}
    for r in rows:
        if r["status"] == "non_registered" and r["random_village"] and r["weight"] > 0:
            counts[r["village_id"]] = counts.get(r["village_id"], 0) + 1
    for r in rows:
        k = counts.get(r["village_id"], 0)
        concerned = r["status"] == "non_registered" and r["random_village"] and r["weight"] > 0
        r["missed_denominator"] = (
            r["village_non_registered"] / (r["pi_village"] * k * r["weight"]) if concerned else 0.0
        )


def household_sample(rows: list[dict]) -> HouseholdSample:
    """The pure core's input from :func:`sample_rows` (or from an export read back)."""

    def col(name, dtype=None):
        return np.array([r[name] for r in rows], dtype=dtype)

    return HouseholdSample(
        village=col("village_id"),
        stratum=col("village_stratum", str),
        weight=col("weight", float),
        status=col("status", str),
        persons=col("persons", float),
        wrongly_exited=col("wrongly_exited", bool),
        missed_persons=col("missed_persons", float),
        recognises=col("recognises", float),
        random_village=col("random_village", bool),
        township=col("township", str),
        household_type=col("household_type", str),
        village_weight=1.0 / col("pi_village", float),
        village_non_registered=col("village_non_registered", float),
        missed_size=np.array([r.get("missed_size", r["persons"]) for r in rows], dtype=float),
        flagged=_screening_flags(rows),
        village_nr_households=(
            col("village_nr_households", float)
            if rows and all(r.get("village_nr_households") is not None for r in rows)
            else None
        ),
    )


def _screening_flags(rows: list[dict]) -> np.ndarray | None:
    """The rows' screening flags, or None when the plan has no screening (no census of the
    flagged households: 漏评率 keeps the village model)."""
    if not rows or any(r.get("flagged") in (None, "") for r in rows):
        return None
    return np.array([bool(int(r["flagged"])) for r in rows], dtype=bool)


def county_data(
    db: Session,
    county: County,
    plan: SamplePlan | None = None,
    *,
    assessment_round: AssessmentRound | None = None,
    apply_rulings: bool = True,
) -> CountyData | None:
    """The snapshot of one county: its current plan's approved interviews and totals.

    The round is ``assessment_round``, else the plan's own round, else the county's round;
    None when there is no plan or no round (nothing can be judged).
    """
    if plan is None:
        plan = current_plan(db, county, assessment_round.id if assessment_round else None)
    if plan is None:
        return None
    assessment_round = assessment_round or plan.assessment_round or county_round(db, county)
    if assessment_round is None:
        return None
    fieldwork = read_fieldwork(db, plan, first_approved=not apply_rulings)
    return CountyData(
        county,
        plan,
        assessment_round,
        sample_rows(db, plan, fieldwork, apply_rulings=apply_rulings),
        county_totals(db, plan),
        scheme_of(assessment_round, county),
        fieldwork,
    )


def assess(data: CountyData):
    """The county's indicators and verdicts from the approved rows, at any stage: the core
    never raises on thin data (an indicator it cannot estimate is ``insufficient_data``)."""
    return estimate_county(household_sample(data.rows), data.totals, data.scheme)


# Without earlier data: about the household size, the design effect of a person-level rate
# counted in households (../shared/domain.md §8); village clustering adds more.
DEFAULT_DECISION_DEFF = 3.0


def previous_deff(db: Session, county: County, *, plans_to_try: int = 5) -> dict:
    """The design effect for the decision-based size: from this county's earlier fieldwork.

    The design effect of 错退率 (persons, clustered in households and villages) estimated from
    the approved interviews of the county's most recent plan that has them (an earlier round,
    or an earlier version), at least 1; otherwise :data:`DEFAULT_DECISION_DEFF`, entered.

    Returns
    -------
    dict
        ``value`` (float), ``source`` (``"previous_round"`` or ``"entered"``) and ``round``
        (the name of the round it came from, or None).
    """
    for plan in plans_of(db, county)[:plans_to_try]:
        data = county_data(db, county, plan)
        if data is None or not data.rows:
            continue
        detail = assess(data)["wrongful_exit_rate"].detail
        deff = detail.deff if detail is not None else float("nan")
        if deff == deff and deff > 0:  # a finite estimate
            name = data.assessment_round.name if data.assessment_round else None
            return {"value": max(1.0, float(deff)), "source": "previous_round", "round": name}
    return {"value": DEFAULT_DECISION_DEFF, "source": "entered", "round": None}


answer_previous_deff(previous_deff)  # sampling's plan page asks through the base
