"""The administrative hierarchy, people, teams and assessment rounds."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.core.db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Role(enum.StrEnum):
    """What a user does on the platform; each role sees only its own part of it."""

    admin = "admin"
    coordinator = "coordinator"
    supervisor = "supervisor"
    assessor = "assessor"
    reader = "reader"
    # 县级联络员: answers the county's appeal; sees only its county's published cases.
    liaison = "liaison"


class Province(Base):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    counties: Mapped[list[County]] = relationship(back_populates="province")


class County(Base):
    __tablename__ = "counties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"))
    # Western counties exit below 3% comprehensive poverty incidence instead of 2%.
    western: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by every change its stored results depend on (assessment.core.staleness).
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    province: Mapped[Province] = relationship(back_populates="counties")
    townships: Mapped[list[Township]] = relationship(
        back_populates="county", order_by="Township.name"
    )


class Township(Base):
    __tablename__ = "townships"
    __table_args__ = (UniqueConstraint("county_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    county: Mapped[County] = relationship(back_populates="townships")
    villages: Mapped[list[Village]] = relationship(
        back_populates="township", order_by="Village.name"
    )


class Village(Base):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(40))
    township: Mapped[Township] = relationship(back_populates="villages")


class Team(Base):
    """A field team: a supervisor (team leader) and assessors working in pairs."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # A team may not be assigned the county it comes from (recusal, 回避).
    home_county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"))
    home_county: Mapped[County | None] = relationship()
    members: Mapped[list[User]] = relationship(back_populates="team", order_by="User.username")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    language: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # A county liaison's county (one or more liaisons per county); unused by other roles.
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"), index=True)
    # The right to rule on appeals (专家组), given to named supervisors and coordinators.
    appeal_expert: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    team: Mapped[Team | None] = relationship(back_populates="members")
    county: Mapped[County | None] = relationship()


