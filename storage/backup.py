"""`teachlog db backup` and `db restore`: a portable file with every table, taken in one snapshot.

The file is gzip. Its first line is a JSON header::

    {"format": "teachlog backup", "version": 1, "revision": "0012", "taken_at": "…", "source": "sqlite",
     "tables": [{"name": "schools", "columns": ["id", …], "rows": 3, "sha256": "…", "last_id": 3}, …]}

then each table's rows in the header's order (each table after those it refers to), one JSON array a line
in the order of its columns, values as :mod:`storage.portable_values` writes them. ``sha256`` is the
checksum of the table's lines as stored (UTF-8, each with its newline); ``last_id`` the last id the
table's sequence had handed out. The header is written last (as its own gzip member in front of the
rows), since the counts and checksums are known only once the rows are.

A restore reads the whole file and checks every count and checksum before it writes anything, then
writes every row in one transaction into an empty database at the backup's schema revision and upgrades
it to the newest.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.types import JSON

from storage.db import Database
from storage.loading import loading
from storage.portable_values import BadValue, decode, encode
from storage.snapshot import snapshot
from storage.table_rows import Row, TableShape, TransferRefused, count_mismatches

FORMAT = "teachlog backup"
FORMAT_VERSION = 1
BATCH_ROWS = 5_000
#: gzip's level: 6 compresses JSON lines nearly as well as 9, in half the time.
COMPRESSION = 6

Progress = Callable[[str, int], Awaitable[None]]


class BackupDamaged(TransferRefused):
    """The file is not a whole, unaltered teachlog backup."""


@dataclass(frozen=True)
class TableHeader:
    name: str
    columns: tuple[str, ...]
    rows: int
    sha256: str
    last_id: int | None = None

    @property
    def shape(self) -> TableShape:
        return TableShape(self.name, self.columns)


@dataclass(frozen=True)
class BackupHeader:
    revision: str
    taken_at: str
    source: str
    tables: tuple[TableHeader, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {table.name: table.rows for table in self.tables}

    @property
    def last_ids(self) -> dict[str, int]:
        return {table.name: table.last_id for table in self.tables if table.last_id is not None}

    def line(self) -> bytes:
        return _line({"format": FORMAT, "version": FORMAT_VERSION, "revision": self.revision,
                      "taken_at": self.taken_at, "source": self.source,
                      "tables": [{"name": t.name, "columns": list(t.columns), "rows": t.rows, "sha256": t.sha256,
                                  **({} if t.last_id is None else {"last_id": t.last_id})} for t in self.tables]})


@dataclass(frozen=True)
class Restored:
    header: BackupHeader
    counts: dict[str, int]


#: One encoder for every line (json.dumps with options would build one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=encode)
_DECODER = json.JSONDecoder()
_NOT_PLAIN = (dict, list)


def _line(value: Any) -> bytes:
    return (_ENCODER.encode(value) + "\n").encode("utf-8")


# -- writing ------------------------------------------------------------------------------------------------


async def write_backup(db: Database, path: Path, now: dt.datetime, *, batch_rows: int = BATCH_ROWS,
                       progress: Progress | None = None) -> BackupHeader:
    """Every table of `db`, as one read transaction sees it, written to `path` (replaced only when whole).

    `progress(table, rows so far)` is awaited after each batch read.
    """
    folder = _writable_folder(path)
    with tempfile.TemporaryFile(dir=folder, prefix=f".{path.name}.") as body:
        async with snapshot(db) as snap:
            tables = []
            with gzip.GzipFile(filename="", fileobj=body, mode="wb", compresslevel=COMPRESSION, mtime=0) as rows:
                for table in snap.tables:
                    documents = [index for index, column in enumerate(table.columns) if isinstance(column.type, JSON)]
                    checksum, count = hashlib.sha256(), 0
                    async for batch in snap.rows(table, batch_rows):
                        lines = b"".join(_line(_wrap_documents(row, documents)) for row in batch)
                        checksum.update(lines)
                        rows.write(lines)
                        count += len(batch)
                        if progress is not None:
                            await progress(table.name, count)
                    tables.append((table.name, tuple(table.columns.keys()), count, checksum.hexdigest()))
            last_ids = await snap.last_ids()
            header = BackupHeader(snap.revision, now.astimezone(dt.timezone.utc).isoformat(), db.dialect,
                                  tuple(TableHeader(*table, last_id=last_ids.get(table[0])) for table in tables))
        _assemble(path, header.line(), body)
    return header


def _wrap_documents(row: Row, documents: list[int]) -> Row | list[Any]:
    if not documents:
        return row
    values = list(row)
    for index in documents:
        values[index] = encode(values[index], json_column=True)
    return values


def _writable_folder(path: Path) -> Path:
    if path.is_dir():
        raise TransferRefused(f"{path} is a folder: name the backup file, e.g. {path / 'teachlog.backup.gz'}")
    folder = path.parent
    if not folder.is_dir():
        raise TransferRefused(f"cannot write {path}: the folder {folder} does not exist")
    return folder


def _assemble(path: Path, header: bytes, body: IO[bytes]) -> None:
    """Header member, then the rows' member, into a file next to `path`, renamed over it when complete."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as out:
            with gzip.GzipFile(filename="", fileobj=out, mode="wb", compresslevel=COMPRESSION, mtime=0) as front:
                front.write(header)
            body.seek(0)
            shutil.copyfileobj(body, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


# -- reading -------------------------------------------------------------------------------------------------


@contextmanager
def _refusing_damage(path: Path) -> Iterator[None]:
    """Any sign of a truncated, altered or foreign file as one :class:`BackupDamaged`."""
    try:
        yield
    except EOFError:
        raise BackupDamaged(f"the backup {path} ends early (is it truncated?): nothing was written") from None
    except gzip.BadGzipFile as error:
        if str(error).startswith("Not a gzipped file"):
            raise BackupDamaged(f"{path} is not a teachlog backup (written by `teachlog db backup`): "
                                f"nothing was written") from None
        raise BackupDamaged(f"the backup {path} is damaged (its compressed data does not check): "
                            f"nothing was written") from None
    except zlib.error:
        raise BackupDamaged(f"the backup {path} is damaged (its compressed data does not check): "
                            f"nothing was written") from None
    except (ValueError, TypeError, KeyError):
        # json, UTF-8, a tagged value or a header field that cannot be read
        raise BackupDamaged(f"the backup {path} is damaged (a line cannot be read): nothing was written") from None
    except IsADirectoryError:
        raise TransferRefused(f"{path} is a folder, not a backup file") from None
    except FileNotFoundError:
        raise TransferRefused(f"there is no backup file {path}") from None
    except PermissionError:
        raise TransferRefused(f"cannot read the backup {path}: permission denied") from None


def read_header(path: Path) -> BackupHeader:
    """The backup's header; :class:`BackupDamaged` for a file that is no teachlog backup this version reads."""
    with _refusing_damage(path), gzip.open(path, "rb") as stream:
        return _parse_header(stream.readline(), path)


def _parse_header(line: bytes, path: Path) -> BackupHeader:
    try:
        found = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        found = None
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        raise BackupDamaged(f"{path} is not a teachlog backup (written by `teachlog db backup`): nothing was written")
    if found.get("version") != FORMAT_VERSION:
        raise TransferRefused(f"the backup {path} has format version {found.get('version')}, this teachlog reads "
                              f"version {FORMAT_VERSION}: restore it with the teachlog that wrote it")
    tables = tuple(TableHeader(str(t["name"]), tuple(str(c) for c in t["columns"]), int(t["rows"]), str(t["sha256"]),
                               None if t.get("last_id") is None else int(t["last_id"]))
                   for t in found["tables"])
    return BackupHeader(str(found["revision"]), str(found["taken_at"]), str(found["source"]), tables)


def read_rows(path: Path, header: BackupHeader, batch_rows: int = BATCH_ROWS
              ) -> Iterator[tuple[TableHeader, list[Row]]]:
    """Each table's rows, decoded, `batch_rows` at a time (and once with none for an empty table).

    Raises :class:`BackupDamaged` as soon as a count, a checksum or the end of the file is not as the
    header says, so a reader that writes as it goes must be able to undo it (one transaction).
    """
    with _refusing_damage(path), gzip.open(path, "rb") as stream:
        if _parse_header(stream.readline(), path) != header:
            raise BackupDamaged(f"the backup {path} changed while it was read: nothing was written")
        for table in header.tables:
            checksum, batch = hashlib.sha256(), list[Row]()
            width = len(table.columns)
            for _ in range(table.rows):
                line = stream.readline()
                if not line.endswith(b"\n"):
                    raise EOFError
                checksum.update(line)
                values = _DECODER.decode(line.decode("utf-8"))
                if values.__class__ is not list or len(values) != width:
                    raise BadValue("a row with the wrong number of values")
                # Only tagged values need decoding (lists are refused there); the rest stand for themselves.
                batch.append([decode(value) if value.__class__ in _NOT_PLAIN else value for value in values])
                if len(batch) == batch_rows:
                    yield table, batch
                    batch = []
            if checksum.hexdigest() != table.sha256:
                raise BackupDamaged(f"the backup {path} is damaged (the rows of {table.name} do not match their "
                                    f"checksum): nothing was written")
            yield table, batch
        if stream.read(1):
            raise BackupDamaged(f"the backup {path} is damaged (it goes on after its last table): nothing was written")


def verify_backup(path: Path) -> BackupHeader:
    """Read the whole file, checking every count and checksum; its header when all is well."""
    header = read_header(path)
    for _rows in read_rows(path, header):
        pass
    return header


async def restore_backup(db: Database, path: Path, *, batch_rows: int = BATCH_ROWS) -> Restored:
    """The backup checked whole, then written into the empty `db` in one transaction and upgraded."""
    header = verify_backup(path)
    async with loading(db, header.revision, [table.shape for table in header.tables]) as loader:
        for table, rows in read_rows(path, header, batch_rows):
            await loader.insert(table.shape, rows)
        counts = await loader.counts()
        mismatches = count_mismatches(header.counts, counts)
        if mismatches:
            raise TransferRefused(f"the restored row counts differ from the backup's ({'; '.join(mismatches)}): "
                                  f"nothing was written")
        await loader.continue_ids_after(header.last_ids)
    return Restored(header, counts)
