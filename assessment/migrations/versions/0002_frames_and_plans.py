"""Sampling: versioned frames, their villages and households, the import log, plans.

Why: a frame is imported once and never edited (plans point at the version they were
drawn from); plans keep every selected, reserve and screening household with its
inclusion probabilities so estimates and verification need nothing else.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:44:07.769458
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frames",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("extra_columns", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["county_id"], ["counties.id"], name=op.f("fk_frames_county_id_counties")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_frames_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frames")),
        sa.UniqueConstraint("county_id", "version", name=op.f("uq_frames_county_id")),
    )
    with op.batch_alter_table("frames", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_frames_content_hash"), ["content_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_frames_county_id"), ["county_id"], unique=False)

    op.create_table(
        "frame_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("issue_count", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["county_id"], ["counties.id"], name=op.f("fk_frame_imports_county_id_counties")
        ),
        sa.ForeignKeyConstraint(
            ["frame_id"], ["frames.id"], name=op.f("fk_frame_imports_frame_id_frames")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_frame_imports_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frame_imports")),
    )
    op.create_table(
        "frame_villages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("village_key", sa.String(length=200), nullable=False),
        sa.Column("village_code", sa.String(length=40), nullable=False),
        sa.Column("village_type", sa.String(length=10), nullable=False),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["frames.id"],
            name=op.f("fk_frame_villages_frame_id_frames"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_frame_villages_village_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frame_villages")),
        sa.UniqueConstraint("frame_id", "village_key", name=op.f("uq_frame_villages_frame_id")),
    )
    with op.batch_alter_table("frame_villages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_frame_villages_village_id"), ["village_id"], unique=False
        )

    op.create_table(
        "sample_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("design_json", sa.Text(), nullable=False),
        sa.Column("seed_hash", sa.String(length=64), nullable=False),
        sa.Column("seed_hex", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("committed_at", sa.DateTime(), nullable=False),
        sa.Column("committed_by_id", sa.Integer(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committed_by_id"], ["users.id"], name=op.f("fk_sample_plans_committed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["county_id"], ["counties.id"], name=op.f("fk_sample_plans_county_id_counties")
        ),
        sa.ForeignKeyConstraint(
            ["frame_id"], ["frames.id"], name=op.f("fk_sample_plans_frame_id_frames")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_rounds.id"],
            name=op.f("fk_sample_plans_round_id_assessment_rounds"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["sample_plans.id"],
            name=op.f("fk_sample_plans_supersedes_id_sample_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_plans")),
        sa.UniqueConstraint("county_id", "version", name=op.f("uq_sample_plans_county_id")),
    )
    with op.batch_alter_table("sample_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sample_plans_county_id"), ["county_id"], unique=False)

    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column("frame_village_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("exit_year", sa.Integer(), nullable=True),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("head_name", sa.String(length=100), nullable=False),
        sa.Column("dibao", sa.Boolean(), nullable=False),
        sa.Column("unsafe_house", sa.Boolean(), nullable=False),
        sa.Column("serious_illness", sa.Boolean(), nullable=False),
        sa.Column("no_labour", sa.Boolean(), nullable=False),
        sa.Column("elderly_alone", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["frames.id"],
            name=op.f("fk_households_frame_id_frames"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["frame_village_id"],
            ["frame_villages.id"],
            name=op.f("fk_households_frame_village_id_frame_villages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("frame_id", "household_id", name=op.f("uq_households_frame_id")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(
            "ix_households_frame_village", ["frame_id", "frame_village_id"], unique=False
        )

    op.create_table(
        "plan_villages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("frame_village_id", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=40), nullable=False),
        sa.Column("pi_village", sa.Float(), nullable=False),
        sa.Column("certainty", sa.Boolean(), nullable=False),
        sa.Column("purposive", sa.Boolean(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["frame_village_id"],
            ["frame_villages.id"],
            name=op.f("fk_plan_villages_frame_village_id_frame_villages"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["sample_plans.id"],
            name=op.f("fk_plan_villages_plan_id_sample_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_plan_villages_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_villages")),
        sa.UniqueConstraint("plan_id", "frame_village_id", name=op.f("uq_plan_villages_plan_id")),
    )
    with op.batch_alter_table("plan_villages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_villages_team_id"), ["team_id"], unique=False)

    op.create_table(
        "plan_households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("plan_village_id", sa.Integer(), nullable=True),
        sa.Column("household_pk", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("reserve_rank", sa.Integer(), nullable=True),
        sa.Column("pi_village", sa.Float(), nullable=False),
        sa.Column("pi_household", sa.Float(), nullable=False),
        sa.Column("pi", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_pk"],
            ["households.id"],
            name=op.f("fk_plan_households_household_pk_households"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["sample_plans.id"],
            name=op.f("fk_plan_households_plan_id_sample_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_village_id"],
            ["plan_villages.id"],
            name=op.f("fk_plan_households_plan_village_id_plan_villages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_households")),
        sa.UniqueConstraint("plan_id", "household_pk", name=op.f("uq_plan_households_plan_id")),
    )
    with op.batch_alter_table("plan_households", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_households_plan_village", ["plan_id", "plan_village_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_households", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_households_plan_village")

    op.drop_table("plan_households")
    with op.batch_alter_table("plan_villages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_villages_team_id"))

    op.drop_table("plan_villages")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index("ix_households_frame_village")

    op.drop_table("households")
    with op.batch_alter_table("sample_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_plans_county_id"))

    op.drop_table("sample_plans")
    with op.batch_alter_table("frame_villages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frame_villages_village_id"))

    op.drop_table("frame_villages")
    op.drop_table("frame_imports")
    with op.batch_alter_table("frames", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frames_county_id"))
        batch_op.drop_index(batch_op.f("ix_frames_content_hash"))

    op.drop_table("frames")
