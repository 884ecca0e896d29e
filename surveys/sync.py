"""The phone's sync queue on the server: idempotent changes and version conflicts.

An assessor's phone keeps every answer in its own storage and queues each change (contact
outcome, draft, submission, photo) with an idempotency key made when the change was queued.
:class:`ReceiptStore` keeps the answer given under each key (per user), so a retry whose
first answer was lost gets the same answer and changes nothing. A change made against an
older version than the server's is a conflict (:class:`~surveys.workflow.StaleInterview`),
shown on the phone with both versions; never stored over the newer one - unless the phone's
answers are the server's already (a draft the page saved on leaving, sent again by the
queue), which is no conflict at all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import User, utcnow
from sampling.services import PlanHousehold
from surveys import audit
from surveys.models import INTERVIEWED, Interview, ReserveRelease, SyncReceipt
from surveys.workflow import InterviewService, OutcomeResult, Visits, load_answers

ACTIONS = ("visit", "outcome", "draft", "submit", "photo")
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")

MSG_BAD_KEY = N_("The change carries no valid idempotency key (8 to 64 letters, digits, - or _).")
MSG_BAD_ACTION = N_("Unknown kind of change; nothing was saved.")
MSG_KEY_REUSED = N_("This idempotency key was used for another change; nothing was saved.")


@dataclass(frozen=True)
class SyncAnswer:
    """What the server answers to one queued change: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


def valid_key(key: str) -> bool:
    """Whether ``key`` is a usable idempotency key."""
    return bool(KEY_PATTERN.fullmatch(key or ""))


class ReceiptStore:
    """The answers given under idempotency keys (one row per user and key)."""

    def __init__(self, dbsession: Session):
        self.db = dbsession

    def find(self, user: User, key: str) -> SyncReceipt | None:
        query = select(SyncReceipt).where(SyncReceipt.user_id == user.id, SyncReceipt.key == key)
        return self.db.scalars(query).first()

    def claim(self, user: User, key: str, ph: PlanHousehold, action: str) -> SyncReceipt | None:
        """Reserve ``key`` before acting; None when a simultaneous request holds it already.

        The row is inserted in a savepoint: a second request with the same key waits on the
        unique index and, once the first commits, fails here instead of acting twice.
        """
        row = SyncReceipt(
            user_id=user.id,
            key=key,
            plan_household_id=ph.id,
            action=action,
            status_code=0,
            response_json="{}",
            created_at=utcnow(),
        )
        try:
            with self.db.begin_nested():
                self.db.add(row)
                self.db.flush()
        except IntegrityError:
            return None
        return row

    @staticmethod
    def settle(row: SyncReceipt, answer: SyncAnswer) -> None:
        row.status_code = answer.status
        row.response_json = json.dumps(answer.body, ensure_ascii=False)

    @staticmethod
    def replay(row: SyncReceipt, ph: PlanHousehold, action: str) -> SyncAnswer | None:
        """The stored answer; None for a key used for another household or action."""
        if row.plan_household_id != ph.id or row.action != action or row.status_code == 0:
            return None
        body = json.loads(row.response_json)
        return SyncAnswer(row.status_code, {**body, "replayed": True})


def same_answers(interview: Interview, answers) -> bool:
    """Whether ``answers`` are what the server holds already (flattened, empties dropped)."""
    return audit.flatten(load_answers(interview)) == audit.flatten(
        {part: answers.get(part) or {} for part in ("verification", "recognition")}
    )


def existing_outcome(service: InterviewService, ph: PlanHousehold, outcome: str):
    """The interview if ``outcome`` is recorded already (the queue sent it twice, or another
    device recorded the same outcome), else None."""
    item = service.interview_of(ph)
    if item is not None and item.contact_outcome == outcome:
        return item
    return None


def release_of(dbsession: Session, item: Interview, ph: PlanHousehold) -> OutcomeResult:
    """The outcome already recorded for ``ph``, with the reserve released in its place."""
    release = dbsession.scalar(select(ReserveRelease).where(ReserveRelease.replaced_id == ph.id))
    return OutcomeResult(item, release)


