"""Frame import and frame summaries: the database side of ``sampling.frames``.

Imports are all-or-nothing: the file is read and checked in full (pure core, in a child process
with memory and time limits for the web and the CLI); the isolated import stores the typed rows
in a savepoint while the child still checks them, and rolls it back on a refusal, so that a
refused file leaves the database exactly as it was (no log entry, no county). Households go in
through executemany batches, or PostgreSQL's COPY, in the request's transaction.

This module is sampling's public interface: the later features (surveys, appeals, backchecks,
reports) import sampling only from here (``tests/test_layering.py``). Besides its own functions
it re-exports, in ``__all__``, the models the later features join in their own queries and
relationships (frames, households, plans and their villages and households) and the frame's
flag columns; everything else in ``sampling`` is its own business.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import County, Township, User, Village
from assessment.core.services import county_round
from assessment.core.staleness import mark_stale
from sampling import frames as pure_frames
from sampling.frames.columns import FLAG_COLUMNS
from sampling.frames.isolated import read_frame_isolated
from sampling.frames.read import MB, Limits
from sampling.models import (
    Frame,
    FrameImportLog,
    FrameVillage,
    Household,
    PlanHousehold,
    PlanVillage,
    SamplePlan,
)
from sampling.plans import plans_of
from sampling.stored_frames import load_frame, with_location

__all__ = [
    "FLAG_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "Frame",
    "FrameService",
    "FrameVillage",
    "Household",
    "ImportOutcome",
    "PlanHousehold",
    "PlanVillage",
    "SamplePlan",
    "current_plan",
    "frame_limits",
    "load_frame",
    "plans_of",
    "require_current_plan",
    "with_location",
]

#: Households turned into Python values and sent at a time (bounds the memory of an import).
BATCH = 50_000
HOUSEHOLD_COLUMNS = (
    "frame_id",
    "frame_village_id",
    "household_id",
    "status",
    "exit_year",
    "household_size",
    "head_name",
    "dibao",
    "unsafe_house",
    "serious_illness",
    "no_labour",
    "elderly_alone",
    "attributes",
    "source_row",
)

#: Households per INSERT statement on SQLite: one statement of many rows costs about a quarter
#: less processor time than one per row (``docs/performance.md``); 1,400 parameters, far
#: below SQLite's limit of 32,766.
ROWS_PER_INSERT = 100


def insert_households(rows: int) -> str:
    """The SQLite INSERT of ``rows`` households (:data:`HOUSEHOLD_COLUMNS`)."""
    one = "({})".format(", ".join("?" * len(HOUSEHOLD_COLUMNS)))
    # built from the constant column names above only
    return "INSERT INTO households ({}) VALUES {}".format(  # noqa: S608
        ", ".join(HOUSEHOLD_COLUMNS), ", ".join([one] * rows)
    )


def current_plan(db: Session, county: County, round_id: int | None = None) -> SamplePlan | None:
    """The county's current plan in round ``round_id`` (default: the county's round).

    That is the newest plan version drawn for the round; a plan drawn before the county was
    listed in any round (no round recorded) counts for the round when the round has none of
    its own. A county in no round uses its newest plan.
    """
    if round_id is None:
        found = county_round(db, county)
        round_id = found.id if found is not None else None
    query = select(SamplePlan).where(SamplePlan.county_id == county.id)
    if round_id is not None:
        query = query.where(
            (SamplePlan.round_id == round_id) | SamplePlan.round_id.is_(None)
        ).order_by(SamplePlan.round_id.is_(None))
    return db.scalars(query.order_by(SamplePlan.version.desc()).limit(1)).first()


def require_current_plan(db: Session, county: County, round_id: int | None = None) -> SamplePlan:
    """The county's current plan (:func:`current_plan`), or a :class:`DomainError` saying the
    county has none yet: what a page that acts on the plan tells the user instead."""
    plan = current_plan(db, county, round_id)
    if plan is None:
        raise DomainError(
            Message(N_("County {county} has no sampling plan yet."), {"county": county.code})
        )
    return plan


@dataclass(frozen=True)
class ImportOutcome:
    """The stored frame (None when rejected) and what the reader found."""

    frame: Frame | None
    result: pure_frames.FrameImport


def frame_limits(settings) -> Limits:
    """The limits of a frame file from the application settings (``upload.max_bytes``,
    ``frames.*``)."""
    return Limits(
        max_bytes=settings.upload_max_bytes,
        max_columns=settings.frame_max_columns,
        max_cell_chars=settings.frame_max_cell_chars,
        max_rows=settings.frame_max_rows,
        max_unpacked=settings.frame_max_unpacked_mb * MB,
        max_ratio=settings.frame_max_ratio,
        max_memory=settings.frame_max_memory_mb * MB,
        max_seconds=settings.frame_max_seconds,
    )


class FrameService:
    """Reads frame files and stores accepted ones.

    ``isolated``: read in a child process limited by ``limits`` (the web and the CLI); else in
    this process (tests of the database side, scripts).
    """

    def __init__(self, dbsession: Session, *, limits: Limits | None = None, isolated=False):
        self.db = dbsession
        self.limits = limits or Limits()
        self.isolated = isolated

    def read(
        self,
        source,
        *,
        encoding: str | None = None,
        file_format: str | None = None,
        progress: Callable[[int], None] | None = None,
        early: Callable[[pure_frames.Frame], None] | None = None,
    ) -> pure_frames.FrameImport:
        """Read and check a frame file; nothing is written (``early``: see
        :func:`~sampling.frames.isolated.read_frame_isolated`, isolated reads only)."""
        options = {"encoding": encoding, "file_format": file_format, "progress": progress}
        if not self.isolated:
            return pure_frames.read_frame(source, limits=self.limits, **options)
        return read_frame_isolated(source, limits=self.limits, early=early, **options)

    def import_file(
        self,
        county: County | Callable[[], County],
        source,
        file_name: str,
        *,
        user: User | None = None,
        encoding: str | None = None,
        file_format: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportOutcome:
        """Read, check and store a frame file as the county's next frame version.

        ``county`` may be a function that finds or creates it. An isolated read stores the
        frame in a savepoint while the child still checks the rows, and rolls it back when the
        child refuses the file; a refused file leaves the database as it was, county included.
        """
        stored: dict = {}

        def store(data: pure_frames.Frame) -> None:
            stored["savepoint"] = self.db.begin_nested()
            try:
                stored["frame"] = self._store(county, data, file_name, user)
            except Exception as exc:  # e.g. a duplicate id: the child is refusing the file
                stored.pop("savepoint").rollback()
                stored["error"] = exc

        options = {"encoding": encoding, "file_format": file_format, "progress": progress}
        result = self.read(source, early=store, **options)
        if result.frame is None:
            if "savepoint" in stored:
                stored["savepoint"].rollback()
            return ImportOutcome(None, result)
        if "error" in stored:
            raise stored["error"]
        if "savepoint" in stored:
            stored["savepoint"].commit()
        frame = stored.get("frame") or self._store(county, result.frame, file_name, user)
        frame.file_format, frame.encoding = result.file_format, result.encoding
        self.db.add(
            FrameImportLog(
                county_id=frame.county.id,
                user_id=user.id if user else None,
                file_name=file_name[:255],
                accepted=True,
                rows=result.rows,
                issue_count=0,
                frame_id=frame.id,
            )
        )
        self.db.flush()
        mark_stale(self.db, [frame.county.id])
        return ImportOutcome(frame, result)

    def _store(self, county, data: pure_frames.Frame, file_name, user) -> Frame:
        county = county() if callable(county) else county
        version = (
            self.db.scalar(select(func.max(Frame.version)).where(Frame.county_id == county.id)) or 0
        ) + 1
        frame = Frame(
            county=county,
            version=version,
            content_hash="",  # set last: hashed on a thread while the households are stored
            file_name=file_name[:255],
            file_format="",  # known once the child has finished
            households=len(data),
            persons=int(data.household_size.sum()),
            extra_columns=json.dumps(list(data.extra_columns), ensure_ascii=False),
            created_by=user,
        )
        self.db.add(frame)
        self.db.flush()
        village_ids = self._ensure_villages(county, data.villages)
        frame_village_ids = self._store_frame_villages(frame, data.villages, village_ids)
        self._bulk_households(frame, data, frame_village_ids)
        frame.content_hash = data.content_hash
        return frame

    def _village_ids(self, county: County) -> dict[tuple[str, str], tuple[int, str | None]]:
        rows = self.db.execute(
            select(Village.id, Township.name, Village.name, Village.code)
            .join(Township)
            .where(Township.county_id == county.id)
        )
        return {(township, name): (vid, code) for vid, township, name, code in rows}

    def _ensure_villages(self, county: County, villages) -> list[int]:
        """The administrative village of each frame village; new ones inserted in one batch."""
        townships = {
            t.name: t
            for t in self.db.scalars(select(Township).where(Township.county_id == county.id))
        }
        existing = self._village_ids(county)
        listed = list(
            zip(
                villages.township.tolist(),
                villages.village.tolist(),
                villages.village_code.tolist(),
                strict=True,
            )
        )
        missing = [row for row in listed if (row[0], row[1]) not in existing]
        for township_name in sorted({t for t, _, _ in missing} - set(townships)):
            townships[township_name] = Township(county=county, name=township_name)
            self.db.add(townships[township_name])
        self.db.flush()
        if missing:
            self.db.execute(
                insert(Village),
                [
                    {"township_id": townships[t].id, "name": name, "code": code or None}
                    for t, name, code in missing
                ],
            )
            existing = self._village_ids(county)
        for t, name, code in listed:
            vid, known_code = existing[(t, name)]
            if code and known_code != code:
                self.db.get(Village, vid).code = code
        return [existing[(t, name)][0] for t, name, _ in listed]

    def _store_frame_villages(self, frame: Frame, villages, village_ids: list[int]) -> list[int]:
        rows = [
            {
                "frame_id": frame.id,
                "village_id": vid,
                "village_key": key,
                "village_code": code,
                "village_type": vtype,
                "remote": bool(remote),
                "households": int(hh),
                "persons": int(persons),
            }
            for vid, key, code, vtype, remote, hh, persons in zip(
                village_ids,
                villages.key.tolist(),
                villages.village_code.tolist(),
                villages.village_type.tolist(),
                villages.remote.tolist(),
                villages.households.tolist(),
                villages.persons.tolist(),
                strict=True,
            )
        ]
        self.db.execute(insert(FrameVillage), rows)
        by_key = dict(
            self.db.execute(
                select(FrameVillage.village_key, FrameVillage.id).where(
                    FrameVillage.frame_id == frame.id
                )
            ).all()
        )
        return [by_key[key] for key in villages.key.tolist()]

    def _household_batches(self, frame: Frame, data, frame_village_ids: list[int]):
        """Values of :data:`HOUSEHOLD_COLUMNS`, one list per column, :data:`BATCH` households at
        a time in household_id order: only one batch is held as Python objects at once.

        Rows go in sorted by household_id so that the (frame_id, household_id) unique index
        grows at its end instead of at random places: several times faster for large
        frames on both SQLite and PostgreSQL.
        """
        village_ids = np.asarray(frame_village_ids, dtype=np.int64)
        for start in range(0, len(data), BATCH):
            order = data.id_order[start : start + BATCH]
            years = data.exit_year[order]
            exit_year = years.astype(object)
            exit_year[years == 0] = None
            yield [
                [frame.id] * len(order),
                village_ids[data.village_index[order]].tolist(),
                data.household_id[order].tolist(),
                data.status[order].tolist(),
                exit_year.tolist(),
                data.household_size[order].tolist(),
                data.head_name[order].tolist(),
                # 0/1 rather than bool: sqlite3 binds exact ints directly but sends every bool
                # through its adapter lookup (about 3x slower per value)
                *(getattr(data, flag)[order].view(np.uint8).tolist() for flag in FLAG_COLUMNS),
                data.extra_json[order].tolist(),
                data.source_row[order].tolist(),
            ]

    def _household_rows(self, frame: Frame, data, frame_village_ids: list[int]):
        """The rows of :meth:`_household_batches` as tuples."""
        for columns in self._household_batches(frame, data, frame_village_ids):
            yield from zip(*columns, strict=True)

    def _bulk_households(self, frame: Frame, data, frame_village_ids: list[int]) -> None:
        """Insert the households on the session's own DBAPI connection (same transaction)."""
        batches = self._household_batches(frame, data, frame_village_ids)
        connection = self.db.connection()
        if connection.dialect.name == "postgresql":
            copy_columns(connection, "households", HOUSEHOLD_COLUMNS, batches)
            return
        if connection.dialect.driver == "pysqlite":
            cursor = connection.connection.driver_connection.cursor()
            try:
                for columns in batches:
                    _insert_batch(cursor, columns)
            finally:
                cursor.close()
            return
        statement = insert(Household.__table__)
        for columns in batches:
            rows = zip(*columns, strict=True)
            connection.execute(
                statement, [dict(zip(HOUSEHOLD_COLUMNS, r, strict=True)) for r in rows]
            )

    def summary(self, frame: Frame) -> list[dict]:
        """Households and persons by township, village type and status."""
        query = (
            with_location(
                select(
                    Township.name,
                    FrameVillage.village_type,
                    Household.status,
                    func.count(Household.id),
                    func.sum(Household.household_size),
                )
            )
            .where(Household.frame_id == frame.id)
            .group_by(Township.name, FrameVillage.village_type, Household.status)
            .order_by(Township.name, FrameVillage.village_type, Household.status)
        )
        return [
            {"township": t, "village_type": vt, "status": s, "households": n, "persons": int(p)}
            for t, vt, s, n, p in self.db.execute(query)
        ]

    def frames_of(self, county: County) -> list[Frame]:
        return list(
            self.db.scalars(
                select(Frame).where(Frame.county_id == county.id).order_by(Frame.version.desc())
            )
        )

    def every_frame(self) -> list[Frame]:
        """Every frame version of every county, by county code, the newest version first."""
        query = select(Frame).join(County).order_by(County.code, Frame.version.desc())
        return list(self.db.scalars(query))

    def recent_imports(self, limit: int = 10) -> list[FrameImportLog]:
        """The latest entries of the import log, the newest first."""
        query = select(FrameImportLog).order_by(FrameImportLog.id.desc()).limit(limit)
        return list(self.db.scalars(query))

    def frame_by_id(self, frame_id: int | None) -> Frame | None:
        return self.db.get(Frame, frame_id) if frame_id is not None else None

    def village_keys(self, frame: Frame) -> list[str]:
        """The keys of the frame's villages, sorted (what a design's purposive list names)."""
        query = select(FrameVillage.village_key).where(FrameVillage.frame_id == frame.id)
        return list(self.db.scalars(query.order_by(FrameVillage.village_key)))


