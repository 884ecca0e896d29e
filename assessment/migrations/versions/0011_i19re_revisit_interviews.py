"""A re-visit ruling makes a real new interview: one *current* interview per plan household.

Why: an expert's re-visit ruling (申诉 复核) sends another team to interview the household
again through the normal workflow. The first interview is kept (history, audit chain,
appeal case) with the status ``superseded`` and left out of every estimate; the re-visit is a
new interview of the same plan household that points to it (``revisit_of_id``) and is worked
by the team named in the ruling (``revisit_team_id``, instead of the village's team). The
uniqueness of ``plan_household_id`` becomes a partial unique index over the interviews that
are not superseded (PostgreSQL and SQLite both have partial indexes); existing rows are all
current, so the data is kept as it is. The case records its re-visit interview. (SQLite
copies ``interviews`` to alter it: ``env.py`` switches its foreign keys off around the
migration and checks every reference afterwards.)

Revision ID: 0011_i19re_revisit_interviews
Revises: 0010_i19re_backcheck_commitment
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_i19re_revisit_interviews"
down_revision = "0010_i19re_backcheck_commitment"
branch_labels = None
depends_on = None

CURRENT = sa.text("status <> 'superseded'")


def upgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revisit_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revisit_team_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_interviews_revisit_of_id_interviews"),
            "interviews",
            ["revisit_of_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interviews_revisit_team_id_teams"), "teams", ["revisit_team_id"], ["id"]
        )
        batch_op.drop_constraint("uq_interviews_plan_household_id", type_="unique")
        batch_op.create_index(
            "ix_interviews_plan_household_id", ["plan_household_id"], unique=False
        )
    op.create_index(
        "uq_interviews_current_plan_household",
        "interviews",
        ["plan_household_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    with op.batch_alter_table("appeal_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revisit_interview_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_appeal_cases_revisit_interview_id_interviews"),
            "interviews",
            ["revisit_interview_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_appeal_cases_revisit_interview_id"), ["revisit_interview_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("appeal_cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_appeal_cases_revisit_interview_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_appeal_cases_revisit_interview_id_interviews"), type_="foreignkey"
        )
        batch_op.drop_column("revisit_interview_id")
    # Only possible while no household has a superseded interview (else two rows per
    # household would break the old unique constraint): the downgrade fails loudly then.
    op.drop_index("uq_interviews_current_plan_household", table_name="interviews")
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index("ix_interviews_plan_household_id")
        batch_op.create_unique_constraint(
            batch_op.f("uq_interviews_plan_household_id"), ["plan_household_id"]
        )
        batch_op.drop_constraint(
            batch_op.f("fk_interviews_revisit_team_id_teams"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_interviews_revisit_of_id_interviews"), type_="foreignkey"
        )
        batch_op.drop_column("revisit_team_id")
        batch_op.drop_column("revisit_of_id")
