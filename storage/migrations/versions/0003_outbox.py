"""notification outbox, delivery attempts, group links; reminder settings on schools and members

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.add_column(sa.Column("reminder_time", sa.String(length=5), server_default="16:30", nullable=False))
        batch.add_column(sa.Column("quiet_start", sa.String(length=5), server_default="21:00", nullable=False))
        batch.add_column(sa.Column("quiet_end", sa.String(length=5), server_default="08:00", nullable=False))
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("reminder_frequency", sa.String(length=8), server_default="daily",
                                   nullable=False))
        batch.add_column(sa.Column("reminder_time", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("away_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("snoozed_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("blocked_at", storage.types.UTCDateTime(timezone=True), nullable=True))

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("attachment_name", sa.String(length=100), nullable=True),
        sa.Column("not_before", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("lease_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_outbox_status_not_before", "outbox", ["status", "not_before"])

    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_delivery_attempts_outbox_id", "delivery_attempts", ["outbox_id"])

    op.create_table(
        "group_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_member_id", sa.Integer(), nullable=True),
        sa.Column("top_n", sa.Integer(), nullable=True),
        sa.Column("totals_only", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("linked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["linked_by_member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id"),
    )
    op.create_index("ix_group_links_school_id", "group_links", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_group_links_school_id", table_name="group_links")
    op.drop_table("group_links")
    op.drop_index("ix_delivery_attempts_outbox_id", table_name="delivery_attempts")
    op.drop_table("delivery_attempts")
    op.drop_index("ix_outbox_status_not_before", table_name="outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("members") as batch:
        for column in ("blocked_at", "snoozed_until", "away_until", "reminder_time", "reminder_frequency"):
            batch.drop_column(column)
    with op.batch_alter_table("schools") as batch:
        for column in ("quiet_end", "quiet_start", "reminder_time"):
            batch.drop_column(column)
