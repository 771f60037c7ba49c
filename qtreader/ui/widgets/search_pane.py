"""The middle pane: search box, count line and article list; it runs the searches.

Each keystroke searches titles at once, and the full text when typing pauses;
searches and the Bookmarks and History lists are read in thread workers,
which report with messages. Only the newest search's result is shown.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, ProgressBar
from textual.worker import get_current_worker

from ...library.bookmarks import resolve_entry
from ...library.catalog import Catalog, CatalogError, SearchResult
from ...library.dates import list_date
from ...library.models import Article
from ...library.query import parse_query
from ...library.text import clean_line, counted
from ..reading import SORTS, UserFiles, search_result
from ..state import ALL, Scope, SearchGenerations
from .article_list import ArticleList, CatalogRows, ListEntry, StaticRows

_PLACEHOLDERS = {
    "all": "Search  (/)",
    "subject": "Search  (/)",
    "bookmarks": "Filter bookmarks  (/)",
    "history": "Filter recently opened  (/)",
}


# Under a first build's progress bar.
BUILD_HINT = "q quits (the next launch resumes).\n/ types a search ahead."
_SORT_NAMES = {"relevance": "best matches first", "newest": "newest first", "title": "by title"}


def _slot(scope: Scope) -> str:
    """Whose text the search box holds: the catalog's search, or a saved view's filter."""
    return scope.kind if scope.is_saved else "search"


def _matches(entry: ListEntry, words: list[str]) -> bool:
    text = f"{entry.title} {entry.subject} {entry.note}".casefold()
    return all(word in text for word in words)


# Seconds after a keystroke before titles are searched: none, the quick search runs at
# once (a few ms; a newer keystroke's search interrupts it and its result is dropped).
QUICK_DELAY = 0.0
FULL_DELAY = 0.35  # seconds of pause before the full text is searched
# A keystroke's echo in the box waits for the titles it finds (a few ms), at most this
# long, so that both are drawn in one paint: two paints a key were most of the time
# from a key to the changed list (RESULTS.md, "Felt latency").
HOLD_SECONDS = 0.04


class SearchBox(Input):
    """The search box. Its editing keys (Ctrl+U, Ctrl+W, Home, …) act at once, in
    order with the characters typed after them. As Input's bindings they ran only once
    the key had travelled up to the app, after the characters that followed it: "/",
    Ctrl+U and "enzyme" typed quickly left an empty box."""

    async def on_key(self, event: events.Key) -> None:
        if event.is_printable:
            return
        for binding in self._editing_bindings():
            if event.key in binding.key.split(","):
                event.stop()
                event.prevent_default()
                await self.run_action(binding.action)
                return

    @classmethod
    def _editing_bindings(cls) -> list[Binding]:
        return [b for b in Input.BINDINGS if isinstance(b, Binding)]

    # Input sets its scrollable width to its text's at every keystroke, and that size
    # is a reactive that lays the whole screen out again: most keys of a search paid a
    # layout for it (measured: a layout a key, ~25 ms at 150,000 articles). Rounded up
    # to a step, the width changes once every STEP characters instead; the box scrolls
    # to its cursor as before (a wider scrollable width is never scrolled into).
    VIRTUAL_STEP = 64

    def validate_virtual_size(self, size: Size) -> Size:
        step = self.VIRTUAL_STEP
        return Size(-(-size.width // step) * step, size.height)


class SearchPane(Vertical):
    """Search box, count line and list; the library's loading progress until it opens."""

    BINDINGS = [
        Binding("ctrl+y", "accept_suggestion", "Did you mean…", show=False, id="search.suggestion"),
    ]

    class OpenFirst(Message):
        """Enter in the search box: open the first article of the list."""

        def __init__(self, entry: ListEntry):
            self.entry = entry
            super().__init__()

    class ListShown(Message):
        """A list is on screen (posted after the refresh that drew it)."""

    class Failed(Message):
        """The catalog could not give a list: the count line says why; the screen
        rebuilds a damaged catalog."""

        def __init__(self, generation: int, error: CatalogError):
            self.generation, self.error = generation, error
            super().__init__()

    class _Found(Message):
        def __init__(
            self,
            generation: int,
            result: SearchResult,
            scope: Scope,
            open_first: bool,
            suggestion: str | None = None,
        ):
            self.generation, self.result, self.scope = generation, result, scope
            self.open_first, self.suggestion = open_first, suggestion
            super().__init__()

    class _Saved(Message):
        def __init__(
            self,
            generation: int,
            scope: Scope,
            entries: list[ListEntry],
            open_first: bool,
            keep_cursor: bool,
        ):
            self.generation, self.scope, self.entries = generation, scope, entries
            self.open_first, self.keep_cursor = open_first, keep_cursor
            super().__init__()

    def __init__(
        self,
        user: UserFiles,
        *,
        show_stubs: bool,
        is_marked: Callable[[str], bool],
        hidden: Callable[[str], bool],
        is_read: Callable[[str], bool | None] = lambda key: None,
        unread: Callable[[array], array] | None = None,
        date_format: str = "YYYY-MM-DD",
        id: str | None = None,
    ):
        super().__init__(id=id)
        self.user = user
        self.show_stubs = show_stubs
        self.is_marked = is_marked  # whether a key is bookmarked (the row's star)
        self.is_read = is_read  # whether a key is read (None: no read marks at all)
        self.unread = unread  # the unread of some rows (for the Unread view, "hide read")
        self.hide_read = False  # read articles left out of every list ("U")
        self.hidden = hidden  # bookmarks being removed, not listed meanwhile
        self.date_format = date_format  # the list's one format for dates
        self.catalog: Catalog | None = None
        self.scope: Scope = ALL
        self.query_text = ""
        self.result: SearchResult | None = None
        self.generations = SearchGenerations()
        self.article_rowid: int | None = None  # the open article: the list follows it
        self.restore_cursor: int | None = None  # a session's list position, for the next list
        self.keep_rowid: int | None = None  # after a background refresh: stay on this row
        self._quick_timer: Timer | None = None
        self._hold: ExitStack | None = None  # the screen's updates held for a result
        self._hold_timer: Timer | None = None
        self._texts: dict[str, str] = {}  # the search, and each saved view's filter
        self.sort = "relevance"  # or "newest", "title" ("S" cycles)
        self.suggestion: str | None = None  # for a search that found nothing
        # Made here, so that they can be reached before the pane is mounted and after
        # it is removed (as the reader closes).
        self._search_box = SearchBox(placeholder="Search  (/)", id="search", select_on_focus=False)
        self._article_list = ArticleList(id="list")
        self._article_list.unread = unread
        self._full_timer: Timer | None = None
        self.building = False  # a first build's progress was shown

    def compose(self) -> ComposeResult:
        yield self._search_box
        yield Label("", id="count")
        yield self._article_list
        with Vertical(id="loading"):
            yield Label("Reading the library…", id="loading-label")
            yield ProgressBar(id="progress", show_eta=False)
            yield Label(BUILD_HINT, id="loading-hint")

    def on_mount(self) -> None:
        self.article_list.display = False
        self.query_one("#loading-hint", Label).display = False

    @property
    def article_list(self) -> ArticleList:
        return self._article_list

    @property
    def search_box(self) -> Input:
        return self._search_box

    # -- while the library loads -----------------------------------------------

    def show_progress(self, done: int, total: int) -> None:
        """A first build's progress. At its first news the empty search box lets go of
        the focus: the keys go to the screen (q quits, as it was typed into the box),
        and / still types a search ahead, run when the library is open."""
        if not self.building and self.search_box.has_focus and not self.search_box.value:
            self.screen.set_focus(None)
        self.building = True
        self.query_one("#loading-hint", Label).display = True
        self.query_one("#progress", ProgressBar).update(total=max(total, 1), progress=done)
        # After the last file the index is finished and saved: seconds on a large library.
        shown = (
            "Listing the library's files…"
            if not total
            else f"Read all {counted(total, 'file')}; finishing the search index…"
            if done >= total
            else f"Reading the library: {done:,} of {counted(total, 'file')}"
        )
        self.query_one("#loading-label", Label).update(shown)

    def show_load_failed(self, reason: str) -> None:
        """Where the list would be, and in a message: the catalog cannot be opened."""
        self.query_one("#loading-label", Label).update(
            f"The library could not be opened: {clean_line(reason)}"
        )
        self.notify(
            f"{reason}. Check that the cache folder is writable.",
            title="Cannot open the catalog",
            severity="error",
            timeout=15,
        )

    def open_library(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.query_one("#loading").display = False
        self.article_list.display = True

    # -- searching ---------------------------------------------------------------

    def stop_timers(self) -> None:
        for timer in (self._quick_timer, self._full_timer):
            if timer is not None:
                timer.stop()

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self.stop_timers()
        self._full_timer = self.set_timer(FULL_DELAY, lambda: self.run_search(full=True))
        if QUICK_DELAY > 0:
            self._quick_timer = self.set_timer(QUICK_DELAY, lambda: self.run_search(full=False))
        else:
            self._hold_paint()
            self.run_search(full=False)

    def _hold_paint(self) -> None:
        """Hold the screen's updates until the quick search's result is shown (or
        HOLD_SECONDS pass): the echo and the list are then drawn in one paint."""
        if self._hold is None and self.catalog is not None and not self.scope.is_saved:
            self._hold = ExitStack()
            self._hold.enter_context(self.app.batch_update())
            self._hold_timer = self.set_timer(HOLD_SECONDS, self._release_paint)

    def _release_paint(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        if self._hold is not None:
            hold, self._hold = self._hold, None
            hold.close()

    def on_unmount(self) -> None:
        self._release_paint()

    @on(Input.Submitted, "#search")
    def _query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.stop_timers()  # a later debounced search must not replace this one
        self.run_search(full=True, open_first=True)

    def set_query(self, text: str) -> None:
        """Put a saved query back in the box, without the searches a keystroke schedules."""
        with self.search_box.prevent(Input.Changed):
            self.search_box.value = text
        self.query_text = text

    def restore(
        self, scope: Scope, query: str, list_index: int, result: SearchResult | None
    ) -> bool:
        """The library is open: show a session's list (``result``, read while the app
        started), or search for words typed while it loaded, kept instead of the
        session's query. Returns whether words were typed (or / pressed during a first
        build: the box keeps the focus for the words that follow)."""
        typed = self.search_box.has_focus and bool(self.search_box.value or self.building)
        self.restore_cursor = None if typed else list_index
        self.scope = scope
        self.search_box.placeholder = _PLACEHOLDERS.get(scope.kind, _PLACEHOLDERS["all"])
        # The list shown below is the search: the searches scheduled by keystrokes
        # typed while loading, or by putting the saved query back, would follow it (a
        # quick one replacing it with titles only, then the full one again).
        self.stop_timers()
        if query and not typed:
            self.set_query(query)
        if result is not None and not typed:
            self.show_result(self.generations.start(), result, scope)
        else:
            self.run_search(full=True)
        return typed

    def show_scope(self, scope: Scope) -> None:
        """Show another list. Bookmarks and Recently opened each keep a filter of their
        own, and the catalog's lists the search: a search never empties those views."""
        if _slot(scope) != _slot(self.scope):
            self._texts[_slot(self.scope)] = self.query_text
            self.stop_timers()
            self.set_query(self._texts.get(_slot(scope), ""))
        self.scope = scope
        self.search_box.placeholder = _PLACEHOLDERS.get(scope.kind, _PLACEHOLDERS["all"])
        self.run_search(full=True)

    def run_search(self, full: bool, open_first: bool = False) -> None:
        if self.catalog is None:
            return
        generation = self.generations.start()
        if self.scope.is_saved:
            self._load_saved(generation, self.scope, self.query_text, open_first, False)
        else:
            self._search(generation, self.query_text, self.scope, full, open_first)

    def reload_saved(self) -> None:
        """The Bookmarks or History list read again (after a change), keeping the cursor."""
        if self.catalog is not None and self.scope.is_saved:
            generation = self.generations.start()
            self._load_saved(generation, self.scope, self.query_text, False, True)

    @work(thread=True, exclusive=True, group="search")
    def _search(
        self, generation: int, text: str, scope: Scope, full: bool, open_first: bool
    ) -> None:
        catalog = self.catalog
        assert catalog is not None
        if not self.generations.interrupt_older(generation, catalog.interrupt_searches):
            return
        try:
            result = search_result(catalog, text, scope, full, self.show_stubs, self.sort)
            if (scope.kind == "unread" or self.hide_read) and self.unread is not None:
                rowids = self.unread(result.rowids)
                result = replace(result, rowids=rowids, articles=len(rowids))
            # Nothing found for a typo: the library's own words say what was meant.
            suggestion = catalog.suggest(text) if full and not result.total else None
        except sqlite3.OperationalError:
            return  # interrupted by a newer search
        except CatalogError as exc:  # a query SQLite refuses, a damaged catalog
            self.post_message(self.Failed(generation, exc))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self._Found(generation, result, scope, open_first, suggestion))

    def show_result(
        self, generation: int, result: SearchResult, scope: Scope, suggestion: str | None = None
    ) -> None:
        """Show a search's rows, unless a newer search has started."""
        if not self.generations.is_current(generation) or self.catalog is None:
            return
        self.suggestion = suggestion
        catalog = self.catalog
        self.result = result
        rows = CatalogRows(
            result.rowids, catalog.rows, self.is_marked, self.date_format, self.is_read
        )
        cursor = 0
        if self.restore_cursor is not None:
            cursor, self.restore_cursor = self.restore_cursor, None
        elif self.keep_rowid is not None:  # after a background refresh: stay put
            cursor = rows.index_of_rowid(self.keep_rowid) or 0
            self.keep_rowid = None
        elif self.article_rowid is not None:
            cursor = rows.index_of_rowid(self.article_rowid) or 0
        self.article_list.set_source(rows, result.query.terms(), cursor, self._empty_message(scope))
        self._shown()
        label = self._count_label(result, scope, catalog.count(self.show_stubs))
        if result.query.warning:  # a query past the limits: said, not silently cut
            label += f" · {result.query.warning}"
        if self.sort != "relevance":  # the default order goes without saying
            label += f" · {_SORT_NAMES[self._list_sort()]}"
        if self.hide_read and scope.kind != "unread":
            label += " · unread only"
        self._count(label)

    def _count_label(self, result: SearchResult, scope: Scope, total: int) -> str:
        """ "12 of 74 match", or when a question has versions, what each number counts:
        "12 questions match (15 articles)", "70 questions, 74 articles in Biology"."""
        where = f" in {scope.name}" if scope.kind in ("subject", "unread") else ""
        more = "+" if result.truncated else ""
        found = f"{result.total:,}{more}"
        searched = not parse_query(self.query_text).is_empty
        if result.articles != result.total:
            questions = f"{found} {'question' if result.total == 1 else 'questions'}"
            articles = counted(result.articles, "article")
            if searched:
                return f"{questions} match ({articles}){where}"
            return f"{questions}, {articles}{where}"
        return f"{found} of {total:,} match{where}" if searched else f"{found} of {total:,}{where}"

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self._release_paint()
        if self.generations.is_current(message.generation):
            self._count(clean_line(str(message.error)))

    @on(_Found)
    def _found(self, message: _Found) -> None:
        self.show_result(message.generation, message.result, message.scope, message.suggestion)
        if self.generations.is_current(message.generation):
            self._release_paint()  # the list is shown: the held echo is drawn with it
        if message.open_first and self.generations.is_current(message.generation):
            self._open_first()

    def _count(self, text: str) -> None:
        """The count line, drawn again without a layout of the screen (its size is
        fixed): at each keystroke, a layout was most of the time to the new list."""
        self.query_one("#count", Label).update(text, layout=False)

    def _shown(self) -> None:
        self.call_after_refresh(self.post_message, self.ListShown())

    def _open_first(self) -> None:
        entry = self.article_list.source.get(0)
        if entry is not None and entry.rowid is not None:
            self.post_message(self.OpenFirst(entry))

    def _empty_message(self, scope: Scope) -> str:
        query = clean_line(self.query_text)
        if scope.kind == "subject":
            return (
                f"No articles in {scope.name} match '{query}'. "
                "Choose “All articles” to search every subject."
            )
        if scope.kind == "unread":
            return f"No unread articles match '{query}'." if query else "You have read them all."
        if query and self.suggestion:
            # The suggestion first: a narrow list cuts the line's end.
            return (
                f"Did you mean “{clean_line(self.suggestion)}”? Ctrl+Y searches for it. "
                f"(No articles match '{query}'.)"
            )
        if query:
            return f"No articles match '{query}'."
        return "This library has no articles."

    def action_accept_suggestion(self) -> None:
        """Search for what the library suggests instead of a query that found nothing."""
        if self.suggestion and not self.scope.is_saved:
            suggestion, self.suggestion = self.suggestion, None
            self.set_query(suggestion)
            self.run_search(full=True)

    def next_sort(self) -> str:
        """Sort by the next of relevance, newest and title; returns its name."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.run_search(full=True)
        return _SORT_NAMES[self._list_sort()]

    def _list_sort(self) -> str:
        """The order the list is in: a list with no query has no relevance order."""
        if self.sort == "relevance" and parse_query(self.query_text).is_empty:
            return "title"
        return self.sort

    # -- bookmarks and history -------------------------------------------------------

    @work(thread=True, exclusive=True, group="search")
    def _load_saved(
        self, generation: int, scope: Scope, text: str, open_first: bool, keep_cursor: bool
    ) -> None:
        """The Bookmarks or History list, newest first: read (files, catalog) off the UI thread."""
        try:
            entries = self._saved_entries(scope)
        except CatalogError as exc:
            self.post_message(self.Failed(generation, exc))
            return
        words = text.casefold().split()
        if words:  # every word, in the title, the subject or the note
            entries = [e for e in entries if _matches(e, words)]
        self.post_message(self._Saved(generation, scope, entries, open_first, keep_cursor))

    def _saved_entries(self, scope: Scope) -> list[ListEntry]:
        catalog = self.catalog
        assert catalog is not None
        user = self.user
        entries: list[ListEntry] = []
        if scope.kind == "bookmarks":
            for b in user.bookmarks.all(user.library):
                rowid = resolve_entry(catalog, b.key, b.url, b.id, b.title)
                entries.append(
                    ListEntry(b.key, b.title, b.subject, list_date(b.added[:10], self.date_format), rowid, marked=rowid is not None,
                              missing=rowid is None, note=b.note)
                )  # fmt: skip
        else:
            for h in user.history.all(user.library):
                rowid = catalog.rowid_for_key(h.key)
                entries.append(
                    ListEntry(h.key, h.title, h.subject, list_date(h.opened[:10], self.date_format), rowid,
                              marked=self.is_marked(h.key), missing=rowid is None)
                )  # fmt: skip
        return entries

    @on(_Saved)
    def _saved(self, message: _Saved) -> None:
        if not self.generations.is_current(message.generation):
            return  # a newer search or list has started
        scope, entries = message.scope, message.entries
        filtered = bool(self.query_text.strip())
        if scope.kind == "bookmarks":  # removals still being written stay hidden
            entries = [e for e in entries if not self.hidden(e.key)]
            empty = "No bookmarks yet: press b on an article to keep it here."
            label = counted(len(entries), "bookmark")
        else:
            empty = "Nothing opened yet: the articles you open are listed here."
            label = f"{counted(len(entries), 'article')} opened recently"
        if filtered:
            empty = f"Nothing here matches '{clean_line(self.query_text)}'."
            label += " match"
        article_list = self.article_list
        cursor = 0
        if message.keep_cursor:
            cursor = min(article_list.cursor, max(len(entries) - 1, 0))
        if self.restore_cursor is not None:
            cursor, self.restore_cursor = self.restore_cursor, None
        article_list.set_source(StaticRows(entries), (), cursor, empty)
        self._shown()
        self._count(label)
        if message.open_first:
            self._open_first()

    def drop(self, key: str) -> None:
        """A row gone from a saved list at once, so that the next key acts on the next row."""
        article_list = self.article_list
        source = article_list.source
        if isinstance(source, StaticRows):
            rows = [e for e in source.entries if e.key != key]
            cursor = min(article_list.cursor, max(len(rows) - 1, 0))
            article_list.set_source(StaticRows(rows), (), cursor, article_list.empty_message)

    # -- the open article --------------------------------------------------------------

    def follow(self, article: Article) -> None:
        """Put the cursor on the open article, where the list holds it."""
        self.article_rowid = article.rowid
        article_list = self.article_list
        source = article_list.source
        index = None
        if isinstance(source, CatalogRows) and article.rowid is not None:
            index = source.index_of_rowid(article.rowid)
        elif isinstance(source, StaticRows):
            index = source.index_of_key(article.key)
        if index is not None and index != article_list.cursor:
            article_list.cursor = index
