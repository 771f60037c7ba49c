"""ProgressStore: one library's read marks on disk, changed under a lock and written whole.

The guarantees are the bookmarks' (see ``qtreader.library.store``): every change is
lock -> read what is on disk -> change -> temp file -> fsync -> ``os.replace``, so two
readers never lose each other's marks and a crash leaves the old file or the new one,
whole. A damaged file is kept aside as ``<name>.corrupt-<time>`` and said once; a file
of a newer qtreader is read if it can be, and never written. The file's bytes are
:mod:`.format`'s.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from .. import paths
from ..store import StoreReadOnly, atomic_write, file_lock
from .format import (
    PROGRESS_VERSION,
    Markable,
    ReadMark,
    ReadMarks,
    Stamp,
    _Change,
    _Damaged,
    _marks,
    _version,
)

_T = TypeVar("_T")


def _stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_ino, info.st_mtime_ns, info.st_size)


class ProgressStore:
    """The read marks of one library (``library``: its folder, as bookmarks name it).

    Safe from several threads and processes. Reading is cheap when the file has not
    changed since the last read (one ``stat``): :meth:`load` returns the same
    :class:`ReadMarks`, so a watcher can call it every few seconds."""

    def __init__(self, library: str | Path, path: Path | None = None):
        self.library = str(library)
        self.path = Path(path) if path is not None else paths.progress_file(Path(library))
        self.read_only = False
        self.messages: list[str] = []  # what the user should be told, once
        self._last: ReadMarks | None = None

    def take_messages(self) -> list[str]:
        messages, self.messages = self.messages, []
        return messages

    # -- reading ---------------------------------------------------------------

    def stamp(self) -> Stamp | None:
        """The file's identity, modification time and size (None: no file): what
        changed on disk, for a watcher. Cheap: one ``stat``."""
        try:
            return _stamp_of(self.path.stat())
        except OSError:
            return None

    def changed(self, marks: ReadMarks) -> bool:
        """Whether the file is no longer the one ``marks`` were read from."""
        return self.stamp() != marks.stamp

    def load(self) -> ReadMarks:
        """The marks as they are on disk now (the last ones read, if unchanged)."""
        last = self._last
        stamp = self.stamp()
        if last is not None and last.stamp == stamp:
            return last
        if stamp is None:
            marks = ReadMarks()
        else:
            with file_lock(self.path):
                marks = self._read_unlocked()
        self._last = marks
        return marks

    def is_read(self, key: str) -> bool:
        return key in self.load()

    def _read_unlocked(self) -> ReadMarks:
        try:
            with open(self.path, "rb") as handle:
                stamp = _stamp_of(os.fstat(handle.fileno()))
                raw = handle.read()
        except FileNotFoundError:
            return ReadMarks()
        except OSError as exc:
            self._unreadable(f"{self.path} cannot be read ({exc.strerror or exc})")
            return ReadMarks()
        try:
            version = _version(raw)
        except _Damaged as exc:
            return self._set_aside(str(exc))
        if version > PROGRESS_VERSION:  # never moved aside, never written
            if not self.read_only:
                self.messages.append(
                    f"{self.path} was written by a newer qtreader (format {version}); "
                    "it is shown read-only and will not be changed."
                )
            self.read_only = True
            try:
                return _marks(raw, stamp)  # the same layout, perhaps
            except _Damaged:
                return ReadMarks(stamp=stamp)
        try:
            return _marks(raw, stamp)
        except _Damaged as exc:
            return self._set_aside(str(exc))

    def _unreadable(self, why: str) -> None:
        self.read_only = True
        self.messages.append(f"{why}; changes will not be saved this session.")

    def _set_aside(self, why: str) -> ReadMarks:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            self._unreadable(
                f"{self.path} is damaged ({why}) and could not be moved aside "
                f"({exc.strerror or exc})"
            )
            return ReadMarks()
        self.messages.append(
            f"{self.path} was damaged ({why}); it was kept as {aside} and a new one started."
        )
        return ReadMarks()

    # -- changing --------------------------------------------------------------

    def _update(self, change: Callable[[_Change], _T]) -> _T:
        with file_lock(self.path):
            last = self._last
            if last is not None and last.stamp is not None and last.stamp == self.stamp():
                current = last  # read (and checked) already: no other writer since
            else:
                current = self._read_unlocked()
            if self.read_only:
                raise StoreReadOnly(self.messages[-1] if self.messages else str(self.path))
            changing = _Change(current)
            result = change(changing)
            if changing.changed:
                data, marks = changing.encode(self.library)
                atomic_write(self.path, data)
                marks.stamp = self.stamp()
                self._last = marks
            else:
                self._last = current
            return result

    def mark_read(self, articles: Iterable[Markable | ReadMark], at: float | None = None) -> int:
        """Mark articles read (at ``at``, seconds since the epoch; now by default; a
        ReadMark keeps its own time unless ``at`` is given). Returns how many were not
        read before; those already read keep their first time."""
        marks = [ReadMark.of(a, at) for a in articles]
        return self._update(lambda change: change.add(marks))

    def mark_unread(self, keys: Iterable[str]) -> int:
        """Returns how many of these keys were read."""
        wanted = list(keys)
        return self._update(lambda change: change.remove(wanted))

    def toggle(
        self, article: Markable, at: float | None = None, aliases: Iterable[str] = ()
    ) -> bool:
        """Mark the article read, or unread if it was. True when it is now read.

        ``aliases``: the other keys its marks are kept under (an article found again
        after its key changed: ``ResolvedMarks.marked_as(article.key)``)."""
        keys = [article.key, *aliases]

        def toggle(change: _Change) -> bool:
            if change.remove(keys):
                return False
            change.add([ReadMark.of(article, at)])
            return True

        return self._update(toggle)

    def merge(self, marks: Iterable[ReadMark]) -> int:
        """Add marks that are not there yet (an import), with their own times."""
        return self.mark_read(list(marks))
