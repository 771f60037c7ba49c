"""Reading progress: which articles of a library were read, kept in one file per library.

The guarantees are the bookmarks' (see store.py): every change is lock -> read what is
on disk -> change -> temp file -> fsync -> ``os.replace``, so two readers never lose
each other's marks and a crash leaves the old file or the new one, whole. A damaged
file is kept aside as ``<name>.corrupt-<time>`` and said once; a file of a newer
qtreader is read if it can be, and never written.

A mark keeps what finds its article again after files move: its key (the url, else
the file's path), url, id and title; :func:`resolve_marks` tries them in that order
(as bookmarks.resolve_entry does).

The file is compact, so that 150,000 marks load without a pause (the rows are not
parsed to load it)::

    qtreader-progress 1
    {"library": "...", "count": N, "dead": D, "crc32": C}
    N hashes of the keys, sorted (8 bytes each, little-endian)
    N offsets: where the row of each hash starts among the rows (8 bytes each)
    rows, one JSON array a line: [key, url or "" when it is the key, id, title, read]

Loading reads the file, checks the CRC of all after the header and takes the hashes
as an array. "Is it read" is a hash, a binary search and the parse of one row (the
key is compared, so two keys with one hash stay two marks). A new mark inserts its
hash and appends its row; a removed mark leaves its row behind (``dead``) until the
dead rows outnumber the live ones and the rows are written again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import time
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple, Protocol, TypeVar

from .. import paths
from ..bookmarks import resolve_entry
from ..models import ArticleRow
from ..store import StoreReadOnly, atomic_write, file_lock
from ..text import subject_key

__all__ = [
    "PROGRESS_VERSION",
    "LibraryProgress",
    "ProgressStore",
    "ReadMark",
    "ReadMarks",
    "ResolvedMarks",
    "StoreReadOnly",
    "SubjectProgress",
    "resolve_marks",
]

PROGRESS_VERSION = 1
_MAGIC = b"qtreader-progress"
_LITTLE = sys.byteorder == "little"
# More marks than this at once (an import) are sorted in, not inserted one by one.
_BULK = 256

Stamp = tuple[int, int, int]  # the file's inode, modification time (ns) and size
_T = TypeVar("_T")


class Markable(Protocol):
    """What marking needs of an article (an Article, an ArticleRow, a Bookmark...).
    ``url`` and ``id`` are taken too when it has them."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...


