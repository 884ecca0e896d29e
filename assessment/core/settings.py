"""Parse and check the application settings once; the only reader of ``os.environ``.

The ini file is the source of truth. A deployment may override the database
(``DATABASE_URL``, ``DATABASE_OWNER_URL``) and the session secret (``ASSESS_SESSION_SECRET``)
through the environment, so several processes behind a proxy can share one configuration
file. Every key the application reads is parsed here, at start-up: a missing or malformed
value stops the application before it serves a request, never as a 500 later.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

DEV_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused in production
MB = 1024 * 1024
DEFAULT_TRUSTED_HOSTS = ("localhost", "127.0.0.1", "[::1]")
COOKIE_NAME = "assess_session"  # the session cookie (assessment.core.sessions)


class SettingsError(ValueError):
    """A setting is missing or malformed; raised at start-up, never later."""


class DatabaseURLError(SettingsError):
    """The database URL names neither SQLite nor PostgreSQL."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    # Who owns the schema (runs migrations, grants); None: the app's own URL (SQLite, or a
    # PostgreSQL set up without the role split).
    database_owner_url: str | None
    session_secret: str
    session_secure: bool
    production: bool
    max_failures_per_account: int
    max_failures_per_address: int
    login_window_minutes: int
    default_language: str
    font_path: str | None
    upload_max_bytes: int
    # Server-side sessions: ended after this long without a request, and this long after
    # log-in whatever happens.
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    token_lifetime_days: int = 30
    # Host names (without port) the app answers to; anything else is a 400.
    trusted_hosts: tuple[str, ...] = DEFAULT_TRUSTED_HOSTS
    hsts_seconds: int = 31_536_000
    sqlite_busy_timeout_ms: int = 30_000
    survey_min_duration_minutes: float = 20.0
    survey_max_distance_km: float = 5.0
    survey_photo_max_bytes: int = 5 * MB
    # Any request body but the frame upload (forms, JSON, a photo of survey_photo_max_bytes).
    body_max_bytes: int = 16 * MB
    # What a frame file may hold, and the child process that reads it (docs/frame-format.md);
    # the defaults fit a county of 2,000,000 households.
    frame_max_columns: int = 64
    frame_max_cell_chars: int = 1000
    frame_max_rows: int = 2_500_000
    frame_max_unpacked_mb: int = 1536
    frame_max_ratio: int = 200
    frame_max_memory_mb: int = 1536
    frame_max_seconds: int = 30


def _bool(raw: dict, key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"setting {key!r} must be true or false, got {value!r}")


