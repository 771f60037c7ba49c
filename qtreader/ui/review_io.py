"""What the review screen's workers read and write (issue 23), off the UI thread:
the queue (after choosing what to study, if asked), a card's article, a grade.

Plain functions (no Textual) that never raise: what goes wrong is returned as a
sentence to show. The screen runs them in thread workers, one disk job at a time, and
reports back with messages. ``library.review`` (and with it the scheduler, ``fsrs``)
is imported when they first run, not with this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..library.bookmarks import resolve_entry
from ..library.store import StoreReadOnly
from ..library.text import clean_line

if TYPE_CHECKING:
    from ..library.bookmarks import BookmarkStore
    from ..library.catalog import Catalog
    from ..library.models import Article
    from ..library.review import Due, ReviewQueue, ReviewStore


@dataclass
class QueueRead:
    """A queue read for the screen: None if it could not be, ``error`` says why (or
    why a choice of what to study was not saved); ``names``: the names of the subjects
    studied, by key; ``told``: what the stores had to say (a damaged file kept aside)."""

    queue: ReviewQueue | None = None
    names: dict[str, str] = field(default_factory=dict)
    told: list[str] = field(default_factory=list)
    error: str | None = None


def read_queue(
    store: ReviewStore,
    catalog: Catalog,
    bookmarks: BookmarkStore,
    library: str,
    clock: Callable[[], dt.datetime],
    *,
    toggle_study: bool = False,
    include_stubs: bool = False,
) -> QueueRead:
    """What is due at ``clock()`` in ``library``, and new cards from what is studied;
    with ``toggle_study``, the bookmarks studied or no longer first."""
    from ..library.review import Study, review_queue

    read = QueueRead()
    try:
        if toggle_study:
            chosen = store.study()
            try:
                store.set_study(Study(not chosen.bookmarks, chosen.subjects))
            except (StoreReadOnly, OSError) as exc:
                read.error = unsaved_reason(store.path, "What you chose to study", exc)
        now = clock()
        study = store.study()
        marked = bookmarks.all(library) if study.bookmarks else []
        queue = review_queue(store, catalog, now, bookmarks=marked, include_stubs=include_stubs)
        read.queue = queue
        if queue.study.subjects:
            read.names = {s.key: s.name for s in catalog.subjects(True)}
    except Exception as exc:  # the catalog or a file: said, never a crash
        read.error = f"What is due could not be read: {exc}"
    read.told = store.take_messages() + bookmarks.take_messages()
    return read


def read_card(catalog: Catalog, due: Due) -> tuple[Article | None, str | None]:
    """The article of the card ``due`` (None: not in the library), or why it could not
    be read."""
    try:
        card = due.card
        if card is None:
            rowid = catalog.rowid_for_key(due.key)
        else:
            rowid = resolve_entry(catalog, card.key, card.url, card.id, card.title)
        return (catalog.article(rowid) if rowid is not None else None), None
    except Exception as exc:  # a damaged catalog: said, the card is skippable
        return None, f"“{clean_line(due.title)}” could not be read from the catalog: {exc}"


def save_grade(
    store: ReviewStore, due: Due, article: Article, grade: int, now: dt.datetime, duration: int
) -> tuple[list[str], str | None]:
    """Write ``grade`` (1-4) of the card ``due``, given at ``now`` after ``duration``
    milliseconds: what the store had to say, and why the grade was not saved (None:
    it was)."""
    error = None
    try:
        store.grade(article, grade, now, duration, card_key=due.key)
    except (StoreReadOnly, OSError) as exc:
        error = unsaved_reason(store.path, f"Your grade of “{clean_line(due.title)}”", exc)
    except Exception as exc:  # said, never a crash
        error = f"Your grade of “{clean_line(due.title)}” was not saved: {exc}"
    return store.take_messages(), error


def unsaved_reason(path: Path, what: str, exc: BaseException) -> str:
    """Why ``what`` was not saved in the review file ``path``, in words."""
    if isinstance(exc, StoreReadOnly):
        return (
            f"{what} was not saved: the review file {path} is read-only this session "
            "(see the message about it)."
        )
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
    return f"{what} was not saved: cannot write {path} ({reason})."
