"""Report snapshots from the database, report versions, and the survey-data export.

A snapshot is a :class:`reports.model.CountyReport` filled from the county's current plan,
its approved interviews and the estimates of :mod:`assessment.county_estimates`. Versions
store the snapshot's JSON; signing off stores the PDF bytes, which never change afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment import county_estimates as ce
from assessment.i18n import N_, Message, translate
from assessment.labels import STATUS_LABELS
from assessment.models import County, Role, Team, User, utcnow
from assessment.services import DomainError
from reports import model, snapshot
from reports.models import ReportVersion
from reports.pdf import render_county_report
from sampling.models import PlanHousehold, PlanVillage, SamplePlan
from surveys.labels import OUTCOME_LABELS
from surveys.models import Interview, ReserveRelease

INSTITUTION = "第三方评估机构（示范）"
ESTIMATORS = (
    "Weighted ratio estimators (persons) with Taylor linearisation, villages as PSUs "
    "within village strata (with-replacement variance); comprehensive incidence by the "
    "delta method."
)


def _indicator(result) -> model.Indicator:
    e = result.detail
    return model.Indicator(
        key=result.indicator,
        estimate=float(result.estimate),
        ci_low=_interval(result)[0],
        ci_high=_interval(result)[1],
        threshold=result.threshold,
        comparator=result.comparator,
        verdict="meets" if result.official_pass else "fails",
        confidence=str(result.confidence),
        prob_within=float(result.probability_within),
        numerator=float(result.events),
        denominator=float(e.n) if e is not None else None,
    )


def _interval(estimate) -> tuple[float, float]:
    """Two-sided bounds clipped to 0-1; a domain with no design degrees of freedom (one
    village) has no interval, shown as the uninformative 0-100 %."""
    low, high = float(estimate.ci_low), float(estimate.ci_high)
    if math.isnan(low) or math.isnan(high):
        return 0.0, 1.0
    return max(low, 0.0), min(high, 1.0)


def _groups(rows, indicator: str) -> tuple[model.GroupEstimate, ...]:
    return tuple(
        model.GroupEstimate(
            str(r.group),
            r.indicator,
            float(r.estimate.estimate),
            *_interval(r.estimate),
            int(r.estimate.n),
        )
        for r in rows
        if r.indicator == indicator and r.reason is None
    )


def _coverage(db: Session, data: ce.CountyData, lang: str) -> model.Coverage:
    plan = data.plan
    villages = db.execute(
        select(PlanVillage.stratum, PlanVillage.purposive).where(PlanVillage.plan_id == plan.id)
    ).all()
    planned = Counter(
        dict(
            db.execute(
                select(PlanHousehold.stratum, func.count())
                .where(PlanHousehold.plan_id == plan.id, PlanHousehold.role == "selected")
                .group_by(PlanHousehold.stratum)
            ).all()
        )
    )
    done = Counter(r["status"] for r in data.rows)
    # Substitutions per household stratum and reason (response and approval per stratum are
    # the planned / completed counts of ``households_by_type``).
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
    by_type = tuple(
        model.CountRow(translate(STATUS_LABELS[s], lang), planned.get(s, 0), done.get(s, 0))
        for s in STATUS_LABELS
    )
    rates = tuple(
        (translate(STATUS_LABELS[s], lang), min(done.get(s, 0) / planned[s], 1.0))
        for s in STATUS_LABELS
        if planned.get(s)
    )
    return model.Coverage(
        townships=len({r["township"] for r in data.rows}),
        villages_poor=sum(1 for s, p in villages if s == "poor" and not p),
        villages_non_poor=sum(1 for s, p in villages if s != "poor" and not p),
        villages_purposive=sum(1 for _, p in villages if p),
        households_by_type=by_type,
        interviews_completed=len(data.rows),
        substitutions=sum(reasons.values()),
        substitution_reasons=tuple(
            (
                f"{translate(STATUS_LABELS.get(stratum, stratum), lang)} · "
                f"{translate(OUTCOME_LABELS.get(reason, reason), lang)}",
                n,
            )
            for (stratum, reason), n in sorted(reasons.items())
        ),
        response_rates=rates,
    )


def _problems(db: Session, data: ce.CountyData) -> tuple[model.Problem, ...]:
    interviews = {
        i.plan_household.household.household_id: i
        for i in db.scalars(
            select(Interview).where(
                Interview.plan_id == data.plan.id, Interview.status == "approved"
            )
        )
    }
    out = []
    for row in data.rows:
        interview = interviews.get(row["household_id"])
        standards = json.loads(interview.standards_json or "{}") if interview else {}
        failed = tuple(k for k, v in standards.items() if v is False)
        answers = json.loads(interview.verification_json or "{}") if interview else {}
        reasons = "；".join(
            str(answers[f"{k}_reason"]) for k in failed if answers.get(f"{k}_reason")
        )
        kinds = []
        if row["verdict"] in ("wrongly_exited", "missed"):
            kinds.append(row["verdict"])
        if row["recognises"] == 0:
            kinds.append("not_recognising")
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
            )
            for kind in kinds
        ]
    return tuple(out)


def _methods(data: ce.CountyData, assessment) -> model.Methods:
    plan = data.plan
    summary = json.loads(plan.summary_json or "{}")
    strata = tuple(
        model.StratumSize(s["stratum"], s["population"], s["sample"], "village")
        for s in summary.get("strata", [])
        if s.get("stage") in ("village", "villages")
    )
    methods = sorted({r.detail.method for r in assessment.indicators if r.detail is not None})
    return model.Methods(
        frame_hash=plan.frame.content_hash,
        plan_id=f"{plan.id} (v{plan.version})",
        design=plan.design_json,
        strata=strata,
        seed_commitment=f"{plan.commitment} · seed {plan.seed_hex}",
        estimators=ESTIMATORS,
        ci_method=", ".join(methods),
        instrument_version="verification-v1, recognition-v1",
    )


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
    """The locked input of the county PDF, from the current approved data (of the plan of
    round ``round_id`` when given, else the county's newest plan)."""
    plan = ce.current_plan(db, county, round_id)
    data = ce.county_data(db, county, plan) if plan is not None else None
    if data is None:
        raise DomainError(
            Message(
                N_("County {county} has no sampling plan or round yet."), {"county": county.code}
            )
        )
    assessment = ce.assess(data)
    if assessment is None:
        raise DomainError(
            Message(N_("County {county} has no approved interview yet."), {"county": county.code})
        )
    created = created or utcnow().replace(microsecond=0)
    leaders = tuple(
        db.scalars(
            select(User.display_name)
            .join(Team, User.team_id == Team.id)
            .join(PlanVillage, PlanVillage.team_id == Team.id)
            .where(PlanVillage.plan_id == data.plan.id, User.role == Role.supervisor)
            .distinct()
        )
    )
    dates = [
        d
        for d in db.scalars(select(Interview.started_at).where(Interview.plan_id == data.plan.id))
        if d is not None
    ]
    return model.CountyReport(
        scheme=data.assessment_round.name,
        year=data.assessment_round.year,
        province=county.province.name,
        county=county.name,
        period_start=min(dates).date() if dates else created.date(),
        period_end=max(dates).date() if dates else created.date(),
        institution=INSTITUTION,
        team_leaders=leaders,
        version=str(version or "draft"),
        report_date=created.date(),
        created=created,
        verdict="exit_recommended" if assessment.official_pass else "not_met",
        indicators=tuple(_indicator(r) for r in assessment.indicators),
        coverage=_coverage(db, data, lang),
        methods=_methods(data, assessment),
        problems=_problems(db, data),
        by_township=tuple(
            g
            for key in ("wrongful_exit_rate", "missed_rate", "recognition_rate")
            for g in _groups(assessment.by_township, key)
        ),
        recognition_by_type=_groups(assessment.by_household_type, "recognition_rate"),
        signed_off=signed_off,
        simulated=data.plan.simulated_fieldwork,
    )


class ReportService:
    def __init__(self, dbsession: Session):
        self.db = dbsession

    def versions(self, county: County) -> list[ReportVersion]:
        return list(
            self.db.scalars(
                select(ReportVersion)
                .where(ReportVersion.county_id == county.id)
                .order_by(ReportVersion.version.desc())
            )
        )

    def create_version(self, county: County, *, lang: str, user: User | None) -> ReportVersion:
        """Lock the current approved data into a new numbered snapshot."""
        number = (
            self.db.scalar(
                select(func.max(ReportVersion.version)).where(ReportVersion.county_id == county.id)
            )
            or 0
        ) + 1
        snap = county_snapshot(self.db, county, lang=lang, version=number)
        text = snapshot.dumps(snap)
        data = ce.county_data(self.db, county)
        version = ReportVersion(
            county=county,
            plan_id=data.plan.id,
            version=number,
            language=lang,
            snapshot_json=text,
            snapshot_sha256=hashlib.sha256(text.encode()).hexdigest(),
            created_by=user,
        )
        self.db.add(version)
        self.db.flush()
        return version

    def pdf(self, version: ReportVersion) -> bytes:
        """The version's PDF: the stored bytes once signed off, else rendered from the snapshot."""
        if version.signed_off and version.pdf is not None:
            return version.pdf
        return render_county_report(snapshot.loads(version.snapshot_json), lang=version.language)

    def sign_off(self, version: ReportVersion, user: User | None) -> None:
        """Freeze the version: render without the draft mark and store the bytes for good."""
        if version.signed_off:
            raise DomainError(Message(N_("This report version is already signed off.")))
        snap = snapshot.loads(version.snapshot_json)
        final = dataclasses.replace(snap, signed_off=True)
        pdf = render_county_report(final, lang=version.language)
        version.signed_off, version.signed_off_at, version.signed_off_by = True, utcnow(), user
        version.pdf, version.pdf_sha256 = pdf, hashlib.sha256(pdf).hexdigest()


def county_summary(db: Session, county: County) -> model.CountySummary | None:
    """One county's line in the provincial summary (None without approved data)."""
    try:
        snap = county_snapshot(db, county)
    except DomainError:
        return None
    signed = db.scalar(
        select(func.count()).where(
            ReportVersion.county_id == county.id, ReportVersion.signed_off.is_(True)
        )
    )
    return model.CountySummary(
        county.name,
        snap.verdict,
        snap.indicators,
        snap.coverage.interviews_completed,
        len(snap.problems),
        bool(signed),
    )


def province_snapshot(
    db: Session, province_name: str, *, created: dt.datetime | None = None
) -> model.ProvinceReport:
    """Every county of the province with approved data, for the provincial summary."""
    from assessment.models import Province
    from assessment.services import latest_round

    province = db.scalar(select(Province).where(Province.name == province_name))
    if province is None:
        raise DomainError(Message(N_("No province named {name}."), {"name": province_name}))
    counties = db.scalars(
        select(County).where(County.province_id == province.id).order_by(County.code)
    ).all()
    summaries = tuple(s for s in (county_summary(db, c) for c in counties) if s is not None)
    if not summaries:
        raise DomainError(
            Message(N_("No county of {name} has approved interviews yet."), {"name": province_name})
        )
    current = latest_round(db)
    created = created or utcnow().replace(microsecond=0)
    simulated = any(
        p
        for p in db.scalars(
            select(SamplePlan.simulated_fieldwork).where(
                SamplePlan.county_id.in_([c.id for c in counties])
            )
        )
    )
    return model.ProvinceReport(
        scheme=current.name if current else "",
        year=current.year if current else created.year,
        province=province.name,
        institution=INSTITUTION,
        version="draft",
        report_date=created.date(),
        created=created,
        counties=summaries,
        simulated=simulated,
    )


@dataclasses.dataclass(frozen=True)
class CountyStatus:
    """A county's line on the dashboard."""

    county: County
    plan: SamplePlan | None
    planned: int
    done: int
    submitted: int
    approved: int
    signed_off: bool
    summary: model.CountySummary | None

    @property
    def fieldwork(self) -> float:
        return min(self.done / self.planned, 1.0) if self.planned else 0.0

    @property
    def review(self) -> float:
        return self.approved / self.submitted if self.submitted else 0.0


def dashboard(db: Session) -> list[CountyStatus]:
    """Every county of the latest round with progress and verdicts (no household records)."""
    from assessment.services import latest_round

    current = latest_round(db)
    counties = current.counties if current else db.scalars(select(County)).all()
    out = []
    for county in counties:
        data = ce.county_data(db, county)
        plan = data.plan if data else None
        counts = Counter()
        if plan is not None:
            counts = Counter(
                dict(
                    db.execute(
                        select(Interview.status, func.count())
                        .where(Interview.plan_id == plan.id)
                        .group_by(Interview.status)
                    ).all()
                )
            )
        planned = (
            db.scalar(
                select(func.count()).where(
                    PlanHousehold.plan_id == plan.id, PlanHousehold.role == "selected"
                )
            )
            if plan
            else 0
        )
        signed = db.scalar(
            select(func.count()).where(
                ReportVersion.county_id == county.id, ReportVersion.signed_off.is_(True)
            )
        )
        submitted = counts["submitted"] + counts["approved"]
        out.append(
            CountyStatus(
                county,
                plan,
                planned or 0,
                submitted + counts["not_interviewed"],
                submitted,
                counts["approved"],
                bool(signed),
                county_summary(db, county) if plan else None,
            )
        )
    return out
