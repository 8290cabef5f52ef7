"""Queries on the core records: schools and their activity types, invites, members and their platform accounts,
entries and their audit trail, conversation state, and the aggregates behind quota progress.

Each other subject has a storage module of its own named for it (outbox, pairings, problems, reports, …)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar, Unpack

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ActivityType,
    ChatState,
    Entry,
    EntryAudit,
    GroupLink,
    Invite,
    Member,
    MemberAccount,
    Pairing,
    School,
)
from storage.rowcount import affected_rows
from storage.types import utcnow

# --- schools and activity types -------------------------------------------------------------

async def add(session: AsyncSession, obj):
    session.add(obj)
    await session.flush()
    return obj


async def get_school(session: AsyncSession, school_id: int) -> School | None:
    return await session.get(School, school_id)


async def require_school(session: AsyncSession, school_id: int) -> School:
    """A school that must exist, such as a member's or an invite's; LookupError when it does not."""
    school = await session.get(School, school_id)
    if school is None:
        raise LookupError(f"no school with id {school_id}")
    return school


async def replace_activity_types(session: AsyncSession, school_id: int, types: Sequence[ActivityType]) -> None:
    """Make the school's active activity types exactly `types` (matched by code; old ones deactivated)."""
    existing = {a.code: a for a in (await session.scalars(
        select(ActivityType).where(ActivityType.school_id == school_id))).all()}
    for position, new in enumerate(types):
        current = existing.pop(new.code, None)
        if current is None:
            new.school_id, new.position, new.active = school_id, position, True
            session.add(new)
        else:
            current.label_zh, current.label_en, current.fields = new.label_zh, new.label_en, new.fields
            current.position, current.active = position, True
    for stale in existing.values():
        stale.active = False
    await session.flush()


async def activity_types(session: AsyncSession, school_id: int) -> list[ActivityType]:
    rows = await session.scalars(
        select(ActivityType)
        .where(ActivityType.school_id == school_id, ActivityType.active.is_(True))
        .order_by(ActivityType.position))
    return list(rows)


async def schools(session: AsyncSession, *, linked_only: bool = False,
                  ids: Collection[int] | None = None) -> list[School]:
    """Every school in id order; with `ids`, those; else with `linked_only`, those with an active linked group."""
    query = select(School).order_by(School.id)
    if ids is not None:
        query = query.where(School.id.in_(list(ids)))
    elif linked_only:
        query = query.where(School.id.in_(select(GroupLink.school_id).where(GroupLink.active.is_(True))))
    return list(await session.scalars(query))


async def count_schools(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(School)) or 0)


async def school_named(session: AsyncSession, name: str, policy_name: str) -> School | None:
    """The first school (lowest id) with this name on this policy."""
    return await session.scalar(select(School).where(School.name == name, School.policy_name == policy_name)
                                .order_by(School.id))


# --- invites and members ---------------------------------------------------------------------

async def invite_by_code(session: AsyncSession, code: str) -> Invite | None:
    return await session.scalar(select(Invite).where(Invite.code == code))


async def claim_invite_use(session: AsyncSession, invite_id: int, now: dt.datetime) -> bool:
    """Count one use of an invite if it is still valid; False when another redemption won the race."""
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite_id, Invite.uses < Invite.max_uses,
               or_(Invite.expires_at.is_(None), Invite.expires_at > now))
        .values(uses=Invite.uses + 1))
    return affected_rows(result) == 1


async def member_by_account(session: AsyncSession, platform: str, external_id: str) -> Member | None:
    """The member who has this account on the platform, if anyone does."""
    return await session.scalar(select(Member).join(MemberAccount, MemberAccount.member_id == Member.id)
                                .where(MemberAccount.platform == platform, MemberAccount.external_id == external_id))


async def add_account(session: AsyncSession, member: Member, platform: str, external_id: str,
                      now: dt.datetime) -> MemberAccount:
    """Give the member an account on the platform, counted as used now."""
    return await add(session, MemberAccount(member_id=member.id, platform=platform, external_id=external_id,
                                            last_used_at=now))


