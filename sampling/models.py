"""Frames (versioned, immutable), their households, import log, sampling plans and their units."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.core.db import Base
from assessment.core.models import AssessmentRound, County, Team, User, Village, utcnow


class Frame(Base):
    """One imported version of a county's household frame (抽样框); never edited."""

    __tablename__ = "frames"
    __table_args__ = (UniqueConstraint("county_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(8))
    encoding: Mapped[str | None] = mapped_column(String(20))
    households: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    extra_columns: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of headers
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    county: Mapped[County] = relationship()
    created_by: Mapped[User | None] = relationship()


class FrameVillage(Base):
    """A village as this frame describes it: its stratum and its size."""

    __tablename__ = "frame_villages"
    __table_args__ = (UniqueConstraint("frame_id", "village_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("frames.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    village_key: Mapped[str] = mapped_column(String(200))
    village_code: Mapped[str] = mapped_column(String(40), default="")
    village_type: Mapped[str] = mapped_column(String(10))
    remote: Mapped[bool] = mapped_column(Boolean)
    households: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    village: Mapped[Village] = relationship()


class Household(Base):
    """One household row of a frame (建档立卡 registry export plus village rosters)."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("frame_id", "household_id"),
        Index("ix_households_frame_village", "frame_id", "frame_village_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("frames.id", ondelete="CASCADE"))
    frame_village_id: Mapped[int] = mapped_column(ForeignKey("frame_villages.id"))
    household_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    exit_year: Mapped[int | None] = mapped_column(Integer)
    household_size: Mapped[int] = mapped_column(Integer)
    head_name: Mapped[str] = mapped_column(String(100))
    dibao: Mapped[bool] = mapped_column(Boolean)
    unsafe_house: Mapped[bool] = mapped_column(Boolean)
    serious_illness: Mapped[bool] = mapped_column(Boolean)
    no_labour: Mapped[bool] = mapped_column(Boolean)
    elderly_alone: Mapped[bool] = mapped_column(Boolean)
    attributes: Mapped[str] = mapped_column(Text, default="{}")  # extra columns as JSON
    source_row: Mapped[int] = mapped_column(Integer)
    frame_village: Mapped[FrameVillage] = relationship()


class FrameImportLog(Base):
    """Every accepted import. A refused file writes nothing at all (its issues are shown to the
    user), so that a hostile upload cannot leave anything behind; rows of ``accepted`` false
    date from before that rule."""

    __tablename__ = "frame_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    accepted: Mapped[bool] = mapped_column(Boolean)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    issue_count: Mapped[int] = mapped_column(Integer, default=0)
    frame_id: Mapped[int | None] = mapped_column(ForeignKey("frames.id"))


class SamplePlan(Base):
    """A design and its drawn sample; immutable once drawn. A re-draw is a new version."""

    __tablename__ = "sample_plans"
    __table_args__ = (UniqueConstraint("county_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_rounds.id"))
    frame_id: Mapped[int] = mapped_column(ForeignKey("frames.id"))
    version: Mapped[int] = mapped_column(Integer)
    design_json: Mapped[str] = mapped_column(Text)  # canonical JSON of the design
    seed_hash: Mapped[str] = mapped_column(String(64))
    seed_hex: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    committed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(Text)  # required for a re-draw
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("sample_plans.id"))
    summary_json: Mapped[str] = mapped_column(Text, default="{}")  # strata counts, shortfalls
    # The demo's fieldwork is simulated: every page and report of this plan says so.
    simulated_fieldwork: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when an admin re-drew the county with ``--discard-fieldwork``: this plan's
    # interviews are kept and visible but archived (no estimate reads a superseded plan).
    fieldwork_archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    fieldwork_archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    county: Mapped[County] = relationship()
    assessment_round: Mapped[AssessmentRound | None] = relationship()
    frame: Mapped[Frame] = relationship()
    committed_by: Mapped[User | None] = relationship(foreign_keys=[committed_by_id])
    fieldwork_archived_by: Mapped[User | None] = relationship(
        foreign_keys=[fieldwork_archived_by_id]
    )


class PlanVillage(Base):
    """A village of a plan: selected (or purposive), its first-stage probability, its team."""

    __tablename__ = "plan_villages"
    __table_args__ = (UniqueConstraint("plan_id", "frame_village_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sample_plans.id", ondelete="CASCADE"))
    frame_village_id: Mapped[int] = mapped_column(ForeignKey("frame_villages.id"))
    stratum: Mapped[str] = mapped_column(String(40))
    pi_village: Mapped[float] = mapped_column(Float)
    certainty: Mapped[bool] = mapped_column(Boolean, default=False)
    purposive: Mapped[bool] = mapped_column(Boolean, default=False)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    plan: Mapped[SamplePlan] = relationship()
    frame_village: Mapped[FrameVillage] = relationship()
    team: Mapped[Team | None] = relationship()


class PlanHousehold(Base):
    """A household of a plan: selected, reserve (ranked) or screening, with its weights."""

    __tablename__ = "plan_households"
    __table_args__ = (
        UniqueConstraint("plan_id", "household_pk"),
        Index("ix_plan_households_plan_village", "plan_id", "plan_village_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sample_plans.id", ondelete="CASCADE"))
    plan_village_id: Mapped[int | None] = mapped_column(ForeignKey("plan_villages.id"))
    household_pk: Mapped[int] = mapped_column(ForeignKey("households.id"))
    stratum: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(10))  # selected / reserve / screening
    reserve_rank: Mapped[int | None] = mapped_column(Integer)
    pi_village: Mapped[float] = mapped_column(Float)
    pi_household: Mapped[float] = mapped_column(Float)
    pi: Mapped[float] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float)
    plan: Mapped[SamplePlan] = relationship()
    plan_village: Mapped[PlanVillage | None] = relationship()
    household: Mapped[Household] = relationship()
