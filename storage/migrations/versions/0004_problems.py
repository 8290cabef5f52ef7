"""problems families raised on visits, tracked to closure (plan 001's 问题清单 → 销号办结)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_member_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("student_name", sa.String(length=100), nullable=True),
        sa.Column("student_key", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee_member_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("raised_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"]),
        sa.ForeignKeyConstraint(["raised_by_member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["assignee_member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["closed_by_member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_problems_school_status", "problems", ["school_id", "status"])
    op.create_index("ix_problems_assignee_status", "problems", ["assignee_member_id", "status"])
    op.create_index("ix_problems_entry_id", "problems", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_problems_entry_id", table_name="problems")
    op.drop_index("ix_problems_assignee_status", table_name="problems")
    op.drop_index("ix_problems_school_status", table_name="problems")
    op.drop_table("problems")
