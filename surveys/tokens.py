"""Bearer tokens for the JSON API: issued to a logged-in user, only a SHA-256 is stored.

A tween (under pyramid_tm, so it shares the request's transaction) authenticates
``Authorization: Bearer <token>`` on ``/api/`` paths by setting ``request.user``; the
security policy then gives the same principals as a session would. Bearer requests carry no
cookie, so they need no CSRF token (see ``surveys.views.api``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.models import User, utcnow
from surveys.models import ApiToken

TOKEN_DAYS = 30
BEARER_FLAG = "surveys.bearer"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(dbsession: Session, user: User, *, now: dt.datetime | None = None):
    """A new token for ``user``: returns ``(token text, ApiToken row)``; the text is shown once."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=TOKEN_DAYS),
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
    return row.user


def bearer_tween_factory(handler, registry):
    """Authenticate ``/api/`` requests that carry a bearer token."""

    def tween(request):
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.lower().startswith("bearer "):
            request.environ[BEARER_FLAG] = True
            request.user = user_for_token(request.dbsession, header[7:].strip())
        return handler(request)

    return tween
