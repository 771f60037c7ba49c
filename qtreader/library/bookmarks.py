"""Bookmarks and reading history: per user, safe against crashes and a second process."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Protocol

from . import paths
from .store import JsonFile, StoreReadOnly
from .text import clean_line, clean_text

BOOKMARKS_VERSION = 1
HISTORY_VERSION = 1
HISTORY_LIMIT = 500

__all__ = ["Bookmark", "BookmarkStore", "HistoryEntry", "HistoryStore", "StoreReadOnly"]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class _ArticleLike(Protocol):
    key: str
    id: str
    title: str
    subject: str
    url: str


class _Lookup(Protocol):
    """What resolving needs from a catalog."""

    def rowid_for_key(self, key: str) -> int | None: ...
    def find_by_id_title(self, id_: str, title: str) -> int | None: ...


@dataclass
class Bookmark:
    library: str
    key: str
    id: str
    title: str
    subject: str
    url: str = ""
    added: str = ""
    note: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bookmark | None:
        try:
            values = {f.name: data.get(f.name, "") for f in fields(cls)}
            if not values["library"] or not values["key"]:
                return None
            cleaned = {k: clean_line(str(v)) for k, v in values.items() if k != "note"}
            return cls(**cleaned, note=clean_text(str(values["note"])))
        except (TypeError, AttributeError):
            return None


@dataclass
class HistoryEntry:
    library: str
    key: str
    title: str
    subject: str
    opened: str


def resolve_entry(catalog: _Lookup, key: str, url: str, id_: str, title: str) -> int | None:
    """Find a bookmarked article again after a re-index or a move: by key, url, id and title."""
    for ref in (key, url):
        if ref:
            rowid = catalog.rowid_for_key(ref)
            if rowid is not None:
                return rowid
    if id_ or title:
        return catalog.find_by_id_title(id_, title)
    return None


class BookmarkStore:
    """All bookmarks of this user, across libraries, in ``bookmarks.json``."""

    def __init__(self, path: Path | None = None):
        self.file = JsonFile(
            path or paths.bookmarks_file(),
            BOOKMARKS_VERSION,
            lambda: {"version": BOOKMARKS_VERSION, "bookmarks": []},
        )

    @property
    def read_only(self) -> bool:
        return self.file.read_only

    def take_messages(self) -> list[str]:
        return self.file.take_messages()

    @staticmethod
    def _parse(data: dict[str, Any]) -> list[Bookmark]:
        items = data.get("bookmarks")
        if not isinstance(items, list):
            return []
        parsed = (Bookmark.from_dict(i) for i in items if isinstance(i, dict))
        return [b for b in parsed if b is not None]

    def all(self, library: str | None = None) -> list[Bookmark]:
        """Bookmarks newest first (of one library, when given)."""
        items = self._parse(self.file.read())
        if library is not None:
            items = [b for b in items if b.library == library]
        # New bookmarks are appended: on a tie of dates, later in the file is newer.
        order = sorted(enumerate(items), key=lambda pair: (pair[1].added, pair[0]), reverse=True)
        return [b for _, b in order]

    def get(self, library: str, key: str) -> Bookmark | None:
        return next((b for b in self.all(library) if b.key == key), None)

    def keys(self, library: str) -> set[str]:
        return {b.key for b in self.all(library)}

    def add(self, bookmark: Bookmark) -> Bookmark:
        """Add (or keep) a bookmark; adding one that exists keeps its date and note."""
        if not bookmark.added:
            bookmark.added = _now()

        def change(data: dict[str, Any]) -> None:
            items = [b for b in self._parse(data)]
            if not any(b.library == bookmark.library and b.key == bookmark.key for b in items):
                items.append(bookmark)
            data["bookmarks"] = [asdict(b) for b in items]

        self.file.update(change)
        return self.get(bookmark.library, bookmark.key) or bookmark

    def add_article(self, library: str, article: _ArticleLike, note: str = "") -> Bookmark:
        return self.add(
            Bookmark(library, article.key, article.id, article.title, article.subject,
                     article.url, note=note)
        )  # fmt: skip

    def remove(self, library: str, key: str) -> Bookmark | None:
        removed: list[Bookmark] = []

        def change(data: dict[str, Any]) -> None:
            keep: list[Bookmark] = []
            for b in self._parse(data):
                (removed if b.library == library and b.key == key else keep).append(b)
            data["bookmarks"] = [asdict(b) for b in keep]

        self.file.update(change)
        return removed[0] if removed else None

    def toggle(self, library: str, article: _ArticleLike) -> bool:
        """Bookmark the article, or remove its bookmark. True when it is now bookmarked."""
        if self.get(library, article.key) is not None:
            self.remove(library, article.key)
            return False
        self.add_article(library, article)
        return True

    def set_note(self, library: str, key: str, note: str) -> None:
        def change(data: dict[str, Any]) -> None:
            items = self._parse(data)
            for b in items:
                if b.library == library and b.key == key:
                    b.note = clean_text(note)
            data["bookmarks"] = [asdict(b) for b in items]

        self.file.update(change)

    def merge(self, incoming: list[Bookmark]) -> int:
        """Add bookmarks that are not there yet; returns how many were new."""
        added = 0

        def change(data: dict[str, Any]) -> None:
            nonlocal added
            items = self._parse(data)
            have = {(b.library, b.key) for b in items}
            for b in incoming:
                if (b.library, b.key) not in have:
                    have.add((b.library, b.key))
                    items.append(b)
                    added += 1
            data["bookmarks"] = [asdict(b) for b in items]

        self.file.update(change)
        return added


class HistoryStore:
    """The last articles opened, newest first, across libraries."""

    def __init__(self, path: Path | None = None, limit: int = HISTORY_LIMIT):
        self.limit = limit
        self.file = JsonFile(
            path or paths.history_file(),
            HISTORY_VERSION,
            lambda: {"version": HISTORY_VERSION, "entries": []},
        )

    def take_messages(self) -> list[str]:
        return self.file.take_messages()

    @staticmethod
    def _parse(data: dict[str, Any]) -> list[HistoryEntry]:
        out = []
        items = data.get("entries")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("library") and item.get("key"):
                out.append(
                    HistoryEntry(
                        *(clean_line(str(item.get(f.name, ""))) for f in fields(HistoryEntry))
                    )
                )
        return out

    def all(self, library: str | None = None) -> list[HistoryEntry]:
        items = self._parse(self.file.read())
        return [h for h in items if library is None or h.library == library]

    def record(self, library: str, article: _ArticleLike) -> None:
        entry = HistoryEntry(library, article.key, article.title, article.subject, _now())

        def change(data: dict[str, Any]) -> None:
            items = [h for h in self._parse(data) if (h.library, h.key) != (library, article.key)]
            items.insert(0, entry)
            data["entries"] = [asdict(h) for h in items[: self.limit]]

        try:
            self.file.update(change)
        except (StoreReadOnly, OSError):
            pass  # history is a convenience: never interrupt reading for it
