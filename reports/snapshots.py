"""Report snapshots from the database: the county report and the provincial summary.

A snapshot is a :class:`reports.model.CountyReport` filled from the county's current plan in
its round, the fieldwork's state, its approved interviews and the estimates of
:mod:`reports.county_estimates`. Every county has a snapshot at every stage (no frame, no
plan, no interview, interim, final): what cannot be estimated is ``insufficient_data``, and
the county verdict comes from :func:`reports.county_verdict.county_verdict` alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appeals.services import (
    AppealService,
    earlier_rulings,
    failed_revisit_of,
    outcome,
    revisit_failed,
    revisit_outcome,
)
from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message, translate
from assessment.core.labels import STATUS_LABELS
from assessment.core.models import (
    NATIONAL_SCHEME,
    AssessmentRound,
    County,
    Role,
    Team,
    User,
    utcnow,
)
from assessment.core.services import county_round
from assessment.indicators import INDICATORS, Scheme
from assessment.indicators.icc import RARE_INDICATORS
from assessment.indicators.model import RARE_RATE_ICC
from backchecks.services import BackcheckService
from reports import county_estimates as ce
from reports import county_nonresponse, model
from reports import coverage as cov
from reports.county_verdict import county_verdict
from reports.models import ReportVersion
from sampling.services import Frame, Household, PlanHousehold, PlanVillage, SamplePlan, current_plan
from surveys.services import FieldworkService, FieldworkState, Interview

INSTITUTION = "第三方评估机构（示范）"
# A code: the report writes the description in its language (reports.wording).
ESTIMATORS = "ratio_taylor"
NO_DATA = "—"


def _finite(value) -> float | None:
    value = None if value is None else float(value)
    return value if value is not None and math.isfinite(value) else None


def _clip(value: float | None) -> float | None:
    return None if value is None else min(max(value, 0.0), 1.0)


def _indicator(result, lang: str = "zh") -> model.Indicator:
    """The snapshot's indicator from the core's result (NaN becomes None: 数据不足)."""
    estimate = _clip(_finite(result.estimate))
    official = str(result.official) if estimate is not None else "insufficient_data"
    low, high = _interval(result) if estimate is not None else (None, None)
    detail = result.detail
    return model.Indicator(
        key=result.indicator,
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        threshold=result.threshold,
        comparator=result.comparator,
        verdict=official,
        confidence=str(result.confidence),
        prob_within=_clip(_finite(result.probability_within)),
        numerator=float(result.events),
        denominator=float(detail.n) if detail is not None else None,
        se=_finite(result.se),
        one_sided_bound=_clip(_finite(result.one_sided_bound)),
        bound_label=result.bound_label.render(lang) if result.bound_label is not None else "",
        effective_size=result.effective_size or "",
    )


def _insufficient(key: str, scheme) -> model.Indicator:
    threshold, comparator = scheme.rule(key)
    return model.Indicator(
        key, None, None, None, threshold, comparator, "insufficient_data", "insufficient_data"
    )


def _interval(estimate) -> tuple[float, float]:
    """Two-sided bounds clipped to 0-1 around the estimate; a domain with no design degrees of
    freedom (one village) has no interval, shown as the uninformative 0-100 %."""
    low, high = float(estimate.ci_low), float(estimate.ci_high)
    if math.isnan(low) or math.isnan(high):
        return 0.0, 1.0
    value = _clip(float(estimate.estimate))
    return min(max(low, 0.0), value), max(min(high, 1.0), value)


def _groups(rows, indicator: str, names=None) -> tuple[model.GroupEstimate, ...]:
    names = names or {}
    return tuple(
        model.GroupEstimate(
            names.get(str(r.group), str(r.group)),
            r.indicator,
            _clip(float(r.estimate.estimate)),
            *_interval(r.estimate),
            int(r.estimate.n),
        )
        for r in rows
        if r.indicator == indicator
        and r.reason is None
        and math.isfinite(float(r.estimate.estimate))
    )


def _ruling_code(case) -> str:
    decided = revisit_outcome(case)
    if decided:
        return f"revisit_{decided}"
    if failed_revisit_of(case) is not None:  # pending (ruling "revisit") or ruled again
        return "revisit_failed" if case.ruling == "revisit" else f"revisit_failed_{case.ruling}"
    return case.ruling or ""


def _appeal_note(case) -> model.AppealNote:
    return model.AppealNote(
        response=case.response or "",
        statement=case.statement or "",
        evidence=tuple(f"{e.file_name} ({e.sha256[:12]})" for e in case.evidence),
        ruling=_ruling_code(case),
        ruling_reason=case.ruling_reason or "",
        earlier=tuple(
            model.EarlierRuling(
                ruling=e.get("ruling") or "",
                reason=e.get("reason") or "",
                expert=e.get("ruled_by") or "",
                ruled_at=e.get("ruled_at") or "",
                team=e.get("team") or "",
                contact_outcome=e.get("contact_outcome") or "",
            )
            for e in earlier_rulings(case)
        ),
    )


def _case_problem(case) -> model.Problem:
    household = case.interview.plan_household.household
    village = household.frame_village.village
    basis = json.loads(case.basis_json)
    return model.Problem(
        case.kind,
        village.township.name,
        village.name,
        case.household_code,
        case.persons,
        tuple(f"{s}_ok" for s in basis.get("standards_not_met", ())),
        case.assessor_note,
        "approved",
        _appeal_note(case),
    )


def _moves(
    db: Session, data: ce.CountyData, assessment, ruled: bool
) -> tuple[model.IndicatorMove, ...]:
    """Each indicator before the rulings (the first interviews as first approved, no ruling
    applied) and with them; the same when no ruling changed the rows (none overturned,
    no re-visit), so nothing is estimated twice then."""
    value = lambda r: None if math.isnan(r.estimate) else float(r.estimate)  # noqa: E731
    before = assessment
    if ruled:
        fieldwork = county_nonresponse.read_fieldwork(db, data.plan, first_approved=True)
        rows = ce.sample_rows(db, data.plan, fieldwork, apply_rulings=False)
        before = ce.assess(dataclasses.replace(data, rows=rows))
    found = {r.indicator: value(r) for r in before.indicators}
    return tuple(
        model.IndicatorMove(r.indicator, found.get(r.indicator), value(r))
        for r in assessment.indicators
    )


def _appeals(db: Session, data: ce.CountyData | None, assessment) -> model.AppealSummary | None:
    """The appeal's counts, the overturned households and how the indicators moved."""
    service = AppealService(db)
    publication = service.publication(data.plan) if data is not None else None
    if publication is None:
        return None
    now, cases = service.clock(), publication.cases
    disputed = [c for c in cases if c.response == "disputed"]
    # A re-visited case counts by the re-visit's outcome once the re-visit is approved.
    outcomes = [outcome(c) for c in disputed]
    overturned = [c for c, found in zip(disputed, outcomes, strict=True) if found == "overturned"]
    # A re-visit (approved, under way or failed) changes the rows as an overturning does.
    ruled = any(c.ruling == "overturned" or c.revisit_interview_id for c in disputed)
    return model.AppealSummary(
        published=len(cases),
        accepted=sum(c.response == "accepted" for c in cases),
        unanswered=sum(c.response is None and now > publication.deadline for c in cases),
        disputed=len(disputed),
        upheld=outcomes.count("upheld"),
        overturned=len(overturned),
        pending=outcomes.count(None),
        deadline=publication.deadline,
        moves=_moves(db, data, assessment, ruled) if assessment is not None else (),
        overturned_cases=tuple(_case_problem(c) for c in overturned),
        revisit_failed_cases=tuple(_case_problem(c) for c in disputed if revisit_failed(c)),
    )