async def mark_account_used(session: AsyncSession, platform: str, external_id: str, now: dt.datetime) -> None:
    await session.execute(update(MemberAccount)
                          .where(MemberAccount.platform == platform, MemberAccount.external_id == external_id)
                          .values(last_used_at=now))


async def members_with_accounts(session: AsyncSession, member_ids: Iterable[int]) -> set[int]:
    """Which of these members have an account on some platform (have joined, rather than only been imported)."""
    wanted = list(member_ids)
    if not wanted:
        return set()
    return set(await session.scalars(
        select(MemberAccount.member_id).where(MemberAccount.member_id.in_(wanted)).distinct()))


async def members_with_account_on(session: AsyncSession, member_ids: Iterable[int], platform: str) -> set[int]:
    """Which of these members have an account on this platform."""
    wanted = list(member_ids)
    if not wanted:
        return set()
    return set(await session.scalars(select(MemberAccount.member_id).where(
        MemberAccount.member_id.in_(wanted), MemberAccount.platform == platform).distinct()))


async def accounts_of(session: AsyncSession, member_id: int) -> list[MemberAccount]:
    """The member's accounts, the one used last first."""
    return list(await session.scalars(
        select(MemberAccount).where(MemberAccount.member_id == member_id)
        .order_by(MemberAccount.last_used_at.desc().nulls_last(), MemberAccount.id)))


async def last_used_accounts(session: AsyncSession, member_ids: Iterable[int]) -> dict[int, MemberAccount]:
    """member id → the account that member used last (the latest `last_used_at`, never-used ones last; on a tie
    the oldest account), for the members who have one."""
    wanted = list(set(member_ids))
    chosen: dict[int, MemberAccount] = {}
    for start in range(0, len(wanted), 1000):
        accounts = await session.scalars(
            select(MemberAccount).where(MemberAccount.member_id.in_(wanted[start:start + 1000]))
            .order_by(MemberAccount.member_id, MemberAccount.last_used_at.desc().nulls_last(), MemberAccount.id))
        for account in accounts:
            chosen.setdefault(account.member_id, account)
    return chosen


async def get_member(session: AsyncSession, member_id: int) -> Member | None:
    return await session.get(Member, member_id)


async def require_member(session: AsyncSession, member_id: int) -> Member:
    """A member that must exist, such as the one a chat is signed in as; LookupError when it does not."""
    member = await session.get(Member, member_id)
    if member is None:
        raise LookupError(f"no member with id {member_id}")
    return member


_Query = TypeVar("_Query", bound=Select[Unpack[tuple[Any, ...]]])


def _members_of(query: _Query, school_id: int, member_ids: Sequence[int] | None, active_only: bool) -> _Query:
    """`query` narrowed to the school's members (those in `member_ids` when given; active ones with
    `active_only`), by id."""
    query = query.where(Member.school_id == school_id)
    if member_ids is not None:
        query = query.where(Member.id.in_(list(member_ids)))
    if active_only:
        query = query.where(Member.active.is_(True))
    return query.order_by(Member.id)


async def school_members(session: AsyncSession, school_id: int, *, active_only: bool = True,
                         member_ids: Sequence[int] | None = None) -> list[Member]:
    """The school's members by id; only those in `member_ids` when it is given."""
    return list(await session.scalars(_members_of(select(Member), school_id, member_ids, active_only)))


class MemberLine(NamedTuple):
    """What a standing needs of an active member: a plain row, no ORM object."""

    id: int
    display_name: str
    role: str
    joined_on: dt.date
    counts_from: dt.date | None
    standing_version: int
    """Bumped by every write that can change where the member stands (:attr:`Member.standing_version`)."""


async def school_member_lines(session: AsyncSession, school_id: int,
                              member_ids: Sequence[int] | None = None) -> list[MemberLine]:
    """The school's active members by id (only those in `member_ids` when it is given), as plain rows."""
    query = select(Member.id, Member.display_name, Member.role, Member.joined_on, Member.counts_from,
                   Member.standing_version)
    return [MemberLine._make(row) for row in await session.execute(_members_of(query, school_id, member_ids, True))]


