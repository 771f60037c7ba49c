"""The Catalog: one library folder's catalog, its queries and refresh, over the modules
that do the work.

Every method turns what SQLite says of a damaged file, a full disk or a read-only one
into a CatalogError with a one-line message (see errors): CatalogDamaged,
CatalogUnwritable, and QueryError for a search SQLite refuses. An interrupted search
still raises sqlite3.OperationalError, as the reader expects.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from .. import paths
from ..models import Article, ArticleRow, Problem, RelatedLink
from . import errors, queries, search
from .groups import Groups
from .indexing import Indexer
from .refresh_lock import Waiting, refreshing
from .results import (
    CatalogDamaged,
    Progress,
    RefreshReport,
    SearchHit,
    SearchResult,
    SubjectCount,
)
from .schema import GROUPS_WRITTEN
from .scoped import GivenPath, ScopedIndexer, WholeLibrary, scope
from .similar import similar as similar_to
from .storage import Store
from .suggest import suggest as suggest_for

_P = ParamSpec("_P")
_R = TypeVar("_R")

_GROUPS_MARK = "SELECT value FROM meta WHERE name = ?"

# The check at refresh reads the catalog's pages through a memory map: 25-40 ms for
# every b-tree of a 150,000-article catalog (970 MB; a new map each time), against
# 130-150 ms through reads (measured, pages in the OS cache).
_CHECK_MMAP = 1 << 30


def _guarded(
    method: Callable[Concatenate[Catalog, _P], _R],
) -> Callable[Concatenate[Catalog, _P], _R]:
    """A read of the catalog: SQLite's "malformed" becomes CatalogDamaged (and the next
    refresh rebuilds), a write refused becomes CatalogUnwritable."""

    @functools.wraps(method)
    def guarded(self: Catalog, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._translated():
            return method(self, *args, **kwargs)

    return guarded


class Catalog:
    """One library folder's catalog. Safe to use from several threads.

    The catalog lives in the user cache dir, one file per library folder. It is
    queried, never loaded whole: lists hold row ids and page in the few rows they
    show; the full text of an article is read only when it is opened.
    """

    def __init__(
        self,
        root: Path,
        db_path: Path | None = None,
        *,
        waiting: Waiting | None = None,
        follow_external_links: bool = False,
    ):
        """``waiting`` is called (once) when another process is refreshing this catalog
        and this one waits for it to finish, at opening or at a refresh. Links out of
        the library folder are followed by a refresh only with ``follow_external_links``
        (the setting of that name); /, /proc, /sys and /dev never are."""
        self.root = Path(root).resolve()
        self.follow_external_links = follow_external_links
        self.db_path = Path(db_path) if db_path else paths.catalog_path(self.root)
        self._waiting = _Once(waiting)
        self._write_lock = threading.Lock()
        self._damaged = False  # a read found the file damaged: the next refresh rebuilds
        # The articles that have versions, read again after a write of the catalog that
        # may have changed them (by any process: see schema.GROUPS_WRITTEN).
        self._grouped: tuple[object, Groups] | None = None
        self._grouped_lock = threading.Lock()
        # Opened while no other process refreshes it: one that is creating or
        # replacing the file must not have it judged damaged, and removed, meanwhile.
        with refreshing(self.db_path, self._waiting):
            self._store = Store(self.root, self.db_path)

    @property
    def damaged(self) -> bool:
        """Whether a read found the catalog damaged since it was last (re)built: call
        ``rebuild`` (``refresh`` does it too)."""
        return self._damaged

    @contextmanager
    def _translated(self, writing: bool = False) -> Iterator[None]:
        """SQLite's and the file system's errors as CatalogErrors (see errors.translated)."""
        try:
            yield
        except (sqlite3.Error, OSError, CatalogDamaged) as exc:
            error = errors.translated(exc, self.db_path, writing)
            if error is None:
                raise
            if isinstance(error, CatalogDamaged):
                self._damaged = True
            raise error from exc

    @property
    def _reader(self) -> sqlite3.Connection:
        """This thread's connection (benchmarks and tests trace and time it)."""
        return self._store.reader

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        return self._store.query(sql, params)

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def interrupt_searches(self) -> None:
        """Abort searches running in other threads (they raise sqlite3.OperationalError).

        Only searches: row fetches and article reads of other threads are left alone.
        """
        self._store.interrupt_searches()

    def refresh(
        self,
        progress: Progress | None = None,
        workers: int | None = None,
        paths: Iterable[GivenPath] | None = None,
    ) -> RefreshReport:
        """Bring the catalog up to date with the folder: re-read only what changed.

        ``paths``: look at these only, not the whole library: files added, changed or
        gone, and folders with everything under them (moved in or out, say). Each is a
        library path as the catalog spells it ("topic/a.md", as a watcher reports it),
        or a file system path (a PathLike, or a str starting with "/"); those outside
        the library and files that are not articles are ignored. The catalog ends as a
        full refresh would leave it, and the report says ``scoped``; where these paths
        alone cannot tell (a symbolic link on the way, the library itself given: see
        scoped), the whole library is refreshed instead.

        One refresh at a time, across processes (see refresh_lock). A catalog found
        damaged, by a read before or by the check here, is rebuilt instead: the
        report says ``repaired``. Raises CatalogUnwritable when the disk is full or
        the file read-only; the catalog then stays as it was, and answers queries."""
        only = None if paths is None else scope(self.root, paths)
        started = time.perf_counter()
        with self._write_lock, refreshing(self.db_path, self._waiting):
            report = self._refresh(progress, workers, only)
        report.seconds = time.perf_counter() - started
        return report

    def rebuild(
        self, progress: Progress | None = None, workers: int | None = None
    ) -> RefreshReport:
        """Build the catalog anew from the library, as a first build does, and put it in
        place of this one (for a damaged catalog: see CatalogDamaged). Queries meanwhile
        read the old one. The report says ``rebuilt`` and ``repaired``."""
        started = time.perf_counter()
        with self._write_lock, refreshing(self.db_path, self._waiting):
            report = self._rebuild(progress, workers)
        report.seconds = time.perf_counter() - started
        return report

    def _index(
        self, progress: Progress | None, workers: int | None, only: list[str] | None = None
    ) -> Callable[[sqlite3.Connection], RefreshReport]:
        """A refresh of the whole library, or of the paths ``only`` (see scoped.scope)."""
        follow = self.follow_external_links

        def index(conn: sqlite3.Connection) -> RefreshReport:
            if only is not None:
                try:
                    return ScopedIndexer(self.root, conn, only, progress, workers, follow).run()
                except WholeLibrary:  # raised before anything is written
                    pass
            return Indexer(self.root, conn, progress, workers, follow).run()

        return index

    def _refresh(
        self, progress: Progress | None, workers: int | None, only: list[str] | None = None
    ) -> RefreshReport:
        index = self._index(progress, workers)
        try:
            with self._translated(writing=True):
                if not self._damaged and self._intact():
                    if self._store.query("SELECT 1 FROM files LIMIT 1"):
                        return self._store.write_in_place(self._index(progress, workers, only))
                    return self._store.build_apart(index)  # a first build
        except CatalogDamaged:
            pass
        return self._rebuild(progress, workers)

    def _rebuild(self, progress: Progress | None, workers: int | None) -> RefreshReport:
        index = self._index(progress, workers)
        try:
            with self._translated(writing=True):
                report = self._store.build_apart(index)
        except CatalogDamaged:
            # The new file could not be copied over the damaged one (another process
            # has it open, and the copy needs its first page): start from nothing.
            self._start_over()
            with self._translated(writing=True):
                report = self._store.build_apart(index)
        report.rebuilt = report.repaired = True
        self._damaged = False
        return report

    def _start_over(self) -> None:
        """Remove the catalog's files and open an empty catalog in their place."""
        self._store.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.db_path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise errors.unwritable(self.db_path, exc.strerror or exc) from exc
        self._store = Store(self.root, self.db_path)

    def _intact(self) -> bool:
        """Whether every table and index of the catalog reads whole: a count over each
        visits all its pages, and a damaged page (garbage where a b-tree page was)
        fails it. ``PRAGMA quick_check`` reads every row too: 0.4 s at 150,000
        articles, against 25-40 ms for this (measured, pages in the OS cache)."""
        conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        try:
            conn.execute(f"PRAGMA mmap_size={_CHECK_MMAP}")
            found = conn.execute(
                "SELECT type, name, tbl_name FROM sqlite_schema "
                "WHERE rootpage > 0 AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            conn.execute("BEGIN")  # one snapshot, and the map set up once
            for kind, name, table in found:
                if kind == "table":
                    conn.execute(f'SELECT count(*) FROM "{name}" NOT INDEXED').fetchone()
                else:
                    conn.execute(f'SELECT count(*) FROM "{table}" INDEXED BY "{name}"').fetchone()
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if isinstance(errors.translated(exc, self.db_path), CatalogDamaged):
                return False
            raise
        finally:
            conn.close()
        return True

    @_guarded
    def count(self, include_stubs: bool = True) -> int:
        return queries.count(self._store, include_stubs)

    @_guarded
    def subjects(self, include_stubs: bool = False) -> list[SubjectCount]:
        return queries.subjects(self._store, include_stubs)

    @_guarded
    def subject_name(self, key: str) -> str | None:
        return queries.subject_name(self._store, key)

    @_guarded
    def problems(self) -> list[Problem]:
        return queries.problems(self._store)

    @_guarded
    def problem_count(self) -> tuple[int, int]:
        """(files skipped, files with warnings); a folder that cannot be read is one
        skipped (see unreadable_folders)."""
        return queries.problem_count(self._store)

    @_guarded
    def unreadable_folders(self) -> int:
        """How many folders the last refresh could not list (their articles are kept)."""
        return queries.unreadable_folders(self._store)

    @_guarded
    def list_rowids(
        self,
        subject: str | None = None,
        include_stubs: bool = False,
        sort: str = "title",
        group: bool = False,
    ) -> array:
        """Every article (of a subject) as row ids, in ``sort`` order: "title" (and
        "relevance", which a list has none of) or "newest" (by date, newest first).
        Raises ValueError for any other ``sort``.

        ``group``: each question once, however many versions of it the list holds (see
        ``versions``): the first of them in this order stands for it. Within a subject,
        only that subject's versions are collapsed."""
        groups = self._groups() if group else None
        return search.list_rowids(self._store, subject, include_stubs, sort, groups)

    def search(
        self,
        text: str,
        subject: str | None = None,
        include_stubs: bool = False,
        quick: bool = False,
        typing: bool = True,
        limit: int | None = None,
        sort: str = "relevance",
        group: bool = False,
    ) -> SearchResult:
        """Articles matching ``text``, best first.

        ``quick`` searches titles, questions and keywords only: cheap enough
        for every keystroke. ``typing`` makes the last word a prefix. ``sort``:
        "relevance" (best first), "newest" (by date) or "title"; any other raises
        ValueError.

        ``group``: each question once (see ``versions``), as its best-ranked version
        (the first in ``sort`` order); the result's ``total`` counts questions, its
        ``articles`` the articles that matched. ``limit`` then counts questions.
        """
        with self._translated():
            groups = self._groups() if group else None
        with self._translated(), self._store.searching():
            try:
                return search.search(
                    self._store, text, subject, include_stubs, quick, typing, limit, sort,
                    groups,
                )  # fmt: skip
            except sqlite3.OperationalError as exc:
                error = errors.query_error(exc)
                if error is None:
                    raise
                raise error from exc

    @_guarded
    def suggest(self, text: str) -> str | None:
        """``text`` with each word the library does not know replaced by the closest
        one it does ("gradiant" -> "gradient"), when that finds something; None when
        every word is known, nothing is close or the suggestion finds nothing."""

        def finds(suggestion: str) -> bool:
            # Any one match: not ranked (ranking 100,000 matches of common words took
            # half a second), not counted.
            found = search.search(self._store, suggestion, None, False, False, False, 1, "title")
            return bool(found.rowids)

        try:
            return suggest_for(self._store, text, finds)
        except sqlite3.OperationalError as exc:
            error = errors.query_error(exc)
            if error is None:
                raise
            raise error from exc

    def _groups(self) -> Groups:
        """The articles that have versions, read again after the catalog was written."""
        mark = (self._store.generation, self._store.value(_GROUPS_MARK, (GROUPS_WRITTEN,)))
        with self._grouped_lock:
            if self._grouped is None or self._grouped[0] != mark:
                self._grouped = (mark, Groups.read(self._store))
            return self._grouped[1]

    @_guarded
    def versions(self, rowid: int) -> list[ArticleRow]:
        """Every article asking the question of article ``rowid``, itself included: the
        articles whose titles are the same but for case, spacing and the punctuation
        that ends them ("What is an acid?", "what is an acid"), filed under several
        subjects or dates. Newest first, then by subject; [] for an unknown rowid. A
        stub is a version of nothing: its list is itself."""
        return queries.versions(self._store, rowid)

    @_guarded
    def similar(self, rowid: int, limit: int = 5) -> list[ArticleRow]:
        """Up to ``limit`` articles of the library most like article ``rowid``, most
        alike first: never itself, another version of its question (see ``versions``)
        or a stub, and a question once. [] when nothing is alike (or no such article).

        A read, not a search: ``interrupt_searches`` leaves it alone, and it runs beside
        searches in other threads (under 30 ms at 150,000 articles: see similar)."""
        attempts = 3
        while True:
            try:
                return similar_to(self._store, rowid, limit)
            except sqlite3.OperationalError as exc:
                # An interruption meant for a search this thread had just finished
                # (interrupt_searches picked its connection a moment before): again.
                attempts -= 1
                if "interrupted" not in str(exc) or not attempts:
                    raise

    @_guarded
    def hits(self, result: SearchResult, start: int = 0, count: int = 20) -> list[SearchHit]:
        """Rows with snippets for a slice of a search result."""
        try:
            return search.hits(self._store, result, start, count)
        except sqlite3.OperationalError as exc:
            error = errors.query_error(exc)
            if error is None:
                raise
            raise error from exc

    @_guarded
    def rows(self, rowids: Sequence[int]) -> list[ArticleRow]:
        """List rows for these ids, in the order given."""
        return queries.rows(self._store, rowids)

    @_guarded
    def article(self, rowid: int) -> Article | None:
        """The whole article, with its related links and backlinks."""
        return queries.article(self._store, rowid)

    @_guarded
    def rowid_for_key(self, key: str) -> int | None:
        return queries.rowid_for_key(self._store, key)

    @_guarded
    def find(self, ref: str) -> int | None:
        """Resolve a reference typed by a user: a key or url, an id, a file path or a title."""
        return queries.find(self._store, ref)

    @_guarded
    def find_all(self, ref: str) -> list[int]:
        """Every article a reference names, as rowids, ``find``'s pick first: by
        ``find``'s rules, the first kind of reference that finds anything (key or url,
        id, file path, title) gives all it finds. Copies under two subjects share an
        id; a path names one file. Stubs are kept. [] when nothing is named."""
        return queries.find_all(self._store, ref)

    @_guarded
    def answer_links(self, article: Article) -> list[RelatedLink]:
        """The links of an article's answer that point into the library, resolved."""
        return queries.answer_links(self._store, article)

    @_guarded
    def find_by_id_title(self, id_: str, title: str) -> int | None:
        """A bookmark's article after its url changed: same id and title, else same title."""
        return queries.find_by_id_title(self._store, id_, title)

    def titles_matching(self, text: str, limit: int = 30) -> list[ArticleRow]:
        """Quick title search for "Go to article…"."""
        result = self.search(text, quick=True, limit=limit)
        return self.rows(list(result.rowids))


class _Once:
    """Calls ``tell`` the first time it is called, and never again."""

    def __init__(self, tell: Waiting | None):
        self._tell = tell

    def __call__(self) -> None:
        tell, self._tell = self._tell, None
        if tell is not None:
            tell()
