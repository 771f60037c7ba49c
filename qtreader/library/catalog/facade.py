"""The Catalog: one library folder's catalog, its queries and refresh, over the modules
that do the work."""

from __future__ import annotations

import sqlite3
import threading
import time
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path

from .. import paths
from ..models import Article, ArticleRow, Problem, RelatedLink
from . import queries, search
from .indexing import Indexer
from .results import Progress, RefreshReport, SearchHit, SearchResult, SubjectCount
from .storage import Store


class Catalog:
    """One library folder's catalog. Safe to use from several threads.

    The catalog lives in the user cache dir, one file per library folder. It is
    queried, never loaded whole: lists hold row ids and page in the few rows they
    show; the full text of an article is read only when it is opened.
    """

    def __init__(self, root: Path, db_path: Path | None = None):
        self.root = Path(root).resolve()
        self.db_path = Path(db_path) if db_path else paths.catalog_path(self.root)
        self._store = Store(self.root, self.db_path)
        self._write_lock = threading.Lock()

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
        self, progress: Progress | None = None, workers: int | None = None
    ) -> RefreshReport:
        """Bring the catalog up to date with the folder: re-read only what changed."""

        def index(conn: sqlite3.Connection) -> RefreshReport:
            return Indexer(self.root, conn, progress, workers).run()

        started = time.perf_counter()
        with self._write_lock:
            if self._store.query("SELECT 1 FROM files LIMIT 1"):
                report = self._store.write_in_place(index)
            else:  # a first build
                report = self._store.build_apart(index)
        report.seconds = time.perf_counter() - started
        return report

    def count(self, include_stubs: bool = True) -> int:
        return queries.count(self._store, include_stubs)

    def subjects(self, include_stubs: bool = False) -> list[SubjectCount]:
        return queries.subjects(self._store, include_stubs)

    def subject_name(self, key: str) -> str | None:
        return queries.subject_name(self._store, key)

    def problems(self) -> list[Problem]:
        return queries.problems(self._store)

    def problem_count(self) -> tuple[int, int]:
        """(files skipped, files with warnings)."""
        return queries.problem_count(self._store)

    def list_rowids(self, subject: str | None = None, include_stubs: bool = False) -> array:
        """Every article (of a subject) in title order, as row ids."""
        return search.list_rowids(self._store, subject, include_stubs)

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
        with self._store.searching():
            return search.search(self._store, text, subject, include_stubs, quick, typing, limit)

    def hits(self, result: SearchResult, start: int = 0, count: int = 20) -> list[SearchHit]:
        """Rows with snippets for a slice of a search result."""
        return search.hits(self._store, result, start, count)

    def rows(self, rowids: Sequence[int]) -> list[ArticleRow]:
        """List rows for these ids, in the order given."""
        return queries.rows(self._store, rowids)

    def article(self, rowid: int) -> Article | None:
        """The whole article, with its related links and backlinks."""
        return queries.article(self._store, rowid)

    def rowid_for_key(self, key: str) -> int | None:
        return queries.rowid_for_key(self._store, key)

    def find(self, ref: str) -> int | None:
        """Resolve a reference typed by a user: a key or url, an id, a file path or a title."""
        return queries.find(self._store, ref)

    def answer_links(self, article: Article) -> list[RelatedLink]:
        """The links of an article's answer that point into the library, resolved."""
        return queries.answer_links(self._store, article)

    def find_by_id_title(self, id_: str, title: str) -> int | None:
        """A bookmark's article after its url changed: same id and title, else same title."""
        return queries.find_by_id_title(self._store, id_, title)

    def titles_matching(self, text: str, limit: int = 30) -> list[ArticleRow]:
        """Quick title search for "Go to article…"."""
        result = self.search(text, quick=True, limit=limit)
        return self.rows(list(result.rowids))
