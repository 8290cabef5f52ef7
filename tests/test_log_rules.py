"""The rules of logging as plain functions: how far back, which tally after Save, how a one-liner fills a draft."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.logbook.dates import DurationError, WhenError
from bot.logbook.drafts import MAX_NOTES
from bot.logbook.log_rules import MAX_DAYS_BACK, Refusal, draft_from_one_liner, read_duration, read_when, tally_for
from bot.quotas.policy import load_preset

POLICY = load_preset("default")
# A Wednesday afternoon in the member's zone.
NOW = dt.datetime(2026, 11, 18, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = NOW.date()


def test_a_date_exactly_max_days_back_is_taken_and_one_day_more_is_too_old():
    assert read_when(f"{MAX_DAYS_BACK} days ago", NOW).day == TODAY - dt.timedelta(days=MAX_DAYS_BACK)
    with pytest.raises(WhenError) as refused:
        read_when(f"{MAX_DAYS_BACK + 1} days ago", NOW)
    assert refused.value.code == "too_old"


def test_a_future_date_and_an_absurd_duration_are_refused_with_their_codes():
    with pytest.raises(WhenError) as future:
        read_when("tomorrow", NOW)
    with pytest.raises(DurationError) as too_long:
        read_duration("13h")
    assert (future.value.code, too_long.value.code) == ("future", "too_long")
    assert read_duration("半小时") == 30


@pytest.mark.parametrize("day, period, bounds", [
    (TODAY, "week", (dt.date(2026, 11, 16), dt.date(2026, 11, 22))),
    (dt.date(2026, 11, 13), "month", (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
    (dt.date(2026, 10, 5), "quarter", (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
])
def test_the_tally_after_save_is_the_current_period_the_entry_counts_in(day, period, bounds):
    tally = tally_for(day, TODAY, POLICY)
    assert tally is not None and (tally.period, (tally.start, tally.end)) == (period, bounds)


def test_an_entry_from_last_quarter_gets_no_running_tally():
    assert tally_for(dt.date(2026, 9, 30), TODAY, POLICY) is None


def test_a_full_one_liner_fills_the_draft_and_asks_nothing_more():
    one_liner = draft_from_one_liner("家访 王小明 昨天 40分钟 了解学习情况", POLICY, NOW)
    draft = one_liner.draft
    assert (draft.activity, draft.student, draft.day, draft.duration_minutes, draft.notes) == \
        ("home_visit", "王小明", dt.date(2026, 11, 17), 40, "了解学习情况")
    assert one_liner.refusals == []
    assert draft.next_missing(("student", "covisitor", "duration", "notes")) is None


def test_a_one_liner_without_notes_does_not_ask_for_them_or_for_a_colleague():
    draft = draft_from_one_liner("visit Wang Xiaoming today 30", POLICY, NOW).draft
    assert (draft.notes, draft.notes_asked, draft.covisitor_asked, draft.problems_asked) == (None, True, True, True)


def test_a_one_liner_with_only_an_activity_leaves_the_rest_to_be_asked():
    draft = draft_from_one_liner("call", POLICY, NOW).draft
    assert draft.activity == "phone_call"
    assert draft.next_missing(("student", "covisitor", "duration", "notes")) == "student"


def test_a_one_liner_without_a_known_activity_keeps_what_it_read_and_flags_nothing_as_asked():
    draft = draft_from_one_liner("王小明 昨天 40分钟", POLICY, NOW).draft
    assert draft.activity is None and (draft.notes_asked, draft.covisitor_asked) == (False, False)


def test_unusable_parts_of_a_one_liner_are_refusals_in_the_order_of_the_line():
    one_liner = draft_from_one_liner("visit Wang tomorrow 13h", POLICY, NOW)
    assert one_liner.refusals == [Refusal("when", "future", MAX_DAYS_BACK), Refusal("duration", "too_long")]
    assert (one_liner.draft.day, one_liner.draft.duration_minutes) == (None, None)


def test_over_long_notes_in_a_one_liner_are_refused_with_their_length():
    notes = "x" * (MAX_NOTES + 1)
    one_liner = draft_from_one_liner(f"visit Wang today 30 {notes}", POLICY, NOW)
    assert one_liner.refusals == [Refusal("notes", "too_long", MAX_NOTES, MAX_NOTES + 1)]
    assert one_liner.draft.notes is None
