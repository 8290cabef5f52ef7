"""pairings, and a normalized student key on entries

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pairings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("student_name", sa.String(length=100), nullable=False),
        sa.Column("student_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "student_key"),
    )
    op.create_index("ix_pairings_school_id", "pairings", ["school_id"])
    op.create_index("ix_pairings_member_id", "pairings", ["member_id"])
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("student_key", sa.String(length=100), nullable=True))
    # Same normalization as bot.people.students.student_key for the rows written before this column.
    op.execute("UPDATE entries SET student_key = lower(replace(student_name, ' ', '')) WHERE student_name IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("student_key")
    op.drop_index("ix_pairings_member_id", table_name="pairings")
    op.drop_index("ix_pairings_school_id", table_name="pairings")
    op.drop_table("pairings")
