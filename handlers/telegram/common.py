"""Per-update helpers: who is writing, in which language, and replying to them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from telegram import Update
from telegram.ext import ContextTypes

from bot.actions import Action, decode
from bot.core import Core
from bot.i18n import Translator, choose_language, translator
from bot.membership import Profile, profile_for_account
from bot.platforms import TELEGRAM
from handlers.telegram.checkpoint import hold

Context = ContextTypes.DEFAULT_TYPE
A = TypeVar("A", bound=Action)


@dataclass(frozen=True)
class Caller:
    profile: Profile | None
    t: Translator
    #: Today in the member's time zone on the core's clock (the clock's UTC day for strangers).
    today: dt.date


async def caller(core: Core, update: Update) -> Caller:
    """The member behind an update (None for strangers) and the language to answer in."""
    user = update.effective_user
    now = core.clock.now()
    profile = await profile_for_account(core.db, TELEGRAM, str(user.id), used_at=now) if user else None
    client_language = user.language_code if user else None
    language = choose_language(profile.language if profile else None, client_language,
                               profile.school_language if profile else None)
    return Caller(profile, translator(language), (profile.local_now(now) if profile else now).date())


async def reply(update: Update, text: str, **kwargs) -> None:
    """Answer in the chat the update came from, whether it was a message or a button tap.

    Within a conversation step the answer waits until the step is saved (see `checkpoint`).
    """
    chat = update.effective_chat
    if chat is None:
        raise ValueError(f"update {update.update_id} has no chat to answer in")
    if not hold(lambda: chat.send_message(text, **kwargs)):
        await chat.send_message(text, **kwargs)


async def answer_tap(update: Update, text: str | None = None) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text)


def tapped_action(update: Update) -> Action | None:
    """The action of the button tapped; None when its data is malformed or the update is not a tap."""
    return decode(update.callback_query.data if update.callback_query else None)


def tapped(update: Update, kind: type[A]) -> A:
    """The action of the button tapped; the handler's pattern (``IsKind(kind)``) has already checked its kind."""
    action = tapped_action(update)
    if not isinstance(action, kind):
        raise TypeError(f"a {kind.__name__} handler was given {action!r}")
    return action


def not_a_member_text(t: Translator) -> str:
    return t("You are not a member of a school yet. Ask your school's leader for an invite link "
             "and open it, or send /start followed by the invite code.")
