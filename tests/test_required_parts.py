"""A handler wired to the wrong kind of update, or a row that vanished, fails with a clear LookupError."""

import pytest
from telegram import CallbackQuery, Update, User

from handlers.telegram.required import tap_data, user
from storage import repository as repo

TEACHER = User(id=7, first_name="Wang", is_bot=False)


def test_tap_data_is_the_tapped_buttons_data() -> None:
    update = Update(1, callback_query=CallbackQuery("q1", TEACHER, "chat", data="undo:yes"))
    assert tap_data(update) == "undo:yes"
    assert user(update).id == 7


def test_an_update_without_a_button_tap_says_so() -> None:
    with pytest.raises(LookupError, match="this update is not a button tap"):
        tap_data(Update(2))


async def test_a_missing_school_or_member_is_named_in_the_error(db) -> None:
    async with db.transaction() as session:
        with pytest.raises(LookupError, match="no school with id 404"):
            await repo.require_school(session, 404)
        with pytest.raises(LookupError, match="no member with id 405"):
            await repo.require_member(session, 405)
