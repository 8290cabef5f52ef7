"""What a member is told about an entry, whichever surface logged it — the chat's /log or a platform's form (Slack's
modal): why part of a one-liner could not be used, and the confirmation after Save with the running tally."""

from __future__ import annotations

import datetime as dt

from bot.chat.flows.log_texts import TALLY_TEXTS
from bot.chat.refusals import DURATION_ERRORS, NAME_ERRORS, NOTES_ERRORS, WHEN_ERRORS
from bot.chat.render import activity_label, when_text
from bot.i18n import Translator
from bot.logbook import entries
from bot.logbook.drafts import EntryDraft
from bot.logbook.log_rules import Refusal, tally_for
from bot.logbook.problems import problems_to_record
from bot.people.membership import Profile
from storage.db import Database

REFUSAL_TEXTS = {"student": NAME_ERRORS, "notes": NOTES_ERRORS, "when": WHEN_ERRORS, "duration": DURATION_ERRORS}


def refusal_text(t: Translator, refusal: Refusal) -> str:
    """Why a part of a one-liner was left out of the draft (see :func:`bot.logbook.log_rules.draft_from_one_liner`)."""
    return t(REFUSAL_TEXTS[refusal.field][refusal.code], limit=refusal.limit, length=refusal.length,
             days=refusal.limit)


async def saved_text(db: Database, profile: Profile, t: Translator, draft: EntryDraft, created: bool,
                     today: dt.date) -> str:
    """"✅ Saved: …", the count of the activity in its tally period, and the problems put on the school's list."""
    if not created:
        return t("This entry was already saved.")
    if draft.activity is None or draft.day is None:
        raise ValueError("a saved draft has an activity and a day")
    label = activity_label(profile.policy, draft.activity, t)
    text = t("✅ Saved: {activity} on {when}.", activity=label, when=when_text(draft.day, draft.time, t, today))
    if tally := tally_for(draft.day, today, profile.policy):
        count = (await entries.counts_between(db, profile, tally.start, tally.end)).get(draft.activity, 0)
        text += "\n" + t(TALLY_TEXTS[tally.period], activity=label, n=count)
    if problems := problems_to_record(draft, profile.policy):
        text += "\n" + t.n("{n} problem is on the school's problem list.",
                           "{n} problems are on the school's problem list.", len(problems))
    return text
