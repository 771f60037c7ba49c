"""Reading progress in the reader: an article counts as read once it has been open a
few seconds or scrolled to its end (both settable), "m" toggles it, and read marks
written by another qtreader show up. Marks are written off the UI thread, in order;
each change posts :class:`ProgressChanged` with the marks as they are now."""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from textual.dom import DOMNode
from textual.message import Message
from textual.timer import Timer

from ..library.catalog import Catalog
from ..library.progress import (
    LibraryProgress,
    Markable,
    ProgressStore,
    ReadMarks,
    ResolvedMarks,
    resolve_marks,
)
from ..library.store import StoreReadOnly


class ProgressChanged(Message):
    """The read marks as they are now, the read/total per subject, and what to say."""

    def __init__(self, marks: ReadMarks, progress: LibraryProgress | None, notice: str = ""):
        self.marks, self.progress, self.notice = marks, progress, notice
        super().__init__()


class ProgressFailed(Message):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__()


class ReadingProgress:
    """The read marks of one library's reader."""

    def __init__(
        self,
        owner: DOMNode,
        store: ProgressStore,
        after_seconds: float = 10,
        at_end: bool = True,
        include_stubs: bool = False,
    ):
        self.owner = owner  # posted to; runs the workers
        self.store = store
        self.after_seconds = after_seconds
        self.at_end = at_end
        self.include_stubs = include_stubs
        self.marks = ReadMarks()
        self._timer: Timer | None = None
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="qtreader-progress")
        self._watching = threading.Lock()
        self._resolved: ResolvedMarks | None = None  # found in the catalog, kept for the next
        self.catalog: Catalog | None = None

    def is_read(self, key: str) -> bool:
        return key in self.marks

    def unread(self, rowids: array) -> array:
        """Of these rows, those not read, in order (a worker's job: reads the catalog
        the first time)."""
        resolved = self._resolved
        if resolved is None or resolved.marks is not self.marks:
            catalog = self.catalog
            if catalog is None:
                return rowids
            resolved = self._resolved = resolve_marks(catalog, self.marks, resolved)
        return array(rowids.typecode, resolved.unread(rowids))

    @property
    def in_use(self) -> bool:
        """Whether this library has read marks (rows show read and unread only then)."""
        return len(self.marks) > 0

    # -- reading -------------------------------------------------------------------------

    def _progress(self, marks: ReadMarks) -> LibraryProgress | None:
        """Read / total per subject (reads the catalog: a worker's job)."""
        catalog = self.catalog
        if catalog is None:
            return None
        resolved = self._resolved = resolve_marks(catalog, marks, self._resolved)
        return resolved.progress(catalog.subjects(self.include_stubs), self.include_stubs)

    def load(self, catalog: Catalog) -> None:
        """Read the marks (at launch, after a refresh of the catalog)."""
        self.catalog = catalog
        self._resolved = None  # the catalog's rows may have changed
        self._submit(lambda: "")

    def watch(self) -> None:
        """Read the marks again if another process changed the file (one stat)."""
        if self.catalog is None or not self._watching.acquire(blocking=False):
            return
        store, owner = self.store, self.owner

        def check() -> None:
            try:
                if store.changed(self.marks):
                    marks = store.load()
                    owner.post_message(ProgressChanged(marks, self._progress(marks)))
            except OSError:
                pass  # looked at again at the next tick
            finally:
                self._watching.release()

        owner.run_worker(check, thread=True, group="watch")

    # -- marking -----------------------------------------------------------------------

    def opened(self, article: Markable) -> None:
        """An article was opened: read once it has been open ``after_seconds``."""
        self.left()
        if self.after_seconds > 0 and not self.is_read(article.key):
            self._timer = self.owner.set_timer(self.after_seconds, lambda: self.read(article))

    def left(self) -> None:
        """The open article is no longer shown: its timer stops."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def reached_end(self, article: Markable) -> None:
        if self.at_end and not self.is_read(article.key):
            self.read(article)

    def read(self, article: Markable) -> None:
        def mark() -> str:
            self.store.mark_read([article])
            return ""

        if not self.is_read(article.key):
            self._submit(mark)

    def toggle(self, article: Markable) -> None:
        def toggle() -> str:
            aliases: list[str] = self._resolved.marked_as(article.key) if self._resolved else []
            now_read = self.store.toggle(article, aliases=aliases)
            return f"{'Read' if now_read else 'Unread'}: {article.title}"

        self.left()  # marked unread by hand: the timer must not mark it read again
        self._submit(toggle)

    def _submit(self, change: Callable[[], str]) -> None:
        owner, store = self.owner, self.store

        def run() -> None:
            try:
                notice = change() or ""
                marks = store.load()
                progress = self._progress(marks)
            except (StoreReadOnly, OSError) as exc:
                owner.post_message(ProgressFailed(str(exc)))
                return
            owner.post_message(ProgressChanged(marks, progress, notice))

        future = self._writer.submit(run)
        owner.run_worker(future.result, thread=True, group="progress")

    def close(self) -> None:
        self.left()
        self._writer.shutdown(wait=False)
