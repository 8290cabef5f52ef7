"""Where a message goes: a chat as (platform, chat id as text), and the one chat a member's direct messages go to.

A member is one person with accounts on one or more platforms. Their reminders, digests and other direct
messages go to the account they used last (the latest `last_used_at`; on a tie the oldest account), never to
all of them; a direct message's chat id is the account's id (a Telegram private chat has its user's id, Slack
opens the conversation with a user id).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage import repository as repo
from storage.db import Transaction


@dataclass(frozen=True)
class Address:
    platform: str
    chat_id: str


async def direct_addresses(session: Transaction, member_ids: Iterable[int]) -> dict[int, Address]:
    """member id → where their direct messages go, for the members who have an account."""
    accounts = await repo.last_used_accounts(session, member_ids)
    return {member_id: Address(account.platform, account.external_id) for member_id, account in accounts.items()}


async def direct_address(session: Transaction, member_id: int) -> Address | None:
    """Where the member's direct messages go; None when they have no account (imported, not joined yet)."""
    return (await direct_addresses(session, [member_id])).get(member_id)
