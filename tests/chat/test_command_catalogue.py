"""One command catalogue (bot/chat/commands.py): the flows answer exactly its commands, where it says they work,
and /help, Telegram's menu and Slack's usage hint are made from it, in both languages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.chat.commands import BY_WORD, COMMANDS, MEMBERS, BotCommand, command_of_words, menu_commands, usage_hint
from bot.chat.events import ChatAddress, Command, Event, Person
from bot.cli.slack import manifest
from bot.i18n import translator
from handlers.slack.inbound import Payload, body_of

FLOWS = Path(__file__).resolve().parents[2] / "bot" / "chat" / "flows"


def command(name: str, *, private: bool) -> Event:
    person = Person("terminal", "7")
    return Event(ChatAddress("terminal", "7" if private else "-100"), person, Command(name), private=private)


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda entry: entry.name)
def test_each_command_is_answered_by_its_flow_where_it_works_and_only_there(chat, entry: BotCommand):
    engine = chat.engine
    for private, works in ((True, entry.private), (False, entry.group)):
        flow = engine.route(command(entry.name, private=private))
        if works:
            assert flow.name == entry.flow, f"/{entry.name} (private={private})"
        else:
            assert flow is engine.fallback, f"/{entry.name} does not work with private={private}"


def test_a_command_outside_the_catalogue_goes_to_no_flow(chat):
    for private in (True, False):
        assert chat.engine.route(command("frobnicate", private=private)) is chat.engine.fallback


def test_every_flow_the_catalogue_names_is_in_the_engine(chat):
    assert {entry.flow for entry in COMMANDS} <= set(chat.engine.by_name)


def command_names_compared_in_flows() -> set[str]:
    """Every `<something>.name == "x"` and `name == "x"` in the flows: the commands they answer besides starting."""
    found = set()
    for path in FLOWS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Compare):
                continue
            left = node.left
            named = left.attr if isinstance(left, ast.Attribute) else left.id if isinstance(left, ast.Name) else None
            if named == "name":
                found |= {c.value for c in node.comparators if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return found


def test_every_command_a_flow_answers_within_a_conversation_is_in_the_catalogue():
    names = command_names_compared_in_flows()
    assert {"cancel", "help", "record"} <= names, "the scan finds the flows' comparisons"
    assert names - {entry.name for entry in COMMANDS} == set()


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_help_is_the_catalogues_lines_in_the_members_language(chat, language):
    member = await chat.add_member("Li Lei" if language == "en" else "王芳", language=language)
    await member.send("/help")
    t = translator(language)
    assert member.last_text.startswith(t("What I can do:") + "\n/log — ")
    for entry in COMMANDS:
        for line in entry.help:
            if line.section == MEMBERS and not line.only_with_records and "{" not in line.text:
                assert f"/{entry.name}" in member.last_text and t(line.text) in member.last_text
    assert t("For leaders:") not in member.last_text


async def test_a_leaders_help_adds_the_leaders_commands(chat):
    leader = await chat.add_member("Li Lei", language="en", role="leader")
    await leader.send("/help")
    text = leader.last_text
    assert "For leaders:" in text
    assert "/export 2026-11-01 2026-11-30 — entries and progress as .xlsx and .csv" in text
    assert "/unlink — stop posting to that group" in text


async def test_in_a_group_a_private_only_command_says_where_to_send_it(chat, li):
    in_group = chat.in_group(li, "-100")
    await in_group.send("/record")
    assert in_group.last_text == "Please use this in a private chat with me: tap my name, then “Send message”."


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_menu_lists_everyones_private_commands_in_catalogue_order(language):
    t = translator(language)
    names = [entry.name for entry in menu_commands()]
    assert names[:3] == ["log", "mine", "report"] and "start" not in names
    assert not {"export", "link", "unlink"} & set(names), "leaders' commands are in their /help, not the menu"
    descriptions = [t(entry.description) for entry in menu_commands()]
    assert len(set(descriptions)) == len(descriptions)
    if language == "zh":
        assert "记录一次活动" in descriptions


def test_the_slack_usage_hint_and_subcommands_come_from_the_catalogue():
    [slash] = manifest()["features"]["slash_commands"]
    assert slash["usage_hint"] == usage_hint()
    assert slash["usage_hint"].startswith("join CODE | log | mine | report")
    assert set(slash["usage_hint"].replace(" CODE", "").split(" | ")) == set(BY_WORD)
    assert BY_WORD["join"] == "start" and set(BY_WORD.values()) == {entry.name for entry in COMMANDS}


def test_slacks_join_is_the_catalogues_start():
    body, _mentions = body_of(Payload("command", {"user_id": "U1", "channel_id": "D1", "text": "join ABC123"}))
    assert body == Command("start", "ABC123")


@pytest.mark.parametrize(("typed", "command"), [
    ("join ABC123", Command("start", "ABC123")),
    ("  Mine ", Command("mine")),
    ("", Command("help")),
    ("/log visit  today ", Command("log", "visit  today")),
])
def test_commands_typed_as_words_are_read_back_by_the_catalogue(typed, command):
    assert command_of_words(typed) == command
