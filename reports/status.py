"""A county's status in a round: plan, fieldwork, review counts and its report summary.

The one computation behind the county page, the dashboard's stored lines
(:mod:`reports.results`) and the provincial summary.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.core.models import AssessmentRound, County
from assessment.core.services import county_round
from reports import model
from reports.models import ReportVersion
from reports.snapshots import county_snapshot, summary_of
from sampling.services import SamplePlan, current_plan
from surveys.services import FieldworkService, FieldworkState, Interview


@dataclasses.dataclass(frozen=True)
class CountyStatus:
    """A county's line on the dashboard: progress and its summary (every stage)."""

    county: County
    assessment_round: AssessmentRound | None
    plan: SamplePlan | None
    fieldwork_state: FieldworkState | None
    submitted: int
    approved: int
    signed_off: bool
    summary: model.CountySummary
    snapshot: model.CountyReport

    @property
    def planned(self) -> int:
        return self.fieldwork_state.planned if self.fieldwork_state else 0

    @property
    def fieldwork(self) -> float:
        """Resolved share of the planned households (0-1)."""
        return self.fieldwork_state.progress if self.fieldwork_state else 0.0

    @property
    def review(self) -> float:
        return self.approved / self.submitted if self.submitted else 0.0


def county_status(db: Session, county: County, round_id: int | None = None) -> CountyStatus:
    """One county's dashboard line in round ``round_id`` (its own round when None)."""
    plan = current_plan(db, county, round_id)
    counts: Counter = Counter()
    state = None
    if plan is not None:
        state = FieldworkService(db).state(plan)
        counts = Counter(
            dict(
                db.execute(
                    select(Interview.status, func.count())
                    .where(Interview.plan_id == plan.id)
                    .group_by(Interview.status)
                ).all()
            )
        )
    snap = county_snapshot(db, county, round_id=round_id)
    assessment_round = (
        db.get(AssessmentRound, round_id) if round_id is not None else county_round(db, county)
    )
    signed = db.scalar(
        select(func.count()).where(
            ReportVersion.county_id == county.id, ReportVersion.signed_off.is_(True)
        )
    )
    return CountyStatus(
        county,
        assessment_round,
        plan,
        state,
        counts["submitted"] + counts["approved"],
        counts["approved"],
        bool(signed),
        summary_of(snap, county, bool(signed)),
        snap,
    )
