"""Sync receipts: the idempotency keys of changes sent from a phone's offline queue.

Why: an assessor's phone queues outcomes, drafts, submissions and photos while offline and
sends them when the network returns; an answer lost on the way back makes it send again.
Each change carries a key, and the server keeps the answer it gave under that key (per
user), so a retry gets the same answer and never stores a change twice.

Revision ID: 0008_i17offline_sync_receipts
Revises: 0007_i15data_interview_team
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_i17offline_sync_receipts"
down_revision = "0007_i15data_interview_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("plan_household_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_household_id"],
            ["plan_households.id"],
            name=op.f("fk_sync_receipts_plan_household_id_plan_households"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sync_receipts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_receipts")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_sync_receipts_user_id")),
    )
    with op.batch_alter_table("sync_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sync_receipts_plan_household_id"), ["plan_household_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_receipts_plan_household_id"))
    op.drop_table("sync_receipts")
