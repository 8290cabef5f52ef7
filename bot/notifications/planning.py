"""Planning: which notifications are due now, written to the outbox once each.

Every planned message has a dedupe key naming recipient, kind and period, and
the outbox refuses a second row with the same key — so planning can run every
minute, in every process, after every restart, and each message is planned once:

* ``reminder:<member id>:<local date>`` — at most one reminder a member a day,
  covering every quota they are behind on;
* ``leaderboard:<group link id>:<ranked ISO week>`` (and ``leaderboard-chart:…``
  for its picture) — keyed by the link, not the chat id, so a group Telegram
  moves to a new id does not get the week's leaderboard twice;
* ``digest:<member id>:<ISO week>``;
* a district's bureau (a school row) also gets, on top of its own: ``district-leaderboard:<group link id>:<ranked
  ISO week>`` (and ``district-leaderboard-chart:…``) for each group linked to the bureau, and
  ``district-digest:<member id>:<ISO week>`` for each bureau leader (:mod:`bot.notifications.district_weekly`).

A member's messages go to the account they used last (:mod:`bot.people.addresses`),
one message whichever platforms they are on: the keys name the member, not the account.

When each is due is :mod:`bot.notifications.schedule`; what each says is :mod:`bot.notifications.reminder_text`,
:mod:`bot.notifications.leaderboard` and :mod:`bot.notifications.digest`, from data gathered by
:mod:`bot.notifications.weekly_facts`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.chat.replies import Attachment, Reply
from bot.gc_pause import collection_paused
from bot.i18n import choose_language, translator
from bot.notifications.digest import DigestFacts, digest_text
from bot.notifications.district_facts import district_digest_facts, last_week_report
from bot.notifications.district_weekly import (
    district_digest_text,
    district_leaderboard_chart,
    district_leaderboard_text,
)
from bot.notifications.leaderboard import leaderboard_chart, leaderboard_text
from bot.notifications.reminder_text import needs_reminder, reminder_reply
from bot.notifications.schedule import (
    DIGEST_TIME,
    DIGEST_WEEKDAY,
    LEADERBOARD_TIME,
    LEADERBOARD_WEEKDAY,
    QuietHours,
    ReminderChoice,
    Window,
    iso_week_key,
    parse_hhmm,
    reminder_due,
    weekly_window,
)
from bot.notifications.stored_reply import stored_reply
from bot.notifications.weekly_facts import (
    StandingSource,
    digest_facts,
    digest_facts_of_schools,
    standings_of,
    week_results,
)
from bot.observability.metrics import notifications_planned
from bot.people.addresses import Address
from bot.people.schools import policy_of
from bot.quotas.calendar import SchoolCalendar
from bot.quotas.standing import SchoolStanding
from bot.reporting.report_text import week_dates
from storage import outbox
from storage.db import Database
from storage.models import GroupLink, School
from storage.recipients import Recipient, recipients_of_schools

log = logging.getLogger(__name__)

REMINDER, LEADERBOARD, LEADERBOARD_CHART, DIGEST = "reminder", "leaderboard", "leaderboard_chart", "digest"
DISTRICT_LEADERBOARD, DISTRICT_LEADERBOARD_CHART = "district_leaderboard", "district_leaderboard_chart"
DISTRICT_DIGEST = "district_digest"
#: The order of a school's messages in the outbox (the order they are delivered in).
SECTION = {REMINDER: 0, LEADERBOARD: 1, LEADERBOARD_CHART: 1, DIGEST: 2, DISTRICT_LEADERBOARD: 3,
           DISTRICT_LEADERBOARD_CHART: 3, DISTRICT_DIGEST: 4}


def reminder_key(member_id: int, day: dt.date) -> str:
    return f"reminder:{member_id}:{day.isoformat()}"


def leaderboard_key(link_id: int, week_key: str, *, chart: bool = False) -> str:
    return f"{'leaderboard-chart' if chart else 'leaderboard'}:{link_id}:{week_key}"


def digest_key(member_id: int, week_key: str) -> str:
    return f"digest:{member_id}:{week_key}"


def district_leaderboard_key(link_id: int, week_key: str, *, chart: bool = False) -> str:
    return f"district-{leaderboard_key(link_id, week_key, chart=chart)}"


def district_digest_key(member_id: int, week_key: str) -> str:
    return f"district-{digest_key(member_id, week_key)}"


@dataclass(frozen=True)
class Planned:
    """A message due now, ready to become an outbox row."""

    dedupe_key: str
    kind: str
    school_id: int
    member_id: int | None
    address: Address
    recipient: str
    reply: Reply
    not_before: dt.datetime
    expires_at: dt.datetime | None
    group_link_id: int | None = None
    day: dt.date | None = None

    def row(self) -> dict[str, Any]:
        payload, attachment, attachment_name = stored_reply(self.reply)
        if self.group_link_id is not None:
            payload["group_link_id"] = self.group_link_id
        if self.day is not None:
            payload["day"] = self.day.isoformat()
        return {"dedupe_key": self.dedupe_key, "school_id": self.school_id, "member_id": self.member_id,
                "platform": self.address.platform, "chat_id": self.address.chat_id, "kind": self.kind,
                "payload": payload, "attachment": attachment,
                "attachment_name": attachment_name, "not_before": self.not_before,
                "expires_at": self.expires_at, "status": outbox.PENDING, "attempts": 0, "created_at": self.not_before}


class ReminderMemo:
    """Members whose reminder was decided today, per school and local day.

    Only spares recomputing a school's standings every minute for members who
    were on pace at their reminder time; correctness never depends on it (the
    dedupe keys do that), and a restarted process simply decides once more.
    """

    def __init__(self) -> None:
        self._decided: dict[tuple[int, dt.date], set[int]] = defaultdict(set)

    def undecided(self, school_id: int, day: dt.date, member_ids: set[int]) -> set[int]:
        return member_ids - self._decided.get((school_id, day), set())

    def mark(self, school_id: int, day: dt.date, member_ids: set[int]) -> None:
        stale = [key for key in self._decided if key[1] < day - dt.timedelta(days=1)]
        for key in stale:
            del self._decided[key]
        self._decided[(school_id, day)].update(member_ids)


@dataclass
class Due:
    """What planning found: messages due now, and the reminders decided on the way."""

    messages: list[Planned] = field(default_factory=list)
    decided: list[tuple[int, dt.date, set[int]]] = field(default_factory=list)
    reminders: list[RemindersDue] = field(default_factory=list)
    """Schools with members to decide a reminder for: decided together once every school was looked at."""
    digests: list[DigestDue] = field(default_factory=list)
    """Schools whose leaders' digests are due: written together once every school was looked at."""


