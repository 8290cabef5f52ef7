"""A school's overview in answer to /report: at once when its window is stored, else announced and sent when ready.

The overview (counts, rankings, charts; what a linked group may see) reads the school's stored summaries of the
window. With nothing stored for it (after a policy change, an upgrade that changes the stored format, or before
the day's warming) it is computed from the entries first, seconds for a large school: where the platform can
send later and it takes more than a moment, the chat is told that the report follows, and :class:`ReportsToFollow`
sends it when ready.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from bot.chat.flows.reports_to_follow import ReportsToFollow
from bot.chat.replies import Attachment, Choice, Reply, in_rows
from bot.chat.turn import Turn
from bot.i18n import N_
from bot.reporting.report_charts import school_charts
from bot.reporting.report_text import school_text
from bot.reporting.reports import ReportWindow, SchoolReport, school_report, schools_not_stored
from storage import repository as repo
from storage.db import Database

log = logging.getLogger(__name__)

PREPARING_SCHOOL = N_("Preparing the school's report from the entries: it follows in a moment.")

Draw = Callable[[], list[bytes]]


async def drawn_reply(text: str, draw: Draw, choices: Sequence[Choice] = ()) -> Reply:
    """The text with its charts, drawn off the event loop; a report without its charts beats no report."""
    try:
        pictures = await asyncio.to_thread(draw)
    except Exception:
        log.exception("could not draw the report's charts")
        pictures = []
    return Reply(text, in_rows(list(choices), 2), False,
                 tuple(Attachment(f"report-{number}.png", png, "image") for number, png in enumerate(pictures, 1)))


async def window_cold(db: Database, school_id: int, window: ReportWindow) -> bool:
    """Whether the school has nothing stored for the window: its report would first be computed from the entries."""
    async with db.transaction() as session:
        school = await repo.get_school(session, school_id)
    return school is not None and await schools_not_stored(db, [(school, window)]) > 0


async def send_school_overview(turn: Turn, following: ReportsToFollow, school_id: int, window: ReportWindow, *,
                               limit: int, totals_only: bool, activity: str | None = None) -> None:
    """The school's overview over the window, within a group's limits (one activity's, with `activity`)."""
    t, db = turn.t, turn.core.db

    async def rendered(report: SchoolReport) -> Reply:
        text = school_text(report, t, activity=activity, limit=limit, totals_only=totals_only)
        return await drawn_reply(text, lambda: school_charts(report, t, activity=activity, limit=limit,
                                                             totals_only=totals_only))

    if following.can_send_later and await window_cold(db, school_id, window):
        reply = await following.answer(turn.event.chat, ("school", school_id, window),
                                       lambda: school_report(db, school_id, window), rendered, t,
                                       rendering=(activity, limit, totals_only, t.language))
        if reply is None:
            turn.say(t(PREPARING_SCHOOL))
            return
    else:
        reply = await rendered(await school_report(db, school_id, window))
    turn.say(reply.text, rows=reply.choices, attachments=reply.attachments)
