"""Where the public-holiday data runs out, said plainly.

chinese-calendar publishes each year's public holidays and make-up workdays
only once the State Council announces them. For a later year a school that
opted in to public holidays would silently count them as working days (pace,
proration, reminders); these helpers name such years so that `policy check`,
`policy set` and the leaders' views can say so, until the policy lists them
under ``calendar.holidays`` and ``calendar.workdays``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.i18n import Translator
from bot.quotas.calendar import CHINESE_CALENDAR_YEARS, SchoolCalendar
from bot.quotas.periods import current_period
from bot.quotas.policy import Policy


def years_without_holidays_now(policy: Policy, today: date) -> tuple[int, ...]:
    """Years of today and of the rules' periods running today whose public holidays nobody knows."""
    calendar = SchoolCalendar.of(policy)
    periods = [period for rule in policy.rules if (period := current_period(rule.period, today, calendar))]
    start = min([today, *(period.start for period in periods)])
    end = max([today, *(period.end for period in periods)])
    return calendar.years_without_holidays(start, end)


def years_without_holidays_in_policy(policy: Policy, today: date) -> tuple[int, ...]:
    """Years the policy's calendar spans (terms, blackouts, phases, and today) whose public holidays nobody knows."""
    config = policy.calendar
    days = [today]
    days += [day for term in config.terms for day in (term.start, term.end)]
    days += [day for blackout in config.blackouts for day in (blackout.start, blackout.last_day)]
    days += [day for phase in policy.phases for day in (phase.start, phase.end)]
    return SchoolCalendar.of(policy).years_without_holidays(min(days), max(days))


def years_text(years: Sequence[int]) -> str:
    return ", ".join(str(year) for year in years)


def policy_warning(years: Sequence[int]) -> str:
    """The operator's warning, in English like the rest of the CLI."""
    known = CHINESE_CALENDAR_YEARS
    return (f"warning: chinese-calendar knows public holidays only for {known.start}–{known.stop - 1}, so in "
            f"{years_text(years)} holidays count as working days; list them under calendar.holidays and "
            f"calendar.workdays (make-up workdays), per year")


def leader_note(years: Sequence[int], t: Translator) -> str:
    """The note for leaders' views: pace may be off around holidays of these years."""
    return t("Note: the public holidays of {years} are not known yet, so they count as working days in pace and "
             "reminders. List them in the policy under calendar.holidays.", years=years_text(years))
