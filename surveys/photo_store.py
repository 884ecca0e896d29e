"""The stored house photos of an interview, read back (stored by ``workflow.add_photo``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Interview, InterviewPhoto


def photo_ids(dbsession: Session, interview: Interview) -> list[int]:
    """The ids of the interview's photos, oldest first (the bytes are not loaded)."""
    query = select(InterviewPhoto.id).where(InterviewPhoto.interview_id == interview.id)
    return list(dbsession.scalars(query.order_by(InterviewPhoto.id)))


def photo_digests(dbsession: Session, interview: Interview) -> list[str]:
    """The SHA-256 of each of the interview's photos, oldest first (the bytes are not loaded)."""
    query = select(InterviewPhoto.sha256).where(InterviewPhoto.interview_id == interview.id)
    return list(dbsession.scalars(query.order_by(InterviewPhoto.id)))


def interview_photo(
    dbsession: Session, interview: Interview, photo_id: int | None = None
) -> InterviewPhoto | None:
    """The interview's photo ``photo_id``, or its latest when no id is given."""
    query = select(InterviewPhoto).where(InterviewPhoto.interview_id == interview.id)
    if photo_id is not None:
        query = query.where(InterviewPhoto.id == photo_id)
    return dbsession.scalars(query.order_by(InterviewPhoto.id.desc()).limit(1)).first()
