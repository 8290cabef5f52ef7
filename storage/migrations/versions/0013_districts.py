"""districts: a county education bureau above its schools, its bureau office a school row

Revision ID: 0013
Revises: 0012

Existing schools stay outside any district (`district_id` NULL), keep their own policy and change in nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "districts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("policy_name", sa.String(64), nullable=False),
        sa.Column("policy_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("schools") as schools:
        schools.add_column(sa.Column("district_id", sa.Integer(), nullable=True))
        schools.add_column(sa.Column("zone", sa.String(100), nullable=True))
        schools.add_column(sa.Column("is_bureau", sa.Boolean(), server_default=sa.false(), nullable=False))
        schools.add_column(sa.Column("policy_follows", sa.String(16), nullable=True))
        schools.add_column(sa.Column("own_policy_text", sa.Text(), nullable=True))
        schools.create_foreign_key("fk_schools_district_id_districts", "districts", ["district_id"], ["id"])
        schools.create_index("ix_schools_district_id", ["district_id"])


def downgrade() -> None:
    with op.batch_alter_table("schools") as schools:
        schools.drop_index("ix_schools_district_id")
        schools.drop_constraint("fk_schools_district_id_districts", type_="foreignkey")
        for column in ("own_policy_text", "policy_follows", "is_bureau", "zone", "district_id"):
            schools.drop_column(column)
    op.drop_table("districts")