def key_hash(key: str) -> int:
    """A key's 64-bit hash, the same in every process (``hash()`` is not)."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class ReadMark(NamedTuple):
    """One article marked read: what finds it again, and when it was read (seconds
    since the epoch)."""

    key: str
    url: str = ""
    id: str = ""
    title: str = ""
    read: int = 0

    @classmethod
    def of(cls, article: Markable | ReadMark, read: float | None = None) -> ReadMark:
        if isinstance(article, ReadMark):
            return article if read is None else article._replace(read=int(read))
        return cls(
            article.key,
            str(getattr(article, "url", "") or ""),
            str(getattr(article, "id", "") or ""),
            article.title,
            int(time.time() if read is None else read),
        )

    def row(self) -> bytes:
        url = "" if self.url == self.key else self.url
        values = [self.key, url, self.id, self.title, self.read]
        text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", "surrogatepass")  # JSON escapes newlines: one line

    @classmethod
    def from_values(cls, values: object) -> ReadMark | None:
        """A mark from a row's values; None if they are not a mark's. (Exact type
        tests and no __new__ in Python: 150,000 rows are parsed for a whole list.)"""
        if type(values) is not list or len(values) < 5:
            return None
        key, url, id_, title, read = values[:5]
        if type(key) is not str or not key:
            return None
        if type(url) is not str or type(id_) is not str or type(title) is not str:
            return None
        if type(read) is not int:
            read = 0
        return _new_mark(cls, (key, url or key, id_, title, read))

    @classmethod
    def from_row(cls, raw: bytes) -> ReadMark | None:
        try:
            return cls.from_values(json.loads(raw.decode("utf-8", "surrogatepass")))
        except (ValueError, RecursionError):
            return None

    @property
    def read_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.read, dt.UTC)


_new_mark = _new_found = tuple.__new__


def _array(data: bytes | memoryview = b"") -> array:
    values = array("Q")
    values.frombytes(data)
    if not _LITTLE:
        values.byteswap()
    return values


def _bytes(values: array) -> bytes:
    if _LITTLE:
        return values.tobytes()
    swapped = array("Q", values)
    swapped.byteswap()
    return swapped.tobytes()


class ReadMarks:
    """One library's read marks as the file held them at one moment (``stamp``).

    Immutable: a change makes a new one. ``key in marks`` says whether an article is
    read (a few microseconds); the rows are parsed only for the marks asked about.
    The rows stay where they were read, in the file's bytes (no copy)."""

    __slots__ = ("_data", "_hashes", "_index", "_rows_at", "dead", "stamp")

    def __init__(
        self,
        hashes: array | None = None,
        index: array | None = None,
        data: bytes = b"",
        rows_at: int = 0,
        dead: int = 0,
        stamp: Stamp | None = None,
    ):
        self._hashes = hashes if hashes is not None else array("Q")
        self._index = index if index is not None else array("Q")
        self._data = data  # the rows are data[rows_at:]
        self._rows_at = rows_at
        self.dead = dead  # rows of removed marks, still in the file
        self.stamp = stamp  # the file's, when it was read (None: there was no file)

    def __len__(self) -> int:
        return len(self._hashes)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._position(key) is not None

    def _position(self, key: str) -> int | None:
        h = key_hash(key)
        hashes = self._hashes
        for p in range(bisect_left(hashes, h), bisect_right(hashes, h)):
            mark = self._mark_at(p)
            if mark is not None and mark.key == key:
                return p
        return None

    def _row(self, offset: int) -> bytes:
        start = self._rows_at + offset
        end = self._data.find(b"\n", start)
        return self._data[start:end] if end >= 0 else b""

    def _mark_at(self, p: int) -> ReadMark | None:
        return ReadMark.from_row(self._row(self._index[p]))

    def get(self, key: str) -> ReadMark | None:
        p = self._position(key)
        return None if p is None else self._mark_at(p)

    def _marks_at(self, positions: Sequence[int]) -> list[ReadMark | None]:
        """The marks at these positions: row by row for a few, in one parse for many
        (150,000 rows: 0.5 s instead of 1)."""
        if len(positions) < 2000:
            return [self._mark_at(p) for p in positions]
        lines = self._data[self._rows_at :].split(b"\n")
        line_at: dict[int, int] = {}
        offset = 0
        for n, line in enumerate(lines):
            line_at[offset] = n
            offset += len(line) + 1
        try:
            wanted = [lines[line_at[self._index[p]]] for p in positions]
            values = json.loads(b"[" + b",".join(wanted) + b"]")
        except (KeyError, ValueError, RecursionError):  # a row that does not parse
            return [self._mark_at(p) for p in positions]
        return [ReadMark.from_values(v) for v in values]

    def __iter__(self) -> Iterator[ReadMark]:
        """Every mark (in the order of their hashes): parses every row."""
        return (m for m in self._marks_at(range(len(self))) if m is not None)

    def keys(self) -> frozenset[str]:
        """Every key marked read (parses every row: for a caller that needs them all)."""
        return frozenset(m.key for m in self)


@dataclass(frozen=True)
class _Header:
    version: int
    count: int
    dead: int
    crc: int
    body_at: int  # where the hashes start


class _Damaged(Exception):
    pass


def _version(raw: bytes) -> int:
    """The format of a progress file, from its first line; _Damaged if it has none."""
    magic, _, version = raw[: raw.find(b"\n")].partition(b" ")
    if magic != _MAGIC or not version.isdigit() or len(version) > 9:
        raise _Damaged("it is not a qtreader progress file")
    return int(version)


