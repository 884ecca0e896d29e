"""The ``assess`` commands as scripts use them: a config file, DATABASE_URL, exit codes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def assess(*args, env_extra=None, cwd=ROOT):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "assessment.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
    )


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/cli.sqlite"


def test_initdb_create_user_and_refusals(sqlite_url):
    env = {"DATABASE_URL": sqlite_url}
    result = assess("initdb", env_extra=env)
    assert result.returncode == 0, result.stderr
    made = assess(
        "create-user", "lead", "--role", "admin", "--password", "long-password", env_extra=env
    )
    assert made.returncode == 0, made.stderr
    again = assess(
        "create-user", "lead", "--role", "admin", "--password", "long-password", env_extra=env
    )
    assert again.returncode != 0
    assert "lead" in again.stderr and "taken" in again.stderr
    no_team = assess(
        "create-user", "x1", "--role", "assessor", "--password", "long-password", env_extra=env
    )
    assert no_team.returncode != 0 and "team" in no_team.stderr


def test_missing_config_file_is_reported(sqlite_url):
    result = assess("initdb", "--config", "nowhere.ini", env_extra={"DATABASE_URL": sqlite_url})
    assert result.returncode != 0
    assert "nowhere.ini" in result.stderr


def test_demo_loads_every_role_and_prints_accounts(sqlite_url):
    env = {"DATABASE_URL": sqlite_url}
    assert assess("initdb", env_extra=env).returncode == 0
    result = assess("demo", "--households", "6000", env_extra=env)
    assert result.returncode == 0, result.stderr
    for role in ("admin", "coordinator", "supervisor", "assessor", "reader"):
        assert role in result.stdout
    second = assess("demo", "--if-empty", env_extra=env)
    assert second.returncode == 0 and "not loaded" in second.stdout
