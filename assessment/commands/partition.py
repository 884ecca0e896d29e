"""``partition-tables``: the opt-in PostgreSQL maintenance step of ``docs/deployment.md`` §4."""

from __future__ import annotations

from assessment.core.cli import CommandError, add_config_option, say
from assessment.core.i18n import N_


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "partition-tables",
        help=N_("partition the tables that grow with the round by county (PostgreSQL, once)"),
    )
    add_config_option(p)
    p.add_argument(
        "--dry-run", action="store_true", help=N_("print the SQL it would run and change nothing")
    )
    p.add_argument(
        "--hash-partitions",
        type=int,
        default=None,
        help=N_("partitions per table, by hash of the county (default 16)"),
    )
    p.set_defaults(func=partition_tables)


def _at_head(conn) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from assessment.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    return set(MigrationContext.configure(conn).get_current_heads()) == heads


def partition_tables(args) -> int:
    from sqlalchemy.engine import make_url

    from assessment import partitioning
    from assessment.commands.core import database_urls
    from assessment.core.db import make_engine

    partitions = args.hash_partitions or partitioning.HASH_PARTITIONS
    if not 2 <= partitions <= 1024:
        raise CommandError(N_("--hash-partitions must be between 2 and 1024."))
    url, owner_url = database_urls(args.config)
    target = owner_url or url
    if make_url(target).get_backend_name() != "postgresql":
        raise CommandError(
            partitioning.NOT_POSTGRESQL, database=make_url(target).get_backend_name()
        )
    engine = make_engine(target)
    try:
        with engine.begin() as conn:
            try:
                if not partitioning.is_partitioned(conn) and not _at_head(conn):
                    raise CommandError(
                        N_("The database is not at the latest schema: run assess initdb first.")
                    )
                if args.dry_run:
                    for statement in partitioning.plan(conn, partitions):
                        print(statement.rstrip() + ";")
                    say(args, N_("-- dry run: nothing was changed"))
                    return 0
                before = partitioning.counts(conn)
                partitioning.convert(conn, partitions)
                after = partitioning.counts(conn)
            except partitioning.PartitionError as exc:
                raise CommandError(exc.msgid, **exc.mapping) from exc
    finally:
        engine.dispose()
    for table in partitioning.NAMES:
        say(
            args,
            N_("{table}: {rows} rows in {partitions} partitions by county ({before} before)"),
            table=table,
            rows=f"{after[table]:,}",
            partitions=partitions,
            before=f"{before[table]:,}",
        )
    say(
        args,
        N_(
            "Partitioned in one transaction; the app reads and writes through views of the "
            "same names."
        ),
    )
    return 0
