"""The audit trail of interviews: field-level differences, one append-only row per save."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.models import User
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
    row = InterviewChange(
        interview_id=interview.id,
        version=interview.version,
        action=action,
        user_id=user.id if user is not None else None,
        at=at,
        changes_json=json.dumps(
            [{"path": c.path, "old": c.old, "new": c.new} for c in changes], ensure_ascii=False
        ),
    )
    dbsession.add(row)
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