async def member_lines_of_schools(session: AsyncSession, school_ids: Sequence[int]) -> dict[int, list[MemberLine]]:
    """Each school's active members by id, as plain rows, in one statement (every school present, maybe empty)."""
    lines: dict[int, list[MemberLine]] = {school_id: [] for school_id in school_ids}
    rows = await values_of(session,
        select(Member.school_id, Member.id, Member.display_name, Member.role, Member.joined_on, Member.counts_from,
               Member.standing_version)
        .where(Member.school_id.in_(list(school_ids)), Member.active.is_(True)).order_by(Member.id))
    for school_id, *line in rows:
        lines[school_id].append(MemberLine._make(line))
    return lines


async def schools_by_id(session: AsyncSession, school_ids: Sequence[int]) -> dict[int, School]:
    rows = await session.scalars(select(School).where(School.id.in_(list(school_ids))))
    return {school.id: school for school in rows}


async def all_school_members(session: AsyncSession, school_id: SchoolIds) -> list[Member]:
    """Every member of the school (or of the schools), active or not, by id."""
    return list(await session.scalars(select(Member).where(of_schools(Member.school_id, school_id))
                                      .order_by(Member.id)))


@dataclass(frozen=True, slots=True)
class RosterLine:
    """An active member as a school's report lists them."""

    id: int
    display_name: str
    role: str
    joined: bool


async def school_roster(session: AsyncSession, school_id: int) -> list[RosterLine]:
    """The school's active members by id, with whether they have an account: plain rows, no ORM objects."""
    has_account = select(MemberAccount.id).where(MemberAccount.member_id == Member.id).exists()
    rows = await session.execute(select(Member.id, Member.display_name, Member.role, has_account)
                                 .where(Member.school_id == school_id, Member.active.is_(True)).order_by(Member.id))
    return [RosterLine(member_id, name, role, bool(joined)) for member_id, name, role, joined in rows]


async def school_members_by_id(session: AsyncSession, school_id: int, member_ids: Iterable[int]) -> list[Member]:
    """These members of the school (active or not), by id."""
    wanted = sorted(set(member_ids))
    found: list[Member] = []
    for start in range(0, len(wanted), 1_000):
        found += await session.scalars(select(Member).where(Member.school_id == school_id,
                                                            Member.id.in_(wanted[start:start + 1_000])))
    return sorted(found, key=lambda member: member.id)


# --- entries ----------------------------------------------------------------------------------

async def entry_by_client_token(session: AsyncSession, token: str) -> Entry | None:
    return await session.scalar(select(Entry).where(Entry.client_token == token))


async def add_audit(session: AsyncSession, entry: Entry, action: str, actor_member_id: int | None,
                    before: dict | None, after: dict | None, *, at: dt.datetime) -> None:
    session.add(EntryAudit(entry_id=entry.id, actor_member_id=actor_member_id, action=action,
                           before=before, after=after, at=at))
    await session.flush()


async def recent_student_names(session: AsyncSession, member_id: int, limit: int) -> list[str]:
    """The member's most recently used student or family names, newest first, without repeats."""
    last_used = func.max(Entry.logged_at)
    rows = await session.execute(
        select(Entry.student_name, last_used)
        .where(Entry.member_id == member_id, Entry.deleted_at.is_(None), Entry.student_name.is_not(None))
        .group_by(Entry.student_name)
        .order_by(last_used.desc())
        .limit(limit))
    return [name for name, _ in rows if name is not None]


async def recent_covisitor_ids(session: AsyncSession, member_id: int, limit: int) -> list[int]:
    """Colleagues the member most recently visited families with, newest first."""
    last_used = func.max(Entry.logged_at)
    rows = await session.execute(
        select(Entry.covisitor_member_id, last_used)
        .where(Entry.member_id == member_id, Entry.deleted_at.is_(None), Entry.covisitor_member_id.is_not(None))
        .group_by(Entry.covisitor_member_id)
        .order_by(last_used.desc())
        .limit(limit))
    return [member_id for member_id, _ in rows if member_id is not None]


