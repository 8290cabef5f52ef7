"""Who sees which report where: the privacy rules of `/report`.

* In a group: only a group linked to a school gets reports (counts and rankings,
  never students' names or notes), and only members of that school get an
  answer; anyone else gets a refusal that names no school.
* In a private chat: members see their own report in detail (their students'
  names and notes); leaders see any member of their own school in detail;
  nobody sees another school's.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.people.membership import Profile
from storage import outbox
from storage.db import Database
from storage.models import Member


@dataclass(frozen=True)
class GroupAudience:
    """The school a group is linked to, and how much of a ranking the group wants (set by `/link`)."""

    school_id: int
    top_n: int | None
    totals_only: bool

    def ranking_limit(self, cap: int) -> int:
        """How many places of a ranking the group is shown: its `/link top N`, never more than `cap`."""
        return min(self.top_n or cap, cap)

async def group_audience(db: Database, platform: str, chat_id: str) -> GroupAudience | None:
    """The active link of the platform's group chat, or None when the group is not linked."""
    async with db.transaction() as session:
        link = await outbox.group_link(session, platform, chat_id)
    if link is None or not link.active:
        return None
    return GroupAudience(link.school_id, link.top_n, link.totals_only)


def may_ask_in_group(profile: Profile | None, audience: GroupAudience) -> bool:
    return profile is not None and profile.school_id == audience.school_id


def may_see_details(viewer: Profile, member: Member) -> bool:
    """A member's own details, or a leader looking at a member of their school."""
    if member.school_id != viewer.school_id:
        return False
    return member.id == viewer.member_id or viewer.is_leader
