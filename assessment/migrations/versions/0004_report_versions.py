"""Reports: stored report versions (locked snapshot, signed-off PDF); simulated-fieldwork flag.

Why: a signed-off report must never change, so its snapshot and PDF bytes are kept; a
plan whose fieldwork the demo simulated must say so wherever its figures appear.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:53:47.540342
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("snapshot_json", sa.Text(), nullable=False),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_off", sa.Boolean(), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(), nullable=True),
        sa.Column("signed_off_by_id", sa.Integer(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["county_id"], ["counties.id"], name=op.f("fk_report_versions_county_id_counties")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_report_versions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["sample_plans.id"], name=op.f("fk_report_versions_plan_id_sample_plans")
        ),
        sa.ForeignKeyConstraint(
            ["signed_off_by_id"],
            ["users.id"],
            name=op.f("fk_report_versions_signed_off_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_versions")),
        sa.UniqueConstraint(
            "county_id", "version", "language", name=op.f("uq_report_versions_county_id")
        ),
    )
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_versions_county_id"), ["county_id"], unique=False
        )

    with op.batch_alter_table("sample_plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "simulated_fieldwork", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sample_plans", schema=None) as batch_op:
        batch_op.drop_column("simulated_fieldwork")

    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_versions_county_id"))

    op.drop_table("report_versions")
