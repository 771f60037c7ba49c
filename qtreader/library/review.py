"""Review by question: a card per article, scheduled by FSRS (the ``fsrs`` package).

One JSON file per library (see store.py: lock, atomic replace, damaged file kept
aside, newer format never written) holds the cards, what the user chose to study
(their bookmarks, subjects) and the last grades given. A card keeps what finds its
article again after files move: key, url, id and title (bookmarks.resolve_entry).

Every card that is due is reviewed, whatever made it a card (a choice to study, or
an article graded while reading): the scheduler's promise is to bring a question back
when it would be forgotten. What the user chose to study is where *new* cards come
from, a few a day (:func:`review_queue`).

Time is always passed in (an aware datetime), so that tests can say when "now" is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from fsrs import Card, Rating, Scheduler, State

from . import paths
from .bookmarks import resolve_entry
from .models import ArticleRow
from .store import JsonFile, StoreReadOnly
from .text import clean_line, subject_key

__all__ = [
    "NEW_PER_DAY",
    "REVIEW_VERSION",
    "Due",
    "Rating",
    "ReviewCard",
    "ReviewQueue",
    "ReviewState",
    "ReviewStore",
    "StoreReadOnly",
    "Study",
    "end_of_day",
    "rating",
    "review_queue",
]

REVIEW_VERSION = 1
NEW_PER_DAY = 20  # new cards a day, from what the user chose to study
REVIEW_LOG_LIMIT = 10_000  # grades kept (for a future optimiser of the scheduler)

_RATINGS = {r.name.lower(): r for r in Rating}
_Stamp = tuple[int, int, int]


def rating(value: Rating | str | int) -> Rating:
    """A grade from its name ("again", "hard", "good", "easy"), its number (1-4) or
    itself; ValueError for anything else."""
    if isinstance(value, Rating):
        return value
    if isinstance(value, str):
        found = _RATINGS.get(value.strip().lower())
        if found is None:
            raise ValueError(f"a grade is again, hard, good or easy, not {value!r}")
        return found
    return Rating(value)


def _utc(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the time must be timezone-aware")
    return now.astimezone(dt.UTC)


def end_of_day(now: dt.datetime) -> dt.datetime:
    """The end of ``now``'s day, in ``now``'s own time zone ("due today")."""
    day = now.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), now.tzinfo) - dt.timedelta(microseconds=1)


class Markable(Protocol):
    """What a card needs of an article (an Article, an ArticleRow, a Bookmark...);
    ``url``, ``id`` and ``subject`` are taken too when it has them."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...


@dataclass(frozen=True)
class Study:
    """What the user chose to study: their bookmarks, and subjects (by key)."""

    bookmarks: bool = False
    subjects: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.bookmarks or bool(self.subjects)

    @classmethod
    def from_dict(cls, data: object) -> Study:
        if not isinstance(data, dict):
            return cls()
        subjects = data.get("subjects")
        keys = (
            [subject_key(s) for s in subjects if isinstance(s, str)]
            if isinstance(subjects, list)
            else []
        )
        return cls(data.get("bookmarks") is True, tuple(dict.fromkeys(k for k in keys if k)))

    def to_dict(self) -> dict[str, Any]:
        return {"bookmarks": self.bookmarks, "subjects": list(self.subjects)}


@dataclass
class ReviewCard:
    """An article's card: what finds the article again, and its FSRS card."""

    key: str
    url: str
    id: str
    title: str
    subject: str
    card: Card
    added: dt.datetime  # its first grade

    @property
    def due(self) -> dt.datetime:
        return self.card.due

    @property
    def state(self) -> State:
        return self.card.state

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "url": "" if self.url == self.key else self.url,
            "id": self.id,
            "title": self.title,
            "subject": self.subject,
            "added": self.added.isoformat(),
            "card": self.card.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> ReviewCard | None:
        """A card from the file, or None if the entry is not one (it is dropped)."""
        if not isinstance(data, dict) or not isinstance(data.get("key"), str) or not data["key"]:
            return None
        try:
            card = Card.from_dict(data["card"])
            added = dt.datetime.fromisoformat(data["added"])
            if card.due.tzinfo is None or added.tzinfo is None:
                return None
            if card.step is not None and type(card.step) is not int:
                return None  # fsrs would fail at its next grade
            texts = [str(data.get(name) or "") for name in ("url", "id", "title", "subject")]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        url, id_, title, subject = texts
        return cls(data["key"], url or data["key"], id_, clean_line(title), clean_line(subject),
                   card, added)  # fmt: skip


