"""Report versions and the dashboard.

Snapshots come from :mod:`reports.snapshots`. Versions store the snapshot's JSON; signing off
stores the PDF bytes, which never change afterwards.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import AssessmentRound, County, User, utcnow
from reports import results, snapshot
from reports.models import ReportVersion
from reports.pdf import render_county_report
from reports.snapshots import county_snapshot
from sampling.services import require_current_plan


class ReportService:
    def __init__(self, dbsession: Session):
        self.db = dbsession

    def versions(self, county: County) -> list[ReportVersion]:
        return list(
            self.db.scalars(
                select(ReportVersion)
                .where(ReportVersion.county_id == county.id)
                .order_by(ReportVersion.version.desc())
            )
        )

    def create_version(self, county: County, *, lang: str, user: User | None) -> ReportVersion:
        """Lock the current approved data into a new numbered snapshot.

        Versions of a county are numbered one after another even when two are created at the
        same moment: the county's row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL;
        SQLite has one writer at a time) before the next number is read, so the second
        creator waits and takes the number after the first's.
        """
        plan = require_current_plan(self.db, county)
        snap = county_snapshot(self.db, county, lang=lang)  # the slow part, before the lock
        self.db.execute(select(County.id).where(County.id == county.id).with_for_update())
        number = (
            self.db.scalar(
                select(func.max(ReportVersion.version)).where(ReportVersion.county_id == county.id)
            )
            or 0
        ) + 1
        text = snapshot.dumps(dataclasses.replace(snap, version=str(number)))
        version = ReportVersion(
            county=county,
            plan_id=plan.id,
            version=number,
            language=lang,
            snapshot_json=text,
            snapshot_sha256=hashlib.sha256(text.encode()).hexdigest(),
            created_by=user,
        )
        self.db.add(version)
        self.db.flush()
        return version

    def pdf(self, version: ReportVersion, *, households: bool = True) -> bytes:
        """The version's PDF: the stored bytes once signed off, else rendered from the snapshot.

        Without ``households`` (a reader's copy) it is always rendered from the snapshot, with
        the problem list as counts by category (marked signed off once the version is).
        """
        if households and version.signed_off and version.pdf is not None:
            return version.pdf
        snap = snapshot.loads(version.snapshot_json)
        if version.signed_off:
            snap = dataclasses.replace(snap, signed_off=True)
        return render_county_report(snap, lang=version.language, households=households)

    def sign_off(self, version: ReportVersion, user: User | None) -> None:
        """Freeze the version: render without the draft mark and store the bytes for good.

        Exactly one of several simultaneous sign-offs succeeds: the row is updated only while
        it is still unsigned (one conditional UPDATE, which PostgreSQL serialises on the
        row), and the others are told who signed it; who signed is never overwritten.
        """
        if version.signed_off:
            raise self._already_signed(version)
        snap = snapshot.loads(version.snapshot_json)
        final = dataclasses.replace(snap, signed_off=True)
        pdf = render_county_report(final, lang=version.language)
        claimed = self.db.execute(
            update(ReportVersion)
            .where(ReportVersion.id == version.id, ReportVersion.signed_off.is_(False))
            .values(
                signed_off=True,
                signed_off_at=utcnow(),
                signed_off_by_id=user.id if user is not None else None,
                pdf=pdf,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            )
            .execution_options(synchronize_session=False)
        )
        self.db.refresh(version)  # what is stored now: ours, or the signature that came first
        if claimed.rowcount != 1:
            raise self._already_signed(version)

    @staticmethod
    def _already_signed(version: ReportVersion) -> DomainError:
        who = version.signed_off_by.display_name if version.signed_off_by else "—"
        when = version.signed_off_at.strftime("%Y-%m-%d %H:%M") if version.signed_off_at else ""
        return SignOffConflict(
            Message(
                N_("This report version is already signed off (by {name}, {at} UTC)."),
                {"name": who, "at": when},
            )
        )


class SignOffConflict(DomainError):
    """A sign-off of a version that is (or has just been) signed off by someone."""


PER_PAGE = 50
FILTER_VERDICTS = ("not_met", "exit_recommended", "insufficient_data")
FILTER_STAGES = ("no_frame", "no_plan", "no_interviews", "interim", "final")


@dataclasses.dataclass(frozen=True)
class Dashboard:
    """One page of the dashboard: a round's counties (or every county in its own round)
    matching the filters, grouped by province, with the summary of the whole selection."""

    assessment_round: AssessmentRound | None
    rounds: list[AssessmentRound]
    lines: list[results.CountyLine]
    total: int  # counties matching the filters
    page: int
    pages: int
    counties: int  # counties of the selection, before the filters
    verdicts: Counter  # the national summary: counties by verdict, before the filters
    stages: Counter  # counties by fieldwork stage, before the filters
    provinces: list[tuple[int, str]]  # provinces of the selection, for the filter
    summaries: list[tuple[int, str, int, str]]  # (province id, name, round id, name): PDFs


def rounds(db: Session) -> list[AssessmentRound]:
    """Every round, newest first."""
    return list(
        db.scalars(
            select(AssessmentRound).order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc())
        )
    )


def dashboard(
    db: Session,
    round_id: int | None = None,
    *,
    province_id: int | None = None,
    verdict: str | None = None,
    stage: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Dashboard:
    """Counties with progress and verdicts, no household record, read from the stored
    results (:mod:`reports.results`).

    With ``round_id``: every county of that round, in that round. Without: every county listed
    in any round, each in its own round (:func:`county_round`), so that a round created for
    another province hides nobody; with no round at all, every county. Filtered by province,
    verdict and fieldwork stage; ``per_page`` lines of page ``page``, ordered by province,
    then county code.
    """
    every = rounds(db)
    chosen = None
    if round_id is not None:
        chosen = next((r for r in every if r.id == round_id), None)
        if chosen is None:
            raise DomainError(Message(N_("There is no round {round}."), {"round": round_id}))
    keys = results.keys(db, round_id=round_id)
    computed = {
        line.county_id: line for line in results.lines(db, [k for k in keys if not k.current])
    }

    def verdict_of(k) -> str:
        return k.verdict if k.current else computed[k.county_id].summary.verdict

    def stage_of(k) -> str:
        return k.state if k.current else computed[k.county_id].summary.state

    matching = [
        k
        for k in keys
        if (province_id is None or k.province_id == province_id)
        and (verdict is None or verdict_of(k) == verdict)
        and (stage is None or stage_of(k) == stage)
    ]
    pages = max(1, -(-len(matching) // per_page))
    page = min(max(page, 1), pages)
    part = matching[(page - 1) * per_page : page * per_page]
    stored = {line.county_id: line for line in results.lines(db, [k for k in part if k.current])}
    lines = [stored.get(k.county_id) or computed[k.county_id] for k in part]
    provinces = sorted({(k.province_id, k.province) for k in keys}, key=lambda p: p[1])
    pairs = {(k.province_id, k.province, k.round_id, k.round_name) for k in keys if k.round_id}
    return Dashboard(
        chosen,
        every,
        lines,
        len(matching),
        page,
        pages,
        len(keys),
        Counter(verdict_of(k) for k in keys),
        Counter(stage_of(k) for k in keys),
        provinces,
        sorted(pairs, key=lambda p: (p[1], p[3])),
    )
