"""`teachlog worker` (plan and deliver notifications without polling for updates), `teachlog notify`
(what would be sent now or at a given moment, or send it once), `teachlog school reminders` (a school's
reminder time and quiet hours)."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from typing import TYPE_CHECKING

import typer

from bot.cli.bootstrap import load_platform, school_app
from bot.cli.common import CliError, app, configure_logging, fail, one_line_errors, with_database
from bot.cli.progress import parse_day
from bot.cli.service import LOG_FORMAT, MAX_OUTBOX_DELAY, METRICS_HOST, METRICS_PORT, check_log_format, metrics_served
from bot.cli.text import one_line, table
from bot.clock import Clock, SystemClock

if TYPE_CHECKING:
    from bot.app_context import AppContext
    from bot.notifications.notifier import TickReport
    from bot.notifications.planning import Planned
    from storage.db import Database
    from storage.delivery_holds import Hold

#: Where "now" comes from; tests replace it.
CLOCK: Clock = SystemClock()
PREVIEW_WIDTH = 48


@app.command()
def worker(
    platform: str = typer.Option("telegram", help="The chat platform to deliver through."),
    interval: float = typer.Option(30.0, help="Seconds between rounds when nothing is due."),
    once: bool = typer.Option(False, "--once", help="One round of planning and delivery, then exit."),
    metrics_port: int | None = METRICS_PORT,
    metrics_host: str = METRICS_HOST,
    max_outbox_delay: float = MAX_OUTBOX_DELAY,
    log_format: str = LOG_FORMAT,
) -> None:
    """Plan and deliver notifications (reminders, leaderboards, digests) without answering chats.

    Run any number of workers beside `teachlog run` on one PostgreSQL database: each message goes out once.
    """
    from bot.app_context import AppContext
    from bot.database import app_database
    from bot.notifications.messenger import TransientFailure
    from bot.settings import Settings
    settings = Settings()
    with one_line_errors(settings.database_url):
        configure_logging(check_log_format(log_format))
        if platform == "telegram":
            settings.require_telegram_token()
        elif platform == "dingtalk":
            settings.require_dingtalk()
        platform_class = load_platform(platform)
        core = AppContext(db=app_database(settings.database_url), settings=settings, clock=CLOCK)
        runtime = platform_class(core)
        if not hasattr(runtime, "messenger"):
            raise CliError(f"the {platform} platform cannot deliver notifications")
        try:
            with metrics_served(metrics_port, metrics_host, max_outbox_delay, database_url=settings.database_url,
                                clock=CLOCK, platform=platform, platform_connects=False):
                asyncio.run(run_worker(core, runtime, interval, once))
        except TransientFailure as error:
            fail(str(error))


async def run_worker(core: AppContext, runtime, interval: float, once: bool) -> TickReport | None:
    from bot.notifications.notifier import Notifier, worker_name
    from bot.notifications.weekly_facts import database_standing
    from bot.reporting.warm import ReportWarmer
    from storage.migrate import upgrade
    await upgrade(core.db)
    notifier = Notifier(core.db, core.clock, database_standing(core.db), worker_name("worker"), platform=runtime.name,
                        warmer=ReportWarmer(core.db))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    try:
        async with runtime.messenger() as messenger:
            if once:
                report = await notifier.tick(messenger)
                typer.echo(report_line(report))
                return report
            await notifier.run(messenger, stop, interval)
    finally:
        await core.db.dispose()
    return None


def report_line(report: TickReport) -> str:
    planned = ", ".join(f"{kind} {n}" for kind, n in sorted(report.planned.items())) or "nothing"
    delivered = ", ".join(f"{outcome} {n}" for outcome, n in sorted(report.delivered.items()) if n) or "nothing"
    return f"planned: {planned}; delivered: {delivered}"


@app.command()
def notify(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would be sent, and to whom."),
    date: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="With --dry-run: this day (each school's "
                             "local date) instead of today."),
    time: str = typer.Option(None, "--time", metavar="HH:MM", help="With --dry-run: this local time instead of now."),
    platform: str = typer.Option("telegram", help="The chat platform to deliver through (without --dry-run)."),
    sample: bool = typer.Option(False, "--sample", help="Send --member a sample reminder now, marked as a sample."),
    member: str = typer.Option(None, "--member", help="With --sample: the member's display name."),
    school: int = typer.Option(None, "--school", help="With --sample: the member's school, when names repeat."),
    resume: str = typer.Option(None, "--resume", metavar="PLATFORM", help="Lift PLATFORM's hold after its monthly "
                               "quota of calls ran out (once the quota is raised): held messages go out again."),
) -> None:
    """List the notifications due now, or at --date/--time (--dry-run); without --dry-run, send what is due now.

    With --sample --member NAME, that member gets a real reminder now (what staff behind pace get), marked as a sample.
    """
    from bot.notifications.sample_reminder import plan_sample_reminder
    if resume is not None:
        typer.echo(with_database(lambda db: lift_hold(db, resume)))
        return
    if sample:
        if member is None or dry_run:
            fail("--sample needs --member NAME and goes without --dry-run")
        planned = with_database(lambda db: plan_sample_reminder(db, member, CLOCK.now(), school_id=school))
        where = f"{planned.address.platform} chat {planned.address.chat_id}"
        typer.echo(f"sample reminder for {planned.recipient} ({where}) is in the outbox")
    if not dry_run:
        if date is not None or time is not None:
            fail("--date and --time only go with --dry-run: messages are sent now or not at all")
        worker(platform=platform, interval=0, once=True, metrics_port=None, metrics_host="127.0.0.1",
               max_outbox_delay=900.0, log_format="text")
        return
    day = parse_day(date) if date is not None else None
    at = parse_time(time) if time is not None else None
    for line in with_database(lambda db: dry_run_lines(db, CLOCK.now(), day, at)):
        typer.echo(line)


async def lift_hold(db: Database, platform: str) -> str:
    from storage import delivery_holds
    async with db.transaction() as session:
        hold = await delivery_holds.end_hold(session, platform, CLOCK.now())
    if hold is None:
        return f"{platform} is not held: nothing to resume"
    return (f"{platform}: the hold placed at {hold.since:%Y-%m-%d %H:%M} UTC is lifted; held messages go out at the "
            "next round of `teachlog run` or `teachlog worker`")


def hold_lines(holds: list[Hold], now: dt.datetime) -> list[str]:
    """What an operator reads about each platform held for its monthly quota."""
    return [f"{hold.platform} is held: its monthly quota of calls ran out at {hold.since:%Y-%m-%d %H:%M} UTC "
            f"({hold.detail}); messages wait until {hold.until:%Y-%m-%d %H:%M} UTC, or `teachlog notify --resume "
            f"{hold.platform}` once the quota is raised" for hold in holds if hold.active(now)]


def parse_time(text: str) -> dt.time:
    """A --time value; a one-line failure when it is not HH:MM."""
    from bot.notifications.schedule import parse_hhmm
    try:
        return parse_hhmm(text)
    except ValueError:
        fail(f"cannot read --time {text!r}: use HH:MM, e.g. 16:30")


async def dry_run_lines(db: Database, now: dt.datetime, day: dt.date | None, at: dt.time | None) -> list[str]:
    from bot.notifications.planning import Planner
    from bot.notifications.weekly_facts import database_standing
    from storage import delivery_holds, outbox
    planner = Planner(db, database_standing(db))
    moment = None if day is None and at is None else (day, at)
    found = await planner.due(now, local_moment=moment)
    async with db.transaction() as session:
        waiting = await outbox.next_due_at(session, now)
        holds = await delivery_holds.all_holds(session)
    lines = [f"{len(found.messages)} message(s) would be planned" +
             (" at that moment" if moment else " now") + ":"]
    if found.messages:
        lines += table(["school", "kind", "to", "chat id", "dedupe key", "text"],
                       [_row(message) for message in found.messages])
    if waiting is not None:
        lines.append("(the outbox also holds messages waiting to be sent; `teachlog worker` delivers them)")
    return lines + hold_lines(holds, now)


def _row(message: Planned) -> list[str]:
    text = one_line(message.reply.text)
    preview = text if len(text) <= PREVIEW_WIDTH else text[:PREVIEW_WIDTH - 1] + "…"
    chat = f"{message.address.platform} {message.address.chat_id}"
    return [str(message.school_id), message.kind, message.recipient, chat, message.dedupe_key, preview]


@school_app.command("reminders")
def school_reminders(
    school: int = typer.Argument(..., help="The school id."),
    time: str = typer.Option(None, "--time", metavar="HH:MM", help="When reminders go out, e.g. 16:30."),
    quiet: str = typer.Option(None, "--quiet", metavar="HH:MM-HH:MM", help="Quiet hours, e.g. 21:00-08:00."),
) -> None:
    """Show or set a school's reminder time and quiet hours (local time)."""
    from bot.notifications.schedule import QuietHours, parse_hhmm
    from storage import repository as repo

    async def work(db: Database) -> None:
        async with db.transaction() as session:
            row = await repo.get_school(session, school)
            if row is None:
                raise CliError(f"no school with id {school}")
            if quiet is not None:
                start, _, end = quiet.partition("-")
                try:
                    hours = QuietHours.parse(start, end)
                except ValueError:
                    raise CliError(f"cannot read --quiet {quiet!r}: use HH:MM-HH:MM, e.g. 21:00-08:00") from None
                row.quiet_start, row.quiet_end = hours.start.strftime("%H:%M"), hours.end.strftime("%H:%M")
            if time is not None:
                try:
                    at = parse_hhmm(time)
                except ValueError:
                    raise CliError(f"cannot read --time {time!r}: use HH:MM, e.g. 16:30") from None
                row.reminder_time = at.strftime("%H:%M")
            if QuietHours.parse(row.quiet_start, row.quiet_end).contains(parse_hhmm(row.reminder_time)):
                raise CliError(f"the reminder time {row.reminder_time} falls in the quiet hours "
                               f"{row.quiet_start}-{row.quiet_end}")
            typer.echo(f"{row.name}: reminders at {row.reminder_time}, quiet hours {row.quiet_start}-{row.quiet_end}"
                       f" ({row.timezone})")
    with_database(work)
