"""Joining a school with an invite, and who a chat user is once they have."""

from __future__ import annotations

import datetime as dt
import unicodedata
import zoneinfo
from dataclasses import dataclass

from bot.clean_text import clean_name
from bot.people import profile_cache
from bot.people.schools import policy_of
from bot.quotas.policy import Policy
from storage import repository as repo
from storage.db import Database
from storage.models import Invite, Member, School

MAX_DISPLAY_NAME = 40


class InviteProblem(ValueError):
    """An invite that cannot be used; `.code` is 'unknown', 'expired' or 'used_up'."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Profile:
    """Everything the chat layer needs about a member, read in one transaction."""

    member_id: int
    school_id: int
    school_name: str
    role: str
    display_name: str
    language: str | None
    school_language: str
    timezone: str
    joined_on: dt.date
    policy: Policy

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def local_now(self, now: dt.datetime) -> dt.datetime:
        return now.astimezone(self.zone)

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"


@dataclass(frozen=True)
class InviteInfo:
    code: str
    school_name: str
    role: str
    school_language: str


def profile_of(member: Member, school: School) -> Profile:
    return Profile(member_id=member.id, school_id=school.id, school_name=school.name, role=member.role,
                   display_name=member.display_name, language=member.language, school_language=school.language,
                   timezone=member.timezone or school.timezone, joined_on=member.joined_on,
                   policy=policy_of(school))


async def profile_for_account(db: Database, platform: str, external_id: str,
                              used_at: dt.datetime | None = None) -> Profile | None:
    """The active member with this account; with `used_at`, the account counts as the one they used last.

    Profiles are kept between steps (see :mod:`bot.people.profile_cache`), so a step usually reads nothing; the
    last-used time is written again once it is a minute old.
    """
    cached = profile_cache.lookup(db, platform, external_id)
    if cached is not None:
        if used_at is not None and cached.needs_used_at(used_at):
            async with db.transaction() as session:
                await repo.mark_account_used(session, platform, external_id, used_at)
            cached.used_at = used_at
        return cached.profile
    generation = profile_cache.generation()
    async with db.transaction() as session:
        member = await repo.member_by_account(session, platform, external_id)
        if member is None or not member.active:
            return None
        if used_at is not None:
            await repo.mark_account_used(session, platform, external_id, used_at)
        school = await repo.require_school(session, member.school_id)
        profile = profile_of(member, school)
    profile_cache.keep(db, platform, external_id, profile, generation, used_at)
    return profile


def _usable_invite(invite: Invite | None, now: dt.datetime) -> Invite:
    """The invite if it can still be used; InviteProblem otherwise."""
    if invite is None:
        raise InviteProblem("unknown")
    if invite.expires_at is not None and invite.expires_at <= now:
        raise InviteProblem("expired")
    if invite.uses >= invite.max_uses:
        raise InviteProblem("used_up")
    return invite


async def inspect_invite(db: Database, code: str, now: dt.datetime) -> InviteInfo:
    """What an invite would make of its user; raises InviteProblem when it cannot be used."""
    async with db.transaction() as session:
        invite = _usable_invite(await repo.invite_by_code(session, code.strip()), now)
        school = await repo.require_school(session, invite.school_id)
        return InviteInfo(invite.code, school.name, invite.role, school.language)


def name_is_enough(name: str) -> bool:
    """A Telegram name good enough to show leaders: two or more letters, and either
    written in Chinese characters or given as first and last name."""
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 2:
        return False
    has_cjk = any("CJK" in unicodedata.name(c, "") for c in letters)
    return has_cjk or len(name.split()) >= 2


def clean_display_name(text: str) -> str | None:
    """A display name, typed or from Telegram, cleaned as every stored name is; None when it is empty, too long
    or has no letters."""
    name = clean_name(text)
    if not name or len(name) > MAX_DISPLAY_NAME or not any(c.isalpha() for c in name):
        return None
    return name


async def join_with_invite(db: Database, code: str, *, platform: str, external_id: str, display_name: str,
                           now: dt.datetime) -> tuple[Profile, bool]:
    """Make the person with this platform account a member through the invite; (profile, created).

    A person who is already a member keeps their membership and uses no invite. The
    member's language stays unset, so it follows their chat app until they
    choose one in /settings.
    """
    async with db.transaction() as session:
        existing = await repo.member_by_account(session, platform, external_id)
        if existing is not None:
            school = await repo.require_school(session, existing.school_id)
            return profile_of(existing, school), False
        invite = _usable_invite(await repo.invite_by_code(session, code.strip()), now)
        if not await repo.claim_invite_use(session, invite.id, now):
            raise InviteProblem("used_up")
        school = await repo.require_school(session, invite.school_id)
        if invite.member_id is not None:
            member = await _bind_pre_registered(session, invite.member_id)
        else:
            local_today = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
            member = await repo.add(session, Member(
                school_id=school.id, role=invite.role, display_name=display_name, joined_on=local_today))
        await repo.add_account(session, member, platform, external_id, now)
        return profile_of(member, school), True


async def _bind_pre_registered(session, member_id: int) -> Member:
    """A personal invite: the person opening it becomes the member imported from the roster (name and role kept);
    once the member has an account of their own, the invite is used up."""
    member = await repo.get_member(session, member_id)
    if member is None or not member.active or await repo.members_with_accounts(session, [member_id]):
        raise InviteProblem("used_up")
    return member


async def set_language(db: Database, member_id: int, language: str) -> None:
    async with db.transaction() as session:
        member = await repo.require_member(session, member_id)
        member.language = language
