"""SQLAlchemy 2 typed models: schools, members, invites, activity types, entries and their audit trail,
and the notification outbox with its delivery record and the group chats linked to schools."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class _Unit:
    """What a school and a district both have: a name, a time zone, a language and a policy."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    policy_name: Mapped[str] = mapped_column(String(64), default="default")
    policy_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class District(_Unit, Base):
    """A county education bureau (教育局) and the schools under it; its bureau office is a school row too."""

    __tablename__ = "districts"


class School(_Unit, Base):
    __tablename__ = "schools"

    # Local times "HH:MM": when reminders go out, and the quiet hours in which nothing is sent.
    reminder_time: Mapped[str] = mapped_column(String(5), default="16:30", server_default="16:30")
    quiet_start: Mapped[str] = mapped_column(String(5), default="21:00", server_default="21:00")
    quiet_end: Mapped[str] = mapped_column(String(5), default="08:00", server_default="08:00")
    # Quotas count from this day for everyone without their own date (a school that starts mid-term).
    counts_from: Mapped[dt.date | None] = mapped_column(Date)
    # A school in a district, and the school zone (学区) it belongs to there; `is_bureau` marks the
    # district's own office (its leaders see every school of the district).
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    zone: Mapped[str | None] = mapped_column(String(100))
    is_bureau: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How a school of a district gets its policy: 'district' (it follows the district's), 'extends' (its own
    # rules, `own_policy_text`, added to the district's), or NULL (its own policy, replacing the district's).
    # `policy_text` is always the policy in force, so everything that reads a school's policy reads it alone.
    policy_follows: Mapped[str | None] = mapped_column(String(16))
    own_policy_text: Mapped[str | None] = mapped_column(Text)

    members: Mapped[list[Member]] = relationship(back_populates="school")


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    joined_on: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Reminders: 'daily', 'weekly' or 'off'; an own "HH:MM" instead of the school's; no reminders
    # through `away_until` (inclusive); `snoozed_until` is the day "Remind me tomorrow" asked for.
    reminder_frequency: Mapped[str] = mapped_column(String(8), default="daily", server_default="daily")
    reminder_time: Mapped[str | None] = mapped_column(String(5))
    away_until: Mapped[dt.date | None] = mapped_column(Date)
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    # When a message to the member was refused because they blocked the bot (they are then inactive).
    blocked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Quotas count from this day for this member (a roster's counts_from); else the school's; else joined_on.
    counts_from: Mapped[dt.date | None] = mapped_column(Date)
    # Bumped by every write that can change where the member stands (their entries, co-visits, pairings, places,
    # records, role or dates: :func:`storage.report_summaries.mark_changed`): a standing kept with the same
    # number is still right (:mod:`bot.quotas.kept_standings`).
    standing_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    school: Mapped[School] = relationship(back_populates="members")


class MemberAccount(Base):
    """One platform account of a member (a Telegram user, a Slack user, …), its id as text.

    A member may have accounts on several platforms; `last_used_at` says which one they used
    last, the one a reminder goes to.
    """

    __tablename__ = "member_accounts"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_member_accounts_platform_external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(64))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A personal invite: whoever opens it becomes this pre-registered member.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))


