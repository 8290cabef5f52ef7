"""Group chats linked to a school: a leader links a staff group to get the weekly leaderboard there.

Options, given after `/link`:

* nothing, ``all`` or ``全部`` — the whole ranking;
* ``top 5``, ``top5``, ``前5``, ``前5名`` — only the first five places (1–50);
* ``totals``, ``总数`` — only the school's totals: no names, no chart.

Linking a group that is already linked to the same school changes its options;
a group linked to another school must be unlinked by that school's leaders first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from storage import outbox
from storage import repository as repo
from storage.db import Database
from storage.models import GroupLink, Member

MAX_TOP = 50
_TOP = re.compile(r"^(?:top\s*(\d+)|前\s*(\d+)\s*名?)$")
_TOTALS = {"totals", "total", "总数", "只看总数", "合计"}
_ALL = {"", "all", "全部"}


class LinkOptionsError(ValueError):
    """The words after /link are not an option."""


class LinkRefused(ValueError):
    """`code` is 'not_leader' (also for strangers), 'other_school' or 'not_linked'."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class LinkOptions:
    top_n: int | None = None
    totals_only: bool = False


@dataclass(frozen=True)
class Linked:
    school_name: str
    options: LinkOptions
    already: bool
    """The group was linked to this school before (its options may have changed)."""


def parse_link_options(text: str) -> LinkOptions:
    words = " ".join(text.lower().split())
    if words in _ALL:
        return LinkOptions()
    if words in _TOTALS:
        return LinkOptions(totals_only=True)
    match = _TOP.match(words)
    if match:
        count = int(match.group(1) or match.group(2))
        if 1 <= count <= MAX_TOP:
            return LinkOptions(top_n=count)
    raise LinkOptionsError(text)


async def _leader(session, platform: str, user_id: str) -> Member:
    member = await repo.member_by_account(session, platform, user_id)
    if member is None or not member.active or member.role != "leader":
        raise LinkRefused("not_leader")
    return member


async def link_group(db: Database, platform: str, user_id: str, chat_id: str, options: LinkOptions,
                     now: dt.datetime) -> Linked:
    """Link the platform's group chat to the school of the leader with account `user_id` (or change its options)."""
    async with db.transaction() as session:
        leader = await _leader(session, platform, user_id)
        school = await repo.require_school(session, leader.school_id)
        link = await outbox.group_link(session, platform, chat_id)
        already = link is not None and link.active and link.school_id == leader.school_id
        if link is not None and link.active and link.school_id != leader.school_id:
            raise LinkRefused("other_school")
        if link is None:
            link = GroupLink(platform=platform, chat_id=chat_id)
            session.add(link)
        link.school_id, link.linked_by_member_id, link.active = leader.school_id, leader.id, True
        link.top_n, link.totals_only = options.top_n, options.totals_only
        if not already:
            link.linked_at = now
        return Linked(school.name, options, already)


async def unlink_group(db: Database, platform: str, user_id: str, chat_id: str) -> None:
    """Stop the leaderboard in the group; only a leader of the linked school may."""
    async with db.transaction() as session:
        leader = await _leader(session, platform, user_id)
        link = await outbox.group_link(session, platform, chat_id)
        if link is None or not link.active:
            raise LinkRefused("not_linked")
        if link.school_id != leader.school_id:
            raise LinkRefused("other_school")
        link.active = False


async def bot_left_group(db: Database, platform: str, chat_id: str) -> bool:
    """The bot was removed from a group: a link it had is retired; whether there was one."""
    async with db.transaction() as session:
        link = await outbox.group_link(session, platform, chat_id)
        if link is None or not link.active:
            return False
        link.active = False
        return True


async def group_moved(db: Database, platform: str, old_chat_id: str, new_chat_id: str) -> None:
    """The platform gave the group a new id (a Telegram group became a supergroup): its link and unsent
    messages follow it. Saying so twice changes nothing."""
    async with db.transaction() as session:
        await outbox.move_group_link(session, platform, old_chat_id, new_chat_id)
        await outbox.move_chat(session, platform, old_chat_id, new_chat_id)
