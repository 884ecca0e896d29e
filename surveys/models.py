"""Instrument versions, interviews, reserve releases, review comments, audit trail.

Answers are stored as JSON text per instrument (``verification_json``, ``recognition_json``);
the derived values that the indicators read (verdict, per-capita income, standards,
recognising) are columns of :class:`Interview`, written once at submission.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.core.db import Base

# ApiToken moved to assessment.core.models (tokens are part of log-in); old imports keep working.
from assessment.core.models import ApiToken, AssessmentRound, Team, User, utcnow  # noqa: F401
from sampling.services import PlanHousehold, PlanVillage, SamplePlan

# Interview status; "not started" is the absence of a row.
DRAFT, SUBMITTED, RETURNED, APPROVED, NOT_INTERVIEWED = (
    "draft",
    "submitted",
    "returned",
    "approved",
    "not_interviewed",
)
# A first interview replaced by an appeal's re-visit: kept (history), never estimated.
SUPERSEDED = "superseded"
STATUSES = (DRAFT, SUBMITTED, RETURNED, APPROVED, NOT_INTERVIEWED, SUPERSEDED)
INTERVIEWED = "interviewed"
NON_INTERVIEW_OUTCOMES = ("absent", "refused", "moved", "deceased", "not_found")
OUTCOMES = (INTERVIEWED, *NON_INTERVIEW_OUTCOMES)


class InstrumentVersion(Base):
    """One version of an instrument definition (JSON), as checked by ``parse_instrument``."""

    __tablename__ = "instrument_versions"
    __table_args__ = (UniqueConstraint("instrument_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(63))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    definition: Mapped[str] = mapped_column(Text)  # canonical JSON
    content_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


_CURRENT = text("status <> 'superseded'")


class Interview(Base):
    """The interview of one plan household (at most one *current*: not superseded), with its
    derived values.

    An appeal's re-visit ruling supersedes the first interview and starts a new one of the
    same plan household (``revisit_of_id``), worked by ``revisit_team_id``.
    """

    __tablename__ = "interviews"
    # No team column: an interview's team is its plan village's *current* team, read at the
    # time of each action (a village can move to another team during fieldwork) - except a
    # re-visit, which the ruling gives to a named other team.
    __table_args__ = (
        Index("ix_interviews_status", "status"),
        Index(
            "uq_interviews_current_plan_household",
            "plan_household_id",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_household_id: Mapped[int] = mapped_column(ForeignKey("plan_households.id"), index=True)
    revisit_of_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id"))
    revisit_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("sample_plans.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    contact_outcome: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    verification_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("instrument_versions.id")
    )
    recognition_version_id: Mapped[int | None] = mapped_column(ForeignKey("instrument_versions.id"))
    verification_json: Mapped[str] = mapped_column(Text, default="{}")
    recognition_json: Mapped[str] = mapped_column(Text, default="{}")
    # Paradata.
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_accuracy_m: Mapped[float | None] = mapped_column(Float)
    # Derived at submission (what the indicators read).
    round_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_rounds.id"))
    registry_status: Mapped[str | None] = mapped_column(String(16))
    poverty_line: Mapped[float | None] = mapped_column(Float)
    verdict: Mapped[str | None] = mapped_column(String(20))
    meets_standard: Mapped[bool | None] = mapped_column(Boolean)
    net_income: Mapped[float | None] = mapped_column(Float)
    income_per_capita: Mapped[float | None] = mapped_column(Float)
    persons: Mapped[int | None] = mapped_column(Integer)
    near_line: Mapped[bool | None] = mapped_column(Boolean)
    standards_json: Mapped[str | None] = mapped_column(Text)
    recognising: Mapped[bool | None] = mapped_column(Boolean)
    flags_json: Mapped[str] = mapped_column(Text, default="[]")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan_household: Mapped[PlanHousehold] = relationship()
    plan: Mapped[SamplePlan] = relationship()
    assessment_round: Mapped[AssessmentRound | None] = relationship()
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    revisit_team: Mapped[Team | None] = relationship(foreign_keys=[revisit_team_id])
    verification_version: Mapped[InstrumentVersion | None] = relationship(
        foreign_keys=[verification_version_id]
    )
    recognition_version: Mapped[InstrumentVersion | None] = relationship(
        foreign_keys=[recognition_version_id]
    )

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}


class ReserveRelease(Base):
    """A reserve household released to replace one that could not be interviewed."""

    __tablename__ = "reserve_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sample_plans.id"), index=True)
    plan_village_id: Mapped[int] = mapped_column(ForeignKey("plan_villages.id"))
    stratum: Mapped[str] = mapped_column(String(40))
    reserve_id: Mapped[int] = mapped_column(ForeignKey("plan_households.id"), unique=True)
    replaced_id: Mapped[int] = mapped_column(ForeignKey("plan_households.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(20))
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reserve: Mapped[PlanHousehold] = relationship(foreign_keys=[reserve_id])
    replaced: Mapped[PlanHousehold] = relationship(foreign_keys=[replaced_id])
    plan_village: Mapped[PlanVillage] = relationship()
    released_by: Mapped[User | None] = relationship()


class VisitAttempt(Base):
    """One visit to a household that did not give an interview: when, by whom, what outcome.

    不在家 (absent) releases a reserve only once the round's rule is met
    (``AssessmentRound.absent_visits`` visits, each ``absent_visit_gap_minutes`` after the one
    before); the other non-contact outcomes are recorded here too, as their one visit.
    """

    __tablename__ = "visit_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_household_id: Mapped[int] = mapped_column(ForeignKey("plan_households.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    visited_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[User | None] = relationship()


class FieldworkClosure(Base):
    """A coordinator's decision that a plan's fieldwork is over, whatever is still open.

    The county verdict stays 数据不足 (insufficient data) until fieldwork is complete: every
    planned household resolved, or this record (who, when, why).
    """

    __tablename__ = "fieldwork_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sample_plans.id"), unique=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    plan: Mapped[SamplePlan] = relationship()
    closed_by: Mapped[User | None] = relationship()


class ReviewComment(Base):
    """A supervisor's comment on one question (``field_path``) when returning an interview."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    field_path: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    author: Mapped[User | None] = relationship()


