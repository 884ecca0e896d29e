"""``backup`` and ``restore``: a consistent copy of the whole database, and putting one back.

SQLite: the online backup API of the ``sqlite3`` module (pages copied while the app keeps
running; a writer during the copy makes it restart, so the copy is one consistent state),
then ``PRAGMA integrity_check`` on the copy. PostgreSQL: ``pg_dump --format=custom`` as the
schema owner, restored with ``pg_restore`` into an empty database; the app role's grants are
then set again as ``assess initdb`` sets them.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from assessment.core.cli import CommandError, add_config_option, say
from assessment.core.formatting import format_number
from assessment.core.i18n import N_

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


def register(subparsers) -> None:
    p = subparsers.add_parser("backup", help=N_("write a consistent copy of the whole database"))
    add_config_option(p)
    p.add_argument("--out", required=True, type=Path, help=N_("backup file (must not exist)"))
    p.set_defaults(func=backup)

    p = subparsers.add_parser("restore", help=N_("load a backup into an empty database"))
    add_config_option(p)
    p.add_argument("file", type=Path, help=N_("a file written by assess backup"))
    p.set_defaults(func=restore)


def _target(config: str):
    from sqlalchemy.engine import make_url

    from assessment.commands.core import database_urls

    url, owner_url = database_urls(config)
    return make_url(owner_url or url), url, owner_url


def _libpq(url) -> str:
    """The URL as libpq (pg_dump, pg_restore) reads it."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise CommandError(N_("An in-memory SQLite database has nothing to back up or restore."))
    return Path(url.database)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise CommandError(
            N_("{program} not found: install PostgreSQL's client programs."), program=name
        )
    return found


def backup(args) -> int:
    url, _, _ = _target(args.config)
    if args.out.exists():
        raise CommandError(N_("{file} exists; name a new file."), file=str(args.out))
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.is_file():
            raise CommandError(N_("There is no database at {file}."), file=str(source))
        _sqlite_copy(source, args.out)
    elif url.get_backend_name() == "postgresql":
        command = [_tool("pg_dump"), "--format=custom", "--file", str(args.out), _libpq(url)]
        _run(command, "pg_dump", cleanup=args.out)
    else:
        raise CommandError(
            N_("Backing up {backend} databases is not supported."),
            backend=url.get_backend_name(),
        )
    say(
        args,
        N_("Wrote {file} ({size} bytes)."),
        file=str(args.out),
        size=format_number(args.out.stat().st_size),
    )
    return 0


def _sqlite_copy(source: Path, destination: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(destination)
    try:
        src.backup(dst)
        (verdict,) = dst.execute("PRAGMA integrity_check").fetchone()
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        destination.unlink(missing_ok=True)
        raise CommandError(
            N_("The copy failed SQLite's integrity check: {verdict}"), verdict=verdict
        )


def _run(command: list[str], name: str, cleanup: Path | None = None) -> None:
    # The program is found by shutil.which; the arguments are a URL and paths, never a shell.
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        if cleanup is not None:
            cleanup.unlink(missing_ok=True)
        raise CommandError(
            N_("{program} failed: {detail}"),
            program=name,
            detail=done.stderr.strip() or str(done.returncode),
        )


def restore(args) -> int:
    url, app_url, owner_url = _target(args.config)
    if not args.file.is_file():
        raise CommandError(N_("No such file: {file}"), file=str(args.file))
    with args.file.open("rb") as f:
        magic = f.read(16)
    backend = url.get_backend_name()
    expected = {"sqlite": SQLITE_MAGIC, "postgresql": PG_CUSTOM_MAGIC}.get(backend)
    if expected is None:
        raise CommandError(
            N_("Restoring into {backend} databases is not supported."), backend=backend
        )
    if not magic.startswith(expected):
        raise CommandError(
            N_("{file} is not a {backend} backup written by assess backup."),
            file=str(args.file),
            backend=backend,
        )
    _refuse_non_empty(url)
    if backend == "sqlite":
        _sqlite_copy(args.file, _sqlite_path(url))
    else:
        command = [_tool("pg_restore"), "--exit-on-error", "--no-owner", "--no-privileges"]
        _run([*command, "--dbname", _libpq(url), str(args.file)], "pg_restore")
        if owner_url and owner_url != app_url:
            from assessment.commands.core import setup_app_role

            role = setup_app_role(owner_url, app_url)
            say(args, N_("The app connects as {role}."), role=role)
    say(
        args,
        N_("Restored {file} into {database}."),
        file=str(args.file),
        database=url.render_as_string(hide_password=True),
    )
    return 0


def _refuse_non_empty(url) -> None:
    from sqlalchemy import create_engine, inspect

    if url.get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        return
    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise CommandError(
            N_(
                "The target database is not empty ({count} tables): restore only into a new, "
                "empty database."
            ),
            count=len(tables),
        )
