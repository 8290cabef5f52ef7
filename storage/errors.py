"""Database failures an operator can fix, as one line: what is wrong and what to do.

The engine (storage.db) turns the driver's errors for an unreachable, missing,
refused or read-only database into :class:`DatabaseFailure`; :func:`explain`
also gives any other driver error one line. Neither ever includes the SQL or
its parameters (a policy's whole YAML travels as one), nor a password.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError

#: Any error the database driver raised: :func:`explain` gives it one line.
DriverError = DBAPIError
#: A write a constraint refused: most often a unique key a concurrent writer took first.
ConstraintViolation = IntegrityError

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 13, 14, 26

#: PostgreSQL's SQLSTATEs (and classes, by their first two characters) for a database one cannot use.
PG_READ_ONLY = "25006"
PG_NO_SUCH_DATABASE = "3D000"
PG_LOGIN_REFUSED_CLASS = "28"
PG_CONNECTION_CLASS = "08"
PG_NO_PRIVILEGE = "42501"
PG_DISK_FULL = "53100"
PG_TOO_MANY_CONNECTIONS = "53300"
PG_STARTING_OR_STOPPING = ("57P01", "57P02", "57P03")

READ_ONLY_HINT = ("give teachlog a database it may write (file and folder permissions, "
                  "or a PostgreSQL user with write access)")


class DatabaseFailure(Exception):
    """The database cannot be used as configured; the message is one line for the operator."""


def masked_url(url: str | URL) -> str:
    """The URL as written, but with its password replaced by ***."""
    try:
        parsed = make_url(url)
        return parsed.render_as_string(hide_password=True) if parsed.password is not None else str(url)
    except ArgumentError:
        return "(not a URL)"


def unusable_url(url: str | URL) -> str:
    """The failure for a URL teachlog cannot open at all: unreadable, or not one of its two async drivers."""
    return (f"cannot use the database URL {masked_url(url)}: teachlog opens sqlite+aiosqlite:///FILE "
            f"or postgresql+asyncpg://USER@HOST/DATABASE (set TEACHLOG_DATABASE_URL)")


def explain(error: BaseException, url: str | URL) -> str:
    """One line for any error from the database driver; :func:`known_failure`'s when it knows the case."""
    known = known_failure(error, url)
    if known is not None:
        return known
    return f"the database at {masked_url(url)} failed: {_driver_message(error)}"


def known_failure(error: BaseException, url: str | URL) -> str | None:
    """What is wrong and what to do, for a database that is unreachable, missing, refused or read-only."""
    for cause in _chain(error):
        if isinstance(cause, sqlite3.Error) and hasattr(cause, "sqlite_errorcode"):
            return _sqlite_failure(cause.sqlite_errorcode & 0xFF, url)
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and len(sqlstate) == 5:
            return _postgres_failure(sqlstate, _driver_message(cause), url)
    if make_url(url).get_backend_name() != "sqlite":
        for cause in _chain(error):
            if isinstance(cause, (OSError, TimeoutError)):
                return _network_failure(cause, url)
    return None


def _sqlite_failure(code: int, url: str | URL) -> str | None:
    where = masked_url(url)
    if code == SQLITE_READONLY:
        return f"cannot write to the database at {where}: it is read-only; {READ_ONLY_HINT}"
    if code == SQLITE_CANTOPEN:
        return missing_sqlite_folder(url) or (
            f"cannot open the database at {where}: check that the file and its folder exist and may be written")
    if code == SQLITE_PERM:
        return f"cannot open the database at {where}: permission denied; {READ_ONLY_HINT}"
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return f"the database at {where} is locked by another process; try again when it has finished"
    if code == SQLITE_FULL:
        return f"cannot write to the database at {where}: the disk is full"
    if code == SQLITE_NOTADB:
        return f"{where} is not a SQLite database: point TEACHLOG_DATABASE_URL at a teachlog database file"
    return None


def _postgres_failure(sqlstate: str, message: str, url: str | URL) -> str | None:
    where = masked_url(url)
    if sqlstate == PG_READ_ONLY:
        return f"cannot write to the database at {where}: it is read-only; {READ_ONLY_HINT}"
    if sqlstate == PG_NO_SUCH_DATABASE:
        name = make_url(url).database
        return (f"the database {name!r} does not exist at {where}: create it (createdb {name}) "
                f"or correct TEACHLOG_DATABASE_URL")
    if sqlstate.startswith(PG_LOGIN_REFUSED_CLASS):
        return f"PostgreSQL refused the login to {where}: {message}; check the user and password"
    if sqlstate == PG_NO_PRIVILEGE:
        return f"the database user may not do this at {where}: {message}; grant it the rights or use another user"
    if sqlstate == PG_DISK_FULL:
        return f"cannot write to the database at {where}: the server's disk is full"
    if sqlstate == PG_TOO_MANY_CONNECTIONS or sqlstate in PG_STARTING_OR_STOPPING:
        return f"the database at {where} does not accept connections now: {message}; try again later"
    if sqlstate.startswith(PG_CONNECTION_CLASS):
        return f"cannot connect to the database at {where}: {message}"
    return None


def _network_failure(error: OSError | TimeoutError, url: str | URL) -> str:
    parsed = make_url(url)
    address = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    where = masked_url(url)
    if isinstance(error, socket.gaierror):
        return f"cannot connect to the database at {where}: unknown host {parsed.host!r}"
    if isinstance(error, TimeoutError):
        return f"cannot connect to the database at {where}: {address} did not answer in time"
    if isinstance(error, ConnectionRefusedError) or "Connect call failed" in str(error):
        return (f"cannot connect to the database at {where}: nothing answers at {address}; "
                f"is PostgreSQL running there, and is the port right?")
    return f"cannot connect to the database at {where}: {error.strerror or error}"


def missing_sqlite_folder(url: str | URL) -> str | None:
    """The failure for a SQLite file whose folder does not exist (SQLite itself only says it cannot open it)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    folder = Path(database.removeprefix("file:").split("?", 1)[0]).parent
    if folder.is_dir():
        return None
    return (f"cannot open the database at {masked_url(url)}: the folder {folder} does not exist; "
            f"create it or point TEACHLOG_DATABASE_URL elsewhere")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver's error under SQLAlchemy's wrapper, and their causes."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]


def _driver_message(error: BaseException) -> str:
    """The driver's own message, first line only: SQLAlchemy's text adds the statement and parameters."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