@dataclass(frozen=True)
class RemindersDue:
    """A school's members whose reminder is to be decided now for their local `day`."""

    clock: SchoolClock
    day: dt.date
    candidates: dict[int, tuple[Recipient, Window]]
    undecided: set[int]
    now: dt.datetime


@dataclass(frozen=True)
class DigestDue:
    """A school's digest due now for these leaders."""

    clock: SchoolClock
    due: WeeklyDue
    now: dt.datetime


@dataclass(frozen=True)
class WeeklyDue:
    """A weekly message due now: its window, today, the week it is for (its Monday, or today), and who still
    needs it (each recipient's dedupe key is `key(recipient.id, week_key)`)."""

    window: Window
    today: dt.date
    week: dt.date
    week_key: str
    missing: list[Any]
    key: Callable[[int, str], str]

    def keys(self) -> list[str]:
        return [self.key(recipient.id, self.week_key) for recipient in self.missing]

    def unplanned(self, planned: Mapping[str, str]) -> WeeklyDue | None:
        """Only the recipients whose key is not `planned` yet; None when none is left."""
        missing = [r for r in self.missing if self.key(r.id, self.week_key) not in planned]
        return dataclasses.replace(self, missing=missing) if missing else None


@dataclass(frozen=True)
class Candidates:
    """What may be due now at one school, before the outbox says what is planned already: per local day the
    members whose reminder window is open (and those of them not decided yet), and each weekly message."""

    clock: SchoolClock
    now: dt.datetime
    reminders: dict[dt.date, tuple[dict[int, tuple[Recipient, Window]], set[int]]]
    weekly: dict[str, WeeklyDue | None]

    def keys(self) -> list[str]:
        """The dedupe keys of every candidate."""
        keys = [reminder_key(member_id, day) for day, (_, undecided) in self.reminders.items()
                for member_id in undecided]
        return keys + [key for due in self.weekly.values() if due is not None for key in due.keys()]


