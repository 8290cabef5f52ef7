"""Column values as JSON that reads back the same on SQLite and PostgreSQL.

JSON's own types (null, true/false, numbers, text) stand for themselves; the rest carry a tag:
``{"date": "2026-11-18"}``, ``{"datetime": "2026-11-18T09:30:00+00:00"}`` (always UTC),
``{"time": "15:00:00"}``, ``{"bytes": BASE64}``, ``{"decimal": "1.50"}``. A JSON column's document is
``{"json": DOCUMENT}``, so that a stored JSON ``null`` (``{"json": null}``) stays apart from SQL NULL
(``null``).

The values read and written here are those of :mod:`storage.table_rows`: a JSON column's document
parsed, its JSON ``null`` as :data:`JSON_NULL`.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
from typing import Any

from sqlalchemy import JSON

#: A JSON column holding the JSON document ``null`` (not SQL NULL), as SQLAlchemy writes it.
JSON_NULL = JSON.NULL

_PLAIN = (type(None), bool, int, float, str)


class BadValue(ValueError):
    """A value in a backup that is none of the encoded forms."""


def encode(value: Any, *, json_column: bool = False) -> Any:
    """The JSON form of a value read from a column (a JSON column's document with `json_column`)."""
    if json_column:
        if value is None:
            return None
        return {"json": None if value is JSON_NULL else value}
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise BadValue("a timestamp without a time zone")
        return {"datetime": value.astimezone(dt.timezone.utc).isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"time": value.isoformat()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    raise BadValue(f"a value of type {type(value).__name__}")


def decode(encoded: Any) -> Any:
    """The value :func:`encode` made `encoded` from; :class:`BadValue` for anything else."""
    if type(encoded) in _PLAIN:
        return encoded
    if type(encoded) is not dict or len(encoded) != 1:
        raise BadValue("a value that is neither plain nor tagged")
    ((tag, text),) = encoded.items()
    if tag == "json":
        return JSON_NULL if text is None else text
    if not isinstance(text, str):
        raise BadValue(f"a {tag} that is not text")
    try:
        if tag == "datetime":
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is None:
                raise BadValue("a timestamp without a time zone")
            return moment
        if tag == "date":
            return dt.date.fromisoformat(text)
        if tag == "time":
            return dt.time.fromisoformat(text)
        if tag == "bytes":
            return base64.b64decode(text, validate=True)
        if tag == "decimal":
            return decimal.Decimal(text)
    except (ValueError, decimal.InvalidOperation) as error:
        raise BadValue(f"an unreadable {tag}") from error
    raise BadValue(f"an unknown tag {tag!r}")
