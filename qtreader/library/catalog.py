"""The catalog: an SQLite database (with an FTS5 index) describing one library folder.

The catalog lives in the user cache dir, one file per library folder. It is
queried, never loaded whole: lists hold row ids and page in the few rows they
show; the full text of an article is read only when it is opened.
"""

from __future__ import annotations

import fcntl
import gc
import os
import sqlite3
import sys
import threading
import time
import zlib
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from . import paths
from .links import library_links
from .models import Article, ArticleRow, Problem, RelatedLink, Severity
from .query import ParsedQuery, exclusion_expression, fts_expression, parse_query
from .scan import FileEntry, file_entry, scan_order_key, scan_rows
from .text import clean_line, subject_key

if TYPE_CHECKING:
    from .parser import ParseResult

# 8: answers packed with zstd. A build that reads only zlib must rebuild such a
# catalog, not open it.
SCHEMA_VERSION = 8
_ZSTD_FRAME = b"\x28\xb5\x2f\xfd"  # how a packed answer starts (zlib's start with 0x78)
# Below this many files to read, process start-up costs more than it saves.
PARALLEL_THRESHOLD = 2000
# From this many articles (as last counted), a refresh lists the folder in two processes.
PARALLEL_SCAN_ARTICLES = 20_000
CHUNK = 256
CHUNKS_AHEAD = 4  # per worker: parsed and waiting for the writer, at most
MARK_START = "\x02"  # brackets a matched word in snippets; content never holds these
MARK_END = "\x03"
# bm25 weights per FTS column: title, question, answer, keywords, subject.
_WEIGHTS = "10.0, 6.0, 1.0, 4.0, 2.0"
QUICK_COLUMNS = ("title", "question", "keywords")
_QUICK_WEIGHTS = "10.0, 6.0, 4.0"
# A search while typing that matches more articles than this lists a screenful in
# title order instead of ranking them all: bm25 over 100,000 rows takes ~40 ms, and
# the ranked full search follows as soon as typing pauses.
RANK_CAP = 20_000

Progress = Callable[[int, int], None]


class CatalogError(Exception):
    """The catalog cannot be opened or written (e.g. the cache dir is unwritable)."""


_SCHEMA = f"""
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, article INTEGER
) WITHOUT ROWID;
CREATE TABLE articles(
    rowid INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    question TEXT NOT NULL,
    keywords TEXT NOT NULL,
    subject TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    date TEXT NOT NULL,
    date_sort TEXT NOT NULL,
    author TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    is_stub INTEGER NOT NULL,
    title_sort TEXT NOT NULL
);
-- Answers are most of the bytes: kept apart, the articles table is small, so its
-- scans and index builds (7 of them after a cold build) read a tenth of the pages.
CREATE TABLE answers(
    rowid INTEGER PRIMARY KEY,
    answer BLOB NOT NULL  -- UTF-8 in a zstd frame (a zlib stream where zstd is missing)
);
CREATE TABLE links(
    src INTEGER NOT NULL, position INTEGER NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL,
    subject TEXT NOT NULL, subject_key TEXT NOT NULL, url TEXT NOT NULL, target INTEGER
);
CREATE TABLE problems(path TEXT NOT NULL, line INTEGER, reason TEXT NOT NULL, severity TEXT);
CREATE TABLE subjects(key TEXT PRIMARY KEY, name TEXT NOT NULL, count INTEGER, stubs INTEGER);
-- The FTS index reads its text through this view, which unpacks the answers.
CREATE VIEW articles_text AS
    SELECT a.rowid AS rowid, a.title, a.question, unzip(t.answer) AS answer, a.keywords, a.subject
    FROM articles a JOIN answers t ON t.rowid = a.rowid;
CREATE VIRTUAL TABLE fts USING fts5(
    title, question, answer, keywords, subject,
    content='articles_text', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
-- Searches while typing: the short fields only, with prefix indexes so that the first
-- letters of a word are one lookup. Small, so cheap to build; the big index above has
-- no prefix index (it would cost a third more to build and store).
CREATE VIRTUAL TABLE quick USING fts5(
    title, question, keywords,
    content='articles', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');
"""
# Secondary indexes. A cold build drops them and creates them after the bulk
# insert (inside the same transaction): sorting once beats 150,000 B-tree inserts.
_INDEXES = {
    "articles_key": "articles(key)",
    "articles_id": "articles(id)",
    "articles_url": "articles(url)",
    "articles_title": "articles(title)",
    "articles_order": "articles(is_stub, title_sort)",
    "articles_subject": "articles(subject_key, is_stub, title_sort)",
    "articles_spelling": "articles(subject_key, subject, is_stub)",  # subject names
    "links_src": "links(src)",
    "links_target": "links(target)",
    "problems_path": "problems(path)",
}
_CREATE_INDEXES = "".join(f"CREATE INDEX {name} ON {on};\n" for name, on in _INDEXES.items())
# FTS5 flushes its in-memory term hash to a new segment every 1 MB by default and
# merges every 4 segments: a bulk build spends more time merging than tokenizing.
_BULK_FTS = {"hashsize": 32 * 1024 * 1024, "automerge": 4}
# After a bulk build automatic merging is turned off: left on, the next small
# refreshes would merge their segments with the big ones (seconds each, measured, and
# a file growing by a quarter). Small segments still get merged among themselves by
# FTS5's "crisis merge" (16 on one level). The build is not merged into one segment
# at the end ('optimize'): with a 32 MB term buffer it leaves a handful of segments,
# searches measured the same, and the merge cost 3-5 s after the last file was read.
_AFTER_BULK_FTS = {"automerge": 0, "hashsize": 1024 * 1024}

_ARTICLE_COLUMNS = (
    "rowid, path, key, id, title, question, keywords, subject, subject_key, date, "
    "date_sort, author, url, kind, is_stub, title_sort"
)
_ARTICLE_COLUMN_NAMES = tuple(c.strip() for c in _ARTICLE_COLUMNS.split(","))
_COLUMN = {name: n for n, name in enumerate(_ARTICLE_COLUMN_NAMES)}
# What a rewritten article's changed columns (positions in _ARTICLE_COLUMNS) touch:
_NAMES = {_COLUMN[c] for c in ("url", "id", "title", "subject_key")}  # links resolve by these
_IN_FTS = {_COLUMN[c] for c in ("title", "question", "keywords", "subject")}  # and the answer
_IN_QUICK = {_COLUMN[c] for c in QUICK_COLUMNS}
_IN_SUBJECTS = {_COLUMN[c] for c in ("subject", "subject_key", "is_stub")}
_PREFIXED_COLUMNS = ", ".join("a." + c for c in _ARTICLE_COLUMN_NAMES)
_FTS_COLUMNS = "title, question, answer, keywords, subject"
_QUICK_COLUMNS = ", ".join(QUICK_COLUMNS)


