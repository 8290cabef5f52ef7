"""The async engine and session factory; SQLite gets WAL, a busy timeout, and a pool reset that rolls back
only what is open.

Queries nothing itself: the query functions live in the sibling modules, one subject each.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Dialect, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolResetState

from storage.errors import DatabaseFailure, known_failure, missing_sqlite_folder, unusable_url

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///teachlog.db"
SQLITE_BUSY_TIMEOUT_MS = 10_000

#: A session inside one transaction, as :meth:`Database.transaction` yields it: what query functions take.
Transaction = AsyncSession


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        # The pool never got this connection (e.g. a read-only file refuses WAL): close it while the loop runs.
        cursor.close()
        dbapi_connection.close()
        raise
    cursor.close()


def _rollback_if_in_transaction(dbapi_connection: Any, record: ConnectionPoolEntry, _state: PoolResetState) -> None:
    """The pool's reset of an SQLite connection: roll back only what is open. sqlite3's own rollback does nothing
    outside a transaction, but through aiosqlite each call is a hand-off to its thread, at every check-in."""
    driver = record.driver_connection
    if driver is None or driver.in_transaction:
        dbapi_connection.rollback()


def _postgres_connect_args(connect_args: dict) -> dict:
    """Plan each statement for its own values.

    The progress aggregates send the same SQL with different dates and activities;
    PostgreSQL's generic plan for them (chosen after five executions) was 3–4× slower
    than a custom plan in bench/progress.py.
    """
    server_settings = {"plan_cache_mode": "force_custom_plan", **connect_args.get("server_settings", {})}
    return {**connect_args, "server_settings": server_settings}


def create_engine(url: str = DEFAULT_DATABASE_URL, **kwargs) -> AsyncEngine:
    """An engine for `url`; on SQLite every connection is set to WAL with a busy timeout."""
    try:
        backend = make_url(url).get_backend_name()
        if backend == "postgresql":
            kwargs["connect_args"] = _postgres_connect_args(kwargs.get("connect_args", {}))
        if backend == "sqlite":
            kwargs.setdefault("pool_reset_on_return", None)  # _rollback_if_in_transaction resets instead
        # A failed statement names its SQL but never its values (a student's name, a note): errors get logged.
        engine = create_async_engine(url, hide_parameters=True, **kwargs)
    except (ArgumentError, InvalidRequestError, ImportError) as error:
        raise DatabaseFailure(unusable_url(url)) from error
    if backend == "sqlite":
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        event.listen(engine.sync_engine, "reset", _rollback_if_in_transaction)
    _raise_known_failures(engine, url)
    return engine


def _raise_known_failures(engine: AsyncEngine, url: str) -> None:
    """Turn an unreachable, missing, refused or read-only database into a :class:`DatabaseFailure`.

    Other errors (a unique key, a serialization failure) stay as they are: callers handle those.
    """
    def on_error(context: ExceptionContext) -> None:
        message = known_failure(context.original_exception, url)
        if message is not None:
            raise DatabaseFailure(message) from context.original_exception

    def connect(dialect: Dialect, _record: object, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        # Checked first because aiosqlite, failing to open a file, leaves its thread to report to a closed loop.
        missing_folder = missing_sqlite_folder(url) if dialect.name == "sqlite" else None
        if missing_folder is not None:
            raise DatabaseFailure(missing_folder)
        # The driver's own network errors (a refused port, an unknown host) bypass `handle_error`.
        try:
            return dialect.connect(*cargs, **cparams)
        except (OSError, TimeoutError) as error:
            message = known_failure(error, url)
            if message is None:
                raise
            raise DatabaseFailure(message) from error

    event.listen(engine.sync_engine, "handle_error", on_error)
    event.listen(engine.sync_engine, "do_connect", connect)


def engine_of(session: AsyncSession) -> Engine:
    """The (sync) engine a session talks to: one per database a process opened, a key for what is kept per database."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


class Database:
    """Owns an engine and hands out sessions; `transaction()` is the unit of work.

    Without `pooled`, no connection is kept between uses. `session_class` is how the application hooks its
    listeners into every session (the app builds its Database with :func:`bot.database.app_database`, which
    tracks changes to the stored report summaries).
    """

    def __init__(self, url: str = DEFAULT_DATABASE_URL, *, session_class: type[Session] = Session,
                 pooled: bool = True, **engine_kwargs) -> None:
        self.url = url
        if not pooled:
            # No connection is kept: each use connects afresh (what a health check means by "reachable").
            engine_kwargs["poolclass"] = NullPool
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, sync_session_class=session_class)
        #: Who is told of statements sent to a driver connection directly, past the engine's events.
        self._direct_listeners: list[Callable[[str], None]] = []

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    def sent_directly(self, statement: str) -> None:
        """Note a statement sent to a driver connection past the engine, so :meth:`recording_statements` sees it."""
        for listener in self._direct_listeners:
            listener(statement)

    @contextmanager
    def recording_statements(self) -> Iterator[list[str]]:
        """The SQL statements sent while the block runs: how benchmarks and tests count queries."""
        statements: list[str] = []

        def record(_connection, _cursor, statement, *_rest) -> None:
            statements.append(statement)

        event.listen(self.engine.sync_engine, "before_cursor_execute", record)
        self._direct_listeners.append(statements.append)
        try:
            yield statements
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", record)
            self._direct_listeners.remove(statements.append)

    async def dispose(self) -> None:
        await self.engine.dispose()
