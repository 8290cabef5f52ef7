"""Running the bot and bootstrapping: `run`, `db upgrade`, `school create|set`, `invite create`."""

from __future__ import annotations

import asyncio
import datetime as dt
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, app, configure_logging, fail, one_line_errors, sub_app, with_database
from bot.cli.policy import refuse_a_file_with_mistakes
from bot.cli.service import LOG_FORMAT, MAX_OUTBOX_DELAY, METRICS_HOST, METRICS_PORT, check_log_format, metrics_served
from bot.clock import SystemClock

if TYPE_CHECKING:
    from bot.settings import Settings
    from storage.db import Database

school_app = sub_app("school", "Schools.")
invite_app = sub_app("invite", "Invites to join a school.")
db_app = sub_app("db", "The database.")

PLATFORMS_GROUP = "teachlog.platforms"


def load_platform(name: str):
    found = {ep.name: ep for ep in entry_points(group=PLATFORMS_GROUP)}
    if name not in found:
        raise CliError(f"unknown platform {name!r}: installed are {', '.join(sorted(found)) or 'none'}")
    return found[name].load()


@app.command()
def run(platform: str = typer.Option("telegram", help="telegram, slack or dingtalk"),
        port: int = typer.Option(3000, help="Slack in HTTP mode, Telegram in webhook mode: the port to listen on."),
        webhook_url: str | None = typer.Option(
            None, "--webhook-url", help="Telegram: take updates posted to this public https://HOST/PATH "
                                        "(through a reverse proxy) instead of polling."),
        listen: str = typer.Option("127.0.0.1", help="Telegram webhook mode: the address to listen on."),
        webhook_secret: str | None = typer.Option(
            None, "--webhook-secret", help="Telegram webhook mode: the secret Telegram sends with every update "
                                           "(or TELEGRAM_WEBHOOK_SECRET)."),
        metrics_port: int | None = METRICS_PORT, metrics_host: str = METRICS_HOST,
        max_outbox_delay: float = MAX_OUTBOX_DELAY, log_format: str = LOG_FORMAT) -> None:
    """Run the bot (long polling or a webhook; Slack: Socket Mode or HTTP; DingTalk: Stream mode); it also runs the
    scheduled jobs."""
    from bot.app_context import AppContext
    from bot.database import app_database
    from bot.settings import Settings
    from storage.migrate import upgrade
    settings = Settings()
    settings.slack_port = port
    with one_line_errors(settings.database_url):
        configure_logging(check_log_format(log_format))
        configure_webhook(settings, platform, webhook_url, listen, port, webhook_secret)
        if platform == "telegram":
            settings.require_telegram_token()
        elif platform == "dingtalk":
            settings.require_dingtalk()
        platform_class = load_platform(platform)
        db = app_database(settings.database_url)

        async def prepare() -> None:
            await upgrade(db)
            # The engine is bound to this event loop; the platform starts its own.
            await db.dispose()

        asyncio.run(prepare())
        clock = SystemClock()
        with metrics_served(metrics_port, metrics_host, max_outbox_delay, database_url=settings.database_url,
                            clock=clock, platform=platform, platform_connects=True):
            platform_class(AppContext(db=db, settings=settings, clock=clock)).run()


def configure_webhook(settings: Settings, platform: str, url: str | None, listen: str, port: int,
                      secret: str | None) -> None:
    """Put `run`'s webhook options into the settings, refusing what cannot work before anything starts."""
    if url is None:
        if secret is not None:
            raise CliError("--webhook-secret goes with --webhook-url")
        return
    if platform != "telegram":
        raise CliError(f"--webhook-url is for Telegram; {platform} has its own way to receive events")
    settings.telegram_webhook_url, settings.webhook_listen, settings.webhook_port = url, listen, port
    if secret is not None:
        settings.telegram_webhook_secret = secret
    settings.require_webhook()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date."""
    async def work(db: Database) -> None:
        typer.echo(f"database is up to date ({db.dialect})")
    with_database(work)


@db_app.command("rebuild-summaries")
def db_rebuild_summaries() -> None:
    """Recompute the daily counts and every school's report windows from the entries."""
    from bot.reporting.rebuild import rebuild_summaries

    async def work(db: Database) -> None:
        rebuilt = await rebuild_summaries(db, SystemClock().now())
        typer.echo(f"daily counts rebuilt: {rebuilt.daily_rows} rows")
        schools = "school" if rebuilt.schools == 1 else "schools"
        typer.echo(f"report windows stored: {rebuilt.windows} for {rebuilt.schools} {schools}")
    with_database(work)


