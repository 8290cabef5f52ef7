"""/report: counts and rankings in a linked group; a member's own report, in detail, in a private chat.

In a group (see :mod:`bot.report_access`): only a linked group gets a report,
and only for members of its school; the report is posted to the group and holds
counts, shares and rankings — students' names and notes never. In a private
chat a member gets their own report with their entries (students' names and
notes), a leader any member's of their school (`/report @name`), and anyone
the school overview with `/report school` or `/report <activity>`.

Charts are drawn in a worker thread and sent as a photo (two as an album); the
text is their caption when it fits Telegram's 1024 characters, otherwise the
photos carry the title and the text follows as a message of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from telegram import InputMediaPhoto, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, TypeHandler

from bot.chat.render import entry_line
from bot.core import Core
from bot.i18n import Translator
from bot.membership import Profile
from bot.platforms import TELEGRAM
from bot.report_access import GroupAudience, group_audience, may_ask_in_group, may_see_details
from bot.report_charts import personal_charts, school_charts
from bot.report_request import (
    MemberLookup,
    ReportRequest,
    ReportRequestError,
    find_member,
    parse_report_request,
)
from bot.report_text import RANKING_LIMIT, headline, member_text, school_text
from bot.reports import NoSuchPeriod, ReportWindow, member_entries, personal_report, report_window, school_report
from bot.usernames import UsernameBook
from handlers.telegram.common import Caller, Context, caller, not_a_member_text, reply
from handlers.telegram.required import chat_of, member

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096
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
    ])


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Text cut at line ends into pieces Telegram accepts (a single over-long line is cut hard)."""
    pieces, current = [], ""
    for line in text.split("\n"):
        while utf16_length(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit // 2])
            line = line[limit // 2:]
        candidate = f"{current}\n{line}" if current else line
        if current and utf16_length(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def mentioned_user_id(message: Message | None) -> int | None:
    """The user a `/report` mentions by tapping their name (a text mention carries the user)."""
    if message is None:
        return None
    for entity in message.entities or ():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None:
            return entity.user.id
    return None


class ReportHandlers:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.usernames = UsernameBook(core.db)

    def handlers(self) -> list:
        return [CommandHandler("report", self.report)]

    def username_recorder(self) -> TypeHandler:
        """Notes members' @usernames from every update (register in a handler group after the others)."""
        return TypeHandler(Update, self.remember_username)

    async def remember_username(self, update: Update, context: Context) -> None:
        user = update.effective_user
        if user is not None and user.username:
            await self.usernames.remember(user.id, user.username)

    async def report(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        words = " ".join(context.args or [])
        if chat_of(update).type == ChatType.PRIVATE:
            await self.private_report(update, who, words)
        else:
            await self.group_report(update, who, words)

    # --- in a group ------------------------------------------------------------------------

    async def group_report(self, update: Update, who: Caller, words: str) -> None:
        t = who.t
        audience = await group_audience(self.core.db, TELEGRAM, str(chat_of(update).id))
        if audience is None:
            await reply(update, t("This group is not linked to a school, so I have no report for it. "
                                  "A school leader can link it by sending /link here."))
            return
        if not may_ask_in_group(who.profile, audience):
            await reply(update, t("Sorry, only members of the school this group is linked to can ask for "
                                  "its reports."))
            return
        request, window = await self.understand(update, who, words)
        if request is None or window is None:
            return
        if request.member is not None:
            await self.group_member_report(update, who, request, window, audience)
            return
        await self.school_overview(update, who.t, member(who), request, window,
                                   limit=min(audience.top_n or RANKING_LIMIT, RANKING_LIMIT),
                                   totals_only=audience.totals_only)

    async def group_member_report(self, update: Update, who: Caller, request: ReportRequest, window: ReportWindow,
                                  audience: GroupAudience) -> None:
        t = who.t
        if audience.totals_only:
            await reply(update, t("This group shows the school's totals only. Ask me in a private chat."))
            return
        found = await self.lookup(update, who, request)
        if found is None:
            return
        report = (await personal_report(self.core.db, audience.school_id, found.id, window)).without_students()
        text = member_text(report, t, private=False)
        await self.send_report(update, text, lambda: personal_charts(report, t))

    # --- in a private chat -----------------------------------------------------------------

    async def private_report(self, update: Update, who: Caller, words: str) -> None:
        t = who.t
        if who.profile is None:
            await reply(update, not_a_member_text(t))
            return
        request, window = await self.understand(update, who, words)
        if request is None or window is None:
            return
        if request.school or request.activity is not None:
            await self.school_overview(update, t, member(who), request, window, limit=RANKING_LIMIT,
                                       totals_only=False)
            return
        member_id = who.profile.member_id
        if request.member is not None:
            found = await self.lookup(update, who, request)
            if found is None:
                return
            if not may_see_details(who.profile, found):
                await reply(update, t("Only school leaders can see a colleague's report. "
                                      "In your school's group, /report @name shows their counts."))
                return
            member_id = found.id
        await self.detailed_report(update, t, member(who), member_id, window)

    async def detailed_report(self, update: Update, t: Translator, viewer: Profile, member_id: int,
                              window: ReportWindow) -> None:
        report = await personal_report(self.core.db, viewer.school_id, member_id, window)
        listed = await member_entries(self.core.db, viewer.school_id, member_id, window, ENTRY_LIST_LIMIT)
        lines = [member_text(report, t, private=True)]
        if listed.total:
            lines += ["", t("Entries in this period ({n}):", n=listed.total)]
            today = viewer.local_now(self.core.clock.now()).date()
            for number, entry in enumerate(listed.entries, 1):
                lines.append(f"{number}. {entry_line(self.preview(entry), viewer.policy, t, today)}")
            if listed.total > len(listed.entries):
                lines.append(t("…and {n} earlier.", n=listed.total - len(listed.entries)))
        await self.send_report(update, "\n".join(lines), lambda: personal_charts(report, t))

    @staticmethod
    def preview(entry):
        """The entry with its notes shortened for a list."""
        if entry.notes and len(entry.notes) > NOTE_PREVIEW_CHARS:
            return dataclasses.replace(entry, notes=entry.notes[:NOTE_PREVIEW_CHARS - 1] + "…")
        return entry

    # --- shared ----------------------------------------------------------------------------

    async def understand(self, update: Update, who: Caller, words: str
                         ) -> tuple[ReportRequest | None, ReportWindow | None]:
        """The request and its window; None after telling the person what is wrong."""
        t, profile = who.t, member(who)
        try:
            request = parse_report_request(words, profile.policy)
        except ReportRequestError:
            await reply(update, t("Ask for one member or one activity, not both.") + "\n\n" + usage_text(t))
            return None, None
        today = who.today
        try:
            window = report_window(request.kind, request.previous, today, profile.policy, year=request.year)
        except NoSuchPeriod:
            await reply(update, t("The school calendar has no such period yet (terms are set in the school's "
                                  "policy)."))
            return None, None
        return request, window

    async def lookup(self, update: Update, who: Caller, request: ReportRequest):
        """The member the request names, within the asker's school; None after saying who was not found."""
        t = who.t
        if request.member is None:
            raise ValueError("lookup needs a request that names a member")
        found: MemberLookup = await find_member(self.core.db, member(who).school_id, request.member,
                                                self.usernames, mentioned_user_id(update.effective_message))
        if found.member is not None:
            return found.member
        if found.candidates:
            await reply(update, t("“{name}” fits several members: {names}. Please give the full name.",
                                  name=request.member, names=", ".join(found.candidates[:10])))
        else:
            await reply(update, t("I found no member of your school called “{name}”.", name=request.member)
                        + "\n\n" + usage_text(t))
        return None

    async def school_overview(self, update: Update, t: Translator, profile: Profile, request: ReportRequest,
                              window: ReportWindow, *, limit: int, totals_only: bool) -> None:
        report = await school_report(self.core.db, profile.school_id, window)
        text = school_text(report, t, activity=request.activity, limit=limit, totals_only=totals_only)
        await self.send_report(update, text, lambda: school_charts(
            report, t, activity=request.activity, limit=limit, totals_only=totals_only))

    async def send_report(self, update: Update, text: str, draw) -> None:
        """The charts (drawn off the event loop) with the text as caption if it fits, else after them."""
        try:
            pictures = await asyncio.to_thread(draw)
        except Exception:  # a report without its chart beats no report
            log.exception("could not draw the report's charts")
            pictures = []
        chat = chat_of(update)
        fits = utf16_length(text) <= CAPTION_LIMIT
        caption = text if fits else headline(text)
        if len(pictures) == 1:
            await chat.send_photo(pictures[0], caption=caption)
        elif pictures:
            await chat.send_media_group([InputMediaPhoto(png, caption=caption if i == 0 else None)
                                         for i, png in enumerate(pictures)])
        if pictures and fits:
            return
        for piece in split_message(text):
            await reply(update, piece)
