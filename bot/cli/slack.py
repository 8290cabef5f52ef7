"""`teachlog slack manifest [--url URL]`: the Slack app manifest (YAML) to paste when creating the app."""

from __future__ import annotations

from typing import Any

import typer

from bot.chat.commands import usage_hint
from bot.cli.common import fail, sub_app

slack_app = sub_app("slack", "The Slack app.")

#: What the bot does and reads: post and update its messages, the slash command, DMs, names and locales, uploads.
BOT_SCOPES = ("chat:write", "commands", "im:history", "im:read", "im:write", "users:read", "files:write",
              "channels:read", "groups:read")
BOT_EVENTS = ("app_home_opened", "message.im")
EVENTS_PATH = "/slack/events"


def manifest(url: str | None = None) -> dict[str, Any]:
    """Socket Mode without a URL; with one, Slack sends commands, events and taps to URL/slack/events."""
    request_url = url.rstrip("/") + EVENTS_PATH if url else None
    command: dict[str, Any] = {"command": "/teachlog", "description": "Log outreach, see your progress and reports",
                               "usage_hint": usage_hint(), "should_escape": True}
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if request_url:
        command["url"] = request_url
        events["request_url"] = request_url
        interactivity["request_url"] = request_url
    return {
        "display_information": {
            "name": "teachlog",
            "description": "Log home visits, calls and tutoring against your school's plan.",
            "background_color": "#2c5f2d",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": "teachlog", "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": request_url is None,
            "token_rotation_enabled": False,
        },
    }


@slack_app.command("manifest")
def print_manifest(url: str = typer.Option(None, "--url", help="The bot's public https address (HTTP mode); "
                                           "without it the app uses Socket Mode.")) -> None:
    """Print the app manifest: paste it at api.slack.com/apps → Create New App → From a manifest."""
    import yaml
    if url is not None and not url.startswith(("https://", "http://")):
        fail(f"--url must be an http(s) address such as https://teachlog.example.org, not {url!r}")
    typer.echo(yaml.safe_dump(manifest(url), sort_keys=False, allow_unicode=True), nl=False)