@school_app.command("create")
def school_create(
    name: str = typer.Argument(..., help="The school's name."),
    timezone: str = typer.Option(None, help="IANA time zone (default: the district's, else Asia/Shanghai)."),
    language: str = typer.Option(None, help="zh or en: the default for members (default: the district's, else zh)."),
    policy: str = typer.Option(None, help="A preset (default, seed-000 … seed-004) or a policy YAML file "
                                          "(default: the district's, else default)."),
    district: int = typer.Option(None, help="The district id: the school follows its policy unless --policy."),
    zone: str = typer.Option(None, help="The school zone (学区) in the district, e.g. 灵溪学区."),
) -> None:
    """Create a school; prints its id and a one-use leader invite."""
    from bot.people.districts import create_district_school
    from bot.people.schools import create_school
    if policy is not None:
        refuse_a_file_with_mistakes(policy)
    if zone is not None and district is None:
        fail("--zone needs --district: a zone is part of a district")

    async def work(db: Database) -> None:
        now = SystemClock().now()
        if district is None:
            created = await create_school(db, name, timezone=timezone or "Asia/Shanghai", language=language or "zh",
                                          policy=policy or "default", now=now)
        else:
            created = await create_district_school(db, name, district, zone=zone, timezone=timezone,
                                                   language=language, policy=policy, now=now)
        typer.echo(f"school id: {created.school_id}")
        typer.echo(f"leader invite: {created.leader_invite}")
        typer.echo(await invite_link_line(db, created.leader_invite))
    with_database(work)


async def invite_link_line(db: Database, code: str, username: str | None = None) -> str:
    from bot.chat.key_value_store import bot_username
    username = username or await bot_username(db)
    if username is None:
        return (f"link: https://t.me/<bot username>?start={code}  (run the bot once, or pass --bot-username, "
                f"to fill in the name; or send /start {code} to the bot)")
    return f"link: https://t.me/{username.lstrip('@')}?start={code}"


@school_app.command("set")
def school_set(
    school: int = typer.Argument(..., help="The school id."),
    counts_from: str = typer.Option(None, "--counts-from", metavar="YYYY-MM-DD|none",
                                    help="From which day quotas count for members without their own date."),
    district: str = typer.Option(None, metavar="N|none",
                                 help="Move the school into district N (it then follows the district's policy), "
                                      "or out of its district with none."),
    zone: str = typer.Option(None, metavar="ZONE|none", help="The school zone (学区) in its district."),
    keep_policy: bool = typer.Option(False, "--keep-policy",
                                     help="With --district: the school keeps its own policy instead."),
) -> None:
    """Change a school's settings: from when its quotas count (a school that starts mid-term), its district and zone."""
    from bot.people.districts import move_school, set_zone
    from bot.people.schools import set_counts_from
    if counts_from is None and district is None and zone is None:
        fail("nothing to change: give --counts-from, --district or --zone")
    day = None if counts_from is None or counts_from.strip().lower() == "none" else _day(counts_from)
    district_id = None if district is None or district.strip().lower() == "none" else _district_id(district)
    zone_name = None if zone is None or zone.strip().lower() == "none" else zone

    async def work(db: Database) -> None:
        if counts_from is not None:
            await set_counts_from(db, school, day)
            typer.echo(f"school {school}: quotas count from {day}" if day else
                       f"school {school}: quotas count from each member's joining day")
        if district is not None:
            moved = await move_school(db, school, district_id, zone_name, keep_policy=keep_policy)
            if district_id is None:
                typer.echo(f"school {school}: in no district, keeping policy {moved.policy_name} as its own")
            else:
                follows = "keeps its own policy" if keep_policy else "follows the district's policy"
                where = f", zone {moved.zone}" if moved.zone else ""
                typer.echo(f"school {school}: in district {district_id}{where}, {follows} ({moved.policy_name})")
        elif zone is not None:
            await set_zone(db, school, zone_name)
            typer.echo(f"school {school}: zone {zone_name}" if zone_name else f"school {school}: no zone")
    with_database(work)


def _district_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        fail(f"--district {text!r}: give the district id (see teachlog district list), or none")


def _day(text: str) -> dt.date:
    from bot.people.staff_import import parse_day
    try:
        return parse_day(text)
    except (ValueError, TypeError):
        fail(f"cannot read the date {text!r}: use YYYY-MM-DD")


@invite_app.command("create")
def invite_create(
    school: int = typer.Option(..., help="The school id."),
    role: str = typer.Option(None, help="leader, head_teacher, teacher, staff, or another role of the policy."),
    member: str = typer.Option(None, help="A personal invite for this pre-registered member (members import)."),
    uses: int = typer.Option(1, help="How many people may join with it."),
    expires: str = typer.Option("7d", help="e.g. 7d, 12h, 2w, or never."),
    bot_username_option: str = typer.Option(None, "--bot-username", help="The bot's @username for the link."),
) -> None:
    """Create an invite; prints the code and the t.me link."""
    from bot.people.schools import create_invite, parse_expiry
    async def work(db: Database) -> None:
        invite = await create_invite(db, school, role, uses=uses, expires_in=parse_expiry(expires),
                                     now=SystemClock().now(), member=member)
        typer.echo(f"invite: {invite.code}")
        typer.echo(await invite_link_line(db, invite.code, bot_username_option))
    with_database(work)
