"""`teachlog run --platform slack` as an operator runs it: HTTP mode as a real process, Socket Mode, bad tokens."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import zoneinfo
from urllib.parse import parse_qsl

import aiohttp
import pytest

from bot.app_context import AppContext, PlatformStartError
from bot.clock import SystemClock
from bot.database import app_database
from bot.people.schools import create_school
from bot.platform_names import SLACK
from bot.settings import Settings
from handlers.slack.platform import SlackPlatform
from handlers.slack.port import SlackPort
from storage import repository as repo
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Member
from tests.support.cli import invoke
from tests.support.fake_slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    command_body,
    serve,
    signed_headers,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def slack_free_environment(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    return {**env, **values}


async def member_on_slack(db: Database, user_id: str, name: str) -> None:
    """A school and a member with a Slack account, made on the real clock as the process runs on it."""
    now = SystemClock().now()
    await upgrade(db)
    school = await create_school(db, "Lakeside School", language="en", now=now)
    async with db.transaction() as session:
        stored = await repo.require_school(session, school.school_id)
        member = await repo.add(session, Member(
            school_id=stored.id, role="teacher", display_name=name, language="en",
            joined_on=now.astimezone(zoneinfo.ZoneInfo(stored.timezone)).date()))
        await repo.add_account(session, member, SLACK, user_id, now)


async def post_when_listening(url: str, body: str, timeout: float = 30) -> int:
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.post(url, data=body.encode(), headers=signed_headers(body)) as response:
                    return response.status
            except aiohttp.ClientConnectionError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def test_run_in_http_mode_answers_a_signed_slash_command_and_stops_cleanly_on_sigterm(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    db = app_database(url)
    await member_on_slack(db, "U0LI", "Li Lei")
    await db.dispose()
    fake = FakeSlack()
    fake.user("U0LI", "Li Lei")
    port = free_port()
    async with serve(fake) as api_url:
        env = slack_free_environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                     SLACK_API_URL=api_url, TEACHLOG_DATABASE_URL=url)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--platform", "slack", "--port", str(port), env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            status = await post_when_listening(f"http://127.0.0.1:{port}/slack/events", command_body("U0LI", "mine"))
            assert status == 200
            await fake.wait_until(lambda: any("Your quotas" in text for text in fake.texts_to("U0LI")), timeout=20)
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()


def platform_with(db: Database, clock, **settings: str) -> SlackPlatform:
    return SlackPlatform(AppContext(db=db, settings=Settings(_env_file=None, **settings), clock=clock))  # type: ignore


async def test_socket_mode_connects_answers_a_command_over_the_socket_and_closes_on_stop(db, clock):
    fake = FakeSlack()
    async with serve(fake) as api_url:
        platform = platform_with(db, clock, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                                 SLACK_API_URL=api_url)
        stop = asyncio.Event()
        running = asyncio.create_task(platform.serve(stop))
        try:
            await fake.wait_until(lambda: bool(fake.sockets), timeout=10)
            assert fake.of("apps.connections.open")
            payload = dict(parse_qsl(command_body("U0NEW", "help")))
            await fake.sockets[0].send_json({"envelope_id": "env-1", "type": "slash_commands", "payload": payload,
                                             "accepts_response_payload": True})
            await fake.wait_until(lambda: any(call.args.get("envelope_id") == "env-1" for call in fake.calls
                                              if call.method == "socket.ack"))
            await fake.wait_until(lambda: bool(fake.texts_to("U0NEW")))
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=10)
    assert running.exception() is None


async def test_a_refused_bot_token_is_one_line(db, clock):
    fake = FakeSlack()
    fake.refused_tokens.add("xoxb-revoked")
    async with serve(fake) as api_url:
        platform = platform_with(db, clock, SLACK_BOT_TOKEN="xoxb-revoked", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                 SLACK_API_URL=api_url)
        with pytest.raises(PlatformStartError, match=r"^Slack refused SLACK_BOT_TOKEN \(invalid_auth\)"):
            await platform.serve()


async def test_an_unreachable_web_api_is_one_line(db, clock):
    platform = platform_with(db, clock, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                             SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/")
    with pytest.raises(PlatformStartError, match="cannot reach the Slack Web API"):
        await platform.serve()


async def test_a_refused_app_token_is_one_line(db, clock):
    fake = FakeSlack()
    fake.fail("apps.connections.open", "invalid_auth")
    async with serve(fake) as api_url:
        platform = platform_with(db, clock, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                                 SLACK_API_URL=api_url)
        with pytest.raises(PlatformStartError, match="SLACK_APP_TOKEN"):
            await platform.serve()


def test_run_without_a_bot_token_says_so_in_one_line(tmp_path, monkeypatch):
    for key in [key for key in os.environ if key.startswith("SLACK_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}")
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "--platform", "slack")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "teachlog: SLACK_BOT_TOKEN is not set: install the app to your workspace (see `teachlog slack manifest`) "
        "and export its Bot User OAuth Token (xoxb-…)."]


def test_http_mode_without_a_signing_secret_says_so_in_one_line(tmp_path, monkeypatch):
    for key in [key for key in os.environ if key.startswith("SLACK_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("TEACHLOG_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}")
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "--platform", "slack")
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("teachlog: SLACK_SIGNING_SECRET is not set")


async def run_cli(env: dict[str, str], folder, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, env=env, cwd=folder,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_worker_delivers_through_slack_and_a_refused_token_is_one_line(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'teachlog.db'}"
    db = app_database(url)
    await member_on_slack(db, "U0LI", "Li Lei")
    await db.dispose()
    fake = FakeSlack()
    fake.refused_tokens.add("xoxb-revoked")
    async with serve(fake) as api_url:
        env = slack_free_environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=api_url, TEACHLOG_DATABASE_URL=url)
        code, out, err = await run_cli(env, tmp_path, "notify", "--sample", "--member", "Li Lei",
                                       "--platform", "slack")
        assert code == 0, err
        assert "sample reminder for Li Lei (slack chat U0LI)" in out
        assert fake.of("auth.test"), "the worker checked its token first"
        code, out, err = await run_cli(env, tmp_path, "worker", "--platform", "slack", "--once")
        assert code == 0, err
        assert out.startswith("planned: ")
        [reminder] = fake.posts_to("U0LI")
        assert "sample" in reminder["text"].lower(), "delivered once, by the first worker round"
        code, out, err = await run_cli({**env, "SLACK_BOT_TOKEN": "xoxb-revoked"}, tmp_path,
                                       "worker", "--platform", "slack", "--once")
    assert code == 1
    assert err.strip().splitlines() == ["teachlog: Slack refused SLACK_BOT_TOKEN (invalid_auth): check the Bot User "
                                        "OAuth Token on the app's OAuth & Permissions page"]


async def test_the_platform_lays_out_within_slacks_limits_and_has_no_invite_link(db, clock):
    platform = platform_with(db, clock, SLACK_BOT_TOKEN=BOT_TOKEN)
    capabilities = SlackPort.capabilities
    assert (platform.name, capabilities.albums, capabilities.picture_captions) == (SLACK, False, False)
    assert (capabilities.caption_length, capabilities.buttons_per_row) == (3000, 5)
    assert await platform.invite_link("ABC123") is None, "people type /teachlog join ABC123"