def _int(raw: dict, key: str, default: int) -> int:
    value = raw.get(key, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {key!r} must be a whole number, got {value!r}") from None
    if number <= 0:
        raise SettingsError(f"setting {key!r} must be positive, got {number}")
    return number


def _float(raw: dict, key: str, default: float) -> float:
    value = raw.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {key!r} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise SettingsError(f"setting {key!r} must be a positive number, got {value!r}")
    return number


def _hosts(raw: dict) -> tuple[str, ...]:
    value = raw.get("assess.trusted_hosts")
    if value is None:
        return DEFAULT_TRUSTED_HOSTS
    hosts = tuple(h.strip().lower() for h in str(value).replace(",", " ").split() if h.strip())
    if not hosts:
        raise SettingsError("setting 'assess.trusted_hosts' must name at least one host")
    for host in hosts:
        if "/" in host or (":" in host and not host.startswith("[")):
            raise SettingsError(
                f"setting 'assess.trusted_hosts': {host!r} is not a host name (no scheme or port)"
            )
    return hosts


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


SUPPORTED_DATABASES = ("sqlite", "postgres", "postgresql")


def _prepare(url: str) -> str:
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme not in SUPPORTED_DATABASES:
        raise DatabaseURLError(
            f"the database URL must name SQLite or PostgreSQL (sqlite:///..., "
            f"postgresql://...), got {scheme!r}"
        )
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return normalise_database_url(url)


def database_url_from(raw: dict, environ: dict | None = None) -> str:
    """The database URL: ``DATABASE_URL`` from the environment, else ``sqlalchemy.url``."""
    environ = os.environ if environ is None else environ
    url = environ.get("DATABASE_URL") or raw.get("sqlalchemy.url")
    if not url:
        raise SettingsError("setting 'sqlalchemy.url' (or DATABASE_URL) is required")
    return _prepare(url)


def owner_url_from(raw: dict, environ: dict | None = None) -> str | None:
    """The schema owner's URL: ``DATABASE_OWNER_URL``, else ``sqlalchemy.owner_url``, or None."""
    environ = os.environ if environ is None else environ
    url = environ.get("DATABASE_OWNER_URL") or raw.get("sqlalchemy.owner_url")
    return _prepare(url) if url else None


def _secret(raw: dict, environ: dict, production: bool) -> str:
    secret = environ.get("ASSESS_SESSION_SECRET") or raw.get("session.secret", "")
    if production and (not secret or secret == DEV_SECRET or len(secret) < 32):
        raise SettingsError(
            "production refuses to start without a session secret: set 'session.secret' "
            "or ASSESS_SESSION_SECRET to a random string of at least 32 characters"
        )
    return secret or DEV_SECRET


def parse_settings(raw: dict, environ: dict | None = None) -> Settings:
    """Check ``raw`` (the ini's app section) and return typed settings."""
    environ = os.environ if environ is None else environ
    production = _bool(raw, "assess.production", False)
    language = raw.get("pyramid.default_locale_name", "zh")
    if language not in ("zh", "en"):
        raise SettingsError(
            f"setting 'pyramid.default_locale_name' must be zh or en, got {language!r}"
        )
    return Settings(
        database_url=database_url_from(raw, environ),
        database_owner_url=owner_url_from(raw, environ),
        session_secret=_secret(raw, environ, production),
        session_secure=_bool(raw, "session.secure", production),
        production=production,
        max_failures_per_account=_int(raw, "login.max_failures_per_account", 5),
        max_failures_per_address=_int(raw, "login.max_failures_per_address", 20),
        login_window_minutes=_int(raw, "login.window_minutes", 15),
        default_language=language,
        font_path=raw.get("reports.font_path") or None,
        upload_max_bytes=_int(raw, "upload.max_bytes", 200 * MB),
        session_idle_minutes=_int(raw, "session.idle_minutes", 120),
        session_absolute_hours=_int(raw, "session.absolute_hours", 12),
        token_lifetime_days=_int(raw, "tokens.lifetime_days", 30),
        trusted_hosts=_hosts(raw),
        hsts_seconds=_int(raw, "security.hsts_seconds", 31_536_000),
        sqlite_busy_timeout_ms=_int(raw, "sqlite.busy_timeout_ms", 30_000),
        survey_min_duration_minutes=_float(raw, "surveys.min_duration_minutes", 20.0),
        survey_max_distance_km=_float(raw, "surveys.max_distance_km", 5.0),
        survey_photo_max_bytes=_int(raw, "surveys.photo_max_bytes", 5 * MB),
        body_max_bytes=_int(raw, "request.max_body_bytes", 16 * MB),
        frame_max_columns=_int(raw, "frames.max_columns", 64),
        frame_max_cell_chars=_int(raw, "frames.max_cell_chars", 1000),
        frame_max_rows=_int(raw, "frames.max_rows", 2_500_000),
        frame_max_unpacked_mb=_int(raw, "frames.max_unpacked_mb", 1536),
        frame_max_ratio=_int(raw, "frames.max_ratio", 200),
        frame_max_memory_mb=_int(raw, "frames.max_memory_mb", 1536),
        frame_max_seconds=_int(raw, "frames.max_seconds", 30),
    )
