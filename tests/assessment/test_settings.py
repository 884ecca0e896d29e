"""Settings are checked once, at start-up, with the environment overriding the ini."""

import pytest

from assessment.core.settings import DEV_SECRET, SettingsError, parse_settings

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


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("surveys.max_distance_km", "far"),
        ("surveys.min_duration_minutes", "nan"),
        ("surveys.photo_max_bytes", "-1"),
        ("session.idle_minutes", "0"),
        ("session.secure", "maybe"),
        ("assess.trusted_hosts", "https://evil.example/"),
    ],
)
def test_a_bad_value_refuses_start_up_naming_the_key(app_settings, key, value):
    from assessment import main

    with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
        main({}, **{**app_settings, key: value})


def test_survey_settings_come_from_the_settings_parsed_at_start_up():
    from surveys.quality import SurveySettings

    settings = parse_settings({**BASE, "surveys.max_distance_km": "2.5"}, {})
    assert SurveySettings.from_settings(settings).max_distance_km == 2.5


def test_trusted_hosts_are_a_list_of_names():
    settings = parse_settings({**BASE, "assess.trusted_hosts": "Assess.Example.org, 10.1.2.3"}, {})
    assert settings.trusted_hosts == ("assess.example.org", "10.1.2.3")


def test_owner_url_comes_from_the_environment_first():
    raw = {**BASE, "sqlalchemy.owner_url": "postgresql://owner@db/a"}
    assert parse_settings(raw, {}).database_owner_url == "postgresql+psycopg://owner@db/a"
    environ = {"DATABASE_OWNER_URL": "postgresql://boss@db/a"}
    assert parse_settings(raw, environ).database_owner_url == "postgresql+psycopg://boss@db/a"


def test_frame_limits_come_from_the_settings_and_bad_ones_are_named():
    from sampling.services import frame_limits

    raw = {**BASE, "upload.max_bytes": "1048576", "frames.max_columns": "20"}
    limits = frame_limits(parse_settings({**raw, "frames.max_seconds": "45"}, {}))
    assert (limits.max_bytes, limits.max_columns, limits.max_seconds) == (2**20, 20, 45)
    assert limits.max_memory == 1536 * 2**20  # the default of a 2M-household county
    with pytest.raises(SettingsError, match=r"frames\.max_memory_mb"):
        parse_settings({**BASE, "frames.max_memory_mb": "lots"}, {})


def test_development_port_is_overridable_like_production():
    """``pserve development.ini http_port=6544`` serves on 6544; 6543 when not given."""
    from pathlib import Path

    from paste.deploy.loadwsgi import SERVER, loadcontext

    root = Path(__file__).resolve().parents[2]

    def port(**overrides):
        context = loadcontext(
            SERVER, "config:development.ini", relative_to=str(root), global_conf=overrides
        )
        return context.config()["port"]

    assert port() == "6543"
    assert port(http_port="6544") == "6544"
