"""Non-response of a county's fieldwork (database side of :mod:`assessment.indicators.nonresponse`).

Every *slot* of the sample is a planned household of a village drawn at random: a sampled
household (its cell is village × household status) or a screening household (its cell is the
village, so that 漏评 counts and its denominator refer to the same households). A slot
*responded* when its chain (the household, then the reserves released for it in rank order)
ends in an approved interview; that interview carries the slot's base weight, scaled by the
weighting-class adjustment of the core. The assumption, in plain words: within a cell, the
households that could not be reached are like the ones that were (docs/estimation.md).

The same slots give the worst-case sensitivity of each error rate (every household whose
originally selected member was not interviewed counted as failing), and the attempted units
(slots and released reserves) give the AAPOR response rates per status and for screening.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assessment.indicators import nonresponse as nr
from sampling.services import (
    FLAG_COLUMNS,
    FrameVillage,
    Household,
    PlanHousehold,
    PlanVillage,
    SamplePlan,
)
from surveys.services import (
    APPROVED,
    INTERVIEWED,
    NOT_INTERVIEWED,
    SUPERSEDED,
    Interview,
    ReserveRelease,
)

GROUPS = ("exited", "not_exited", "non_registered", "screening")
RESPONSE_DEFINITION = "AAPOR RR1"


@dataclass(frozen=True)
class Slot:
    """One planned household of a random village and how its chain ended."""

    ph_id: int
    kind: str  # household status, or "screening"
    stratum: str  # village stratum
    position: int  # village's place in the frame order
    weight: float  # base (design) weight
    responder: int | None  # plan household whose approved interview fills the slot
    first_responded: bool  # the originally selected household itself was interviewed
    persons: float  # household size in the frame (the original household)
    flagged_srs: bool  # a screening-flagged household drawn by the SRS (census weight 1)
    pi_household: float


@dataclass(frozen=True)
class Fieldwork:
    """The plan's slots, interviews and reserve chains, read once."""

    slots: tuple[Slot, ...]
    interviews: dict[int, tuple[str, str]]  # plan household -> (status, outcome)
    released: dict[int, str]  # released reserve -> the status stratum of its cell
    non_registered_total: float  # Σ over random villages: village weight × NR population


def _end_of_chain(ph_id: int, interviews, releases) -> int | None:
    seen = set()
    while ph_id not in seen:
        seen.add(ph_id)
        status, outcome = interviews.get(ph_id, ("", ""))
        if status == APPROVED and outcome == INTERVIEWED:
            return ph_id
        if status != NOT_INTERVIEWED or ph_id not in releases:
            return None
        ph_id = releases[ph_id]
    return None


