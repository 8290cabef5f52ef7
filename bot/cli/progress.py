"""`teachlog progress`: where every member of a school stands on every rule, as a table or as JSON.

The numbers come from :func:`bot.quotas.standing.school_standing`, which reads the
whole school with a bounded number of queries (never one per member).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, app, fail, with_database
from bot.cli.text import count, table
from bot.clock import Clock, SystemClock

if TYPE_CHECKING:
    from bot.quotas.progress import RuleProgress
    from bot.quotas.standing import MemberStanding, SchoolStanding
    from storage.db import Database

#: Where "today" comes from when --date is not given; tests replace it.
CLOCK: Clock = SystemClock()


@app.command()
def progress(
    school: int = typer.Option(..., help="The school id."),
    date: str = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                             help="The day to report on; default: today in the school's time zone."),
    as_json: bool = typer.Option(False, "--json", help="A JSON array: one object per member and rule."),
) -> None:
    """Every member's progress on every rule running on the day: done, target, pace, what is missing."""
    day = parse_day(date) if date is not None else None
    standing = with_database(lambda db: standing_on(db, school, day, CLOCK.now()))
    if as_json:
        text = json.dumps(progress_records(standing), ensure_ascii=False, indent=2)
        typer.echo(text.encode("utf-8"))  # bytes: UTF-8 whatever the terminal's locale
    else:
        for line in progress_table(standing):
            typer.echo(line)


def parse_day(text: str) -> dt.date:
    """A --date value; a one-line failure when it is not a real YYYY-MM-DD date."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        fail(f"cannot read --date {text!r}: use YYYY-MM-DD, e.g. 2026-11-18")


async def standing_on(db: Database, school_id: int, day: dt.date | None, now: dt.datetime) -> SchoolStanding:
    """The school's standing on ``day``, or on today in the school's time zone."""
    from bot.people.schools import school_today
    from bot.quotas.standing import school_standing
    if day is None:
        day = await school_today(db, school_id, now)
    try:
        return await school_standing(db, school_id, day)
    except LookupError as error:
        raise CliError(str(error)) from None


def progress_records(standing: SchoolStanding) -> list[dict]:
    """One JSON-ready object per member and rule, members in id order and rules in policy order."""
    return [progress_record(member, rule) for member in standing.members for rule in member.rules]


def progress_record(member: MemberStanding, rule: RuleProgress) -> dict:
    return {
        "member_id": member.member_id,
        "display_name": member.display_name,
        "role": member.role,
        "rule_id": rule.rule_id,
        "period_key": rule.period_key,
        "period_start": rule.period_start.isoformat(),
        "period_end": rule.period_end.isoformat(),
        "done": rule.done,
        "target": rule.target,
        "expected_by_now": rule.expected_by_now,
        "remaining": rule.remaining,
        "days_left": rule.days_left,
        "students_missing": list(rule.students_missing),
        "on_pace": rule.on_pace,
        "behind_by": rule.behind_by,
    }


def progress_table(standing: SchoolStanding) -> list[str]:
    """A title line, then member | role | rule | done/target | pace | days left, one row per member and rule."""
    rows = [[f"{member.display_name} (#{member.member_id})", member.role, rule.rule_id,
             f"{rule.done}/{rule.target}", pace_text(rule), str(rule.days_left)]
            for member in standing.members for rule in member.rules]
    behind = sum(1 for member in standing.members if member.behind)
    title = (f"{standing.school_name} (school {standing.school_id}), {standing.today.isoformat()}, "
             f"policy {standing.policy.name}: {count(len(standing.members), 'member')}, {behind} behind pace")
    idle = not_running_lines(standing)
    if not rows:
        return [title, "no rule applies to any member on this day", *idle]
    return [title, *table(["member", "role", "rule", "done/target", "pace", "days left"], rows), *idle]


def not_running_lines(standing: SchoolStanding) -> list[str]:
    """``not running: RULE (starts on DAY | ended on DAY)`` for each rule bound to a phase or dates."""
    from bot.quotas.calendar import SchoolCalendar
    from bot.quotas.rule_windows import idle_rules
    calendar = SchoolCalendar.of(standing.policy)
    return [f"not running: {rule.id} ({'starts on' if state == 'not_started' else 'ended on'} {when.isoformat()})"
            for rule, state, when in idle_rules(standing.policy, standing.today, calendar)]


def pace_text(rule: RuleProgress) -> str:
    if rule.complete:
        return "complete"
    if rule.on_pace:
        return f"on pace (expected {rule.expected_by_now})"
    missing = f"; missing {', '.join(rule.students_missing)}" if rule.students_missing else ""
    return f"behind by {rule.behind_by} (expected {rule.expected_by_now}){missing}"
