"""Alembic environment: the app's metadata, a URL or a live connection handed in by the caller."""

from alembic import context

from assessment.core.db import Base, make_engine
from assessment.migrate import import_all_models

import_all_models()
config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it (batch mode), and dropping the old copy of
            # a table that other rows refer to fails while foreign keys are enforced:
            # alembic's batch documentation has them switched off around the migration. The
            # pragma works only outside a transaction: straight to the driver (no BEGIN yet).
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        _run(conn)
        if sqlite:
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:  # nothing is committed: the connection rolls back on the way out
                raise RuntimeError(f"the migration would break foreign keys: {broken[:5]}")
        conn.commit()
        if sqlite:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `assess initdb`")
run_migrations_online()
