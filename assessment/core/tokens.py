"""Bearer tokens of the JSON API: issued to a logged-in user, only a SHA-256 is stored.

A token is named, expires after ``tokens.lifetime_days``, can be listed and revoked by its
holder (account page) and by an admin (user page), and every token of a user is revoked
when the password changes or is reset and when the account is deactivated.

A tween (under pyramid_tm, so it shares the request's transaction) authenticates
``Authorization: Bearer <token>`` on ``/api/`` paths by setting ``request.user``; the
security policy then gives the same principals as a session would. Bearer requests carry no
cookie, so they need no CSRF token (see ``surveys.views.api``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.core.models import ApiToken, User, utcnow

BEARER_FLAG = "surveys.bearer"
DEFAULT_LIFETIME_DAYS = 30
# A used token's last_used_at is written at most this often.
USE_RESOLUTION = dt.timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    dbsession: Session,
    user: User,
    *,
    name: str | None = None,
    lifetime_days: int = DEFAULT_LIFETIME_DAYS,
    now: dt.datetime | None = None,
):
    """A new token for ``user``: returns ``(token text, ApiToken row)``; the text is shown once."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=token_hash(token),
        name=(name or "").strip()[:100] or None,
        created_at=now,
        expires_at=now + dt.timedelta(days=lifetime_days),
    )
    dbsession.add(row)
    dbsession.flush()
    return token, row


def user_for_token(dbsession: Session, token: str, *, now: dt.datetime | None = None):
    """The active user holding an unexpired, unrevoked ``token``, or None."""
    now = now or utcnow()
    row = dbsession.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked or row.expires_at <= now or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= USE_RESOLUTION:
        row.last_used_at = now
    return row.user


def tokens_of(dbsession: Session, user: User | None = None) -> list[ApiToken]:
    """Tokens of ``user`` (every user's when None), newest first."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(dbsession.scalars(query))


def revoke(row: ApiToken, *, now: dt.datetime | None = None) -> None:
    if not row.revoked:
        row.revoked, row.revoked_at = True, now or utcnow()


def revoke_user_tokens(dbsession: Session, user_id: int, *, now: dt.datetime | None = None):
    """Revoke every live token of ``user_id`` (password change or reset, deactivation)."""
    dbsession.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
        .values(revoked=True, revoked_at=now or utcnow()),
        execution_options={"synchronize_session": "fetch"},
    )


def bearer_tween_factory(handler, registry):
    """Authenticate ``/api/`` requests that carry a bearer token."""

    def tween(request):
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.lower().startswith("bearer "):
            request.environ[BEARER_FLAG] = True
            request.user = user_for_token(request.dbsession, header[7:].strip())
        return handler(request)

    return tween
