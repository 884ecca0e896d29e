"""Surveys: instrument versions, interviews, reserve releases, review, audit trail, API tokens.

Why: interviews must stay bound to the instrument version they started with, so versions are
rows; reserves are released only through recorded substitutions; the audit trail of every
save must be tamper-evident, so ``interview_changes`` refuses UPDATE and DELETE in the
database itself (triggers for SQLite and PostgreSQL), not only in the application.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:48:09.572252
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


APPEND_ONLY_MESSAGE = "interview_changes is append-only"


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER interview_changes_no_{event.lower()} BEFORE {event} "
                f"ON interview_changes BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION interview_changes_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER interview_changes_no_update_delete BEFORE UPDATE OR DELETE "
            "ON interview_changes FOR EACH ROW EXECUTE FUNCTION interview_changes_append_only()"
        )
        op.execute(
            "CREATE TRIGGER interview_changes_no_truncate BEFORE TRUNCATE "
            "ON interview_changes FOR EACH STATEMENT "
            "EXECUTE FUNCTION interview_changes_append_only()"
        )


def _drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS interview_changes_no_update")
        op.execute("DROP TRIGGER IF EXISTS interview_changes_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS interview_changes_no_update_delete ON interview_changes")
        op.execute("DROP TRIGGER IF EXISTS interview_changes_no_truncate ON interview_changes")
        op.execute("DROP FUNCTION IF EXISTS interview_changes_append_only()")


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "instrument_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_instrument_versions_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_versions")),
        sa.UniqueConstraint(
            "instrument_id", "version", name=op.f("uq_instrument_versions_instrument_id")
        ),
    )
    op.create_table(
        "revisit_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("interview_ids_json", sa.Text(), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"], ["users.id"], name=op.f("fk_revisit_draws_drawn_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_revisit_draws_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisit_draws")),
    )
    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_household_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("contact_outcome", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("verification_version_id", sa.Integer(), nullable=True),
        sa.Column("recognition_version_id", sa.Integer(), nullable=True),
        sa.Column("verification_json", sa.Text(), nullable=False),
        sa.Column("recognition_json", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("location_accuracy_m", sa.Float(), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("registry_status", sa.String(length=16), nullable=True),
        sa.Column("poverty_line", sa.Float(), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("meets_standard", sa.Boolean(), nullable=True),
        sa.Column("net_income", sa.Float(), nullable=True),
        sa.Column("income_per_capita", sa.Float(), nullable=True),
        sa.Column("persons", sa.Integer(), nullable=True),
        sa.Column("near_line", sa.Boolean(), nullable=True),
        sa.Column("standards_json", sa.Text(), nullable=True),
        sa.Column("recognising", sa.Boolean(), nullable=True),
        sa.Column("flags_json", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_interviews_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_household_id"],
            ["plan_households.id"],
            name=op.f("fk_interviews_plan_household_id_plan_households"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["sample_plans.id"], name=op.f("fk_interviews_plan_id_sample_plans")
        ),
        sa.ForeignKeyConstraint(
            ["recognition_version_id"],
            ["instrument_versions.id"],
            name=op.f("fk_interviews_recognition_version_id_instrument_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_interviews_reviewed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_rounds.id"],
            name=op.f("fk_interviews_round_id_assessment_rounds"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_interviews_submitted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_interviews_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["verification_version_id"],
            ["instrument_versions.id"],
            name=op.f("fk_interviews_verification_version_id_instrument_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
        sa.UniqueConstraint("plan_household_id", name=op.f("uq_interviews_plan_household_id")),
    )
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interviews_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index("ix_interviews_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "reserve_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("plan_village_id", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=40), nullable=False),
        sa.Column("reserve_id", sa.Integer(), nullable=False),
        sa.Column("replaced_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["sample_plans.id"], name=op.f("fk_reserve_releases_plan_id_sample_plans")
        ),
        sa.ForeignKeyConstraint(
            ["plan_village_id"],
            ["plan_villages.id"],
            name=op.f("fk_reserve_releases_plan_village_id_plan_villages"),
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"], ["users.id"], name=op.f("fk_reserve_releases_released_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_id"],
            ["plan_households.id"],
            name=op.f("fk_reserve_releases_replaced_id_plan_households"),
        ),
        sa.ForeignKeyConstraint(
            ["reserve_id"],
            ["plan_households.id"],
            name=op.f("fk_reserve_releases_reserve_id_plan_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reserve_releases")),
        sa.UniqueConstraint("replaced_id", name=op.f("uq_reserve_releases_replaced_id")),
        sa.UniqueConstraint("reserve_id", name=op.f("uq_reserve_releases_reserve_id")),
    )
    with op.batch_alter_table("reserve_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reserve_releases_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "interview_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("changes_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_interview_changes_interview_id_interviews"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_interview_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_changes")),
    )
    with op.batch_alter_table("interview_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interview_changes_interview_version", ["interview_id", "version"], unique=False
        )

    op.create_table(
        "interview_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_interview_photos_interview_id_interviews"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_interview_photos_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_photos")),
    )
    with op.batch_alter_table("interview_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_photos_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "review_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("field_path", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_review_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_review_comments_interview_id_interviews"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comments")),
    )
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_comments_interview_id"), ["interview_id"], unique=False
        )
    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_comments_interview_id"))

    op.drop_table("review_comments")
    with op.batch_alter_table("interview_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_photos_interview_id"))

    op.drop_table("interview_photos")
    with op.batch_alter_table("interview_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_interview_changes_interview_version")

    op.drop_table("interview_changes")
    with op.batch_alter_table("reserve_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reserve_releases_plan_id"))

    op.drop_table("reserve_releases")
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index("ix_interviews_team_status")
        batch_op.drop_index(batch_op.f("ix_interviews_plan_id"))

    op.drop_table("interviews")
    op.drop_table("revisit_draws")
    op.drop_table("instrument_versions")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