@dataclass(frozen=True)
class ReviewState:
    """The review file of a library as read at one moment (``stamp``)."""

    cards: dict[str, ReviewCard] = field(default_factory=dict)
    study: Study = Study()
    reviews: tuple[dict[str, Any], ...] = ()  # the last grades: key, rating, at, duration
    stamp: _Stamp | None = None

    def due(self, until: dt.datetime) -> list[ReviewCard]:
        """Cards due by ``until``, the earliest first."""
        limit = _utc(until)
        found = [c for c in self.cards.values() if c.due <= limit]
        return sorted(found, key=lambda c: (c.due, c.title.casefold(), c.key))

    def next_due(self, after: dt.datetime) -> dt.datetime | None:
        limit = _utc(after)
        return min((c.due for c in self.cards.values() if c.due > limit), default=None)

    def new_on(self, day: dt.datetime) -> int:
        """How many cards were first graded on ``day``'s date (in its time zone)."""
        zone, date = day.tzinfo, day.date()
        return sum(c.added.astimezone(zone).date() == date for c in self.cards.values())


def _stamp(path: Path) -> _Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


class ReviewStore:
    """The review cards of one library (``library``: its folder, as bookmarks name it)."""

    def __init__(
        self, library: str | Path, path: Path | None = None, scheduler: Scheduler | None = None
    ):
        self.library = str(library)
        self.scheduler = scheduler or Scheduler()
        self.file = JsonFile(
            path if path is not None else paths.review_file(Path(library)),
            REVIEW_VERSION,
            lambda: {"version": REVIEW_VERSION, "library": self.library, "cards": []},
        )
        self._last: ReviewState | None = None

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def read_only(self) -> bool:
        return self.file.read_only

    def take_messages(self) -> list[str]:
        return self.file.take_messages()

    def stamp(self) -> _Stamp | None:
        """What changed on disk, for a watcher: one ``stat`` (None: no file)."""
        return _stamp(self.path)

    def changed(self, state: ReviewState) -> bool:
        return self.stamp() != state.stamp

    @staticmethod
    def _parse(data: dict[str, Any], stamp: _Stamp | None = None) -> ReviewState:
        items = data.get("cards")
        cards: dict[str, ReviewCard] = {}
        for item in items if isinstance(items, list) else []:
            card = ReviewCard.from_dict(item)
            if card is not None:
                cards.setdefault(card.key, card)
        reviews = data.get("reviews")
        kept = tuple(r for r in reviews if isinstance(r, dict)) if isinstance(reviews, list) else ()
        return ReviewState(cards, Study.from_dict(data.get("study")), kept, stamp)

    def load(self) -> ReviewState:
        """The cards as they are on disk now (the last ones read, if unchanged)."""
        last, stamp = self._last, self.stamp()
        if last is not None and last.stamp == stamp:
            return last
        state = self._parse(self.file.read(), stamp)
        self._last = state
        return state

    def _write(self, state: ReviewState, data: dict[str, Any]) -> None:
        data["library"] = self.library
        data["study"] = state.study.to_dict()
        data["cards"] = [c.to_dict() for c in state.cards.values()]
        data["reviews"] = list(state.reviews[-REVIEW_LOG_LIMIT:])

    def study(self) -> Study:
        return self.load().study

    def set_study(self, study: Study) -> None:
        """Record what the user chose to study (their bookmarks, subjects)."""

        def change(data: dict[str, Any]) -> None:
            state = self._parse(data)
            self._write(
                ReviewState(state.cards, Study.from_dict(study.to_dict()), state.reviews), data
            )

        self.file.update(change)

    def card(self, key: str) -> ReviewCard | None:
        return self.load().cards.get(key)

    def grade(
        self,
        article: Markable,
        grade: Rating | str | int,
        now: dt.datetime,
        duration_ms: int | None = None,
        card_key: str | None = None,
    ) -> ReviewCard:
        """Grade the article's card (made at its first grade) and schedule its next
        review with FSRS. ``now``: when it was graded (aware). ``card_key``: the key
        the card is kept under, when it is not the article's (``Due.key`` of a card
        whose article moved since)."""
        given = rating(grade)
        when = _utc(now)
        key = card_key or article.key
        graded: list[ReviewCard] = []

        def change(data: dict[str, Any]) -> None:
            state = self._parse(data)
            cards = dict(state.cards)
            current = cards.get(key)
            if current is None:
                ids = {c.card.card_id for c in cards.values()}
                card_id = int(when.timestamp() * 1000)
                while card_id in ids:
                    card_id += 1
                current = ReviewCard(
                    key,
                    str(getattr(article, "url", "") or "") or article.key,
                    str(getattr(article, "id", "") or ""),
                    clean_line(article.title),
                    clean_line(str(getattr(article, "subject", "") or "")),
                    Card(card_id=card_id, due=when),
                    when,
                )
            card, log = self.scheduler.review_card(current.card, given, when, duration_ms)
            updated = ReviewCard(current.key, current.url, current.id, current.title,
                                 current.subject, card, current.added)  # fmt: skip
            cards[key] = updated
            entry = {"key": key, **log.to_dict()}
            self._write(ReviewState(cards, state.study, (*state.reviews, entry)), data)
            graded.append(updated)

        self.file.update(change)
        return graded[0]

    def forget(self, key: str) -> bool:
        """Remove the card of ``key`` (the question is no longer reviewed)."""
        removed: list[bool] = []

        def change(data: dict[str, Any]) -> None:
            state = self._parse(data)
            cards = {k: c for k, c in state.cards.items() if k != key}
            removed.append(len(cards) != len(state.cards))
            self._write(ReviewState(cards, state.study, state.reviews), data)

        self.file.update(change)
        return removed[0]

    def due(self, now: dt.datetime) -> list[ReviewCard]:
        """The cards due by ``now``, the earliest first."""
        return self.load().due(now)


