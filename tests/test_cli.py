"""The `teachlog` command: bootstrapping a school from the shell, and one-line errors instead of tracebacks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings
from tests.support.cli import invoke


def test_school_create_prints_the_id_and_a_leader_invite(cli_database):
    result = invoke("school", "create", "合川中学", "--timezone", "Asia/Shanghai", "--language", "zh")
    assert result.exit_code == 0, result.output
    assert "school id: 1" in result.output
    code = re.search(r"leader invite: (\S+)", result.output).group(1)
    assert f"?start={code}" in result.output


def test_invite_create_prints_the_code_and_the_t_me_link(cli_database):
    invoke("school", "create", "Lakeside School", "--language", "en")
    result = invoke("invite", "create", "--school", "1", "--role", "teacher", "--uses", "30", "--expires", "7d",
                    "--bot-username", "@teachlog_bot")
    assert result.exit_code == 0, result.output
    code = re.search(r"invite: (\S+)", result.output).group(1)
    assert f"https://t.me/teachlog_bot?start={code}" in result.output


@pytest.mark.parametrize("args, message", [
    (["--school", "9", "--role", "teacher"], "no school with id 9"),
    (["--school", "1", "--role", "janitor"], "unknown role 'janitor'"),
    (["--school", "1", "--role", "teacher", "--expires", "soon"], "cannot read expiry 'soon'"),
    (["--school", "1", "--role", "teacher", "--uses", "0"], "--uses must be at least 1"),
])
def test_invite_create_refuses_bad_options_in_one_line(cli_database, args, message):
    invoke("school", "create", "Lakeside School")
    result = invoke("invite", "create", *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    (["--language", "fr"], "unknown language 'fr'"),
    (["--policy", "no-such-preset"], "neither a preset"),
])
def test_school_create_refuses_bad_options_in_one_line(cli_database, args, message):
    result = invoke("school", "create", "X", *args)
    assert result.exit_code == 1 and message in result.output


def test_db_upgrade_is_idempotent(cli_database):
    assert invoke("db", "upgrade").exit_code == 0
    result = invoke("db", "upgrade")
    assert result.exit_code == 0 and "up to date" in result.output


@pytest.mark.parametrize("token, message", [
    (None, "TELEGRAM_BOT_TOKEN is not set"),
    ("not-a-token", "TELEGRAM_BOT_TOKEN looks malformed"),
])
def test_run_without_a_usable_token_is_a_one_line_error(tmp_path, token, message):
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["TEACHLOG_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"
    if token is not None:
        env["TELEGRAM_BOT_TOKEN"] = token
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"teachlog: {result.stderr.strip().removeprefix('teachlog: ')}"]
    assert message in result.stderr and "Traceback" not in result.stderr


def test_run_against_an_unreachable_bot_api_is_a_one_line_error(tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
           "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",  # the discard port: nothing answers there
           "TEACHLOG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()  # the first start migrates the database: alembic says nothing
    assert line.startswith("teachlog: cannot reach the Telegram Bot API at http://127.0.0.1:9/bot")


def readme_run_token() -> str:
    """The token in the README's first command, the one a newcomer pastes."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    return re.search(r"TELEGRAM_BOT_TOKEN=(\S+) \.venv/bin/teachlog run", readme).group(1)


@pytest.mark.parametrize("token", [
    readme_run_token(),
    "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0",  # the shape @BotFather gives: 35 characters after the colon
])
def test_a_token_shaped_like_botfathers_passes_the_token_check(token):
    assert Settings(TELEGRAM_BOT_TOKEN=token).require_telegram_token() == token


@pytest.mark.parametrize("token", ["123456:your-token-from-BotFather", "AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0",
                                   "123456789:AAH fiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0", "bot123456789:AAHfiqksKZ8WmR2z"])
def test_a_token_of_another_shape_is_refused_with_the_shape_to_use(token):
    with pytest.raises(ConfigError, match=r"looks malformed: expected '<bot id>:<about 35 letters"):
        Settings(TELEGRAM_BOT_TOKEN=token).require_telegram_token()
