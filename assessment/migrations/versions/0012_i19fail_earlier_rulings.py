"""An appeal case keeps its earlier rulings: a re-visit that could not reach the household.

Why: when a re-visit ordered by an expert ends in a non-contact, the case goes back to an
expert, who rules again (upheld, overturned, or another re-visit by a new team). The case row
holds the latest ruling; the rulings it replaced (the re-visit order with its reason, who and
when, the team and how the re-visit ended) are copied into ``earlier_rulings_json`` so the
county, the coordinator and the experts read the whole story on the case, not only in the
audit trail (which records every ruling as well). Nullable: existing cases have none.

Revision ID: 0012_i19fail_earlier_rulings
Revises: 0011_i19re_revisit_interviews
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_i19fail_earlier_rulings"
down_revision = "0011_i19re_revisit_interviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appeal_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("earlier_rulings_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appeal_cases", schema=None) as batch_op:
        batch_op.drop_column("earlier_rulings_json")
