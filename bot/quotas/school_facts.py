"""What the export sheets need to know about a school — its zone, policy and every member's name and
role (also members who left, whose entries still show) — read once, and the labels made from it."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from bot.i18n import Translator
from bot.people.schools import SchoolError, policy_of
from bot.quotas.policy import Policy
from storage import repository as repo
from storage.db import Database


@dataclass(frozen=True)
class SchoolFacts:
    school_id: int
    name: str
    zone: zoneinfo.ZoneInfo
    policy: Policy
    member_names: dict[int, str]
    member_roles: dict[int, str]

    def role_text(self, member_id: int, t: Translator) -> str:
        return role_text(self.policy, self.member_roles.get(member_id, ""), t)


async def load_school_facts(db: Database, school_id: int) -> SchoolFacts:
    """SchoolError for an unknown school."""
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
        if school is None:
            raise SchoolError(f"no school with id {school_id}")
        members = await repo.school_members(session, school_id, active_only=False)
    return SchoolFacts(school.id, school.name, zoneinfo.ZoneInfo(school.timezone), policy_of(school),
                       {m.id: m.display_name for m in members}, {m.id: m.role for m in members})


def role_text(policy: Policy, role: str, t: Translator) -> str:
    """The role's label in the policy, in the translator's language; the code for an unknown role."""
    try:
        return policy.role(role).label(t.language)
    except KeyError:
        return role


def activity_text(policy: Policy, code: str, t: Translator) -> str:
    """The activity's label, or its code when the policy no longer has it."""
    try:
        return policy.activity(code).label(t.language)
    except KeyError:
        return code
