"""Server-side sessions: a random key in the cookie, the data in ``user_sessions``.

Pyramid's session factory interface (:class:`pyramid.interfaces.ISession`), so CSRF tokens,
flash messages and :class:`~pyramid.authentication.SessionAuthenticationHelper` work as
before. What the cookie holds is only a key; the row holds its HMAC (under the session
secret) and the data, in the request's own transaction. A session ends when its row goes:

- at log-out (:meth:`DatabaseSession.invalidate`), so a cookie copied before is worthless;
- for every session of a user when the password changes or is reset, or the account is
  deactivated (:func:`end_user_sessions`);
- after ``session.idle_minutes`` without a request, or ``session.absolute_hours`` after it
  began, whatever happens in between.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets

from pyramid.interfaces import ISession
from sqlalchemy import delete, inspect, or_, select
from sqlalchemy.orm import Session
from zope.interface import implementer

from assessment.core.models import UserSession, utcnow
from assessment.core.settings import COOKIE_NAME

AUTH_KEY = "auth.userid"  # where SessionAuthenticationHelper keeps the user id
# last_seen_at is written at most this often: idle ends are precise to this much, and a
# reading user does not write a row on every page.
TOUCH_SECONDS = 300
MAX_KEY_LENGTH = 100


def key_hash(secret: str, key: str) -> str:
    """What the table keeps of a cookie's key: HMAC-SHA256 under the session secret."""
    return hmac.new(secret.encode("utf-8"), key.encode("utf-8"), hashlib.sha256).hexdigest()


def end_user_sessions(dbsession: Session, user_id: int) -> None:
    """Delete every session of ``user_id`` (password change or reset, deactivation)."""
    dbsession.execute(
        delete(UserSession).where(UserSession.user_id == user_id),
        execution_options={"synchronize_session": "fetch"},
    )


def purge_expired(dbsession: Session, settings, *, now: dt.datetime | None = None) -> None:
    """Delete sessions past their idle or absolute end (run at each log-in)."""
    now = now or utcnow()
    idle = now - dt.timedelta(minutes=settings.session_idle_minutes)
    absolute = now - dt.timedelta(hours=settings.session_absolute_hours)
    dbsession.execute(
        delete(UserSession).where(
            or_(UserSession.last_seen_at < idle, UserSession.created_at < absolute)
        ),
        execution_options={"synchronize_session": False},
    )


def _changes(method):
    def wrapper(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        self.changed()
        return result

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


@implementer(ISession)
class DatabaseSession(dict):
    """One request's view of a session row (created on the first change)."""

    def __init__(self, request, row: UserSession | None, *, expired: bool = False):
        super().__init__(json.loads(row.data_json) if row is not None else {})
        self.request = request
        self._row = row
        self._new_key: str | None = None
        self._forget_cookie = expired
        self.new = row is None
        created = row.created_at if row is not None else utcnow()
        self.created = created.replace(tzinfo=dt.UTC).timestamp()
        request.add_response_callback(self._set_cookie)

    # -- persistence ----------------------------------------------------------------------
    @property
    def _settings(self):
        return self.request.registry.app_settings

    def changed(self) -> None:
        """Write the data to the row (a new row and key on the first change)."""
        data = json.dumps(dict(self), separators=(",", ":"))
        user_id = self.get(AUTH_KEY)
        if self._row is None:
            now = utcnow()
            self._new_key = secrets.token_urlsafe(32)
            self._row = UserSession(
                key_hash=key_hash(self._settings.session_secret, self._new_key),
                user_id=user_id,
                data_json=data,
                created_at=now,
                last_seen_at=now,
            )
            self.request.dbsession.add(self._row)
            self.created = now.replace(tzinfo=dt.UTC).timestamp()
            return
        self._row.data_json = data
        self._row.user_id = user_id

    def invalidate(self) -> None:
        """End the session: its row is deleted; a later change starts a new one."""
        row = self._row
        if row is not None:
            state = inspect(row)
            if state.persistent:
                self.request.dbsession.delete(row)
            elif state.pending:
                self.request.dbsession.expunge(row)
        self._row, self._new_key, self._forget_cookie = None, None, True
        dict.clear(self)
        self.new = True

    def _set_cookie(self, request, response) -> None:
        settings = self._settings
        if self._new_key is not None:
            response.set_cookie(
                COOKIE_NAME,
                self._new_key,
                max_age=settings.session_absolute_hours * 3600,
                path="/",
                secure=settings.session_secure,
                httponly=True,
                samesite="Lax",
            )
        elif self._forget_cookie and COOKIE_NAME in request.cookies:
            response.delete_cookie(COOKIE_NAME, path="/")

    # -- the dict, with every change written ----------------------------------------------
    __setitem__ = _changes(dict.__setitem__)
    __delitem__ = _changes(dict.__delitem__)
    clear = _changes(dict.clear)
    pop = _changes(dict.pop)
    popitem = _changes(dict.popitem)
    setdefault = _changes(dict.setdefault)
    update = _changes(dict.update)

    # -- flash messages and CSRF tokens (ISession) ----------------------------------------
    def flash(self, msg, queue: str = "", allow_duplicate: bool = True) -> None:
        storage = list(self.get("_f_" + queue, []))
        if allow_duplicate or msg not in storage:
            storage.append(msg)
            self["_f_" + queue] = storage

    def pop_flash(self, queue: str = "") -> list:
        if "_f_" + queue not in self:
            return []  # nothing to write
        return self.pop("_f_" + queue)

    def peek_flash(self, queue: str = "") -> list:
        return list(self.get("_f_" + queue, []))

    def new_csrf_token(self) -> str:
        token = secrets.token_hex(20)
        self["_csrft_"] = token
        return token

    def get_csrf_token(self) -> str:
        token = self.get("_csrft_")
        return token if token is not None else self.new_csrf_token()


def _expired(row: UserSession, settings, now: dt.datetime) -> bool:
    return row.last_seen_at < now - dt.timedelta(
        minutes=settings.session_idle_minutes
    ) or row.created_at < now - dt.timedelta(hours=settings.session_absolute_hours)


def session_factory(request) -> DatabaseSession:
    """Pyramid's session factory: the row named by the cookie, if it is alive."""
    settings = request.registry.app_settings
    key = request.cookies.get(COOKIE_NAME)
    if not key or len(key) > MAX_KEY_LENGTH:
        return DatabaseSession(request, None, expired=bool(key))
    dbsession = request.dbsession
    digest = key_hash(settings.session_secret, key)
    row = dbsession.scalar(select(UserSession).where(UserSession.key_hash == digest))
    now = utcnow()
    if row is None:
        return DatabaseSession(request, None, expired=True)
    if _expired(row, settings, now):
        dbsession.delete(row)
        return DatabaseSession(request, None, expired=True)
    if (now - row.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        row.last_seen_at = now
    return DatabaseSession(request, row)
