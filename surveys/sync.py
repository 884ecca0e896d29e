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

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.i18n import N_
from assessment.models import User, utcnow
from sampling.models import PlanHousehold
from surveys import audit
from surveys.models import INTERVIEWED, Interview, ReserveRelease, SyncReceipt
from surveys.workflow import InterviewService, OutcomeResult, load_answers

ACTIONS = ("outcome", "draft", "submit", "photo")
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