def _header(raw: bytes) -> _Header:
    """The parts of a progress file; _Damaged says why it is not one."""
    first = raw.find(b"\n")
    second = raw.find(b"\n", first + 1)
    if first < 0 or second < 0:
        raise _Damaged("it has no header")
    try:
        meta = json.loads(raw[first + 1 : second])
    except (ValueError, RecursionError):
        raise _Damaged("its header is not JSON") from None
    if not isinstance(meta, dict):
        raise _Damaged("its header is not an object")

    def number(name: str) -> int:
        value = meta.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _Damaged(f"its header has no {name}")
        return value

    return _Header(_version(raw), number("count"), number("dead"), number("crc32"), second + 1)


def _marks(raw: bytes, stamp: Stamp | None) -> ReadMarks:
    header = _header(raw)
    count, at = header.count, header.body_at
    body = memoryview(raw)[at:]
    if len(body) < 16 * count or zlib.crc32(body) != header.crc:
        raise _Damaged("its checksum does not match")
    if count and not raw.endswith(b"\n"):
        raise _Damaged("its last row is cut")
    hashes = _array(body[: 8 * count])
    index = _array(body[8 * count : 16 * count])
    return ReadMarks(hashes, index, raw, at + 16 * count, header.dead, stamp)


class _Change:
    """The marks as one change makes them: hashes and offsets copied, new rows kept
    apart until the file is written."""

    def __init__(self, marks: ReadMarks):
        self.base = marks
        self.hashes = array("Q", marks._hashes)
        self.index = array("Q", marks._index)
        self.base_size = len(marks._data) - marks._rows_at
        self.added: list[bytes] = []  # each with its newline
        self.size = self.base_size
        self.dead = marks.dead
        self.changed = False

    def _row(self, offset: int) -> bytes:
        if offset < self.base_size:
            return self.base._row(offset)
        at = self.base_size
        for row in self.added:  # a row added by this change
            if at == offset:
                return row[:-1]
            at += len(row)
        return b""

    def _find(self, key: str, h: int) -> int | None:
        """Where ``key``'s mark is among the hashes, or None."""
        for p in range(bisect_left(self.hashes, h), bisect_right(self.hashes, h)):
            mark = ReadMark.from_row(self._row(self.index[p]))
            if mark is not None and mark.key == key:
                return p
        return None

    def _append(self, mark: ReadMark) -> int:
        row = mark.row() + b"\n"
        offset = self.size
        self.added.append(row)
        self.size += len(row)
        return offset

    def add(self, marks: Iterable[ReadMark]) -> int:
        fresh: dict[str, ReadMark] = {}
        for mark in marks:
            if mark.key and mark.key not in fresh:
                fresh[mark.key] = mark
        if len(fresh) > _BULK:
            return self._add_sorted(fresh)
        added = 0
        for key, mark in fresh.items():
            h = key_hash(key)
            if self._find(key, h) is None:
                p = bisect_right(self.hashes, h)
                self.hashes.insert(p, h)
                self.index.insert(p, self._append(mark))
                added += 1
        self.changed = self.changed or added > 0
        return added

    def _add_sorted(self, fresh: dict[str, ReadMark]) -> int:
        new: list[tuple[int, int]] = []
        for key, mark in fresh.items():
            h = key_hash(key)
            if self._find(key, h) is None:
                new.append((h, self._append(mark)))
        if new:
            pairs = sorted([*zip(self.hashes, self.index, strict=True), *new])
            self.hashes = array("Q", (h for h, _ in pairs))
            self.index = array("Q", (i for _, i in pairs))
            self.changed = True
        return len(new)

    def remove(self, keys: Iterable[str]) -> int:
        removed = 0
        for key in dict.fromkeys(keys):
            p = self._find(key, key_hash(key))
            if p is not None:
                del self.hashes[p]
                del self.index[p]
                self.dead += 1
                removed += 1
        self.changed = self.changed or removed > 0
        return removed

    def encode(self, library: str) -> tuple[bytes, ReadMarks]:
        """The file's bytes, and the marks they hold (whose rows stay in those bytes)."""
        base = self.base
        rows: list[bytes | memoryview] = [memoryview(base._data)[base._rows_at :], *self.added]
        index, dead = self.index, self.dead
        if dead and dead >= len(index):  # more dead rows than live ones: drop them
            kept = [self._row(offset) + b"\n" for offset in index]
            starts = accumulate((len(row) for row in kept[:-1]), initial=0) if kept else ()
            index = array("Q", starts)
            rows, dead = list(kept), 0
        assert len(index) == len(self.hashes)
        parts: list[bytes | memoryview] = [_bytes(self.hashes), _bytes(index), *rows]
        crc = 0
        for part in parts:
            crc = zlib.crc32(part, crc)
        meta = {"library": library, "count": len(index), "dead": dead, "crc32": crc}
        head = b"%s %d\n%s\n" % (_MAGIC, PROGRESS_VERSION, json.dumps(meta).encode("ascii"))
        data = b"".join([head, *parts])
        rows_at = len(head) + 16 * len(index)
        return data, ReadMarks(self.hashes, index, data, rows_at, dead)


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


