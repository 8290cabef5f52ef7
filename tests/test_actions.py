"""The button codec: every action survives a round trip; data no button of ours could carry decodes to None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.actions import (
    ACTION_KINDS,
    MAX_DATA_BYTES,
    AnswerProblems,
    AssignProblem,
    AssignTo,
    CancelEntry,
    CandidatesPage,
    ChooseActivity,
    ChooseCovisitor,
    ChooseDay,
    ChooseDuration,
    ChoosePlace,
    ChooseRecord,
    ChooseStudent,
    CloseProblem,
    EditEntry,
    EditField,
    ForDraft,
    LogNow,
    SaveEntry,
    SetLanguage,
    SetReminders,
    ShowSchoolReport,
    SkipNotes,
    Snooze,
    UndoEntry,
    decode,
    draft_id_of,
    encode,
)

EXAMPLES = [
    (LogNow("home_visit"), "lognow:home_visit"),
    (ChooseActivity("phone_call"), "act:phone_call"),
    (ChooseStudent(0), "stu:0"),
    (ChooseStudent(2), "stu:2"),
    (ChoosePlace(1), "place:1"),
    (ChooseCovisitor(17), "cov:17"),
    (ChooseCovisitor(None), "cov:none"),
    (ChooseDay("yesterday"), "when:yesterday"),
    (ChooseDuration(45), "dur:45"),
    (SkipNotes(), "notes:skip"),
    (AnswerProblems("clear"), "problems:clear"),
    (SaveEntry("0123456789abcdef"), "save:0123456789abcdef"),
    (EditEntry(), "edit"),
    (CancelEntry(), "cancel"),
    (EditField("covisitor"), "editf:covisitor"),
    (UndoEntry(2**31 - 1), "undo:2147483647"),
    (UndoEntry(None), "undo:keep"),
    (SetLanguage("zh"), "lang:zh"),
    (SetReminders("weekly"), "remind:weekly"),
    (Snooze(), "snooze"),
    (AssignProblem(3), "prb:assign:3"),
    (CloseProblem(4), "prb:close:4"),
    (AssignTo(5), "prb:to:5"),
    (CandidatesPage(0), "prb:page:0"),
    (ChooseRecord("reflection"), "rec:reflection"),
    (ShowSchoolReport(7, "term", "last"), "rep:school:7:term:last"),
]

MALFORMED = [
    "", "undo:abc", "undo:", "undo", "undo:0", "undo:-1", "undo:2147483648", "undo:9223372036854775808",
    "undo:" + "9" * 40, "undo:1:2", "undo:+1", "undo:01", "undo: 1", "undo:１", "stu:abc", "stu:-1", "stu:100",
    "stu:", "dur:abc", "dur:1e9", "dur:0", "dur:721", "dur:45.5", "dur:1000000000", "cov:abc", "cov:0",
    "cov:None", "when:tomorrow", "when:", "act:", "act:Home_Visit", "act:家访", "act:a" + "b" * 60,
    "lognow:", "lognow:x:y", "notes:skip:now", "notes:", "problems:maybe", "save:", "save:XYZ",
    "save:" + "a" * 40, "editf:password", "lang:fr", "remind:hourly", "prb:assign:abc", "prb:close:-3",
    "prb:to:0", "prb:page:-1", "prb", "prb:", "prb:delete:1", "snooze:1", "edit:1", "nonsense", "a" * 65,
    "\x00", "undo:1\x00", "place:abc", "place:100", "rec:", "rec:心得",
    # a log draft's button: the draft id is eight hex digits after one "#"
    "rep:school:0:term:this", "rep:school:7:decade:this", "rep:school:7:term:next", "rep:school:7:term",
    "rep:school:x:week:this",
    "edit#", "edit#0123", "edit#0123456789", "edit#ABCDEF01", "edit#0123abcd#0123abcd", "#0123abcd", "stu:x#0123abcd",
]


def test_a_draft_button_carries_its_draft_id_and_decodes_to_its_action():
    data = encode(ForDraft(ChooseStudent(2), "0123abcd"))
    assert data == "stu:2#0123abcd"
    assert decode(data) == ChooseStudent(2)
    assert draft_id_of(data) == "0123abcd"
    assert draft_id_of("stu:2") is None
    assert draft_id_of("stu:x#0123abcd") is None


def test_a_draft_id_outside_its_pattern_cannot_be_encoded():
    with pytest.raises(ValueError):
        encode(ForDraft(EditEntry(), "not-hex!"))


@pytest.mark.parametrize(("action", "data"), EXAMPLES, ids=[data for _, data in EXAMPLES])
def test_every_action_encodes_to_its_data_and_decodes_back(action, data):
    assert encode(action) == data
    assert decode(data) == action


def test_every_kind_of_action_has_an_example():
    assert {type(action) for action, _ in EXAMPLES} == set(ACTION_KINDS)


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_or_forged_data_decodes_to_nothing(data):
    assert decode(data) is None


@pytest.mark.parametrize("data", [None, 17, b"undo:1", object()])
def test_data_that_is_not_text_decodes_to_nothing(data):
    assert decode(data) is None


@pytest.mark.parametrize("action", [ChooseStudent(-1), UndoEntry(2**31), ChooseDuration(0), ChooseDay("tomorrow"),
                                    ChooseActivity("家访"), SaveEntry("not-hex"), CloseProblem(True)])
def test_an_action_outside_its_schema_cannot_be_encoded(action):
    with pytest.raises(ValueError):
        encode(action)


def test_an_activity_code_too_long_for_a_button_cannot_be_encoded():
    with pytest.raises(ValueError):
        encode(ChooseActivity("a" * 49))


def test_the_longest_possible_data_fits_telegrams_limit():
    assert len(encode(LogNow("a" * 48)).encode()) <= MAX_DATA_BYTES
    assert len(encode(SaveEntry("f" * 32)).encode()) <= MAX_DATA_BYTES


@given(st.text(max_size=80))
def test_any_text_decodes_to_nothing_or_to_an_action_that_encodes_back_to_it(data):
    action = decode(data)
    assert action is None or encode(action) == data


@given(st.sampled_from(["undo", "stu", "dur", "cov", "prb:close", "prb:page"]),
       st.integers(min_value=-10**30, max_value=10**30))
def test_a_number_decodes_only_within_its_bounds(prefix, number):
    action = decode(f"{prefix}:{number}")
    assert action is None or encode(action) == f"{prefix}:{number}"
    if number < 0 or number >= 2**31:
        assert action is None
