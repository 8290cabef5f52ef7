"""Written records the plans ask for (家访记录, 家访心得体会, 《家访日记》, 蹲点日记, 建议书 …).

A record is of a kind the policy lists under ``records:``; it is text typed in
chat, or a photo or document sent to the bot. Files are kept as the platform's
file id rather than bytes: Telegram stores the file, the database stays small,
and an export can fetch it through the Bot API. A record sent within
:data:`ENTRY_LINK_WINDOW` of logging an entry is stored with that entry (the
家访记录 of a visit). Rules count records with ``measure: records, record: <kind>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.people.membership import Profile
from storage import records as queries
from storage import repository as repo
from storage.db import Database
from storage.models import Record

ENTRY_LINK_WINDOW = dt.timedelta(minutes=30)
MAX_FILE_NAME = 255
#: A 心得体会 is longer than a note; this still fits one Telegram message.
MAX_RECORD_TEXT = 4000


@dataclass(frozen=True)
class RecordFile:
    """A photo or document as the platform sent it."""

    platform: str
    file_id: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class SavedRecord:
    record_id: int
    kind: str
    entry_id: int | None


class RecordRefused(ValueError):
    """A record that cannot be stored; ``.code`` is 'kind' (unknown kind) or 'empty' / 'too_long' (its text)."""

    def __init__(self, code: str, limit: int = 0) -> None:
        super().__init__(code)
        self.code, self.limit = code, limit


async def save_record(db: Database, profile: Profile, kind: str, *, today: dt.date, now: dt.datetime,
                      text: str | None = None, file: RecordFile | None = None) -> SavedRecord:
    """Store a record of ``kind`` (text, a file with an optional caption); RecordRefused for bad input."""
    if kind not in {k.code for k in profile.policy.records}:
        raise RecordRefused("kind")
    cleaned = text.strip() if text and text.strip() else None
    if cleaned is not None and len(cleaned) > MAX_RECORD_TEXT:
        raise RecordRefused("too_long", MAX_RECORD_TEXT)
    if cleaned is None and file is None:
        raise RecordRefused("empty")
    async with db.transaction() as session:
        latest = await repo.last_logged_entry(session, profile.member_id, now - ENTRY_LINK_WINDOW)
        record = await queries.add_record(session, Record(
            school_id=profile.school_id, member_id=profile.member_id, entry_id=latest.id if latest else None,
            kind=kind, written_on=today, text=cleaned, platform=file.platform if file else None,
            file_id=file.file_id if file else None,
            file_name=file.file_name[:MAX_FILE_NAME] if file and file.file_name else None,
            mime_type=file.mime_type if file else None, created_at=now))
        return SavedRecord(record.id, kind, record.entry_id)
