"""What the reader screen does with news from its background work: the library opened,
refreshed or failing, bookmarks and read marks written (here or by another qtreader)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...library.catalog import Catalog
from ..bookmark_actions import BookmarksChanged
from ..library_loader import LibraryRefreshed, LoadFailed
from ..reading import Opening
from ..reading_progress import ProgressChanged
from ..review_due import count_due
from .targets import restore_focus

if TYPE_CHECKING:
    from .reader import ReaderScreen


class LibraryEvents:
    def __init__(self, screen: ReaderScreen):
        self.screen = screen

    def load_failed(self, message: LoadFailed) -> None:
        screen = self.screen
        if message.opened:
            screen.notify(f"The library could not be re-read: {message.reason}", severity="error")
            return
        screen.search_pane.show_load_failed(message.reason)

    def loaded(self, catalog: Catalog, opening: Opening) -> None:
        screen = self.screen
        screen.catalog = catalog
        screen.ready = True
        pane = screen.search_pane
        pane.open_library(catalog)
        screen.show_counts(opening.counts)
        screen.report_messages(screen.state.take_messages())
        screen.progress.load(catalog)
        self.count_review()
        session = opening.session
        screen.subjects.select_scope(opening.scope)
        typed = pane.restore(opening.scope, session.query, session.list_index, opening.result)
        focus = None if typed else session.focus  # as it was when the reader closed
        if opening.article is not None:
            screen.open_rowid(opening.article, key=session.article, focus=focus == "view")
        restore_focus(screen, focus, opening.article is not None)

    def refreshed(self, message: LibraryRefreshed) -> None:
        """The library changed on disk (since the last launch, or as it is read), or a
        refresh was asked for (Ctrl+R)."""
        screen = self.screen
        if screen.catalog is None:
            return
        report = message.report
        if report.unchanged and not report.repaired:
            if message.asked:
                screen.notify("The library is up to date.", timeout=3)
            return
        screen.show_counts(message.counts)
        if report.repaired:
            screen.notify("The catalog was damaged; it has been built again.", timeout=6)
        elif not (report.added or report.changed or report.removed):
            # Only what the scan could not enter changed: the status line says it, and
            # the open article, if its folder is one, says it too (or no longer).
            screen.opener.reload_in_place()
            return
        pane = screen.search_pane
        entry = pane.article_list.entry
        pane.keep_rowid = entry.rowid if entry is not None else None
        pane.run_search(full=True)
        screen.notify(
            f"Library updated: {report.added:,} added, {report.changed:,} changed, "
            f"{report.removed:,} removed.",
            timeout=4,
        )
        screen.progress.load(screen.catalog)  # read/total per subject counted again
        screen.opener.reload_in_place()  # the open article as it is now, if it changed

    def count_review(self) -> None:
        """Count what is up for review (at launch, after a review)."""
        screen = self.screen
        if screen.catalog is not None:
            count_due(screen, screen.catalog, screen.library, screen.user.bookmarks,
                      screen.show_stubs)  # fmt: skip

    def progress_changed(self, message: ProgressChanged) -> None:
        """Read marks written (here or by another qtreader): rows, tree and counts."""
        screen = self.screen
        progress = screen.progress
        was_in_use = progress.in_use
        changed = message.marks is not progress.marks
        progress.marks = message.marks
        screen.report_messages(progress.store.take_messages())
        if message.notice:
            screen.notify(message.notice, timeout=2)
        screen.subjects.show_progress(message.progress if progress.in_use else None)
        if changed or was_in_use != progress.in_use:
            screen.search_pane.article_list.redraw()
        screen.apply_width()

    def bookmarks_changed(self, message: BookmarksChanged) -> None:
        screen = self.screen
        changed = screen.set_marks(message.marked, message.notes)
        screen.report_messages(screen.user.bookmarks.take_messages())
        if screen.article is not None:
            key = screen.article.key
            screen.view.set_bookmarked(screen.is_bookmarked(key), screen.note_of(key))
        screen.subjects.update_counts(len(message.marked), message.history)
        if changed and screen.scope.kind == "bookmarks":
            screen.search_pane.reload_saved()
        elif changed:
            screen.search_pane.article_list.redraw()
        if message.removal is not None:
            screen.bookmarking.removals.written(message.removal)
        if message.notice is not None:
            screen.notify(message.notice.text, timeout=message.notice.timeout)
        if changed or message.removal is not None or message.notice is not None:
            screen.refresh_bindings()  # the footer is composed again: only when it may change