@dataclass(frozen=True)
class SchoolClock:
    """What scheduling needs of a school: its calendar, quiet hours, reminder time and time zone."""

    school: School
    calendar: SchoolCalendar
    quiet: QuietHours
    reminder_time: dt.time
    zone: zoneinfo.ZoneInfo

    @classmethod
    def of(cls, school: School) -> SchoolClock:
        return cls(school, SchoolCalendar.of(policy_of(school)), QuietHours.parse(school.quiet_start, school.quiet_end),
                   parse_hhmm(school.reminder_time), zoneinfo.ZoneInfo(school.timezone))

    def language_for(self, member: Recipient | None) -> str:
        return choose_language(member.language if member else None, None, self.school.language)


def address_of(member: Recipient) -> Address:
    """Where the member's direct messages go: the account they used last."""
    return Address(member.platform, member.chat_id)


def reminder_choice(member: Recipient) -> ReminderChoice:
    return ReminderChoice(member.reminder_frequency, parse_hhmm(member.reminder_time) if member.reminder_time else None,
                          member.away_until, member.snoozed_until)


def member_zone(member: Recipient, school_zone: zoneinfo.ZoneInfo) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(member.timezone) if member.timezone else school_zone


def at_local(now: dt.datetime, zone: zoneinfo.ZoneInfo, day: dt.date | None, at: dt.time | None) -> dt.datetime:
    """`now` in `zone`, with its date and/or time of day replaced."""
    local = now.astimezone(zone)
    return dt.datetime.combine(day or local.date(), at or local.time().replace(microsecond=0), zone)