async def latest_entries(session: AsyncSession, member_id: int, limit: int) -> list[Entry]:
    rows = await session.scalars(
        select(Entry)
        .where(or_(Entry.member_id == member_id, Entry.covisitor_member_id == member_id),
               Entry.deleted_at.is_(None))
        .order_by(Entry.occurred_on.desc(), Entry.logged_at.desc(), Entry.id.desc())
        .limit(limit))
    return list(rows)


async def last_logged_entry(session: AsyncSession, member_id: int, since: dt.datetime) -> Entry | None:
    return await session.scalar(
        select(Entry)
        .where(Entry.member_id == member_id, Entry.deleted_at.is_(None), Entry.logged_at >= since)
        .order_by(Entry.logged_at.desc(), Entry.id.desc())
        .limit(1))


async def get_entry(session: AsyncSession, entry_id: int) -> Entry | None:
    return await session.get(Entry, entry_id)


async def count_by_activity(session: AsyncSession, member_id: int, start: dt.date, end: dt.date) -> dict[str, int]:
    """Entries per activity code that count for the member (own or co-visited) between two days, inclusive."""
    rows = await session.execute(
        select(Entry.activity_code, func.count())
        .where(or_(Entry.member_id == member_id, Entry.covisitor_member_id == member_id),
               Entry.deleted_at.is_(None), Entry.occurred_on.between(start, end))
        .group_by(Entry.activity_code))
    return {code: count for code, count in rows}


# --- chat platform state (conversation states, user data) --------------------------------------

async def load_chat_state(session: AsyncSession, kind: str) -> dict[str, dict | None]:
    rows = await session.execute(select(ChatState.key, ChatState.value).where(ChatState.kind == kind))
    return {key: value for key, value in rows}


async def load_chat_state_row(session: AsyncSession, kind: str, key: str) -> dict | None:
    row = await session.get(ChatState, (kind, key))
    return row.value if row else None


async def save_chat_state(session: AsyncSession, kind: str, key: str, value: dict | None) -> None:
    """Insert or replace one value in one statement: every conversation step writes its state."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ChatState).values(kind=kind, key=key, value=value, updated_at=utcnow())
    await session.execute(statement.on_conflict_do_update(
        index_elements=[ChatState.kind, ChatState.key],
        set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at}))


async def drop_chat_state(session: AsyncSession, kind: str, keys: Iterable[str] | None = None) -> None:
    condition = ChatState.kind == kind
    if keys is not None:
        condition = and_(condition, ChatState.key.in_(list(keys)))
    await session.execute(delete(ChatState).where(condition))


# --- progress aggregates ----------------------------------------------------------------------

async def values_of(session: AsyncSession, query: Select) -> Any:
    """The rows of a query of columns (no entities), read on the session's connection past the ORM's row loading,
    which costs more than the statement for a county's aggregates (what is pending is flushed first)."""
    await session.flush()
    return await (await session.connection()).execute(query)


#: Schools read together in one statement at most (a bound on its parameters).
SCHOOLS_A_STATEMENT = 500

#: One school's id, or several schools' (a district's, read together: member ids are unique across schools).
SchoolIds = int | Sequence[int]


def of_schools(column, school_ids: SchoolIds):
    """`column` is the school, or one of the schools."""
    return column == school_ids if isinstance(school_ids, int) else column.in_(list(school_ids))


