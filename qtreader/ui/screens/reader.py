"""The reader screen: subject tree, search and article list, article view.

Widgets post messages; this screen handles them and calls the library layer.
Catalog work runs in thread workers so the UI never waits on disk.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Markdown, ProgressBar
from textual.worker import WorkerFailed, get_current_worker

from ...library.bookmarks import (
    Bookmark,
    BookmarkStore,
    HistoryStore,
    StoreReadOnly,
    resolve_entry,
)
from ...library.catalog import (
    Catalog,
    CatalogError,
    RefreshReport,
    SearchResult,
    SubjectCount,
)
from ...library.export import article_link, article_markdown
from ...library.links import LinkKind, classify_url
from ...library.models import Article, RelatedLink
from ...library.query import parse_query
from ...library.state import Session, StateStore
from ...library.text import clean_line
from ..widgets.article_list import ArticleList, CatalogRows, ListEntry, StaticRows
from ..widgets.article_view import ArticleView
from ..widgets.find_bar import FindBar
from ..widgets.link_item import LinkItem
from ..widgets.status_bar import StatusBar
from ..widgets.subject_tree import ALL, BOOKMARKS, HISTORY, Scope, SubjectTree
from .confirm import ConfirmScreen
from .note import NoteScreen

NARROW_WIDTH = 100  # below this, one pane at a time
PANES = ("subjects", "middle", "view")
WIDE_WIDTH = 130  # from this, all three panes


def words_pattern(words: list[str]) -> re.Pattern[str]:
    """Words as a search shows them: case-insensitive, each a prefix of a word."""
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


QUICK_DELAY = 0.08  # seconds after a keystroke before titles are searched
FULL_DELAY = 0.35  # seconds of pause before the full text is searched
T = TypeVar("T")


@dataclass
class _Removal:
    """A bookmark removed with "d", for "u": the bookmark is known once it is written."""

    key: str
    bookmark: Bookmark | None = None


QUICK_LIMIT = 300  # rows a keystroke's search fetches: more than a screenful
LIST_SHOWN_WAIT = 5.0  # seconds the refresh at launch waits for the first list at most


@dataclass
class Navigation:
    """Back and forward over every article opened, like a browser."""

    keys: list[str] = field(default_factory=list)
    index: int = -1

    def visit(self, key: str) -> None:
        if 0 <= self.index < len(self.keys) and self.keys[self.index] == key:
            return
        del self.keys[self.index + 1 :]
        self.keys.append(key)
        self.index = len(self.keys) - 1

    def back(self) -> str | None:
        if self.index > 0:
            self.index -= 1
            return self.keys[self.index]
        return None

    def forward(self) -> str | None:
        if self.index + 1 < len(self.keys):
            self.index += 1
            return self.keys[self.index]
        return None


@dataclass
class LibraryCounts:
    """What the subject tree and the status bar show of a library."""

    total: int
    skipped: int
    marked: set[str]  # bookmarked article keys
    history: int
    subjects: list[SubjectCount]


@dataclass
class Opening:
    """What the first screen of a library shows, read in the loading worker."""

    counts: LibraryCounts
    session: Session
    scope: Scope
    result: SearchResult | None  # the first list; None for bookmarks and history
    article: int | None  # the rowid of the session's article, if it is still there


class ReaderScreen(Screen[None]):
    # While the library loads, keys typed go to the search box. Textual's default would
    # focus the subject tree, which on a medium screen restyles the whole screen to show
    # it, and again when the list takes the focus.
    AUTO_FOCUS = "#search"
    BINDINGS = [
        # Priority: handled before the keys typed after it reach a widget, so
        # "/hash" typed quickly all lands in the search box.
        Binding("slash", "search", "Search", priority=True, id="reader.search"),
        Binding("left_square_bracket,alt+left", "back", "Back", key_display="[", id="reader.back"),
        Binding(
            "right_square_bracket,alt+right",
            "forward",
            "Forward",
            key_display="]",
            id="reader.forward",
        ),
        Binding("b", "toggle_bookmark", "Bookmark", id="reader.bookmark"),
        Binding("B", "show_bookmarks", "Bookmarks", id="reader.bookmarks"),
        Binding("H", "show_history", "History", show=False, id="reader.history"),
        Binding("d", "remove_bookmark", "Remove bookmark", id="reader.remove_bookmark"),
        Binding("u", "undo_remove", "Undo remove", id="reader.undo"),
        Binding("e", "edit_note", "Edit note", id="reader.edit_note"),
        Binding("escape", "escape", "Back to the list", show=False, id="reader.escape"),
        Binding("exclamation_mark", "problems", "Files skipped", show=False, id="reader.problems"),
        Binding("s", "focus_subjects", "Go to subjects", show=False, id="reader.subjects"),
        Binding("l", "focus_list", "Go to the list", show=False, id="reader.list"),
        Binding("ctrl+f", "find", "Find", id="reader.find"),
        Binding("dollar_sign", "toggle_math", "Math / LaTeX", show=False, id="reader.math"),
        Binding("o", "open_original", "Open page", show=False, id="reader.open_original"),
        Binding("y", "copy_link", "Copy link", show=False, id="reader.copy_link"),
        Binding("Y", "copy_answer", "Copy answer", show=False, id="reader.copy_answer"),
    ]

    class Loaded(Message):
        """The library is open and its first list is on its way to the screen."""

    def __init__(
        self,
        root: Path,
        show_stubs: bool = False,
        base_url: str | None = None,
        column_width: int = 88,
    ):
        super().__init__()
        self.base_url = base_url
        self.column_width = column_width
        self.show_math = True  # LaTeX shown as Unicode; "$" shows the raw source
        self.root = root
        self.library = str(root)
        self.show_stubs = show_stubs
        self.catalog: Catalog | None = None
        self.bookmarks = BookmarkStore()
        self.history = HistoryStore()
        self.state = StateStore()
        self.scope: Scope = ALL
        self.query_text = ""
        self.result: SearchResult | None = None
        self.nav = Navigation()
        self.article: Article | None = None
        self.removed: list = []  # bookmarks removed with "d", for undo
        # Bookmark changes run one at a time, in the order the keys were pressed, on a
        # thread of their own (they write and fsync a file).
        self._bookmark_writer = ThreadPoolExecutor(1, thread_name_prefix="qtreader-bookmarks")
        self._removing: set[str] = set()  # keys whose removal is being written
        self._search_generation = 0
        self._interrupting = threading.Lock()
        # Set once the first list is on screen (or the screen goes away): the refresh
        # at launch waits for it.
        self._list_shown = threading.Event()
        self._closing = False
        self._pane = "middle"  # the pane shown when they do not all fit
        self._quick_timer: Timer | None = None
        self._full_timer: Timer | None = None
        self._marked: set[str] = set()
        self._restoring: Session | None = None
        self._keep_rowid: int | None = None
        self.ready = False

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The layout classes before the panes are styled: set later, they restyle
        # every widget once more (tens of ms at launch).
        self._apply_width(self.app.size.width, update=False)
        with Horizontal(id="panes"):
            yield SubjectTree(id="subjects")
            with Vertical(id="middle"):
                yield Input(placeholder="Search  (/)", id="search", select_on_focus=False)
                yield Label("", id="count")
                yield ArticleList(id="list")
                with Vertical(id="loading"):
                    yield Label("Reading the library…", id="loading-label")
                    yield ProgressBar(id="progress", show_eta=False)
            yield ArticleView(id="view")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#status", StatusBar).show(self._library_name())
        self.query_one("#list", ArticleList).display = False
        self.query_one("#column").styles.max_width = self.column_width
        self._apply_width(self.app.size.width)
        self._report_messages(self.bookmarks.take_messages())
        self.load_library()

    def _library_name(self) -> str:
        return clean_line(self.root.name) or str(self.root)

    def on_resize(self) -> None:
        self._apply_width(self.app.size.width)

    def _apply_width(self, width: int, update: bool = True) -> None:
        narrow = width < NARROW_WIDTH
        # Too narrow for three panes: the subject tree shows only while it has focus.
        self._layout_classes(narrow, not narrow and width < WIDE_WIDTH, update)

    def _show_pane(self, pane: str) -> None:
        self._pane = pane
        self._layout_classes(self.has_class("narrow"), self.has_class("medium"))

    def _layout_classes(self, narrow: bool, medium: bool, update: bool = True) -> None:
        # A change of the screen's classes restyles every widget on it (77 ms with an
        # article open, measured on a slow machine), so they change in one go and only
        # where the styles use them: narrow screens show the focused pane alone, medium
        # ones tell only the subject tree apart (reader.tcss). Moving between the list
        # and the article, the commonest move, then restyles nothing on wider screens.
        shown = self._pane if narrow or (medium and self._pane == "subjects") else None
        classes = {f"show-{pane}": pane == shown for pane in PANES}
        self.update_classes({"narrow": narrow, "medium": medium, **classes}, update=update)

    def on_descendant_focus(self, event) -> None:
        widget = event.widget
        for pane in PANES:
            container = self.query_one(f"#{pane}")
            if widget is container or container in widget.ancestors:
                self._show_pane(pane)
                break

    # -- loading -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="index")
    def load_library(self) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if not worker.is_cancelled:
                self._on_ui(self._progress, done, total)

        try:
            catalog = Catalog(self.root)
            has_articles = catalog.count() > 0
            opening = self._read_opening(catalog) if has_articles else None
        except (CatalogError, sqlite3.Error, OSError) as exc:
            self._on_ui(self._load_failed, str(exc))
            return
        if opening is not None:
            # The catalog from last time is usable at once; what changed on disk
            # since then is read in the background and shown when it is ready.
            self._on_ui(self._loaded, catalog, opening)
            # The refresh stats every file (seconds at 150,000, holding the GIL much
            # of the time): started beside the first list's queries and paint, it made
            # them twice as slow. Bounded, so that a list that never shows cannot stop it.
            self._list_shown.wait(LIST_SHOWN_WAIT)
            if worker.is_cancelled or self._closing:
                return
        try:
            report = catalog.refresh(None if has_articles else progress)
            counts = None
            if not has_articles:
                opening = self._read_opening(catalog)
            elif not report.unchanged:
                counts = self._read_counts(catalog)
        except (CatalogError, sqlite3.Error, OSError) as exc:
            if has_articles:
                self._on_ui(
                    self.notify, f"The library could not be re-read: {exc}", severity="error"
                )
            else:
                self._on_ui(self._load_failed, str(exc))
            return
        if worker.is_cancelled:
            return
        if not has_articles:
            self._on_ui(self._loaded, catalog, opening)
        elif counts is not None:
            self._on_ui(self._refreshed, report, counts)

    def _read_counts(self, catalog: Catalog) -> LibraryCounts:
        """What the subject tree and the status bar show, read off the UI thread."""
        skipped, _ = catalog.problem_count()
        return LibraryCounts(
            total=catalog.count(self.show_stubs),
            skipped=skipped,
            marked=self.bookmarks.keys(self.library),
            history=len(self.history.all(self.library)),
            subjects=catalog.subjects(self.show_stubs),
        )

    def _read_opening(self, catalog: Catalog) -> Opening:
        """Everything the first screen of a library needs, read off the UI thread. The
        first list is fetched here too, while the app is still starting up. Also records
        the library as the last one used (a state file write)."""
        self.state.set_last_library(self.root)
        session = self.state.session(self.root)
        scope = self._scope_from_session(session, catalog)
        result = None
        if scope.kind not in ("bookmarks", "history"):
            result = self._catalog_result(catalog, session.query, scope, full=True)
        article = catalog.rowid_for_key(session.article) if session.article else None
        return Opening(self._read_counts(catalog), session, scope, result, article)

    def _refreshed(self, report: RefreshReport, counts: LibraryCounts) -> None:
        """The library changed on disk since the catalog was last brought up to date."""
        if self.catalog is None:
            return
        self._show_counts(counts)
        entry = self.query_one("#list", ArticleList).entry
        self._keep_rowid = entry.rowid if entry is not None else None
        self._run_search(full=True)
        self.notify(
            f"Library updated: {report.added:,} added, {report.changed:,} changed, "
            f"{report.removed:,} removed.",
            timeout=4,
        )

    def _show_counts(self, counts: LibraryCounts) -> None:
        self._marked = counts.marked
        self.query_one("#subjects", SubjectTree).fill(
            counts.total, len(counts.marked), counts.history, counts.subjects
        )
        self.query_one("#status", StatusBar).show(
            self._library_name(), counts.total, counts.skipped
        )

    def _progress(self, done: int, total: int) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        # After the last file the index is finished and saved: seconds on a large library.
        shown = (
            f"Read all {total:,} files; finishing the search index…"
            if total and done >= total
            else f"Reading the library: {done:,} of {total:,} files"
        )
        self.query_one("#loading-label", Label).update(shown)

    def _load_failed(self, reason: str) -> None:
        self.query_one("#loading-label", Label).update(
            f"The library could not be opened: {clean_line(reason)}"
        )
        self.notify(
            f"{reason}. Check that the cache folder is writable.",
            title="Cannot open the catalog",
            severity="error",
            timeout=15,
        )

    def _loaded(self, catalog: Catalog, opening: Opening) -> None:
        self.catalog = catalog
        self.ready = True
        self.post_message(self.Loaded())
        self.query_one("#loading").display = False
        self.query_one("#list", ArticleList).display = True
        self._show_counts(opening.counts)
        self._report_messages(self.state.take_messages())
        session = opening.session
        search = self.query_one("#search", Input)
        # Typed while the library was loading: kept, and searched for, instead of the
        # session's query.
        typed = search.has_focus and bool(search.value)
        self._restoring = None if typed else session
        self.scope = opening.scope
        self.query_one("#subjects", SubjectTree).select_scope(opening.scope)
        # The list shown below is the search: the searches scheduled by keystrokes
        # typed while loading, or by putting the saved query back, would follow it (a
        # quick one replacing it with titles only, then the full one again).
        self._stop_search_timers()
        if session.query and not typed:
            with search.prevent(Input.Changed):
                search.value = session.query
            self.query_text = session.query
        if opening.result is not None and not typed:
            self._search_generation += 1
            self._show_result(self._search_generation, opening.result, opening.scope, False)
        else:
            self._run_search(full=True)
        if opening.article is not None:
            self.open_rowid(opening.article, key=session.article, focus=False)
        if not typed:
            self.query_one("#list", ArticleList).focus()

    def _scope_from_session(self, session: Session, catalog: Catalog) -> Scope:
        if session.subject in ("bookmarks", "history"):
            return BOOKMARKS if session.subject == "bookmarks" else HISTORY
        if session.subject:
            name = catalog.subject_name(session.subject)
            if name:
                return Scope("subject", session.subject, name)
        return ALL

    def _report_messages(self, messages: list[str]) -> None:
        for message in messages:
            self.notify(message, title="Your data", severity="warning", timeout=20)

    # -- the list ------------------------------------------------------------

    @on(SubjectTree.Chosen)
    def _scope_chosen(self, event: SubjectTree.Chosen) -> None:
        self.scope = event.scope
        self._run_search(full=True)

    def _stop_search_timers(self) -> None:
        for timer in (self._quick_timer, self._full_timer):
            if timer is not None:
                timer.stop()

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._stop_search_timers()
        self._quick_timer = self.set_timer(QUICK_DELAY, lambda: self._run_search(full=False))
        self._full_timer = self.set_timer(FULL_DELAY, lambda: self._run_search(full=True))

    @on(Input.Submitted, "#search")
    def _query_submitted(self) -> None:
        self._stop_search_timers()  # a later debounced search must not replace this one
        self._run_search(full=True, open_first=True)

    def _run_search(self, full: bool, open_first: bool = False) -> None:
        if self.catalog is None:
            return
        self._search_generation += 1
        if self.scope.kind in ("bookmarks", "history"):
            self._load_saved(self._search_generation, self.scope, self.query_text, open_first)
            return
        self._search(self._search_generation, self.query_text, self.scope, full, open_first)

    @work(thread=True, exclusive=True, group="search")
    def _search(
        self, generation: int, text: str, scope: Scope, full: bool, open_first: bool
    ) -> None:
        catalog = self.catalog
        assert catalog is not None
        # Abort the searches still running for older keystrokes, unless this one is
        # older itself: its thread can start after a newer search has begun. The lock
        # makes "still the newest" and the abort one step: a newer search takes it
        # before it queries, and the UI thread counted it before starting it.
        with self._interrupting:
            if generation != self._search_generation:
                return
            catalog.interrupt_searches()
        try:
            result = self._catalog_result(catalog, text, scope, full)
        except sqlite3.OperationalError:
            return  # interrupted by a newer search
        if get_current_worker().is_cancelled:
            return
        self._on_ui(self._show_result, generation, result, scope, open_first)

    def _catalog_result(
        self, catalog: Catalog, text: str, scope: Scope, full: bool
    ) -> SearchResult:
        if parse_query(text).is_empty:
            return SearchResult(catalog.list_rowids(scope.subject, self.show_stubs))
        return catalog.search(
            text,
            subject=scope.subject,
            include_stubs=self.show_stubs,
            quick=not full,
            limit=None if full else QUICK_LIMIT,  # the full search follows
        )

    def _show_result(
        self, generation: int, result: SearchResult, scope: Scope, open_first: bool
    ) -> None:
        if generation != self._search_generation or self.catalog is None:
            return  # a newer search has started
        catalog = self.catalog
        self.result = result
        rows = CatalogRows(result.rowids, catalog.rows, lambda key: key in self._marked)
        article_list = self.query_one("#list", ArticleList)
        cursor = 0
        if self._restoring is not None:
            cursor = self._restoring.list_index
            self._restoring = None
        elif self._keep_rowid is not None:  # after a background refresh: stay put
            found = rows.index_of_rowid(self._keep_rowid)
            cursor = found if found is not None else 0
            self._keep_rowid = None
        elif self.article is not None and self.article.rowid is not None:
            found = rows.index_of_rowid(self.article.rowid)
            cursor = found if found is not None else 0
        article_list.set_source(rows, result.query.terms(), cursor, self._empty_message(scope))
        self.call_after_refresh(self._list_shown.set)
        total = catalog.count(self.show_stubs)
        where = f" in {scope.name}" if scope.kind == "subject" else ""
        label = f"{result.total:,} of {total:,}{where}"
        if not parse_query(self.query_text).is_empty:
            more = "+" if result.truncated else ""
            label = f"{result.total:,}{more} of {total:,} match{where}"
        self.query_one("#count", Label).update(label)
        if open_first and len(rows):
            entry = rows.get(0)
            if entry is not None and entry.rowid is not None:
                self.open_rowid(entry.rowid, key=entry.key)

    def _empty_message(self, scope: Scope) -> str:
        query = clean_line(self.query_text)
        if scope.kind == "subject":
            return (
                f"No articles in {scope.name} match '{query}'. "
                "Choose “All articles” to search every subject."
            )
        if query:
            return f"No articles match '{query}'."
        return "This library has no articles."

    @work(thread=True, exclusive=True, group="search")
    def _load_saved(
        self,
        generation: int,
        scope: Scope,
        text: str,
        open_first: bool = False,
        keep_cursor: bool = False,
    ) -> None:
        """The Bookmarks or History list, newest first: read (files, catalog) off the UI thread."""
        catalog = self.catalog
        assert catalog is not None
        query = text.casefold().strip()
        entries: list[ListEntry] = []
        if scope.kind == "bookmarks":
            for b in self.bookmarks.all(self.library):
                rowid = resolve_entry(catalog, b.key, b.url, b.id, b.title)
                entries.append(
                    ListEntry(b.key, b.title, b.subject, b.added[:10], rowid, marked=rowid is not None,
                              missing=rowid is None, note=b.note)
                )  # fmt: skip
            empty = "No bookmarks yet: press b on an article to keep it here."
        else:
            for h in self.history.all(self.library):
                rowid = catalog.rowid_for_key(h.key)
                entries.append(
                    ListEntry(h.key, h.title, h.subject, h.opened[:10], rowid,
                              marked=h.key in self._marked, missing=rowid is None)
                )  # fmt: skip
            empty = "No history yet: the articles you open are listed here."
        if query:
            entries = [e for e in entries if query in e.title.casefold()]
        self._on_ui(self._show_saved, generation, scope, entries, empty, open_first, keep_cursor)

    def _show_saved(
        self,
        generation: int,
        scope: Scope,
        entries: list[ListEntry],
        empty: str,
        open_first: bool,
        keep_cursor: bool,
    ) -> None:
        if generation != self._search_generation:
            return  # a newer search or list has started
        if scope.kind == "bookmarks":  # removals still being written stay hidden
            entries = [e for e in entries if e.key not in self._removing]
        article_list = self.query_one("#list", ArticleList)
        cursor = min(article_list.cursor, max(len(entries) - 1, 0)) if keep_cursor else 0
        if self._restoring is not None:
            cursor = self._restoring.list_index
            self._restoring = None
        article_list.set_source(StaticRows(entries), (), cursor, empty)
        self.call_after_refresh(self._list_shown.set)
        self.query_one("#count", Label).update(f"{len(entries):,} {scope.name.lower()}")
        if open_first and entries and entries[0].rowid is not None:
            self.open_rowid(entries[0].rowid, key=entries[0].key)

    @on(ArticleList.Opened)
    def _list_opened(self, event: ArticleList.Opened) -> None:
        if event.entry.rowid is None:
            self.notify(
                f"“{event.entry.title}” is no longer in this library. "
                "Its bookmark is kept; press d to remove it.",
                severity="warning",
            )
            return
        self.open_rowid(event.entry.rowid, key=event.entry.key)

    # -- opening articles ----------------------------------------------------

    def open_rowid(
        self, rowid: int, *, key: str | None = None, record: bool = True, focus: bool = True
    ) -> None:
        """Open an article. Back/forward history is updated now, not when the article is
        drawn, so "[" pressed while it is still being drawn goes back from it."""
        if record and self.catalog is not None:
            if key is None:
                rows = self.catalog.rows([rowid])
                key = rows[0].key if rows else None
            if key is not None:
                self.nav.visit(key)
        self._open(rowid, record, focus)

    @work(exclusive=True, group="open")
    async def _open(self, rowid: int, record: bool, focus: bool) -> None:
        catalog = self.catalog
        if catalog is None:
            return
        try:
            article = await self._fetch(rowid)
            if article is None:
                self.notify("That article is no longer in the library.", severity="warning")
                return
            links = await self._answer_links(article)
        except WorkerFailed as failed:
            # A damaged catalog file, or answers packed in a way this Python cannot
            # unpack: say so, keep what is shown.
            if isinstance(failed.error, CatalogError):  # it says what to do
                message = f"This article could not be read: {failed.error} ({catalog.db_path})."
            else:
                message = (
                    f"This article could not be read from the catalog: {failed.error}. The "
                    f"catalog is {catalog.db_path}; deleting it makes the reader rebuild it."
                )
            self.notify(message, severity="error", timeout=15)
            return
        self.article = article
        view = self.query_one("#view", ArticleView)
        # One layout of the screen for all of it: the view's parts, the list's
        # selection and the focus would otherwise each lay it out again (about 50 ms
        # a time with a long answer on a slow machine).
        with self.app.batch_update():
            await view.show(
                article,
                bookmarked=article.key in self._marked,
                answer_links=links,
                transform=self._math_transform(),
            )
            self._highlight_query_terms(view)
            self._follow_in_list(article)
            if focus:
                view.focus()
        if record:
            # After the article is painted: the history thread would slow the layout.
            self.call_after_refresh(self._record_history, article)

    async def _fetch(self, rowid: int) -> Article | None:
        catalog = self.catalog
        assert catalog is not None
        worker = self.run_worker(
            lambda: catalog.article(rowid), thread=True, group="fetch", exit_on_error=False
        )
        return await worker.wait()

    async def _answer_links(self, article: Article) -> list[RelatedLink]:
        catalog = self.catalog
        assert catalog is not None
        worker = self.run_worker(
            lambda: catalog.answer_links(article),
            thread=True,
            group="fetch",
            exit_on_error=False,
        )
        return await worker.wait()

    def _record_history(self, article: Article) -> None:
        # The history file is rewritten and fsynced: not on the UI thread.
        self.run_worker(
            partial(self.history.record, self.library, article), thread=True, group="history"
        )

    def _follow_in_list(self, article: Article) -> None:
        article_list = self.query_one("#list", ArticleList)
        source = article_list.source
        index = None
        if isinstance(source, CatalogRows) and article.rowid is not None:
            index = source.index_of_rowid(article.rowid)
        elif isinstance(source, StaticRows):
            index = source.index_of_key(article.key)
        if index is not None and index != article_list.cursor:
            article_list.cursor = index

    def open_key(self, key: str, record: bool = True) -> None:
        if self.catalog is None:
            return
        rowid = self.catalog.rowid_for_key(key)
        if rowid is None:
            self.notify("That article is not in this library.", severity="warning")
            return
        self.open_rowid(rowid, key=key, record=record)

    @on(LinkItem.Followed)
    def _link_followed(self, event: LinkItem.Followed) -> None:
        link = event.link
        if link.target_key is None:
            self.notify(
                f"“{link.label}” is not in this library.", title="Not followed", severity="warning"
            )
            return
        self.open_key(link.target_key)

    @on(Markdown.LinkClicked)
    def _answer_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.prevent_default()
        self.follow_href(event.href)

    def follow_href(self, href: str) -> None:
        kind = classify_url(href)
        shown = clean_line(href)
        if kind is LinkKind.REFUSED:
            self.notify(f"Links like {shown} are not opened.", title="Refused", severity="error")
            return
        if kind is LinkKind.WEB:

            def answered(yes: bool | None) -> None:
                if yes:
                    self.app.open_url(href)

            self.app.push_screen(
                ConfirmScreen(f"Open this page in your browser?\n\n{shown}", "Open"), answered
            )
            return
        rowid = self.catalog.find(href) if self.catalog else None
        if rowid is None:
            self.notify(f"{shown} is not in this library.", severity="warning")
            return
        self.open_rowid(rowid)

    @on(ArticleView.ShowMore)
    async def _show_more(self) -> None:
        await self.query_one("#view", ArticleView).show_more()

    def _math_transform(self):
        if not self.show_math:
            return None
        from ...library.mathtext import has_math, render_math

        return lambda text: render_math(text) if has_math(text) else text

    def _highlight_query_terms(self, view: ArticleView) -> None:
        """An article opened from a search shows the query's words highlighted."""
        terms = parse_query(self.query_text).terms() if self.scope.kind != "bookmarks" else []
        if (
            self.query_one("#find", FindBar).display
            and self.query_one("#find", FindBar).input.value
        ):
            self._find(self.query_one("#find", FindBar).input.value, jump=False)
        elif terms:
            view.highlight(words_pattern(terms), jump=False)

    # -- find in article ---------------------------------------------------------

    def action_find(self) -> None:
        if self.article is None:
            self.notify("Open an article to find words in it.", timeout=3)
            return
        self._show_pane("view")
        self.query_one("#find", FindBar).open()

    @on(FindBar.Changed)
    def _find_changed(self, event: FindBar.Changed) -> None:
        self._find(event.text)

    def _find(self, text: str, jump: bool = True) -> None:
        view = self.query_one("#view", ArticleView)
        words = text.split()
        pattern = (
            re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
        )
        total = view.highlight(pattern, jump=jump)
        self.query_one("#find", FindBar).show_count(0, total, text)

    @on(FindBar.Step)
    @on(ArticleView.Step)
    def _find_step(self, event: FindBar.Step | ArticleView.Step) -> None:
        view = self.query_one("#view", ArticleView)
        index, total = view.step(event.delta)
        bar = self.query_one("#find", FindBar)
        bar.show_count(index, total, bar.input.value or "…")

    @on(FindBar.Closed)
    def _find_closed(self) -> None:
        self.set_focus(self.query_one("#view", ArticleView))

    # -- math, open, copy ----------------------------------------------------------

    def action_toggle_math(self) -> None:
        self.show_math = not self.show_math
        self.notify(
            "Math shown as Unicode." if self.show_math else "Math shown as LaTeX source.",
            timeout=2,
        )
        if self.article is not None and self.article.rowid is not None:
            self.open_rowid(self.article.rowid, record=False, focus=False)

    def action_open_original(self) -> None:
        if self.article is None:
            return
        if not self.base_url:
            self.notify(
                "Set base_url in the settings file (qtreader config path) to open articles' "
                "original pages.",
                title="No base URL",
                severity="warning",
                timeout=8,
            )
            return
        if not self.article.url:
            self.notify("This article has no url.", severity="warning")
            return
        self.follow_href(article_link(self.article, self.base_url))

    def action_copy_link(self) -> None:
        if self.article is not None:
            self.app.copy_to_clipboard(article_link(self.article, self.base_url))
            self.notify("Link copied.", timeout=2)

    def action_copy_answer(self) -> None:
        if self.article is not None:
            self.app.copy_to_clipboard(article_markdown(self.article))
            self.notify("Article copied as Markdown.", timeout=2)

    # -- actions ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search" and isinstance(self.app.focused, Input):
            return False  # "/" is typed into a text field
        if action in ("find", "copy_link", "copy_answer", "open_original", "toggle_math"):
            return self.article is not None
        if action in ("remove_bookmark", "edit_note", "undo_remove"):
            if self.scope.kind != "bookmarks":
                return False
            if action == "undo_remove":
                return bool(self.removed)
        return True

    # Focus moves with set_focus, at once: Widget.focus() is deferred, and keys
    # typed right after "/" would go to the widget that had the focus before.
    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        self.set_focus(search)
        # As an address bar: typing starts a new search (a query restored from the
        # last session included), an arrow key keeps the old one to refine it.
        search.select_all()

    def action_focus_subjects(self) -> None:
        self.set_focus(self.query_one("#subjects", SubjectTree))

    def action_focus_list(self) -> None:
        self.set_focus(self.query_one("#list", ArticleList))

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search and search.value:
            search.value = ""
        self.action_focus_list()

    def action_back(self) -> None:
        key = self.nav.back()
        if key is None:
            self.notify("This is the first article you opened.", timeout=2)
            return
        self.open_key(key, record=False)

    def action_forward(self) -> None:
        key = self.nav.forward()
        if key is None:
            self.notify("There is nothing to go forward to.", timeout=2)
            return
        self.open_key(key, record=False)

    def _target_article_key(self) -> tuple[str, Article | None] | None:
        """The article b acts on: the open one when the view has focus, else the selected row."""
        article_list = self.query_one("#list", ArticleList)
        view = self.query_one("#view", ArticleView)
        in_view = self.focused is not None and (
            self.focused is view or view in self.focused.ancestors
        )
        if in_view and self.article is not None:
            return self.article.key, self.article
        entry = article_list.entry
        if article_list.has_focus and entry is not None and entry.rowid is not None:
            if self.article is not None and self.article.key == entry.key:
                return entry.key, self.article
            return entry.key, None
        if self.article is not None:
            return self.article.key, self.article
        return None

    def action_toggle_bookmark(self) -> None:
        if self.catalog is None:
            return
        target = self._target_article_key()
        if target is None:
            self.notify("Open or select an article to bookmark it.")
            return
        key, article = target
        catalog = self.catalog

        def toggle() -> tuple[bool, str] | None:
            found = article
            if found is None:
                rowid = catalog.rowid_for_key(key)
                found = catalog.article(rowid) if rowid is not None else None
            if found is None:
                return None
            return self.bookmarks.toggle(self.library, found), found.title

        def done(outcome: tuple[bool, str] | None) -> None:
            if outcome is not None:
                marked, title = outcome
                self.notify(("Bookmarked: " if marked else "Bookmark removed: ") + title, timeout=3)

        self._change_bookmarks(toggle, done, "Bookmark not saved")

    def _change_bookmarks(
        self, change: Callable[[], T], done: Callable[[T], None], failure: str
    ) -> None:
        """Run ``change`` (which writes and fsyncs the bookmarks file) off the UI thread,
        after every change asked before it, then ``done`` with its result on the UI thread."""

        def run() -> None:
            try:
                result = change()
                marked = self.bookmarks.keys(self.library)
                history = len(self.history.all(self.library))
            except (StoreReadOnly, OSError) as exc:
                self._on_ui(
                    partial(self.notify, str(exc), title=failure, severity="error", timeout=10)
                )
                return

            def finish() -> None:
                self._after_bookmarks_changed(marked, history)
                done(result)

            self._on_ui(finish)

        future = self._bookmark_writer.submit(run)
        # A worker that waits for it, so that the app knows a change is under way.
        self.run_worker(future.result, thread=True, group="bookmarks")

    def _on_ui(self, callback: Callable[..., object], *args: object, **kwargs: object) -> None:
        """Run ``callback`` on the UI thread from a worker, unless the reader has gone
        meanwhile: the app has stopped, or is closing this screen (Textual marks it
        pruned, then removes its widgets, which the callback would look for). A change
        written while quitting is kept; there is nothing left to show it on."""

        def run() -> None:
            if not (self._pruning or self._closing):
                callback(*args, **kwargs)

        try:
            self.app.call_from_thread(run)
        except RuntimeError:
            pass  # the app has stopped

    def _after_bookmarks_changed(self, marked: set[str], history_count: int) -> None:
        self._marked = marked
        self._report_messages(self.bookmarks.take_messages())
        if self.article is not None:
            self.query_one("#view", ArticleView).set_bookmarked(self.article.key in self._marked)
        self.query_one("#subjects", SubjectTree).update_counts(len(marked), history_count)
        if self.scope.kind == "bookmarks":
            self._search_generation += 1
            self._load_saved(self._search_generation, self.scope, self.query_text, keep_cursor=True)
        else:
            self.query_one("#list", ArticleList).redraw()
        self.refresh_bindings()

    def action_show_bookmarks(self) -> None:
        self.query_one("#subjects", SubjectTree).select_scope(BOOKMARKS)
        self.scope = BOOKMARKS
        self._run_search(full=True)
        self.query_one("#list", ArticleList).focus()

    def action_show_history(self) -> None:
        self.query_one("#subjects", SubjectTree).select_scope(HISTORY)
        self.scope = HISTORY
        self._run_search(full=True)
        self.query_one("#list", ArticleList).focus()

    def action_remove_bookmark(self) -> None:
        article_list = self.query_one("#list", ArticleList)
        entry = article_list.entry
        if entry is None or entry.key in self._removing:
            return
        key = entry.key
        removal = _Removal(key)
        self.removed.append(removal)  # "u" may come before the file is written
        self._removing.add(key)
        source = article_list.source
        if isinstance(source, StaticRows):
            # Gone from the list at once, so that the next key acts on the next row.
            rows = [e for e in source.entries if e.key != key]
            cursor = min(article_list.cursor, max(len(rows) - 1, 0))
            article_list.set_source(StaticRows(rows), (), cursor, article_list.empty_message)

        def remove() -> Bookmark | None:
            removal.bookmark = self.bookmarks.remove(self.library, key)
            return removal.bookmark

        def done(removed: Bookmark | None) -> None:
            self._removing.discard(key)
            if removed is not None:
                self.notify(f"Removed “{removed.title}”. Press u to undo.", timeout=5)
            elif removal in self.removed:
                self.removed.remove(removal)
            self.refresh_bindings()

        self._change_bookmarks(remove, done, "Bookmark not removed")
        self.refresh_bindings()

    def action_undo_remove(self) -> None:
        if not self.removed:
            return
        removal = self.removed.pop()

        def restore() -> Bookmark | None:
            # Runs after the removal (changes run in order), which has set the bookmark.
            if removal.bookmark is None:
                return None
            return self.bookmarks.add(removal.bookmark)

        def done(restored: Bookmark | None) -> None:
            if restored is not None:
                self.notify(f"Restored “{restored.title}”.", timeout=3)

        self._change_bookmarks(restore, done, "Bookmark not restored")
        self.refresh_bindings()

    def action_edit_note(self) -> None:
        entry = self.query_one("#list", ArticleList).entry
        if entry is None:
            return

        def save(note: str | None) -> None:
            if note is None:
                return

            def done(_: object) -> None:
                if entry.key in self._marked:
                    self.notify("Note saved.", timeout=2)
                else:
                    self.notify("That bookmark is gone; the note was not saved.", timeout=5)

            self._change_bookmarks(
                partial(self.bookmarks.set_note, self.library, entry.key, note),
                done,
                "Note not saved",
            )

        self.app.push_screen(NoteScreen(entry.title, entry.note), save)

    def action_problems(self) -> None:
        if self.catalog is None:
            return
        from .problems import ProblemsScreen

        self.app.push_screen(ProblemsScreen(self.catalog.problems()))

    # -- session -------------------------------------------------------------

    def current_session(self) -> Session:
        subject = self.scope.subject if self.scope.kind == "subject" else None
        if self.scope.kind in ("bookmarks", "history"):
            subject = self.scope.kind
        return Session(
            subject=subject,
            query=self.query_text,
            article=self.article.key if self.article else None,
            list_index=self.query_one("#list", ArticleList).cursor,
        )

    def save_session(self) -> None:
        if self.ready:
            self.state.save_session(self.root, self.current_session())

    def on_unmount(self) -> None:
        # Bookmark changes already asked for are still written: the writer's thread is
        # joined when Python exits. Not waited for here, on the UI thread, which the
        # changes need to show their results (that wait hung the quit).
        self._bookmark_writer.shutdown(wait=False)
        self._closing = True
        self._list_shown.set()  # a refresh waiting for the first list: not needed now
        if self.catalog is not None:
            self.catalog.close()

    # For the command palette.
    def goto_subject(self, scope: Scope) -> None:
        self.query_one("#subjects", SubjectTree).select_scope(scope)
        self.scope = scope
        self._run_search(full=True)
        self.query_one("#list", ArticleList).focus()