class Planner:
    """Finds what is due (:meth:`due`, read-only, also for dry runs) and writes it to the outbox (:meth:`plan`)."""

    def __init__(self, db: Database, standing: StandingSource, memo: ReminderMemo | None = None) -> None:
        self.db, self.standing = db, standing
        self.memo = memo if memo is not None else ReminderMemo()

    async def plan(self, now: dt.datetime) -> Counter:
        """Write every message due now to the outbox; how many new rows of each kind."""
        found = await self.due(now, use_memo=True)
        async with self.db.transaction() as session:
            inserted = await outbox.insert_if_absent(session, [m.row() for m in found.messages])
        for school_id, day, members in found.decided:
            self.memo.mark(school_id, day, members)
        kinds = {m.dedupe_key: m.kind for m in found.messages}
        planned = Counter(kinds[key] for key in inserted)
        notifications_planned(planned)
        return planned

    async def due(self, now: dt.datetime, *, use_memo: bool = False,
                  local_moment: tuple[dt.date | None, dt.time | None] | None = None) -> Due:
        """Every message due at `now` whose dedupe key is not in the outbox yet.

        With `local_moment` (a dry run), each school is asked at that date and
        time in its own time zone instead (a missing part is taken from `now` there).
        """
        with collection_paused():
            return await self._due(now, use_memo, local_moment)

    async def _due(self, now: dt.datetime, use_memo: bool,
                   local_moment: tuple[dt.date | None, dt.time | None] | None) -> Due:
        async with self.db.transaction() as session:
            schools = await outbox.all_schools(session)
            school_ids = [school.id for school in schools]
            reachable = await recipients_of_schools(session, school_ids)
            links = await outbox.active_group_links_of_schools(session, school_ids)
        found = Due()
        candidates: list[Candidates] = []
        for school in schools:
            try:
                clock = SchoolClock.of(school)
                school_now = now if local_moment is None else at_local(now, clock.zone, *local_moment)
                candidates.append(self._candidates(clock, school_now, use_memo, reachable[school.id],
                                                   links[school.id]))
            except Exception:  # one school's bad data must not stop the others' notifications
                log.exception("planning notifications for school %s failed", school.id)
        # Which of every school's candidates are planned already: one look at the outbox for all of them.
        async with self.db.transaction() as session:
            planned = await outbox.statuses_of(session, [key for c in candidates for key in c.keys()])
        for school_candidates in candidates:
            try:
                await self._school_due(school_candidates, planned, found)
            except Exception:  # one school's bad data must not stop the others' notifications
                log.exception("planning notifications for school %s failed", school_candidates.clock.school.id)
        await self._planned_reminders(found)
        await self._planned_digests(found)
        # Outbox order is delivery order: each school's reminders, leaderboards, digests, then its district's.
        position = {school.id: n for n, school in enumerate(schools)}
        found.messages.sort(key=lambda m: (position.get(m.school_id, len(position)), SECTION[m.kind]))
        return found

    def _candidates(self, clock: SchoolClock, now: dt.datetime, use_memo: bool,
                    members: list[Recipient], links: list[GroupLink]) -> Candidates:
        """What may be due now at the school, before asking the outbox what is planned already."""
        leaders = self._leaders_present(members, clock, now)
        bureau = clock.school.is_bureau and clock.school.district_id is not None
        weekly = {
            LEADERBOARD: self._weekly_candidates(clock, now, LEADERBOARD_WEEKDAY, LEADERBOARD_TIME, links,
                                                 leaderboard_key, week_ago=True),
            DIGEST: self._weekly_candidates(clock, now, DIGEST_WEEKDAY, DIGEST_TIME, leaders, digest_key),
            DISTRICT_LEADERBOARD: self._weekly_candidates(clock, now, LEADERBOARD_WEEKDAY, LEADERBOARD_TIME, links,
                                                          district_leaderboard_key, week_ago=True)
            if bureau else None,
            DISTRICT_DIGEST: self._weekly_candidates(clock, now, DIGEST_WEEKDAY, DIGEST_TIME, leaders,
                                                     district_digest_key) if bureau else None}
        return Candidates(clock, now, self._reminder_candidates(clock, members, now, use_memo), weekly)

    async def _school_due(self, candidates: Candidates, planned: Mapping[str, str], found: Due) -> None:
        clock, now = candidates.clock, candidates.now
        for day, (open_now, undecided) in candidates.reminders.items():
            undecided = {m for m in undecided if reminder_key(m, day) not in planned}
            if undecided:
                found.reminders.append(RemindersDue(clock, day, open_now, undecided, now))
        weekly = {kind: due.unplanned(planned) for kind, due in candidates.weekly.items() if due is not None}
        if (leaderboard := weekly.get(LEADERBOARD)) is not None:
            await self._leaderboards(clock, leaderboard, now, found)
        if (digest := weekly.get(DIGEST)) is not None:
            found.digests.append(DigestDue(clock, digest, now))
        if (district_leaderboard := weekly.get(DISTRICT_LEADERBOARD)) is not None:
            await self._district_leaderboards(clock, district_leaderboard, now, found)
        if (district_digest := weekly.get(DISTRICT_DIGEST)) is not None:
            await self._district_digests(clock, district_digest, now, found)

    # --- reminders ------------------------------------------------------------------------------

    def _reminder_candidates(self, clock: SchoolClock, members: list[Recipient], now: dt.datetime,
                             use_memo: bool) -> dict[dt.date, tuple[dict[int, tuple[Recipient, Window]], set[int]]]:
        """Per local day, the members whose reminder window is open now, and those of them not decided yet."""
        open_now: dict[dt.date, dict[int, tuple[Recipient, Window]]] = defaultdict(dict)
        # Members who chose alike in one time zone share their window: most of a school's keep the defaults.
        alike: dict[tuple, tuple[dt.datetime, Window | None]] = {}
        for member in members:
            choice = (member.timezone, member.reminder_frequency, member.reminder_time, member.away_until,
                      member.snoozed_until)
            shared = alike.get(choice)
            if shared is None:
                local_now = now.astimezone(member_zone(member, clock.zone))
                shared = alike[choice] = (local_now, reminder_due(reminder_choice(member), clock.reminder_time,
                                                                  clock.quiet, clock.calendar, local_now))
            local_now, window = shared
            if window is not None:
                open_now[local_now.date()][member.id] = (member, window)
        found = {}
        for day, candidates in open_now.items():
            undecided = set(candidates)
            if use_memo:
                undecided = self.memo.undecided(clock.school.id, day, undecided)
            found[day] = (candidates, undecided)
        return found

    async def _planned_reminders(self, found: Due) -> None:
        """The reminders to decide, with the standings of all their schools on the same local day computed
        together (each of the standing's queries once); should that fail, each school's on its own."""
        by_day: dict[dt.date, list[RemindersDue]] = defaultdict(list)
        for due in found.reminders:
            by_day[due.day].append(due)
        for day, dues in by_day.items():
            try:
                standings = await standings_of(self.standing, [due.clock.school.id for due in dues], day)
            except Exception:
                log.exception("deciding the reminders of %s schools together failed", len(dues))
                standings = {}
            for due in dues:
                try:
                    school_id = due.clock.school.id
                    standing = standings.get(school_id) or await self.standing(school_id, day)
                    self._reminders_of(due, standing, found)
                except Exception:  # one school's bad data must not stop the others' notifications
                    log.exception("planning notifications for school %s failed", due.clock.school.id)

    def _reminders_of(self, due: RemindersDue, standing: SchoolStanding, found: Due) -> None:
        clock = due.clock
        for member_standing in standing.members:
            if member_standing.member_id not in due.undecided:
                continue
            behind = [p for p in member_standing.rules if needs_reminder(p)]
            if not behind:
                continue
            member, window = due.candidates[member_standing.member_id]
            t = translator(clock.language_for(member))
            found.messages.append(Planned(
                reminder_key(member.id, due.day), REMINDER, clock.school.id, member.id, address_of(member),
                member.display_name, reminder_reply(behind, standing.policy, t), due.now, window.closes,
                day=due.day))
        found.decided.append((clock.school.id, due.day, due.undecided))

    # --- leaderboards -----------------------------------------------------------------------------

    def _weekly_candidates(self, clock: SchoolClock, now: dt.datetime, weekday: int, at: dt.time,
                           recipients: Sequence[Any], key: Callable[[int, str], str],
                           week_ago: bool = False) -> WeeklyDue | None:
        """A weekly message's window open now and its recipients (with an `id`), planned for this week or not
        (the week just past with `week_ago`, skipped when it was all vacation); None when nothing is due."""
        if not recipients:
            return None
        local_now = now.astimezone(clock.zone)
        window = weekly_window(local_now, weekday, at, clock.quiet)
        if window is None:
            return None
        week = local_now.date()
        if week_ago:
            week -= dt.timedelta(days=local_now.weekday() + 7)
            if clock.calendar.working_days(week, week + dt.timedelta(days=6)) == 0:
                return None  # a week of vacation: nothing to rank
        return WeeklyDue(window, local_now.date(), week, iso_week_key(week), list(recipients), key)

    def _leaders_present(self, members: list[Recipient], clock: SchoolClock, now: dt.datetime) -> list[Recipient]:
        today = now.astimezone(clock.zone).date()
        return [m for m in members if m.role == "leader" and not reminder_choice(m).is_away(today)]

    async def _leaderboards(self, clock: SchoolClock, due: WeeklyDue, now: dt.datetime, found: Due) -> None:
        window, monday, week_key, missing = due.window, due.week, due.week_key, due.missing
        results = await week_results(self.db, self.standing, clock.school.id, monday)
        policy = policy_of(clock.school)
        t = translator(clock.language_for(None))
        for link in missing:
            recipient, address = f"group {link.chat_id}", Address(link.platform, link.chat_id)
            text = leaderboard_text(results, policy, t, top_n=link.top_n, totals_only=link.totals_only)
            found.messages.append(Planned(leaderboard_key(link.id, week_key), LEADERBOARD, clock.school.id, None,
                                          address, recipient, Reply(text), now, window.closes, link.id))
            chart = None if link.totals_only else leaderboard_chart(results, t, top_n=link.top_n)
            if chart is not None:
                caption = t("Share of quotas met, {week}", week=week_dates(week_key, t))
                chart_attachment = Attachment(f"leaderboard-{week_key}.png", chart, "image", caption)
                found.messages.append(Planned(
                    leaderboard_key(link.id, week_key, chart=True), LEADERBOARD_CHART, clock.school.id, None,
                    address, recipient, Reply(attachments=(chart_attachment,)), now, window.closes, link.id))

    # --- digests ------------------------------------------------------------------------------------

    async def _planned_digests(self, found: Due) -> None:
        """The digests due, with the standings and facts of all their schools on the same local day gathered
        together (a county's Friday: each query once, not once a school). Should that fail, each school's on its
        own, so that one school's bad data does not stop the others' digests."""
        by_day: dict[dt.date, list[DigestDue]] = defaultdict(list)
        for digest in found.digests:
            by_day[digest.due.today].append(digest)
        for today, digests in by_day.items():
            try:
                standings = await standings_of(self.standing, [d.clock.school.id for d in digests], today)
                facts = await digest_facts_of_schools(
                    self.db, [(d.clock.school, standings[d.clock.school.id]) for d in digests], today)
            except Exception:
                log.exception("planning the digests of %s schools together failed", len(digests))
                facts = {}
            for digest in digests:
                try:
                    school = digest.clock.school
                    found_facts = facts.get(school.id) or await digest_facts(self.db, self.standing, school, today)
                    self._digest(digest, found_facts, found)
                except Exception:  # one school's bad data must not stop the others' notifications
                    log.exception("planning notifications for school %s failed", digest.clock.school.id)

    def _digest(self, digest: DigestDue, facts: DigestFacts, found: Due) -> None:
        clock, due, now = digest.clock, digest.due, digest.now
        policy = policy_of(clock.school)
        texts: dict[str, str] = {}  # leaders reading one language read one text
        for leader in due.missing:
            language = clock.language_for(leader)
            text = texts.get(language)
            if text is None:
                text = texts[language] = digest_text(facts, policy, translator(language))
            found.messages.append(Planned(
                digest_key(leader.id, due.week_key), DIGEST, clock.school.id, leader.id, address_of(leader),
                leader.display_name, Reply(text), now, due.window.closes))

    # --- a bureau's district messages --------------------------------------------------------------

    async def _district_leaderboards(self, clock: SchoolClock, due: WeeklyDue, now: dt.datetime,
                                     found: Due) -> None:
        window, week_key, missing = due.window, due.week_key, due.missing
        assert clock.school.district_id is not None
        report = await last_week_report(self.db, clock.school.district_id, due.today)
        t = translator(clock.language_for(None))
        text = district_leaderboard_text(report, week_key, t)
        chart = district_leaderboard_chart(report, week_key, t)
        for link in missing:
            recipient, address = f"group {link.chat_id}", Address(link.platform, link.chat_id)
            found.messages.append(Planned(district_leaderboard_key(link.id, week_key), DISTRICT_LEADERBOARD,
                                          clock.school.id, None, address, recipient, Reply(text), now,
                                          window.closes, link.id))
            if chart is not None:
                caption = t("Schools by share of quotas met, {week}", week=week_dates(week_key, t))
                attachment = Attachment(f"district-leaderboard-{week_key}.png", chart, "image", caption)
                found.messages.append(Planned(
                    district_leaderboard_key(link.id, week_key, chart=True), DISTRICT_LEADERBOARD_CHART,
                    clock.school.id, None, address, recipient, Reply(attachments=(attachment,)), now,
                    window.closes, link.id))

    async def _district_digests(self, clock: SchoolClock, due: WeeklyDue, now: dt.datetime, found: Due) -> None:
        window, today, week_key, missing = due.window, due.today, due.week_key, due.missing
        facts = await district_digest_facts(self.db, clock.school, today)
        for leader in missing:
            t = translator(clock.language_for(leader))
            found.messages.append(Planned(
                district_digest_key(leader.id, week_key), DISTRICT_DIGEST, clock.school.id, leader.id,
                address_of(leader), leader.display_name, Reply(district_digest_text(facts, t)), now,
                window.closes))