class ActivityType(Base):
    """An activity a school's policy counts; synced from the policy file."""

    __tablename__ = "activity_types"
    __table_args__ = (UniqueConstraint("school_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    code: Mapped[str] = mapped_column(String(48))
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    fields: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Entry(Base):
    """One logged activity. Never deleted, only marked `deleted_at`."""

    __tablename__ = "entries"
    __table_args__ = (
        Index("ix_entries_school_day", "school_id", "occurred_on"),
        Index("ix_entries_member_day", "member_id", "occurred_on"),
        # Progress and reports aggregate one school's entries of some activities over a period.
        Index("ix_entries_school_activity_day", "school_id", "activity_code", "occurred_on"),
        # Co-visits count for the colleague too: their own queries look entries up by this column.
        Index("ix_entries_covisitor_day", "covisitor_member_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    activity_code: Mapped[str] = mapped_column(String(48))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    occurred_time: Mapped[dt.time | None] = mapped_column(Time)
    student_name: Mapped[str | None] = mapped_column(String(100))
    student_key: Mapped[str | None] = mapped_column(String(100))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    covisitor_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    #: Where it happened, for activities that ask for a place (a class, branch, village, contact point …).
    place_name: Mapped[str | None] = mapped_column(String(100))
    place_key: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16), default="telegram")
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Times the logic reads (undo window, digests, problem counts) have no default: they come from the clock.
    logged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class DailyCount(Base):
    """Entries per (school, participant, activity, day), kept up to date on every write to `entries`.

    `entries` counts the participant's own entries, `covisits` the entries they joined as the colleague:
    a member's tally is their sum, the school's total is the sum of `entries` alone (a co-visit once).
    """

    __tablename__ = "daily_counts"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    activity_code: Mapped[str] = mapped_column(String(48), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    covisits: Mapped[int] = mapped_column(Integer, default=0)


class SchoolDailyCount(Base):
    """Entries per (school, activity, day), a co-visit once: the school's trend, kept up to date with `daily_counts`."""

    __tablename__ = "school_daily_counts"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    activity_code: Mapped[str] = mapped_column(String(48), primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)


class SummaryChange(Base):
    """A write that made stored report summaries stale: a member's entries, pairings or membership changed.

    Ids only grow (AUTOINCREMENT on SQLite), so a report slot remembers the last one it has taken in.
    """

    __tablename__ = "summary_changes"
    __table_args__ = (Index("ix_summary_changes_school", "school_id", "id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    member_id: Mapped[int] = mapped_column(Integer)


class ReportSlot(Base):
    """One report window's stored summaries for a school (``term/this/``): what they were computed for and
    the last change they include."""

    __tablename__ = "report_slots"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    slot: Mapped[str] = mapped_column(String(40), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    seen_change: Mapped[int] = mapped_column(Integer)


class ReportSummary(Base):
    """One member's part of a report window: counts per activity (all, own) and each quota's share."""

    __tablename__ = "report_summaries"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    slot: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counts: Mapped[dict[str, Any]] = mapped_column()
    quotas: Mapped[list[Any]] = mapped_column()


class Pairing(Base):
    """A member paired with a student (结对帮扶): per-student rules are met student by student."""

    __tablename__ = "pairings"
    __table_args__ = (UniqueConstraint("member_id", "student_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    student_name: Mapped[str] = mapped_column(String(100))
    student_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlaceAssignment(Base):
    """A member assigned to a place (a class, party branch, contact point …) and who is in charge there."""

    __tablename__ = "place_assignments"
    __table_args__ = (UniqueConstraint("member_id", "kind", "place_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    place_name: Mapped[str] = mapped_column(String(100))
    place_key: Mapped[str] = mapped_column(String(100))
    head_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Record(Base):
    """A written record (家访心得体会, 蹲点日记, 建议书 …): text, or a file kept by the chat platform.

    Files are stored as the platform's file id (Telegram keeps the file; the export downloads it
    through the Bot API), not as bytes, so the database stays small. ``entry_id`` is the entry the
    record was written about, when it was sent right after logging one.
    """

    __tablename__ = "records"
    __table_args__ = (Index("ix_records_school_day", "school_id", "written_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    kind: Mapped[str] = mapped_column(String(48))
    written_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntryAudit(Base):
    """Who changed an entry, when, and what it looked like before and after."""

    __tablename__ = "entry_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ChatState(Base):
    """Key-value state a chat platform keeps between restarts (conversation states, user data)."""

    __tablename__ = "chat_state"

    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[dict[str, Any] | None] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class HandledUpdate(Base):
    """A platform's update (Telegram's update_id, Slack's event_id) already answered, kept for a bounded time
    so that a second delivery of it gets no second answer."""

    __tablename__ = "handled_updates"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    handled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class OutboxMessage(Base):
    """A notification planned for one chat, delivered once: `dedupe_key` names recipient, kind and period.

    The chat is addressed as (`platform`, `chat_id` as text); a sender delivers only its platform's rows.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column()
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeliveryAttempt(Base):
    """One outcome of trying to deliver an outbox message (sent, retry, blocked, moved, …)."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)


class GroupLink(Base):
    """A group chat a leader linked to their school: it gets the weekly leaderboard.

    The chat is (`platform`, `chat_id` as text), unique together.
    """

    __tablename__ = "group_links"
    __table_args__ = (UniqueConstraint("platform", "chat_id", name="uq_group_links_platform_chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(64))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    linked_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    top_n: Mapped[int | None] = mapped_column(Integer)
    totals_only: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Problem(Base):
    """A problem a family raised on a visit (plan 001's 问题清单), tracked until it is closed with a result.

    `status` is 'open', then 'assigned' once a leader gives it to a member, then 'closed'
    (销号办结) with the `result` written down. The student's name is kept so that lists
    can show it in direct messages, and never in groups.
    """

    __tablename__ = "problems"
    __table_args__ = (
        Index("ix_problems_school_status", "school_id", "status"),
        Index("ix_problems_assignee_status", "assignee_member_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    raised_by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    student_name: Mapped[str | None] = mapped_column(String(100))
    student_key: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    result: Mapped[str | None] = mapped_column(Text)
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))


class ButtonCode(Base):
    """A short code standing for a button's label and action data, where a platform's buttons send text back
    (DingTalk's `dtmd://…sendMessage` links): the code comes back in that text and is read as the tap.

    One code per (label, data); `issued_at` is when it was last put on a message, and old codes are forgotten.
    """

    __tablename__ = "button_codes"
    __table_args__ = (
        UniqueConstraint("label", "data", name="uq_button_codes_label_data"),
        Index("ix_button_codes_issued_at", "issued_at"),
    )

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(String(128))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
