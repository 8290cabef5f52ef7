"""Who wrote: the member behind an account (None for strangers), the language to answer in, their today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.app_context import AppContext
from bot.chat.events import Person
from bot.i18n import Translator, choose_language, translator
from bot.people.membership import Profile, profile_for_account


@dataclass(frozen=True)
class Caller:
    profile: Profile | None
    t: Translator
    #: Today in the member's time zone on the core's clock (the clock's UTC day for strangers).
    today: dt.date

    @property
    def member(self) -> Profile:
        """The profile of a caller already known to be a member."""
        if self.profile is None:
            raise LookupError("this step needs a member, and the caller is not one")
        return self.profile


async def caller_of(core: AppContext, person: Person) -> Caller:
    now = core.clock.now()
    profile = await profile_for_account(core.db, person.platform, person.user_id, used_at=now)
    language = choose_language(profile.language if profile else None, person.language_code,
                               profile.school_language if profile else None)
    return Caller(profile, translator(language), (profile.local_now(now) if profile else now).date())


def not_a_member_text(t: Translator) -> str:
    return t("You are not a member of a school yet. Ask your school's leader for an invite link "
             "and open it, or send /start followed by the invite code.")