def _quality_rate(rate, label: str) -> model.QualityRate:
    value = lambda v: None if math.isnan(v) else float(v)  # noqa: E731
    return model.QualityRate(
        rate.key,
        label,
        rate.compared,
        rate.discrepant,
        value(rate.rate),
        value(rate.ci_low),
        value(rate.ci_high),
        rate.flagged,
    )


def _quality(db: Session, data: ce.CountyData | None, lang: str) -> model.QualitySummary | None:
    """The back-checks of the plan: coverage and discrepancy rates (assessors by code)."""
    service = BackcheckService(db)
    draw = service.draw_of(data.plan) if data is not None else None
    if draw is None:
        return None
    comparison = service.comparison(data.plan)
    labels = {i.name: f"{i.label.get(lang)} ({i.type})" for i in service.items}
    population = json.loads(draw.population_json)
    return model.QualitySummary(
        approved=sum(len(v) for v in population.values()),
        drawn=len(draw.backchecks),
        done=comparison.pairs,
        share=draw.share,
        minimum=draw.minimum,
        seed=draw.seed,
        digest=draw.digest,
        commitment=draw.commitment,
        verified=service.verify(draw).verified,
        items=tuple(_quality_rate(r, labels[r.key]) for r in comparison.items),
        assessors=tuple(_quality_rate(r, r.key) for r in comparison.assessors),
    )


