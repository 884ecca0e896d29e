"""The ρ of a round's rare-rate intervals, pooled from a round's counties (issue 13).

Why: the interval of 错退率 and 漏评率 divides the effective sample size by a village design
effect ``1 + (b* - 1) ρ``. ρ was a fixed planning value (0.10), liberal when a population's
villages cluster more and over-conservative when they cluster less. A round may now record
the ρ pooled over the complete counties of itself or of an earlier round (``assess
pool-icc --apply``). Append-only history, one row per change: the newest row of a (round,
indicator) is in force; a round with no row keeps the planning value, so nothing changes for
existing rounds.

Revision ID: 0013_i13rho_round_icc
Revises: 0012_i19fail_earlier_rulings
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_i13rho_round_icc"
down_revision = "0012_i19fail_earlier_rulings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "round_icc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=30), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("pooled", sa.Float(), nullable=True),
        sa.Column("from_round_id", sa.Integer(), nullable=True),
        sa.Column("from_round_name", sa.String(length=200), nullable=False),
        sa.Column("counties", sa.Integer(), nullable=False),
        sa.Column("villages", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("value >= 0 AND value <= 1", name=op.f("ck_round_icc_value_in_range")),
        sa.CheckConstraint(
            "source IN ('planning', 'pooled')", name=op.f("ck_round_icc_known_source")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_rounds.id"],
            name=op.f("fk_round_icc_round_id_assessment_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_round_id"],
            ["assessment_rounds.id"],
            name=op.f("fk_round_icc_from_round_id_assessment_rounds"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["applied_by_id"], ["users.id"], name=op.f("fk_round_icc_applied_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_icc")),
    )
    op.create_index(op.f("ix_round_icc_round_id"), "round_icc", ["round_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_round_icc_round_id"), table_name="round_icc")
    op.drop_table("round_icc")
