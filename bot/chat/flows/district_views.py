"""/report for a district, as part of the /report flow: `/report district [ZONE] [PERIOD]` (also 全县, 全区) and
`/report school NAME [PERIOD]`, and the buttons under a district report that open one school's overview.

A district report with schools that have nothing stored for the period (after a policy change, an upgrade, or
before the day's first notification round) would keep the chat waiting while they are computed from the
entries: where the platform can send later and that takes more than a moment, the answer says the report follows,
and it is sent when ready (:mod:`bot.chat.flows.reports_to_follow`).

Who may see what is :mod:`bot.reporting.district_access`: the bureau's leaders in a private chat, and the
bureau's members in a group linked to the bureau, see every school of their district and nothing of another;
anyone else asking for the district, or naming another school than their own, is refused. A school's overview
is exactly what its own linked group gets, and the district report names no member: nothing a group may not see.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from bot.chat.actions import ShowSchoolReport
from bot.chat.flows.reports_to_follow import ReportsToFollow
from bot.chat.flows.school_overview import send_school_overview
from bot.chat.replies import Attachment, Choice, Reply, in_rows
from bot.chat.turn import Turn
from bot.i18n import N_, Translator
from bot.people.schools import SchoolError, policy_of
from bot.people.students import student_key
from bot.quotas.policy.sources import policy_from_text
from bot.reporting.district_access import (
    Bureau,
    asks_for_district,
    bureau_of_school,
    find_district_school,
    school_in_district,
)
from bot.reporting.district_reports import (
    BEHIND,
    DistrictReport,
    NoSuchZone,
    SchoolStanding,
    district_report,
    schools_to_compute,
)
from bot.reporting.district_text import CHAT_RANKING_LIMIT, district_text
from bot.reporting.report_charts import district_charts
from bot.reporting.report_request import SCHOOL_WORDS, ReportRequest, ReportRequestError, parse_report_request
from bot.reporting.report_text import RANKING_LIMIT
from bot.reporting.reports import NoSuchPeriod, ReportWindow, report_window
from storage import districts as queries
from storage.models import School

log = logging.getLogger(__name__)

PREPARING_DISTRICT = N_("Preparing the district's report from the entries: it follows in a moment.")
ONLY_BUREAU_LEADERS = "Only the bureau's leaders can see the district's report."
OWN_SCHOOL_ONLY = "You can see your own school's report only."
NOT_IN_DISTRICT = "That school is not in your district."


@dataclass(frozen=True)
class Where:
    """Where /report was asked: the asker's school (a private chat) or the group's, and the group's limits."""

    school_id: int
    group: bool
    limit: int = RANKING_LIMIT
    totals_only: bool = False


