"""chat addresses: the outbox and group links address a chat as (platform, chat id as text); members lose
their per-platform id columns

Revision ID: 0010
Revises: 0009

Every existing outbox row and group link is a Telegram chat: it gets platform 'telegram' and its
integer chat id as text. Group links become unique on (platform, chat_id). Before
`members.telegram_user_id` and `members.slack_user_id` are dropped, any value not yet in
`member_accounts` (written after 0008 by code that still set the columns) becomes an account.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Frozen here, as in 0008, so that the migration does not change with the code.
CARRIED_OVER = (("telegram", "telegram_user_id"), ("slack", "slack_user_id"))
EXISTING_PLATFORM = "telegram"
# SQLite keeps the unique constraints of 0001/0003 unnamed: batch mode names them by this convention
# so that they can be dropped; PostgreSQL named them <table>_<column>_key.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _unique_name(table: str, column: str) -> str:
    if op.get_bind().dialect.name == "sqlite":
        return f"uq_{table}_{column}"
    return f"{table}_{column}_key"


def _naming() -> dict:
    return {"naming_convention": SQLITE_NAMES} if op.get_bind().dialect.name == "sqlite" else {}


def _carry_accounts_over() -> None:
    for platform, column in CARRIED_OVER:
        op.execute(sa.text(
            f"INSERT INTO member_accounts (member_id, platform, external_id) "
            f"SELECT m.id, :platform, CAST(m.{column} AS VARCHAR(64)) FROM members m "
            f"WHERE m.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM member_accounts a "
            f"WHERE a.platform = :platform AND a.external_id = CAST(m.{column} AS VARCHAR(64))) "
            f"ORDER BY m.id").bindparams(platform=platform))


def _address_by_text(table: str) -> None:
    with op.batch_alter_table(table, **_naming()) as batch:
        batch.add_column(sa.Column("platform", sa.String(length=32), nullable=False,
                                   server_default=EXISTING_PLATFORM))
        batch.alter_column("chat_id", existing_type=sa.BigInteger(), type_=sa.String(length=64),
                           existing_nullable=False, postgresql_using="chat_id::varchar(64)")
    with op.batch_alter_table(table) as batch:
        batch.alter_column("platform", existing_type=sa.String(length=32), server_default=None,
                           existing_nullable=False)


def upgrade() -> None:
    _address_by_text("outbox")
    _address_by_text("group_links")
    with op.batch_alter_table("group_links", **_naming()) as batch:
        batch.drop_constraint(_unique_name("group_links", "chat_id"), type_="unique")
        batch.create_unique_constraint("uq_group_links_platform_chat_id", ["platform", "chat_id"])
    _carry_accounts_over()
    with op.batch_alter_table("members", **_naming()) as batch:
        batch.drop_constraint(_unique_name("members", "telegram_user_id"), type_="unique")
        batch.drop_constraint(_unique_name("members", "slack_user_id"), type_="unique")
        batch.drop_column("telegram_user_id")
        batch.drop_column("slack_user_id")


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("telegram_user_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("slack_user_id", sa.String(length=32), nullable=True))
    for platform, column in CARRIED_OVER:
        cast = "CAST(a.external_id AS BIGINT)" if platform == "telegram" else "a.external_id"
        op.execute(sa.text(
            f"UPDATE members SET {column} = (SELECT {cast} FROM member_accounts a WHERE a.member_id = members.id "
            f"AND a.platform = :platform ORDER BY a.id LIMIT 1)").bindparams(platform=platform))
    with op.batch_alter_table("members") as batch:
        batch.create_unique_constraint(_unique_name("members", "telegram_user_id"), ["telegram_user_id"])
        batch.create_unique_constraint(_unique_name("members", "slack_user_id"), ["slack_user_id"])
    # Only Telegram chats fit in the old integer columns: other platforms' rows go.
    op.execute(sa.text("DELETE FROM delivery_attempts WHERE outbox_id IN (SELECT id FROM outbox "
                       "WHERE platform <> :platform)").bindparams(platform=EXISTING_PLATFORM))
    for table in ("group_links", "outbox"):
        op.execute(sa.text(f"DELETE FROM {table} WHERE platform <> :platform").bindparams(
            platform=EXISTING_PLATFORM))
    with op.batch_alter_table("group_links") as batch:
        batch.drop_constraint("uq_group_links_platform_chat_id", type_="unique")
        batch.create_unique_constraint(_unique_name("group_links", "chat_id"), ["chat_id"])
    for table in ("outbox", "group_links"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("platform")
            batch.alter_column("chat_id", existing_type=sa.String(length=64), type_=sa.BigInteger(),
                               existing_nullable=False, postgresql_using="chat_id::bigint")
