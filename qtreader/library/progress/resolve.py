"""Read marks found in a catalog: which of its rows are read, and how many per subject.

A mark keeps what finds its article again after files move: its key (the url, else
the file's path), url, id and title; :func:`resolve_marks` tries them in that order
(as bookmarks.resolve_entry does), and reuses its previous result so that only the
marks that changed are looked up and counted.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from typing import Protocol

from ..bookmarks import resolve_entry
from ..models import ArticleRow
from ..text import subject_key
from .format import ReadMark, ReadMarks, key_hash


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
