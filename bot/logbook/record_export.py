"""Written records in an export: a sheet listing them, and their files in a zip beside the workbook.

The sheet names, per record, the file's name inside the zip. Files are fetched
at export time through ``fetch`` (the adapter's download, e.g. the Bot API's
getFile for a Telegram file id), one at a time, so the zip never holds more than
one file in memory besides what it has written. A file that can no longer be
fetched is listed as missing in the zip's ``missing.txt`` rather than failing the export.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import zipfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import IO

from bot.i18n import N_, Translator
from bot.platform_names import TELEGRAM
from bot.quotas.school_facts import SchoolFacts
from bot.reporting.export_files import Column
from storage import records as queries
from storage.db import Database
from storage.models import Record

RECORDS_SHEET = N_("Written records")
RECORD_COLUMNS: tuple[Column, ...] = (
    (N_("Date"), 12), (N_("Member"), 14), (N_("Record"), 20), (N_("Text"), 60), (N_("File in the zip"), 36),
    (N_("With the entry of"), 12),
)
Fetch = Callable[[str], Awaitable[bytes]]


@dataclass(frozen=True)
class RecordFileRef:
    """A record's file: where it goes in the zip, and the platform's id to fetch it by."""

    zip_name: str
    platform: str
    file_id: str


@dataclass(frozen=True)
class RecordListing:
    rows: list[list]
    files: list[RecordFileRef]


def zip_name(record: Record, member_name: str, kind_label: str) -> str:
    """``2026-11-18-王芳-家访心得体会-7.pdf``: day, member, kind, record id, the file's own extension."""
    extension = ""
    if record.file_name and "." in record.file_name:
        extension = "." + record.file_name.rsplit(".", 1)[1]
    elif record.mime_type:
        extension = mimetypes.guess_extension(record.mime_type) or ""
    safe = "-".join(part.replace("/", "_") for part in (record.written_on.isoformat(), member_name, kind_label))
    return f"{safe}-{record.id}{extension}"


async def record_listing(db: Database, facts: SchoolFacts, start: dt.date, end: dt.date,
                         t: Translator) -> RecordListing:
    """The sheet's rows and the files to zip, for the school's records written from ``start`` to ``end``."""
    async with db.transaction() as session:
        records = await queries.school_records(session, facts.school_id, start, end)
        entry_days = await queries.entry_days(session, [r.entry_id for r in records if r.entry_id is not None])
    rows, files = [], []
    for record in records:
        member = facts.member_names.get(record.member_id, "")
        kinds = {kind.code: kind for kind in facts.policy.records}
        label = kinds[record.kind].label(t.language) if record.kind in kinds else record.kind
        name = zip_name(record, member, label) if record.file_id else None
        if name is not None and record.file_id is not None:
            # Records kept before accounts had platforms came from Telegram.
            files.append(RecordFileRef(name, record.platform or TELEGRAM, record.file_id))
        rows.append([record.written_on, member, label, record.text, name,
                     entry_days.get(record.entry_id) if record.entry_id else None])
    return RecordListing(rows, files)


async def write_records_zip(files: Sequence[RecordFileRef], fetch: Fetch, stream: IO[bytes]) -> int:
    """Fetch each file and write it into a zip on ``stream``; the number of files written."""
    written, missing = 0, []
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for ref in files:
            try:
                data = await fetch(ref.file_id)
            except Exception as error:  # noqa: BLE001 - any failed download is listed, the rest still export
                missing.append(f"{ref.zip_name}: {error}")
                continue
            archive.writestr(ref.zip_name, data)
            written += 1
        if missing:
            archive.writestr("missing.txt", "\n".join(missing) + "\n")
    return written
