"""Opt-in maintenance step (PostgreSQL only): the tables that grow with the round, partitioned.

``assess partition-tables`` turns each table of :data:`TABLES` into a table partitioned by
``HASH (county_id)`` (``docs/deployment.md`` §4), in one transaction:

1. ``CREATE TABLE <t>_p (LIKE <t> ..., county_id integer NOT NULL) PARTITION BY HASH
   (county_id)`` and its partitions ``<t>_p_h0`` ... (columns, defaults, NOT NULL and CHECK
   constraints come with ``LIKE``);
2. ``INSERT INTO <t>_p SELECT old.*, parent.county_id FROM <t> old JOIN parent`` (the county
   of each row is the county of its frame, plan or interview), row counts compared;
3. the old table dropped, its sequence first handed to ``<t>_p.id``; its primary key, unique
   constraints and unique indexes created again with ``county_id`` added (PostgreSQL
   requires the partition key in each), its other indexes as they were, its foreign keys to
   another partitioned table carrying the county (``FOREIGN KEY (county_id, x) REFERENCES
   <p>_p (county_id, id)``), the others as they were, its triggers on ``<t>_p`` (row
   triggers reach every partition; statement triggers - the audit trail's TRUNCATE guard -
   are created on every partition as well), its grants on ``<t>_p``, its partitions and the
   view below;
4. a view named ``<t>`` over ``<t>_p`` with the old column defaults and an ``INSTEAD OF
   INSERT`` trigger that sets ``county_id`` from the parent row before the row is routed.

The view is what keeps the ORM and every query of the application unchanged: they read,
update and delete through it (a one-table view is updatable, and the base table's triggers
fire), and insert through its trigger. A row routed by its partition key must carry the key
*before* routing, and a partitioned table's BEFORE INSERT trigger runs only after routing,
so the key cannot be filled by a trigger on ``<t>_p`` itself; the models do not map
``county_id`` so that the default schema (SQLite and unpartitioned PostgreSQL) stays as it
is.

Foreign keys *from* tables that are not partitioned (visit attempts, reserve releases, sync
receipts, appeal cases, back-checks) can no longer reference ``id`` alone: a unique
constraint on a partitioned table must contain its partition key. They become a pair of
triggers with the same effect (``<fk>_child`` refuses a row whose parent does not exist and
locks the parent ``FOR KEY SHARE`` as a foreign key does; ``<fk>_parent`` refuses deleting
or re-keying a parent that still has such rows), raising PostgreSQL's foreign key violation.
"""

from __future__ import annotations

import dataclasses
import re

from sqlalchemy import text

from assessment.core.i18n import N_

HASH_PARTITIONS = 16
NOT_POSTGRESQL = N_(
    "Partitioning needs PostgreSQL's declarative partitioning; this database is {database}: "
    "nothing was changed."
)
COUNTY = "county_id"
CHECK = "-- check: same row count in"


@dataclasses.dataclass(frozen=True)
class GrowingTable:
    """A table that grows with the round, and where its rows' county comes from."""

    name: str
    parent: str  # the table whose ``county_id`` a row inherits ...
    via: str  # ... through this column (the parent's ``id``)


# Parents first: a row's county is read from its parent, already converted.
TABLES = (
    GrowingTable("households", "frames", "frame_id"),
    GrowingTable("plan_households", "sample_plans", "plan_id"),
    GrowingTable("interviews", "sample_plans", "plan_id"),
    GrowingTable("interview_changes", "interviews", "interview_id"),
    GrowingTable("review_comments", "interviews", "interview_id"),
    GrowingTable("interview_photos", "interviews", "interview_id"),
)
NAMES = tuple(t.name for t in TABLES)


class PartitionError(Exception):
    """The conversion cannot be done on this database; the message (a msgid and its values,
    for the command to print in its language) says why."""

    def __init__(self, msgid: str, /, **mapping) -> None:
        self.msgid, self.mapping = msgid, mapping
        super().__init__(msgid.format(**mapping))


def qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def partitioned_name(table: str) -> str:
    return f"{table}_p"


def is_partitioned(conn) -> bool:
    """True when the growing tables are already partitioned (``<t>_p`` exist)."""
    found = conn.execute(
        text("SELECT count(*) FROM pg_partitioned_table WHERE partrelid::regclass::text = ANY(:n)"),
        {"n": [partitioned_name(t) for t in NAMES]},
    ).scalar_one()
    return found > 0


def _one_column_list(sql: str) -> list[str]:
    return [c.strip() for c in sql.split(",")]


