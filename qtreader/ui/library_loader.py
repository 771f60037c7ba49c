"""Opening a library in a thread worker: the catalog from last time at once, then a refresh.

The worker posts what it finds to the screen that owns it: the first screen's data
(:class:`LibraryOpened`), progress while a first index is built, what changed on
disk since last time (:class:`LibraryRefreshed`), or why it failed.

Once open, the library is watched (library/watch.py): each burst of changes, and each
refresh asked for (Ctrl+R), brings the catalog up to date in a thread worker, one
refresh at a time (a change during one asks for one more), and the screen is told
with :class:`LibraryRefreshed`. Where it cannot be watched, :class:`WatchUnavailable`.

A burst refreshes only the paths it holds (``Catalog.refresh(paths=...)``: a file
saved shows in a fraction of a second at 150,000 articles, where listing the library
takes over one); Ctrl+R and the launch refresh the whole library, and so does a burst
that may have missed changes (watch.EVERYTHING among its paths) or whose paths could
not be refreshed.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import get_current_worker

from ..library import paths
from ..library.catalog import BuildPaused, Catalog, CatalogDamaged, CatalogError, RefreshReport
from ..library.state import StateStore
from ..library.watch import EVERYTHING, LibraryWatcher
from .reading import LibraryCounts, Opening, UserFiles, read_counts, read_opening

LIST_SHOWN_WAIT = 5.0  # seconds the refresh at launch waits for the first list at most
WATCH_READY_WAIT = 5.0  # seconds the refresh at launch waits for the watch to begin at most


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
    """The catalog was brought up to date with the folder. ``asked``: by the reader
    (Ctrl+R), which is told even when nothing changed (``report.unchanged``)."""

    def __init__(self, report: RefreshReport, counts: LibraryCounts, asked: bool = False):
        self.report, self.counts, self.asked = report, counts, asked
        super().__init__()


class WatchUnavailable(Message):
    """The library's changes do not show by themselves: ``reason``, a sentence."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__()


