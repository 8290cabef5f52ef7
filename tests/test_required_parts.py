"""A row that vanished fails with a clear LookupError."""

import pytest

from storage import repository as repo


async def test_a_missing_school_or_member_is_named_in_the_error(db) -> None:
    async with db.transaction() as session:
        with pytest.raises(LookupError, match="no school with id 404"):
            await repo.require_school(session, 404)
        with pytest.raises(LookupError, match="no member with id 405"):
            await repo.require_member(session, 405)
