"""How entries, dates and durations read in a chat, in Chinese and English."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from bot.i18n import N_, Translator
from bot.logbook.drafts import EntryDraft
from bot.logbook.entries import EntryView
from bot.quotas.policy import Policy


def day_text(day: dt.date, t: Translator, today: dt.date) -> str:
    """The day as people read it; with its year when that is not the year of ``today``."""
    pattern = "M月d日 EEE" if t.language == "zh" else "EEE d MMM"
    if day.year != today.year:
        pattern = "y年M月d日 EEE" if t.language == "zh" else "EEE d MMM y"
    return format_date(day, pattern, locale=t.language)


def when_text(day: dt.date, time: dt.time | None, t: Translator, today: dt.date) -> str:
    text = day_text(day, t, today)
    return f"{text} {time.strftime('%H:%M')}" if time else text


def duration_text(minutes: int, t: Translator) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return t("{h} h {m} min", h=hours, m=rest)
    if hours:
        return t("{h} h", h=hours)
    return t("{m} min", m=rest)


def activity_label(policy: Policy, code: str, t: Translator) -> str:
    activity = policy.find_activity(code)
    return activity.label(t.language) if activity else code


def draft_summary(draft: EntryDraft, policy: Policy, t: Translator, today: dt.date) -> str:
    if draft.activity is None:
        raise ValueError("a draft is summarised once its activity is chosen")
    lines = [t("Please check this entry:"), "", f"📝 {activity_label(policy, draft.activity, t)}"]
    if draft.student:
        lines.append(f"👤 {draft.student}")
    if draft.place:
        lines.append(f"📍 {draft.place}")
    if draft.covisitor_name:
        lines.append("🤝 " + t("with {name}", name=draft.covisitor_name))
    if draft.day:
        lines.append(f"📅 {when_text(draft.day, draft.time, t, today)}")
    if draft.duration_minutes is not None:
        lines.append(f"⏱ {duration_text(draft.duration_minutes, t)}")
    if draft.notes:
        lines.append(f"🗒 {draft.notes}")
    return "\n".join(lines)


def entry_line(entry: EntryView, policy: Policy, t: Translator, today: dt.date) -> str:
    parts = [when_text(entry.day, entry.time, t, today), activity_label(policy, entry.activity, t)]
    if entry.student:
        parts.append(entry.student)
    if entry.duration_minutes is not None:
        parts.append(duration_text(entry.duration_minutes, t))
    line = " · ".join(parts)
    if not entry.own:
        line += " " + t("(co-visit)")
    if entry.notes:
        line += f"\n    🗒 {entry.notes}"
    return line


ROLE_LABELS = {
    "leader": N_("leader"),
    "head_teacher": N_("head teacher"),
    "teacher": N_("teacher"),
    "staff": N_("staff member"),
}


def role_label(role: str, t: Translator) -> str:
    return t(ROLE_LABELS[role]) if role in ROLE_LABELS else role
