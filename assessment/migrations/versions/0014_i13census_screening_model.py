"""The screening model of 漏评率 recorded with a round's pooled ρ (issue 13).

Why: 漏评率's interval over-covered (two-sided 97.7–99.8 %) because its effective size ignored
the screening. The census model (docs/estimation.md, "Census") needs four values pooled from
a round's counties: ``k_C``, ``ρ_C`` (flagged and missed over the villages' lists) and
``k_U``, ``ρ_U`` (unflagged SRS households). They are recorded on the ``missed_rate`` row of
``round_icc`` (append-only, as ρ), nullable: a row without them (every earlier row, a
planning row, a pool of fewer than ten counties) keeps the village model.

Revision ID: 0014_i13census_screening_model
Revises: 0013_i13rho_round_icc
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_i13census_screening_model"
down_revision = "0013_i13rho_round_icc"
branch_labels = None
depends_on = None

COLUMNS = (
    ("k_census", sa.Float()),
    ("rho_census", sa.Float()),
    ("k_unflagged", sa.Float()),
    ("rho_unflagged", sa.Float()),
    ("screening_counties", sa.Integer()),
    ("census_events", sa.Integer()),
    ("unflagged_events", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("round_icc") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_check_constraint(
            "screening_model_in_range",
            "(k_census IS NULL OR k_census >= 0) AND (k_unflagged IS NULL OR k_unflagged >= 0)"
            " AND (rho_census IS NULL OR (rho_census >= 0 AND rho_census <= 1))"
            " AND (rho_unflagged IS NULL OR (rho_unflagged >= 0 AND rho_unflagged <= 1))",
        )


def downgrade() -> None:
    with op.batch_alter_table("round_icc") as batch:
        batch.drop_constraint("screening_model_in_range", type_="check")
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