def _fetch(conn, sql: str, **params):
    return conn.execute(text(sql), params).all()


def _constraints(conn, table: str):
    return _fetch(
        conn,
        "SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) AS definition, "
        "c.confrelid::regclass::text AS referenced, c.conrelid::regclass::text AS owner, "
        "c.confdeltype, c.confupdtype, "
        "ARRAY(SELECT a.attname FROM unnest(c.conkey) k JOIN pg_attribute a "
        "      ON a.attrelid = c.conrelid AND a.attnum = k) AS columns "
        "FROM pg_constraint c WHERE c.conrelid = CAST(:t AS regclass) ORDER BY c.conname",
        t=table,
    )


def _references_to(conn, table: str):
    """Foreign keys of other tables that reference ``table``."""
    return _fetch(
        conn,
        "SELECT c.conname, c.conrelid::regclass::text AS owner, c.confdeltype, c.confupdtype, "
        "ARRAY(SELECT a.attname FROM unnest(c.conkey) k JOIN pg_attribute a "
        "      ON a.attrelid = c.conrelid AND a.attnum = k) AS columns, "
        "ARRAY(SELECT a.attname FROM unnest(c.confkey) k JOIN pg_attribute a "
        "      ON a.attrelid = c.confrelid AND a.attnum = k) AS referenced_columns "
        "FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = CAST(:t AS regclass) "
        "AND c.conrelid <> c.confrelid ORDER BY c.conname",
        t=table,
    )


def _plain_indexes(conn, table: str):
    """Indexes that no constraint owns: their definitions and whether unique."""
    return _fetch(
        conn,
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition, "
        "i.indisunique AS is_unique FROM pg_index i WHERE i.indrelid = CAST(:t AS regclass) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1",
        t=table,
    )


def _triggers(conn, table: str):
    return _fetch(
        conn,
        "SELECT tgname AS name, pg_get_triggerdef(oid) AS definition, "
        "(tgtype & 1) = 1 AS per_row FROM pg_trigger "
        "WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal ORDER BY tgname",
        t=table,
    )


def _grants(conn, table: str):
    """(grantee, privilege) pairs on ``table`` other than its owner's."""
    return _fetch(
        conn,
        "SELECT quote_ident(r.rolname) AS grantee, a.privilege_type AS privilege "
        "FROM pg_class c, aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = CAST(:t AS regclass) AND a.grantee <> c.relowner ORDER BY 1, 2",
        t=table,
    )


def _defaults(conn, table: str):
    return _fetch(
        conn,
        "SELECT a.attname AS name, pg_get_expr(d.adbin, d.adrelid) AS expression "
        "FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
        "WHERE d.adrelid = CAST(:t AS regclass) ORDER BY a.attnum",
        t=table,
    )


def _on_table(definition: str, table: str, new: str) -> str:
    """An index or trigger definition moved from ``table`` to ``new``."""
    moved, count = re.subn(rf" ON (public\.)?{re.escape(table)} ", f" ON public.{new} ", definition)
    if count != 1:
        raise PartitionError(
            N_("Cannot read a definition on {table}: {definition}"),
            table=table,
            definition=definition,
        )
    return moved


def _with_county(columns_sql: str) -> str:
    return ", ".join([*_one_column_list(columns_sql), COUNTY])


ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def plan(conn, partitions: int = HASH_PARTITIONS) -> list[str]:
    """The SQL that converts the growing tables, read from the catalog (nothing is changed)."""
    if conn.dialect.name != "postgresql":
        raise PartitionError(NOT_POSTGRESQL, database=conn.dialect.name)
    if is_partitioned(conn):
        raise PartitionError(N_("The growing tables are partitioned already; nothing to do."))
    missing = [
        t for t in NAMES if conn.execute(text("SELECT to_regclass(:t)"), {"t": t}).scalar() is None
    ]
    if missing:
        raise PartitionError(
            N_("Tables missing: {tables}. Run assess initdb first."), tables=", ".join(missing)
        )
    sql: list[str] = [f"LOCK TABLE {', '.join(NAMES)} IN ACCESS EXCLUSIVE MODE"]
    # Everything is read before anything changes.
    incoming = {t: _references_to(conn, t) for t in NAMES}
    outside = [(t, fk) for t in NAMES for fk in incoming[t] if fk.owner not in NAMES]
    for _, fk in outside:
        if fk.confdeltype != "a" or fk.confupdtype != "a":
            raise PartitionError(
                N_(
                    "{constraint} has ON DELETE/UPDATE actions; only plain foreign keys from "
                    "tables that are not partitioned can be carried over as triggers."
                ),
                constraint=f"{fk.owner}.{fk.conname}",
            )
    for t in NAMES:
        for fk in incoming[t]:
            sql.append(f"ALTER TABLE {qi(fk.owner)} DROP CONSTRAINT {qi(fk.conname)}")
    for table in TABLES:
        sql.extend(_convert(conn, table, partitions))
    for parent, fk in outside:
        sql.extend(_reference_triggers(fk, parent))
    return sql