# -- marks found in a catalog ----------------------------------------------------


class _Catalog(Protocol):
    """What resolving marks needs from a catalog."""

    def rowid_for_key(self, key: str) -> int | None: ...
    def find_by_id_title(self, id_: str, title: str) -> int | None: ...
    def rows(self, rowids: Sequence[int]) -> list[ArticleRow]: ...
    def count(self, include_stubs: bool = True) -> int: ...
    def list_rowids(
        self, subject: str | None = None, include_stubs: bool = False, sort: str = "title"
    ) -> Sequence[int]: ...


class _SubjectCount(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def count(self) -> int: ...


@dataclass(frozen=True)
class SubjectProgress:
    key: str
    name: str
    read: int
    total: int


@dataclass(frozen=True)
class LibraryProgress:
    """Read and total, for the library and for each subject (in the order given)."""

    read: int
    total: int
    subjects: tuple[SubjectProgress, ...]

    def subject(self, key: str) -> SubjectProgress | None:
        return next((s for s in self.subjects if s.key == key), None)


_Place = tuple[str, bool]  # an article's subject key and whether it is a stub
_MISSING = -1  # the rowid of a mark whose article is not in the catalog


class ResolvedMarks:
    """Read marks found in one catalog: which of its rows are read, and how many per
    subject. Immutable; made by :func:`resolve_marks`, which reuses a previous one so
    that only the marks that changed are looked up and counted.

    Lean, as 150,000 marks are kept for as long as a library is open: a row id per
    mark (by its key's hash), a subject per row read (shared tuples), and the few
    marks found under another key. (Two keys sharing a 64-bit hash count as one.)"""

    def __init__(self, marks: ReadMarks) -> None:
        self.marks = marks
        self._found: dict[int, int] = {}  # key hash -> rowid (_MISSING: not here)
        self._places: dict[int, _Place] = {}  # rowid of a read article -> its subject
        self._extra: dict[int, int] = {}  # rowid -> marks beyond the first that found it
        self._moved: dict[int, tuple[str, str]] = {}  # hash -> (key marked, key now)
        self._moved_keys: Counter[str] = Counter()  # keys now of articles that moved
        self._counts: Counter[_Place] = Counter()  # read articles per subject
        self.missing = 0  # marks whose article is not in the catalog

    def _copy(self, marks: ReadMarks) -> ResolvedMarks:
        new = ResolvedMarks(marks)
        new._found = dict(self._found)
        new._places = dict(self._places)
        new._extra = dict(self._extra)
        new._moved = dict(self._moved)
        new._moved_keys = Counter(self._moved_keys)
        new._counts = Counter(self._counts)
        new.missing = self.missing
        return new

    def _add(self, h: int, key: str, rowid: int, place: _Place, key_now: str) -> None:
        self._found[h] = rowid
        if rowid == _MISSING:
            self.missing += 1
            return
        if rowid in self._places:
            self._extra[rowid] = self._extra.get(rowid, 0) + 1
        else:
            self._places[rowid] = place
            self._counts[place] += 1
        if key_now != key:
            self._moved[h] = (key, key_now)
            self._moved_keys[key_now] += 1

    def _drop(self, h: int) -> None:
        rowid = self._found.pop(h)
        if rowid == _MISSING:
            self.missing -= 1
            return
        extra = self._extra.pop(rowid, 0)
        if extra > 1:
            self._extra[rowid] = extra - 1
        elif not extra:
            self._counts[self._places.pop(rowid)] -= 1
        moved = self._moved.pop(h, None)
        if moved is not None:
            self._moved_keys[moved[1]] -= 1
            if not self._moved_keys[moved[1]]:
                del self._moved_keys[moved[1]]

    @property
    def rowids(self) -> Set[int]:
        """The read articles' row ids (a view: cheap, and it never changes)."""
        return self._places.keys()

    def is_read(self, key: str) -> bool:
        """Whether the article of this key is read (by its key, or found again)."""
        return key in self._moved_keys or key in self.marks

    def marked_as(self, key: str) -> list[str]:
        """The keys the marks of the article of ``key`` are kept under: itself if it
        is marked, and the keys it had when it was marked, if it moved since (to mark
        it unread: ``ProgressStore.mark_unread``)."""
        moved = [old for old, now in self._moved.values() if now == key]
        return ([key] if key in self.marks else []) + moved

    def unread(self, rowids: Iterable[int]) -> list[int]:
        """``rowids`` without the read ones, in their order (a list's "hide read")."""
        read = self._places
        return [r for r in rowids if r not in read]

    def progress(
        self, subjects: Iterable[_SubjectCount], include_stubs: bool = False
    ) -> LibraryProgress:
        """Read out of total per subject, ``subjects`` being the catalog's counts
        (``catalog.subjects(include_stubs)``), and for the library (their sums)."""
        counts = self._counts
        shown = []
        for s in subjects:
            read = counts[(s.key, False)] + (counts[(s.key, True)] if include_stubs else 0)
            shown.append(SubjectProgress(s.key, s.name, min(read, s.count), s.count))
        return LibraryProgress(
            sum(s.read for s in shown), sum(s.total for s in shown), tuple(shown)
        )


# More new marks than these (a number, a share of the catalog) are found by reading
# every row of the catalog once, a few thousand at a time, instead of a query each.
_READ_ALL_AT = 1000
_READ_ALL_SHARE = 0.3
_CHUNK = 4000

# Where a mark's article is: its rowid, subject and key now.
_Where = tuple[int, _Place, str]


class _Places:
    """Subjects as shared tuples (150,000 rows have a few dozen subjects)."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._places: dict[_Place, _Place] = {}

    def of(self, row: ArticleRow) -> _Place:
        key = self._keys.get(row.subject)
        if key is None:
            key = self._keys[row.subject] = subject_key(row.subject)
        place = (key, row.is_stub)
        return self._places.setdefault(place, place)


def _by_lookups(catalog: _Catalog, marks: list[ReadMark], places: _Places) -> list[_Where]:
    """Each mark's article, by its key, url, then id and title: queries a mark."""
    rowids = [resolve_entry(catalog, m.key, m.url, m.id, m.title) for m in marks]
    wanted = sorted({r for r in rowids if r is not None})
    rows = {row.rowid: row for row in catalog.rows(wanted)} if wanted else {}
    found: list[_Where] = []
    for rowid in rowids:
        row = rows.get(rowid) if rowid is not None else None
        found.append(
            (_MISSING, ("", False), "") if row is None else (row.rowid, places.of(row), row.key)
        )
    return found


def _read_all(
    catalog: _Catalog,
    marks: ReadMarks,
    wanted: set[int] | None,
    resolved: ResolvedMarks,
    places: _Places,
) -> array:
    """Find the marks (at the positions ``wanted``; None: all) whose key is an
    article's by reading every row of the catalog once, a few thousand at a time, the
    smallest rowid of a key (as rowid_for_key). A mark's key is compared in its row's
    bytes, not parsed: 150,000 marks must not leave 150,000 objects behind. Returns
    the rowid found at each position (_MISSING: none)."""
    hashes, index, data, rows_at = marks._hashes, marks._index, marks._data, marks._rows_at
    matched = array("q", [_MISSING]) * len(hashes)
    rowids = catalog.list_rowids(None, True)
    for start in range(0, len(rowids), _CHUNK):
        for row in catalog.rows(list(rowids[start : start + _CHUNK])):
            h = key_hash(row.key)
            first = bisect_left(hashes, h)
            if first == len(hashes) or hashes[first] != h:
                continue
            text = json.dumps(row.key, ensure_ascii=False)
            start_of_row = b"[" + text.encode("utf-8", "surrogatepass") + b","
            for p in range(first, bisect_right(hashes, h)):
                if wanted is not None and p not in wanted:
                    continue
                if not data.startswith(start_of_row, rows_at + index[p]):
                    continue  # another key of this hash
                before = matched[p]
                if before == _MISSING and h in resolved._found:
                    continue  # a second key of one hash: counted as one
                if before != _MISSING:
                    if before < row.rowid:
                        continue
                    resolved._drop(h)  # a copy of a smaller rowid
                matched[p] = row.rowid
                resolved._add(h, row.key, row.rowid, places.of(row), row.key)
    return matched


_WINDOW_MOST = 4096


def _window(old: array, new: array) -> tuple[int, int, int]:
    """``(a, b, c)``: ``old[a:b]`` and ``new[a:c]`` hold every difference between two
    sorted arrays (what is before ``a`` and after them is the same). Found by halving,
    bytes against bytes: a few ms for 150,000, where a loop over them took 100."""
    ob, nb = old.tobytes(), new.tobytes()
    shortest = min(len(old), len(new))
    low, high = 0, shortest
    while low < high:  # the longest common start
        middle = (low + high + 1) // 2
        if ob[: 8 * middle] == nb[: 8 * middle]:
            low = middle
        else:
            high = middle - 1
    start = low
    low, high = 0, shortest - start
    while low < high:  # the longest common end, after the start
        middle = (low + high + 1) // 2
        if ob[len(ob) - 8 * middle :] == nb[len(nb) - 8 * middle :]:
            low = middle
        else:
            high = middle - 1
    return start, len(old) - low, len(new) - low


def resolve_marks(
    catalog: _Catalog, marks: ReadMarks, previous: ResolvedMarks | None = None
) -> ResolvedMarks:
    """Find each mark's article in ``catalog``: by its key, url, id and title.

    ``previous``: what this returned for the same catalog, unchanged since (not
    refreshed): only the marks added or removed since are looked up and counted (one
    more mark among 150,000: ~0.1 s). From nothing, 150,000 marks take seconds of
    catalog reads: call it off the UI thread."""
    hashes = marks._hashes
    positions: Sequence[int]
    wanted: set[int] | None = None
    if previous is None:
        resolved = ResolvedMarks(marks)
        positions = range(len(hashes))
    else:
        resolved = previous._copy(marks)
        known = resolved._found
        first, old_end, new_end = _window(previous.marks._hashes, hashes)
        if old_end - first + new_end - first > _WINDOW_MOST:  # changes all over
            gone: Iterable[int] = known.keys() - set(hashes)
            positions = [p for p, h in enumerate(hashes) if h not in known]
        else:  # a few changes, next to each other (one mark, say): the rest is as it was
            gone = set(previous.marks._hashes[first:old_end]) - set(hashes[first:new_end])
            positions = [p for p in range(first, new_end) if hashes[p] not in known]
        for h in gone:  # marks removed since
            if h in known:
                resolved._drop(h)
        wanted = set(positions)
    places = _Places()
    rest: Sequence[int] = positions
    if len(positions) > _READ_ALL_AT and len(positions) > _READ_ALL_SHARE * catalog.count():
        matched = _read_all(catalog, marks, wanted, resolved, places)
        rest = [p for p in positions if matched[p] == _MISSING]
    parsed = [(p, m) for p, m in zip(rest, marks._marks_at(rest), strict=True) if m is not None]
    looked_up = _by_lookups(catalog, [m for _, m in parsed], places)
    for (p, mark), where in zip(parsed, looked_up, strict=True):
        if hashes[p] not in resolved._found:  # (a second key of one hash: counted as one)
            resolved._add(hashes[p], mark.key, *where)
    return resolved