def participations(school_id: SchoolIds, start: dt.date, end: dt.date, activities: Sequence[str],
                   member_ids: Sequence[int] | None = None, *extra_columns, with_covisits: bool = True):
    """Who took part in which counted entry: the member who logged it, and a co-visitor if any
    (only the member who logged it without ``with_covisits``)."""
    def branch(participant_column):
        query = (select(participant_column.label("participant"), Entry.occurred_on, Entry.student_key,
                        *extra_columns)
                 .where(of_schools(Entry.school_id, school_id), Entry.deleted_at.is_(None),
                        Entry.occurred_on.between(start, end), Entry.activity_code.in_(list(activities))))
        if member_ids is not None:
            query = query.where(participant_column.in_(list(member_ids)))
        return query
    own = branch(Entry.member_id)
    if not with_covisits:
        return own.subquery("participations")
    co_visits = branch(Entry.covisitor_member_id).where(Entry.covisitor_member_id.is_not(None))
    return own.union_all(co_visits).subquery("participations")


async def covisits(session: AsyncSession, school_id: SchoolIds, start: dt.date, end: dt.date,
                   member_ids: Sequence[int] | None = None) -> list[tuple[int, str, dt.date, str | None]]:
    """Every counted co-visit between two days as ``(co-visitor, activity, day, student key)``: read once for
    all of a standing's rules, which then count only the entries members logged themselves."""
    query = (select(Entry.covisitor_member_id, Entry.activity_code, Entry.occurred_on, Entry.student_key)
             # Wrapped so that no index serves the school or the day: SQLite would pick the school's days and read
             # every entry of the window (10× slower) instead of the co-visitor index.
             .where(of_schools(Entry.school_id + 0, school_id), Entry.deleted_at.is_(None),
                    Entry.covisitor_member_id.is_not(None),
                    func.coalesce(Entry.occurred_on, Entry.occurred_on).between(start, end)))
    # The co-visitors are the school's members (listed, or all of them): their index is read member by member,
    # never every co-visit of the database (a county's, for each of its schools).
    covisitors = list(member_ids) if member_ids is not None \
        else select(Member.id).where(of_schools(Member.school_id, school_id))
    query = query.where(Entry.covisitor_member_id.in_(covisitors))
    return [(member_id, code, day, key) for member_id, code, day, key in await values_of(session, query)
            if member_id is not None]


async def measure_by_member(session: AsyncSession, school_id: SchoolIds, start: dt.date, end: dt.date,
                            activities: Sequence[str], measure: str,
                            member_ids: Sequence[int] | None = None, *,
                            with_covisits: bool = True) -> dict[int, int]:
    """One aggregate over the period: entries, distinct students, or distinct days, per participant."""
    p = participations(school_id, start, end, activities, member_ids, with_covisits=with_covisits)
    value = {
        "entries": func.count(),
        "distinct_students": func.count(p.c.student_key.distinct()),
        "days": func.count(p.c.occurred_on.distinct()),
    }[measure]
    rows = await values_of(session, select(p.c.participant, value).group_by(p.c.participant))
    return {member_id: count for member_id, count in rows}


async def paired_student_counts(session: AsyncSession, school_id: SchoolIds, start: dt.date, end: dt.date,
                                activities: Sequence[str],
                                member_ids: Sequence[int] | None = None, *,
                                with_covisits: bool = True) -> dict[int, dict[str, int]]:
    """Per participant, entries for each of their paired students in the period."""
    p = participations(school_id, start, end, activities, member_ids, with_covisits=with_covisits)
    rows = await values_of(session,
        select(p.c.participant, p.c.student_key, func.count())
        .join(Pairing, and_(Pairing.member_id == p.c.participant, Pairing.student_key == p.c.student_key))
        .group_by(p.c.participant, p.c.student_key))
    counts: dict[int, dict[str, int]] = {}
    for member_id, key, count in rows:
        counts.setdefault(member_id, {})[key] = count
    return counts


async def pairings_by_member(session: AsyncSession, school_id: SchoolIds,
                             member_ids: Sequence[int] | None = None) -> dict[int, list[str]]:
    query = select(Pairing.member_id, Pairing.student_name).where(of_schools(Pairing.school_id, school_id))
    if member_ids is not None:
        query = query.where(Pairing.member_id.in_(list(member_ids)))
    paired: dict[int, list[str]] = {}
    for member_id, name in await values_of(session, query.order_by(Pairing.id)):
        paired.setdefault(member_id, []).append(name)
    return paired