_INSERT_ARTICLE = f"INSERT INTO articles({_ARTICLE_COLUMNS}) VALUES ({','.join('?' * 16)})"
_INSERT_LINK = (
    "INSERT INTO links(src, position, id, title, subject, subject_key, url) VALUES (?,?,?,?,?,?,?)"
)
# The answer comes as UTF-8 bytes (see _Record): CAST makes it the same text that the
# articles_text view gives for it later.
_INSERT_FTS = f"INSERT INTO fts(rowid, {_FTS_COLUMNS}) VALUES (?,?,?,CAST(? AS TEXT),?,?)"
_INSERT_QUICK = f"INSERT INTO quick(rowid, {_QUICK_COLUMNS}) VALUES (?,?,?,?)"
_DELETE_FTS = f"INSERT INTO fts(fts, rowid, {_FTS_COLUMNS}) VALUES ('delete',?,?,?,?,?,?)"
_DELETE_QUICK = f"INSERT INTO quick(quick, rowid, {_QUICK_COLUMNS}) VALUES ('delete',?,?,?,?)"


@dataclass(frozen=True, slots=True)
class SubjectCount:
    key: str
    name: str
    count: int


@dataclass(slots=True)
class RefreshReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    total: int = 0
    problems: int = 0
    seconds: float = 0.0
    rebuilt: bool = False

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass(slots=True)
class SearchResult:
    """Matching row ids in display order, and the query as parsed."""

    rowids: array
    query: ParsedQuery = field(default_factory=ParsedQuery)
    ranked: bool = False
    truncated: bool = False  # stopped at the limit: there may be more matches

    @property
    def total(self) -> int:
        return len(self.rowids)


@dataclass(frozen=True, slots=True)
class SearchHit:
    row: ArticleRow
    snippet: str  # matched words between MARK_START and MARK_END

    def snippet_parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_match) pieces."""
        parts: list[tuple[str, bool]] = []
        rest = self.snippet
        while rest:
            start = rest.find(MARK_START)
            if start == -1:
                parts.append((rest, False))
                break
            end = rest.find(MARK_END, start)
            if end == -1:
                end = len(rest)
            if start:
                parts.append((rest[:start], False))
            parts.append((rest[start + 1 : end], True))
            rest = rest[end + 1 :]
        return parts


def title_sort_key(title: str) -> str:
    return title.lstrip("\"'“‘([¿¡ ").casefold()


@cache
def _zstd() -> ModuleType | None:
    """The standard library's zstd module (PEP 784; backports.zstd before Python 3.14),
    imported when first used: the reader's launch does not need it. None on a Python
    built without it (the module is optional in 3.14)."""
    try:
        if sys.version_info >= (3, 14):
            from compression import zstd  # type: ignore[import-not-found]
        else:
            from backports import zstd
    except ImportError:
        return None
    return zstd


def pack(data: bytes) -> bytes:
    """Compress an answer's UTF-8 bytes for the ``answer`` column."""
    # zstd level 1: a third of zlib level 1's time on 5 KB answers (27-30 against
    # 86-98 us, ~13 s of a cold index's CPU at 150,000), unpacked in half the time,
    # and a little smaller (0.444 of the bytes against 0.456).
    zstd = _zstd()
    if zstd is None:
        return zlib.compress(data, 1)
    return zstd.compress(data, 1)


def unpack(blob: bytes | str | None) -> str:
    if blob is None:
        return ""
    if isinstance(blob, str):
        return blob
    if blob[:4] == _ZSTD_FRAME:
        zstd = _zstd()
        if zstd is None:
            raise CatalogError(
                "its answers are packed with zstd, which this Python lacks; delete the "
                "catalog to have it rebuilt"
            )
        return zstd.decompress(blob).decode("utf-8")
    # Packed where zstd was missing (a zlib stream starts with 0x78, never with the
    # zstd frame's magic).
    return zlib.decompress(blob).decode("utf-8")


def _connect(path: Path, journal: str = "WAL") -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    conn.create_function("unzip", 1, unpack, deterministic=True)
    # For a new file only: rows of a few KB (compressed answers) waste a third of
    # 4 KB pages, and fill 16 KB ones well.
    conn.execute("PRAGMA page_size=16384")
    conn.execute(f"PRAGMA journal_mode={journal}")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=OFF")
    return conn


def _create(path: Path, root: Path, journal: str = "WAL") -> sqlite3.Connection:
    """A new, empty catalog at ``path`` for the library at ``root``."""
    conn = _connect(path, journal)
    try:
        conn.executescript(_SCHEMA + _CREATE_INDEXES)
        conn.execute("INSERT INTO meta VALUES ('root', ?)", (str(root),))
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


class _ReadGate:
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


# What a worker sends back for one file: (the article's columns after rowid, or None;
# its link rows without src; problem rows; the answer as UTF-8 bytes for the FTS
# index). Plain tuples pickle three times faster than the dataclasses. The answer
# travels twice, compressed for the table and as bytes for the index: unpickling
# bytes is a copy, where unpacking the compressed one (or unpickling a str) cost the
# single writer, the slowest stage of a cold build, ~4 s of CPU at 150,000 articles.
_Record = tuple[tuple | None, list[tuple], list[tuple], bytes]


def _record(result: ParseResult) -> _Record:
    problems = [(p.path, p.line, p.reason, p.severity.value) for p in result.problems]
    a = result.article
    if a is None:
        return None, [], problems, b""
    answer = a.answer.encode("utf-8")
    row = (
        a.path, a.key, a.id, a.title, a.question, pack(answer), a.keywords, a.subject,
        subject_key(a.subject), a.date, a.date_sort, a.author, a.url, a.kind, int(a.is_stub),
        title_sort_key(a.title),
    )  # fmt: skip
    links = [
        (link.position, link.id, link.title, link.subject, subject_key(link.subject), link.url)
        for link in a.links
    ]
    return row, links, problems, answer


def _article_row(rowid: int, row: tuple) -> tuple:
    """A record's article columns (see _Record) as the articles table takes them."""
    return (rowid, *row[:5], *row[6:])  # without the packed answer: it has a table


def _fts_row(rowid: int, row: tuple, answer: bytes) -> tuple:
    """A record's values for the fts table: title, question, answer, keywords, subject."""
    return (rowid, row[3], row[4], answer, row[6], row[7])


def _quick_row(fts_row: tuple) -> tuple:
    """The values of an fts row that the quick table takes: title, question, keywords."""
    rowid, title, question, _, keywords, _ = fts_row
    return (rowid, title, question, keywords)


def _read_chunk(root: str, chunk: Sequence[str]) -> list[_Record]:
    """Parse a chunk into records, in a worker process, off the writer's path."""
    # Imported here, not at the top: the parser and PyYAML are only needed to read
    # files, while the reader's launch opens the catalog and lists it (~40 ms less).
    from .parser import read_article

    return [_record(read_article(root, path)) for path in chunk]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, and belongs to someone else
    return True


