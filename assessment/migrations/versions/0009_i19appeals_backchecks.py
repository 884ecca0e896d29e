"""Back-checks of assessors: the recorded draw and each re-visit's answers; round settings.

Why: a third party's own fieldwork is checked. Another team re-visits a seeded random share
of each assessor's approved interviews (at least a minimum, both set per round) with a short
questionnaire; the answers are compared with the originals, which never change.

Revision ID: 0009_i19appeals_backchecks
Revises: 0008_i17form_visit_attempts
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_i19appeals_backchecks"
down_revision = "0008_i17form_visit_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("backcheck_share", sa.Float(), server_default="0.1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("backcheck_min", sa.Integer(), server_default="2", nullable=False)
        )
    op.create_table(
        "backcheck_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("population_json", sa.Text(), nullable=False),
        sa.Column("selected_json", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "share > 0 AND share <= 1", name=op.f("ck_backcheck_draws_share_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"], ["users.id"], name=op.f("fk_backcheck_draws_drawn_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["sample_plans.id"], name=op.f("fk_backcheck_draws_plan_id_sample_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backcheck_draws")),
        sa.UniqueConstraint("plan_id", name=op.f("uq_backcheck_draws_plan_id")),
    )
    op.create_table(
        "backchecks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("assessor_id", sa.Integer(), nullable=True),
        sa.Column("original_team_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('assigned', 'done')", name=op.f("ck_backchecks_status")),
        sa.ForeignKeyConstraint(
            ["assessor_id"], ["users.id"], name=op.f("fk_backchecks_assessor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["users.id"], name=op.f("fk_backchecks_done_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["backcheck_draws.id"], name=op.f("fk_backchecks_draw_id_backcheck_draws")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_backchecks_interview_id_interviews")
        ),
        sa.ForeignKeyConstraint(
            ["original_team_id"], ["teams.id"], name=op.f("fk_backchecks_original_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_backchecks_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backchecks")),
        sa.UniqueConstraint("interview_id", name=op.f("uq_backchecks_interview_id")),
    )
    op.create_index(op.f("ix_backchecks_draw_id"), "backchecks", ["draw_id"])
    op.create_index(op.f("ix_backchecks_team_id"), "backchecks", ["team_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_backchecks_team_id"), table_name="backchecks")
    op.drop_index(op.f("ix_backchecks_draw_id"), table_name="backchecks")
    op.drop_table("backchecks")
    op.drop_table("backcheck_draws")
    with op.batch_alter_table("assessment_rounds", schema=None) as batch_op:
        batch_op.drop_column("backcheck_min")
        batch_op.drop_column("backcheck_share")
