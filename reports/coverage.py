"""The report's coverage section from the database: planned vs completed, response, reserves.

Counts are unweighted households. The sample is split into three parts that are never
mixed: villages drawn at random (by village stratum and household status), purposive
villages (chosen, not drawn; classed by their own type, remote when flagged remote), and the
screening (排查) of flagged non-registered households, whose households are not planned
non-registered interviews of the sample.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assessment.core.i18n import translate
from assessment.core.labels import STATUS_LABELS
from reports import county_estimates as ce
from reports import county_nonresponse, model
from sampling.services import FrameVillage, PlanHousehold, PlanVillage, SamplePlan
from surveys.services import (
    APPROVED,
    INTERVIEWED,
    OUTCOME_LABELS,
    FieldworkState,
    Interview,
    ReserveRelease,
    village_names,
)

PARTS = ("random", "purposive", "screening")
CLASSES = ("poor", "non_poor", "remote")
STATUSES = ("exited", "not_exited", "non_registered")
GROUPS = (*STATUSES, "screening")


def _keyed_counts(db: Session, query) -> Counter:
    """Counts per (part, village class, status) from rows (purposive, stratum, type, remote,
    role, household stratum, n)."""
    out: Counter = Counter()
    for purposive, stratum, village_type, remote, role, status, n in db.execute(query):
        part = "screening" if role == "screening" else "purposive" if purposive else "random"
        village_class = ("remote" if remote else village_type) if purposive else stratum
        out[(part, village_class, status)] += n
    return out


def _grouped(query):
    columns = (
        PlanVillage.purposive,
        PlanVillage.stratum,
        FrameVillage.village_type,
        FrameVillage.remote,
        case((PlanHousehold.role == "screening", "screening"), else_="sample"),
        PlanHousehold.stratum,
    )
    return (
        query.add_columns(*columns, func.count())
        .join(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
        .join(FrameVillage, PlanVillage.frame_village_id == FrameVillage.id)
        .group_by(*columns)
    )


def coverage_rows(db: Session, plan: SamplePlan) -> tuple[model.CoverageRow, ...]:
    """Planned households (selected, screening) and approved interviews per part, class and
    status; a released reserve's interview counts for the household it replaced."""
    planned = _keyed_counts(
        db,
        _grouped(select().select_from(PlanHousehold)).where(
            PlanHousehold.plan_id == plan.id, PlanHousehold.role.in_(("selected", "screening"))
        ),
    )
    done = _keyed_counts(
        db,
        _grouped(select().select_from(PlanHousehold))
        .join(Interview, Interview.plan_household_id == PlanHousehold.id)
        .where(
            Interview.plan_id == plan.id,
            Interview.status == APPROVED,
            Interview.contact_outcome == INTERVIEWED,
        ),
    )
    keys = sorted(
        set(planned) | set(done),
        key=lambda k: (PARTS.index(k[0]), _index(CLASSES, k[1]), _index(STATUSES, k[2])),
    )
    return tuple(model.CoverageRow(*k, planned.get(k, 0), done.get(k, 0)) for k in keys)


def _index(values, value) -> int:
    return values.index(value) if value in values else len(values)


def response_rates(data: ce.CountyData, complete: bool) -> tuple[model.ResponseRate, ...]:
    """AAPOR RR1 per household status and for screening (villages drawn at random)."""
    if data.fieldwork is None:
        return ()
    found = county_nonresponse.response_rates(data.fieldwork, complete=complete)
    return tuple(
        model.ResponseRate(
            group,
            r["fielded"],
            r["interviewed"],
            r["non_contacts"],
            r["open"],
            r["rate"],
            r["definition"],
        )
        for group, r in found.items()
    )


def reserve_use(db: Session, plan: SamplePlan, state: FieldworkState) -> tuple:
    """Reserves released and left in each cell that released any."""
    names = village_names(db, plan)
    return tuple(
        model.ReserveUse(names.get(c.plan_village_id, ""), c.stratum, c.released, c.available)
        for c in state.cells
        if c.released
    )


def substitution_reasons(db: Session, plan: SamplePlan, lang: str) -> tuple:
    """(label, count) of reserve releases per household stratum and reason."""
    reasons = Counter(
        {
            (stratum, reason): n
            for stratum, reason, n in db.execute(
                select(ReserveRelease.stratum, ReserveRelease.reason, func.count())
                .where(ReserveRelease.plan_id == plan.id)
                .group_by(ReserveRelease.stratum, ReserveRelease.reason)
            )
        }
    )
    return tuple(
        (
            f"{translate(STATUS_LABELS.get(stratum, stratum), lang)} · "
            f"{translate(OUTCOME_LABELS.get(reason, reason), lang)}",
            n,
        )
        for (stratum, reason), n in sorted(reasons.items())
    )


def coverage(
    db: Session,
    plan: SamplePlan,
    data: ce.CountyData | None,
    state: FieldworkState,
    lang: str,
) -> model.Coverage:
    """The coverage section of ``plan`` (``data``: its approved rows, when in a round)."""
    rows = data.rows if data is not None else []
    villages = db.execute(
        select(PlanVillage.stratum, PlanVillage.purposive).where(PlanVillage.plan_id == plan.id)
    ).all()
    table = coverage_rows(db, plan)
    sample = [r for r in table if r.part != "screening"]
    by_type = tuple(
        model.CountRow(
            translate(STATUS_LABELS[s], lang),
            sum(r.planned for r in sample if r.status == s),
            sum(r.completed for r in sample if r.status == s),
        )
        for s in STATUSES
    )
    reasons = substitution_reasons(db, plan, lang)
    response = response_rates(data, state.complete) if data is not None else ()
    return model.Coverage(
        townships=len({r["township"] for r in rows}),
        villages_poor=sum(1 for s, p in villages if s == "poor" and not p),
        villages_non_poor=sum(1 for s, p in villages if s == "non_poor" and not p),
        villages_purposive=sum(1 for _, p in villages if p),
        households_by_type=by_type,
        interviews_completed=len(rows),
        substitutions=sum(n for _, n in reasons),
        substitution_reasons=reasons,
        response_rates=tuple(
            (translate(STATUS_LABELS.get(r.group, r.group), lang), r.rate)
            for r in response
            if r.rate is not None and r.group in STATUSES
        ),
        villages_remote=sum(1 for s, p in villages if s == "remote" and not p),
        rows=table,
        response=response,
        reserves=reserve_use(db, plan, state),
    )


def empty_coverage() -> model.Coverage:
    """The coverage of a county without a plan."""
    return model.Coverage(0, 0, 0, 0, (), 0, 0)
