"""``initdb``, ``create-user`` and ``demo``: setting a database up."""

from __future__ import annotations

import getpass
import sys

from assessment.core.cli import DATABASE_URL_PROBLEM, CommandError, add_config_option, app_env, say
from assessment.core.formatting import format_number
from assessment.core.i18n import N_, Message, translate


def register(subparsers) -> None:
    p = subparsers.add_parser("initdb", help=N_("create or upgrade the database schema (alembic)"))
    add_config_option(p)
    p.set_defaults(func=initdb)

    p = subparsers.add_parser(
        "verify-audit",
        help=N_("check the audit trail's hash chain and that interview statuses match it"),
    )
    add_config_option(p)
    p.set_defaults(func=verify_audit)

    p = subparsers.add_parser("create-user", help=N_("create a user"))
    add_config_option(p)
    p.add_argument("username")
    p.add_argument(
        "--role",
        required=True,
        choices=["admin", "coordinator", "supervisor", "assessor", "reader"],
    )
    p.add_argument("--name", help=N_("full name shown in the interface"))
    p.add_argument("--team", help=N_("team name (required for assessors and supervisors)"))
    p.add_argument("--password", help=N_("initial password (asked for when omitted)"))
    p.set_defaults(func=create_user)

    p = subparsers.add_parser(
        "demo", help=N_("load the demo county DEMO with users for every role")
    )
    add_config_option(p)
    p.add_argument("--if-empty", action="store_true", help=N_("do nothing when any user exists"))
    p.add_argument("--seed", type=int, default=20190601, help=N_("seed of the synthetic county"))
    p.add_argument("--households", type=int, default=42_000, help=N_("households in the county"))
    p.add_argument("--no-fieldwork", action="store_true", help=N_("do not simulate the fieldwork"))
    p.set_defaults(func=demo)


def database_urls(config_uri: str) -> tuple[str, str | None]:
    """The app's database URL and the schema owner's (None when the same)."""
    from pyramid.paster import get_appsettings

    from assessment.core.settings import (
        DatabaseURLError,
        SettingsError,
        database_url_from,
        owner_url_from,
    )

    try:
        settings = get_appsettings(config_uri)
    except FileNotFoundError as exc:
        raise CommandError(N_("Configuration file not found: {file}"), file=config_uri) from exc
    try:
        return database_url_from(settings), owner_url_from(settings)
    except DatabaseURLError as exc:
        raise CommandError(DATABASE_URL_PROBLEM) from exc
    except SettingsError as exc:
        raise CommandError(
            N_("The configuration is not valid: {problem}"), problem=str(exc)
        ) from exc


def setup_app_role(owner_url: str, app_url: str) -> str:
    """Create (if missing) and grant the PostgreSQL role the app connects as; its name.

    The role owns nothing: it gets what :func:`assessment.core.audit_guard.grant_app_role` gives,
    so it can neither rewrite the audit trail nor drop or disable a trigger. A superuser
    could, so one is refused.
    """
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from assessment.core.audit_guard import grant_app_role, quote_ident
    from assessment.core.db import make_engine

    app = make_url(app_url)
    owner = make_url(owner_url)
    if not app.username or app.username == owner.username:
        raise CommandError(N_("The app's database user must be a role other than the owner."))
    engine = make_engine(owner_url)
    try:
        with engine.begin() as conn:
            found = conn.execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = :name"),
                {"name": app.username},
            ).first()
            if found is None:
                _create_role(conn, app.username, app.password)
            elif found.rolsuper:
                raise CommandError(
                    N_(
                        "The app role {role} is a superuser: it could disable the audit "
                        "triggers; use an ordinary role."
                    ),
                    role=app.username,
                )
            database = quote_ident(conn.exec_driver_sql("SELECT current_database()").scalar())
            conn.exec_driver_sql(
                f"GRANT CONNECT ON DATABASE {database} TO {quote_ident(app.username)}"
            )
            grant_app_role(conn, app.username)
    finally:
        engine.dispose()
    return app.username


def _create_role(conn, name: str, password: str | None) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    sql = "SELECT format('CREATE ROLE %I LOGIN', CAST(:name AS text))"
    if password is not None:
        sql = (
            "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', "
            "CAST(:name AS text), CAST(:password AS text))"
        )
    statement = conn.execute(text(sql), {"name": name, "password": password}).scalar_one()
    try:
        conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        raise CommandError(
            N_(
                "The app role {role} does not exist and the owner may not create it: create "
                "it first (CREATE ROLE {role} LOGIN) or give the owner CREATEROLE."
            ),
            role=name,
        ) from exc


