"""What the reader reads from the catalog and the user's files, off the UI thread.

Plain functions (no Textual) called by the workers of the screen and its panes: a
list for a search, the counts the tree and status bar show, the first screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..library.bookmarks import BookmarkStore, HistoryStore
from ..library.catalog import Catalog, SearchResult, SubjectCount
from ..library.query import parse_query
from ..library.state import Session, StateStore
from .state import ALL, BOOKMARKS, HISTORY, Scope

QUICK_LIMIT = 300  # rows a keystroke's search fetches: more than a screenful


@dataclass
class LibraryCounts:
    """What the subject tree and the status bar show of a library."""

    total: int
    skipped: int  # files skipped
    marked: set[str]  # bookmarked article keys
    notes: dict[str, str]  # the bookmarks' notes, by article key
    history: int
    subjects: list[SubjectCount]
    unreadable: int = 0  # folders that cannot be read (their articles kept)


@dataclass
class Opening:
    """What the first screen of a library shows, read in the loading worker."""

    counts: LibraryCounts
    session: Session
    scope: Scope
    result: SearchResult | None  # the first list; None for bookmarks and history
    article: int | None  # the rowid of the session's article, if it is still there


@dataclass(frozen=True)
class UserFiles:
    """The user's stores for one library, as the reader reads them."""

    library: str
    bookmarks: BookmarkStore
    history: HistoryStore


SORTS = ("relevance", "newest", "title")  # as the catalog sorts; the reader's "S" cycles


def search_result(
    catalog: Catalog, text: str, scope: Scope, full: bool, show_stubs: bool, sort: str = "relevance"
) -> SearchResult:
    """The list for ``text`` in ``scope``: every article when the query is empty; for
    a keystroke (not ``full``), titles only and a screenful or so. Sorted by ``sort``
    (a list with no query has no relevance: it is in title order then)."""
    if parse_query(text).is_empty:
        order = "title" if sort == "relevance" else sort
        rowids = catalog.list_rowids(scope.subject, show_stubs, sort=order, group=True)
        return SearchResult(rowids, articles=_articles_in(catalog, scope, show_stubs))
    return catalog.search(
        text,
        subject=scope.subject,
        include_stubs=show_stubs,
        quick=not full,
        limit=None if full else QUICK_LIMIT,  # the full search follows
        sort=sort,
        group=True,  # a question once, however many versions of it there are
    )


def _articles_in(catalog: Catalog, scope: Scope, show_stubs: bool) -> int:
    """How many articles a scope holds (its list has a row per question)."""
    if scope.subject is None:
        return catalog.count(show_stubs)
    return sum(s.count for s in catalog.subjects(show_stubs) if s.key == scope.subject)


def read_marks(user: UserFiles) -> tuple[set[str], dict[str, str], int]:
    """The bookmarked keys, the bookmarks' notes, and how many articles were opened."""
    bookmarks = user.bookmarks.all(user.library)
    notes = {b.key: b.note for b in bookmarks if b.note}
    return {b.key for b in bookmarks}, notes, len(user.history.all(user.library))


def read_counts(catalog: Catalog, user: UserFiles, show_stubs: bool) -> LibraryCounts:
    skipped, _ = catalog.problem_count()
    unreadable = catalog.unreadable_folders()
    marked, notes, history = read_marks(user)
    return LibraryCounts(
        total=catalog.count(show_stubs),
        skipped=max(0, skipped - unreadable),  # two reads: a refresh may come between
        unreadable=unreadable,
        marked=marked,
        notes=notes,
        history=history,
        subjects=catalog.subjects(show_stubs),
    )


def scope_from_session(session: Session, catalog: Catalog) -> Scope:
    if session.subject in ("bookmarks", "history"):
        return BOOKMARKS if session.subject == "bookmarks" else HISTORY
    if session.subject:
        name = catalog.subject_name(session.subject)
        if name:
            return Scope("subject", session.subject, name)
    return ALL


def read_opening(
    catalog: Catalog, user: UserFiles, state: StateStore, root: Path, show_stubs: bool
) -> Opening:
    """Everything the first screen of a library needs. The first list is fetched here
    too, while the app is still starting up. Also records the library as the last one
    used (a state file write)."""
    state.set_last_library(root)
    session = state.session(root)
    scope = scope_from_session(session, catalog)
    result = None
    if not scope.is_saved:
        result = search_result(catalog, session.query, scope, True, show_stubs)
    article = catalog.rowid_for_key(session.article) if session.article else None
    return Opening(read_counts(catalog, user, show_stubs), session, scope, result, article)
