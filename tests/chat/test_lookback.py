"""/mine, /history and /undo through the chat core, in both languages."""

from __future__ import annotations


async def test_history_with_nothing_logged_says_how_to_start(li, wang):
    await li.send("/history")
    assert li.last_text == "You have not logged anything yet. Send /log to log your first activity."
    await wang.send("/history")
    assert "/log" in wang.last_text and "You have" not in wang.last_text


async def test_mine_shows_the_quotas_in_the_members_language(li, wang):
    outcome = await li.send("/mine")
    [reply] = outcome.replies
    assert reply.html and "<b>Your quotas</b>" in reply.text
    await wang.send("/mine")
    assert "Your quotas" not in wang.last_text


async def test_undo_with_nothing_to_undo_says_so(li):
    await li.send("/undo")
    assert li.last_text == "There is nothing to undo: you have logged nothing in the last 24 hours."


async def test_a_stranger_is_told_how_to_join(chat):
    stranger = chat.person(language_code="en")
    await stranger.send("/mine")
    assert "not a member of a school yet" in stranger.last_text


async def test_a_forged_button_gets_a_popup_and_nothing_else(li):
    from bot.chat.events import Tap

    outcome = await li.deliver(Tap("undo:abc"))
    assert outcome.replies == [] and "does not work" in (outcome.popup or "")


async def test_unknown_commands_and_help(li):
    await li.send("/frobnicate")
    assert li.last_text == "I don't know that command. /help lists what I can do."
    await li.send("/help")
    assert li.last_text.startswith("What I can do:")
