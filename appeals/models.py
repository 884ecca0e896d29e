"""The county's appeal (申诉举证): published suspected cases, answers, evidence, rulings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.core.db import Base
from assessment.core.models import County, Team, User, utcnow
from sampling.services import SamplePlan
from surveys.services import Interview

KINDS = ("wrongly_exited", "missed")
ACCEPTED, DISPUTED = "accepted", "disputed"
RESPONSES = (ACCEPTED, DISPUTED)
UPHELD, OVERTURNED, REVISIT = "upheld", "overturned", "revisit"
RULINGS = (UPHELD, OVERTURNED, REVISIT)


class AppealPublication(Base):
    """The publication of a plan's suspected cases to the county, with its answer deadline."""

    __tablename__ = "appeal_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sample_plans.id"), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deadline: Mapped[dt.datetime] = mapped_column(DateTime)
    plan: Mapped[SamplePlan] = relationship()
    county: Mapped[County] = relationship()
    published_by: Mapped[User | None] = relationship()
    cases: Mapped[list[AppealCase]] = relationship(
        back_populates="publication", order_by="AppealCase.id"
    )


class AppealCase(Base):
    """One suspected 错退 / 漏评 household as published, the county's answer and the ruling.

    The finding, its basis and the assessor's note are copied at publication: the county
    answers what it was shown.
    """

    __tablename__ = "appeal_cases"
    __table_args__ = (
        CheckConstraint("kind IN ('wrongly_exited', 'missed')", name="kind"),
        CheckConstraint(
            "response IS NULL OR response IN ('accepted', 'disputed')", name="response"
        ),
        CheckConstraint(
            "ruling IS NULL OR ruling IN ('upheld', 'overturned', 'revisit')", name="ruling"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("appeal_publications.id"), index=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    household_code: Mapped[str] = mapped_column(String(64))
    persons: Mapped[int] = mapped_column(Integer)
    basis_json: Mapped[str] = mapped_column(Text)  # {"standards": [...], "income": ..., ...}
    assessor_note: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[str | None] = mapped_column(String(10))
    statement: Mapped[str | None] = mapped_column(Text)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ruling: Mapped[str | None] = mapped_column(String(12))
    ruling_reason: Mapped[str | None] = mapped_column(Text)
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ruled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revisit_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # The new interview a re-visit ruling started (the first one is then superseded).
    revisit_interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id"), unique=True
    )
    # Rulings a later one replaced (a re-visit that could not reach the household), oldest
    # first: [{"ruling", "reason", "ruled_by", "ruled_at", "team", "contact_outcome"}, ...].
    earlier_rulings_json: Mapped[str | None] = mapped_column(Text)

    publication: Mapped[AppealPublication] = relationship(back_populates="cases")
    interview: Mapped[Interview] = relationship(foreign_keys=[interview_id])
    revisit_interview: Mapped[Interview | None] = relationship(foreign_keys=[revisit_interview_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])
    ruled_by: Mapped[User | None] = relationship(foreign_keys=[ruled_by_id])
    revisit_team: Mapped[Team | None] = relationship()
    evidence: Mapped[list[AppealEvidence]] = relationship(
        back_populates="case", order_by="AppealEvidence.id"
    )


class AppealEvidence(Base):
    """A file the county sent with its answer (PDF, or a photo re-encoded as JPEG)."""

    __tablename__ = "appeal_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("appeal_cases.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    case: Mapped[AppealCase] = relationship(back_populates="evidence")
