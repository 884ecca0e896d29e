"""Parse and check the application settings once; the only reader of ``os.environ``.

The ini file is the source of truth. A deployment may override the database
(``DATABASE_URL``) and the session secret (``ASSESS_SESSION_SECRET``) through the
environment, so several processes behind a proxy can share one configuration file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEV_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused in production


class SettingsError(ValueError):
    """A setting is missing or malformed; raised at start-up, never later."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    session_secret: str
    session_secure: bool
    production: bool
    max_failures_per_account: int
    max_failures_per_address: int
    login_window_minutes: int
    default_language: str
    font_path: str | None
    upload_max_bytes: int


def _bool(value: object) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _int(raw: dict, key: str, default: int) -> int:
    value = raw.get(key, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {key!r} must be a whole number, got {value!r}") from None
    if number <= 0:
        raise SettingsError(f"setting {key!r} must be positive, got {number}")
    return number


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_url_from(raw: dict, environ: dict | None = None) -> str:
    """The database URL: ``DATABASE_URL`` from the environment, else ``sqlalchemy.url``."""
    environ = os.environ if environ is None else environ
    url = environ.get("DATABASE_URL") or raw.get("sqlalchemy.url")
    if not url:
        raise SettingsError("setting 'sqlalchemy.url' (or DATABASE_URL) is required")
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return normalise_database_url(url)


def parse_settings(raw: dict, environ: dict | None = None) -> Settings:
    """Check ``raw`` (the ini's app section) and return typed settings."""
    environ = os.environ if environ is None else environ
    production = _bool(raw.get("assess.production", "false"))
    secret = environ.get("ASSESS_SESSION_SECRET") or raw.get("session.secret", "")
    if production and (not secret or secret == DEV_SECRET or len(secret) < 32):
        raise SettingsError(
            "production refuses to start without a session secret: set 'session.secret' "
            "or ASSESS_SESSION_SECRET to a random string of at least 32 characters"
        )
    language = raw.get("pyramid.default_locale_name", "zh")
    if language not in ("zh", "en"):
        raise SettingsError(
            f"setting 'pyramid.default_locale_name' must be zh or en, got {language!r}"
        )
    return Settings(
        database_url=database_url_from(raw, environ),
        session_secret=secret or DEV_SECRET,
        session_secure=_bool(raw.get("session.secure", production)),
        production=production,
        max_failures_per_account=_int(raw, "login.max_failures_per_account", 5),
        max_failures_per_address=_int(raw, "login.max_failures_per_address", 20),
        login_window_minutes=_int(raw, "login.window_minutes", 15),
        default_language=language,
        font_path=raw.get("reports.font_path") or None,
        upload_max_bytes=_int(raw, "upload.max_bytes", 200 * 1024 * 1024),
    )
