"""Stored county results (``county_results``): written when they go stale, read by pages.

:func:`refresh` recomputes the rows of some counties (every round that lists each of them)
from the same computation the county page uses (:func:`reports.status.county_status`);
:mod:`assessment.core.staleness` runs it before a transaction that made them stale commits.
:func:`lines` reads the rows of a round (or of every county in its own round) for the
dashboard and the provincial summary: a row whose data version is not the county's current
one, or a missing row, is computed afresh for that request instead of being trusted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assessment.core.models import AssessmentRound, County, Province, round_counties, utcnow
from assessment.core.staleness import refresh_pending, register_refresher
from reports import model, snapshot
from reports.models import CountyResult, ReportVersion
from reports.status import county_status


@dataclasses.dataclass(frozen=True)
class CountyLine:
    """A county's line in one round, as the dashboard and the provincial summary show it."""

    county_id: int
    code: str
    name: str
    province_id: int
    province: str
    round_id: int | None
    round_name: str
    round_year: int | None
    plan_version: int | None
    simulated: bool
    submitted: int
    approved: int
    signed_off: bool
    summary: model.CountySummary
    stored: bool  # read from a current stored row (False: computed for this request)

    @property
    def fieldwork(self) -> float:
        """Resolved share of the planned households (0-1)."""
        s = self.summary
        return s.resolved / s.planned if s.planned else 0.0

    @property
    def review(self) -> float:
        return self.approved / self.submitted if self.submitted else 0.0


def _row_values(db: Session, county: County, round_id: int, version: int) -> dict:
    status = county_status(db, county, round_id)
    summary = dataclasses.replace(status.summary, signed_off=False)
    return {
        "county_id": county.id,
        "round_id": round_id,
        "data_version": version,
        "computed_at": utcnow(),
        "plan_id": status.plan.id if status.plan else None,
        "plan_version": status.plan.version if status.plan else None,
        "simulated": bool(status.plan and status.plan.simulated_fieldwork),
        "verdict": summary.verdict,
        "state": summary.state,
        "planned": summary.planned,
        "resolved": summary.resolved,
        "submitted": status.submitted,
        "approved": status.approved,
        "summary_json": snapshot.dumps(summary),
    }


