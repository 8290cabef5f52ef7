"""/record: send a written record the plan asks for (家访心得体会, 蹲点日记, 建议书 …) as text, a photo or a file.

/record → the policy's record kinds as buttons → the member types the text or
sends a photo or document (a caption is kept as its text) → saved. /cancel stops.
"""

from __future__ import annotations

import datetime as dt
import warnings

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.actions import ChooseRecord, IsKind
from bot.chat_state import ChatStateStore
from bot.core import Core
from bot.i18n import N_
from bot.records import RecordFile, RecordRefused, save_record
from handlers.telegram.checkpoint import checkpointed_conversation
from handlers.telegram.common import Context, answer_tap, caller, not_a_member_text, reply, tapped
from handlers.telegram.keyboards import inline

CHOOSE_KIND, CONTENT = range(2)
KIND_KEY = "record_kind"
REFUSALS = {
    "empty": N_("Please type the text, or send a photo or file."),
    "too_long": N_("That is too long (at most {limit} characters). Send it as a file instead."),
}


class RecordConversation:
    """The /record conversation for one bot."""

    def __init__(self, core: Core, idle_timeout: dt.timedelta | float) -> None:
        self.core = core
        self.idle_timeout = idle_timeout

    def handler(self) -> ConversationHandler:
        private = filters.ChatType.PRIVATE
        content = private & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
            return checkpointed_conversation(
                ChatStateStore(self.core.db),
                entry_points=[CommandHandler("record", self.start, filters=private)],
                states={
                    CHOOSE_KIND: [CallbackQueryHandler(self.on_kind, pattern=IsKind(ChooseRecord))],
                    CONTENT: [MessageHandler(content, self.on_content)],
                },
                fallbacks=[CommandHandler("cancel", self.on_cancel, filters=private)],
                allow_reentry=True,
                name="records",
                conversation_timeout=self.idle_timeout,
            )

    async def start(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        if who.profile is None:
            await reply(update, not_a_member_text(who.t))
            return ConversationHandler.END
        kinds = who.profile.policy.records
        if not kinds:
            await reply(update, who.t("Your school's plan asks for no written records."))
            return ConversationHandler.END
        buttons = [(kind.label(who.t.language), ChooseRecord(kind.code)) for kind in kinds]
        await reply(update, who.t("Which record is it?"), reply_markup=inline(buttons))
        return CHOOSE_KIND

    async def on_kind(self, update: Update, context: Context) -> int:
        await answer_tap(update)
        who = await caller(self.core, update)
        if who.profile is None:
            return ConversationHandler.END
        assert context.user_data is not None  # a tap's update
        context.user_data[KIND_KEY] = tapped(update, ChooseRecord).kind
        await reply(update, who.t("Type it, or send a photo or a file (a caption is kept with it)."))
        return CONTENT

    async def on_content(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        message, user_data = update.message, context.user_data
        assert message is not None and user_data is not None  # the state's handler takes messages only
        kind = user_data.get(KIND_KEY)
        if who.profile is None or kind is None:
            return ConversationHandler.END
        now = self.core.clock.now()
        try:
            saved = await save_record(self.core.db, who.profile, kind, today=who.today,
                                      now=now, text=message.text or message.caption, file=_file_of(message))
        except RecordRefused as refused:
            if refused.code == "kind":
                await reply(update, who.t("Your school's plan no longer has that record. Send /record again."))
                return ConversationHandler.END
            await reply(update, who.t(REFUSALS[refused.code], limit=refused.limit))
            return CONTENT
        user_data.pop(KIND_KEY, None)
        label = who.profile.policy.record_kind(saved.kind).label(who.t.language)
        await reply(update, who.t("Saved: {record}.", record=label) if saved.entry_id is None else
                    who.t("Saved: {record}, with the entry you just logged.", record=label))
        return ConversationHandler.END

    async def on_cancel(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        if context.user_data is not None:
            context.user_data.pop(KIND_KEY, None)
        await reply(update, who.t("Cancelled. Nothing was saved."))
        return ConversationHandler.END


def _file_of(message: Message) -> RecordFile | None:
    """The photo (its largest size) or document of a message, as a file id the Bot API can fetch later."""
    if message.photo:
        return RecordFile("telegram", message.photo[-1].file_id, None, "image/jpeg")
    if message.document:
        document = message.document
        return RecordFile("telegram", document.file_id, document.file_name, document.mime_type)
    return None
