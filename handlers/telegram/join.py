"""/start: joining a school with an invite code, asking for a display name when Telegram's is not enough."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.activity_words import activities_phrase
from bot.chat.render import role_label
from bot.chat_state import ChatStateStore
from bot.core import Core
from bot.i18n import N_, Translator
from bot.membership import InviteProblem, Profile, clean_display_name, inspect_invite, join_with_invite, name_is_enough
from handlers.telegram.checkpoint import checkpointed_conversation
from handlers.telegram.common import Context, caller, reply
from handlers.telegram.keyboards import main_keyboard
from handlers.telegram.required import message_text, user, user_data

NAME = 0
INVITE_KEY = "invite_code"

INVITE_PROBLEMS = {
    "unknown": N_("I don't know this invite code. Check the link with your school's leader, or ask for a new one."),
    "expired": N_("This invite has expired. Ask your school's leader for a new one."),
    "used_up": N_("This invite has already been used. Ask your school's leader for a new one."),
}


def telegram_name(update: Update) -> str:
    sender = user(update)
    return " ".join(part for part in (sender.first_name, sender.last_name) if part).strip()


def welcome_text(profile: Profile, t: Translator) -> str:
    return t("Welcome, {name}! You have joined {school} as {role}.\n\nTap “📝 Log” below (or send /log) "
             "after each {activities}. /help lists everything I can do.",
             name=profile.display_name, school=profile.school_name, role=role_label(profile.role, t),
             activities=activities_phrase(profile.policy, profile.role, t))


class JoinConversation:
    def __init__(self, core: Core) -> None:
        self.core = core

    def handler(self) -> ConversationHandler:
        private = filters.ChatType.PRIVATE
        return checkpointed_conversation(
            ChatStateStore(self.core.db),
            entry_points=[CommandHandler("start", self.start, filters=private)],
            states={NAME: [MessageHandler(filters.TEXT & ~filters.COMMAND, self.on_name)]},
            fallbacks=[CommandHandler("cancel", self.on_cancel),
                       MessageHandler(filters.ALL, self.on_not_a_name)],
            name="join",
            allow_reentry=True,
        )

    async def start(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        t = who.t
        if who.profile is not None:
            await reply(update, t("You are already a member of {school} as {role}. Send /log to log an activity.",
                                  school=who.profile.school_name, role=role_label(who.profile.role, t)),
                        reply_markup=main_keyboard(t))
            return ConversationHandler.END
        if not context.args:
            await reply(update, t("Hello! I help teachers log home visits, calls and tutoring. To join, open the "
                                  "invite link from your school's leader, or send /start followed by the invite code."))
            return ConversationHandler.END
        code = context.args[0]
        now = self.core.clock.now()
        try:
            invite = await inspect_invite(self.core.db, code, now)
        except InviteProblem as problem:
            await reply(update, t(INVITE_PROBLEMS[problem.code]))
            return ConversationHandler.END
        name = clean_display_name(telegram_name(update))
        if name is not None and name_is_enough(name):
            return await self.join(update, context, code, name)
        user_data(context)[INVITE_KEY] = code
        await reply(update, t("You are joining {school} as {role}. What is your full name, as your colleagues "
                              "know it? (e.g. 王芳 or Wang Fang)", school=invite.school_name,
                              role=role_label(invite.role, t)))
        return NAME

    async def on_name(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        name = clean_display_name(message_text(update))
        if name is None:
            await reply(update, who.t("Please type your name (letters, at most 40 characters)."))
            return NAME
        code = user_data(context).get(INVITE_KEY)
        if code is None:
            await reply(update, who.t("Please open your invite link again."))
            return ConversationHandler.END
        return await self.join(update, context, code, name)

    async def join(self, update: Update, context: Context, code: str, name: str) -> int:
        user_data(context).pop(INVITE_KEY, None)
        try:
            profile, _created = await join_with_invite(self.core.db, code, telegram_user_id=user(update).id,
                                                       display_name=name, now=self.core.clock.now())
        except InviteProblem as problem:
            who = await caller(self.core, update)
            await reply(update, who.t(INVITE_PROBLEMS[problem.code]))
            return ConversationHandler.END
        who = await caller(self.core, update)
        await reply(update, welcome_text(profile, who.t), reply_markup=main_keyboard(who.t))
        return ConversationHandler.END

    async def on_not_a_name(self, update: Update, context: Context) -> int:
        who = await caller(self.core, update)
        await reply(update, who.t("Please type your name, or send /cancel."))
        return NAME

    async def on_cancel(self, update: Update, context: Context) -> int:
        user_data(context).pop(INVITE_KEY, None)
        who = await caller(self.core, update)
        await reply(update, who.t("Cancelled. Open the invite link again whenever you are ready."))
        return ConversationHandler.END
