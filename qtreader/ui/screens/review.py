"""Review by question (issue 23, study mode): one card at a time, the question alone;
Space shows the answer; 1-4 grade it (again, hard, good, easy); then the next card.

The queue is what ``qtreader review`` lists (library/review.py: the cards due now,
then new ones from what the user chose to study). Everything that reads or writes
disk (the catalog, the review and bookmark files) runs in thread workers that report
back with messages; a grade is written while the next card is already shown. When
nothing is due the screen says when the next card is, and how to choose what to study.

The scheduler (``fsrs``) is imported by the first worker, not when the reader starts.

This screen holds the keys, the workers and the routing; the rest is plain Python
but for the card: ui/review_session.py, where the review is; ui/review_io.py, what
the workers read and write; ui/review_text.py, what the screen says;
widgets/review_card.py, the card with its answer, and the grade buttons.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from ...library.text import clean_line
from ..review_io import QueueRead, read_card, read_queue, save_grade
from ..review_session import ReviewSession
from ..review_text import card_meta, count_line, done_page, keys_line, study_line
from ..widgets.review_card import ReviewCard, ReviewGrades

if TYPE_CHECKING:
    from ...library.bookmarks import BookmarkStore
    from ...library.catalog import Catalog
    from ...library.models import Article
    from ...library.review import Due, ReviewStore


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class ReviewScreen(Screen[None]):
    """The review: pushed by the reader with its catalog, its library (``str(root)``,
    as the bookmark and review stores name it), its bookmark store and its math
    transform. ``clock``: the aware time now (tests set it); ``store``: the review
    store (made in a worker for ``library`` when not given)."""

    BINDINGS = [
        Binding("space,enter", "reveal", "Show the answer", id="review.reveal"),
        Binding("1", "grade(1)", "Grade: again (forgotten)", id="review.again"),
        Binding("2", "grade(2)", "Grade: hard", id="review.hard"),
        Binding("3", "grade(3)", "Grade: good", id="review.good"),
        Binding("4", "grade(4)", "Grade: easy", id="review.easy"),
        Binding("n", "skip", "Skip this card for now", id="review.skip"),
        Binding("s", "study", "Study your bookmarks, or not", id="review.study"),
        Binding("escape", "close", "Back to the reader", id="review.close"),
    ]

    class QueueBuilt(Message):
        def __init__(self, generation: int, read: QueueRead):
            super().__init__()
            self.generation = generation
            self.read = read

    class CardRead(Message):
        def __init__(self, generation: int, key: str, article: Article | None, error: str | None):
            super().__init__()
            self.generation = generation
            self.key = key
            self.article = article
            self.error = error

    class GradeSaved(Message):
        def __init__(self, key: str, told: list[str], error: str | None):
            super().__init__()
            self.key = key
            self.told = told
            self.error = error

    def __init__(
        self,
        catalog: Catalog,
        library: str,
        bookmarks: BookmarkStore,
        transform: Callable[[str], str] | None = None,
        *,
        show_stubs: bool = False,
        clock: Callable[[], dt.datetime] = _local_now,
        store: ReviewStore | None = None,
    ):
        super().__init__()
        self.catalog = catalog
        self.library = library
        self.bookmarks = bookmarks
        self.transform = transform
        self.show_stubs = show_stubs
        self.clock = clock
        self._store = store
        self._io = threading.Lock()  # one disk job at a time, in whatever thread
        self.session = ReviewSession()
        self._wake: Any = None

    @property
    def ready(self) -> bool:
        """The first queue is built."""
        return self.session.ready

    # -- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="review-top"):
            yield Static("Review", id="review-count")
            yield Static("", id="review-study")
        with VerticalScroll(id="review-body"):
            yield ReviewCard(self.transform, id="review-column")
        yield ReviewGrades("", id="review-grades")
        yield Static("", id="review-keys")

    def on_mount(self) -> None:
        self._show_keys()
        self.query_one("#review-body").focus()
        self._build()

    # -- keys --------------------------------------------------------------------

    def action_reveal(self) -> None:
        due = self.session.current
        if due is None:
            return
        if self.session.revealed:
            self.query_one("#review-body", VerticalScroll).scroll_page_down(animate=False)
            return
        if self.session.gone(due.key):
            self.notify(
                f"“{clean_line(due.title)}” is no longer in this library: there is no answer "
                f"to show. {self._key('review.skip')} skips it.",
                severity="warning",
                timeout=6,
            )
            return
        self.session.revealed = True
        self._show_card()

    def action_grade(self, grade: int) -> None:
        due = self.session.current
        if due is None:
            return
        if not self.session.revealed or not self.session.looked_up(due.key):
            self.notify(
                f"{self._key('review.reveal')} shows the answer first; then grade it.",
                timeout=4,
            )
            return
        article = self.session.article(due.key)
        if article is None:
            self.notify(
                "Its article is no longer in this library: it cannot be graded. "
                f"{self._key('review.skip')} skips it.",
                severity="warning",
                timeout=6,
            )
            return
        now = self.clock()
        duration = int((time.monotonic() - self.session.shown_at) * 1000)
        again = self.session.graded()
        self.run_worker(
            lambda: self._save_grade(due, article, grade, now, duration),
            thread=True,
            group="review-grade",
            exit_on_error=False,
        )
        self._next(again)

    def action_skip(self) -> None:
        if self.session.current is not None:
            self._next(self.session.skip())

    def action_study(self) -> None:
        self._build(toggle_study=True)

    def action_close(self) -> None:
        self.dismiss(None)

    def _key(self, binding_id: str) -> str:
        """The key that does ``binding_id`` (as the user's keymap sets it), to show."""
        binding = next(b for b in self.BINDINGS if isinstance(b, Binding) and b.id == binding_id)
        keymap = getattr(self.app, "_keymap", {}) or {}
        first = keymap.get(binding_id, binding.key).split(",")[0].strip()
        shown = self.app.get_key_display(Binding(first, ""))
        return shown.capitalize() if len(shown) > 1 else shown

    # -- the queue ---------------------------------------------------------------

    def _build(self, toggle_study: bool = False) -> None:
        """Build the queue again (after choosing what to study, with ``toggle_study``)."""
        if self._wake is not None:
            self._wake.stop()
            self._wake = None
        generation = self.session.build()
        self.run_worker(
            lambda: self._read_queue(generation, toggle_study),
            thread=True,
            group="review-queue",
            exit_on_error=False,
        )

    def _review_store(self) -> ReviewStore:
        """The store (in a worker: importing the scheduler takes ~10 ms)."""
        if self._store is None:
            from ...library.review import ReviewStore

            self._store = ReviewStore(self.library)
        return self._store

    def _read_queue(self, generation: int, toggle_study: bool) -> None:
        from ...library.review import NEW_PER_DAY

        self.session.new_per_day = NEW_PER_DAY
        with self._io:
            store = self._review_store()
            read = read_queue(
                store,
                self.catalog,
                self.bookmarks,
                self.library,
                self.clock,
                toggle_study=toggle_study,
                include_stubs=self.show_stubs,
            )
        self.post_message(self.QueueBuilt(generation, read))

    @on(QueueBuilt)
    def _queue_built(self, message: QueueBuilt) -> None:
        read = message.read
        self._tell(read.told)
        if read.error:
            self.notify(read.error, title="Review", severity="error", timeout=10)
        if message.generation != self.session.generation:
            return
        self.session.built(read.queue, read.names, read.error)
        self.query_one("#review-study", Static).update(study_line(self.session))
        self._show_card()

    def _next(self, again: bool) -> None:
        """On to the next card (``again``: the queue is through, build it again)."""
        if again:
            self._build()
        self._show_card()

    # -- cards -------------------------------------------------------------------

    def _fetch(self) -> None:
        """Read the articles of this card and the next (in a worker), unless asked."""
        wanted = self.session.to_read()
        if not wanted:
            return
        generation = self.session.generation
        self.run_worker(
            lambda: self._read_articles(generation, wanted),
            thread=True,
            group="review-read",
            exit_on_error=False,
        )

    def _read_articles(self, generation: int, cards: list[Due]) -> None:
        for due in cards:
            article, error = read_card(self.catalog, due)
            self.post_message(self.CardRead(generation, due.key, article, error))

    @on(CardRead)
    def _card_read(self, message: CardRead) -> None:
        if message.generation != self.session.generation:
            return
        if message.error:
            self.notify(message.error, title="Review", severity="error", timeout=10)
        self.session.read(message.key, message.article)
        self._redraw(message.key)

    @on(ReviewCard.AnswerDrawn)
    def _answer_drawn(self, message: ReviewCard.AnswerDrawn) -> None:
        self._redraw(message.key)

    def _redraw(self, key: str) -> None:
        """Draw the card again if ``key`` is the one on screen."""
        due = self.session.current
        if due is not None and due.key == key:
            self._show_card()

    def _show_card(self) -> None:
        """Draw what is current: a card (question; its answer once revealed), or the
        end of the queue."""
        session = self.session
        due = session.current
        self.query_one("#review-count", Static).update(count_line(session))
        if due is None:
            self._show_done()
            return
        self._fetch()
        article = session.article(due.key)
        card = self.query_one(ReviewCard)
        with self.app.batch_update():
            shown = card.show_card(
                due,
                article,
                gone=session.gone(due.key),
                revealed=session.revealed,
                meta=card_meta(due, self.clock()),
                reveal_key=self._key("review.reveal"),
                skip_key=self._key("review.skip"),
            )
            self._show_grades(due if shown else None)
            self._show_keys()
        if article is not None:
            card.give_answer(due.key, article)
        if session.shows(due.key, time.monotonic()):
            self.query_one("#review-body", VerticalScroll).scroll_home(animate=False)

    def _show_grades(self, due: Due | None) -> None:
        """The grade buttons for ``due`` (None: hidden)."""
        scheduler = self._store.scheduler if self._store is not None else None
        self.query_one(ReviewGrades).show(due, scheduler, self.clock())

    def _show_keys(self) -> None:
        card = self.session.current is not None
        parts = [("review.reveal", "answer")] if card and not self.session.revealed else []
        parts += [("review.skip", "skip")] if card else []
        parts += [("review.study", "study bookmarks / none"), ("review.close", "back")]
        line = keys_line((self._key(binding), what) for binding, what in parts)
        self.query_one("#review-keys", Static).update(line)

    # -- the end of the queue ----------------------------------------------------

    def _show_done(self) -> None:
        """No card (more) to show: what is awaited, or that nothing is due (when the
        next card is, and how to choose what to study); a timer for that card if soon."""
        self._show_grades(None)
        self._show_keys()
        self.session.revealed = False
        page = done_page(self.session, self.clock(), self._key("review.study"))
        self.query_one(ReviewCard).show_page(page)
        wait = self.session.wait(self.clock()) if self._wake is None else None
        if wait is not None:  # look again when the next card falls due (soon)
            self._wake = self.set_timer(wait + 1, self._build)

    # -- grades ------------------------------------------------------------------

    def _save_grade(
        self, due: Due, article: Article, grade: int, now: dt.datetime, duration: int
    ) -> None:
        with self._io:
            told, error = save_grade(self._review_store(), due, article, grade, now, duration)
        self.post_message(self.GradeSaved(due.key, told, error))

    @on(GradeSaved)
    def _grade_saved(self, message: GradeSaved) -> None:
        again = self.session.saved(message.key, ok=not message.error)
        self._tell(message.told)
        if message.error:
            self.notify(message.error, title="Review", severity="error", timeout=10)
        if again:
            self._build()
            self._show_card()

    def _tell(self, told: list[str]) -> None:
        for line in told:
            self.notify(line, title="Review", severity="warning", timeout=15)
