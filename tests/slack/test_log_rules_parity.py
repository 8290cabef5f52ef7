"""The same one-liners through the chat's /log and through Slack's logging modal: the same refusals, in the same
words, and the same saved entry confirmed with the same message (tally included).

The chat side is the in-memory driver the flow tests use, talking to the same database as the Slack app; the
modal side is the real Bolt app: `/teachlog log <line>` opens the form (or, for a whole entry, hands it to the
chat with a Save button), and the form as filled in from the line is submitted with Save.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.i18n import translator
from bot.logbook.entries import history
from bot.people.membership import profile_for_account
from bot.platform_names import SLACK
from handlers.slack.log_modal import modal_view, read_one_liner
from tests.support.chat import PLATFORM, ChatHarness
from tests.support.fake_slack import filled_in, view_submission

LI = "U0LI"
LONG_NAME = "Wang" + "x" * 60
LONG_NOTES = "notes " + "n" * 1100

LINES = [
    # whole entries: saved after Save in both
    "visit Wang Xiaoming yesterday 40min",
    "家访 王小明 昨天 40分钟",
    "visit Wang Xiaoming yesterday 4pm 1h talked about reading",
    "call Zhao Lei today 15min",
    f"visit Wang Xiaoming yesterday 40min {LONG_NOTES}",  # the notes are refused, the rest is whole
    # refused: the chat says why and asks again; the form says why and leaves the field to fill
    "visit Wang Xiaoming tomorrow 40min",
    "visit Wang Xiaoming 2026-08-01 40min",
    "visit Wang Xiaoming yesterday 13h",
    f"visit {LONG_NAME} yesterday 40min",
    "visit Wang Xiaoming yesterday 0min",
    # incomplete: nothing to refuse, nothing saved yet
    "visit Wang Xiaoming yesterday",
    "Wang Xiaoming yesterday 40min",
]


async def entry_of(db, platform: str, user_id: str) -> tuple | None:
    profile = await profile_for_account(db, platform, user_id)
    assert profile is not None
    shown = await history(db, profile)
    assert len(shown) <= 1
    return tuple((e.activity, e.student, e.day, e.time, e.duration_minutes, e.notes) for e in shown)[0] \
        if shown else None


@pytest.fixture
async def chat_side(slack) -> ChatHarness:
    """The chat core on the Slack app's database and school, with Li Lei on Slack."""
    await slack.add_member(LI, "Li Lei", language="en")
    harness = ChatHarness(slack.db, slack.clock)
    harness.school = slack.school
    return harness


async def through_chat(harness: ChatHarness, line: str) -> tuple[list[str], tuple | None, str | None]:
    """What the chat says before its question or summary, the entry Save stores, and the message after Save
    (each time as a new member, so each tally starts at zero)."""
    zhou = await harness.add_member("Zhou Chat", language="en")
    outcome = await zhou.send(f"/log {line}")
    *refusals, question = [reply.text for reply in outcome.replies]
    if not any(choice.label == "✅ Save" for choice in outcome.replies[-1].all_choices):
        return refusals, await entry_of(harness.db, PLATFORM, zhou.user_id), None
    await zhou.tap_label("✅ Save")
    return refusals, await entry_of(harness.db, PLATFORM, zhou.user_id), zhou.last_text


async def through_the_modal(slack, line: str) -> tuple[list[str], tuple | None, str | None]:
    """What Slack shows for `/teachlog log <line>` before the form or summary, the entry the form saves when
    submitted as filled in, and the DM that confirms it."""
    await slack.command(LI, f"log {line}", trigger_id="trigger-7")
    opened = slack.fake.of("views.open")
    if opened:
        view = opened[0]["view"]
        notes = [block for block in view["blocks"] if block["type"] == "context"]
        refusals = [element["text"] for block in notes for element in block["elements"]]
    else:  # a whole entry: the chat on Slack shows it with Save; the form would hold the same
        *refusals, _summary = slack.fake.texts_to(LI)
        profile = await profile_for_account(slack.db, SLACK, LI)
        assert profile is not None
        local_now = profile.local_now(slack.clock.now())
        view = modal_view(profile, translator("en"), local_now.date(), [], read_one_liner(profile, line, local_now))
    before = len(slack.fake.texts_to(LI))
    await slack.interact(view_submission(LI, filled_in(view)))
    after = slack.fake.texts_to(LI)[before:]
    return refusals, await entry_of(slack.db, SLACK, LI), after[-1] if after else None


@pytest.mark.parametrize("line", LINES, ids=lambda line: line[:40])
async def test_a_one_liner_has_the_same_outcome_in_the_chat_and_in_the_modal(slack, chat_side, line):
    chat_refusals, chat_entry, chat_saved = await through_chat(chat_side, line)
    modal_refusals, modal_entry, modal_saved = await through_the_modal(slack, line)
    assert modal_refusals == chat_refusals
    assert modal_entry == chat_entry
    assert modal_saved == chat_saved


async def test_the_lines_cover_saved_refused_and_incomplete_entries(chat_side):
    """The parametrised lines are not all alike: some save, some are refused, some are merely incomplete."""
    outcomes = [await through_chat(chat_side, line) for line in (LINES[0], LINES[5], LINES[-2])]
    saved, refused, incomplete = outcomes
    assert saved[1] is not None and saved[2] is not None and saved[2].endswith("this week: 1.")
    assert refused[0] == ["That is in the future. Log activities that have already happened."]
    assert refused[1] is None and incomplete[0] == [] and incomplete[1] is None
    assert saved[1][2] == dt.date(2026, 11, 17)
