"""Supervisor review: the queue, approve, return with comments, bulk approve, re-visit draws.

Rights are checked here, at the time of each action, not only by the route's ACL: a
reviewer is an administrator or the supervisor of the team that works the interview's plan
village *now* (a village can move to another team during fieldwork), and never one of the
interview's authors (whoever recorded, saved or submitted it).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import Role, User, Village, utcnow
from assessment.core.staleness import deferred, mark_stale, refresh_now
from sampling.services import FrameVillage, Household, PlanHousehold, PlanVillage
from surveys import audit
from surveys.assignments import current_plan_ids
from surveys.models import (
    APPROVED,
    RETURNED,
    SUBMITTED,
    Interview,
    InterviewChange,
    ReviewComment,
    RevisitDraw,
)
from surveys.quality import Flag, flags_from_json
from surveys.schemas import MAX_TEXT
from surveys.workflow import check_not_archived

MSG_NOT_SUBMITTED = N_("Only a submitted interview can be approved or returned.")
MSG_NOT_APPROVED = N_("Only an approved interview can be returned on a back-check's evidence.")
MSG_OTHER_TEAM = N_(
    "This interview's village is worked by another team now; only that team's supervisor "
    "may review it."
)
MSG_OWN_WORK = N_(
    "You recorded or edited this interview yourself; another supervisor must approve it."
)
# Audited actions that do not make their user an author of the interview (an expert who
# orders a re-visit did not record it).
REVIEW_ACTIONS = ("approve", "return", "return_approved", "revisit_superseded", "revisit_start")
MAX_PATH = 200  # characters of a comment's question path (the column's size)
# Revisit seeds are stored in a 32-bit column and typed by people: bounded like route ids.
SEED_LIMIT = 2**31


class ReviewRefused(DomainError):
    """A review action the user may not take on this interview (other team, own work)."""


@dataclass(frozen=True)
class BulkApproval:
    """What a bulk approval did: approved, and left for lack of rights (own work) or flags."""

    approved: int
    own_work: int
    flagged: int


@dataclass(frozen=True)
class QueueItem:
    """A submitted interview awaiting review."""

    interview: Interview
    household: Household
    flags: tuple[Flag, ...]


class ReviewService:
    """What a supervisor does with submitted interviews."""

    def __init__(self, dbsession: Session, *, clock: Callable[[], dt.datetime] = utcnow):
        self.db = dbsession
        self.clock = clock

    def _interviews(self, team_id: int | None, status: str):
        """Interviews in ``status`` of the households the team works now (of the current
        plans, as the household pages allow), or of every team when ``team_id`` is None."""
        query = (
            select(Interview, Household)
            .join(PlanHousehold, Interview.plan_household_id == PlanHousehold.id)
            .join(Household, PlanHousehold.household_pk == Household.id)
            .where(Interview.status == status, Interview.plan_id.in_(current_plan_ids()))
            .order_by(Interview.submitted_at, Interview.id)
        )
        if team_id is not None:
            query = query.join(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id).where(
                or_(
                    (PlanVillage.team_id == team_id) & Interview.revisit_team_id.is_(None),
                    Interview.revisit_team_id == team_id,
                ),
                PlanHousehold.plan_id.in_(current_plan_ids()),
            )
        return self.db.execute(query)

    def queue(self, team_id: int | None) -> list[QueueItem]:
        """Submitted interviews of the team (every team's when None), oldest first."""
        return [
            QueueItem(interview, household, tuple(flags_from_json(interview.flags_json)))
            for interview, household in self._interviews(team_id, SUBMITTED)
        ]

    def current_team(self, interview: Interview) -> int | None:
        """The team working the interview's plan village now (read, never cached); for a
        re-visit, the team the appeal ruling named."""
        if interview.revisit_team_id is not None:
            return interview.revisit_team_id
        return self.db.scalar(
            select(PlanVillage.team_id)
            .join(PlanHousehold, PlanHousehold.plan_village_id == PlanVillage.id)
            .where(PlanHousehold.id == interview.plan_household_id)
        )

    def authors(self, interviews: list[Interview]) -> dict[int, set[int]]:
        """Who recorded, saved or submitted each interview (any save), by interview id."""
        out = {
            i.id: {u for u in (i.entered_by_id, i.submitted_by_id) if u is not None}
            for i in interviews
        }
        if out:
            rows = self.db.execute(
                select(InterviewChange.interview_id, InterviewChange.user_id)
                .where(
                    InterviewChange.interview_id.in_(list(out)),
                    InterviewChange.user_id.is_not(None),
                    InterviewChange.action.not_in(REVIEW_ACTIONS),
                )
                .distinct()
            )
            for interview_id, user_id in rows:
                out[interview_id].add(user_id)
        return out

    def check_reviewer(self, interview: Interview, user: User | None, *, approving: bool) -> None:
        """Refuse a reviewer of another team (now) and, to approve, any of the authors.

        ``user`` None is the system (simulated fieldwork, commands): no person to check.
        """
        if user is None:
            return
        if user.role != Role.admin and not (
            user.role == Role.supervisor
            and user.team_id is not None
            and user.team_id == self.current_team(interview)
        ):
            raise ReviewRefused(Message(MSG_OTHER_TEAM))
        if approving and user.id in self.authors([interview])[interview.id]:
            raise ReviewRefused(Message(MSG_OWN_WORK))

    def _transition(self, interview: Interview, user: User | None, status: str, extra) -> None:
        if interview.status != SUBMITTED:
            raise DomainError(Message(MSG_NOT_SUBMITTED))
        check_not_archived(interview.plan)
        self.check_reviewer(interview, user, approving=status == APPROVED)
        now = self.clock()
        changes = [audit.FieldChange("status", interview.status, status), *extra]
        interview.status, interview.updated_at = status, now
        interview.reviewed_at = now
        interview.reviewed_by_id = user.id if user is not None else None
        self.db.flush()
        action = "approve" if status == APPROVED else "return"
        mark_stale(self.db, [interview.plan.county_id])
        refresh_now(self.db)  # before the audit row takes the chain's lock
        audit.record(self.db, interview, action, user, changes, at=now)

    def approve(self, interview: Interview, user: User | None) -> None:
        """Approve (and lock) a submitted interview; its open comments are closed."""
        self._transition(interview, user, APPROVED, [])
        for comment in self.open_comments(interview):
            comment.open = False

    def return_(self, interview: Interview, user: User | None, comments: list[tuple[str, str]]):
        """Send a submitted interview back with comments on questions (``[(path, text)]``)."""
        comments = [(path, text.strip()) for path, text in comments if text and text.strip()]
        if not comments:
            raise DomainError(Message(N_("Write at least one comment to return an interview.")))
        if any(len(path) > MAX_PATH or len(text) > MAX_TEXT for path, text in comments):
            raise DomainError(
                Message(N_("A comment may have at most {max} characters."), {"max": MAX_TEXT})
            )
        now = self.clock()
        for path, text in comments:
            self.db.add(
                ReviewComment(
                    interview_id=interview.id,
                    field_path=path,
                    text=text,
                    author_id=user.id if user is not None else None,
                    created_at=now,
                )
            )
        extra = [audit.FieldChange(f"comment.{path}", None, text) for path, text in comments]
        self._transition(interview, user, RETURNED, extra)

    def return_approved(
        self, interview: Interview, user: User | None, path: str, reason: str, evidence
    ) -> None:
        """Send an *approved* interview back to its assessor with a reason on ``path``
        (``evidence``: audited ``(path, value)`` pairs naming what the return rests on, such
        as a back-check). Rights as for approving: the current team's supervisor (or an
        administrator), never one of the interview's authors."""
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(Message(N_("Write the reason for returning the interview.")))
        if len(reason) > MAX_TEXT:
            raise DomainError(
                Message(N_("A comment may have at most {max} characters."), {"max": MAX_TEXT})
            )
        if interview.status != APPROVED:
            raise DomainError(Message(MSG_NOT_APPROVED))
        check_not_archived(interview.plan)
        self.check_reviewer(interview, user, approving=True)
        now = self.clock()
        self.db.add(
            ReviewComment(
                interview_id=interview.id,
                field_path=path[:MAX_PATH],
                text=reason,
                author_id=user.id if user is not None else None,
                created_at=now,
            )
        )
        changes = [
            audit.FieldChange("status", APPROVED, RETURNED),
            audit.FieldChange(f"comment.{path}", None, reason),
            *(audit.FieldChange(key, None, value) for key, value in evidence),
        ]
        interview.status, interview.updated_at = RETURNED, now
        interview.reviewed_at = now
        interview.reviewed_by_id = user.id if user is not None else None
        self.db.flush()
        mark_stale(self.db, [interview.plan.county_id])  # it leaves the estimates until approved
        refresh_now(self.db)
        audit.record(self.db, interview, "return_approved", user, changes, at=now)

    def bulk_approve(self, team_id: int | None, user: User | None) -> BulkApproval:
        """Approve every submitted interview of the team that carries no flag and that
        ``user`` did not author; the others stay in the queue and are counted."""
        queue = self.queue(team_id)
        authors = self.authors([item.interview for item in queue])
        # Every county concerned is locked at once, in id order (mark_stale sorts), so two
        # bulk approvals over the same counties never wait for each other crosswise.
        mark_stale(self.db, {item.interview.plan.county_id for item in queue})
        approved = own = flagged = 0
        with deferred(self.db):  # each county once, at commit
            for item in queue:
                if item.flags:
                    flagged += 1
                elif user is not None and user.id in authors[item.interview.id]:
                    own += 1
                else:
                    self.approve(item.interview, user)
                    approved += 1
        return BulkApproval(approved, own, flagged)

    def open_comments(self, interview: Interview) -> list[ReviewComment]:
        query = (
            select(ReviewComment)
            .where(ReviewComment.interview_id == interview.id, ReviewComment.open.is_(True))
            .order_by(ReviewComment.id)
        )
        return list(self.db.scalars(query))

    def draw_revisit(
        self, team_id: int | None, share: float, user: User | None, *, seed: int | None = None
    ) -> RevisitDraw:
        """Draw ``share`` (0-1) of the team's approved interviews for a re-visit check.

        The draw is reproducible: ``numpy.random.default_rng(seed)`` picks without replacement
        among the approved interviews ordered by id; the seed (random when None), the
        population size and the chosen ids are recorded.
        """
        if not 0 < share <= 1:
            raise ValueError(f"share: expected a proportion in (0, 1], got {share!r}")
        seed = secrets.randbelow(SEED_LIMIT) if seed is None else int(seed)
        if not 0 <= seed < SEED_LIMIT:
            raise ValueError(f"seed: expected a whole number in [0, 2**31), got {seed!r}")
        ids = sorted(i.id for i, _ in self._interviews(team_id, APPROVED))
        n = min(len(ids), math.ceil(share * len(ids)))
        rng = np.random.default_rng(seed)
        chosen = sorted(int(i) for i in rng.choice(ids, size=n, replace=False)) if n else []
        draw = RevisitDraw(
            team_id=team_id,
            share=share,
            seed=seed,
            population=len(ids),
            interview_ids_json=json.dumps(chosen),
            drawn_by_id=user.id if user is not None else None,
            drawn_at=self.clock(),
        )
        self.db.add(draw)
        self.db.flush()
        return draw

    def draws(self, team_id: int | None) -> list[RevisitDraw]:
        query = select(RevisitDraw).order_by(RevisitDraw.id.desc())
        if team_id is not None:
            query = query.where(RevisitDraw.team_id == team_id)
        return list(self.db.scalars(query))

    def revisit_households(self, draws: list[RevisitDraw]) -> list[tuple]:
        """(draw, [(plan household id, head's name, household id, village name)]) per draw, in
        the order drawn; the page links each to its review page."""
        out = []
        for draw in draws:
            ids = json.loads(draw.interview_ids_json)
            query = (
                select(
                    Interview.id,
                    PlanHousehold.id,
                    Household.head_name,
                    Household.household_id,
                    Village.name,
                )
                .join(PlanHousehold, Interview.plan_household_id == PlanHousehold.id)
                .join(Household, PlanHousehold.household_pk == Household.id)
                .join(FrameVillage, Household.frame_village_id == FrameVillage.id)
                .join(Village, FrameVillage.village_id == Village.id)
                .where(Interview.id.in_(ids))
            )
            rows = {interview_id: row for interview_id, *row in self.db.execute(query)}
            out.append((draw, [tuple(rows[i]) for i in ids if i in rows]))
        return out
