"""What the application's own database connections may not do to the append-only records.

The audit trail (``interview_changes``), review comments and signed-off report versions are
guarded by triggers (migration ``0005_i15auth``). Triggers only help if the application
cannot remove them, so:

- on PostgreSQL the application connects as a role that owns nothing: ``assess initdb``
  runs the migrations as the owner (``sqlalchemy.owner_url``) and then grants the app role
  (:func:`grant_app_role`) SELECT/INSERT on the audit trail and no more; a role that does not
  own a table can neither drop nor disable its triggers, nor truncate it;
- on SQLite, which has no roles, every connection of the application gets an authorizer
  (:func:`guard_sqlite_connection`) that refuses any schema change (``DROP TRIGGER``,
  ``ALTER TABLE``, ``CREATE ...``), ``ATTACH`` and pragma writes (``writable_schema``,
  ``recursive_triggers = off``), and turns on ``recursive_triggers`` so that ``REPLACE INTO``
  - which deletes the conflicting row before inserting - fires the delete triggers.

Anyone holding the SQLite file itself can still do anything; the hash chain
(``assess verify-audit``) is what shows such a change afterwards.
"""

from __future__ import annotations

import sqlite3

# Tables whose rows are never updated nor deleted by the application.
APPEND_ONLY_TABLES = ("interview_changes",)
# Tables the application may update only in the ways the triggers allow (closing a comment,
# signing a report version off) and never delete from (a signed-off version never).
GUARDED_TABLES = ("review_comments", "report_versions")

_DENIED = {
    getattr(sqlite3, name)
    for name in dir(sqlite3)
    if name.startswith(("SQLITE_CREATE_", "SQLITE_DROP_"))
} | {sqlite3.SQLITE_ALTER_TABLE, sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH}


def _authorizer(action, arg1, arg2, _database, _trigger):
    if action in _DENIED:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None:
        return sqlite3.SQLITE_DENY  # reading a pragma is fine; setting one is not
    if action in (sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE) and arg1 in APPEND_ONLY_TABLES:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def guard_sqlite_connection(dbapi_connection) -> None:
    """Install the guards on a new pysqlite connection of the application."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA recursive_triggers=ON")
    cursor.close()
    dbapi_connection.set_authorizer(_authorizer)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_app_role(connection, app_role: str) -> None:
    """Give ``app_role`` exactly what the application needs (PostgreSQL, run as the owner).

    Everything on the ordinary tables and sequences; SELECT and INSERT only on the audit
    trail; no DELETE on the guarded tables; SELECT only on ``alembic_version``. Safe to run
    again after every migration (it first takes back what it gave).
    """
    role = quote_ident(app_role)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
    ]
    for table in APPEND_ONLY_TABLES:
        for relation in _with_partitions(connection, table):
            statements.append(f"REVOKE UPDATE, DELETE ON {relation} FROM {role}")
    for table in GUARDED_TABLES:
        for relation in _with_partitions(connection, table):
            statements.append(f"REVOKE DELETE ON {relation} FROM {role}")
    for sql in statements:
        connection.exec_driver_sql(sql)


def _with_partitions(connection, table: str) -> list[str]:
    """``table`` and, once ``assess partition-tables`` has run, the partitioned table behind
    its view and every partition of it (``assessment.partitioning``)."""
    found = connection.exec_driver_sql(
        "SELECT relid::regclass::text FROM pg_partition_tree(to_regclass(%(t)s))",
        {"t": f"{table}_p"},
    ).all()
    return [quote_ident(table), *(quote_ident(r[0]) for r in found)]
