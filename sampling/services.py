"""Frame import and frame summaries: the database side of ``sampling.frames``.

Imports are all-or-nothing: the file is read and checked in full (pure core) before any
row is written; a rejected file leaves only an entry in the import log. Households go in
through SQLAlchemy Core executemany batches, or PostgreSQL's COPY, in the request's
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from assessment.models import County, Township, User, Village
from sampling import frames as pure_frames
from sampling.models import Frame, FrameImportLog, FrameVillage, Household

BATCH = 20_000
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


@dataclass(frozen=True)
class ImportOutcome:
    """The stored frame (None when rejected) and what the reader found."""

    frame: Frame | None
    result: pure_frames.FrameImport


class FrameService:
    def __init__(self, dbsession: Session):
        self.db = dbsession

    def import_file(
        self,
        county: County,
        source,
        file_name: str,
        *,
        user: User | None = None,
        encoding: str | None = None,
        file_format: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportOutcome:
        """Read, check and store a frame file as the county's next frame version."""
        result = pure_frames.read_frame(
            source, encoding=encoding, file_format=file_format, progress=progress
        )
        log = FrameImportLog(
            county_id=county.id,
            user_id=user.id if user else None,
            file_name=file_name,
            accepted=result.frame is not None,
            rows=result.rows,
            issue_count=result.issue_count,
        )
        self.db.add(log)
        if result.frame is None:
            self.db.flush()
            return ImportOutcome(None, result)
        frame = self._store(county, result, file_name, user)
        log.frame_id = frame.id
        self.db.flush()
        return ImportOutcome(frame, result)

    def _store(self, county, result, file_name, user) -> Frame:
        data = result.frame
        version = (
            self.db.scalar(select(func.max(Frame.version)).where(Frame.county_id == county.id)) or 0
        ) + 1
        frame = Frame(
            county=county,
            version=version,
            content_hash=data.content_hash,
            file_name=file_name[:255],
            file_format=result.file_format,
            encoding=result.encoding,
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
        return frame

    def _ensure_villages(self, county: County, villages) -> list[int]:
        """The administrative village of each frame village, created when new."""
        townships = {
            t.name: t
            for t in self.db.scalars(select(Township).where(Township.county_id == county.id))
        }
        existing = {
            (township, name): (vid, code)
            for vid, township, name, code in self.db.execute(
                select(Village.id, Township.name, Village.name, Village.code)
                .join(Township)
                .where(Township.county_id == county.id)
            )
        }
        ids = []
        for township_name, name, code in zip(
            villages.township.tolist(),
            villages.village.tolist(),
            villages.village_code.tolist(),
            strict=True,
        ):
            found = existing.get((township_name, name))
            if found is None:
                township = townships.get(township_name)
                if township is None:
                    township = townships[township_name] = Township(
                        county=county, name=township_name
                    )
                    self.db.add(township)
                village = Village(township=township, name=name, code=code or None)
                self.db.add(village)
                self.db.flush()
                found = existing[(township_name, name)] = (village.id, code)
            elif code and found[1] != code:
                self.db.get(Village, found[0]).code = code
            ids.append(found[0])
        return ids

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

    def _household_rows(self, frame: Frame, data, frame_village_ids: list[int]):
        fv = [frame_village_ids[i] for i in data.village_index.tolist()]
        columns = (
            [frame.id] * len(data),
            fv,
            data.household_id.tolist(),
            data.status.tolist(),
            [year or None for year in data.exit_year.tolist()],
            data.household_size.tolist(),
            data.head_name.tolist(),
            data.dibao.tolist(),
            data.unsafe_house.tolist(),
            data.serious_illness.tolist(),
            data.no_labour.tolist(),
            data.elderly_alone.tolist(),
            data.extra_json.tolist(),
            data.source_row.tolist(),
        )
        return zip(*columns, strict=True)

    def _bulk_households(self, frame: Frame, data, frame_village_ids: list[int]) -> None:
        rows = self._household_rows(frame, data, frame_village_ids)
        connection = self.db.connection()
        if connection.dialect.name == "postgresql":
            copy_rows(connection, "households", HOUSEHOLD_COLUMNS, rows)
            return
        statement = insert(Household.__table__)
        batch: list[dict] = []
        for row in rows:
            batch.append(dict(zip(HOUSEHOLD_COLUMNS, row, strict=True)))
            if len(batch) == BATCH:
                connection.execute(statement, batch)
                batch = []
        if batch:
            connection.execute(statement, batch)

    def summary(self, frame: Frame) -> list[dict]:
        """Households and persons by township, village type and status."""
        query = (
            select(
                Township.name,
                FrameVillage.village_type,
                Household.status,
                func.count(Household.id),
                func.sum(Household.household_size),
            )
            .join(FrameVillage, Household.frame_village_id == FrameVillage.id)
            .join(Village, FrameVillage.village_id == Village.id)
            .join(Township, Village.township_id == Township.id)
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


def copy_rows(connection, table: str, columns, rows) -> None:
    """PostgreSQL COPY of ``rows`` into ``table`` on the session's own connection."""
    driver = connection.connection.driver_connection
    names = ", ".join(columns)
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


LOAD_COLUMNS = (
    Household.household_id,
    Township.name,
    Village.name,
    FrameVillage.village_code,
    FrameVillage.village_type,
    FrameVillage.remote,
    Household.status,
    Household.exit_year,
    Household.household_size,
    Household.head_name,
    Household.dibao,
    Household.unsafe_house,
    Household.serious_illness,
    Household.no_labour,
    Household.elderly_alone,
)


def load_frame(dbsession: Session, frame: Frame) -> pure_frames.Frame:
    """Rebuild the pure frame from the database (same content hash as the imported file)."""
    query = (
        select(*LOAD_COLUMNS, Household.attributes, Household.source_row)
        .join(FrameVillage, Household.frame_village_id == FrameVillage.id)
        .join(Village, FrameVillage.village_id == Village.id)
        .join(Township, Village.township_id == Township.id)
        .where(Household.frame_id == frame.id)
        .order_by(Household.source_row)
    )
    rows = dbsession.execute(query).all()
    names = pure_frames.fc.CANONICAL_COLUMNS
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 2)
    data = {name: list(values) for name, values in zip(names, columns, strict=False)}
    return pure_frames.make_frame(
        data,
        extra_json=list(columns[len(names)]),
        extra_columns=json.loads(frame.extra_columns),
        source_row=list(columns[len(names) + 1]),
    )