def initdb(args) -> int:
    from sqlalchemy.orm import Session

    from assessment.core.db import make_engine
    from assessment.migrate import upgrade
    from surveys.instrument_store import ensure_builtin_instruments

    url, owner_url = database_urls(args.config)
    upgrade(owner_url or url)
    engine = make_engine(owner_url or url)
    with Session(engine) as session, session.begin():
        ensure_builtin_instruments(session)
    split = owner_url is not None and owner_url != url and engine.dialect.name == "postgresql"
    engine.dispose()
    say(args, N_("The database is at the latest schema; the built-in questionnaires are loaded."))
    if split:
        role = setup_app_role(owner_url, url)
        say(
            args,
            N_("The app connects as {role}: it owns nothing, the audit trail is insert-only."),
            role=role,
        )
    return 0


def verify_audit(args) -> int:
    from surveys.audit import status_mismatches, verify_chain

    with app_env(args.config) as request:
        checked, broken = verify_chain(request.dbsession)
        mismatches = status_mismatches(request.dbsession) if broken is None else []
    if broken is not None:
        say(
            args,
            N_(
                "The audit chain is broken at row {row}: {reason} ({count} rows before it "
                "are intact)."
            ),
            stream=sys.stderr,
            row=broken.row_id,
            reason=Message(broken.reason),
            count=format_number(checked),
        )
        return 1
    if mismatches:
        interview_id, recorded, stored = mismatches[0]
        say(
            args,
            N_(
                "{count} interviews differ from their audit trail; first: interview {interview} "
                "is {stored}, the trail last recorded {recorded}."
            ),
            stream=sys.stderr,
            count=len(mismatches),
            interview=interview_id,
            stored=_status(stored),
            recorded=_status(recorded),
        )
        return 1
    say(
        args,
        N_("The audit chain is intact: {count} rows; every interview's status matches its trail."),
        count=format_number(checked),
    )
    return 0


def _status(code):
    """An interview status's display name (the code itself when it is not one)."""
    from surveys.labels import INTERVIEW_STATUS_LABELS

    return Message(INTERVIEW_STATUS_LABELS[code]) if code in INTERVIEW_STATUS_LABELS else code


def create_user(args) -> int:
    from sqlalchemy import select

    from assessment.core.errors import DomainError
    from assessment.core.models import Role, Team
    from assessment.core.services import UserService

    password = args.password or getpass.getpass(translate(N_("Password: "), args.lang))
    with app_env(args.config) as request:
        team = None
        if args.team:
            team = request.dbsession.scalar(select(Team).where(Team.name == args.team))
            if team is None:
                raise CommandError(N_("There is no team named {team}."), team=args.team)
        try:
            user = UserService(request.dbsession).create(
                args.username, password, Role(args.role), display_name=args.name, team=team
            )
        except DomainError as exc:
            raise CommandError([m for m, _ in exc.problems]) from exc
        say(args, N_("Created user {user} ({role})."), user=user.username, role=_role(user.role))
    return 0


def _role(role) -> Message:
    """A role's display name (``Role`` or its value)."""
    from assessment.core.forms import ROLE_LABELS
    from assessment.core.models import Role

    return Message(ROLE_LABELS[Role(role)])


def demo(args) -> int:
    from sqlalchemy import func, select

    from assessment.core.models import County, User
    from assessment.demo import DEMO_CODE, load_demo

    with app_env(args.config) as request:
        if args.if_empty and request.dbsession.scalar(select(func.count(User.id))):
            say(args, N_("The database already has users; the demo was not loaded."))
            return 0
        if request.dbsession.scalar(select(County.id).where(County.code == DEMO_CODE)):
            raise CommandError(N_("The demo county {county} exists already."), county=DEMO_CODE)
        accounts = load_demo(
            request.dbsession,
            seed=args.seed,
            households=args.households,
            fieldwork=not args.no_fieldwork,
            out=lambda message: print(message.render(args.lang)),
        )
    print()
    say(args, N_("Demo accounts (user name / password / role):"))
    for username, password, role in accounts:
        print(f"  {username:<14} {password:<14} {_role(role).render(args.lang)}")
    return 0