def _problems(db: Session, data: ce.CountyData) -> tuple[model.Problem, ...]:
    # One query for the answers of every approved interview (a lazy load per interview made
    # this most of a county's report: two queries per household); parsed for problems only.
    answers_of = {
        household_id: (interview_id, standards, verification)
        for household_id, interview_id, standards, verification in db.execute(
            select(
                Household.household_id,
                Interview.id,
                Interview.standards_json,
                Interview.verification_json,
            )
            .join(PlanHousehold, Interview.plan_household_id == PlanHousehold.id)
            .join(Household, PlanHousehold.household_pk == Household.id)
            .where(Interview.plan_id == data.plan.id, Interview.status == "approved")
        )
    }
    publication = AppealService(db).publication(data.plan)
    cases = publication.cases if publication else ()
    # A re-visited household's row is its re-visit interview: the note follows it there.
    # After a failed re-visit and a new ruling the first interview is the household's again.
    notes = {
        (c.revisit_interview_id if c.ruling == "revisit" else c.interview_id): _appeal_note(c)
        for c in cases
    }
    out = []
    for row in data.rows:
        kinds = []
        if row["verdict"] in ("wrongly_exited", "missed"):
            kinds.append(row["verdict"])
        if row["recognises"] == 0:
            kinds.append("not_recognising")
        if not kinds:
            continue
        interview_id, standards_json, verification_json = answers_of.get(
            row["household_id"], (None, None, None)
        )
        note = notes.get(interview_id)
        standards = json.loads(standards_json or "{}")
        failed = tuple(k for k, v in standards.items() if v is False)
        answers = json.loads(verification_json or "{}")
        reasons = "；".join(
            str(answers[f"{k}_reason"]) for k in failed if answers.get(f"{k}_reason")
        )
        out += [
            model.Problem(
                kind,
                row["township"],
                row["village"],
                row["household_id"],
                int(row["persons"]),
                failed,
                reasons,
                "approved",
                note if kind != "not_recognising" else None,
            )
            for kind in kinds
        ]
    return tuple(out)


def rare_rate_icc(assessment_round: AssessmentRound | None) -> tuple[model.RareRateIcc, ...]:
    """The ρ of each rare rate in ``assessment_round`` with its source (planning or pooled)."""
    out = []
    for indicator in RARE_INDICATORS:
        found = assessment_round.icc(indicator) if assessment_round is not None else None
        if found is None or found.source == "planning":  # a return to it: as if never left
            value = RARE_RATE_ICC if found is None else found.value
            out.append(model.RareRateIcc(indicator, value))
            continue
        out.append(
            model.RareRateIcc(
                indicator,
                found.value,
                found.source,
                found.from_round_name,
                found.counties,
                found.villages,
                found.events,
                found.applied_at.date(),
                found.screening_model,
                found.screening_counties or 0,
            )
        )
    return tuple(out)


