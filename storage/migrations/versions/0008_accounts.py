"""member accounts: a member's accounts on chat platforms, ids as text

Revision ID: 0008
Revises: 0007

`member_accounts(member_id, platform, external_id)` is unique on (platform, external_id), with
`last_used_at` for the account a member used last. Every `members.telegram_user_id` becomes a
'telegram' account and every `members.slack_user_id` a 'slack' account; the old columns stay
until every reader goes through the accounts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The platform names as stored; fixed here so that the migration does not change with the code.
CARRIED_OVER = (("telegram", "telegram_user_id"), ("slack", "slack_user_id"))


def upgrade() -> None:
    op.create_table(
        "member_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("last_used_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "external_id", name="uq_member_accounts_platform_external_id"),
    )
    op.create_index(op.f("ix_member_accounts_member_id"), "member_accounts", ["member_id"], unique=False)
    for platform, column in CARRIED_OVER:
        op.execute(sa.text(
            f"INSERT INTO member_accounts (member_id, platform, external_id) "
            f"SELECT id, :platform, CAST({column} AS VARCHAR(64)) FROM members "
            f"WHERE {column} IS NOT NULL ORDER BY id").bindparams(platform=platform))


def downgrade() -> None:
    op.drop_index(op.f("ix_member_accounts_member_id"), table_name="member_accounts")
    op.drop_table("member_accounts")
