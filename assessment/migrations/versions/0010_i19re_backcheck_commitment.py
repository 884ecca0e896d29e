"""Back-check draws commit to their seed before the sample is drawn.

Why: the back-check sample must be tamper-evident like the sampling draw. The seed's SHA-256
and a commitment over the plan, share, minimum, population and seed hash are recorded before
the draw; afterwards anyone can check that the seed matches, the commitment matches and the
sample re-draws. Draws recorded earlier keep NULL (no commitment was made for them).

Revision ID: 0010_i19re_backcheck_commitment
Revises: 0009_i19appeals_backchecks
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_i19re_backcheck_commitment"
down_revision = "0009_i19appeals_backchecks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("backcheck_draws", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seed_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("commitment", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("committed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("committed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_backcheck_draws_committed_by_id_users"),
            "users",
            ["committed_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("backcheck_draws", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_backcheck_draws_committed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("committed_by_id")
        batch_op.drop_column("committed_at")
        batch_op.drop_column("commitment")
        batch_op.drop_column("seed_hash")
