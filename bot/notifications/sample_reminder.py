"""`teachlog notify --sample --member NAME`: a real reminder sent now to one member, marked as a sample.

On day one nobody is behind pace yet, so a leader cannot see what staff will get. The sample
is built like the planner's reminder from the member's standing today — the quotas they are
behind on, or every quota they have when they are behind on none — with a first line saying it
is a sample, and goes through the outbox like every other message (delivered by the worker).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from bot.i18n import choose_language, translator
from bot.notifications.planning import REMINDER, Planned
from bot.notifications.reminder_text import needs_reminder, reminder_reply
from bot.people.addresses import direct_address
from bot.people.schools import SchoolError
from bot.people.students import student_key
from bot.quotas.standing import school_standing
from storage import outbox
from storage import repository as repo
from storage.db import Database
from storage.models import Member

SAMPLE_LIFETIME = dt.timedelta(hours=1)


async def _member(db: Database, name: str, school_id: int | None) -> Member:
    wanted = student_key(name)
    async with db.transaction() as session:
        schools = [school_id] if school_id is not None else [s.id for s in await outbox.all_schools(session)]
        found = [m for school in schools for m in await repo.school_members(session, school)
                 if student_key(m.display_name) == wanted]
    if not found:
        raise SchoolError(f"no member is called {name!r}")
    if len(found) > 1:
        raise SchoolError(f"{len(found)} members are called {name!r}: add --school")
    return found[0]


async def plan_sample_reminder(db: Database, name: str, now: dt.datetime, *, school_id: int | None = None,
                               client_language: str | None = None) -> Planned:
    """Put a sample reminder for the member called `name` into the outbox, due now; what was planned.

    `client_language` is the language the member's chat client asked for (the terminal's `--lang`): it counts
    as it does in a conversation, after the member's own choice and before the school's."""
    member = await _member(db, name, school_id)
    async with db.transaction() as session:
        school = await repo.get_school(session, member.school_id)
        address = await direct_address(session, member.id)
    if address is None:
        raise SchoolError(f"{member.display_name} has not joined yet: send them their invite first")
    if school is None:
        raise SchoolError(f"{name} cannot be reached")
    today = now.astimezone(zoneinfo.ZoneInfo(member.timezone or school.timezone)).date()
    standing = await school_standing(db, member.school_id, today)
    mine = next(m for m in standing.members if m.member_id == member.id)
    quotas = [p for p in mine.rules if needs_reminder(p)] or [p for p in mine.rules if p.target > 0]
    if not quotas:
        raise SchoolError(f"no quota asks anything of {member.display_name} today, so there is nothing to remind")
    t = translator(choose_language(member.language, client_language, school.language))
    planned = Planned(f"sample:{member.id}:{now.isoformat(timespec='seconds')}", REMINDER, school.id, member.id,
                      address, member.display_name,
                      reminder_reply(quotas, standing.policy, t, sample=True), now, now + SAMPLE_LIFETIME)
    async with db.transaction() as session:
        await outbox.insert_if_absent(session, [planned.row()])
    return planned
