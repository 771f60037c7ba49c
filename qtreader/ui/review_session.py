"""Where the review (issue 23) is, as plain Python: the queue built last, the card on
screen and whether its answer is shown, the articles read for the cards, what was
skipped or graded on this screen. The review screen (ui/screens/review.py) keeps one,
changes it as keys and its workers' messages arrive, and draws it; nothing here draws,
reads a file or imports Textual. Unit-tested in tests/unit/test_review_session.py."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..library.models import Article
    from ..library.review import Due, ReviewQueue

READ_AHEAD = 2  # the articles read at a time: the card's and the next one's
# While nothing is due, the screen looks again when the next card falls due, if that
# is within this many seconds (a card graded "again" comes back a minute later).
WAKE_WITHIN = 3600.0


class ReviewSession:
    """The state of one review screen."""

    def __init__(self) -> None:
        self.ready = False  # the first queue is built
        self.building = False  # a queue is being built
        self.generation = 0  # of the queue: what workers read for an older one is dropped
        self.queue: ReviewQueue | None = None
        self.names: dict[str, str] = {}  # subject names by key, for what is studied
        self.error: str | None = None  # why the last queue could not be built
        self.new_per_day = 0  # the store's allowance, read with the first queue
        self.cards: list[Due] = []  # due ones first, then new ones
        self.due_count = 0
        self.index = 0  # the card on screen; len(cards): none left
        self.revealed = False  # its answer is shown
        self.shown_key: str | None = None  # the card on screen
        self.shown_at = 0.0  # since when (for the grade's duration)
        self._articles: dict[str, Article | None] = {}  # None: not in the library
        self._requested: set[str] = set()
        self.pending = 0  # grades being written
        self.reviewed = 0  # grades given on this screen
        # Not shown again on this screen: skipped, or graded without being saved.
        self.set_aside: set[str] = set()

    # -- the queue ---------------------------------------------------------------

    def build(self) -> int:
        """A queue is asked for: its generation."""
        self.generation += 1
        self.building = True
        return self.generation

    def built(self, queue: ReviewQueue | None, names: dict[str, str], error: str | None) -> None:
        """The queue asked for last (None: it could not be built, ``error`` says why):
        its cards from the first, less those set aside."""
        self.ready = True
        self.building = False
        self.error = error if queue is None else None
        self.queue = queue
        self.names = names
        due = [d for d in queue.due if d.key not in self.set_aside] if queue else []
        new = [d for d in queue.new if d.key not in self.set_aside] if queue else []
        self.cards, self.due_count, self.index = due + new, len(due), 0
        self.revealed, self.shown_key = False, None
        self._articles.clear()
        self._requested.clear()

    @property
    def settled(self) -> bool:
        """The queue is built, and no grade is being written."""
        return self.ready and not self.building and not self.pending

    @property
    def current(self) -> Due | None:
        """The card on screen; None at the end of the queue."""
        return self.cards[self.index] if self.index < len(self.cards) else None

    def next(self) -> bool:
        """On to the next card, its answer hidden. True when that was the last one and
        no grade is being written: time to build the queue again."""
        self.index += 1
        self.revealed = False
        return self.current is None and self.pending == 0

    def skip(self) -> bool:
        """The card on screen set aside (not shown again here); on to the next (as
        :meth:`next`)."""
        if self.current is not None:
            self.set_aside.add(self.current.key)
        return self.next()

    def shows(self, key: str, now: float) -> bool:
        """The card ``key`` is drawn at ``now`` (a monotonic time): True if it was not
        the one on screen (its time starts; its answer is scrolled to the top)."""
        if self.shown_key == key:
            return False
        self.shown_key, self.shown_at = key, now
        return True

    def wait(self, now: dt.datetime) -> float | None:
        """Nothing is due at ``now``, nothing awaited: in how many seconds the next
        card falls due, if that is soon (within ``WAKE_WITHIN``); None otherwise."""
        queue = self.queue
        if not self.settled or self.current is not None:
            return None
        if queue is None or queue.next_due is None:
            return None
        wait = (queue.next_due - now).total_seconds()
        return wait if 0 < wait <= WAKE_WITHIN else None

    # -- the articles of the cards ------------------------------------------------

    def to_read(self) -> list[Due]:
        """The cards whose articles are to be read now (this one and the next), each
        asked for once per queue."""
        wanted = self.cards[self.index : self.index + READ_AHEAD]
        wanted = [d for d in wanted if d.key not in self._requested]
        self._requested.update(d.key for d in wanted)
        return wanted

    def read(self, key: str, article: Article | None) -> None:
        """The article of card ``key`` was looked for: ``article``, or None (gone)."""
        self._articles[key] = article

    def looked_up(self, key: str) -> bool:
        """The article of ``key`` was looked for (found, or not in the library)."""
        return key in self._articles

    def article(self, key: str) -> Article | None:
        """The article of ``key``; None until it is read, or if it is gone."""
        return self._articles.get(key)

    def gone(self, key: str) -> bool:
        """The article of ``key`` was looked for and is not in the library."""
        return key in self._articles and self._articles[key] is None

    # -- grades --------------------------------------------------------------------

    def graded(self) -> bool:
        """The card on screen was graded (its grade is being written): on to the next
        (as :meth:`next`)."""
        self.pending += 1
        self.reviewed += 1
        return self.next()

    def saved(self, key: str, ok: bool) -> bool:
        """The grade of ``key`` was written (``ok``) or not (the card is set aside).
        True when it was the last one written and no card is left: time to build the
        queue again."""
        self.pending -= 1
        if not ok:
            self.set_aside.add(key)
        return self.pending == 0 and self.current is None
