"""/export [from] [to]: a leader gets the school's entries as an .xlsx workbook and a CSV file, and the files of
written records as a zip, in a direct message only (the files name students); a leader of a district's bureau
gets one workbook for the whole district (:mod:`bot.reporting.district_exports`). Anyone else gets a clear
refusal; in a group the fallback points to the private chat."""

from __future__ import annotations

import datetime as dt
import io

from bot.chat.flow import END, Flow
from bot.chat.outbound import Nowhere, Outbound
from bot.chat.refusals import EXPORT_RANGE_ERRORS
from bot.chat.render import day_text
from bot.chat.replies import Attachment
from bot.chat.turn import Turn
from bot.i18n import Translator
from bot.logbook.record_export import record_listing, write_records_zip
from bot.quotas.school_facts import load_school_facts
from bot.reporting.district_access import bureau_of_school
from bot.reporting.district_exports import write_district_export
from bot.reporting.exports import ExportRangeError, export_file_name, export_range, write_export


class Export(Flow):
    name = "export"

    def __init__(self, outbound: Outbound | None = None) -> None:
        #: Fetches the records' files from the platform they were sent on.
        self.outbound = outbound or Nowhere()

    async def start(self, turn: Turn) -> None:
        if not turn.members_only():
            return END
        t, profile = turn.t, turn.member
        if not profile.is_leader:
            turn.say(t("Only your school's leaders can export its entries."))
            return END
        command = turn.event.command
        try:
            start, end = export_range(command.words if command is not None else [], turn.today)
        except ExportRangeError as error:
            turn.say(t(EXPORT_RANGE_ERRORS[error.code], text=error.text))
            return END
        bureau = await bureau_of_school(turn.core.db, profile.school_id)
        if bureau is not None:
            await self.district_export(turn, bureau.district_id, start, end)
            return END
        xlsx, csv = io.BytesIO(), io.BytesIO()
        count = await write_export(turn.core.db, profile.school_id, start, end, language=t.language,
                                   today=turn.today, xlsx=xlsx, csv=csv)
        first_day, last_day = day_text(start, t, turn.today), day_text(end, t, turn.today)
        caption = t.n("{n} entry from {start} to {end}.", "{n} entries from {start} to {end}.", count,
                      start=first_day, end=last_day)
        files = [Attachment(export_file_name(start, end, "xlsx"), xlsx.getvalue(), "file", caption),
                 Attachment(export_file_name(start, end, "csv"), csv.getvalue(), "file", caption)]
        records = await self.records_zip(turn, profile.school_id, start, end, t)
        turn.say("", attachments=[*files, *([records] if records else [])])
        return END

    async def district_export(self, turn: Turn, district_id: int, start: dt.date, end: dt.date) -> None:
        t = turn.t
        xlsx = io.BytesIO()
        count = await write_district_export(turn.core.db, district_id, start, end, language=t.language,
                                            today=turn.today, xlsx=xlsx)
        first_day, last_day = day_text(start, t, turn.today), day_text(end, t, turn.today)
        caption = t.n("{n} entry across the district from {start} to {end}.",
                      "{n} entries across the district from {start} to {end}.", count, start=first_day, end=last_day)
        name = export_file_name(start, end, "xlsx").replace("teachlog-", "teachlog-district-", 1)
        turn.say("", attachments=[Attachment(name, xlsx.getvalue(), "file", caption)])

    async def records_zip(self, turn: Turn, school_id: int, start: dt.date, end: dt.date,
                          t: Translator) -> Attachment | None:
        """The files of the written records in the range, fetched from their platform, as one zip."""
        facts = await load_school_facts(turn.core.db, school_id)
        files = (await record_listing(turn.core.db, facts, start, end, t)).files if facts.policy.records else []
        if not files:
            return None
        platform_of = {ref.file_id: ref.platform for ref in files}

        async def fetch(file_id: str) -> bytes:
            return await self.outbound.fetch_file(platform_of[file_id], file_id)

        archive = io.BytesIO()
        written = await write_records_zip(files, fetch, archive)
        name = export_file_name(start, end, "zip").replace(".zip", "-records.zip")
        return Attachment(name, archive.getvalue(), "file",
                          t.n("{n} file of written records.", "{n} files of written records.", written))
