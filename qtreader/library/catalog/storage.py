"""The catalog file: connections per thread, the lock file, the read gate, and a first
build written apart and put in place."""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..query import literal_pattern
from ..text import is_utf8
from .codec import unpack
from .results import PARTIAL, BuildPaused, CatalogError, RefreshReport, ResumeRefused
from .schema import CREATE_INDEXES, SCHEMA, SCHEMA_VERSION

Write = Callable[[sqlite3.Connection], RefreshReport]  # a refresh, on the connection given


_pattern = functools.lru_cache(maxsize=64)(literal_pattern)


def holds(text: str | None, literal: str) -> bool:
    """SQL ``holds(text, literal)``: whether ``text`` holds a word with symbols as
    written (see query.literal_pattern)."""
    return text is not None and _pattern(literal).search(text) is not None


def connect(path: Path, journal: str = "WAL") -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    conn.create_function("unzip", 1, unpack, deterministic=True)
    conn.create_function("holds", 2, holds, deterministic=True)
    # For a new file only: rows of a few KB (compressed answers) waste a third of
    # 4 KB pages, and fill 16 KB ones well.
    conn.execute("PRAGMA page_size=16384")
    conn.execute(f"PRAGMA journal_mode={journal}")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=OFF")
    return conn


def stored_root(root: Path) -> str | bytes:
    """The library's path as the catalog's meta row 'root' keeps it: its text, as every
    version has; or, when the path is not UTF-8 (bytes Python holds as surrogates, which
    SQLite cannot take as text), its bytes, a BLOB. No two folders share a value: the
    bytes ff fe and the text "\\xff\\xfe" are two libraries."""
    text = str(root)
    return text if is_utf8(text) else os.fsencode(text)


def create(path: Path, root: Path, journal: str = "WAL") -> sqlite3.Connection:
    """A new, empty catalog at ``path`` for the library at ``root``."""
    conn = connect(path, journal)
    try:
        conn.executescript(SCHEMA + CREATE_INDEXES)
        conn.execute("INSERT INTO meta VALUES ('root', ?)", (stored_root(root),))
    except BaseException:
        conn.close()
        raise
    return conn


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, and belongs to someone else
    return True


