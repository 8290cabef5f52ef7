"""Every refusal the chat gives, by code: the one catalogue flows and adapters take their messages from.

A service raises an error with a code (`WhenError("future")`, `LinkRefused("other_school")` …); the flow
answers with the message filed here under that code, translated. Messages may name `{placeholders}`.
"""

from __future__ import annotations

from bot.i18n import N_

NOT_ALLOWED = N_("Only leaders and the member it is assigned to can do that.")


WHEN_ERRORS = {
    "unparseable": N_("I could not read that date. Try “yesterday 4pm”, “fri”, “昨天下午3点” or “11月20号”."),
    "future": N_("That is in the future. Log activities that have already happened."),
    "too_old": N_("That is more than {days} days ago. Ask a leader to record older activities."),
    "weekday_mismatch": N_("That date is not on the weekday you wrote. Check both, or send the date alone, "
                           "e.g. “11月20号”."),
}


DURATION_ERRORS = {
    "unparseable": N_("I could not read that duration. Try “45”, “1h”, “1h30” or “半小时”."),
    "too_long": N_("That is more than 12 hours. Type the duration in minutes or hours, e.g. “90” or “1.5h”."),
    "not_positive": N_("The duration must be more than zero minutes."),
}


NAME_ERRORS = {
    "empty": N_("Please type the student's or family's name."),
    "too_long": N_("That name is too long (at most {limit} characters)."),
}


PLACE_ERRORS = {"empty": N_("Please type the place's name."), "too_long": NAME_ERRORS["too_long"]}


NOTES_ERRORS = {
    "empty": N_("Please type your notes, or tap Skip."),
    "too_long": N_("Notes can be at most {limit} characters; yours has {length}. Please shorten them."),
}


PROBLEM_TEXT_ERRORS = {
    "empty": N_("Please type the problem, or tap Done."),
    "too_long": N_("A problem can be at most {limit} characters; yours has {length}. Please shorten it."),
}


PROBLEM_RESULT_ERRORS = {
    "empty": N_("Please type what was done about it."),
    "too_long": N_("The result can be at most {limit} characters; yours has {length}. Please shorten it."),
}


PROBLEM_REFUSALS = {
    "unknown": N_("This problem is no longer on the list."),
    "closed": N_("This problem is already closed."),
    "not_allowed": NOT_ALLOWED,
}


RECORD_REFUSALS = {
    "empty": N_("Please type the text, or send a photo or file."),
    "too_long": N_("That is too long (at most {limit} characters). Send it as a file instead."),
}


LINK_REFUSALS = {
    "not_leader": N_("Only a school leader can link or unlink this group."),
    "other_school": N_("This group is linked to another school; a leader of that school must /unlink it first."),
    "not_linked": N_("This group is not linked. A school leader can send /link here."),
}


EXPORT_RANGE_ERRORS = {
    "unparseable": N_("I could not read the date “{text}”. Type it like 2026-11-01 or 11月1号."),
    "order": N_("The first date is after the second. Send /export FROM TO, e.g. /export 2026-11-01 2026-11-18."),
    "too_many": N_("Give at most two dates: /export FROM TO, e.g. /export 2026-11-01 2026-11-18."),
}


REMINDER_TIME_ERRORS = {
    "unparseable": N_("I could not read that time. Send it like this: /settings 17:30"),
    "quiet": N_("That is in the quiet hours ({start}–{end}), when I send nothing. Choose another time."),
}


INVITE_PROBLEMS = {
    "unknown": N_("I don't know this invite code. Check the link with your school's leader, or ask for a new one."),
    "expired": N_("This invite has expired. Ask your school's leader for a new one."),
    "used_up": N_("This invite has already been used. Ask your school's leader for a new one."),
}


AWAY_ERRORS = {
    "unparseable": N_("I could not read that day. Try “/away until 2026-12-03”, “/away 11月30号”, "
                      "“/away dec 3” or “/away 3 days”."),
    "past": N_("That day has already passed. Give the last day you will be away."),
    "too_far": N_("That is more than {days} days ahead. Give a nearer day."),
}