def refresh(db: Session, county_ids: Iterable[int]) -> None:
    """Recompute the stored results of ``county_ids`` in every round that lists them, and
    drop their rows of rounds that no longer do."""
    ids = sorted(set(county_ids))
    if not ids:
        return
    db.flush()
    versions = dict(
        db.execute(select(County.id, County.data_version).where(County.id.in_(ids))).all()
    )
    listed: dict[int, list[int]] = {}
    for county_id, round_id in db.execute(
        select(round_counties.c.county_id, round_counties.c.round_id).where(
            round_counties.c.county_id.in_(ids)
        )
    ):
        listed.setdefault(county_id, []).append(round_id)
    existing = {
        (r.county_id, r.round_id): r
        for r in db.scalars(select(CountyResult).where(CountyResult.county_id.in_(ids)))
    }
    for county_id in ids:
        county = db.get(County, county_id)
        if county is None:
            continue
        for round_id in listed.get(county_id, []):
            values = _row_values(db, county, round_id, versions[county_id])
            row = existing.pop((county_id, round_id), None)
            if row is None:
                db.add(CountyResult(**values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
    for row in existing.values():  # rounds that no longer list the county
        db.delete(row)
    db.flush()


def refresh_round(db: Session, round_id: int | None = None) -> int:
    """Recompute the rows of every county of a round (of every round when None); returns
    how many counties were refreshed (after a bulk load, or ``assess refresh-results``)."""
    query = select(round_counties.c.county_id).distinct()
    if round_id is not None:
        query = query.where(round_counties.c.round_id == round_id)
    ids = list(db.scalars(query))
    refresh(db, ids)
    if round_id is None:
        db.execute(
            delete(CountyResult).where(
                CountyResult.county_id.not_in(select(round_counties.c.county_id))
            )
        )
    return len(ids)


register_refresher(refresh)


@dataclasses.dataclass(frozen=True)
class _Key:
    county_id: int
    round_id: int | None
    code: str
    name: str
    province_id: int
    province: str
    round_name: str
    round_year: int | None
    current: bool  # a stored row of the county's current data version exists
    verdict: str | None
    state: str | None


def keys(db: Session, *, round_id: int | None = None, province_id: int | None = None) -> list[_Key]:
    """The (county, round) pairs to show, with the stored verdict and state where current.

    With ``round_id`` every county of that round; without, every county listed in any
    round, each in its own (the newest by year, then by creation); with no round at all,
    every county (in no round). One query, light columns only.
    """
    refresh_pending(db)  # what this transaction changed is shown as changed
    stored = CountyResult.__table__.c
    query = (
        select(
            County.id,
            AssessmentRound.id,
            County.code,
            County.name,
            Province.id,
            Province.name,
            AssessmentRound.name,
            AssessmentRound.year,
            County.data_version == stored.data_version,
            stored.verdict,
            stored.state,
        )
        .select_from(round_counties)
        .join(County, County.id == round_counties.c.county_id)
        .join(Province, Province.id == County.province_id)
        .join(AssessmentRound, AssessmentRound.id == round_counties.c.round_id)
        .outerjoin(
            CountyResult,
            (stored.county_id == round_counties.c.county_id)
            & (stored.round_id == round_counties.c.round_id),
        )
        .order_by(County.id, AssessmentRound.year.desc(), AssessmentRound.id.desc())
    )
    if round_id is not None:
        query = query.where(round_counties.c.round_id == round_id)
    if province_id is not None:
        query = query.where(County.province_id == province_id)
    out: dict[int, _Key] = {}
    for row in db.execute(query):
        if row[0] not in out:  # the first is the county's own round
            out[row[0]] = _Key(*row[:8], bool(row[8]), row[9], row[10])
    if not out and round_id is None and not db.scalar(select(func.count(AssessmentRound.id))):
        query = select(County.id, County.code, County.name, Province.id, Province.name).join(
            Province, Province.id == County.province_id
        )
        if province_id is not None:
            query = query.where(County.province_id == province_id)
        for c_id, code, name, p_id, p_name in db.execute(query):
            out[c_id] = _Key(c_id, None, code, name, p_id, p_name, "", None, False, None, None)
    return sorted(out.values(), key=lambda k: (k.province, k.code))


def signed_counties(db: Session, county_ids: Iterable[int]) -> set[int]:
    """Counties with at least one signed-off report version."""
    ids = list(county_ids)
    if not ids:
        return set()
    return set(
        db.scalars(
            select(ReportVersion.county_id)
            .where(ReportVersion.county_id.in_(ids), ReportVersion.signed_off.is_(True))
            .distinct()
        )
    )


def lines(db: Session, chosen: list[_Key]) -> list[CountyLine]:
    """Full lines of ``chosen`` (one query for the stored rows; the others computed)."""
    signed = signed_counties(db, (k.county_id for k in chosen))
    wanted = [k for k in chosen if k.current]
    rows = {}
    if wanted:
        found = db.scalars(
            select(CountyResult).where(
                CountyResult.county_id.in_([k.county_id for k in wanted]),
                CountyResult.round_id.in_({k.round_id for k in wanted}),
            )
        )
        rows = {(r.county_id, r.round_id): r for r in found}
    out = []
    for k in chosen:
        row = rows.get((k.county_id, k.round_id)) if k.current else None
        if row is not None:
            summary = snapshot.loads(row.summary_json)
            plan_version, simulated = row.plan_version, row.simulated
            submitted, approved = row.submitted, row.approved
        else:  # stale or missing: never trusted, never a broken page
            status = county_status(db, db.get(County, k.county_id), k.round_id)
            summary = status.summary
            plan_version = status.plan.version if status.plan else None
            simulated = bool(status.plan and status.plan.simulated_fieldwork)
            submitted, approved = status.submitted, status.approved
        out.append(
            CountyLine(
                k.county_id,
                k.code,
                k.name,
                k.province_id,
                k.province,
                k.round_id,
                k.round_name,
                k.round_year,
                plan_version,
                simulated,
                submitted,
                approved,
                k.county_id in signed,
                dataclasses.replace(summary, signed_off=k.county_id in signed),
                row is not None,
            )
        )
    return out
