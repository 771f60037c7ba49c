"""The reader screen: composes the panes, holds the whole screen's keys, routes messages.

The panes own their behaviour: the search pane its searches, the article view its
find, the subject tree the scopes. Catalog work runs in thread workers that report
with messages, so the UI never waits on disk.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import Footer, Markdown

from ...library import paths
from ...library.bookmarks import BookmarkStore, HistoryStore
from ...library.catalog import Catalog, CatalogDamaged, CatalogError
from ...library.models import Article
from ...library.progress import ProgressStore
from ...library.state import Session, StateStore
from ..bookmark_actions import BookmarkActions, BookmarkFailed, BookmarksChanged
from ..library_loader import (
    LibraryLoader,
    LibraryOpened,
    LibraryRefreshed,
    LoadFailed,
    LoadProgress,
    WatchUnavailable,
)
from ..reading import LibraryCounts, Opening, UserFiles
from ..reading_progress import ProgressChanged, ProgressFailed, ReadingProgress
from ..review_due import ReviewDue
from ..state import BOOKMARKS, HISTORY, REVIEW, Scope
from ..widgets.article_list import ArticleList
from ..widgets.article_view import ArticleView
from ..widgets.link_item import LinkItem
from ..widgets.search_pane import SearchPane
from ..widgets.status_bar import StatusBar
from ..widgets.subject_tree import SubjectTree
from .layout import NARROW_WIDTH, apply_layout
from .library_events import LibraryEvents
from .note import NoteScreen
from .opener import ArticleOpener
from .problems import ProblemsScreen
from .review import ReviewScreen
from .targets import action_allowed, bookmark_target, focused_pane, note_target, read_target

WATCH_SECONDS = 2.0  # how often the bookmarks and history files are looked at
BACK_FORWARD = Binding.Group("Back/fwd", compact=True)


class ReaderScreen(Screen[None]):
    # While the library loads, keys typed go to the search box. Textual's default would
    # focus the subject tree, which on a medium screen restyles the whole screen to show
    # it, and again when the list takes the focus.
    AUTO_FOCUS = "#search"
    BINDINGS = [
        # Priority: handled before the keys typed after it reach a widget, so
        # "/hash" typed quickly all lands in the search box.
        Binding("slash", "search", "Search", priority=True, id="reader.search"),
        # One footer entry for the pair ("[ ] Back/fwd"), so that ? and q fit at 80 columns.
        Binding(
            "left_square_bracket,alt+left",
            "back",
            "Back",
            key_display="[",
            id="reader.back",
            group=BACK_FORWARD,
        ),
        Binding(
            "right_square_bracket,alt+right",
            "forward",
            "Forward",
            key_display="]",
            id="reader.forward",
            group=BACK_FORWARD,
        ),
        Binding("b", "toggle_bookmark", "Bookmark", id="reader.bookmark"),
        Binding("m", "toggle_read", "Read / unread", show=False, id="reader.read"),
        Binding("U", "hide_read", "Hide read / show all", show=False, id="reader.hide_read"),
        Binding("R", "review", "Review what is due", show=False, id="reader.review"),
        Binding("B", "show_bookmarks", "Bookmarks", id="reader.bookmarks"),
        Binding("H", "show_history", "Recently opened", show=False, id="reader.history"),
        Binding("d", "remove_bookmark", "Remove bookmark", id="reader.remove_bookmark"),
        Binding("u", "undo_remove", "Undo remove", id="reader.undo"),
        Binding("e", "edit_note", "Edit note", id="reader.edit_note"),
        Binding("escape", "escape", "Back to the list", show=False, id="reader.escape"),
        Binding("exclamation_mark", "problems", "Files skipped", show=False, id="reader.problems"),
        Binding(
            "ctrl+r", "refresh_library", "Refresh the library", show=False, id="reader.refresh"
        ),
        Binding("s", "focus_subjects", "Go to subjects", show=False, id="reader.subjects"),
        Binding("l", "focus_list", "Go to the list", show=False, id="reader.list"),
        Binding("ctrl+f", "find", "Find", id="reader.find"),
        Binding("S", "sort", "Sort", show=False, id="reader.sort"),
        Binding("r", "random_article", "Random article", show=False, id="reader.random"),
        Binding("dollar_sign", "toggle_math", "Math / LaTeX", show=False, id="reader.math"),
        Binding("o", "open_original", "Open page", show=False, id="reader.open_original"),
        Binding("y", "copy('link')", "Copy link", show=False, id="reader.copy_link"),
        Binding("Y", "copy('answer')", "Copy answer", show=False, id="reader.copy_answer"),
    ]

    def __init__(
        self,
        root: Path,
        show_stubs: bool = False,
        base_url: str | None = None,
        column_width: int = 88,
        follow_external_links: bool = False,
        date_format: str = "YYYY-MM-DD",
        read_after_seconds: float = 10,
        read_at_end: bool = True,
    ):
        super().__init__()
        self.base_url = base_url
        self.column_width = column_width
        self.root = root
        self.library = str(root)
        self.library_name = paths.library_label(root)  # lib\xff\xfe when not UTF-8
        self.show_stubs = show_stubs
        self.catalog: Catalog | None = None
        self.user = UserFiles(self.library, BookmarkStore(), HistoryStore())
        self.state = StateStore()
        self.bookmarking = BookmarkActions(self, self.user)
        self.progress = ReadingProgress(
            self, ProgressStore(self.library), read_after_seconds, read_at_end, show_stubs
        )
        self.events = LibraryEvents(self)
        self.loader = LibraryLoader(
            self, root, self.user, self.state, show_stubs, follow_external_links
        )
        self.opener = ArticleOpener(self)
        self.nav = self.opener.nav
        self.article: Article | None = None
        self._pane = "middle"  # the pane shown when they do not all fit
        self._marked: set[str] = set()  # bookmarked keys
        self._notes: dict[str, str] = {}  # their notes
        # The panes, made here to be reached before they are mounted and after they go.
        self.subjects = SubjectTree(id="subjects")
        self.search_pane = SearchPane(
            self.user,
            show_stubs=show_stubs,
            is_marked=self._marked.__contains__,
            is_read=self.is_read,
            unread=self.progress.unread,
            hidden=self.bookmarking.removals.pending.__contains__,
            date_format=date_format,
            id="middle",
        )
        self.view = ArticleView(id="view")
        self.ready = False

    @property
    def scope(self) -> Scope:
        return self.search_pane.scope

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The layout classes before the panes are styled: set later, they restyle
        # every widget once more (tens of ms at launch).
        self.apply_width(update=False)
        with Horizontal(id="panes"):
            yield self.subjects
            yield self.search_pane
            yield self.view
        yield StatusBar(id="status")
        yield Footer(compact=self.app.size.width < NARROW_WIDTH)

    def on_mount(self) -> None:
        self.query_one("#status", StatusBar).show(self.library_name)
        self.query_one("#column").styles.max_width = self.column_width
        self.apply_width()
        self.report_messages(self.user.bookmarks.take_messages())
        self.loader.start()
        # Bookmarks added or removed by another qtreader (the CLI) show in the counts.
        self.set_interval(WATCH_SECONDS, self.bookmarking.watch_files)
        self.set_interval(WATCH_SECONDS, self.progress.watch)

    def on_resize(self) -> None:
        self.apply_width()

    def apply_width(self, update: bool = True) -> None:
        apply_layout(self, self._pane, update)

    def _show_pane(self, pane: str) -> None:
        self._pane = pane
        self.apply_width()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        widget = event.widget
        for container in (self.subjects, self.search_pane, self.view):
            if widget is container or container in widget.ancestors:
                self._show_pane(container.id or "middle")
                break

    # -- loading: what the background work says ----------------------------------

    @on(LoadProgress)
    def _progress(self, message: LoadProgress) -> None:
        self.search_pane.show_progress(message.done, message.total)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.events.load_failed(message)

    def on_library_opened(self, message: LibraryOpened) -> None:
        self._loaded(message.catalog, message.opening)

    def _loaded(self, catalog: Catalog, opening: Opening) -> None:
        self.events.loaded(catalog, opening)

    @on(LibraryRefreshed)
    def _refreshed(self, message: LibraryRefreshed) -> None:
        self.events.refreshed(message)

    @on(WatchUnavailable)
    def _watch_unavailable(self, message: WatchUnavailable) -> None:
        self.notify(f"{message.reason} Ctrl+R refreshes it.", severity="warning", timeout=12)

    @on(ProgressChanged)
    def _progress_changed(self, message: ProgressChanged) -> None:
        self.events.progress_changed(message)

    @on(ReviewDue)
    def _review_due(self, message: ReviewDue) -> None:
        self.report_messages(message.told)
        self.subjects.show_review(message.count)
        self.query_one("#status", StatusBar).set_review(message.count)

    @on(ProgressFailed)
    def _progress_failed(self, message: ProgressFailed) -> None:
        self.notify(f"Reading progress not saved: {message.reason}", severity="error")

    def show_counts(self, counts: LibraryCounts) -> None:
        self.set_marks(counts.marked, counts.notes)
        self.subjects.fill(counts.total, len(counts.marked), counts.history, counts.subjects)
        self.apply_width()  # the tree's width follows its labels
        self.query_one("#status", StatusBar).show_counts(self.library_name, counts)

    def is_read(self, key: str) -> bool | None:
        """Whether the article is read; None while the library has no read marks."""
        return self.progress.is_read(key) if self.progress.in_use else None

    def is_bookmarked(self, key: str) -> bool:
        return key in self._marked

    def note_of(self, key: str) -> str:
        return self._notes.get(key, "")

    def set_marks(self, marked: set[str], notes: dict[str, str]) -> bool:
        """Keep the bookmarked keys and notes; whether they changed."""
        changed = marked != self._marked or notes != self._notes
        # The same set object stays shared with the search pane's rows.
        self._marked.clear()
        self._marked.update(marked)
        self._notes = notes
        return changed

    def report_messages(self, messages: list[str]) -> None:
        for message in messages:
            self.notify(message, title="Your data", severity="warning", timeout=20)

    @on(SearchPane.Failed)
    @on(ArticleList.Unreadable)
    def _search_failed(self, message: SearchPane.Failed | ArticleList.Unreadable) -> None:
        self.catalog_trouble(message.error)

    def catalog_trouble(self, error: CatalogError) -> None:
        """Say what the catalog could not do; a damaged one is built again meanwhile."""
        if isinstance(error, CatalogDamaged) and self.catalog is not None:
            self.notify(str(error), severity="warning", timeout=10)
            self.loader.rebuild(self.catalog)

    @on(SearchPane.ListShown)
    def _list_is_shown(self) -> None:
        self.loader.list_shown.set()

    # -- what the list shows ---------------------------------------------------

    @on(SubjectTree.Chosen)
    def _scope_chosen(self, event: SubjectTree.Chosen) -> None:
        if event.scope == REVIEW:
            return self.action_review()  # a screen of its own, not a list
        self.search_pane.show_scope(event.scope)

    def goto_subject(self, scope: Scope) -> None:
        """Show a scope and move to the list (also for the command palette)."""
        self.subjects.select_scope(scope)
        self.search_pane.show_scope(scope)
        self.search_pane.article_list.focus()

    def action_sort(self) -> None:
        if not self.scope.is_saved:
            self.notify(f"Sorted {self.search_pane.next_sort()}.", timeout=2)

    def action_show_bookmarks(self) -> None:
        self.goto_subject(BOOKMARKS)

    def action_show_history(self) -> None:
        self.goto_subject(HISTORY)

    # -- opening articles ----------------------------------------------------

    @on(ArticleList.Opened)
    def _list_opened(self, event: ArticleList.Opened) -> None:
        self.opener.open_entry(event.entry)

    def action_random_article(self) -> None:
        if not self.search_pane.article_list.open_random():
            self.notify("Nothing to choose from: this list is empty.", timeout=3)

    @on(SearchPane.OpenFirst)
    def _open_first(self, event: SearchPane.OpenFirst) -> None:
        if event.entry.rowid is not None:
            self.open_rowid(event.entry.rowid, key=event.entry.key)

    def open_rowid(
        self, rowid: int, *, key: str | None = None, record: bool = True, focus: bool = True
    ) -> None:
        self.opener.open_rowid(rowid, key=key, record=record, focus=focus)

    def open_key(self, key: str, record: bool = True) -> None:
        self.opener.open_key(key, record)

    @on(LinkItem.Followed)
    def _link_followed(self, event: LinkItem.Followed) -> None:
        self.opener.follow_link(event.link)

    @on(Markdown.LinkClicked)
    def _answer_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.prevent_default()
        self.opener.follow_href(event.href)

    def follow_href(self, href: str) -> None:
        self.opener.follow_href(href)

    @on(ArticleView.VersionChosen)
    def _version_chosen(self, event: ArticleView.VersionChosen) -> None:
        self.open_rowid(event.rowid)

    @on(ArticleView.LinkPointed)
    def _link_pointed(self, event: ArticleView.LinkPointed) -> None:
        self.query_one("#status", StatusBar).point(event.where)

    @on(ArticleView.ShowMore)
    async def _show_more(self) -> None:
        await self.view.show_more()

    def action_back(self) -> None:
        self.opener.back()

    def action_forward(self) -> None:
        self.opener.forward()

    # -- the open article's actions ------------------------------------------------

    def action_find(self) -> None:
        if self.article is None:
            self.notify("Open an article to find words in it.", timeout=3)
            return
        self._show_pane("view")
        self.view.open_find()

    def action_toggle_math(self) -> None:
        self.opener.toggle_math()

    def action_open_original(self) -> None:
        self.opener.open_original(self.base_url)

    def action_copy(self, what: str) -> None:
        if what == "link":
            return self.view.copy_link(self.base_url)
        self.view.copy_answer()

    # -- focus -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action_allowed(self, action)

    # Focus moves with set_focus, at once: Widget.focus() is deferred, and keys
    # typed right after "/" would go to the widget that had the focus before.
    def action_search(self) -> None:
        search = self.search_pane.search_box
        self.set_focus(search)
        # As an address bar: typing starts a new search (a query restored from the
        # last session included), an arrow key keeps the old one to refine it.
        search.select_all()

    def action_focus_subjects(self) -> None:
        self.set_focus(self.subjects)

    def action_focus_list(self) -> None:
        self.set_focus(self.search_pane.article_list)

    def action_escape(self) -> None:
        search = self.search_pane.search_box
        if self.focused is search and search.value:
            search.value = ""
        self.action_focus_list()

    def action_problems(self) -> None:
        if self.catalog is not None:
            self.app.push_screen(ProblemsScreen(self.catalog.problems()))

    def action_refresh_library(self) -> None:
        if not self.loader.refresh():
            self.notify("The library is still being read.", timeout=3)

    # -- bookmarks -------------------------------------------------------------

    def action_review(self) -> None:
        if self.catalog is not None:  # not while the library is still loading
            review = ReviewScreen(self.catalog, self.library, self.user.bookmarks,
                                  self.opener.math_transform(), show_stubs=self.show_stubs)  # fmt: skip
            self.app.push_screen(review, lambda _: self.events.count_review())

    def action_hide_read(self) -> None:
        pane = self.search_pane
        pane.hide_read = not pane.hide_read
        pane.run_search(full=True)

    def action_toggle_read(self) -> None:
        if (target := read_target(self)) is not None:
            self.progress.toggle(target)

    @on(ArticleView.ReachedEnd)
    def _reached_end(self) -> None:
        if self.article is not None:
            self.progress.reached_end(self.article)

    def action_toggle_bookmark(self) -> None:
        if self.catalog is None:
            return
        target = bookmark_target(self)
        if target is None:
            self.notify("Open or select an article to bookmark it.")
            return
        self.bookmarking.toggle(self.catalog, *target)

    def action_remove_bookmark(self) -> None:
        entry = self.search_pane.article_list.entry
        if entry is not None and self.bookmarking.remove(entry.key):
            self.search_pane.drop(entry.key)
            self.refresh_bindings()

    def action_undo_remove(self) -> None:
        self.bookmarking.undo()
        self.refresh_bindings()

    def action_edit_note(self) -> None:
        target = note_target(self)
        if target is None:
            return
        key, title, note = target

        def save(new: str | None) -> None:
            if new is not None:
                self.bookmarking.set_note(key, new)

        self.app.push_screen(NoteScreen(title, note), save)

    @on(BookmarksChanged)
    def _bookmarks_changed(self, message: BookmarksChanged) -> None:
        self.events.bookmarks_changed(message)

    @on(BookmarkFailed)
    def _bookmark_failed(self, message: BookmarkFailed) -> None:
        if message.removal is not None:
            self.bookmarking.removals.written(message.removal)
        self.notify(message.reason, title=message.title, severity="error", timeout=10)
        self.refresh_bindings()

    # -- session -------------------------------------------------------------

    def current_session(self) -> Session:
        return Session(
            subject=self.scope.session_subject,
            query=self.search_pane.query_text,
            article=self.article.key if self.article else None,
            list_index=self.search_pane.article_list.cursor,
            focus=focused_pane(self),
        )

    def save_session(self) -> None:
        if self.ready:
            self.state.save_session(self.root, self.current_session())

    def on_unmount(self) -> None:
        self.bookmarking.close()
        self.progress.close()
        self.loader.close()
        if self.catalog is not None:
            self.catalog.close()
