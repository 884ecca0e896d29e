"""``initdb``, ``create-user`` and ``demo``: setting a database up."""

from __future__ import annotations

import getpass
import sys

from assessment.cli import CommandError, add_config_option, app_env


def register(subparsers) -> None:
    p = subparsers.add_parser("initdb", help="create or upgrade the database schema (alembic)")
    add_config_option(p)
    p.set_defaults(func=initdb)

    p = subparsers.add_parser("create-user", help="create a user")
    add_config_option(p)
    p.add_argument("username")
    p.add_argument(
        "--role",
        required=True,
        choices=["admin", "coordinator", "supervisor", "assessor", "reader"],
    )
    p.add_argument("--name", help="full name shown in the interface")
    p.add_argument("--team", help="team name (required for assessors and supervisors)")
    p.add_argument("--password", help="initial password (asked for when omitted)")
    p.set_defaults(func=create_user)

    p = subparsers.add_parser("demo", help="load the demo county DEMO with users for every role")
    add_config_option(p)
    p.add_argument("--if-empty", action="store_true", help="do nothing when any user exists")
    p.add_argument("--seed", type=int, default=20190601, help="seed of the synthetic county")
    p.add_argument("--households", type=int, default=42_000, help="households in the county")
    p.add_argument("--no-fieldwork", action="store_true", help="do not simulate the fieldwork")
    p.set_defaults(func=demo)


def _database_url(config_uri: str) -> str:
    from pyramid.paster import get_appsettings

    from assessment.settings import SettingsError, database_url_from

    try:
        settings = get_appsettings(config_uri)
    except FileNotFoundError as exc:
        raise CommandError(f"configuration file not found: {config_uri}") from exc
    try:
        return database_url_from(settings)
    except SettingsError as exc:
        raise CommandError(str(exc)) from exc


def initdb(args) -> int:
    from sqlalchemy.orm import Session

    from assessment.db import make_engine
    from assessment.migrate import upgrade
    from surveys.instrument_store import ensure_builtin_instruments

    url = _database_url(args.config)
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        ensure_builtin_instruments(session)
    engine.dispose()
    print("database is at the latest schema; built-in questionnaires are loaded")
    return 0


def create_user(args) -> int:
    from sqlalchemy import select

    from assessment.models import Role, Team
    from assessment.services import DomainError, UserService

    password = args.password or getpass.getpass("password: ")
    with app_env(args.config) as request:
        team = None
        if args.team:
            team = request.dbsession.scalar(select(Team).where(Team.name == args.team))
            if team is None:
                raise CommandError(f"no team named {args.team!r}")
        try:
            user = UserService(request.dbsession).create(
                args.username, password, Role(args.role), display_name=args.name, team=team
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        print(f"created user {user.username} ({user.role})")
    return 0


def demo(args) -> int:
    from sqlalchemy import func, select

    from assessment.demo import load_demo
    from assessment.models import User

    with app_env(args.config) as request:
        if args.if_empty and request.dbsession.scalar(select(func.count(User.id))):
            print("database already has users; demo not loaded")
            return 0
        accounts = load_demo(
            request.dbsession,
            seed=args.seed,
            households=args.households,
            fieldwork=not args.no_fieldwork,
            out=sys.stdout,
        )
    print("\nDemo accounts (user name / password / role):")
    for username, password, role in accounts:
        print(f"  {username:<14} {password:<14} {role}")
    return 0
