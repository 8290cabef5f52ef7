"""/report: counts and rankings in a linked group; a member's own report, in detail, in a private chat.

In a group (see :mod:`bot.reporting.report_access`): only a linked group gets a report,
and only for members of its school; the report holds counts, shares and
rankings — students' names and notes never. In a private chat a member gets
their own report with their entries (students' names and notes), a leader any
member's of their school (`/report @name`), and anyone the school overview with
`/report school` or `/report <activity>`. The bureau's leaders also get their district's
(`/report district`, 全县, 全区) and any of its schools (`/report school NAME`), see
:mod:`bot.chat.flows.district_views`.

Charts are drawn in a worker thread and come as image attachments of the
report's reply; the adapter puts the text under them as far as its platform
allows (Telegram: the caption if it fits, else the title, and the text after).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from bot.chat.actions import ShowSchoolReport
from bot.chat.flow import END, Flow
from bot.chat.flows.district_views import DistrictViews, Where
from bot.chat.flows.reports_to_follow import ReportsToFollow
from bot.chat.flows.school_overview import Draw, drawn_reply, send_school_overview
from bot.chat.outbound import Outbound
from bot.chat.render import entry_line
from bot.chat.turn import Turn
from bot.i18n import Translator
from bot.logbook.entries import EntryView
from bot.people.usernames import UsernameBook
from bot.reporting.report_access import GroupAudience, group_audience, may_ask_in_group, may_see_details
from bot.reporting.report_charts import personal_charts
from bot.reporting.report_request import ReportRequest, ReportRequestError, find_member, parse_report_request
from bot.reporting.report_text import RANKING_LIMIT, member_text
from bot.reporting.reports import (
    NoSuchPeriod,
    ReportWindow,
    member_entries,
    personal_report,
    report_window,
)

if TYPE_CHECKING:
    from storage.models import Member

log = logging.getLogger(__name__)

ENTRY_LIST_LIMIT = 30
NOTE_PREVIEW_CHARS = 200


def usage_text(t: Translator) -> str:
    return "\n".join([
        t("How to ask for a report:"),
        "/report — " + t("this week"),
        "/report last week · month · quarter · term · year — " + t("another period"),
        "/report 上周 · 本月 · 本季度 · 本学期 · 今年",
        "/report @name — " + t("one member's counts"),
        "/report 家访 — " + t("one activity"),
        "/report district · 全县 — " + t("the district's schools (the bureau's leaders)"),
        "/report school NAME — " + t("one school of the district (the bureau's leaders)"),
    ])


def preview(entry: EntryView) -> EntryView:
    """The entry with its notes shortened for a list."""
    if entry.notes and len(entry.notes) > NOTE_PREVIEW_CHARS:
        return dataclasses.replace(entry, notes=entry.notes[:NOTE_PREVIEW_CHARS - 1] + "…")
    return entry


class Report(Flow):
    name = "report"
    actions = (ShowSchoolReport,)

    def __init__(self, outbound: Outbound | None = None) -> None:
        self.following = ReportsToFollow(outbound)
        self.districts = DistrictViews(self.following)

    async def settled(self) -> None:
        await self.following.settled()

    async def start(self, turn: Turn) -> None:
        command = turn.event.command
        words = command.args if command is not None else ""
        if isinstance(turn.event.action, ShowSchoolReport):
            await self.tapped_school(turn, turn.event.action)
        elif turn.event.private:
            await self.private_report(turn, words)
        else:
            await self.group_report(turn, words)
        return END

    # --- in a group ------------------------------------------------------------------------

    async def group_report(self, turn: Turn, words: str) -> None:
        t, chat = turn.t, turn.event.chat
        audience = await group_audience(turn.core.db, chat.platform, chat.chat_id)
        if audience is None:
            turn.say(t("This group is not linked to a school, so I have no report for it. "
                       "A school leader can link it by sending /link here."))
            return
        if not may_ask_in_group(turn.profile, audience):
            turn.say(t("Sorry, only members of the school this group is linked to can ask for its reports."))
            return
        where = Where(audience.school_id, group=True, limit=audience.ranking_limit(RANKING_LIMIT),
                      totals_only=audience.totals_only)
        if await self.districts.answer(turn, words, where):
            return
        understood = self.understand(turn, words)
        if understood is None:
            return
        request, window = understood
        if request.member is not None:
            await self.group_member_report(turn, request, window, audience)
            return
        await self.school_overview(turn, request, window, limit=audience.ranking_limit(RANKING_LIMIT),
                                   totals_only=audience.totals_only)

    async def group_member_report(self, turn: Turn, request: ReportRequest, window: ReportWindow,
                                  audience: GroupAudience) -> None:
        t = turn.t
        if audience.totals_only:
            turn.say(t("This group shows the school's totals only. Ask me in a private chat."))
            return
        found = await self.lookup(turn, request)
        if found is None:
            return
        report = (await personal_report(turn.core.db, audience.school_id, found.id, window)).without_students()
        await self.send_report(turn, member_text(report, t, private=False), lambda: personal_charts(report, t))

    # --- in a private chat -----------------------------------------------------------------

    async def private_report(self, turn: Turn, words: str) -> None:
        t = turn.t
        if not turn.members_only():
            return
        if await self.districts.answer(turn, words, Where(turn.member.school_id, group=False)):
            return
        understood = self.understand(turn, words)
        if understood is None:
            return
        request, window = understood
        if request.school or request.activity is not None:
            await self.school_overview(turn, request, window, limit=RANKING_LIMIT, totals_only=False)
            return
        member_id = turn.member.member_id
        if request.member is not None:
            found = await self.lookup(turn, request)
            if found is None:
                return
            if not may_see_details(turn.member, found):
                turn.say(t("Only school leaders can see a colleague's report. "
                           "In your school's group, /report @name shows their counts."))
                return
            member_id = found.id
        await self.detailed_report(turn, member_id, window)

    async def detailed_report(self, turn: Turn, member_id: int, window: ReportWindow) -> None:
        t, viewer, db = turn.t, turn.member, turn.core.db
        report = await personal_report(db, viewer.school_id, member_id, window)
        listed = await member_entries(db, viewer.school_id, member_id, window, ENTRY_LIST_LIMIT)
        lines = [member_text(report, t, private=True)]
        if listed.total:
            lines += ["", t("Entries in this period ({n}):", n=listed.total)]
            for number, entry in enumerate(listed.entries, 1):
                lines.append(f"{number}. {entry_line(preview(entry), viewer.policy, t, turn.today)}")
            if listed.total > len(listed.entries):
                lines.append(t("…and {n} earlier.", n=listed.total - len(listed.entries)))
        await self.send_report(turn, "\n".join(lines), lambda: personal_charts(report, t))

    async def tapped_school(self, turn: Turn, action: ShowSchoolReport) -> None:
        """A button under a district report, in a private chat or a group: checked again on every tap."""
        t, chat = turn.t, turn.event.chat
        if turn.event.private:
            if turn.members_only():
                await self.districts.tapped(turn, action, Where(turn.member.school_id, group=False))
            return
        audience = await group_audience(turn.core.db, chat.platform, chat.chat_id)
        if audience is None or not may_ask_in_group(turn.profile, audience):
            turn.say(t("Sorry, only members of the school this group is linked to can ask for its reports."))
            return
        await self.districts.tapped(turn, action, Where(audience.school_id, group=True,
                                                        limit=audience.ranking_limit(RANKING_LIMIT),
                                                        totals_only=audience.totals_only))

    # --- shared ----------------------------------------------------------------------------

    def understand(self, turn: Turn, words: str) -> tuple[ReportRequest, ReportWindow] | None:
        """The request and its window; None after telling the person what is wrong."""
        t, profile = turn.t, turn.member
        try:
            request = parse_report_request(words, profile.policy)
        except ReportRequestError:
            turn.say(t("Ask for one member or one activity, not both.") + "\n\n" + usage_text(t))
            return None
        try:
            window = report_window(request.kind, request.previous, turn.today, profile.policy, year=request.year)
        except NoSuchPeriod:
            turn.say(t("The school calendar has no such period yet (terms are set in the school's policy)."))
            return None
        return request, window

    async def lookup(self, turn: Turn, request: ReportRequest) -> Member | None:
        """The member the request names, within the asker's school; None after saying who was not found."""
        t, event = turn.t, turn.event
        if request.member is None:
            raise ValueError("lookup needs a request that names a member")
        mentioned = (event.person.platform, event.mentions[0]) if event.mentions else None
        found = await find_member(turn.core.db, turn.member.school_id, request.member, UsernameBook(turn.core.db),
                                  mentioned)
        if found.member is not None:
            return found.member
        if found.candidates:
            turn.say(t("“{name}” fits several members: {names}. Please give the full name.",
                       name=request.member, names=t.listing(found.candidates[:10])))
        else:
            turn.say(t("I found no member of your school called “{name}”.", name=request.member)
                     + "\n\n" + usage_text(t))
        return None

    async def school_overview(self, turn: Turn, request: ReportRequest, window: ReportWindow, *, limit: int,
                              totals_only: bool) -> None:
        await send_school_overview(turn, self.following, turn.member.school_id, window, limit=limit,
                                   totals_only=totals_only, activity=request.activity)

    async def send_report(self, turn: Turn, text: str, draw: Draw) -> None:
        """The text with its charts, drawn off the event loop."""
        reply = await drawn_reply(text, draw)
        turn.say(reply.text, attachments=reply.attachments)
