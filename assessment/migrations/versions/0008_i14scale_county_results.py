"""Stored county results: one row per county and round, and each county's data version.

Why: the dashboard and the provincial summary re-derived every county's indicators from its
raw interviews on every request (about 1.2 s per county: 16 minutes for a national round).
Each county's results are now stored when a change makes them stale, in the same
transaction, stamped with the county's data version (bumped by every such change), so that
pages read one row per county and can tell a stale row from a current one.

Revision ID: 0008_i14scale_county_results
Revises: 0008_i19appeals_appeals
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_i14scale_county_results"
down_revision = "0008_i19appeals_appeals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counties", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("data_version", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "county_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("plan_version", sa.Integer(), nullable=True),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Integer(), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_id"], ["counties.id"], name=op.f("fk_county_results_county_id_counties")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["sample_plans.id"], name=op.f("fk_county_results_plan_id_sample_plans")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_rounds.id"],
            name=op.f("fk_county_results_round_id_assessment_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_county_results")),
        sa.UniqueConstraint("county_id", "round_id", name=op.f("uq_county_results_county_id")),
    )
    with op.batch_alter_table("county_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_county_results_county_id"), ["county_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_county_results_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    op.drop_table("county_results")
    with op.batch_alter_table("counties", schema=None) as batch_op:
        batch_op.drop_column("data_version")