def _methods(plan: SamplePlan | None, assessment, assessment_round=None) -> model.Methods:
    icc = rare_rate_icc(assessment_round)
    if plan is None:
        return model.Methods(
            NO_DATA, NO_DATA, NO_DATA, (), NO_DATA, ESTIMATORS, NO_DATA, NO_DATA, icc
        )
    summary = json.loads(plan.summary_json or "{}")
    strata = tuple(
        model.StratumSize(s["stratum"], s["population"], s["sample"], "village")
        for s in summary.get("strata", [])
        if s.get("stage") in ("village", "villages")
    )
    methods = (
        sorted({r.detail.method for r in assessment.indicators if r.detail is not None})
        if assessment
        else []
    )
    return model.Methods(
        frame_hash=plan.frame.content_hash,
        plan_id=f"{plan.id} (v{plan.version})",
        design=plan.design_json,
        strata=strata,
        seed_commitment=f"{plan.commitment} · seed {plan.seed_hex}",
        estimators=ESTIMATORS,
        ci_method=", ".join(methods) or NO_DATA,
        instrument_version="verification-v1, recognition-v1",
        rare_rate_icc=icc,
    )


def _scheme(assessment_round: AssessmentRound | None, county: County) -> Scheme:
    """The round's thresholds (the national scheme's for a county in no round)."""
    if assessment_round is not None:
        return ce.scheme_of(assessment_round, county)
    return ce.scheme_of(SimpleNamespace(**NATIONAL_SCHEME), county)


def _state(db: Session, county: County, plan, data, fieldwork: FieldworkState | None) -> str:
    if plan is None:
        has_frame = db.scalar(select(func.count()).where(Frame.county_id == county.id))
        return "no_plan" if has_frame else "no_frame"
    if data is None:
        return "no_round"
    if not data.rows:
        return "no_interviews"
    return "final" if fieldwork is not None and fieldwork.complete else "interim"


def _fieldwork(state: FieldworkState | None) -> model.Fieldwork | None:
    if state is None:
        return None
    closure = state.closure
    return model.Fieldwork(
        state.planned,
        state.resolved,
        state.complete,
        closure.closed_by if closure else "",
        closure.closed_at if closure else None,
        closure.reason if closure else "",
    )


def _dates(db: Session, plan: SamplePlan | None, created: dt.datetime) -> tuple[dt.date, dt.date]:
    if plan is None:
        return created.date(), created.date()
    first, last = db.execute(
        select(func.min(Interview.started_at), func.max(Interview.started_at)).where(
            Interview.plan_id == plan.id
        )
    ).one()
    return (first or created).date(), (last or created).date()


def _leaders(db: Session, plan: SamplePlan | None) -> tuple[str, ...]:
    if plan is None:
        return ()
    return tuple(
        db.scalars(
            select(User.display_name)
            .join(Team, User.team_id == Team.id)
            .join(PlanVillage, PlanVillage.team_id == Team.id)
            .where(PlanVillage.plan_id == plan.id, User.role == Role.supervisor)
            .distinct()
        )
    )


def _round(db: Session, county: County, round_id: int | None) -> AssessmentRound | None:
    if round_id is None:
        return county_round(db, county)
    found = db.get(AssessmentRound, round_id)
    if found is None or county not in found.counties:
        raise DomainError(
            Message(
                N_("Round {round} does not assess county {county}."),
                {"round": round_id, "county": county.code},
            )
        )
    return found


