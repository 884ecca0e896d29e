"""The county's appeal (申诉举证): liaisons, experts, published cases, evidence, rulings.

Why: field findings are not final. Suspected 错退 / 漏评 households are published to the
county, whose liaisons (县级联络员, ``users.county_id``) may accept each or dispute it with a
statement and evidence files before the round's deadline (``assessment_rounds.appeal_hours``);
an expert (``users.appeal_expert``, never the interview's author) rules upheld, overturned or
re-visit, and the indicators use the final rulings.

Revision ID: 0008_i19appeals_appeals
Revises: 0008_i17offline_sync_receipts
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_i19appeals_appeals"
down_revision = "0008_i17offline_sync_receipts"
branch_labels = None
depends_on = None


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"))


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("county_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("appeal_expert", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_county_id_counties"), "counties", ["county_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_users_county_id"), ["county_id"], unique=False)
    with op.batch_alter_table("assessment_rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("appeal_hours", sa.Integer(), server_default="48", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_assessment_rounds_positive_appeal_hours"), "appeal_hours > 0"
        )
    op.create_table(
        "appeal_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_id"], ["counties.id"], name=op.f("fk_appeal_publications_county_id_counties")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["sample_plans.id"],
            name=op.f("fk_appeal_publications_plan_id_sample_plans"),
        ),
        _user_fk("appeal_publications", "published_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_publications")),
        sa.UniqueConstraint("plan_id", name=op.f("uq_appeal_publications_plan_id")),
    )
    op.create_index(op.f("ix_appeal_publications_county_id"), "appeal_publications", ["county_id"])
    op.create_table(
        "appeal_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("household_code", sa.String(length=64), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("basis_json", sa.Text(), nullable=False),
        sa.Column("assessor_note", sa.Text(), nullable=False),
        sa.Column("response", sa.String(length=10), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", sa.DateTime(), nullable=True),
        sa.Column("ruling", sa.String(length=12), nullable=True),
        sa.Column("ruling_reason", sa.Text(), nullable=True),
        sa.Column("ruled_by_id", sa.Integer(), nullable=True),
        sa.Column("ruled_at", sa.DateTime(), nullable=True),
        sa.Column("revisit_team_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('wrongly_exited', 'missed')", name=op.f("ck_appeal_cases_kind")
        ),
        sa.CheckConstraint(
            "response IS NULL OR response IN ('accepted', 'disputed')",
            name=op.f("ck_appeal_cases_response"),
        ),
        sa.CheckConstraint(
            "ruling IS NULL OR ruling IN ('upheld', 'overturned', 'revisit')",
            name=op.f("ck_appeal_cases_ruling"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_appeal_cases_interview_id_interviews"),
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["appeal_publications.id"],
            name=op.f("fk_appeal_cases_publication_id_appeal_publications"),
        ),
        sa.ForeignKeyConstraint(
            ["revisit_team_id"], ["teams.id"], name=op.f("fk_appeal_cases_revisit_team_id_teams")
        ),
        _user_fk("appeal_cases", "responded_by_id"),
        _user_fk("appeal_cases", "ruled_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_cases")),
        sa.UniqueConstraint("interview_id", name=op.f("uq_appeal_cases_interview_id")),
    )
    op.create_index(op.f("ix_appeal_cases_publication_id"), "appeal_cases", ["publication_id"])
    op.create_table(
        "appeal_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["appeal_cases.id"], name=op.f("fk_appeal_evidence_case_id_appeal_cases")
        ),
        _user_fk("appeal_evidence", "uploaded_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_evidence")),
    )
    op.create_index(op.f("ix_appeal_evidence_case_id"), "appeal_evidence", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_appeal_evidence_case_id"), table_name="appeal_evidence")
    op.drop_table("appeal_evidence")
    op.drop_index(op.f("ix_appeal_cases_publication_id"), table_name="appeal_cases")
    op.drop_table("appeal_cases")
    op.drop_index(op.f("ix_appeal_publications_county_id"), table_name="appeal_publications")
    op.drop_table("appeal_publications")
    with op.batch_alter_table("assessment_rounds", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_assessment_rounds_positive_appeal_hours"), type_="check")
        batch_op.drop_column("appeal_hours")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_county_id"))
        batch_op.drop_constraint(batch_op.f("fk_users_county_id_counties"), type_="foreignkey")
        batch_op.drop_column("appeal_expert")
        batch_op.drop_column("county_id")
