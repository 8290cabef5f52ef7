"""`teachlog slack manifest`: the YAML to create the app from, in Socket Mode or with a public URL."""

from __future__ import annotations

import yaml

from tests.support.cli import invoke


def test_without_a_url_the_manifest_uses_socket_mode_and_names_no_request_url():
    result = invoke("slack", "manifest")
    assert result.exit_code == 0
    manifest = yaml.safe_load(result.output)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/teachlog" and "url" not in command
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"app_home_opened", "message.im"}
    assert {"chat:write", "commands", "im:history", "users:read", "files:write"} <= \
        set(manifest["oauth_config"]["scopes"]["bot"])


def test_with_a_url_slack_sends_commands_events_and_taps_to_slack_events():
    result = invoke("slack", "manifest", "--url", "https://teachlog.example.org/")
    manifest = yaml.safe_load(result.output)
    address = "https://teachlog.example.org/slack/events"
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["slash_commands"][0]["url"] == address
    assert manifest["settings"]["event_subscriptions"]["request_url"] == address
    assert manifest["settings"]["interactivity"]["request_url"] == address


def test_a_url_that_is_not_an_address_is_one_line():
    result = invoke("slack", "manifest", "--url", "teachlog.example.org")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
