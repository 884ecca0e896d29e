"""Settings are checked once, at start-up, with the environment overriding the ini."""

import pytest

from assessment.settings import DEV_SECRET, SettingsError, parse_settings

BASE = {"sqlalchemy.url": "sqlite:///:memory:"}


def test_database_url_from_environment_wins_and_uses_psycopg():
    settings = parse_settings(BASE, {"DATABASE_URL": "postgresql://u@db:5432/assess"})
    assert settings.database_url == "postgresql+psycopg://u@db:5432/assess"


def test_production_refuses_to_start_without_a_secret():
    with pytest.raises(SettingsError, match="session secret"):
        parse_settings({**BASE, "assess.production": "true"}, {})


def test_production_refuses_the_development_secret():
    raw = {**BASE, "assess.production": "true", "session.secret": DEV_SECRET}
    with pytest.raises(SettingsError, match="session secret"):
        parse_settings(raw, {})


def test_production_takes_the_secret_from_the_environment():
    raw = {**BASE, "assess.production": "true"}
    settings = parse_settings(raw, {"ASSESS_SESSION_SECRET": "s" * 40})
    assert settings.session_secret == "s" * 40
    assert settings.session_secure is True


def test_bad_numbers_are_named():
    with pytest.raises(SettingsError, match=r"login\.window_minutes"):
        parse_settings({**BASE, "login.window_minutes": "soon"}, {})


def test_missing_database_is_named():
    with pytest.raises(SettingsError, match=r"sqlalchemy\.url"):
        parse_settings({}, {})