# -- what to review now, with the catalog ---------------------------------------------


class _Catalog(Protocol):
    def rowid_for_key(self, key: str) -> int | None: ...
    def find_by_id_title(self, id_: str, title: str) -> int | None: ...
    def rows(self, rowids: Sequence[int]) -> list[ArticleRow]: ...
    def list_rowids(
        self, subject: str | None = None, include_stubs: bool = False, sort: str = "title"
    ) -> Sequence[int]: ...


class _Entry(Protocol):
    """A bookmark, as far as studying needs it."""

    key: str
    url: str
    id: str
    title: str


@dataclass(frozen=True)
class Due:
    """One question to review: a card that is due, or a new one (``card`` None)."""

    key: str
    title: str
    subject: str
    due: dt.datetime | None  # None: new, never graded
    rowid: int | None  # in the catalog now; None: its article is not in the library
    card: ReviewCard | None


@dataclass(frozen=True)
class ReviewQueue:
    """What to review: cards due (earliest first), then new ones from what the user
    chose to study (up to the day's allowance)."""

    due: tuple[Due, ...]
    new: tuple[Due, ...]
    next_due: dt.datetime | None  # when the next card after these is due
    study: Study

    def __len__(self) -> int:
        return len(self.due) + len(self.new)

    def __iter__(self) -> Iterator[Due]:
        return iter((*self.due, *self.new))


def review_queue(
    store: ReviewStore | ReviewState,
    catalog: _Catalog,
    now: dt.datetime,
    *,
    until: dt.datetime | None = None,
    bookmarks: Iterable[_Entry] = (),
    new_per_day: int = NEW_PER_DAY,
    include_stubs: bool = False,
) -> ReviewQueue:
    """The cards due by ``until`` (``now`` by default; ``end_of_day(now)`` for
    "today"), and new cards from what the user chose to study: their ``bookmarks``
    (pass ``BookmarkStore.all(library)``) and subjects, up to ``new_per_day`` less
    the cards first graded on ``now``'s day. Titles and subjects are the catalog's
    when the article is found there. Reads the catalog: call it off the UI thread."""
    state = store.load() if isinstance(store, ReviewStore) else store
    due_cards = state.due(until or now)
    found = {c.key: resolve_entry(catalog, c.key, c.url, c.id, c.title) for c in due_cards}
    rows = {r.rowid: r for r in catalog.rows(sorted({r for r in found.values() if r is not None}))}
    due: list[Due] = []
    seen: set[int] = set()
    for c in due_cards:
        rowid = found[c.key]
        row = rows.get(rowid) if rowid is not None else None
        if rowid is not None and rowid in seen:
            continue  # two cards of one article (it moved): the first due is enough
        if rowid is not None:
            seen.add(rowid)
        title, subject = (row.title, row.subject) if row is not None else (c.title, c.subject)
        due.append(Due(c.key, title, subject, c.due, rowid if row is not None else None, c))
    allowance = max(0, new_per_day - state.new_on(now))
    new = _new_cards(state, catalog, bookmarks, allowance, include_stubs) if allowance else []
    return ReviewQueue(tuple(due), tuple(new), state.next_due(until or now), state.study)


def _new_cards(
    state: ReviewState,
    catalog: _Catalog,
    bookmarks: Iterable[_Entry],
    allowance: int,
    include_stubs: bool,
) -> list[Due]:
    """Up to ``allowance`` studied articles that have no card yet: bookmarks first
    (in the order given), then each subject's articles in title order."""
    carded = set(state.cards) | {c.url for c in state.cards.values()}
    new: list[Due] = []
    taken: set[int] = set()

    def take(rows: Iterable[ArticleRow]) -> bool:
        """Add the rows that have no card; True when the allowance is reached."""
        for row in rows:
            if row.rowid in taken or row.key in carded or (row.is_stub and not include_stubs):
                continue
            taken.add(row.rowid)
            new.append(Due(row.key, row.title, row.subject, None, row.rowid, None))
            if len(new) >= allowance:
                return True
        return False

    if state.study.bookmarks:
        wanted = [resolve_entry(catalog, b.key, b.url, b.id, b.title) for b in bookmarks]
        rowids = [r for r in dict.fromkeys(wanted) if r is not None]
        if take(catalog.rows(rowids)):
            return new
    for subject in state.study.subjects:
        listed = catalog.list_rowids(subject, include_stubs)
        for start in range(0, len(listed), 200):  # a few rows at a time: a subject is large
            if take(catalog.rows(list(listed[start : start + 200]))):
                return new
    return new
