"""Fieldwork closures and archived fieldwork of re-drawn plans.

Why: a county's verdict stays "insufficient data" until its fieldwork is complete, and a
coordinator may close fieldwork with households still open (who, when, why are recorded). A
re-draw in the middle of fieldwork archives the old plan's interviews (kept, visible, left
out of every estimate) instead of silently orphaning them; the plan records who did it, when.

Revision ID: 0006_i13round_fieldwork
Revises: 0005_i15auth
Create Date: 2026-12-01 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_i13round_fieldwork"
down_revision = "0005_i15auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fieldwork_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_fieldwork_closures_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["sample_plans.id"],
            name=op.f("fk_fieldwork_closures_plan_id_sample_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fieldwork_closures")),
        sa.UniqueConstraint("plan_id", name=op.f("uq_fieldwork_closures_plan_id")),
    )
    with op.batch_alter_table("sample_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fieldwork_archived_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("fieldwork_archived_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sample_plans_fieldwork_archived_by_id_users"),
            "users",
            ["fieldwork_archived_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("sample_plans", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_sample_plans_fieldwork_archived_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("fieldwork_archived_by_id")
        batch_op.drop_column("fieldwork_archived_at")
    op.drop_table("fieldwork_closures")