class InterviewChange(Base):
    """One save of an interview: who, when, what action, each changed field (append-only)."""

    __tablename__ = "interview_changes"
    __table_args__ = (Index("ix_interview_changes_interview_version", "interview_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"))
    version: Mapped[int] = mapped_column(Integer)  # the interview's version after this save
    action: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    changes_json: Mapped[str] = mapped_column(Text, default="[]")  # [{path, old, new}]
    # The chain: SHA-256 of the previous row's ``row_hash`` and this row's content (see
    # ``surveys.audit.chain_hash``); ``assess verify-audit`` recomputes it.
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user: Mapped[User | None] = relationship()


class InterviewPhoto(Base):
    """The optional photo of the house (JPEG or PNG, size-capped), with its SHA-256."""

    __tablename__ = "interview_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RevisitDraw(Base):
    """A seeded random draw of approved interviews for a re-visit check."""

    __tablename__ = "revisit_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    share: Mapped[float] = mapped_column(Float)  # proportion 0-1
    seed: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    interview_ids_json: Mapped[str] = mapped_column(Text)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SyncReceipt(Base):
    """The answer given to one change sent from a phone's sync queue, under its key.

    The phone sends every queued change (outcome, draft, submission, photo) with an
    idempotency key it made when the change was queued; a retry with the same key (the
    answer was lost on the way back) gets the stored answer again and changes nothing.
    """

    __tablename__ = "sync_receipts"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(64))
    plan_household_id: Mapped[int] = mapped_column(ForeignKey("plan_households.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int] = mapped_column(Integer)
    response_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
