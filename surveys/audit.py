"""The audit trail of interviews: field-level differences, one append-only row per save.

The rows form a hash chain: each carries ``prev_hash`` (the ``row_hash`` of the row before it
in id order, :data:`GENESIS` for the first) and ``row_hash``, the SHA-256 of ``prev_hash`` and
its own content (:func:`chain_hash`). Rewriting, inserting or removing a row in the middle
breaks every later link; :func:`verify_chain` (``assess verify-audit``) finds the first.
Rows are appended one transaction at a time (``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL
an advisory lock taken at the transaction's first audit row and held to its commit - late, so
the lock is held briefly; a deadlock with a row lock, possible only when two transactions
update the same interviews in opposite order, is detected and the request retried), so the
chain has no forks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from assessment.core.i18n import N_
from assessment.core.models import User
from surveys.models import Interview, InterviewChange


@dataclass(frozen=True)
class FieldChange:
    """One field that changed: its path (``verification.roster.0.age``), old and new value."""

    path: str
    old: Any
    new: Any


def flatten(answers: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Answers as ``{path: value}``; roster rows give ``group.<row>.<name>`` paths."""
    out: dict[str, Any] = {}
    for name, value in answers.items():
        path = f"{prefix}{name}"
        if isinstance(value, Mapping):
            out.update(flatten(value, path + "."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for i, row in enumerate(value):
                out.update(flatten(row, f"{path}.{i}."))
        elif value not in (None, "", []):
            out[path] = value
    return out


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Every path whose value differs between two answer documents, in path order."""
    before, after = flatten(old), flatten(new)
    paths = sorted(set(before) | set(after))
    return [
        FieldChange(p, before.get(p), after.get(p)) for p in paths if before.get(p) != after.get(p)
    ]


GENESIS = "0" * 64
# pg_advisory_xact_lock key of the audit chain ("audit" in ASCII).
CHAIN_LOCK = 0x6175646974


def chain_hash(
    prev_hash: str,
    interview_id: int,
    version: int,
    action: str,
    user_id: int | None,
    at: dt.datetime,
    changes_json: str,
) -> str:
    """SHA-256 (hex) of the previous row's hash and this row's content, as canonical JSON."""
    payload = json.dumps(
        [
            prev_hash,
            interview_id,
            version,
            action,
            user_id,
            at.isoformat(timespec="microseconds"),
            changes_json,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _row_hash(row: InterviewChange) -> str:
    return chain_hash(
        row.prev_hash,
        row.interview_id,
        row.version,
        row.action,
        row.user_id,
        row.at,
        row.changes_json,
    )


def lock_chain(dbsession: Session) -> None:
    """Hold the chain until this transaction ends (PostgreSQL; SQLite writers are serial)."""
    if dbsession.get_bind().dialect.name != "postgresql":
        return
    connection = dbsession.connection()  # no autoflush, unlike Session.execute
    transaction = dbsession.get_transaction()
    if dbsession.info.get("audit_chain_locked") is transaction:
        return
    dbsession.info["audit_chain_locked"] = transaction
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


def last_hash(dbsession: Session) -> str:
    query = select(InterviewChange.row_hash).order_by(InterviewChange.id.desc()).limit(1)
    return dbsession.scalar(query) or GENESIS


def record(
    dbsession: Session,
    interview: Interview,
    action: str,
    user: User | None,
    changes: list[FieldChange],
    *,
    at: dt.datetime,
) -> InterviewChange:
    """Append one row for a save; call after the interview's version was bumped (flushed)."""
    lock_chain(dbsession)
    row = InterviewChange(
        interview_id=interview.id,
        version=interview.version,
        action=action,
        user_id=user.id if user is not None else None,
        at=at.replace(tzinfo=None),
        changes_json=json.dumps(
            [{"path": c.path, "old": c.old, "new": c.new} for c in changes], ensure_ascii=False
        ),
        prev_hash=last_hash(dbsession),
    )
    row.row_hash = _row_hash(row)
    dbsession.add(row)
    dbsession.flush()  # the next row of this transaction chains onto this one
    return row


def history(dbsession: Session, interview: Interview) -> list[InterviewChange]:
    """Every recorded save of ``interview``, oldest first."""
    query = (
        select(InterviewChange)
        .where(InterviewChange.interview_id == interview.id)
        .order_by(InterviewChange.id)
    )
    return list(dbsession.scalars(query))


def changes_of(row: InterviewChange) -> list[FieldChange]:
    """The field changes stored in an audit row."""
    return [FieldChange(c["path"], c["old"], c["new"]) for c in json.loads(row.changes_json)]


def changed_since(dbsession: Session, interview: Interview, version: int) -> list[str]:
    """Paths changed by saves after ``version`` (what a stale editor has not seen)."""
    query = select(InterviewChange).where(
        InterviewChange.interview_id == interview.id, InterviewChange.version > version
    )
    paths: set[str] = set()
    for row in dbsession.scalars(query):
        paths.update(c.path for c in changes_of(row))
    return sorted(paths)


PREV_HASH_BROKEN = N_("prev_hash is not the hash of the row before")
ROW_HASH_BROKEN = N_("row_hash does not match the row's content")


@dataclass(frozen=True)
class ChainBreak:
    """The first row whose link does not hold, and why (a msgid, English as it stands)."""

    row_id: int
    reason: str


def verify_chain(dbsession: Session, *, batch: int = 1000) -> tuple[int, ChainBreak | None]:
    """Walk the audit trail in id order; ``(rows checked, first break or None)``."""
    columns = (
        InterviewChange.id,
        InterviewChange.prev_hash,
        InterviewChange.row_hash,
        InterviewChange.interview_id,
        InterviewChange.version,
        InterviewChange.action,
        InterviewChange.user_id,
        InterviewChange.at,
        InterviewChange.changes_json,
    )
    prev, checked, after = GENESIS, 0, 0
    while True:
        query = select(*columns).where(InterviewChange.id > after).order_by(InterviewChange.id)
        rows = dbsession.execute(query.limit(batch)).all()
        if not rows:
            return checked, None
        for row_id, prev_hash, row_hash, *content in rows:
            if prev_hash != prev:
                return checked, ChainBreak(row_id, PREV_HASH_BROKEN)
            if chain_hash(prev_hash, *content) != row_hash:
                return checked, ChainBreak(row_id, ROW_HASH_BROKEN)
            prev, checked = row_hash, checked + 1
        after = rows[-1][0]


def status_mismatches(dbsession: Session) -> list[tuple[int, str | None, str]]:
    """Interviews whose status is not the one their audit trail last recorded.

    ``[(interview id, status recorded last, status stored)]``: a status changed outside
    the services (which always record it) shows here.
    """
    recorded: dict[int, str | None] = {}
    query = (
        select(InterviewChange.interview_id, InterviewChange.changes_json)
        .where(InterviewChange.changes_json.contains('"path": "status"'))
        .order_by(InterviewChange.id)
    )
    for interview_id, changes_json in dbsession.execute(query):
        for change in json.loads(changes_json):
            if change["path"] == "status":
                recorded[interview_id] = change["new"]
    out = []
    for interview_id, status in dbsession.execute(select(Interview.id, Interview.status)):
        if recorded.get(interview_id) != (status or None):
            out.append((interview_id, recorded.get(interview_id), status))
    return sorted(out)
