"""The application's database: storage's :class:`~storage.db.Database` with the session hooks the app relies on.

Every flush that adds or changes a member (their role or dates) or a pairing marks that member's stored
report summaries stale (:class:`storage.report_summaries.TrackedSession`), whichever code path made the
change. A Database built without it would let a report show summaries older than what was written: build
every Database of the application, its benchmarks and its tests here.
"""

from __future__ import annotations

from storage.db import DEFAULT_DATABASE_URL, Database
from storage.report_summaries import TrackedSession


def app_database(url: str = DEFAULT_DATABASE_URL, **engine_kwargs) -> Database:
    """A Database on `url` whose sessions track the report summaries' changes."""
    return Database(url, session_class=TrackedSession, **engine_kwargs)


def verbatim_database(url: str) -> Database:
    """A Database that backups, restores and copies read and write as they are: its rows (stored summaries and
    their change log included) are copied verbatim, so no change is tracked on top of them."""
    return Database(url)
