"""The reader's state that is not drawing: scopes, back and forward, undo, search generations.

Plain Python (no Textual), so it is unit-tested without an app: the widgets hold
these objects and draw what they say.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..library.bookmarks import Bookmark


@dataclass(frozen=True, slots=True)
class Scope:
    """What the list shows: kind is "all", "bookmarks", "history" or "subject"."""

    kind: str = "all"
    subject: str | None = None  # subject key, for kind "subject"
    name: str = "All articles"

    @property
    def is_saved(self) -> bool:
        """A list of the user's own (bookmarks or history), not a catalog search."""
        return self.kind in ("bookmarks", "history")

    @property
    def session_subject(self) -> str | None:
        """How a session file names this scope: a subject key, "bookmarks",
        "history", or None for all articles."""
        return self.kind if self.is_saved else self.subject


ALL = Scope()
BOOKMARKS = Scope("bookmarks", None, "Bookmarks")
# Not "History": a library may have a subject of that name.
HISTORY = Scope("history", None, "Recently opened")
UNREAD = Scope("unread", None, "Unread")  # every article not read yet
REVIEW = Scope("review", None, "Review")  # what is up for review today (its own screen)


@dataclass
class Visit:
    """One article in the back/forward history, and where the reader was in it."""

    key: str
    scroll_y: float = 0.0
    focused_link: int | None = None  # the index of the focused stop (a link, a code block)


# What next_stop answers besides a stop's index.
VIEW = -1  # the article itself (no link marked)
LEAVE = -2  # the pane after (Tab) or before (Shift+Tab) the article


def next_stop(
    tops: list[int], current: int | None, view_top: int, height: int, forward: bool
) -> int:
    """Where Tab (``forward``) or Shift+Tab goes among an article's stops, as Lynx and
    w3m do: the stop after or before ``current`` while it is in sight; from the article
    itself, or a stop scrolled out of sight, the first stop in sight or below (Tab) or
    the last in sight or above (Shift+Tab). ``tops`` are the stops' first lines, in
    reading order; the view shows lines ``view_top`` to ``view_top + height - 1``."""
    bottom = view_top + height
    if current is not None and not 0 <= current < len(tops):
        current = None
    if current is not None and view_top <= tops[current] < bottom:
        step = current + (1 if forward else -1)
        if 0 <= step < len(tops):
            return step
        return LEAVE if forward else VIEW
    if forward:
        return next((n for n, top in enumerate(tops) if top >= view_top), LEAVE)
    if current is None:
        return LEAVE
    return next((n for n in reversed(range(len(tops))) if tops[n] < bottom), VIEW)


class Navigation:
    """Back and forward over every article opened, like a browser.

    Each visit keeps the scroll position and the focused link it was left with
    (:meth:`remember`), so going back returns to the same place.
    """

    def __init__(self) -> None:
        self.visits: list[Visit] = []
        self.index = -1

    @property
    def keys(self) -> list[str]:
        return [visit.key for visit in self.visits]

    @property
    def current(self) -> Visit | None:
        return self.visits[self.index] if 0 <= self.index < len(self.visits) else None

    def visit(self, key: str) -> None:
        """A new article opened: forward history is dropped. The same article twice
        in a row is one visit."""
        current = self.current
        if current is not None and current.key == key:
            return
        del self.visits[self.index + 1 :]
        self.visits.append(Visit(key))
        self.index = len(self.visits) - 1

    def remember(self, key: str, scroll_y: float, focused_link: int | None) -> None:
        """Where the reader is in the current article, kept for coming back to it.
        Ignored unless ``key`` is the current visit's (an article still opening)."""
        current = self.current
        if current is not None and current.key == key:
            current.scroll_y = scroll_y
            current.focused_link = focused_link

    def back(self) -> Visit | None:
        if self.index > 0:
            self.index -= 1
            return self.visits[self.index]
        return None

    def forward(self) -> Visit | None:
        if self.index + 1 < len(self.visits):
            self.index += 1
            return self.visits[self.index]
        return None


@dataclass(eq=False)
class Removal:
    """A bookmark removed with "d"; the bookmark itself is known once it is written."""

    key: str
    bookmark: Bookmark | None = None


@dataclass
class Removals:
    """Bookmarks removed with "d", newest last, for "u" to put back; and the keys
    whose removal is still being written (kept out of the list meanwhile)."""

    undoable: list[Removal] = field(default_factory=list)
    pending: set[str] = field(default_factory=set)

    def start(self, key: str) -> Removal | None:
        """A removal asked for; None if one of ``key`` is already being written."""
        if key in self.pending:
            return None
        removal = Removal(key)
        self.undoable.append(removal)  # "u" may come before the file is written
        self.pending.add(key)
        return removal

    def written(self, removal: Removal) -> None:
        """The removal is on disk. One that found no bookmark cannot be undone."""
        self.pending.discard(removal.key)
        if removal.bookmark is None and removal in self.undoable:
            self.undoable.remove(removal)

    def take_last(self) -> Removal | None:
        return self.undoable.pop() if self.undoable else None

    def __bool__(self) -> bool:
        return bool(self.undoable)


class SearchGenerations:
    """Numbers the searches: only the newest one's result is shown.

    Each search interrupts the older ones still running, unless it is older itself:
    its thread can start after a newer search has begun (Enter pressed as the
    debounced search fires), and must not abort that one. The check and the
    interrupt are one step under a lock; :meth:`start` runs on the UI thread.
    """

    def __init__(self) -> None:
        self.current = 0
        self._lock = threading.Lock()

    def start(self) -> int:
        with self._lock:
            self.current += 1
            return self.current

    def is_current(self, generation: int) -> bool:
        return generation == self.current

    def interrupt_older(self, generation: int, interrupt: Callable[[], None]) -> bool:
        """Call ``interrupt`` if ``generation`` is still the newest; False if it is not
        (a newer search has started: this one has nothing left to do)."""
        with self._lock:
            if generation != self.current:
                return False
            interrupt()
            return True
