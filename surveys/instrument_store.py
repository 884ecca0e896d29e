"""Instrument versions kept in the database: the built-in ones, admin-edited new versions."""

from __future__ import annotations

import json

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, defer

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import User, utcnow
from surveys.instruments.definition import builtin_instruments, parse_instrument
from surveys.instruments.model import DefinitionError, Instrument
from surveys.models import InstrumentVersion

_parsed: dict[str, Instrument] = {}  # content hash -> parsed definition (immutable)


class DefinitionRejected(DomainError):
    """An edited definition failed ``parse_instrument``; ``problems`` lists every fault."""

    def __init__(self, problems: list[str]):
        super().__init__(
            Message(N_("The definition has {count} problems."), {"count": len(problems)})
        )
        self.problems = problems


def instrument_of(row: InstrumentVersion) -> Instrument:
    """The parsed instrument of a stored version (parsed once per content hash)."""
    instrument = _parsed.get(row.content_hash)
    if instrument is None:
        instrument = parse_instrument(row.definition)
        _parsed[row.content_hash] = instrument
    return instrument


def ensure_builtin_instruments(dbsession: Session) -> list[InstrumentVersion]:
    """Store every shipped definition missing from the database (idempotent).

    A built-in version becomes active only if its instrument has no active version yet, so
    re-running never undoes an admin's newer version.

    Returns
    -------
    list of InstrumentVersion
        The rows created now (empty when all were there).
    """
    created = []
    for instrument in builtin_instruments():
        exists = dbsession.scalar(
            select(InstrumentVersion.id).where(
                InstrumentVersion.instrument_id == instrument.id,
                InstrumentVersion.version == instrument.version,
            )
        )
        if exists is not None:
            continue
        row = InstrumentVersion(
            instrument_id=instrument.id,
            version=instrument.version,
            kind=instrument.kind,
            definition=instrument.canonical_json,
            content_hash=instrument.content_hash,
            active=active_version(dbsession, instrument.kind) is None,
            note="built-in",
            created_at=utcnow(),
        )
        dbsession.add(row)
        dbsession.flush()
        created.append(row)
    return created


def active_version(dbsession: Session, kind: str) -> InstrumentVersion | None:
    """The active version of the instrument of ``kind`` (the newest if several are active)."""
    query = (
        select(InstrumentVersion)
        .where(InstrumentVersion.kind == kind, InstrumentVersion.active.is_(True))
        .order_by(InstrumentVersion.id.desc())
    )
    return dbsession.scalars(query.limit(1)).first()


_ACTIVE = (
    select(InstrumentVersion)
    .where(InstrumentVersion.active.is_(True))
    .order_by(InstrumentVersion.id.desc())
    .options(defer(InstrumentVersion.definition))
)


def active_versions(dbsession: Session) -> dict[str, InstrumentVersion]:
    """The active version of each instrument kind, in one query (definitions deferred).

    Same choice as :func:`active_version` per kind: the newest active row. The definition
    text is read only if :func:`instrument_of` has not parsed that content hash yet.
    """
    out: dict[str, InstrumentVersion] = {}
    for row in dbsession.scalars(_ACTIVE):
        out.setdefault(row.kind, row)
    return out


def versions(dbsession: Session) -> list[InstrumentVersion]:
    """Every stored version, by instrument then newest first."""
    query = select(InstrumentVersion).order_by(
        InstrumentVersion.instrument_id, InstrumentVersion.version.desc()
    )
    return list(dbsession.scalars(query))


def create_version(
    dbsession: Session, base: InstrumentVersion, text: str, user: User | None, note: str = ""
) -> InstrumentVersion:
    """Store an edited definition of ``base``'s instrument as its next version, made active.

    The ``id`` must stay that of ``base``; the ``version`` number is set to the next free one
    whatever the text says. Interviews already started keep the version they were bound to.

    Raises
    ------
    DefinitionRejected
        When the text is not JSON or ``parse_instrument`` finds problems.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionRejected([f"not valid JSON: {exc}"]) from exc
    if not isinstance(data, dict):
        raise DefinitionRejected(["the definition must be a JSON object"])
    if data.get("id") != base.instrument_id or data.get("kind") != base.kind:
        raise DefinitionRejected([f"id and kind must stay {base.instrument_id!r}/{base.kind!r}"])
    latest = dbsession.scalar(
        select(func.max(InstrumentVersion.version)).where(
            InstrumentVersion.instrument_id == base.instrument_id
        )
    )
    data["version"] = int(latest or 0) + 1
    try:
        instrument = parse_instrument(data)
    except DefinitionError as exc:
        raise DefinitionRejected(list(exc.problems)) from exc
    dbsession.execute(
        update(InstrumentVersion)
        .where(InstrumentVersion.instrument_id == base.instrument_id)
        .values(active=False)
    )
    row = InstrumentVersion(
        instrument_id=instrument.id,
        version=instrument.version,
        kind=instrument.kind,
        definition=instrument.canonical_json,
        content_hash=instrument.content_hash,
        active=True,
        note=note or None,
        created_at=utcnow(),
        created_by_id=user.id if user is not None else None,
    )
    dbsession.add(row)
    dbsession.flush()
    return row


def pretty_definition(row: InstrumentVersion) -> str:
    """The stored definition indented for editing."""
    return json.dumps(json.loads(row.definition), ensure_ascii=False, indent=2)
