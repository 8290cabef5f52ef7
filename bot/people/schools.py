"""Creating schools and invites: the bootstrap a leader does from the CLI."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import zoneinfo
from dataclasses import dataclass

from bot.i18n import LANGUAGES
from bot.people.students import student_key
from bot.quotas.policy import Policy
from bot.quotas.policy.sources import load_policy_source, policy_from_text
from storage import repository as repo
from storage.db import Database, Transaction
from storage.models import ActivityType, Invite, Member, School

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_INVITE_EXPIRY = dt.timedelta(days=7)
_EXPIRY_PATTERN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_EXPIRY_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class SchoolError(ValueError):
    """A school or invite request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class CreatedSchool:
    school_id: int
    name: str
    leader_invite: str


def parse_expiry(text: str) -> dt.timedelta | None:
    """'7d', '12h', '30m', '2w' → a timedelta; 'never' → None."""
    if text.strip().lower() in {"never", "none", "0"}:
        return None
    match = _EXPIRY_PATTERN.match(text)
    if not match:
        raise SchoolError(f"cannot read expiry {text!r}: use a number and a unit, e.g. 7d, 12h, 30m, 2w, or 'never'")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return dt.timedelta(**{_EXPIRY_UNITS[unit]: amount})


def validate_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SchoolError(f"unknown time zone {name!r}: use an IANA name such as Asia/Shanghai") from None
    return name


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise SchoolError(f"unknown language {language!r}: use one of {', '.join(LANGUAGES)}")
    return language


def checked_name(name: str, what: str, language: str, timezone: str) -> str:
    """A new school's or district's name, tidied, once it has one and its language and time zone are known;
    SchoolError otherwise."""
    name = name.strip()
    if not name:
        raise SchoolError(f"the {what} needs a name")
    check_language(language)
    validate_timezone(timezone)
    return name


def new_invite_code() -> str:
    return secrets.token_urlsafe(9)


def activity_rows(policy: Policy) -> list[ActivityType]:
    return [ActivityType(code=a.code, label_zh=a.label("zh"), label_en=a.label("en"), fields=list(a.fields))
            for a in policy.activities]


async def create_school(db: Database, name: str, *, timezone: str = DEFAULT_TIMEZONE, language: str = "zh",
                        policy: str = "default", now: dt.datetime) -> CreatedSchool:
    """A new school with its policy's activity types, and a one-use leader invite."""
    name = checked_name(name, "school", language, timezone)
    policy_name, policy_text, parsed = load_policy_source(policy)
    async with db.transaction() as session:
        school = await repo.add(session, School(name=name, timezone=timezone, language=language,
                                                policy_name=policy_name, policy_text=policy_text))
        await repo.replace_activity_types(session, school.id, activity_rows(parsed))
        return CreatedSchool(school.id, school.name, await add_leader_invite(session, school.id, now))


async def add_leader_invite(session, school_id: int, now: dt.datetime) -> str:
    """A one-use leader invite to the school, valid for the default time; its code."""
    invite = await repo.add(session, Invite(code=new_invite_code(), school_id=school_id, role="leader",
                                            max_uses=1, expires_at=now + DEFAULT_INVITE_EXPIRY))
    return invite.code


async def existing_school(session: Transaction, school_id: int) -> School:
    """The school with this id; SchoolError (one line for the operator) when there is none."""
    school = await repo.get_school(session, school_id)
    if school is None:
        raise SchoolError(f"no school with id {school_id}")
    return school


async def set_policy(db: Database, school_id: int, policy: str) -> str:
    """Give a school a new policy (a preset name or a YAML file); returns the policy's name."""
    policy_name, policy_text, parsed = load_policy_source(policy)
    async with db.transaction() as session:
        school = await existing_school(session, school_id)
        school.policy_name, school.policy_text = policy_name, policy_text
        await repo.replace_activity_types(session, school.id, activity_rows(parsed))
    return policy_name


async def create_invite(db: Database, school_id: int, role: str | None, *, uses: int = 1,
                        expires_in: dt.timedelta | None = DEFAULT_INVITE_EXPIRY, now: dt.datetime,
                        member: str | None = None) -> Invite:
    """An invite for `role`; with `member`, a personal one-use invite for that pre-registered member (their role)."""
    if uses < 1:
        raise SchoolError("--uses must be at least 1")
    async with db.transaction() as session:
        school = await existing_school(session, school_id)
        if member is not None:
            invited = await _not_joined_member(session, school_id, member)
            return await repo.add(session, Invite(code=new_invite_code(), school_id=school_id, role=invited.role,
                                                  max_uses=1, expires_at=now + expires_in if expires_in else None,
                                                  member_id=invited.id))
        if role is None:
            raise SchoolError("give --role, or --member for a personal invite")
        roles = policy_of(school).role_codes
        if role not in roles:
            raise SchoolError(f"unknown role {role!r}: this school's roles are {', '.join(roles)}")
        expires_at = now + expires_in if expires_in is not None else None
        return await repo.add(session, Invite(code=new_invite_code(), school_id=school_id, role=role,
                                              max_uses=uses, expires_at=expires_at))


async def _not_joined_member(session, school_id: int, name: str) -> Member:
    """The school's member called `name` (spaces and case ignored) who has no chat account yet."""
    wanted = student_key(name)
    found = [m for m in await repo.school_members(session, school_id) if student_key(m.display_name) == wanted]
    if not found:
        raise SchoolError(f"no member of school {school_id} is called {name!r}: import the roster first "
                          "(teachlog members import)")
    joined = await repo.members_with_accounts(session, [m.id for m in found])
    if len(joined) == len(found):
        raise SchoolError(f"{name} has already joined")
    return next(m for m in found if m.id not in joined)


async def set_counts_from(db: Database, school_id: int, day: dt.date | None) -> None:
    """From which day the school's quotas count for members without their own date (None: from joining)."""
    async with db.transaction() as session:
        school = await existing_school(session, school_id)
        school.counts_from = day


def policy_of(school: School) -> Policy:
    return policy_from_text(school.policy_text)


async def school_today(db: Database, school_id: int, now: dt.datetime) -> dt.date:
    """Today's date where the school is; SchoolError for an unknown school."""
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
    if school is None:
        raise SchoolError(f"no school with id {school_id}")
    return now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