def county_snapshot(
    db: Session,
    county: County,
    *,
    lang: str = "zh",
    created: dt.datetime | None = None,
    version: int = 0,
    signed_off: bool = False,
    round_id: int | None = None,
) -> model.CountyReport:
    """The locked input of the county PDF at whatever stage the county is, in round
    ``round_id`` (default: the county's round, see :func:`county_round`)."""
    assessment_round = _round(db, county, round_id)
    plan = current_plan(db, county, assessment_round.id if assessment_round else None)
    data = ce.county_data(db, county, plan, assessment_round=assessment_round) if plan else None
    fieldwork = FieldworkService(db).state(plan) if plan is not None else None
    assessment = ce.assess(data) if data is not None else None
    scheme = data.scheme if data is not None else _scheme(assessment_round, county)
    indicators = (
        tuple(_indicator(r, lang) for r in assessment.indicators)
        if assessment is not None
        else tuple(_insufficient(key, scheme) for key in INDICATORS)
    )
    if data is not None and data.fieldwork is not None:
        worst = county_nonresponse.worst_cases(data.fieldwork, data.rows)
        indicators = tuple(
            dataclasses.replace(i, worst_case=_clip(worst.get(i.key))) for i in indicators
        )
    judged = county_verdict(
        fieldwork_complete=bool(fieldwork and fieldwork.complete),
        officials=[i.verdict for i in indicators],
        confidences=[i.confidence for i in indicators],
        appeals_settled=AppealService(db).state(plan).settled,
    )
    created = created or utcnow().replace(microsecond=0)
    start, end = _dates(db, plan, created)
    return model.CountyReport(
        scheme=assessment_round.name if assessment_round else NO_DATA,
        year=assessment_round.year if assessment_round else created.year,
        province=county.province.name,
        county=county.name,
        period_start=start,
        period_end=end,
        institution=INSTITUTION,
        team_leaders=_leaders(db, plan),
        version=str(version or "draft"),
        report_date=created.date(),
        created=created,
        verdict=judged.verdict,
        indicators=indicators,
        coverage=cov.coverage(db, plan, data, fieldwork, lang) if plan else cov.empty_coverage(),
        methods=_methods(plan, assessment, assessment_round),
        problems=_problems(db, data) if data is not None else (),
        by_township=tuple(
            g
            for key in ("wrongful_exit_rate", "missed_rate", "recognition_rate")
            for g in _groups(assessment.by_township if assessment else (), key)
        ),
        recognition_by_type=_groups(
            assessment.by_household_type if assessment else (),
            "recognition_rate",
            {k: translate(v, lang) for k, v in STATUS_LABELS.items()},
        ),
        signed_off=signed_off,
        simulated=bool(plan and plan.simulated_fieldwork),
        interim=judged.interim,
        borderline=judged.borderline,
        verdict_confidence=judged.confidence,
        fieldwork=_fieldwork(fieldwork),
        state=_state(db, county, plan, data, fieldwork),
        appeals=_appeals(db, data, assessment),
        quality=_quality(db, data, lang),
    )


def summary_of(snap: model.CountyReport, county: County, signed: bool) -> model.CountySummary:
    """A county's row in the provincial summary and on the dashboard, from its snapshot."""
    fieldwork = snap.fieldwork
    return model.CountySummary(
        county.name,
        snap.verdict,
        snap.indicators,
        snap.coverage.interviews_completed,
        len(snap.problems),
        signed,
        state=snap.state,
        interim=snap.interim,
        borderline=snap.borderline,
        planned=fieldwork.planned if fieldwork else 0,
        resolved=fieldwork.resolved if fieldwork else 0,
        code=county.code,
        response=snap.coverage.response,
    )


def county_summary(db: Session, county: County, round_id: int | None = None) -> model.CountySummary:
    """One county's line in the provincial summary and on the dashboard (every stage)."""
    snap = county_snapshot(db, county, round_id=round_id)
    signed = db.scalar(
        select(func.count()).where(
            ReportVersion.county_id == county.id, ReportVersion.signed_off.is_(True)
        )
    )
    return summary_of(snap, county, bool(signed))
