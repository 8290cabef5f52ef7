"""Stored report rows read back share their equal parts (storage.report_summaries.stored_rows_of_schools): a
county's cold district report keeps 18,000 of them, so each rule's result and each set of counts is one object
however many members' rows hold it — and every row still reads back exactly as it was stored."""

from __future__ import annotations

import datetime as dt

from bot.people.schools import create_school
from storage import report_summaries as store
from storage.report_summaries import SummaryRow

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)


async def test_rows_read_back_as_stored_sharing_each_rule_result_and_each_set_of_counts(db):
    school_id = (await create_school(db, "城关中学", now=NOW)).school_id
    stored = {
        1: SummaryRow({"home_visit": 2}, {"home_visit": 2}, (("visits", 2, 2, 2), ("tutoring", 1, 1, 4))),
        2: SummaryRow({"home_visit": 2, "tutoring": 1}, {"home_visit": 2},
                      (("visits", 2, 2, 2), ("tutoring", 3, 3, 4))),
        3: SummaryRow({}, {}, ()),
    }
    async with db.transaction() as session:
        await store.replace_rows(session, school_id, "term/this/", stored)
        read = await store.stored_rows_of_schools(session, [school_id], "term/this/")
    rows = read[school_id]
    assert rows == stored
    assert rows[1].quotas[0] is rows[2].quotas[0]  # the same result on one rule, in rows that differ
    assert rows[1].counts is rows[1].own is rows[2].own  # the same counts, all or own, in any row
