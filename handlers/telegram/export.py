"""/export [from] [to]: a leader gets the school's entries as an .xlsx workbook and a CSV file, in a
direct message only (the files name students). Anyone else, and any group, gets a clear refusal."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.chat.render import day_text
from bot.core import Core
from bot.exports import ExportRangeError, export_file_name, export_range, write_export
from bot.i18n import N_, Translator
from bot.record_export import record_listing, write_records_zip
from bot.school_facts import load_school_facts
from handlers.telegram.common import Context, caller, not_a_member_text, reply
from handlers.telegram.required import chat_of

log = logging.getLogger(__name__)

#: Files up to this size stay in memory while they are written; larger ones go to a temporary file.
IN_MEMORY_BYTES = 4 * 1024 * 1024

RANGE_ERRORS = {
    "unparseable": N_("I could not read the date “{text}”. Type it like 2026-11-01 or 11月1号."),
    "order": N_("The first date is after the second. Send /export FROM TO, e.g. /export 2026-11-01 2026-11-18."),
    "too_many": N_("Give at most two dates: /export FROM TO, e.g. /export 2026-11-01 2026-11-18."),
}


class ExportHandlers:
    def __init__(self, core: Core) -> None:
        self.core = core

    def handlers(self) -> list:
        # In a group, /export falls through to Basics, which points to the private chat.
        return [CommandHandler("export", self.export, filters=filters.ChatType.PRIVATE)]

    async def export(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        t = who.t
        if who.profile is None:
            await reply(update, not_a_member_text(t))
            return
        if not who.profile.is_leader:
            await reply(update, t("Only your school's leaders can export its entries."))
            return
        today = who.today
        try:
            start, end = export_range(context.args or [], today)
        except ExportRangeError as error:
            await reply(update, t(RANGE_ERRORS[error.code], text=error.text))
            return
        await chat_of(update).send_action("upload_document")
        with tempfile.SpooledTemporaryFile(IN_MEMORY_BYTES) as xlsx, \
                tempfile.SpooledTemporaryFile(IN_MEMORY_BYTES) as csv:
            count = await write_export(self.core.db, who.profile.school_id, start, end, language=t.language,
                                       today=today, xlsx=xlsx, csv=csv)
            first_day, last_day = day_text(start, t, today), day_text(end, t, today)
            caption = t.n("{n} entry from {start} to {end}.", "{n} entries from {start} to {end}.", count,
                          start=first_day, end=last_day)
            for stream, file_format in ((xlsx, "xlsx"), (csv, "csv")):
                stream.seek(0)  # python-telegram-bot uploads bytes: the finished file is read once, here
                await chat_of(update).send_document(
                    InputFile(stream.read(), filename=export_file_name(start, end, file_format)), caption=caption)
        await self.send_record_files(update, context, who.profile.school_id, start, end, t)

    async def send_record_files(self, update: Update, context: Context, school_id: int, start: dt.date,
                                end: dt.date, t: Translator) -> None:
        """The files of the written records in the range, downloaded through the Bot API, as one zip."""
        facts = await load_school_facts(self.core.db, school_id)
        files = (await record_listing(self.core.db, facts, start, end, t)).files if facts.policy.records else []
        if not files:
            return

        async def fetch(file_id: str) -> bytes:
            return bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())

        with tempfile.SpooledTemporaryFile(IN_MEMORY_BYTES) as archive:
            written = await write_records_zip(files, fetch, archive)
            archive.seek(0)
            name = export_file_name(start, end, "zip").replace(".zip", "-records.zip")
            await chat_of(update).send_document(
                InputFile(archive.read(), filename=name),
                caption=t.n("{n} file of written records.", "{n} files of written records.", written))