def read_fieldwork(db: Session, plan: SamplePlan, *, first_approved: bool = False) -> Fieldwork:
    """Slots of the random villages, interview statuses and released reserves of ``plan``
    (``first_approved``: as first approved, before any re-visit an appeal ruling ordered:
    no re-visit, and a first interview superseded by one counts as approved)."""
    current = Interview.status != SUPERSEDED
    if first_approved:
        current = Interview.revisit_of_id.is_(None)
    interviews = {
        ph_id: (APPROVED if status == SUPERSEDED else status, outcome)
        for ph_id, status, outcome in db.execute(
            select(Interview.plan_household_id, Interview.status, Interview.contact_outcome).where(
                Interview.plan_id == plan.id, current
            )
        )
    }
    releases = dict(
        db.execute(
            select(ReserveRelease.replaced_id, ReserveRelease.reserve_id).where(
                ReserveRelease.plan_id == plan.id
            )
        ).all()
    )
    screening = bool(json.loads(plan.design_json or "{}").get("screening", False))
    # Columns, not entities: a county has thousands of planned households (and reserves),
    # and building ORM objects for them was most of this function's time.
    query = (
        select(
            PlanHousehold.id,
            PlanHousehold.role,
            PlanHousehold.stratum.label("cell"),
            PlanHousehold.weight,
            PlanHousehold.pi_household,
            PlanVillage.stratum,
            FrameVillage.id.label("position"),
            Household.household_size,
            *(getattr(Household, f) for f in FLAG_COLUMNS),
        )
        .join(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
        .join(FrameVillage, PlanVillage.frame_village_id == FrameVillage.id)
        .join(Household, PlanHousehold.household_pk == Household.id)
        .where(PlanHousehold.plan_id == plan.id, PlanVillage.purposive.is_(False))
        .order_by(PlanHousehold.id)
    )
    slots, released = [], {}
    reserve_ids = set(releases.values())
    for ph in db.execute(query):
        if ph.id in reserve_ids:
            released[ph.id] = ph.cell
        if ph.role not in ("selected", "screening"):
            continue
        flagged = any(getattr(ph, f) for f in FLAG_COLUMNS)
        slots.append(
            Slot(
                ph.id,
                "screening" if ph.role == "screening" else ph.cell,
                ph.stratum,
                ph.position,  # frame villages are numbered in the frame's order
                ph.weight,
                _end_of_chain(ph.id, interviews, releases),
                interviews.get(ph.id) == (APPROVED, INTERVIEWED),
                float(ph.household_size),
                screening and flagged and ph.role == "selected" and ph.cell == "non_registered",
                ph.pi_household,
            )
        )
    return Fieldwork(tuple(slots), interviews, released, _non_registered_total(db, plan))


def _non_registered_total(db: Session, plan: SamplePlan) -> float:
    """Σ over the plan's random villages of (1 / pi_village) × non-registered persons."""
    non_registered = case((Household.status == "non_registered", Household.household_size), else_=0)
    query = (
        select(PlanVillage.pi_village, func.sum(non_registered))
        .join(Household, Household.frame_village_id == PlanVillage.frame_village_id)
        .where(
            PlanVillage.plan_id == plan.id,
            PlanVillage.purposive.is_(False),
            Household.frame_id == plan.frame_id,
        )
        .group_by(PlanVillage.id, PlanVillage.pi_village)
    )
    # fsum: the database returns the villages in no set order; an exactly rounded sum makes
    # the total (and the worst case built on it) the same whatever the order.
    return math.fsum((n or 0) / pi for pi, n in db.execute(query) if pi > 0)


def _census_gaps(fieldwork: Fieldwork) -> list[Slot]:
    """Flagged households the SRS selected that were not themselves interviewed.

    Such a household belongs to two designs: the SRS of its village's non-registered
    households, whose slot a reserve fills as usual (the reserve answers for recognition);
    and the census of the village's flagged households, where it counts at weight 1
    (:func:`reports.county_estimates.screening_adjusted`). Reserves are unflagged, so the
    reserve cannot stand in for it in the census: a reserve counting its missed persons at
    the SRS weight would add to the unflagged part a household the SRS did not give it (a
    bias upwards, larger where villages cluster: docs/estimation.md, "Non-contact of a
    flagged household the SRS selected"). Instead the household is a non-respondent of the
    census, in its village's screening cell, and its reserve counts no missed person
    (:func:`census_stand_ins`)."""
    return [s for s in fieldwork.slots if s.flagged_srs and not s.first_responded]


def census_stand_ins(fieldwork: Fieldwork) -> frozenset[int]:
    """Plan households (reserves) interviewed in the slot of a flagged household the SRS
    selected: they count for recognition, not for 漏评 (:func:`_census_gaps`)."""
    return frozenset(s.responder for s in _census_gaps(fieldwork) if s.responder is not None)


def adjusted_weights(fieldwork: Fieldwork) -> dict[int, float]:
    """Weight of each responding plan household after the weighting-class adjustment.

    Besides the slots, each flagged household the SRS selected and did not interview is a
    non-respondent of its village's screening cell at its census weight (base weight ×
    ``pi_household``): the screening households interviewed there carry it."""
    slots = fieldwork.slots
    if not slots:
        return {}
    gaps = _census_gaps(fieldwork)
    done = nr.weighting_class_adjustment(
        [s.weight for s in slots] + [s.weight * s.pi_household for s in gaps],
        [s.stratum for s in slots] + [s.stratum for s in gaps],
        [s.position for s in slots] + [s.position for s in gaps],
        [s.kind for s in slots] + ["screening"] * len(gaps),
        [s.responder is not None for s in slots] + [False] * len(gaps),
    )
    return {
        s.responder: float(w)
        for s, w in zip(slots, done.weights[: len(slots)], strict=True)
        if s.responder is not None
    }


def _final_outcome(state: tuple[str, str] | None, complete: bool) -> str | None:
    """The AAPOR disposition of one attempted unit; None while it is still open."""
    status, outcome = state or ("", "")
    if status == APPROVED and outcome == INTERVIEWED:
        return INTERVIEWED
    if status == NOT_INTERVIEWED:
        return outcome
    if not complete:
        return None
    # Fieldwork over with the unit open: contacted but no usable interview (O), or never
    # reached (NC).
    return "O" if status else "NC"


def response_rates(fieldwork: Fieldwork, *, complete: bool) -> dict[str, dict]:
    """RR1 per status and for screening over every attempted unit (slots, released
    reserves); while fieldwork is under way, over the units with a final outcome."""
    units = defaultdict(list)
    for s in fieldwork.slots:
        units[s.kind].append(s.ph_id)
    for ph_id, stratum in fieldwork.released.items():
        units[stratum].append(ph_id)
    out = {}
    for group in GROUPS:
        if group not in units:
            continue
        finals = [_final_outcome(fieldwork.interviews.get(i), complete) for i in units[group]]
        known = [f for f in finals if f is not None]
        rates = nr.response_rates(known)
        out[group] = {
            "fielded": len(finals),
            "interviewed": sum(f == INTERVIEWED for f in known),
            "non_contacts": sum(f != INTERVIEWED for f in known),
            "open": len(finals) - len(known),
            "rate": None if not np.isfinite(rates.rr1) else float(rates.rr1),
            "definition": RESPONSE_DEFINITION,
        }
    return out


def worst_cases(fieldwork: Fieldwork, rows: list[dict]) -> dict[str, float | None]:
    """The 错退率 and 漏评率 if every slot whose selected household was not itself
    interviewed had failed (base weights; the 漏评率 over its known denominator)."""
    by_ph = {r["plan_household_id"]: r for r in rows if r["random_village"]}
    out = {}
    for key, kinds in (
        ("wrongful_exit_rate", ("exited",)),
        ("missed_rate", ("non_registered", "screening")),
    ):
        slots = [s for s in fieldwork.slots if s.kind in kinds]
        if not slots:
            out[key] = None
            continue
        y, x = [], []
        for s in slots:
            row = by_ph.get(s.ph_id) if s.first_responded else None
            persons = float(row["persons"]) if row else s.persons
            if key == "wrongful_exit_rate":
                y.append(persons if row and row["wrongly_exited"] else 0.0)
                x.append(persons)
            else:
                y.append(float(row["missed_persons"]) if row else 0.0)
                x.append(persons * (s.pi_household if s.flagged_srs else 1.0))
        total = fieldwork.non_registered_total if key == "missed_rate" else None
        value = nr.worst_case_ratio(
            y,
            x,
            [s.weight for s in slots],
            [s.first_responded and s.ph_id in by_ph for s in slots],
            worst="high",
            denominator_total=total,
        )
        out[key] = float(value) if np.isfinite(value) else None
    return out
