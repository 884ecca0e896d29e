"""Stored report versions: the locked snapshot and, once signed off, the PDF that never changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from assessment.core.db import Base
from assessment.core.models import County, User, utcnow
from assessment.core.pipeline import answer_signed_off


class ReportVersion(Base):
    """One version of a county evaluation report, built from a locked snapshot."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("county_id", "version", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sample_plans.id"))
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(5))
    snapshot_json: Mapped[str] = mapped_column(Text)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)  # stored at sign-off
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    county: Mapped[County] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])


class CountyResult(Base):
    """A county's current results in one round, stored so that pages need not recompute them.

    One row per county and round that lists it: the county verdict and its state, the four
    indicators with intervals, official verdicts and confidence, response rates (in
    ``summary_json``: a :class:`reports.model.CountySummary` as :mod:`reports.snapshot` JSON),
    fieldwork and review progress. Recomputed in the transaction of every change that makes
    it stale (:mod:`assessment.core.staleness`); ``data_version`` is the county's data version it
    was computed from, so a reader can tell a stale row and compute afresh. Not to be confused
    with a report version's locked snapshot.
    """

    __tablename__ = "county_results"
    __table_args__ = (UniqueConstraint("county_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_rounds.id", ondelete="CASCADE"), index=True
    )
    data_version: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("sample_plans.id"))
    plan_version: Mapped[int | None] = mapped_column(Integer)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    verdict: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    planned: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    approved: Mapped[int] = mapped_column(Integer, default=0)
    summary_json: Mapped[str] = mapped_column(Text)


def plan_signed_off(db: Session, plan_id: int) -> bool:
    """Whether a report version of the plan is signed off (appeals close then)."""
    query = select(ReportVersion.id).where(
        ReportVersion.plan_id == plan_id, ReportVersion.signed_off.is_(True)
    )
    return db.scalar(query.limit(1)) is not None


answer_signed_off(plan_signed_off)  # appeals ask through the base
