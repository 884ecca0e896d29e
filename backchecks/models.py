"""Back-checks of approved interviews: the recorded draw and each re-visit's answers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.core.db import Base
from assessment.core.models import Team, User, utcnow
from sampling.services import SamplePlan
from surveys.services import Interview

ASSIGNED, DONE = "assigned", "done"


class BackcheckDraw(Base):
    """The seeded draw of a plan's back-check sample, with the digest of inputs and result.

    ``population_json`` is ``{assessor code: [interview ids]}``; re-running the draw with the
    seed (``assess``-free: :func:`backchecks.compare.draw_sample`) gives ``selected_json``
    again, and :func:`backchecks.compare.draw_digest` of the whole gives ``digest``. Before
    the draw, ``commitment`` (:func:`backchecks.compare.draw_commitment` over the plan, share,
    minimum, population and the seed's hash) is recorded; :func:`backchecks.compare.verify_draw`
    checks all of it afterwards.
    """

    __tablename__ = "backcheck_draws"
    __table_args__ = (CheckConstraint("share > 0 AND share <= 1", name="share_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sample_plans.id"), unique=True)
    share: Mapped[float] = mapped_column(Float)
    minimum: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    population_json: Mapped[str] = mapped_column(Text)
    selected_json: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    # The commitment, recorded (flushed) before the sample is drawn; NULL on draws made
    # before commitments were kept (migration 0010).
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    commitment: Mapped[str | None] = mapped_column(String(64))
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    plan: Mapped[SamplePlan] = relationship()
    backchecks: Mapped[list[Backcheck]] = relationship(
        back_populates="draw", order_by="Backcheck.id"
    )


class Backcheck(Base):
    """One drawn interview, re-visited by another team with the short questionnaire.

    The original interview is never changed: the answers of the re-visit live here.
    """

    __tablename__ = "backchecks"
    __table_args__ = (CheckConstraint("status IN ('assigned', 'done')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("backcheck_draws.id"), index=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), unique=True)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    original_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ASSIGNED)
    answers_json: Mapped[str] = mapped_column(Text, default="{}")
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    draw: Mapped[BackcheckDraw] = relationship(back_populates="backchecks")
    interview: Mapped[Interview] = relationship()
    assessor: Mapped[User | None] = relationship(foreign_keys=[assessor_id])
    team: Mapped[Team] = relationship(foreign_keys=[team_id])
    original_team: Mapped[Team | None] = relationship(foreign_keys=[original_team_id])
