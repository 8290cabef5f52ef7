"""place assignments (a member's classes, branches, contact points …), the place an entry was at, written records

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("place_name", sa.String(length=100), nullable=False),
        sa.Column("place_key", sa.String(length=100), nullable=False),
        sa.Column("head_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "kind", "place_key"),
    )
    op.create_index("ix_place_assignments_school_id", "place_assignments", ["school_id"])
    op.create_index("ix_place_assignments_member_id", "place_assignments", ["member_id"])
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("place_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("place_key", sa.String(length=100), nullable=True))
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("written_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=True),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_records_school_day", "records", ["school_id", "written_on"])
    op.create_index("ix_records_member_id", "records", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_records_member_id", table_name="records")
    op.drop_index("ix_records_school_day", table_name="records")
    op.drop_table("records")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("place_key")
        batch.drop_column("place_name")
    op.drop_index("ix_place_assignments_member_id", table_name="place_assignments")
    op.drop_index("ix_place_assignments_school_id", table_name="place_assignments")
    op.drop_table("place_assignments")