def outcome_body(result, *, created: bool) -> dict[str, Any]:
    """The answer to a recorded outcome: the interview's state and the reserve released."""
    release = result.release
    reserve = None
    if release is not None:
        household = release.reserve.household
        reserve = {
            "id": release.reserve_id,
            "household_id": household.household_id,
            "head_name": household.head_name,
        }
    return {
        "status": result.interview.status,
        "version": result.interview.version,
        "created": created,
        "released_reserve": reserve,
        "no_reserve_left": result.no_reserve_left,
        "interviewed": result.interview.contact_outcome == INTERVIEWED,
    }


# -- 不在家 visits made offline --------------------------------------------------------------
# The phone stamps each 不在家 visit with its own clock; the server records those times
# (the rule is about when the assessor was at the door, not when the network came back)
# but only within sane bounds: not in the future beyond a small clock skew, not before the
# household could be visited (the plan committed; a reserve released).
CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_VISITS_PER_CHANGE = 20

MSG_VISIT_TIME = N_(
    "A visit time sent by the phone is not a valid date and time; nothing was saved."
)
MSG_VISIT_FUTURE = N_(
    "A visit time sent by the phone ({time}) is later than now: check the phone's clock; "
    "nothing was saved."
)
MSG_VISIT_EARLY = N_(
    "A visit time sent by the phone ({time}) is before the household could be visited "
    "({start}): check the phone's clock; nothing was saved."
)
MSG_VISIT_MANY = N_("Too many visits in one change; nothing was saved.")


def parse_visit_times(values: list[str]) -> list[dt.datetime]:
    """The phone's visit times (ISO 8601, with a zone or UTC) as naive UTC datetimes."""
    if len(values) > MAX_VISITS_PER_CHANGE:
        raise DomainError(Message(MSG_VISIT_MANY))
    out = []
    for value in values:
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except (TypeError, ValueError):
            raise DomainError(Message(MSG_VISIT_TIME)) from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        out.append(moment)
    return sorted(out)


def _earliest_visit(dbsession: Session, ph: PlanHousehold) -> dt.datetime:
    start = ph.plan.committed_at
    release = dbsession.scalar(select(ReserveRelease).where(ReserveRelease.reserve_id == ph.id))
    if release is not None:
        start = max(start, release.released_at)
    return start.replace(tzinfo=None)


def record_client_visits(
    service: InterviewService, ph: PlanHousehold, times: list[dt.datetime], user: User | None
) -> Visits:
    """Record the 不在家 visits the phone made offline, at the phone's times, once each.

    All are checked before any is stored; a time already recorded for the household (the
    same change sent again under a new key) is not stored twice. The gap rule applies to
    them as to any visit (:meth:`InterviewService.visits`).
    """
    now = service.clock().replace(tzinfo=None)
    start = _earliest_visit(service.db, ph)
    for moment in times:
        shown = moment.strftime("%Y-%m-%d %H:%M")
        if moment > now + CLOCK_SKEW:
            raise DomainError(Message(MSG_VISIT_FUTURE, {"time": shown}))
        if moment < start:
            values = {"time": shown, "start": start.strftime("%Y-%m-%d %H:%M")}
            raise DomainError(Message(MSG_VISIT_EARLY, values))
    known = {a.visited_at for a in service.visits(ph).attempts}
    for moment in times:
        if moment not in known:
            service.record_visit(ph, user, at=moment)
            known.add(moment)
    return service.visits(ph)


def visits_body(visits: Visits) -> dict[str, Any]:
    """The household's 不在家 visits as the server counts them."""
    return {
        "visits": [a.visited_at.isoformat() + "Z" for a in visits.attempts],
        "visits_counted": visits.counted,
        "visits_needed": visits.needed,
        "next_visit_from": visits.next_from.isoformat() + "Z" if visits.next_from else None,
    }