def _insert_batch(cursor, columns: list[list]) -> None:
    """Insert one batch of households given as column lists, :data:`ROWS_PER_INSERT` per
    statement: the values laid out row after row in one list (a slice assignment per column,
    no tuple per row), each statement's parameters a slice of it."""
    width, rows = len(columns), len(columns[0])
    values = [None] * (width * rows)
    for position, column in enumerate(columns):
        values[position::width] = column
    step = width * ROWS_PER_INSERT
    full = rows // ROWS_PER_INSERT * step
    params = (values[start : start + step] for start in range(0, full, step))
    cursor.executemany(insert_households(ROWS_PER_INSERT), params)
    if full < len(values):
        cursor.execute(insert_households(rows % ROWS_PER_INSERT), values[full:])


def copy_rows(connection, table: str, columns, rows) -> None:
    """PostgreSQL COPY of ``rows`` (tuples) into ``table`` on the session's own connection."""
    driver = connection.connection.driver_connection
    names = ", ".join(columns)
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def copy_columns(connection, table: str, names, batches) -> None:
    """PostgreSQL COPY into ``table`` of batches of rows given as column lists, each batch sent
    as one text-format block.

    Each column of a batch is turned into COPY text at once (see :func:`copy_text`) instead of
    adapting every value of every row one by one.
    """
    driver = connection.connection.driver_connection
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement, writer=_writer(cursor)) as copy:
        for columns in batches:
            lines = map("\t".join, zip(*map(copy_text, columns), strict=True))
            copy.write(("\n".join(lines) + "\n").encode("utf-8"))


def _writer(cursor):
    """A COPY writer that sends from its own thread, so that the next block of text is built
    while the server takes the last one (psycopg's default writer waits for each send)."""
    from psycopg.copy import QueuedLibpqWriter

    return QueuedLibpqWriter(cursor)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(values: list) -> list[str]:
    """Values of one column as PostgreSQL COPY text fields (``\\N`` for None)."""
    kinds = set(map(type, values))
    if kinds <= {bool}:
        return ["t" if value else "f" for value in values]
    if kinds <= {int}:
        return list(map(str, values))
    if kinds <= {str}:
        joined = "".join(values)
        if any(char in joined for char in "\\\t\n\r"):
            return [value.translate(_COPY_ESCAPES) for value in values]
        return values
    return [_copy_field(value) for value in values]


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_COPY_ESCAPES)
