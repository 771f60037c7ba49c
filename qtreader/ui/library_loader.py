"""Opening a library in a thread worker: the catalog from last time at once, then a refresh.

The worker posts what it finds to the screen that owns it: the first screen's data
(:class:`LibraryOpened`), progress while a first index is built, what changed on
disk since last time (:class:`LibraryRefreshed`), or why it failed.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import get_current_worker

from ..library.catalog import Catalog, CatalogDamaged, CatalogError, RefreshReport
from ..library.state import StateStore
from .reading import LibraryCounts, Opening, UserFiles, read_counts, read_opening

LIST_SHOWN_WAIT = 5.0  # seconds the refresh at launch waits for the first list at most


class LibraryOpened(Message):
    def __init__(self, catalog: Catalog, opening: Opening):
        self.catalog, self.opening = catalog, opening
        super().__init__()


class LoadProgress(Message):
    def __init__(self, done: int, total: int):
        self.done, self.total = done, total
        super().__init__()


class LoadFailed(Message):
    def __init__(self, reason: str, opened: bool):
        self.reason = reason
        self.opened = opened  # the library is open: only the refresh failed
        super().__init__()


class LibraryRefreshed(Message):
    def __init__(self, report: RefreshReport, counts: LibraryCounts):
        self.report, self.counts = report, counts
        super().__init__()


class _Closing(Exception):
    """Raised from a first build's progress when the reader closes: the build stops
    within a chunk of files instead of holding the quit until it ends (Python waits
    for the worker's thread). The next launch builds again."""


class LibraryLoader:
    """Loads one library for ``owner`` (the reader screen), which gets the messages."""

    def __init__(
        self,
        owner: DOMNode,
        root: Path,
        user: UserFiles,
        state: StateStore,
        show_stubs: bool,
        follow_external_links: bool = False,
    ):
        self.owner, self.root, self.user = owner, root, user
        self.state, self.show_stubs = state, show_stubs
        self.follow_external_links = follow_external_links
        # Set once the first list is on screen (or the screen goes away): the refresh
        # at launch waits for it.
        self.list_shown = threading.Event()
        self.closing = False
        self._rebuilding = threading.Lock()

    def start(self) -> None:
        self.owner.run_worker(self._load, thread=True, exclusive=True, group="index")

    def rebuild(self, catalog: Catalog) -> None:
        """Build a damaged catalog anew in the background; the reader goes on with what
        it can read meanwhile, and is told (LibraryRefreshed) when it is done."""
        if self._rebuilding.acquire(blocking=False):  # once, however many reads met it
            self.owner.run_worker(lambda: self._rebuild(catalog), thread=True, group="rebuild")

    def _rebuild(self, catalog: Catalog) -> None:
        try:
            report = catalog.rebuild()
            counts = read_counts(catalog, self.user, self.show_stubs)
        except (CatalogError, sqlite3.Error, OSError) as exc:
            self.owner.post_message(LoadFailed(str(exc), opened=True))
            return
        finally:
            self._rebuilding.release()
        self.owner.post_message(LibraryRefreshed(report, counts))

    def close(self) -> None:
        self.closing = True
        self.list_shown.set()  # a refresh waiting for the first list: not needed now

    def _opening(self, catalog: Catalog) -> Opening:
        return read_opening(catalog, self.user, self.state, self.root, self.show_stubs)

    def _load(self) -> None:
        worker = get_current_worker()
        post = self.owner.post_message

        def progress(done: int, total: int) -> None:
            if self.closing or worker.is_cancelled:
                raise _Closing
            post(LoadProgress(done, total))

        try:
            catalog = Catalog(self.root, follow_external_links=self.follow_external_links)
        except (CatalogError, sqlite3.Error, OSError) as exc:
            post(LoadFailed(str(exc), opened=False))
            return
        try:
            has_articles = catalog.count() > 0
            opening = self._opening(catalog) if has_articles else None
        except CatalogDamaged:  # built again below, with the progress shown
            has_articles, opening = False, None
        except (CatalogError, sqlite3.Error, OSError) as exc:
            post(LoadFailed(str(exc), opened=False))
            return
        if opening is not None:
            # The catalog from last time is usable at once; what changed on disk
            # since then is read in the background and shown when it is ready.
            post(LibraryOpened(catalog, opening))
            # The refresh stats every file (seconds at 150,000, holding the GIL much
            # of the time): started beside the first list's queries and paint, it made
            # them twice as slow. Bounded, so that a list that never shows cannot stop it.
            self.list_shown.wait(LIST_SHOWN_WAIT)
            if worker.is_cancelled or self.closing:
                return
        try:
            report = catalog.refresh(None if has_articles else progress)
            counts = None
            if opening is None:  # a first build
                opening = self._opening(catalog)
            elif not report.unchanged:
                counts = read_counts(catalog, self.user, self.show_stubs)
        except _Closing:
            return
        except (CatalogError, sqlite3.Error, OSError) as exc:
            post(LoadFailed(str(exc), opened=has_articles))
            return
        if worker.is_cancelled:
            return
        if not has_articles:
            post(LibraryOpened(catalog, opening))
        elif counts is not None:
            post(LibraryRefreshed(report, counts))