class DistrictViews:
    """The district's part of /report; `following` holds the reports computed after the answer (nothing stored
    yet), shared with the school's /report."""

    def __init__(self, following: ReportsToFollow) -> None:
        self.following = following

    async def answer(self, turn: Turn, words: str, where: Where) -> bool:
        """Answer `/report WORDS` when it asks for the district or names a school; False when it does neither."""
        district_asked, rest = asks_for_district(words)
        if district_asked:
            bureau = await self.bureau_for(turn, where)
            if bureau is not None:
                await self.district(turn, bureau, rest)
            return True
        first, _, rest = words.strip().partition(" ")
        if first.casefold() not in SCHOOL_WORDS or not rest.strip():
            return False
        try:
            request = parse_report_request(rest, turn.member.policy)
        except ReportRequestError:
            return False
        if request.member is None:
            return False
        return await self.named_school(turn, where, request.member, rest)

    async def bureau_for(self, turn: Turn, where: Where) -> Bureau | None:
        """The bureau the asker may see the district of; None after refusing."""
        bureau = await bureau_of_school(turn.core.db, where.school_id)
        if bureau is None or (not where.group and not turn.member.is_leader):
            turn.say(turn.t(ONLY_BUREAU_LEADERS))
            return None
        return bureau

    async def district(self, turn: Turn, bureau: Bureau, words: str) -> None:
        t, db = turn.t, turn.core.db
        async with db.transaction() as session:
            found = await queries.get_district(session, bureau.district_id)
        assert found is not None
        try:
            request = parse_report_request(words, policy_from_text(found.policy_text))
        except ReportRequestError:
            request = None
        if request is None or request.activity is not None:
            turn.say(t("A district's report covers a period and a zone, not an activity."))
            return
        today, chat = turn.today, turn.event.chat
        if self.following.can_send_later and await self.cold(db, bureau, request, today):
            key = ("district", bureau.district_id, request.kind, request.previous, request.year, request.member, today)
            answered = await self.following.answer(chat, key, lambda: self.district_data(db, bureau, request, today),
                                                   lambda found: self.district_reply(found, request, t), t,
                                                   rendering=t.language)
            if answered is None:
                turn.say(t(PREPARING_DISTRICT))
                return
            reply = answered
        else:
            reply = await self.district_reply(await self.district_data(db, bureau, request, today), request, t)
        turn.say(reply.text, rows=reply.choices, attachments=reply.attachments)

    async def cold(self, db, bureau: Bureau, request: ReportRequest, today: dt.date) -> bool:
        """Whether a school of the district has nothing stored for the period (after a policy change, an upgrade,
        or before the day's first notification round): the report would first compute it from the entries."""
        try:
            return await schools_to_compute(db, bureau.district_id, request.kind, request.previous, today,
                                            year=request.year) > 0
        except SchoolError:
            return False

    async def district_data(self, db, bureau: Bureau, request: ReportRequest,
                            today: dt.date) -> DistrictReport | NoSuchPeriod | NoSuchZone:
        """The district's report, or why there is none."""
        try:
            return await district_report(db, bureau.district_id, request.kind, request.previous, today,
                                         year=request.year, zone=request.member)
        except (NoSuchPeriod, NoSuchZone) as missing:
            return missing

    async def district_reply(self, report: DistrictReport | NoSuchPeriod | NoSuchZone, request: ReportRequest,
                             t: Translator) -> Reply:
        """The district's report with its chart and a button for each school behind, or why there is none."""
        if isinstance(report, NoSuchPeriod):
            return Reply(t("The school calendar has no such period yet (terms are set in the school's policy)."))
        if isinstance(report, NoSuchZone):
            return Reply(t("No school of your district is in the zone “{zone}”. Zones: {zones}", zone=request.member,
                           zones=t.listing(report.zones) or "—"))
        which = "last" if request.previous else "this"
        behind = [placed.item for placed in report.furthest_behind[:BEHIND] if isinstance(placed.item, SchoolStanding)]
        choices = [] if request.year is not None else [
            Choice(school.name, ShowSchoolReport(school.school_id, request.kind, which)) for school in behind]
        try:
            pictures = await asyncio.to_thread(district_charts, report, t, limit=CHAT_RANKING_LIMIT)
        except Exception:
            log.exception("could not draw the district report's chart")
            pictures = []
        return Reply(district_text(report, t, limit=CHAT_RANKING_LIMIT), in_rows(choices, 2), False,
                     tuple(Attachment(f"report-{number}.png", png, "image") for number, png in enumerate(pictures, 1)))

    async def named_school(self, turn: Turn, where: Where, name: str, words: str) -> bool:
        """`/report school NAME …`: a school of the bureau's district; a school's own people only their own."""
        t, db = turn.t, turn.core.db
        bureau = await bureau_of_school(db, where.school_id)
        if bureau is None:
            async with db.transaction() as session:
                own = await session.get(School, where.school_id)
            if own is not None and student_key(name) in student_key(own.name):
                await self.school_named(turn, where, own, name, words)
            else:
                turn.say(t(OWN_SCHOOL_ONLY))
            return True
        if not where.group and not turn.member.is_leader:
            turn.say(t(ONLY_BUREAU_LEADERS))
            return True
        lookup = await find_district_school(db, bureau.district_id, name)
        if lookup.school is None:
            turn.say(t("“{name}” fits several schools: {names}. Please give more of the name.", name=name,
                       names=t.listing(lookup.candidates[:10])) if lookup.candidates
                     else t("No school of your district is called “{name}”.", name=name))
            return True
        await self.school_named(turn, where, lookup.school, name, words)
        return True

    async def school_named(self, turn: Turn, where: Where, school: School, name: str, words: str) -> None:
        """The school's overview over the period the words other than its name ask for."""
        request = parse_report_request(words.replace(name, "", 1), policy_of(school))
        await self.school(turn, where, school, request.kind, request.previous, request.year)

    async def tapped(self, turn: Turn, action: ShowSchoolReport, where: Where) -> None:
        """A button under a district report: refused unless the tapper sees the district and the school is in it."""
        t = turn.t
        bureau = await bureau_of_school(turn.core.db, where.school_id)
        if bureau is None or (not where.group and not turn.member.is_leader):
            turn.say(t(ONLY_BUREAU_LEADERS))
            return
        school = await school_in_district(turn.core.db, bureau.district_id, action.school_id)
        if school is None:
            turn.say(t(NOT_IN_DISTRICT))
            return
        await self.school(turn, where, school, action.kind, action.which == "last", None)

    async def school(self, turn: Turn, where: Where, school: School, kind: str, previous: bool,
                     year: int | None) -> None:
        """The school's overview, as its own linked group gets it, within the asking group's limits."""
        t = turn.t
        try:
            window: ReportWindow = report_window(kind, previous, turn.today, policy_of(school), year=year)
        except NoSuchPeriod:
            turn.say(t("The school calendar has no such period yet (terms are set in the school's policy)."))
            return
        await send_school_overview(turn, self.following, school.id, window, limit=where.limit,
                                   totals_only=where.totals_only)
