"""The review's card (issue 23): in the reading column, a card's title, the line
under it and its question; a prompt to recall the answer, and once revealed the answer,
rendered as the reader renders one (cut when very long), or why there is none. With no
card, the column shows the page the screen gives (what is due, when the next card is).
Below the column: the grade buttons, each with when it would bring the card back.

The answer is rendered as soon as the card's article is given (while the question is
shown), so that revealing it is immediate: :class:`ReviewCard.AnswerDrawn` says when it
is ready. Styles: styles/review.tcss."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import WorkType

from ...library.text import clean_line, clean_text, first_part
from ..review_text import grades_line, previews
from .answer_markdown import AnswerMarkdown
from .article_view import PART_CHARS

if TYPE_CHECKING:
    from fsrs import Scheduler

    from ...library.models import Article
    from ...library.review import Due

CARD_PARTS = ("title", "meta", "question", "gone", "prompt", "rule", "answer", "partial")


class ReviewCard(Vertical):
    """The reading column: a card or a page. ``transform``: the reader's math
    transform, applied to the answer's Markdown."""

    class AnswerDrawn(Message):
        """The answer of the card ``key`` is rendered (shown once revealed)."""

        def __init__(self, key: str):
            super().__init__()
            self.key = key

    def __init__(self, transform: Callable[[str], str] | None = None, *, id: str | None = None):
        super().__init__(id=id)
        self.transform = transform
        self._answer_wanted: str | None = None  # whose answer the Markdown is given
        self._answer_key: str | None = None  # whose answer it holds, drawn
        self._partial = False  # that answer is cut (a very long one)

    def compose(self) -> ComposeResult:
        yield Static("Finding what is due…", id="review-empty")
        yield Static("", id="review-title")
        yield Static("", id="review-meta")
        yield Static("", id="review-question")
        yield Static("", id="review-gone")
        yield Static("", id="review-prompt")
        yield Static("", id="review-rule")
        yield AnswerMarkdown(id="review-answer", open_links=False)
        yield Static("", id="review-partial")

    def on_mount(self) -> None:
        self._hide_card()

    def _hide_card(self) -> None:
        for name in CARD_PARTS:
            self.query_one(f"#review-{name}").display = False

    def show_page(self, text: Text) -> None:
        """No card: ``text`` in its place."""
        self._hide_card()
        empty = self.query_one("#review-empty", Static)
        empty.display = True
        empty.update(text)

    def show_card(
        self,
        due: Due,
        article: Article | None,
        *,
        gone: bool,
        revealed: bool,
        meta: str,
        reveal_key: str,
        skip_key: str,
    ) -> bool:
        """Draw the card ``due``: ``article`` (None until it is read, or when
        ``gone``: not in the library); its answer if ``revealed`` and rendered. The
        keys that reveal and skip are named as shown. True if the answer is shown."""
        self.query_one("#review-empty").display = False
        title = self.query_one("#review-title", Static)
        title.display = True
        shown_title = article.title if article is not None else due.title
        title.update(Text(clean_line(shown_title)))
        meta_line = self.query_one("#review-meta", Static)
        meta_line.display = True
        meta_line.update(Text(meta))
        question = self.query_one("#review-question", Static)
        text = article.question if article is not None else ""
        question.display = bool(text.strip()) and text.strip() != shown_title.strip()
        if question.display:
            question.update(Text(clean_text(text)))
        said_gone = self.query_one("#review-gone", Static)
        said_gone.display = gone
        if gone:
            said_gone.update(
                Text(
                    "Its article is no longer in this library (the card is kept, in case "
                    f"it comes back). {skip_key} skips it."
                )
            )
        shown = revealed and self._answer_key == due.key
        prompt = self.query_one("#review-prompt", Static)
        prompt.display = not gone and not revealed
        if prompt.display:
            prompt.update(Text(f"Recall the answer, then {reveal_key} shows it."))
        self.query_one("#review-rule").display = shown
        self.query_one("#review-answer").display = shown
        self.query_one("#review-partial").display = shown and self._partial
        return shown

    def give_answer(self, key: str, article: Article) -> None:
        """Render the answer of the card ``key`` (unless it is the one given last); then
        :class:`AnswerDrawn` is posted."""
        if self._answer_wanted == key:
            return
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
            self.post_message(self.AnswerDrawn(key))

        work: WorkType[None] = render
        self.run_worker(work, group="review-answer")


class ReviewGrades(Static):
    """The grade buttons under the card, shown with its answer."""

    def on_mount(self) -> None:
        self.display = False

    def show(self, due: Due | None, scheduler: Scheduler | None, now: dt.datetime) -> None:
        """Show the buttons for the card ``due`` (None: hide them), each with when
        ``scheduler`` would bring it back at ``now`` (no scheduler yet: without)."""
        self.display = due is not None
        if due is not None:
            card = due.card.card if due.card is not None else None
            self.update(
                grades_line(previews(scheduler, card, now) if scheduler is not None else [])
            )
