"""Visit attempts and the round's rule for 不在家 before a reserve is released.

Why: one tap on 不在家 released a reserve household, with no record of the visits made. A
household away from home must now be visited the number of times its round asks for, each
visit at least the round's gap after the one before, before its reserve is released; every
visit (and the non-contact outcome of every other kind) is recorded with who and when.
Existing rounds get the usual rule: two visits at least two hours apart.

Revision ID: 0008_i17form_visit_attempts
Revises: 0008_i14scale_county_results
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_i17form_visit_attempts"
down_revision = "0008_i14scale_county_results"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_household_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("visited_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_household_id"],
            ["plan_households.id"],
            name=op.f("fk_visit_attempts_plan_household_id_plan_households"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_visit_attempts_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_attempts")),
    )
    with op.batch_alter_table("visit_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_attempts_plan_household_id"), ["plan_household_id"], unique=False
        )
    with op.batch_alter_table("assessment_rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("absent_visits", sa.Integer(), nullable=False, server_default="2")
        )
        batch_op.add_column(
            sa.Column(
                "absent_visit_gap_minutes", sa.Integer(), nullable=False, server_default="120"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_rounds", schema=None) as batch_op:
        batch_op.drop_column("absent_visit_gap_minutes")
        batch_op.drop_column("absent_visits")
    with op.batch_alter_table("visit_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_attempts_plan_household_id"))
    op.drop_table("visit_attempts")