round_counties = Table(
    "round_counties",
    Base.metadata,
    Column("round_id", ForeignKey("assessment_rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("county_id", ForeignKey("counties.id"), primary_key=True),
)


# The national scheme (domain §2-§3): 2019 poverty line at current prices, < 2 % incidence
# (< 3 % in the west), 错退率 and 漏评率 at most 2 %, recognition at least 90 %.
NATIONAL_SCHEME = {
    "poverty_line": 3218.0,
    "incidence_max": 0.02,
    "incidence_max_west": 0.03,
    "incidence_comparator": "<",
    "wrongful_exit_max": 0.02,
    "wrongful_exit_comparator": "<=",
    "missed_max": 0.02,
    "missed_comparator": "<=",
    "recognition_min": 0.90,
    "recognition_comparator": ">=",
    # 不在家 releases a reserve only after this many visits, each at least the gap after the
    # one before (e.g. one in the day, one in the evening).
    "absent_visits": 2,
    "absent_visit_gap_minutes": 120,
}


class AssessmentRound(Base):
    """A year's scheme: poverty line, thresholds with their comparators, counties assessed.

    Thresholds are proportions (0-1). Defaults follow the national scheme (domain §2);
    provinces may set stricter variants.
    """

    __tablename__ = "assessment_rounds"
    __table_args__ = (
        CheckConstraint("poverty_line > 0", name="positive_line"),
        CheckConstraint(
            "incidence_max > 0 AND incidence_max_west > 0 AND wrongful_exit_max > 0 "
            "AND missed_max > 0 AND recognition_min > 0 AND recognition_min <= 1",
            name="thresholds_in_range",
        ),
        CheckConstraint("appeal_hours > 0", name="positive_appeal_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    poverty_line: Mapped[float] = mapped_column(Float)  # yuan per person per year
    incidence_max: Mapped[float] = mapped_column(Float, default=0.02)
    incidence_max_west: Mapped[float] = mapped_column(Float, default=0.03)
    incidence_comparator: Mapped[str] = mapped_column(String(2), default="<")
    wrongful_exit_max: Mapped[float] = mapped_column(Float, default=0.02)
    wrongful_exit_comparator: Mapped[str] = mapped_column(String(2), default="<=")
    missed_max: Mapped[float] = mapped_column(Float, default=0.02)
    missed_comparator: Mapped[str] = mapped_column(String(2), default="<=")
    recognition_min: Mapped[float] = mapped_column(Float, default=0.90)
    recognition_comparator: Mapped[str] = mapped_column(String(2), default=">=")
    # Hours the county has to answer its published suspected cases (申诉举证).
    appeal_hours: Mapped[int] = mapped_column(Integer, default=48, server_default="48")
    absent_visits: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    absent_visit_gap_minutes: Mapped[int] = mapped_column(
        Integer, default=120, server_default="120"
    )
    # Back-checks: share (0-1) of each assessor's approved interviews, and a least number.
    backcheck_share: Mapped[float] = mapped_column(Float, default=0.1, server_default="0.1")
    backcheck_min: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    counties: Mapped[list[County]] = relationship(secondary=round_counties, order_by="County.code")
    icc_history: Mapped[list[RoundIcc]] = relationship(
        back_populates="assessment_round",
        order_by="RoundIcc.id",
        foreign_keys="RoundIcc.round_id",
        passive_deletes=True,
    )

    def icc(self, indicator: str) -> RoundIcc | None:
        """The ρ of a rare indicator's interval now in force (the newest row), None for the
        planning value."""
        return next((r for r in reversed(self.icc_history) if r.indicator == indicator), None)


class RoundIcc(Base):
    """The intra-village correlation ρ a round's rare-rate intervals use, one row per change.

    Append-only: the newest row of a (round, indicator) is in force, the earlier ones are its
    history. No row: the planning value (``assessment.indicators.model.RARE_RATE_ICC``).
    ``source`` ``pooled``: pooled over the complete counties of ``from_round``
    (``assess pool-icc``), with the counts it rests on, the pooled value before any floor
    (``pooled``), who applied it, when and why.
    ``source`` ``planning``: the round put back on the planning value (``--planning``), with
    who, when and why; it reads as a round without a row.
    A ``pooled`` row of ``missed_rate`` may also carry the screening model of 漏评率
    (:attr:`screening_model`), pooled from at least ten counties with screening.
    """

    __tablename__ = "round_icc"
    __table_args__ = (
        CheckConstraint("value >= 0 AND value <= 1", name="value_in_range"),
        CheckConstraint("source IN ('planning', 'pooled')", name="known_source"),
        CheckConstraint(
            "(k_census IS NULL OR k_census >= 0) AND (k_unflagged IS NULL OR k_unflagged >= 0)"
            " AND (rho_census IS NULL OR (rho_census >= 0 AND rho_census <= 1))"
            " AND (rho_unflagged IS NULL OR (rho_unflagged >= 0 AND rho_unflagged <= 1))",
            name="screening_model_in_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_rounds.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(String(30))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10))
    pooled: Mapped[float | None] = mapped_column(Float)
    from_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_rounds.id", ondelete="SET NULL")
    )
    from_round_name: Mapped[str] = mapped_column(String(200), default="")
    counties: Mapped[int] = mapped_column(Integer, default=0)
    villages: Mapped[int] = mapped_column(Integer, default=0)
    households: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    # 漏评率's screening model (``missed_rate`` rows only; migration 0014): pooled from at
    # least ten complete counties with screening, or all None (the village model with ρ).
    k_census: Mapped[float | None] = mapped_column(Float)
    rho_census: Mapped[float | None] = mapped_column(Float)
    k_unflagged: Mapped[float | None] = mapped_column(Float)
    rho_unflagged: Mapped[float | None] = mapped_column(Float)
    screening_counties: Mapped[int | None] = mapped_column(Integer)
    census_events: Mapped[int | None] = mapped_column(Integer)
    unflagged_events: Mapped[int | None] = mapped_column(Integer)
    assessment_round: Mapped[AssessmentRound] = relationship(
        back_populates="icc_history", foreign_keys=[round_id]
    )

    @property
    def screening_model(self) -> tuple[float, float, float, float] | None:
        """``(k_C, ρ_C, k_U, ρ_U)`` of 漏评率's census effective size, None when not recorded."""
        values = (self.k_census, self.rho_census, self.k_unflagged, self.rho_unflagged)
        return None if any(v is None for v in values) else values  # type: ignore[return-value]

    applied_by: Mapped[User | None] = relationship()


class LoginFailure(Base):
    """One failed log-in; counted per account and per address over a sliding window.

    Kept in the database (not in process memory) so the limit holds across every app
    process behind the proxy.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class UserSession(Base):
    """A server-side session: the cookie holds a random key, the row its HMAC and the data.

    Deleting the row ends the session wherever its cookie is (log-out, password change or
    reset, deactivation): a cookie copied before is worth nothing after.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ApiToken(Base):
    """A bearer token of the JSON API; only its SHA-256 is kept, the text is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user: Mapped[User] = relationship()
