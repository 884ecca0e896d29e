"""Server-side sessions, revocable named API tokens, the audit hash chain and stronger guards.

Why: a signed-cookie session could not be ended (a copied cookie outlived log-out and
password resets), so sessions become rows that log-out deletes. API tokens get a name, a
last-use time and a revocation time so their holders and admins can list and revoke them.
Each audit row now carries the hash of the previous one (``prev_hash``, ``row_hash``) so a
rewritten or removed row shows; existing rows are chained in id order here. The triggers
also refuse ``REPLACE INTO`` on SQLite (a BEFORE INSERT trigger refuses a conflicting id,
since REPLACE deletes without firing delete triggers unless ``recursive_triggers`` is on),
keep review comments unchanged except for closing them, keep signed-off report versions
unchanged, and on PostgreSQL check at commit that every change of an interview's status
comes with its audit row.

Revision ID: 0005_i15auth
Revises: 0004
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0005_i15auth"
down_revision = "0004"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _chain_hash(prev, interview_id, version, action, user_id, at, changes_json) -> str:
    # Frozen copy of surveys.audit.chain_hash as of this revision.
    payload = json.dumps(
        [prev, interview_id, version, action, user_id, at, changes_json],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _iso(value) -> str:
    if isinstance(value, str):  # SQLite hands back text when read without a type
        from datetime import datetime

        value = datetime.fromisoformat(value)
    return value.isoformat(timespec="microseconds")


def _backfill_chain() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, interview_id, version, action, user_id, at, changes_json "
            "FROM interview_changes ORDER BY id"
        )
    ).all()
    prev = GENESIS
    for row in rows:
        digest = _chain_hash(
            prev, row.interview_id, row.version, row.action, row.user_id, _iso(row.at),
            row.changes_json,
        )  # fmt: skip
        bind.execute(
            sa.text("UPDATE interview_changes SET prev_hash = :p, row_hash = :h WHERE id = :i"),
            {"p": prev, "h": digest, "i": row.id},
        )
        prev = digest


def _raise(message: str) -> str:
    return f"SELECT RAISE(ABORT, '{message}')"


SQLITE_TRIGGERS = {
    "interview_changes_no_update": "BEFORE UPDATE ON interview_changes BEGIN "
    + _raise("interview_changes is append-only")
    + "; END",
    "interview_changes_no_delete": "BEFORE DELETE ON interview_changes BEGIN "
    + _raise("interview_changes is append-only")
    + "; END",
    # REPLACE INTO deletes the row it conflicts with; the delete trigger fires only with
    # recursive_triggers on, so an insert onto an existing id is refused here.
    "interview_changes_no_replace": "BEFORE INSERT ON interview_changes "
    "WHEN EXISTS (SELECT 1 FROM interview_changes WHERE id = NEW.id) BEGIN "
    + _raise("interview_changes is append-only")
    + "; END",
    "interview_changes_chain": "BEFORE INSERT ON interview_changes "
    "WHEN NEW.prev_hash IS NOT coalesce((SELECT row_hash FROM interview_changes "
    f"ORDER BY id DESC LIMIT 1), '{GENESIS}') BEGIN "
    + _raise("interview_changes: prev_hash must be the hash of the last row")
    + "; END",
    "review_comments_no_delete": "BEFORE DELETE ON review_comments BEGIN "
    + _raise("review comments are never deleted")
    + "; END",
    "review_comments_only_close": "BEFORE UPDATE ON review_comments "
    "WHEN NEW.id IS NOT OLD.id OR NEW.interview_id IS NOT OLD.interview_id "
    "OR NEW.field_path IS NOT OLD.field_path OR NEW.text IS NOT OLD.text "
    "OR NEW.author_id IS NOT OLD.author_id OR NEW.created_at IS NOT OLD.created_at "
    "OR (NEW.open IS NOT OLD.open AND NOT (OLD.open = 1 AND NEW.open = 0)) BEGIN "
    + _raise("a review comment can only be closed")
    + "; END",
    "review_comments_no_replace": "BEFORE INSERT ON review_comments "
    "WHEN EXISTS (SELECT 1 FROM review_comments WHERE id = NEW.id) BEGIN "
    + _raise("review comments are never replaced")
    + "; END",
    "report_versions_signed_no_update": "BEFORE UPDATE ON report_versions "
    "WHEN OLD.signed_off BEGIN " + _raise("a signed-off report version never changes") + "; END",
    "report_versions_snapshot_fixed": "BEFORE UPDATE ON report_versions "
    "WHEN NEW.id IS NOT OLD.id OR NEW.county_id IS NOT OLD.county_id "
    "OR NEW.plan_id IS NOT OLD.plan_id OR NEW.version IS NOT OLD.version "
    "OR NEW.language IS NOT OLD.language OR NEW.snapshot_json IS NOT OLD.snapshot_json "
    "OR NEW.snapshot_sha256 IS NOT OLD.snapshot_sha256 BEGIN "
    + _raise("a report version keeps its snapshot")
    + "; END",
    "report_versions_signed_no_delete": "BEFORE DELETE ON report_versions "
    "WHEN OLD.signed_off BEGIN " + _raise("a signed-off report version never changes") + "; END",
    "report_versions_no_replace": "BEFORE INSERT ON report_versions "
    "WHEN EXISTS (SELECT 1 FROM report_versions WHERE id = NEW.id OR (county_id = NEW.county_id "
    "AND version = NEW.version AND language = NEW.language)) BEGIN "
    + _raise("report versions are never replaced")
    + "; END",
}

PG_FUNCTIONS = {
    "interview_changes_chain": f"""
        DECLARE last text;
        BEGIN
            SELECT row_hash INTO last FROM interview_changes ORDER BY id DESC LIMIT 1;
            IF NEW.prev_hash IS DISTINCT FROM coalesce(last, '{GENESIS}') THEN
                RAISE EXCEPTION 'interview_changes: prev_hash must be the hash of the last row';
            END IF;
            RETURN NEW;
        END""",
    "review_comments_guard": """
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'review comments are never deleted';
            END IF;
            IF (NEW.id, NEW.interview_id, NEW.field_path, NEW.text, NEW.author_id,
                NEW.created_at) IS DISTINCT FROM (OLD.id, OLD.interview_id, OLD.field_path,
                OLD.text, OLD.author_id, OLD.created_at)
               OR (NEW.open IS DISTINCT FROM OLD.open AND NOT (OLD.open AND NOT NEW.open)) THEN
                RAISE EXCEPTION 'a review comment can only be closed';
            END IF;
            RETURN NEW;
        END""",
    "report_versions_guard": """
        BEGIN
            IF OLD.signed_off THEN
                RAISE EXCEPTION 'a signed-off report version never changes';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            IF (NEW.id, NEW.county_id, NEW.plan_id, NEW.version, NEW.language,
                NEW.snapshot_json, NEW.snapshot_sha256) IS DISTINCT FROM (OLD.id, OLD.county_id,
                OLD.plan_id, OLD.version, OLD.language, OLD.snapshot_json, OLD.snapshot_sha256)
            THEN
                RAISE EXCEPTION 'a report version keeps its snapshot';
            END IF;
            RETURN NEW;
        END""",
    "interviews_status_audited": """
        BEGIN
            -- The services bump the version with every status change and record it.
            IF NEW.version <= OLD.version OR NOT EXISTS (
                SELECT 1 FROM interview_changes
                WHERE interview_id = NEW.id AND version = NEW.version) THEN
                RAISE EXCEPTION 'interview % changed status without an audit row', NEW.id;
            END IF;
            RETURN NULL;
        END""",
}

PG_TRIGGERS = {
    "interview_changes_chain": "BEFORE INSERT ON interview_changes FOR EACH ROW "
    "EXECUTE FUNCTION interview_changes_chain()",
    "review_comments_guard": "BEFORE UPDATE OR DELETE ON review_comments FOR EACH ROW "
    "EXECUTE FUNCTION review_comments_guard()",
    "report_versions_guard": "BEFORE UPDATE OR DELETE ON report_versions FOR EACH ROW "
    "EXECUTE FUNCTION report_versions_guard()",
}


def _sqlite_old_triggers(create: bool) -> None:
    for event in ("update", "delete"):
        if create:
            op.execute(
                f"CREATE TRIGGER interview_changes_no_{event} BEFORE {event.upper()} "
                "ON interview_changes BEGIN "
                "SELECT RAISE(ABORT, 'interview_changes is append-only'); END"
            )
        else:
            op.execute(f"DROP TRIGGER IF EXISTS interview_changes_no_{event}")


def _pg_old_triggers(create: bool) -> None:
    if create:
        op.execute(
            "CREATE TRIGGER interview_changes_no_update_delete BEFORE UPDATE OR DELETE "
            "ON interview_changes FOR EACH ROW EXECUTE FUNCTION interview_changes_append_only()"
        )
    else:
        op.execute("DROP TRIGGER IF EXISTS interview_changes_no_update_delete ON interview_changes")


def _create_guards(dialect: str) -> None:
    if dialect == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    elif dialect == "postgresql":
        _pg_old_triggers(create=True)
        for name, body in PG_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
        for name, body in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        # Checked at commit: the service writes the audit row after the status update.
        op.execute(
            "CREATE CONSTRAINT TRIGGER interviews_status_audited AFTER UPDATE OF status "
            "ON interviews DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "WHEN (OLD.status IS DISTINCT FROM NEW.status) "
            "EXECUTE FUNCTION interviews_status_audited()"
        )


def _drop_guards(dialect: str) -> None:
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS interviews_status_audited ON interviews")
        for name, body in PG_TRIGGERS.items():
            table = body.split(" ON ")[1].split()[0]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        _pg_old_triggers(create=False)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_user_sessions_key_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_user_sessions_last_seen_at"), ["last_seen_at"], unique=False
        )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))

    # The old triggers would refuse the backfill (and SQLite's batch copy drops them).
    if dialect == "sqlite":
        _sqlite_old_triggers(create=False)
    elif dialect == "postgresql":
        _pg_old_triggers(create=False)
    with op.batch_alter_table("interview_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    _backfill_chain()
    with op.batch_alter_table("interview_changes", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_interview_changes_row_hash"), ["row_hash"])
    _create_guards(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_guards(dialect)
    with op.batch_alter_table("interview_changes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_interview_changes_row_hash"), type_="unique")
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
    if dialect == "sqlite":
        _sqlite_old_triggers(create=True)
    elif dialect == "postgresql":
        _pg_old_triggers(create=True)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("name")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_last_seen_at"))
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
