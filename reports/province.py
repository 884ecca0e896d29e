"""The provincial summary: every county of a province in a round, at its own stage."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import AssessmentRound, County, Province, utcnow
from reports import model, results
from reports.snapshots import INSTITUTION


def province_round(db: Session, province: Province, round_id: int | None) -> AssessmentRound | None:
    """Round ``round_id`` (it must list a county of the province), or the newest that does."""
    query = (
        select(AssessmentRound)
        .join(AssessmentRound.counties)
        .where(County.province_id == province.id)
        .order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc())
    )
    if round_id is not None:
        query = query.where(AssessmentRound.id == round_id)
    found = db.scalars(query.limit(1)).first()
    if found is None and round_id is not None:
        raise DomainError(
            Message(
                N_("Round {round} assesses no county of {name}."),
                {"round": round_id, "name": province.name},
            )
        )
    return found


def province_snapshot(
    db: Session,
    province_name: str,
    *,
    created: dt.datetime | None = None,
    round_id: int | None = None,
) -> model.ProvinceReport:
    """Every county of the province in the round (default: the newest round listing one of
    them), each at its own stage: those without plan or data are listed as such."""
    province = db.scalar(select(Province).where(Province.name == province_name))
    if province is None:
        raise DomainError(Message(N_("No province named {name}."), {"name": province_name}))
    assessment_round = province_round(db, province, round_id)
    if assessment_round is None:
        raise DomainError(
            Message(N_("No assessment round lists a county of {name}."), {"name": province_name})
        )
    # The stored results of the counties (computed afresh where stale or missing).
    found = results.lines(
        db, results.keys(db, round_id=assessment_round.id, province_id=province.id)
    )
    created = created or utcnow().replace(microsecond=0)
    return model.ProvinceReport(
        scheme=assessment_round.name,
        year=assessment_round.year,
        province=province.name,
        institution=INSTITUTION,
        version="draft",
        report_date=created.date(),
        created=created,
        counties=tuple(line.summary for line in found),
        simulated=any(line.simulated for line in found),
    )