_tracker_lock = threading.Lock()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a usable stderr.

    The tracker is started with ``sys.stderr``'s file descriptor; under a TUI that
    captures stderr (Textual's capture says -1) starting it fails, and with it the
    process pool. Started once here, with stderr pointing at /dev/null, it is then
    reused by every pool of this process.
    """
    from multiprocessing import resource_tracker

    with _tracker_lock:
        try:
            usable = sys.stderr is not None and sys.stderr.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            usable = False
        if usable:
            resource_tracker.ensure_running()
            return
        saved = sys.stderr
        with open(os.devnull, "w") as devnull:
            sys.stderr = devnull  # only while the tracker starts
            try:
                resource_tracker.ensure_running()
            finally:
                sys.stderr = saved


class Catalog:
    """One library folder's catalog. Safe to use from several threads."""

    def __init__(self, root: Path, db_path: Path | None = None):
        self.root = Path(root).resolve()
        self.db_path = Path(db_path) if db_path else paths.catalog_path(self.root)
        # One connection per thread: WAL readers run side by side, so a slow
        # search in a worker never makes the UI thread wait for its rows.
        self._local = threading.local()
        self._connections: dict[int, sqlite3.Connection] = {}
        self._registry_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._searching: set[int] = set()  # threads running a search right now
        self._generation = 0  # bumped when a new file is put in place (see _put_in_place)
        self._gate = _ReadGate()
        self._lock_fd = self._open_lock()
        self._register(self._open())

    def _register(self, conn: sqlite3.Connection) -> None:
        self._local.conn = conn
        self._local.generation = self._generation
        with self._registry_lock:
            self._connections[threading.get_ident()] = conn

    @property
    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.generation != self._generation:
            conn = _connect(self.db_path)
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

    # -- opening -------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogError(
                f"cannot create the cache folder {self.db_path.parent}: {exc.strerror or exc}"
            ) from exc
        if self.db_path.exists():
            try:
                conn = _connect(self.db_path)
                row = conn.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone()
                root = conn.execute("SELECT value FROM meta WHERE name='root'").fetchone()
                conn.execute("SELECT count(*) FROM files").fetchone()
                if row and row[0] == str(SCHEMA_VERSION) and root and root[0] == str(self.root):
                    return conn
                conn.close()
            except sqlite3.DatabaseError:
                pass
            # Damaged, or from another version: the catalog is a cache, rebuild it.
            self._remove_files()
        try:
            return _create(self.db_path, self.root)
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

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    # -- indexing ------------------------------------------------------------

    def refresh(
        self, progress: Progress | None = None, workers: int | None = None
    ) -> RefreshReport:
        """Bring the catalog up to date with the folder: re-read only what changed."""
        started = time.perf_counter()
        with self._write_lock:
            if not self._query("SELECT 1 FROM files LIMIT 1"):
                report = self._build_apart(progress, workers)
            else:
                conn = _connect(self.db_path)  # the writer has a connection of its own
                try:
                    report = _Indexer(self, conn, progress, workers).run()
                finally:
                    conn.close()
        report.seconds = time.perf_counter() - started
        return report

    def _build_apart(self, progress: Progress | None, workers: int | None) -> RefreshReport:
        """A first build, written to a new file of its own, then put in place.

        Nobody reads the new file while it is written, so it needs no journal: each
        page is written once, where the WAL wrote it twice (the log, then the
        checkpoint); 4-5 s less for 150,000 articles, measured.
        """
        prefix = f"{self.db_path.name}.building-"
        for stale in self.db_path.parent.glob(f"{prefix}*"):  # left by a process that died
            pid = stale.name[len(prefix) :]
            if pid.isdigit() and not _process_alive(int(pid)):
                stale.unlink(missing_ok=True)
        building = self.db_path.with_name(f"{prefix}{os.getpid()}")
        building.unlink(missing_ok=True)
        try:
            conn = _create(building, self.root, journal="OFF")
            # No syncs while it is written: the whole file is fsynced once before the
            # rename, and a crash before that leaves only a file nobody opens.
            conn.execute("PRAGMA synchronous=OFF")
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot create the catalog {building}: {exc}") from exc
        try:
            try:
                report = _Indexer(self, conn, progress, workers).run()
            finally:
                conn.close()
            _fsync(building)  # its pages are on disk before its name is
            self._put_in_place(building)
        finally:
            building.unlink(missing_ok=True)
        return report

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
                self._register(_connect(self.db_path))  # back in WAL mode, before others
        finally:
            fcntl.flock(fd, fcntl.LOCK_SH)  # also after a failed try: it may have dropped it

    def _copy_in(self, building: Path) -> None:
        """Copy the pages of ``building`` into the catalog, through its journal."""
        source = sqlite3.connect(building)
        target = _connect(self.db_path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()

    # -- queries -------------------------------------------------------------

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._gate.reading():
            return self._reader.execute(sql, tuple(params)).fetchall()

    def _rowids(self, select: str, params: Iterable[object] = ()) -> array:
        """The ``id`` column of ``select``, in its order, fetched as one value.

        Fetched row by row, a thread gives the GIL back at every row and waits to get it
        back; while the UI thread is busy (painting at launch), 150,000 rows took 15 s
        instead of 0.1 s (measured, a thread spinning beside the query). Aggregated in
        SQLite, the list crosses once. The aggregate reads the subquery in its ORDER BY
        order: SQLite does not flatten an ordered subquery into an aggregate (tested).
        """
        ((text,),) = self._query(f"SELECT group_concat(id) FROM ({select})", params)
        return array("q", map(int, text.split(","))) if text else array("q")

    def count(self, include_stubs: bool = True) -> int:
        # From the per-subject totals each refresh keeps: counting 150,000 rows takes
        # ~7 ms, and the reader asks after every search.
        total = "sum(count)" if include_stubs else "sum(count - stubs)"
        return self._query(f"SELECT coalesce({total}, 0) FROM subjects")[0][0]

    def subjects(self, include_stubs: bool = False) -> list[SubjectCount]:
        count = "count" if include_stubs else "count - stubs"
        rows = self._query(
            f"SELECT key, name, {count} FROM subjects WHERE {count} > 0 ORDER BY name COLLATE NOCASE"
        )
        return [SubjectCount(*row) for row in rows]

    def subject_name(self, key: str) -> str | None:
        rows = self._query("SELECT name FROM subjects WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def problems(self) -> list[Problem]:
        rows = self._query("SELECT path, line, reason, severity FROM problems ORDER BY path, rowid")
        return [Problem(path, reason, line, Severity(sev)) for path, line, reason, sev in rows]

    def problem_count(self) -> tuple[int, int]:
        """(files skipped, files with warnings)."""
        rows = self._query("SELECT severity, count(DISTINCT path) FROM problems GROUP BY severity")
        counts = dict(rows)
        return counts.get("error", 0), counts.get("warning", 0)

    def list_rowids(self, subject: str | None = None, include_stubs: bool = False) -> array:
        """Every article (of a subject) in title order, as row ids."""
        where, params = self._filters(subject, include_stubs, [])
        return self._rowids(
            f"SELECT rowid AS id FROM articles a {where} ORDER BY title_sort", params
        )

    @staticmethod
    def _filters(
        subject: str | None, include_stubs: bool, subject_prefixes: list[str]
    ) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if subject is not None:
            clauses.append("a.subject_key = ?")
            params.append(subject)
        if not include_stubs:
            clauses.append("a.is_stub = 0")
        if subject_prefixes:
            ors = []
            for key in subject_prefixes:
                # A prefix as a range, so the subject index serves it (LIKE cannot).
                ors.append("(a.subject_key >= ? AND a.subject_key < ?)")
                params.extend([key, key + "\U0010ffff"])
            clauses.append("(" + " OR ".join(ors) + ")")
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    def search(
        self,
        text: str,
        subject: str | None = None,
        include_stubs: bool = False,
        quick: bool = False,
        typing: bool = True,
        limit: int | None = None,
    ) -> SearchResult:
        """Articles matching ``text``, best first.

        ``quick`` searches titles, questions and keywords only: cheap enough
        for every keystroke. ``typing`` makes the last word a prefix.
        """
        me = threading.get_ident()
        with self._registry_lock:
            self._searching.add(me)
        try:
            return self._search(text, subject, include_stubs, quick, typing, limit)
        finally:
            with self._registry_lock:
                self._searching.discard(me)

    def _search(
        self,
        text: str,
        subject: str | None,
        include_stubs: bool,
        quick: bool,
        typing: bool,
        limit: int | None,
    ) -> SearchResult:
        parsed = parse_query(text, typing=typing)
        where, params = self._filters(subject, include_stubs, parsed.subjects)
        limit_sql = f" LIMIT {int(limit)}" if limit else ""
        table = "quick" if quick else "fts"
        if not parsed.include:
            exclusion = exclusion_expression(parsed)
            if exclusion:
                where = (where + " AND " if where else "WHERE ") + (
                    f"a.rowid NOT IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"
                )
                params.append(exclusion)
            # With a subject: prefix, read the subject's range from its index and sort
            # only those; unguided, SQLite walks every article in title order.
            source = "articles a INDEXED BY articles_subject" if parsed.subjects else "articles a"
            rowids = self._rowids(
                f"SELECT a.rowid AS id FROM {source} {where} ORDER BY a.title_sort{limit_sql}",
                params,
            )
            return SearchResult(
                rowids, parsed, truncated=bool(limit) and len(rowids) >= (limit or 0)
            )
        extra = where.replace("WHERE", "AND", 1) if where else ""
        # A last word of one or two letters, while typing, is the prefix of thousands of
        # words: only the quick index has prefix indexes to look it up at once.
        short_prefix = parsed.prefix_last and len(parsed.include[-1][-1]) < 3
        lone_short_prefix = short_prefix and len(parsed.include) == 1
        expr = fts_expression(parsed)
        if short_prefix and not quick:
            # The full index has no prefix index: the last word matches as a prefix in
            # the short fields, or as a whole word anywhere ("vitamin d" still finds a
            # "d" in an answer). Exclusions still look at the whole text.
            either = (
                "(a.rowid IN (SELECT rowid FROM quick WHERE quick MATCH ?) "
                "OR a.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?))"
            )
            either_params = [
                fts_expression(ParsedQuery(include=parsed.include[-1:], prefix_last=True)),
                fts_expression(ParsedQuery(include=parsed.include[-1:])),
            ]
            if lone_short_prefix:
                return self._short_prefix_alone(parsed, where, params, either, either_params, limit)
            extra += f" AND {either}"
            params.extend(either_params)
            expr = fts_expression(ParsedQuery(include=parsed.include[:-1], exclude=parsed.exclude))
        # A lone one- or two-letter prefix matches most of a large library; ranking all
        # of it costs more than it is worth, so those list in title order. So does any
        # search while typing (``limit``) that matches more than RANK_CAP articles.
        ranked = not lone_short_prefix
        if ranked and limit and table == "quick":
            (matches,) = self._query("SELECT count(*) FROM quick WHERE quick MATCH ?", [expr])[0]
            ranked = matches <= RANK_CAP
        # CROSS JOIN keeps the FTS query as the outer loop: left to itself, SQLite may walk
        # the title index and run the MATCH once per article (seconds for "s").
        join = (
            f"SELECT a.rowid AS id, a.title_sort FROM {table} CROSS JOIN articles a "
            f"ON a.rowid = {table}.rowid WHERE {table} MATCH ? {extra}"
        )
        if not ranked and limit:
            # A first screenful while typing: any `limit` matches, in title order. Sorting
            # every match of "s" would cost more than the whole keystroke may.
            rows = sorted(self._query(f"{join}{limit_sql}", [expr, *params]), key=lambda r: r[1])
            rowids = array("q", (r[0] for r in rows))
        else:
            weights = _QUICK_WEIGHTS if table == "quick" else _WEIGHTS
            order = f"bm25({table}, {weights})" if ranked else "a.title_sort"
            rowids = self._rowids(f"{join} ORDER BY {order}{limit_sql}", [expr, *params])
        return SearchResult(
            rowids,
            parsed,
            ranked=ranked,
            truncated=bool(limit) and len(rowids) >= (limit or 0),
        )

    def _short_prefix_alone(
        self,
        parsed: ParsedQuery,
        where: str,
        params: list[object],
        either: str,
        either_params: list[object],
        limit: int | None,
    ) -> SearchResult:
        """A full search for one word of one or two letters: in title order (see _search)."""
        clauses = [either]
        params = [*params, *either_params]
        exclusion = exclusion_expression(parsed)
        if exclusion:
            clauses.append("a.rowid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            params.append(exclusion)
        where = (where + " AND " if where else "WHERE ") + " AND ".join(clauses)
        source = "articles a INDEXED BY articles_subject" if parsed.subjects else "articles a"
        limit_sql = f" LIMIT {int(limit)}" if limit else ""
        rowids = self._rowids(
            f"SELECT a.rowid AS id FROM {source} {where} ORDER BY a.title_sort{limit_sql}", params
        )
        return SearchResult(
            rowids, parsed, ranked=False, truncated=bool(limit) and len(rowids) >= (limit or 0)
        )

    def hits(self, result: SearchResult, start: int = 0, count: int = 20) -> list[SearchHit]:
        """Rows with snippets for a slice of a search result."""
        rowids = list(result.rowids[start : start + count])
        rows = {row.rowid: row for row in self.rows(rowids)}
        snippets: dict[int, str] = {}
        expr = fts_expression(result.query)
        if expr and rowids:
            marks = ",".join("?" * len(rowids))
            found = self._query(
                f"SELECT rowid, snippet(fts, 2, ?, ?, '…', 14) FROM fts "
                f"WHERE fts MATCH ? AND rowid IN ({marks})",
                [MARK_START, MARK_END, expr, *rowids],
            )
            snippets = dict(found)
        hits = []
        for rowid in rowids:
            if rowid in rows:
                text = " ".join((snippets.get(rowid) or "").split())
                hits.append(SearchHit(rows[rowid], text))
        return hits

    def rows(self, rowids: Sequence[int]) -> list[ArticleRow]:
        """List rows for these ids, in the order given."""
        if not rowids:
            return []
        found: dict[int, ArticleRow] = {}
        ids = list(rowids)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for rowid, key, title, subject, date, stub in self._query(
                "SELECT a.rowid, a.key, a.title, coalesce(s.name, a.subject), a.date, a.is_stub "
                f"FROM articles a LEFT JOIN subjects s ON s.key = a.subject_key "
                f"WHERE a.rowid IN ({marks})",
                part,
            ):
                found[rowid] = ArticleRow(rowid, key, title, subject, date, bool(stub))
        return [found[r] for r in ids if r in found]

    def article(self, rowid: int) -> Article | None:
        """The whole article, with its related links and backlinks."""
        rows = self._query(
            f"SELECT {_PREFIXED_COLUMNS}, coalesce(s.name, a.subject), t.answer FROM articles a "
            "JOIN answers t ON t.rowid = a.rowid "
            "LEFT JOIN subjects s ON s.key = a.subject_key WHERE a.rowid = ?",
            (rowid,),
        )
        if not rows:
            return None
        r = rows[0]
        article = Article(
            rowid=r[0], path=r[1], key=r[2], id=r[3], title=r[4], question=r[5], answer=unpack(r[17]),
            keywords=r[6], subject=r[16], date=r[9], date_sort=r[10], author=r[11], url=r[12],
            kind=r[13], is_stub=bool(r[14]),
        )  # fmt: skip
        seen: set[object] = set()
        for position, lid, title, subject, url, target, t_key, t_title, t_subject in self._query(
            "SELECT l.position, l.id, l.title, l.subject, l.url, l.target, t.key, t.title, "
            "coalesce(s.name, t.subject) FROM links l LEFT JOIN articles t ON t.rowid = l.target "
            "LEFT JOIN subjects s ON s.key = t.subject_key WHERE l.src = ? ORDER BY l.position",
            (rowid,),
        ):
            if target == rowid:
                continue  # a self link
            ident = target if target is not None else (url, lid, title)
            if ident in seen:
                continue
            seen.add(ident)
            article.links.append(
                RelatedLink(position, lid, title or t_title or "", t_subject or subject, url, t_key)
            )
        for n, (key, bid, title, subject, url) in enumerate(
            self._query(
                "SELECT DISTINCT a.key, a.id, a.title, coalesce(s.name, a.subject), a.url "
                "FROM links l JOIN articles a ON a.rowid = l.src "
                "LEFT JOIN subjects s ON s.key = a.subject_key "
                "WHERE l.target = ? AND l.src != ? ORDER BY a.title_sort",
                (rowid, rowid),
            ),
            start=1,
        ):
            article.backlinks.append(RelatedLink(n, bid, title, subject, url, key))
        return article

    def rowid_for_key(self, key: str) -> int | None:
        rows = self._query("SELECT rowid FROM articles WHERE key = ? LIMIT 1", (key,))
        return rows[0][0] if rows else None

    def find(self, ref: str) -> int | None:
        """Resolve a reference typed by a user: a key or url, an id, a file path or a title."""
        ref = ref.strip()
        if not ref:
            return None
        candidates = [ref]
        if ref.startswith(("http://", "https://")):
            # A full link to the site: the library keeps site-relative urls.
            after = ref.split("://", 1)[1]
            candidates.append("/" + after.split("/", 1)[1] if "/" in after else "/")
        for candidate in candidates:
            for column in ("key", "url"):
                rows = self._query(
                    f"SELECT rowid FROM articles WHERE {column} = ? LIMIT 1", (candidate,)
                )
                if rows:
                    return rows[0][0]
        rows = self._query(
            "SELECT rowid FROM articles WHERE id = ? ORDER BY is_stub, rowid LIMIT 1", (ref,)
        )
        if rows:
            return rows[0][0]
        path = Path(ref)
        rel = None
        if path.is_absolute():
            try:
                rel = path.resolve().relative_to(self.root).as_posix()
            except (ValueError, OSError):
                rel = None
        else:
            rel = path.as_posix()
            if not (self.root / rel).exists() and Path(ref).exists():
                try:
                    rel = Path(ref).resolve().relative_to(self.root).as_posix()
                except ValueError:
                    rel = None
        if rel:
            rows = self._query("SELECT rowid FROM articles WHERE path = ?", (rel,))
            if rows:
                return rows[0][0]
        rows = self._query(
            "SELECT rowid FROM articles WHERE title = ? COLLATE NOCASE LIMIT 1", (ref,)
        )
        return rows[0][0] if rows else None

    def answer_links(self, article: Article) -> list[RelatedLink]:
        """The links of an article's answer that point into the library, resolved."""

        def resolve(href: str) -> tuple[str, str, str] | None:
            rowid = self.find(href)
            if rowid is None:
                return None
            row = self.rows([rowid])[0]
            return row.key, row.title, row.subject

        return library_links(article.answer, resolve)

    def find_by_id_title(self, id_: str, title: str) -> int | None:
        """A bookmark's article after its url changed: same id and title, else same title."""
        if id_ and title:
            rows = self._query(
                "SELECT rowid FROM articles WHERE id = ? AND title = ? LIMIT 1", (id_, title)
            )
            if rows:
                return rows[0][0]
        if title:
            rows = self._query("SELECT rowid FROM articles WHERE title = ? LIMIT 1", (title,))
            if rows:
                return rows[0][0]
        return None

    def titles_matching(self, text: str, limit: int = 30) -> list[ArticleRow]:
        """Quick title search for "Go to article…"."""
        result = self.search(text, quick=True, limit=limit)
        return self.rows(list(result.rowids))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No garbage collection while a refresh compares the folder with the catalog. It
    keeps 300,000 tuples, whose allocations set off collections of the whole heap: 0.3 s
    of a 1.7 s refresh (measured), with the UI thread stopped meanwhile. None of them
    can be part of a reference cycle."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _differences(
    scanned: list[tuple[str, int, int]], known: list[tuple[str, int, int]]
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]], list[str]]:
    """(added, changed, removed paths) between two lists of (path, size, mtime_ns), both
    sorted by path. Runs of equal rows are skipped a slice at a time, compared in C."""
    added: list[tuple[str, int, int]] = []
    changed: list[tuple[str, int, int]] = []
    removed: list[str] = []
    i = j = 0
    n, m = len(scanned), len(known)
    step = 256
    while i < n and j < m:
        if scanned[i : i + step] == known[j : j + step]:
            i += step
            j += step
            continue
        end = i + step
        while i < end and i < n and j < m:
            row, old = scanned[i], known[j]
            if row == old:
                i += 1
                j += 1
            elif row[0] == old[0]:
                changed.append(row)
                i += 1
                j += 1
            elif row[0] < old[0]:
                added.append(row)
                i += 1
            else:
                removed.append(old[0])
                j += 1
    added.extend(scanned[i:])
    removed.extend(old[0] for old in known[j:])
    return added, changed, removed


