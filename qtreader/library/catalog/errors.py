"""What SQLite and the file system say when a catalog fails, as CatalogErrors a user can
read: damaged, unwritable (a full disk, a read-only file), or a search refused."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from .results import CatalogDamaged, CatalogError, CatalogUnwritable, QueryError

# SQLite's primary result codes (the low byte of an extended code).
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_FULL = sqlite3.SQLITE_FULL
_UNWRITABLE = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}
# An exception made by hand (or by an older module) has no code: its text says.
_BY_TEXT = {
    "database disk image is malformed": sqlite3.SQLITE_CORRUPT,
    "file is not a database": sqlite3.SQLITE_NOTADB,
    "database or disk is full": sqlite3.SQLITE_FULL,
    "attempt to write a readonly database": sqlite3.SQLITE_READONLY,
    "unable to open database file": sqlite3.SQLITE_CANTOPEN,
    "interrupted": sqlite3.SQLITE_INTERRUPT,
}
_OS_FULL = {errno.ENOSPC, errno.EDQUOT}


def shown(path: object) -> str:
    """A path (or any text) for a one-line message: control characters, and bytes that
    were not UTF-8, escaped."""
    text = str(path)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code for ``exc``, if it can be told."""
    found = getattr(exc, "sqlite_errorcode", None)
    if isinstance(found, int):
        return found & 0xFF
    text = str(exc)
    for start, value in _BY_TEXT.items():
        if text.startswith(start):
            return value
    return None


def is_interrupt(exc: sqlite3.Error) -> bool:
    return code(exc) == sqlite3.SQLITE_INTERRUPT


def damaged(db_path: Path) -> CatalogDamaged:
    return CatalogDamaged(
        f"the catalog {shown(db_path)} is damaged; it will be rebuilt from the library"
    )


def full(db_path: Path) -> CatalogUnwritable:
    return CatalogUnwritable(
        f"the disk holding {shown(db_path)} is full; the catalog stays as it was"
    )


def unwritable(db_path: Path, reason: object) -> CatalogUnwritable:
    return CatalogUnwritable(
        f"cannot write {shown(db_path)} ({shown(reason)}); the catalog stays as it was"
    )


def translated(exc: BaseException, db_path: Path, writing: bool = False) -> CatalogError | None:
    """The CatalogError that ``exc`` means for the catalog at ``db_path``, or None when it
    is none of those (an interrupted search, say: left as it is).

    ``writing``: it was raised by a refresh, where a file system error means the
    catalog cannot be written."""
    if isinstance(exc, CatalogDamaged):
        return damaged(db_path)
    if isinstance(exc, sqlite3.Error):
        found = code(exc)
        if found in _CORRUPT:
            return damaged(db_path)
        if found == _FULL:
            return full(db_path)
        if found in _UNWRITABLE and (writing or found == sqlite3.SQLITE_READONLY):
            return unwritable(db_path, exc)
        if found == sqlite3.SQLITE_IOERR and writing:
            return unwritable(db_path, exc)
        return None
    if isinstance(exc, OSError) and writing:
        if exc.errno in _OS_FULL:
            return full(db_path)
        return unwritable(db_path, exc.strerror or exc)
    return None


def query_error(exc: sqlite3.Error) -> QueryError | None:
    """A search that SQLite refused as too complex or malformed (SQLITE_ERROR), as a
    one-line QueryError; None for anything else."""
    if code(exc) not in (sqlite3.SQLITE_ERROR, None):
        return None
    return QueryError(f"this search cannot be run ({shown(exc)}); try fewer words")
