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
from textual.css.scalar import Scalar
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown

from ...library.bookmarks import BookmarkStore, HistoryStore
from ...library.catalog import Catalog, CatalogDamaged, CatalogError
from ...library.models import Article
from ...library.state import Session, StateStore
from ...library.text import clean_line
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
from ..state import BOOKMARKS, HISTORY, Scope
from ..widgets.article_list import ArticleList
from ..widgets.article_view import ArticleView
from ..widgets.link_item import LinkItem
from ..widgets.search_pane import SearchPane
from ..widgets.status_bar import StatusBar
from ..widgets.subject_tree import SubjectTree
from .layout import NARROW_WIDTH, layout_classes, pane_widths
from .note import NoteScreen
from .opener import ArticleOpener
from .problems import ProblemsScreen
from .targets import bookmark_target, focused_pane, note_target, restore_focus

# Actions that need an open article, and those of the Bookmarks list.
ARTICLE_ACTIONS = ("find", "copy", "open_original", "toggle_math")
BOOKMARK_LIST_ACTIONS = ("remove_bookmark", "edit_note", "undo_remove")
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
    ):
        super().__init__()
        self.base_url = base_url
        self.column_width = column_width
        self.root = root
        self.library = str(root)
        self.library_name = clean_line(root.name) or str(root)  # for the status line
        self.show_stubs = show_stubs
        self.catalog: Catalog | None = None
        self.user = UserFiles(self.library, BookmarkStore(), HistoryStore())
        self.state = StateStore()
        self.bookmarking = BookmarkActions(self, self.user)
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
        self._apply_width(update=False)
        with Horizontal(id="panes"):
            yield self.subjects
            yield self.search_pane
            yield self.view
        yield StatusBar(id="status")
        yield Footer(compact=self.app.size.width < NARROW_WIDTH)

    def on_mount(self) -> None:
        self.query_one("#status", StatusBar).show(self.library_name)
        self.query_one("#column").styles.max_width = self.column_width
        self._apply_width()
        self._report_messages(self.user.bookmarks.take_messages())
        self.loader.start()
        # Bookmarks added or removed by another qtreader (the CLI) show in the counts.
        self.set_interval(WATCH_SECONDS, self.bookmarking.watch_files)

    def on_resize(self) -> None:
        self._apply_width()

    def _apply_width(self, update: bool = True) -> None:
        width = self.app.size.width
        self.update_classes(layout_classes(width, self._pane), update=update)
        for footer in self.query(Footer):  # narrow: compact, so that ? and q still show
            footer.compact = width < NARROW_WIDTH
        widths = pane_widths(width, self.subjects.wanted_width, self.column_width)
        for pane in (self.subjects, self.search_pane, self.view):
            wanted = widths[pane.id or ""]
            if pane.styles.width != (None if wanted is None else Scalar.from_number(wanted)):
                pane.styles.width = wanted

    def _show_pane(self, pane: str) -> None:
        self._pane = pane
        self._apply_width()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        widget = event.widget
        for container in (self.subjects, self.search_pane, self.view):
            if widget is container or container in widget.ancestors:
                self._show_pane(container.id or "middle")
                break

    # -- loading -------------------------------------------------------------

    @on(LoadProgress)
    def _progress(self, message: LoadProgress) -> None:
        self.search_pane.show_progress(message.done, message.total)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if message.opened:
            self.notify(f"The library could not be re-read: {message.reason}", severity="error")
            return
        self.search_pane.show_load_failed(message.reason)

    def on_library_opened(self, message: LibraryOpened) -> None:
        self._loaded(message.catalog, message.opening)

    def _loaded(self, catalog: Catalog, opening: Opening) -> None:
        self.catalog = catalog
        self.ready = True
        pane = self.search_pane
        pane.open_library(catalog)
        self._show_counts(opening.counts)
        self._report_messages(self.state.take_messages())
        session = opening.session
        self.subjects.select_scope(opening.scope)
        typed = pane.restore(opening.scope, session.query, session.list_index, opening.result)
        focus = None if typed else session.focus  # as it was when the reader closed
        if opening.article is not None:
            self.open_rowid(opening.article, key=session.article, focus=focus == "view")
        restore_focus(self, focus, opening.article is not None)

    @on(LibraryRefreshed)
    def _refreshed(self, message: LibraryRefreshed) -> None:
        """The library changed on disk (since the last launch, or as it is read), or a
        refresh was asked for (Ctrl+R)."""
        if self.catalog is None:
            return
        report = message.report
        if report.unchanged and not report.repaired:
            if message.asked:
                self.notify("The library is up to date.", timeout=3)
            return
        self._show_counts(message.counts)
        if report.repaired:
            self.notify("The catalog was damaged; it has been built again.", timeout=6)
        pane = self.search_pane
        entry = pane.article_list.entry
        pane.keep_rowid = entry.rowid if entry is not None else None
        pane.run_search(full=True)
        self.notify(
            f"Library updated: {report.added:,} added, {report.changed:,} changed, "
            f"{report.removed:,} removed.",
            timeout=4,
        )
        self.opener.reload_in_place()  # the open article as it is now, if it changed

    @on(WatchUnavailable)
    def _watch_unavailable(self, message: WatchUnavailable) -> None:
        self.notify(f"{message.reason} Ctrl+R refreshes it.", severity="warning", timeout=12)

    def _show_counts(self, counts: LibraryCounts) -> None:
        self._set_marks(counts.marked, counts.notes)
        self.subjects.fill(counts.total, len(counts.marked), counts.history, counts.subjects)
        self._apply_width()  # the tree's width follows its labels
        self.query_one("#status", StatusBar).show(self.library_name, counts.total, counts.skipped)

    def is_bookmarked(self, key: str) -> bool:
        return key in self._marked

    def note_of(self, key: str) -> str:
        return self._notes.get(key, "")

    def _set_marks(self, marked: set[str], notes: dict[str, str]) -> bool:
        """Keep the bookmarked keys and notes; whether they changed."""
        changed = marked != self._marked or notes != self._notes
        # The same set object stays shared with the search pane's rows.
        self._marked.clear()
        self._marked.update(marked)
        self._notes = notes
        return changed

    def _report_messages(self, messages: list[str]) -> None:
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
        if action == "search" and isinstance(self.app.focused, Input):
            return False  # "/" is typed into a text field
        if action in ARTICLE_ACTIONS:
            return self.article is not None
        if action == "edit_note" and note_target(self) is not None:
            return True
        if action in BOOKMARK_LIST_ACTIONS:
            if self.scope.kind != "bookmarks":
                return False
            if action == "undo_remove":
                return bool(self.bookmarking.removals)
        return True

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
        changed = self._set_marks(message.marked, message.notes)
        self._report_messages(self.user.bookmarks.take_messages())
        if self.article is not None:
            key = self.article.key
            self.view.set_bookmarked(key in self._marked, self.note_of(key))
        self.subjects.update_counts(len(message.marked), message.history)
        if changed and self.scope.kind == "bookmarks":
            self.search_pane.reload_saved()
        elif changed:
            self.search_pane.article_list.redraw()
        if message.removal is not None:
            self.bookmarking.removals.written(message.removal)
        if message.notice is not None:
            self.notify(message.notice.text, timeout=message.notice.timeout)
        if changed or message.removal is not None or message.notice is not None:
            self.refresh_bindings()  # the footer is composed again: only when it may change

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
        self.loader.close()
        if self.catalog is not None:
            self.catalog.close()