class _Indexer:
    """One refresh of a catalog: scan, read what changed, write in one transaction."""

    def __init__(
        self,
        catalog: Catalog,
        conn: sqlite3.Connection,
        progress: Progress | None,
        workers: int | None,
    ):
        self.catalog = catalog
        self.conn = conn
        self.progress = progress
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        # What a write did, for what follows it in the same transaction:
        self._rowid = 0  # the highest rowid in use (new articles are numbered above it)
        # What the links need looked at again (see _resolve_links).
        self._touched: list[int] = []  # articles removed, or renamed
        self._written: list[int] = []  # articles whose links are new
        self._claims: list[int] = []  # articles with a new url, id, title or subject
        self._subjects_changed = False  # the subjects table is counted again

    def run(self) -> RefreshReport:
        conn = self.conn
        (articles,) = conn.execute("SELECT coalesce(sum(count), 0) FROM subjects").fetchone()
        known: list[tuple[str, int, int]] = []

        def read_known() -> None:
            sql = "SELECT path, size, mtime_ns FROM files ORDER BY path"
            known.extend(conn.execute(sql).fetchall())

        with _gc_paused():
            # In scan order. In a large library, half of it is listed by another process,
            # and the catalog's files are read while this one waits for that half.
            rows = scan_rows(
                self.catalog.root,
                parallel=articles >= PARALLEL_SCAN_ARTICLES,
                meanwhile=read_known,
            )
            # Both in path order: a merge that compares runs of rows in C finds the
            # few that differ, if any (150,000 files on every refresh).
            cold = not known
            if cold:
                new, changed, removed = rows, [], []
            else:
                new, changed, removed = _differences(sorted(rows), known)
            known.clear()
        report = RefreshReport(added=len(new), changed=len(changed), removed=len(removed))
        report.rebuilt = cold
        if cold:
            to_read = [file_entry(row) for row in rows]
        else:
            # Files skipped last time are read again: they may be readable now.
            skipped = conn.execute(
                "SELECT path, size, mtime_ns FROM files WHERE article IS NULL"
            ).fetchall()
            seen = {*removed, *(row[0] for row in changed)}
            wanted = [*new, *changed, *(row for row in skipped if row[0] not in seen)]
            # In scan order, as a first build reads them.
            to_read = sorted(map(file_entry, wanted), key=lambda e: scan_order_key(e.path))
        if to_read or removed:
            articles = {} if cold else self._known_articles([*removed, *(e.path for e in to_read)])
            self._write(to_read, removed, cold, articles)
        report.total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        report.problems = conn.execute("SELECT count(DISTINCT path) FROM problems").fetchone()[0]
        return report

    def _known_articles(self, paths: list[str]) -> dict[str, int | None]:
        """The catalog's files among ``paths``, with the rowid of each one's article."""
        known: dict[str, int | None] = {}
        for start in range(0, len(paths), 500):
            part = paths[start : start + 500]
            marks = ",".join("?" * len(part))
            known.update(
                self.conn.execute(f"SELECT path, article FROM files WHERE path IN ({marks})", part)
            )
        return known

    def _read_chunks(self, paths_to_read: list[str]) -> Iterator[list[_Record]]:
        """(parse result, packed answer) in file order, a chunk at a time, as they finish."""
        total = len(paths_to_read)
        root = str(self.catalog.root)
        done = 0
        if self.progress:
            self.progress(0, total)
        chunks = [paths_to_read[i : i + CHUNK] for i in range(0, total, CHUNK)]
        if total >= PARALLEL_THRESHOLD and self.workers > 1:
            _start_resource_tracker()
            # "spawn": forking a process that runs threads (the TUI) is unsafe.
            with ProcessPoolExecutor(self.workers, mp_context=get_context("spawn")) as pool:
                # A few chunks ahead of the writer, not all of them: parsed chunks waiting
                # for a busy writer would otherwise hold much of the library in memory.
                waiting = iter(chunks)
                ahead = deque(
                    pool.submit(_read_chunk, root, chunk)
                    for chunk in islice(waiting, CHUNKS_AHEAD * self.workers)
                )
                try:
                    while ahead:
                        part = ahead.popleft().result()
                        following = next(waiting, None)
                        if following is not None:
                            ahead.append(pool.submit(_read_chunk, root, following))
                        done += len(part)
                        if self.progress:
                            self.progress(done, total)
                        yield part
                finally:
                    for future in ahead:  # the writer stopped early: no more parsing
                        future.cancel()
        else:
            for chunk in chunks:
                part = _read_chunk(root, chunk)
                done += len(part)
                if self.progress:
                    self.progress(done, total)
                yield part

    def _write(
        self,
        to_read: list[FileEntry],
        removed: list[str],
        cold: bool,
        known: dict[str, int | None],
    ) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if cold:
                for name in _INDEXES:
                    conn.execute(f"DROP INDEX IF EXISTS {name}")
                self._fts_config("fts", _BULK_FTS)
                self._fts_config("quick", _BULK_FTS)
            # New articles are numbered above every rowid in use: a rewritten article
            # keeps its rowid, and no new one may take it.
            self._rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]
            self._subjects_changed = cold
            # The files read again that had an article: it is rewritten where it is.
            rewriting = {e.path: known[e.path] for e in to_read if known.get(e.path) is not None}
            for path in [*removed, *(e.path for e in to_read if e.path in known)]:
                conn.execute("DELETE FROM problems WHERE path = ?", (path,))
                conn.execute("DELETE FROM files WHERE path = ?", (path,))
            # In rowid order: FTS5 writes its pending terms out as a new segment whenever
            # a rowid is not above the last one, and a hundred tiny segments set off
            # merges of the big ones (seconds, and a bloated file).
            for rowid in sorted(r for p in removed if (r := known[p]) is not None):
                self._drop(rowid)
            in_place: dict[int, _Record | None] = {}  # rowid: its new record, or None
            article_rows = []
            answer_rows = []
            link_rows = []
            problem_rows = []
            file_rows = []
            fts_rows: list[tuple] = []
            keys_in_batch: dict[str, str] = {}
            # Each chunk is written as it is parsed: memory stays bounded by a chunk,
            # and the writing overlaps the parsing in the worker processes.
            for entry, record in self._parsed(to_read):
                if entry is None or record is None:  # the end of a chunk: write it
                    self._rewrite(in_place)
                    self._flush(
                        article_rows, answer_rows, link_rows, problem_rows, file_rows, fts_rows
                    )
                    continue
                row, links, problems, answer = record
                rowid = None
                if row is not None:
                    key = row[1]
                    clash = keys_in_batch.get(key)
                    if clash is None and not cold:  # a cold build starts empty
                        clash = self._path_for_key(key)
                        if clash in rewriting:
                            # Read again in this batch: what it holds now is decided when
                            # it is read (in keys_in_batch), not by its old row.
                            clash = None
                    if (
                        clash
                        and clash != entry.path
                        and scan_order_key(entry.path) < scan_order_key(clash)
                    ):
                        # The article kept so far comes later in path order: as in a
                        # fresh build, the earlier file wins and the later one is skipped.
                        self._demote(clash, entry.path, key, problem_rows)
                        clash = None
                    if clash and clash != entry.path:
                        reason = (
                            f"another file has the same url ({clean_line(key)}): "
                            f"{clash}; this one is skipped"
                        )
                        problems.append((entry.path, None, reason, Severity.ERROR.value))
                        row = None
                if row is not None:
                    keys_in_batch[row[1]] = entry.path
                    rowid = rewriting.get(entry.path)
                    if rowid is not None:
                        in_place[rowid] = record
                    else:
                        rowid = self._next_rowid()
                        self._subjects_changed = True
                        self._written.append(rowid)
                        self._claims.append(rowid)
                        article_rows.append(_article_row(rowid, row))
                        answer_rows.append((rowid, row[5]))
                        fts_rows.append(_fts_row(rowid, row, answer))
                        link_rows.extend((rowid, *link) for link in links)
                elif entry.path in rewriting:  # no longer an article: it goes
                    in_place[rewriting[entry.path]] = None
                problem_rows.extend(problems)
                file_rows.append((entry.path, entry.size, entry.mtime_ns, rowid))
            self._rewrite(in_place)
            self._flush(article_rows, answer_rows, link_rows, problem_rows, file_rows, fts_rows)
            if cold:
                # Links are resolved through the article indexes; their own indexes
                # come after, so that setting 400,000 targets updates no index.
                for name, on in _INDEXES.items():
                    if not name.startswith("links_"):
                        conn.execute(f"CREATE INDEX {name} ON {on}")
                for table in ("fts", "quick"):
                    self._fts_config(table, _AFTER_BULK_FTS)
            self._resolve_links(cold)
            if cold:
                for name, on in _INDEXES.items():
                    if name.startswith("links_"):
                        conn.execute(f"CREATE INDEX {name} ON {on}")
            if self._subjects_changed:
                self._update_subjects()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _fts_config(self, table: str, values: dict[str, int]) -> None:
        for name, value in values.items():
            try:
                self.conn.execute(
                    f"INSERT INTO {table}({table}, rank) VALUES (?, ?)", (name, value)
                )
            except sqlite3.OperationalError:
                pass  # an older SQLite without this option: slower, still correct

    def _parsed(
        self, to_read: list[FileEntry]
    ) -> Iterator[tuple[FileEntry | None, _Record | None]]:
        """(entry, record) in order, and (None, None) after each chunk."""
        entries = iter(to_read)
        for part in self._read_chunks([e.path for e in to_read]):
            for record in part:
                yield next(entries), record
            yield None, None

    def _flush(
        self, articles: list, answers: list, links: list, problems: list, files: list, fts: list
    ) -> None:
        conn = self.conn
        conn.executemany(_INSERT_ARTICLE, articles)
        conn.executemany("INSERT INTO answers VALUES (?,?)", answers)
        conn.executemany(_INSERT_LINK, links)
        conn.executemany("INSERT INTO problems VALUES (?,?,?,?)", problems)
        conn.executemany("INSERT INTO files VALUES (?,?,?,?)", files)
        fts.sort()  # in rowid order: see the deletes in _write
        conn.executemany(_INSERT_FTS, fts)
        conn.executemany(_INSERT_QUICK, map(_quick_row, fts))
        for rows in (articles, answers, links, problems, files, fts):
            rows.clear()

    def _rewrite(self, in_place: dict[int, _Record | None]) -> None:
        """Write the new state of articles read again, in rowid order (see _write), and
        clear ``in_place``.

        An article that is still one is updated where it is, in the columns that
        changed: deleting and inserting its row dirtied a page in each of the eight
        indexes on articles, in the links and their two indexes and in both FTS
        tables, ~1,900 pages (31 MB of log) for 100 edited answers, measured.
        """
        conn = self.conn
        for rowid in sorted(in_place):
            record = in_place[rowid]
            if record is None:
                self._drop(rowid)
                continue
            row, links, _, answer = record
            new = _article_row(rowid, row)
            old = conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE rowid = ?", (rowid,)
            ).fetchone()
            old_answer = conn.execute(
                "SELECT answer FROM answers WHERE rowid = ?", (rowid,)
            ).fetchone()
            if old is None or old_answer is None:  # a damaged catalog: written anew
                self._drop(rowid)
                self._insert(rowid, record)
                continue
            old_answer = old_answer[0]
            changed = [n for n, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
            answer_changed = old_answer != row[5]
            in_quick = not _IN_QUICK.isdisjoint(changed)
            in_fts = answer_changed or not _IN_FTS.isdisjoint(changed)
            self._unindex(rowid, fts=in_fts, quick=in_quick)  # before the row changes
            if changed:
                # Only the columns named are written, and only indexes on them updated.
                columns = ", ".join(f"{_ARTICLE_COLUMN_NAMES[n]} = ?" for n in changed)
                conn.execute(
                    f"UPDATE articles SET {columns} WHERE rowid = ?",
                    (*(new[n] for n in changed), rowid),
                )
            if answer_changed:
                conn.execute("UPDATE answers SET answer = ? WHERE rowid = ?", (row[5], rowid))
            fts_row = _fts_row(rowid, row, answer)
            if in_fts:
                conn.execute(_INSERT_FTS, fts_row)
            if in_quick:
                conn.execute(_INSERT_QUICK, _quick_row(fts_row))
            old_links = conn.execute(
                "SELECT position, id, title, subject, subject_key, url FROM links "
                "WHERE src = ? ORDER BY rowid",
                (rowid,),
            ).fetchall()
            if old_links != links:
                conn.execute("DELETE FROM links WHERE src = ?", (rowid,))
                conn.executemany(_INSERT_LINK, [(rowid, *link) for link in links])
                self._written.append(rowid)
            if not _NAMES.isdisjoint(changed):
                # Links into it, and links naming it, are looked at again.
                self._touched.append(rowid)
                self._claims.append(rowid)
            if not _IN_SUBJECTS.isdisjoint(changed):
                self._subjects_changed = True
        in_place.clear()

    def _insert(self, rowid: int, record: _Record) -> None:
        """Insert one record's article, with its links, as ``rowid``."""
        row, links, _, answer = record
        assert row is not None
        conn = self.conn
        fts_row = _fts_row(rowid, row, answer)
        conn.execute(_INSERT_ARTICLE, _article_row(rowid, row))
        conn.execute("INSERT INTO answers VALUES (?,?)", (rowid, row[5]))
        conn.executemany(_INSERT_LINK, [(rowid, *link) for link in links])
        conn.execute(_INSERT_FTS, fts_row)
        conn.execute(_INSERT_QUICK, _quick_row(fts_row))
        self._written.append(rowid)
        self._claims.append(rowid)
        self._subjects_changed = True

    def _drop(self, rowid: int) -> None:
        """Remove an article; the links into it are looked at again."""
        self._delete_article(rowid)
        self._touched.append(rowid)
        self._subjects_changed = True

    def _demote(self, path: str, winner: str, key: str, problem_rows: list[tuple]) -> None:
        """Skip the article of an unchanged file that another file's url now claims."""
        (rowid,) = self.conn.execute(
            "SELECT rowid FROM articles WHERE path = ?", (path,)
        ).fetchone()
        self._drop(rowid)
        self.conn.execute("UPDATE files SET article = NULL WHERE path = ?", (path,))
        reason = f"another file has the same url ({clean_line(key)}): {winner}; this one is skipped"
        problem_rows.append((path, None, reason, Severity.ERROR.value))

    def _next_rowid(self) -> int:
        self._rowid += 1
        return self._rowid

    def _path_for_key(self, key: str) -> str | None:
        row = self.conn.execute(
            "SELECT path FROM articles WHERE key = ? LIMIT 1", (key,)
        ).fetchone()
        return row[0] if row else None

    def _unindex(self, rowid: int, fts: bool = True, quick: bool = True) -> None:
        """Take an article out of the FTS indexes. They hold no text of their own: an
        entry is deleted with the values it was indexed with, read from its rows.

        The values are read first and given to a plain INSERT ... VALUES: an INSERT ...
        SELECT opens a savepoint, at which SQLite 3.40's FTS5 writes its pending terms
        out as a new segment. One segment per article set off merges of the big ones.
        """
        conn = self.conn
        if fts:
            row = conn.execute(
                f"SELECT {_FTS_COLUMNS} FROM articles_text WHERE rowid = ?", (rowid,)
            ).fetchone()
            if row is not None:
                conn.execute(_DELETE_FTS, (rowid, *row))
        if quick:
            row = conn.execute(
                f"SELECT {_QUICK_COLUMNS} FROM articles WHERE rowid = ?", (rowid,)
            ).fetchone()
            if row is not None:
                conn.execute(_DELETE_QUICK, (rowid, *row))

    def _delete_article(self, rowid: int) -> None:
        self._unindex(rowid)
        conn = self.conn
        conn.execute("DELETE FROM articles WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM answers WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM links WHERE src = ?", (rowid,))

    def _resolve_links(self, cold: bool) -> None:
        """Point links at their articles: by url, else id (same subject first), else title.

        A cold build resolves every link. A refresh resolves again only the links that
        can have changed: those written anew, those into articles that went away or were
        renamed, and those naming the url, id or title of an article that is new or was
        renamed or moved to another subject (it may be a better match than the one they
        had, or the first one for a dangling link). Every other link would resolve as
        it did.
        """
        conn = self.conn
        scope = ""
        if not cold:
            if not (self._touched or self._written or self._claims):
                return
            for table in ("touched", "written", "claims", "pending"):
                conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}(rowid INTEGER PRIMARY KEY)")
                conn.execute(f"DELETE FROM {table}")
            for table, rowids in (
                ("touched", self._touched),
                ("written", self._written),
                ("claims", self._claims),
            ):
                conn.executemany(
                    f"INSERT OR IGNORE INTO {table} VALUES (?)", [(r,) for r in rowids]
                )
            conn.execute(
                "INSERT OR IGNORE INTO pending SELECT rowid FROM links "
                "WHERE target IN (SELECT rowid FROM touched) "
                "OR src IN (SELECT rowid FROM written)"
            )
            if self._claims:  # reads every link: only when some article has new names
                conn.execute(
                    "INSERT OR IGNORE INTO pending SELECT l.rowid FROM links l "
                    "WHERE l.url IN (SELECT url FROM articles WHERE rowid IN claims AND url != '') "
                    "OR l.id IN (SELECT id FROM articles WHERE rowid IN claims AND id != '') "
                    "OR l.title IN (SELECT title FROM articles WHERE rowid IN claims AND title != '')"
                )
            conn.execute("UPDATE links SET target = NULL WHERE rowid IN pending")
            scope = " AND rowid IN pending"
        conn.execute(
            "UPDATE links SET target = (SELECT a.rowid FROM articles a WHERE a.url = links.url "
            f"ORDER BY a.rowid LIMIT 1) WHERE target IS NULL AND url != ''{scope}"
        )
        conn.execute(
            # An id can be shared by copies under two subjects: prefer the link's subject.
            "UPDATE links SET target = coalesce("
            "(SELECT a.rowid FROM articles a WHERE a.id = links.id "
            "AND a.subject_key = links.subject_key ORDER BY a.rowid LIMIT 1), "
            "(SELECT a.rowid FROM articles a WHERE a.id = links.id ORDER BY a.rowid LIMIT 1)) "
            f"WHERE target IS NULL AND id != ''{scope}"
        )
        conn.execute(
            "UPDATE links SET target = (SELECT a.rowid FROM articles a WHERE a.title = links.title "
            f"ORDER BY a.rowid LIMIT 1) WHERE target IS NULL AND title != ''{scope}"
        )

    def _update_subjects(self) -> None:
        spellings: dict[str, Counter[str]] = {}
        totals: Counter[str] = Counter()
        stubs: Counter[str] = Counter()
        for key, subject, is_stub, n in self.conn.execute(
            "SELECT subject_key, subject, is_stub, count(*) FROM articles "
            "GROUP BY subject_key, subject, is_stub"
        ):
            spellings.setdefault(key, Counter())[subject] += n
            totals[key] += n
            if is_stub:
                stubs[key] += n
        rows = []
        for key, counter in spellings.items():
            # The most common spelling; on a tie, the one with more capitals.
            name = max(
                counter.items(), key=lambda kv: (kv[1], sum(c.isupper() for c in kv[0]), kv[0])
            )[0]
            rows.append((key, name, totals[key], stubs[key]))
        self.conn.execute("DELETE FROM subjects")
        self.conn.executemany("INSERT INTO subjects VALUES (?,?,?,?)", rows)


def open_catalog(root: Path, progress: Progress | None = None) -> tuple[Catalog, RefreshReport]:
    """Open the catalog of ``root`` and bring it up to date."""
    catalog = Catalog(root)
    return catalog, catalog.refresh(progress)
