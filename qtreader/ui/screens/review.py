"""Review by question (issue 23, study mode): one card at a time, the question alone;
Space shows the answer; 1-4 grade it (again, hard, good, easy); then the next card.

The queue is what ``qtreader review`` lists (library/review.py: the cards due now,
then new ones from what the user chose to study). Everything that reads or writes
disk (the catalog, the review and bookmark files) runs in thread workers that report
back with messages; a grade is written while the next card is already shown. When
nothing is due the screen says when the next card is, and how to choose what to study.

The scheduler (``fsrs``) is imported by the first worker, not when the reader starts.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import WorkType

from ...library.bookmarks import resolve_entry
from ...library.store import StoreReadOnly
from ...library.text import clean_line, clean_text, first_part
from ..widgets.answer_markdown import AnswerMarkdown
from ..widgets.article_view import PART_CHARS

if TYPE_CHECKING:
    from ...library.bookmarks import BookmarkStore
    from ...library.catalog import Catalog
    from ...library.models import Article
    from ...library.review import Due, ReviewQueue, ReviewStore, Study

CARD_PARTS = ("title", "meta", "question", "gone", "prompt", "rule", "answer", "partial")
GRADES = ((1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy"))
# While nothing is due, the screen looks again when the next card falls due, if that
# is within this many seconds (a card graded "again" comes back a minute later).
WAKE_WITHIN = 3600.0
_UNREAD = object()  # a card whose article has not been read yet


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
        def __init__(
            self,
            generation: int,
            queue: ReviewQueue | None,
            names: dict[str, str],
            told: list[str],
            error: str | None,
        ):
            super().__init__()
            self.generation = generation
            self.queue = queue
            self.names = names
            self.told = told
            self.error = error

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
        self.ready = False  # the first queue is built
        self._generation = 0
        self._queue: ReviewQueue | None = None
        self._cards: list[Due] = []
        self._due_count = 0
        self._index = 0
        self._articles: dict[str, Any] = {}  # key -> Article, or None: not in the library
        self._requested: set[str] = set()
        self._revealed = False
        self._shown_key: str | None = None  # the card on screen
        self._shown_at = 0.0  # since when (for the grade's duration)
        self._answer_wanted: str | None = None  # whose answer the Markdown is given
        self._answer_key: str | None = None  # whose answer it holds, drawn
        self._partial = False  # that answer is cut (a very long one)
        self._building = False
        self._pending = 0  # grades being written
        self._reviewed = 0  # grades given on this screen
        # Not shown again on this screen: skipped, or graded without being saved.
        self._set_aside: set[str] = set()
        self._names: dict[str, str] = {}
        self._new_per_day = 0  # the store's allowance, read with the first queue
        self._error: str | None = None
        self._wake: Any = None

    # -- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="review-top"):
            yield Static("Review", id="review-count")
            yield Static("", id="review-study")
        with VerticalScroll(id="review-body"), Vertical(id="review-column"):
            yield Static("Finding what is due…", id="review-empty")
            yield Static("", id="review-title")
            yield Static("", id="review-meta")
            yield Static("", id="review-question")
            yield Static("", id="review-gone")
            yield Static("", id="review-prompt")
            yield Static("", id="review-rule")
            yield AnswerMarkdown(id="review-answer", open_links=False)
            yield Static("", id="review-partial")
        yield Static("", id="review-grades")
        yield Static("", id="review-keys")

    def on_mount(self) -> None:
        for name in CARD_PARTS:
            self.query_one(f"#review-{name}").display = False
        self.query_one("#review-grades").display = False
        self._show_keys()
        self.query_one("#review-body").focus()
        self._build()

    # -- keys --------------------------------------------------------------------

    def action_reveal(self) -> None:
        due = self._current()
        if due is None:
            return
        if self._revealed:
            self.query_one("#review-body", VerticalScroll).scroll_page_down(animate=False)
            return
        if self._articles.get(due.key, _UNREAD) is None:
            self.notify(
                f"“{clean_line(due.title)}” is no longer in this library: there is no answer "
                f"to show. {self._key('review.skip')} skips it.",
                severity="warning",
                timeout=6,
            )
            return
        self._revealed = True
        self._show_card()

    def action_grade(self, grade: int) -> None:
        due = self._current()
        if due is None:
            return
        article = self._articles.get(due.key, _UNREAD)
        if not self._revealed or article is _UNREAD:
            self.notify(
                f"{self._key('review.reveal')} shows the answer first; then grade it.",
                timeout=4,
            )
            return
        if article is None:
            self.notify(
                "Its article is no longer in this library: it cannot be graded. "
                f"{self._key('review.skip')} skips it.",
                severity="warning",
                timeout=6,
            )
            return
        now = self.clock()
        duration = int((time.monotonic() - self._shown_at) * 1000)
        self._pending += 1
        self._reviewed += 1
        self.run_worker(
            lambda: self._save_grade(due, article, grade, now, duration),
            thread=True,
            group="review-grade",
            exit_on_error=False,
        )
        self._next()

    def action_skip(self) -> None:
        due = self._current()
        if due is not None:
            self._set_aside.add(due.key)
            self._next()

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
        self._generation += 1
        self._building = True
        generation = self._generation
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
        from ...library.review import NEW_PER_DAY, Study, review_queue

        self._new_per_day = NEW_PER_DAY

        queue, names, told, error = None, {}, list[str](), None
        with self._io:
            store = self._review_store()
            try:
                if toggle_study:
                    chosen = store.study()
                    try:
                        store.set_study(Study(not chosen.bookmarks, chosen.subjects))
                    except (StoreReadOnly, OSError) as exc:
                        error = self._unsaved_reason("What you chose to study", exc)
                now = self.clock()
                study = store.study()
                marked = self.bookmarks.all(self.library) if study.bookmarks else []
                queue = review_queue(
                    store, self.catalog, now, bookmarks=marked, include_stubs=self.show_stubs
                )
                if queue.study.subjects:
                    names = {s.key: s.name for s in self.catalog.subjects(True)}
            except Exception as exc:  # the catalog or a file: said, never a crash
                error = f"What is due could not be read: {exc}"
            told = store.take_messages() + self.bookmarks.take_messages()
        self.post_message(self.QueueBuilt(generation, queue, names, told, error))

    def _unsaved_reason(self, what: str, exc: BaseException) -> str:
        path = self._review_store().path
        if isinstance(exc, StoreReadOnly):
            return (
                f"{what} was not saved: the review file {path} is read-only this session "
                "(see the message about it)."
            )
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        return f"{what} was not saved: cannot write {path} ({reason})."

    @on(QueueBuilt)
    def _queue_built(self, message: QueueBuilt) -> None:
        self._tell(message.told)
        if message.error:
            self.notify(message.error, title="Review", severity="error", timeout=10)
        if message.generation != self._generation:
            return
        self.ready = True
        self._building = False
        self._error = message.error if message.queue is None else None
        queue = message.queue
        self._queue = queue
        self._names = message.names
        due = [d for d in queue.due if d.key not in self._set_aside] if queue else []
        new = [d for d in queue.new if d.key not in self._set_aside] if queue else []
        self._cards, self._due_count, self._index = due + new, len(due), 0
        self._revealed, self._shown_key = False, None
        self._articles.clear()
        self._requested.clear()
        self._show_study()
        self._show_card()

    def _next(self) -> None:
        self._index += 1
        self._revealed = False
        if self._current() is None and self._pending == 0:
            self._build()
        self._show_card()

    def _current(self) -> Due | None:
        return self._cards[self._index] if self._index < len(self._cards) else None

    # -- cards -------------------------------------------------------------------

    def _fetch(self) -> None:
        """Read the articles of this card and the next (in a worker), unless asked."""
        wanted = [d for d in self._cards[self._index : self._index + 2]]
        wanted = [d for d in wanted if d.key not in self._requested]
        if not wanted:
            return
        self._requested.update(d.key for d in wanted)
        generation = self._generation
        self.run_worker(
            lambda: self._read_articles(generation, wanted),
            thread=True,
            group="review-read",
            exit_on_error=False,
        )

    def _read_articles(self, generation: int, cards: list[Due]) -> None:
        catalog = self.catalog
        for due in cards:
            article, error = None, None
            try:
                card = due.card
                if card is None:
                    rowid = catalog.rowid_for_key(due.key)
                else:
                    rowid = resolve_entry(catalog, card.key, card.url, card.id, card.title)
                article = catalog.article(rowid) if rowid is not None else None
            except Exception as exc:  # a damaged catalog: said, the card is skippable
                error = f"“{clean_line(due.title)}” could not be read from the catalog: {exc}"
            self.post_message(self.CardRead(generation, due.key, article, error))

    @on(CardRead)
    def _card_read(self, message: CardRead) -> None:
        if message.generation != self._generation:
            return
        if message.error:
            self.notify(message.error, title="Review", severity="error", timeout=10)
        self._articles[message.key] = message.article
        due = self._current()
        if due is not None and due.key == message.key:
            self._show_card()

    def _show_card(self) -> None:
        """Draw what is current: a card (question; its answer once revealed), or the
        end of the queue."""
        due = self._current()
        self._show_count()
        if due is None:
            self._show_done()
            return
        self._fetch()
        article = self._articles.get(due.key, _UNREAD)
        loaded = article is not None and article is not _UNREAD
        body = self.query_one("#review-body", VerticalScroll)
        with self.app.batch_update():
            self.query_one("#review-empty").display = False
            title = self.query_one("#review-title", Static)
            title.display = True
            shown_title = article.title if loaded else due.title
            title.update(Text(clean_line(shown_title)))
            meta = self.query_one("#review-meta", Static)
            meta.display = True
            meta.update(Text(self._meta(due)))
            question = self.query_one("#review-question", Static)
            text = article.question if loaded else ""
            question.display = bool(text.strip()) and text.strip() != shown_title.strip()
            if question.display:
                question.update(Text(clean_text(text)))
            gone = self.query_one("#review-gone", Static)
            gone.display = article is None
            if article is None:
                gone.update(
                    Text(
                        "Its article is no longer in this library (the card is kept, in case "
                        f"it comes back). {self._key('review.skip')} skips it."
                    )
                )
            ready = self._answer_key == due.key
            shown = self._revealed and ready
            prompt = self.query_one("#review-prompt", Static)
            prompt.display = article is not None and not self._revealed
            if prompt.display:
                prompt.update(
                    Text(f"Recall the answer, then {self._key('review.reveal')} shows it.")
                )
            self.query_one("#review-rule").display = shown
            self.query_one("#review-answer").display = shown
            self.query_one("#review-partial").display = shown and self._partial
            self._show_grades(due if shown else None)
            self._show_keys()
        if loaded and self._answer_wanted != due.key:
            self._render_answer(due.key, article)
        if self._shown_key != due.key:
            self._shown_key = due.key
            self._shown_at = time.monotonic()
            body.scroll_home(animate=False)

    def _meta(self, due: Due) -> str:
        if due.card is None:
            kind = "new question"
        else:
            kind = f"due {self._when(due.card.due)}" if due.due else "due"
            if due.card.card.last_review is not None:
                kind += f" · last seen {self._when(due.card.card.last_review)}"
        return " · ".join(x for x in (clean_line(due.subject), kind) if x)

    def _render_answer(self, key: str, article: Article) -> None:
        text = first_part(article.answer, PART_CHARS)
        partial = len(text) < len(article.answer)
        shown = self.transform(text) if self.transform else text
        self._answer_wanted, self._answer_key = key, None

        async def render() -> None:
            await self.query_one("#review-answer", AnswerMarkdown).update(shown)
            if self._answer_wanted != key:
                return  # another answer was given meanwhile
            self._answer_key = key
            self._partial = partial
            if partial:
                self.query_one("#review-partial", Static).update(
                    Text("The answer goes on: read the rest in the reader.")
                )
            current = self._current()
            if current is not None and current.key == key:
                self._show_card()

        work: WorkType[None] = render
        self.run_worker(work, group="review-answer")

    def _show_count(self) -> None:
        count = self.query_one("#review-count", Static)
        total, done = len(self._cards), self._index
        line = Text("Review", style="bold")
        if not self.ready:
            pass
        elif done >= total:
            line.append("   nothing due", style="dim")
        elif done < self._due_count:
            line.append(f"   {done + 1} of {self._due_count} due")
            if total > self._due_count:
                line.append(f" · {total - self._due_count} new")
        else:
            line.append(f"   {done - self._due_count + 1} of {total - self._due_count} new")
        count.update(line)

    def _show_study(self) -> None:
        study = self._queue.study if self._queue is not None else None
        self.query_one("#review-study", Static).update(
            Text(f"studying {self._studied(study)}" if study else "")
        )

    def _studied(self, study: Study | None) -> str:
        if not study:
            return ""
        parts = (["your bookmarks"] if study.bookmarks else []) + [
            clean_line(self._names.get(k, k)) for k in study.subjects
        ]
        return ", ".join(parts)

    def _show_grades(self, due: Due | None) -> None:
        grades = self.query_one("#review-grades", Static)
        grades.display = due is not None
        if due is None:
            return
        after = self._previews(due)
        line = Text()
        for n, (number, label) in enumerate(GRADES):
            if n:
                line.append("   ")
            line.append(f" {number} ", style="reverse bold")
            line.append(f" {label}", style="bold")
            if after:
                line.append(f" {after[n]}", style="dim")
        grades.update(line)

    def _previews(self, due: Due) -> list[str]:
        """When each grade would bring the card back ("10m", "3d"): the scheduler's
        answer for each, worked out here (no disk), without its fuzz (a grade itself
        may move a long interval by a few percent; a preview that changed at each
        look would only confuse)."""
        store = self._store
        if store is None:
            return []
        try:
            from fsrs import Card, Rating

            scheduler = copy.copy(store.scheduler)
            scheduler.enable_fuzzing = False
            now = self.clock().astimezone(dt.UTC)  # as fsrs wants it
            card = due.card.card if due.card is not None else Card(card_id=1, due=now)
            out = []
            for number, _ in GRADES:
                after, _log = scheduler.review_card(card, Rating(number), now)
                out.append(_interval(after.due - now))
            return out
        except Exception:  # only a preview: the grade itself is the store's
            return []

    def _show_keys(self) -> None:
        due = self._current()
        keys = self.query_one("#review-keys", Static)
        parts: list[tuple[str, str]] = []
        if due is not None and not self._revealed:
            parts.append((self._key("review.reveal"), "answer"))
        if due is not None:
            parts.append((self._key("review.skip"), "skip"))
        parts.append((self._key("review.study"), "study bookmarks / none"))
        parts.append((self._key("review.close"), "back"))
        line = Text()
        for n, (key, what) in enumerate(parts):
            if n:
                line.append("  ·  ")
            line.append(key, style="bold")
            line.append(f" {what}")
        keys.update(line)

    # -- the end of the queue ----------------------------------------------------

    def _show_done(self) -> None:
        """Nothing (more) is due: when the next card is, and how to choose what to
        study."""
        for name in CARD_PARTS:
            self.query_one(f"#review-{name}").display = False
        self._show_grades(None)
        self._show_keys()
        self._revealed = False
        empty = self.query_one("#review-empty", Static)
        empty.display = True
        if not self.ready or self._building:
            empty.update(Text("Finding what is due…", style="dim"))
            return
        if self._pending:
            empty.update(Text("Saving your grades…", style="dim"))
            return
        text = Text()
        text.append("Nothing is due now\n", style="bold")
        if self._reviewed:
            cards = "card" if self._reviewed == 1 else "cards"
            text.append(f"Reviewed {self._reviewed} {cards} this session.\n")
        text.append("\n")
        queue = self._queue
        if self._error:
            text.append(f"{self._error}\n\n")
        elif queue is not None and queue.next_due is not None:
            text.append(f"The next card is due {self._when(queue.next_due)}")
            text.append(f" ({_from_now(queue.next_due - self.clock())}).\n\n")
        else:
            text.append("No card is scheduled yet: grading a question makes its card.\n\n")
        study = queue.study if queue is not None else None
        key = self._key("review.study")
        if study:
            text.append(f"Studying {self._studied(study)}: new questions come from ")
            text.append(f"{'them' if study.bookmarks or len(study.subjects) > 1 else 'it'}")
            text.append(f", up to {self._new_per_day} a day.\n")
            text.append(key, style="bold")
            text.append(
                " stops studying your bookmarks." if study.bookmarks else " studies your bookmarks."
            )
        else:
            text.append("You have not chosen what to study.\n")
            text.append(key, style="bold")
            text.append(" studies your bookmarks.")
        text.append(" Subjects are chosen on the command line:\n\n    ")
        text.append("qtreader review --study SUBJECT", style="bold")
        empty.update(text)
        self._wake_for(queue)

    def _wake_for(self, queue: ReviewQueue | None) -> None:
        """Look again when the next card falls due, if that is soon."""
        if queue is None or queue.next_due is None or self._wake is not None:
            return
        wait = (queue.next_due - self.clock()).total_seconds()
        if 0 < wait <= WAKE_WITHIN:
            self._wake = self.set_timer(wait + 1, self._build)

    def _when(self, moment: dt.datetime) -> str:
        """``moment`` as the user reads it: "at 10:10 today", "tomorrow at 09:00",
        "on 2026-03-09 at 09:00"."""
        now = self.clock()
        local = moment.astimezone(now.tzinfo)
        days = (local.date() - now.date()).days
        if days == 0:
            return f"at {local:%H:%M} today"
        if days == 1:
            return f"tomorrow at {local:%H:%M}"
        if days == -1:
            return f"yesterday at {local:%H:%M}"
        return f"on {local:%Y-%m-%d} at {local:%H:%M}"

    # -- grades ------------------------------------------------------------------

    def _save_grade(
        self, due: Due, article: Article, grade: int, now: dt.datetime, duration: int
    ) -> None:
        error = None
        with self._io:
            store = self._review_store()
            try:
                store.grade(article, grade, now, duration, card_key=due.key)
            except (StoreReadOnly, OSError) as exc:
                error = self._unsaved_reason(f"Your grade of “{clean_line(due.title)}”", exc)
            except Exception as exc:  # said, never a crash
                error = f"Your grade of “{clean_line(due.title)}” was not saved: {exc}"
            told = store.take_messages()
        self.post_message(self.GradeSaved(due.key, told, error))

    @on(GradeSaved)
    def _grade_saved(self, message: GradeSaved) -> None:
        self._pending -= 1
        self._tell(message.told)
        if message.error:
            self._set_aside.add(message.key)
            self.notify(message.error, title="Review", severity="error", timeout=10)
        if self._pending == 0 and self._current() is None:
            self._build()
            self._show_card()

    def _tell(self, told: list[str]) -> None:
        for line in told:
            self.notify(line, title="Review", severity="warning", timeout=15)


def _interval(delta: dt.timedelta) -> str:
    """A short interval: "<1m", "10m", "3h", "8d", "2.5mo", "1.2y"."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}".removesuffix(".0") + "mo"
    return f"{days / 365:.1f}".removesuffix(".0") + "y"


def _from_now(delta: dt.timedelta) -> str:
    """ "in 10 minutes", "in 3 hours", "in 2 days"."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "in less than a minute"
    for size, unit in ((86400 * 2, "day"), (3600 * 2, "hour")):
        if seconds >= size:
            count = round(seconds / (size // 2))
            return f"in {count} {unit}s"
    if seconds >= 3600:
        return "in an hour"
    minutes = round(seconds / 60)
    return f"in {minutes} minute" + ("s" if minutes != 1 else "")
