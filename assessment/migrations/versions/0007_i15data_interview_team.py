"""Interviews lose their team column: rights follow the plan village's current team.

Why: the team was copied onto the interview when it was started, so after a village moved
to another team the old team's supervisor still listed and bulk-approved its interviews.
The team is now read from ``plan_villages.team_id`` at the time of each action; the
queue's index is on the status alone.

Revision ID: 0007_i15data_interview_team
Revises: 0006_i13round_fieldwork
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_i15data_interview_team"
down_revision = "0006_i13round_fieldwork"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index("ix_interviews_team_status")
        batch_op.drop_constraint("fk_interviews_team_id_teams", type_="foreignkey")
        batch_op.drop_column("team_id")
        batch_op.create_index("ix_interviews_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index("ix_interviews_status")
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_interviews_team_id_teams", "teams", ["team_id"], ["id"])
        batch_op.create_index("ix_interviews_team_status", ["team_id", "status"], unique=False)
    op.execute(
        "UPDATE interviews SET team_id = (SELECT plan_villages.team_id FROM plan_households "
        "JOIN plan_villages ON plan_villages.id = plan_households.plan_village_id "
        "WHERE plan_households.id = interviews.plan_household_id)"
    )