class ReadGate:
    """Queries run side by side; putting a new catalog file in place waits for them
    to end and holds new ones back until it is done."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._closed = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._closed:
                self._cond.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                if not self._active:
                    self._cond.notify_all()

    @contextmanager
    def closed(self) -> Iterator[None]:
        with self._cond:
            while self._closed:
                self._cond.wait()
            self._closed = True
            while self._active:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._closed = False
                self._cond.notify_all()


class Store:
    """One catalog file, opened (created, or rebuilt when damaged or outdated) for the
    library at ``root``. Safe to use from several threads."""

    def __init__(self, root: Path, db_path: Path):
        self.root = root
        self.db_path = db_path
        # One connection per thread: WAL readers run side by side, so a slow
        # search in a worker never makes the UI thread wait for its rows.
        self._local = threading.local()
        self._connections: dict[int, sqlite3.Connection] = {}
        self._registry_lock = threading.Lock()
        self._searching: set[int] = set()  # threads running a search right now
        self._generation = 0  # bumped when a new file is put in place (see _put_in_place)
        self._gate = ReadGate()
        self._lock_fd = self._open_lock()
        self._register(self._open())
        self._remove_stale_builds()

    # -- connections -----------------------------------------------------------

    def _register(self, conn: sqlite3.Connection) -> None:
        self._local.conn = conn
        self._local.generation = self._generation
        with self._registry_lock:
            self._connections[threading.get_ident()] = conn

    @property
    def generation(self) -> int:
        """Bumped when a new file is put in place (a first build, a rebuild)."""
        return self._generation

    @property
    def reader(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.generation != self._generation:
            conn = connect(self.db_path)
            self._register(conn)
        return conn

    def _open_lock(self) -> int | None:
        """Hold a shared lock on ``<catalog>.lock`` while this catalog is open.

        A first build is written to a file of its own and put in place by a rename,
        which is only safe when nobody else has the catalog open: it takes the lock
        exclusively for that moment (see _put_in_place).
        """
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(f"{self.db_path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None  # _open reports the unusable cache folder
        fcntl.flock(fd, fcntl.LOCK_SH)
        return fd

    def _open(self) -> sqlite3.Connection:
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogError(
                f"cannot create the cache folder {self.db_path.parent}: {exc.strerror or exc}"
            ) from exc
        if self.db_path.exists():
            try:
                conn = connect(self.db_path)
                version = conn.execute(
                    "SELECT value FROM meta WHERE name='schema_version'"
                ).fetchone()
                root = conn.execute("SELECT value FROM meta WHERE name='root'").fetchone()
                conn.execute("SELECT count(*) FROM files").fetchone()
                if version == (str(SCHEMA_VERSION),) and root == (stored_root(self.root),):
                    return conn
                conn.close()
            except sqlite3.DatabaseError:
                pass
            # Damaged, or from another version: the catalog is a cache, rebuild it.
            self._remove_files()
        try:
            return create(self.db_path, self.root)
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot create the catalog {self.db_path}: {exc}") from exc

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.db_path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise CatalogError(f"cannot replace the catalog {self.db_path}: {exc}") from exc

    def close(self) -> None:
        self._close_connections()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the lock
            self._lock_fd = None

    def _close_connections(self) -> None:
        with self._registry_lock:
            connections, self._connections = list(self._connections.values()), {}
            self._generation += 1  # threads open a new connection on their next query
        for conn in connections:
            conn.close()

    # -- reading ---------------------------------------------------------------

    def query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._gate.reading():
            return self.reader.execute(sql, tuple(params)).fetchall()

    def value(self, sql: str, params: Iterable[object] = ()) -> Any:
        """The first column of the first row of ``sql``, or None when it has no row."""
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def rowids(self, select: str, params: Iterable[object] = ()) -> array:
        """The ``id`` column of ``select``, in its order, fetched as one value.

        Fetched row by row, a thread gives the GIL back at every row and waits to get it
        back; while the UI thread is busy (painting at launch), 150,000 rows took 15 s
        instead of 0.1 s (measured, a thread spinning beside the query). Aggregated in
        SQLite, the list crosses once. The aggregate reads the subquery in its ORDER BY
        order: SQLite does not flatten an ordered subquery into an aggregate (tested).
        """
        ((text,),) = self.query(f"SELECT group_concat(id) FROM ({select})", params)
        return array("q", map(int, text.split(","))) if text else array("q")

    @contextmanager
    def searching(self) -> Iterator[None]:
        """This thread runs a search meanwhile: interrupt_searches may abort it."""
        me = threading.get_ident()
        with self._registry_lock:
            self._searching.add(me)
        try:
            yield
        finally:
            with self._registry_lock:
                self._searching.discard(me)

    def interrupt_searches(self) -> None:
        """Abort searches running in other threads (they raise sqlite3.OperationalError).

        Only searches: row fetches and article reads of other threads are left alone.
        """
        me = threading.get_ident()
        with self._registry_lock:
            others = [
                self._connections[ident]
                for ident in self._searching
                if ident != me and ident in self._connections
            ]
        for conn in others:
            conn.interrupt()

    # -- writing ---------------------------------------------------------------

    def write_in_place(self, write: Write) -> RefreshReport:
        """Run ``write`` on a connection of its own to the catalog file."""
        # The catalog is whole: a first build kept apart is of no use any more.
        self.partial_path.unlink(missing_ok=True)
        conn = connect(self.db_path)
        try:
            return write(conn)
        finally:
            conn.close()

    @property
    def partial_path(self) -> Path:
        """Where a first build stopped on purpose is kept (see BuildPaused)."""
        return self.db_path.with_name(f"{self.db_path.name}.partial")

    def build_apart(self, write: Write) -> RefreshReport:
        """Run a first build, ``write``, on a new file of its own, then put it in place.

        Nobody reads the new file while it is written, so it needs no journal: each
        page is written once, where the WAL wrote it twice (the log, then the
        checkpoint); 4-5 s less for 150,000 articles, measured.

        A build stopped by BuildPaused is kept as ``partial_path``; the next one starts
        from it (the writer sees the files it holds: indexing.Indexer._compare), unless
        it is of another schema or library, or cannot be read, or its files changed
        since (``ResumeRefused``): then from nothing.
        """
        self._remove_stale_builds()
        building = self.db_path.with_name(f"{self.db_path.name}.building-{os.getpid()}")
        building.unlink(missing_ok=True)
        try:
            try:
                report = self._write_apart(building, write, resume=True)
            except ResumeRefused:
                building.unlink(missing_ok=True)
                report = self._write_apart(building, write, resume=False)
            _fsync(building)  # its pages are on disk before its name is
            self._put_in_place(building)
        finally:
            building.unlink(missing_ok=True)
        return report

    def _write_apart(self, building: Path, write: Write, resume: bool) -> RefreshReport:
        conn = (self._resumed(building) if resume else None) or self._created(building)
        try:
            report = write(conn)
            conn.execute(f"DELETE FROM meta WHERE name = '{PARTIAL}'")
        except BuildPaused:
            # What was written is committed (writing.Writer.write): kept for the next.
            conn.execute(f"INSERT OR REPLACE INTO meta VALUES ('{PARTIAL}', '1')")
            conn.close()
            try:
                os.replace(building, self.partial_path)
            except OSError:
                pass  # not kept: the next build starts from nothing
            raise
        finally:
            conn.close()
        return report

    def _created(self, building: Path) -> sqlite3.Connection:
        try:
            conn = create(building, self.root, journal="OFF")
            # No syncs while it is written: the whole file is fsynced once before the
            # rename, and a crash before that leaves only a file nobody opens.
            conn.execute("PRAGMA synchronous=OFF")
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot create the catalog {building}: {exc}") from exc
        return conn

    def _resumed(self, building: Path) -> sqlite3.Connection | None:
        """The first build kept apart, moved to ``building``, if it can go on; else None
        (and it is gone)."""
        try:
            os.replace(self.partial_path, building)
        except OSError:
            return None  # none kept (or the cache folder cannot be written)
        try:
            conn = connect(building, "OFF")
            try:
                conn.execute("PRAGMA synchronous=OFF")
                meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
                # Written with no journal and no sync: after a crash of the system (not
                # of qtreader) pages may be torn. Every page is read once (~0.4 s at
                # 150,000 articles), on the rare launch that goes on from one.
                if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                    raise sqlite3.DatabaseError("the build kept apart is damaged")
                current = meta.get("schema_version") == str(SCHEMA_VERSION)
                if current and meta.get("root") == stored_root(self.root):
                    return conn
            except BaseException:
                conn.close()
                raise
            conn.close()
        except sqlite3.DatabaseError:
            pass  # damaged: a cache, made anew
        building.unlink(missing_ok=True)
        return None

    def _remove_stale_builds(self) -> None:
        """Remove the first builds left by processes that died (killed mid-build): on
        every open, not only by the next first build, which may never come."""
        prefix = f"{self.db_path.name}.building-"
        try:
            found = list(self.db_path.parent.glob(f"{prefix}*"))
        except OSError:
            return
        for stale in found:
            pid = stale.name[len(prefix) :]
            if pid.isdigit() and not _process_alive(int(pid)):
                try:
                    stale.unlink(missing_ok=True)
                except OSError:
                    pass  # a read-only cache folder: left for a later run

    def _put_in_place(self, building: Path) -> None:
        """Make the finished file at ``building`` this catalog."""
        fd = self._lock_fd
        if fd is None:
            self._copy_in(building)
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                # Another process has the catalog open: renaming the file under its
                # connections would corrupt it.
                self._copy_in(building)
                return
            with self._gate.closed():
                self._close_connections()
                for suffix in ("-wal", "-shm", "-journal"):
                    Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
                os.replace(building, self.db_path)
                _fsync(self.db_path.parent, directory=True)
                self._register(connect(self.db_path))  # back in WAL mode, before others
        finally:
            fcntl.flock(fd, fcntl.LOCK_SH)  # also after a failed try: it may have dropped it

    def _copy_in(self, building: Path) -> None:
        """Copy the pages of ``building`` into the catalog, through its journal."""
        source = sqlite3.connect(building)
        target = connect(self.db_path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
