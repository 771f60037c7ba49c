"""The read-marks file's compact format: ReadMark, ReadMarks and the change that writes them.

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

:class:`~.store.ProgressStore` reads and writes these files; :mod:`.resolve` finds
the marks' articles in a catalog.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple, Protocol

PROGRESS_VERSION = 1
_MAGIC = b"qtreader-progress"
_LITTLE = sys.byteorder == "little"
# More marks than this at once (an import) are sorted in, not inserted one by one.
_BULK = 256

Stamp = tuple[int, int, int]  # the file's inode, modification time (ns) and size


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


_new_mark = tuple.__new__


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