def _convert(conn, table: GrowingTable, partitions: int) -> list[str]:
    name, new, old = table.name, partitioned_name(table.name), f"{table.name}_unpartitioned"
    constraints = _constraints(conn, name)
    indexes = _plain_indexes(conn, name)
    triggers = _triggers(conn, name)
    grants = _grants(conn, name)
    defaults = _defaults(conn, name)
    sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar()
    parent_key = f"{partitioned_name(table.parent)}" if table.parent in NAMES else qi(table.parent)
    sql = [
        f"ALTER TABLE {qi(name)} RENAME TO {qi(old)}",
        f"CREATE TABLE {qi(new)} (LIKE {qi(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING STORAGE INCLUDING COMMENTS, {COUNTY} integer NOT NULL) "
        f"PARTITION BY HASH ({COUNTY})",
    ]
    for remainder in range(partitions):
        sql.append(
            f"CREATE TABLE {qi(f'{new}_h{remainder}')} PARTITION OF {qi(new)} "
            f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {remainder})"
        )
    sql.append(
        f"INSERT INTO {qi(new)} SELECT o.*, s.{COUNTY} FROM {qi(old)} o "
        f"JOIN {parent_key} s ON s.id = o.{qi(table.via)}"
    )
    sql.append(f"{CHECK} {old} {new}")
    if sequence:
        sql.append(f"ALTER SEQUENCE {sequence} OWNED BY {qi(new)}.id")
    sql.append(f"DROP TABLE {qi(old)}")
    # Keys before foreign keys: a foreign key of a table to itself (a re-visit interview to
    # the interview it repeats) needs the new table's (county_id, id) key in place.
    for c in sorted(constraints, key=lambda c: c.contype not in ("p", "u")):
        if c.contype in ("p", "u"):
            kind = "PRIMARY KEY" if c.contype == "p" else "UNIQUE"
            columns = ", ".join([*(qi(col) for col in c.columns), COUNTY])
            sql.append(f"ALTER TABLE {qi(new)} ADD CONSTRAINT {qi(c.conname)} {kind} ({columns})")
        elif c.contype == "f" and c.referenced in NAMES:
            columns = ", ".join([COUNTY, *(qi(col) for col in c.columns)])
            sql.append(
                f"ALTER TABLE {qi(new)} ADD CONSTRAINT {qi(c.conname)} FOREIGN KEY ({columns}) "
                f"REFERENCES {qi(partitioned_name(c.referenced))} ({COUNTY}, id) "
                f"ON DELETE {ACTIONS[c.confdeltype]} ON UPDATE {ACTIONS[c.confupdtype]}"
            )
        elif c.contype == "f":
            sql.append(f"ALTER TABLE {qi(new)} ADD CONSTRAINT {qi(c.conname)} {c.definition}")
        # CHECK and NOT NULL constraints came with LIKE.
    for index in indexes:
        definition = _on_table(index.definition, name, new)
        if index.is_unique:  # a partial index keeps its WHERE after the columns
            definition, where, predicate = definition.partition(" WHERE ")
            head, _, columns = definition.rpartition("(")
            definition = f"{head}({_with_county(columns.rstrip(')'))}){where}{predicate}"
        sql.append(definition)
    for trigger in triggers:
        sql.append(_on_table(trigger.definition, name, new))
        if not trigger.per_row:  # statement triggers are not inherited by partitions
            for remainder in range(partitions):
                sql.append(_on_table(trigger.definition, name, f"{new}_h{remainder}"))
    columns = [
        r.attname
        for r in _fetch(
            conn,
            "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            t=name,
        )
    ]
    select_list = ", ".join(qi(c) for c in [*columns, COUNTY])
    sql.append(f"CREATE VIEW {qi(name)} AS SELECT {select_list} FROM {qi(new)}")
    for d in defaults:
        sql.append(f"ALTER VIEW {qi(name)} ALTER COLUMN {qi(d.name)} SET DEFAULT {d.expression}")
    route = f"{name}_route"
    sql.append(
        f"CREATE FUNCTION {qi(route)}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n"
        f"    SELECT s.{COUNTY} INTO NEW.{COUNTY} FROM {parent_key} s "
        f"WHERE s.id = NEW.{qi(table.via)};\n"
        f"    IF NEW.{COUNTY} IS NULL THEN\n"
        f"        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = format(\n"
        f"            'insert into {name}: {table.via} %s names no row of {table.parent}', "
        f"NEW.{qi(table.via)});\n"
        f"    END IF;\n"
        f"    INSERT INTO {qi(new)} SELECT NEW.*;\n"
        f"    RETURN NEW;\n"
        f"END$$"
    )
    sql.append(
        f"CREATE TRIGGER {qi(route)} INSTEAD OF INSERT ON {qi(name)} "
        f"FOR EACH ROW EXECUTE FUNCTION {qi(route)}()"
    )
    relations = [name, new, *(f"{new}_h{r}" for r in range(partitions))]
    for g in grants:
        for relation in relations:
            sql.append(f"GRANT {g.privilege} ON {qi(relation)} TO {g.grantee}")
    sql.append(f"ANALYZE {qi(new)}")
    return sql


