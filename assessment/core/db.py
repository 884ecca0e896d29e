"""Declarative base, engine and session factories, and ``request.dbsession``.

One transaction per request: pyramid_tm begins it, zope.sqlalchemy joins the session
to it, and the app never calls ``commit()``.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# From the alembic documentation on constraint naming conventions.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# SQLite's answer when another connection holds the write lock past the busy timeout
# (SQLITE_BUSY) or a table is locked (SQLITE_LOCKED); extended codes keep these low bits.
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
BEGIN_OPTION = "sqlite_begin"  # execution option: "immediate" for write transactions


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, *, app: bool) -> None:
    """WAL, a busy timeout and our own BEGIN on every connection (SQLAlchemy's pysqlite recipe).

    pysqlite is told to leave transactions alone; SQLAlchemy's ``begin`` event emits the
    BEGIN instead - ``BEGIN IMMEDIATE`` on connections of write transactions (the
    ``sqlite_begin="immediate"`` execution option), so a request that reads then writes
    takes the write lock first and waits for it (the busy timeout) instead of failing with
    "database is locked" when another writer got in between its read and its write. The
    app's connections (``app=True``) also get the audit guards of
    :mod:`assessment.core.audit_guard`.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # pysqlite would otherwise BEGIN on its own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL makes NORMAL durable against application crashes (not power loss), and
            # spares an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        if app:
            from assessment.core.audit_guard import guard_sqlite_connection

            guard_sqlite_connection(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get(BEGIN_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "immediate" else "BEGIN")


def make_engine(url: str, *, busy_timeout_ms: int = 30_000, app: bool = False, **kwargs) -> Engine:
    """Create an engine for ``url`` with the per-dialect settings the app relies on.

    ``app=True`` is the web application's engine: on SQLite its connections refuse to
    rewrite the audit trail (migrations and ``assess initdb`` use an engine without it).
    """
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms, app=app)
    return engine


def write_engine(engine: Engine) -> Engine:
    """The same engine (and pool) whose transactions begin as writers on SQLite."""
    return engine.execution_options(**{BEGIN_OPTION: "immediate"})


def is_sqlite_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` is, or was raised while handling, SQLite's "database is locked".

    The chain matters: after a failed flush, rendering the error page raises SQLAlchemy's
    ``PendingRollbackError`` with the busy error as its context.
    """
    seen = 0
    while exc is not None and seen < 10:
        orig = getattr(exc, "orig", exc)
        if isinstance(orig, sqlite3.OperationalError):
            code = getattr(orig, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED):
                return True
            if "database is locked" in str(orig):
                return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def session_for_transaction(
    factory: sessionmaker[Session], transaction_manager, *, commit_reads: bool = False
) -> Session:
    """A session joined to ``transaction_manager`` (pyramid_tm's or a command's).

    With ``commit_reads`` a transaction that wrote nothing ends with COMMIT rather than
    zope.sqlalchemy's default ROLLBACK. For the data it is the same (nothing was written;
    PostgreSQL has no WAL to flush for it), but psycopg forgets its prepared statements on
    every ROLLBACK, so with the default each request's statements were planned afresh -
    PostgreSQL planning was most of the database time of a request (a ten-table join of a
    household page: 1.4 ms to plan, 0.25 ms to run).
    """
    import zope.sqlalchemy
    from zope.sqlalchemy.datamanager import STATUS_ACTIVE, STATUS_CHANGED

    session = factory()
    zope.sqlalchemy.register(
        session,
        transaction_manager=transaction_manager,
        initial_state=STATUS_CHANGED if commit_reads else STATUS_ACTIVE,
    )
    return session


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _writes(request) -> bool:
    """Whether the request's transaction should begin as a writer (SQLite only matters).

    Unsafe methods write; so does a visitor without a session cookie or bearer token (the
    page's CSRF token starts a session row). Other GETs begin as readers, so pages render
    side by side; the few that write (a flash message read, the session's touch every few
    minutes) and meet another writer fail with "database is locked" and are retried - as
    writers, so the retry waits its turn instead of failing again.
    """
    from assessment.core.guard import LARGE_UPLOAD_PATHS
    from assessment.core.settings import COOKIE_NAME

    retried = request.environ.get("retry.attempt", 0) > 0
    if request.path in LARGE_UPLOAD_PATHS and request.method == "POST" and not retried:
        # A frame upload reads and checks its file for seconds before it writes: taking the
        # write lock first would hold every other writer (log-ins, sessions) that long. It
        # begins as a reader; should another writer get in before its first write, it is
        # retried as a writer.
        return False
    return (
        request.method not in SAFE_METHODS
        or retried
        or (COOKIE_NAME not in request.cookies and "Authorization" not in request.headers)
    )


def retry_busy_tween_factory(handler, registry):
    """Mark SQLite's "database is locked" retryable so pyramid_retry runs the request again.

    Sits over pyramid_tm: sees errors raised at commit and, through ``request.exception``,
    those the exception view already rendered as a 500 page (pyramid_retry then discards
    that response and retries).
    """
    from pyramid_retry import mark_error_retryable

    def tween(request):
        try:
            response = handler(request)
        except Exception as exc:
            if is_sqlite_busy(exc):
                mark_error_retryable(exc)
            raise
        exc = getattr(request, "exception", None)
        if exc is not None and is_sqlite_busy(exc):
            mark_error_retryable(exc)
        return response

    return tween


def includeme(config) -> None:
    """Wire the engine, pyramid_tm and ``request.dbsession`` into the app."""
    settings = config.registry.app_settings
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    config.add_tween(
        "assessment.core.db.retry_busy_tween_factory", over="pyramid_tm.tm_tween_factory"
    )
    engine = make_engine(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        app=True,
        pool_pre_ping=True,
    )
    writer = write_engine(engine)
    factory = make_session_factory(engine)
    config.registry.dbengine = engine
    config.registry.dbsession_factory = factory

    def dbsession(request) -> Session:
        # Tests hand in a session bound to an outer transaction they roll back.
        session = request.environ.get("app.dbsession")
        if session is None:
            session = session_for_transaction(factory, request.tm, commit_reads=True)
            if _writes(request):
                session.bind = writer  # BEGIN IMMEDIATE on SQLite: a write is coming
        return session

    config.add_request_method(dbsession, reify=True)
