"""Bookmark and history changes, written off the UI thread in the order asked.

Each change writes and fsyncs a file, so it runs on a thread of its own, after every
change asked before it. When it is written the controller posts
:class:`BookmarksChanged` (or :class:`BookmarkFailed`) to the screen that owns it,
which draws the result. Removals keep what "u" needs to put them back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from textual.dom import DOMNode
from textual.message import Message

from ..library import paths
from ..library.bookmarks import Bookmark, StoreReadOnly
from ..library.catalog import Catalog
from ..library.models import Article
from .reading import UserFiles, read_marks
from .state import Removal, Removals


@dataclass(frozen=True)
class Notice:
    """What to tell the user once a change is written."""

    text: str
    timeout: float = 3


class BookmarksChanged(Message):
    """A change is written (or the files were changed by another qtreader): the
    bookmarked keys, their notes and the history count as they are now."""

    def __init__(
        self,
        marks: tuple[set[str], dict[str, str], int],
        notice: Notice | None = None,
        removal: Removal | None = None,
    ):
        self.marked, self.notes, self.history = marks
        self.notice, self.removal = notice, removal
        super().__init__()


class BookmarkFailed(Message):
    def __init__(self, title: str, reason: str, removal: Removal | None):
        self.title, self.reason, self.removal = title, reason, removal
        super().__init__()


def _stamps() -> tuple[tuple[int, int], ...]:
    """The bookmarks and history files' modification times and sizes (0, 0 if absent)."""
    found = []
    for path in (paths.bookmarks_file(), paths.history_file()):
        try:
            info = path.stat()
            found.append((info.st_mtime_ns, info.st_size))
        except OSError:
            found.append((0, 0))
    return tuple(found)


class BookmarkActions:
    """Toggle, remove, undo, note and history writes for one library's reader."""

    def __init__(self, owner: DOMNode, user: UserFiles):
        self.owner = owner  # posted to when a change is written; runs the waiting workers
        self.user = user
        self.removals = Removals()
        self._stamp: tuple[tuple[int, int], ...] | None = None  # the files, last looked at
        self._watching = threading.Lock()
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="qtreader-bookmarks")

    def toggle(self, catalog: Catalog, key: str, article: Article | None) -> None:
        """Bookmark an article, or remove its bookmark (``article`` is read if None)."""
        user = self.user

        def toggle() -> Notice | None:
            found = article
            if found is None:
                rowid = catalog.rowid_for_key(key)
                found = catalog.article(rowid) if rowid is not None else None
            if found is None:
                return None
            marked = user.bookmarks.toggle(user.library, found)
            return Notice(("Bookmarked: " if marked else "Bookmark removed: ") + found.title)

        self._change(toggle, "Bookmark not saved")

    def remove(self, key: str) -> bool:
        """Remove the bookmark of ``key``; False if its removal is already under way."""
        removal = self.removals.start(key)
        if removal is None:
            return False
        user = self.user

        def remove() -> Notice | None:
            removal.bookmark = user.bookmarks.remove(user.library, key)
            if removal.bookmark is None:
                return None
            return Notice(f"Removed “{removal.bookmark.title}”. Press u to undo.", timeout=5)

        self._change(remove, "Bookmark not removed", removal)
        return True

    def undo(self) -> None:
        removal = self.removals.take_last()
        if removal is None:
            return
        bookmarks = self.user.bookmarks

        def restore() -> Notice | None:
            # Runs after the removal (changes run in order), which has set the bookmark.
            if removal.bookmark is None:
                return None
            restored: Bookmark = bookmarks.add(removal.bookmark)
            return Notice(f"Restored “{restored.title}”.")

        self._change(restore, "Bookmark not restored")

    def set_note(self, key: str, note: str) -> None:
        user = self.user

        def set_note() -> Notice:
            user.bookmarks.set_note(user.library, key, note)
            if key in user.bookmarks.keys(user.library):
                return Notice("Note saved.", timeout=2)
            return Notice("That bookmark is gone; the note was not saved.", timeout=5)

        self._change(set_note, "Note not saved")

    def record_history(self, article: Article) -> None:
        """Add ``article`` to the history (the file is rewritten and fsynced: not on the
        UI thread), then say so, for the tree's count."""
        user, owner = self.user, self.owner

        def record() -> None:
            try:
                user.history.record(user.library, article)
                marks = read_marks(user)
            except (StoreReadOnly, OSError):
                return  # the store's messages say why; the count stays as it was
            owner.post_message(BookmarksChanged(marks))

        owner.run_worker(record, thread=True, group="history")

    def watch_files(self) -> None:
        """Read the marks again when another process (a CLI command, another reader)
        changed the bookmarks or history file: stat both, off the UI thread."""
        user, owner = self.user, self.owner
        if not self._watching.acquire(blocking=False):
            return  # the last look is still under way (a slow disk)

        def check() -> None:
            try:
                stamp = _stamps()
                if stamp == self._stamp:
                    return
                # The first look too: the files may have changed between the reading
                # of the library's counts and this look (the screen draws only what
                # differs from what it shows).
                self._stamp = stamp
                owner.post_message(BookmarksChanged(read_marks(user)))
            except OSError:
                pass  # looked at again at the next tick
            finally:
                self._watching.release()

        owner.run_worker(check, thread=True, group="watch")

    def _change(
        self, change: Callable[[], Notice | None], failure: str, removal: Removal | None = None
    ) -> None:
        user, owner = self.user, self.owner

        def run() -> None:
            try:
                notice = change()
                marks = read_marks(user)
            except (StoreReadOnly, OSError) as exc:
                owner.post_message(BookmarkFailed(failure, str(exc), removal))
                return
            owner.post_message(BookmarksChanged(marks, notice, removal))

        future = self._writer.submit(run)
        # A worker that waits for it, so that the app knows a change is under way.
        owner.run_worker(future.result, thread=True, group="bookmarks")

    def close(self) -> None:
        """Changes already asked for are still written: the writer's thread is joined
        when Python exits. Not waited for here, on the UI thread, which the changes
        need to show their results (that wait hung the quit)."""
        self._writer.shutdown(wait=False)