def _reference_triggers(fk, parent: str) -> list[str]:
    """A foreign key from an unpartitioned table to a partitioned one, kept by two triggers."""
    (column,) = fk.columns
    (referenced,) = fk.referenced_columns
    target = partitioned_name(parent)
    child_fn, parent_fn = f"{fk.conname}_child", f"{fk.conname}_parent"
    if max(len(child_fn), len(parent_fn)) > 63:
        raise PartitionError(f"the name of {fk.conname} is too long for its triggers")
    violation = "RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = format("
    return [
        f"CREATE FUNCTION {qi(child_fn)}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n"
        f"    IF NEW.{qi(column)} IS NULL THEN RETURN NULL; END IF;\n"
        f"    PERFORM 1 FROM {qi(target)} WHERE {qi(referenced)} = NEW.{qi(column)} "
        f"FOR KEY SHARE;\n"
        f"    IF NOT FOUND THEN\n"
        f'        {violation}\'insert or update on table "{fk.owner}" violates foreign key '
        f'"{fk.conname}": {column} %s is not in {parent}\', NEW.{qi(column)});\n'
        f"    END IF;\n"
        f"    RETURN NULL;\n"
        f"END$$",
        f"CREATE CONSTRAINT TRIGGER {qi(fk.conname)} AFTER INSERT OR UPDATE OF {qi(column)} "
        f"ON {qi(fk.owner)} FOR EACH ROW EXECUTE FUNCTION {qi(child_fn)}()",
        f"CREATE FUNCTION {qi(parent_fn)}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n"
        f"    IF TG_OP = 'UPDATE' AND NEW.{qi(referenced)} = OLD.{qi(referenced)} THEN\n"
        f"        RETURN NEW;\n"
        f"    END IF;\n"
        f"    IF EXISTS (SELECT 1 FROM {qi(fk.owner)} WHERE {qi(column)} = OLD.{qi(referenced)}) "
        f"THEN\n"
        f'        {violation}\'update or delete on table "{parent}" violates foreign key '
        f'"{fk.conname}" on table "{fk.owner}": {referenced} %s is still referenced\', '
        f"OLD.{qi(referenced)});\n"
        f"    END IF;\n"
        f"    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n"
        f"    RETURN NEW;\n"
        f"END$$",
        f"CREATE TRIGGER {qi(fk.conname)} BEFORE UPDATE OR DELETE ON {qi(target)} "
        f"FOR EACH ROW EXECUTE FUNCTION {qi(parent_fn)}()",
    ]


def convert(conn, partitions: int = HASH_PARTITIONS) -> list[str]:
    """Run the conversion on ``conn`` (inside the caller's transaction); the SQL it ran."""
    statements = plan(conn, partitions)
    for statement in statements:
        if statement.startswith(CHECK):
            old, new = statement.split()[-2:]
            before, after = (
                conn.exec_driver_sql(f"SELECT count(*) FROM {qi(t)}").scalar_one()
                for t in (old, new)
            )
            if before != after:
                raise PartitionError(
                    f"{old} has {before} rows but only {after} found their county's partition "
                    "(rows whose parent is missing); nothing was changed"
                )
        else:
            conn.exec_driver_sql(statement)
    return statements


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(text(f"SELECT count(*) FROM {qi(t)}")).scalar_one() for t in NAMES}
