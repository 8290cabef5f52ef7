"""replicas: a conversation lock table for SQLite, and the platform updates already handled

Revision ID: 0014
Revises: 0012

On PostgreSQL a conversation is locked with a transaction-scoped advisory lock, so `conversation_locks`
stays empty there; SQLite, which has no such lock, keeps a row per conversation being stepped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_locks",
        sa.Column("conversation", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "handled_updates",
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("update_id", sa.String(128), nullable=False),
        sa.Column("handled_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "update_id"),
    )
    op.create_index("ix_handled_updates_handled_at", "handled_updates", ["handled_at"])


def downgrade() -> None:
    op.drop_index("ix_handled_updates_handled_at", "handled_updates")
    op.drop_table("handled_updates")
    op.drop_table("conversation_locks")