class _Closing(BuildPaused):
    """Raised from a first build's progress when the reader closes: the build stops
    within a chunk of files instead of holding the quit until it ends (Python waits
    for the worker's thread). What it wrote is kept: the next launch goes on from it."""


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
        self.watcher: LibraryWatcher | None = None
        # The refreshes after launch: one at a time. ``_refreshing`` is set while one
        # runs (the launch's included) or is about to; a request meanwhile sets
        # ``_wanted``, and the refresh running does one more.
        self._refresh_lock = threading.Lock()
        self._catalog: Catalog | None = None  # set once refreshes can be asked for
        self._refreshing = False
        self._wanted = False
        self._asked = False
        # What the refresh wanted looks at: the whole library, or the paths the
        # watcher's bursts held since the last refresh began.
        self._whole = False
        self._paths: set[str] = set()

    def start(self) -> None:
        self.owner.run_worker(self._load, thread=True, exclusive=True, group="index")

    def refresh(self) -> bool:
        """Bring the catalog up to date now (Ctrl+R), in a thread worker, and say what
        changed, or that nothing did. False while the library is still being opened."""
        return self._request(asked=True)

    def _changed(self, paths: frozenset[str]) -> None:
        """The watcher saw the library change at ``paths`` (in its thread)."""
        self._request(asked=False, paths=None if EVERYTHING in paths else paths)

    def _watch_unavailable(self, reason: str) -> None:
        """The watcher cannot watch the library, or only in part (in its thread)."""
        self._post(WatchUnavailable(reason))

    def _post(self, message: Message) -> bool:
        try:
            return self.owner.post_message(message)
        except RuntimeError:  # the app's loop has closed: the reader is gone
            return False

    def _request(self, asked: bool, paths: frozenset[str] | None = None) -> bool:
        """Have the catalog refreshed: the whole library, or only ``paths``."""
        with self._refresh_lock:
            if self._catalog is None or self.closing:
                return False
            self._wanted = True
            self._asked = self._asked or asked
            if paths is None:
                self._whole = True
            else:
                self._paths.update(paths)
            if self._refreshing:
                return True  # the refresh running does one more
            self._refreshing = True
        # Workers start on the UI thread; this may be the watcher's.
        try:
            started = self.owner.call_later(self._start_refreshing)
        except RuntimeError:  # the app's loop has closed
            started = False
        if not started:
            with self._refresh_lock:
                self._refreshing = False
        return started

    def _start_refreshing(self) -> None:
        if not self.closing:
            self.owner.run_worker(self._refresh_while_wanted, thread=True, group="refresh")
        else:
            with self._refresh_lock:
                self._refreshing = False

    def _refresh_while_wanted(self) -> None:
        """Refresh until no refresh is wanted (a thread worker). Only one runs."""
        try:
            while True:
                with self._refresh_lock:
                    catalog = self._catalog
                    if not self._wanted or self.closing or catalog is None:
                        # Under the lock: a request from now on starts a refresh.
                        self._refreshing = False
                        return
                    asked = self._asked
                    paths = None if self._whole else self._paths
                    self._wanted = self._asked = self._whole = False
                    self._paths = set()
                try:
                    report = _refreshed(catalog, paths)
                    counts = read_counts(catalog, self.user, self.show_stubs)
                except (CatalogError, sqlite3.Error, OSError) as exc:
                    self._post(LoadFailed(str(exc), opened=True))
                    continue
                if asked or not report.unchanged or report.repaired:
                    self._post(LibraryRefreshed(report, counts, asked))
        except BaseException:
            with self._refresh_lock:
                self._refreshing = False
            raise

    def _watch(self, catalog: Catalog) -> None:
        """Refreshes may be asked for from now on; the library is watched from now on
        (called with a refresh running: the launch's)."""
        watcher = LibraryWatcher(
            self.root,
            self._changed,
            self._watch_unavailable,
            # The reader's own files, should the library hold them.
            ignore=[paths.cache_dir(), paths.data_dir(), paths.config_dir()],
        )
        with self._refresh_lock:
            if self.closing:
                return
            self._catalog = catalog
            self._refreshing = True
            self.watcher = watcher
        watcher.start()
        # Changes made from now on are seen: the refresh that follows misses none.
        watcher.wait_ready(WATCH_READY_WAIT)

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
        with self._refresh_lock:
            self.closing = True
            watcher = self.watcher
        self.list_shown.set()  # a refresh waiting for the first list: not needed now
        if watcher is not None:
            watcher.stop(timeout=0.5)  # within a few tens of ms (watch.py)

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
            opening = self._opening(catalog) if catalog.count() > 0 else None
        except CatalogDamaged:  # built again below, with the progress shown
            opening = None
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
        self._watch(catalog)
        opened = False
        try:
            opened = self._refresh_at_launch(catalog, opening, progress)
        finally:
            if opened:
                self._refresh_while_wanted()  # what changed meanwhile, if anything
            else:
                self._unwatch()

    def _refresh_at_launch(
        self, catalog: Catalog, opening: Opening | None, progress: Callable[[int, int], None]
    ) -> bool:
        """Bring the catalog up to date with the folder (a first build when ``opening``
        is None) and tell the screen; whether the library is open."""
        worker = get_current_worker()
        post = self.owner.post_message
        first_build = opening is None
        if first_build:
            post(LoadProgress(0, 0))  # before the files are listed: seconds when many
        try:
            report = catalog.refresh(progress if first_build else None)
            counts = None
            if opening is None:
                opening = self._opening(catalog)
            elif not report.unchanged:
                counts = read_counts(catalog, self.user, self.show_stubs)
        except _Closing:
            return False
        except (CatalogError, sqlite3.Error, OSError) as exc:
            post(LoadFailed(str(exc), opened=not first_build))
            return not first_build
        if worker.is_cancelled:
            return False
        if first_build:
            post(LibraryOpened(catalog, opening))
        elif counts is not None:
            post(LibraryRefreshed(report, counts))
        return True

    def _unwatch(self) -> None:
        """The library did not open: nothing to watch or refresh."""
        with self._refresh_lock:
            self._catalog, watcher, self.watcher = None, self.watcher, None
            self._refreshing = self._wanted = self._asked = self._whole = False
            self._paths = set()
        if watcher is not None:
            watcher.stop()


def _refreshed(catalog: Catalog, paths: set[str] | None) -> RefreshReport:
    """Refresh ``paths`` only (None: the whole library). Should that fail, for
    whatever reason, the whole library is refreshed: its errors are the ones said."""
    if paths is not None:
        try:
            return catalog.refresh(paths=paths)
        except Exception:  # a safety net: the full refresh says what is wrong, if anything
            pass
    return catalog.refresh()
