"""Where a plan's fieldwork stands: which planned households are resolved, and closing it.

A planned household (role ``selected`` or ``screening``) is *resolved* when

- it was interviewed and the interview approved;
- it could not be interviewed and the reserve released for it is resolved (a chain: a
  reserve that cannot be interviewed releases the next one of the same cell);
- it could not be interviewed and its cell (village × household status) has no reserve
  left to release; screening households have no reserves, so an out-of-contact screening
  household is resolved as soon as its outcome is recorded.

Fieldwork is *complete* when every planned household is resolved, or when a coordinator has
closed it (:class:`~surveys.models.FieldworkClosure`: who, when, why). Until then the county's
verdict is "insufficient data" and every figure is interim (:mod:`reports.county_verdict`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import User, Village, utcnow
from assessment.core.staleness import mark_stale
from sampling.services import FrameVillage, PlanHousehold, PlanVillage, SamplePlan
from surveys.models import (
    APPROVED,
    INTERVIEWED,
    NOT_INTERVIEWED,
    SUPERSEDED,
    FieldworkClosure,
    Interview,
    ReserveRelease,
)

PLANNED_ROLES = ("selected", "screening")
MAX_REASON = 2000


@dataclass(frozen=True)
class Closure:
    """A recorded closure of fieldwork."""

    closed_by: str
    closed_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class CellUse:
    """Reserves of one cell (village × household status): released and still available."""

    plan_village_id: int
    stratum: str
    released: int
    available: int


@dataclass(frozen=True)
class Disposition:
    """Final or current disposition counts of one group of fielded households.

    ``fielded`` counts every household that was due: planned ones and released reserves.
    ``interviewed`` counts approved interviews; ``outcomes`` counts recorded non-contacts by
    contact outcome (absent, refused, moved, deceased, not_found); ``open`` are due households
    with no final outcome yet (not started, draft, submitted or returned).
    """

    fielded: int
    interviewed: int
    outcomes: dict[str, int]
    open: int


@dataclass(frozen=True)
class FieldworkState:
    """Progress of one plan's fieldwork.

    ``planned`` counts selected and screening households; ``resolved`` those resolved by the
    rule of the module docstring (``by_approval`` through an approved interview, their own or a
    reserve's; ``exhausted`` out of contact with no reserve left).
    """

    plan_id: int
    planned: int
    resolved: int
    by_approval: int
    exhausted: int
    closure: Closure | None
    cells: tuple[CellUse, ...] = ()
    dispositions: dict[str, Disposition] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.closure is not None or (self.planned > 0 and self.resolved == self.planned)

    @property
    def pending(self) -> int:
        return self.planned - self.resolved

    @property
    def progress(self) -> float:
        """Resolved share of the planned households, 0-1."""
        return self.resolved / self.planned if self.planned else 0.0

    @property
    def reserves_released(self) -> int:
        return sum(c.released for c in self.cells)


def _interviews(db: Session, plan_id: int) -> dict[int, tuple[str, str]]:
    return {
        ph_id: (status, outcome)
        for ph_id, status, outcome in db.execute(
            select(Interview.plan_household_id, Interview.status, Interview.contact_outcome).where(
                Interview.plan_id == plan_id, Interview.status != SUPERSEDED
            )
        )
    }


def _resolution(ph_id, role, cell, interviews, releases, spare) -> str | None:
    """``"approved"``, ``"exhausted"`` or None (open) for one planned household's chain."""
    seen = set()
    while ph_id not in seen:
        seen.add(ph_id)
        status, outcome = interviews.get(ph_id, ("", ""))
        if status == APPROVED and outcome == INTERVIEWED:
            return "approved"
        if status != NOT_INTERVIEWED:
            return None
        if ph_id in releases:
            ph_id = releases[ph_id]
            continue
        return "exhausted" if role == "screening" or spare.get(cell, 0) == 0 else None
    return None


def _dispositions(rows, due, interviews) -> dict[str, Disposition]:
    """Disposition counts per group: ``exited`` etc. for the sample, ``screening`` apart."""
    groups: dict[str, list] = {}
    for ph_id, role, _pv, stratum in rows:
        if ph_id in due:
            groups.setdefault("screening" if role == "screening" else stratum, []).append(ph_id)
    out = {}
    for group, ids in sorted(groups.items()):
        outcomes: Counter = Counter()
        interviewed = open_ = 0
        for ph_id in ids:
            status, outcome = interviews.get(ph_id, ("", ""))
            if status == APPROVED and outcome == INTERVIEWED:
                interviewed += 1
            elif status == NOT_INTERVIEWED:
                outcomes[outcome] += 1
            else:
                open_ += 1
        out[group] = Disposition(len(ids), interviewed, dict(outcomes), open_)
    return out


class FieldworkService:
    """Progress and closure of fieldwork, per plan."""

    def __init__(self, dbsession: Session, *, clock: Callable[[], dt.datetime] = utcnow):
        self.db = dbsession
        self.clock = clock

    def closure(self, plan: SamplePlan) -> FieldworkClosure | None:
        return self.db.scalar(select(FieldworkClosure).where(FieldworkClosure.plan_id == plan.id))

    def state(self, plan: SamplePlan) -> FieldworkState:
        """Resolved and open planned households, reserves per cell, dispositions."""
        rows = self.db.execute(
            select(
                PlanHousehold.id,
                PlanHousehold.role,
                PlanHousehold.plan_village_id,
                PlanHousehold.stratum,
            ).where(PlanHousehold.plan_id == plan.id)
        ).all()
        interviews = _interviews(self.db, plan.id)
        releases = dict(
            self.db.execute(
                select(ReserveRelease.replaced_id, ReserveRelease.reserve_id).where(
                    ReserveRelease.plan_id == plan.id
                )
            ).all()
        )
        released_ids = set(releases.values())
        spare: Counter = Counter()
        used: Counter = Counter()
        for ph_id, role, pv, stratum in rows:
            if role == "reserve":
                (used if ph_id in released_ids else spare)[(pv, stratum)] += 1
        counts: Counter = Counter()
        for ph_id, role, pv, stratum in rows:
            if role in PLANNED_ROLES:
                counts["planned"] += 1
                found = _resolution(ph_id, role, (pv, stratum), interviews, releases, spare)
                counts[found] += 1
        cells = tuple(
            CellUse(pv, stratum, used[(pv, stratum)], spare[(pv, stratum)])
            for pv, stratum in sorted(set(used) | set(spare), key=lambda c: (c[0] or 0, c[1]))
        )
        due = {r[0] for r in rows if r[1] in PLANNED_ROLES} | released_ids
        record = self.closure(plan)
        return FieldworkState(
            plan_id=plan.id,
            planned=counts["planned"],
            resolved=counts["approved"] + counts["exhausted"],
            by_approval=counts["approved"],
            exhausted=counts["exhausted"],
            closure=None
            if record is None
            else Closure(
                record.closed_by.display_name if record.closed_by else "",
                record.closed_at,
                record.reason,
            ),
            cells=cells,
            dispositions=_dispositions(rows, due, interviews),
        )

    def close(self, plan: SamplePlan, user: User | None, reason: str) -> FieldworkClosure:
        """Close the plan's fieldwork (once), recording who, when and why."""
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(
                Message(N_("Closing fieldwork needs a written reason.")), field="reason"
            )
        if len(reason) > MAX_REASON:
            raise DomainError(
                Message(N_("The reason is longer than {n} characters."), {"n": MAX_REASON}),
                field="reason",
            )
        if plan.fieldwork_archived_at is not None:
            raise DomainError(Message(N_("This plan was superseded; its fieldwork is archived.")))
        existing = self.closure(plan)
        if existing is not None:
            raise DomainError(
                Message(
                    N_("Fieldwork of this plan was closed already on {date}."),
                    {"date": existing.closed_at.strftime("%Y-%m-%d %H:%M")},
                )
            )
        closure = FieldworkClosure(
            plan_id=plan.id, closed_by=user, closed_at=self.clock(), reason=reason
        )
        self.db.add(closure)
        self.db.flush()
        mark_stale(self.db, [plan.county_id])
        return closure


def village_names(db: Session, plan: SamplePlan) -> dict[int, str]:
    """Plan village id -> village name (for the reserves-per-cell table)."""
    return dict(
        db.execute(
            select(PlanVillage.id, Village.name)
            .join(FrameVillage, PlanVillage.frame_village_id == FrameVillage.id)
            .join(Village, FrameVillage.village_id == Village.id)
            .where(PlanVillage.plan_id == plan.id)
        ).all()
    )
