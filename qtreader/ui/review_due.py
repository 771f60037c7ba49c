"""How many questions are up for review today (due, then new from what the user
studies), counted off the UI thread for the tree's "Review" and the status line."""

from __future__ import annotations

import datetime as dt

from textual.dom import DOMNode
from textual.message import Message

from ..library.bookmarks import BookmarkStore
from ..library.catalog import Catalog, CatalogError


class ReviewDue(Message):
    """The count, and what the review file's store had to say (a damaged file kept
    aside is said by whoever reads it first)."""

    def __init__(self, count: int, told: list[str]):
        self.count, self.told = count, told
        super().__init__()


def count_due(owner: DOMNode, catalog: Catalog, library: str, bookmarks: BookmarkStore,
              include_stubs: bool) -> None:  # fmt: skip
    """Post :class:`ReviewDue` to ``owner`` once counted (a thread worker)."""

    def count() -> None:
        from ..library.review import ReviewStore, end_of_day, review_queue  # fsrs: on use

        try:
            store = ReviewStore(library)
            now = dt.datetime.now().astimezone()
            marked = bookmarks.all(library) if store.study().bookmarks else []
            queue = review_queue(store, catalog, now, until=end_of_day(now), bookmarks=marked,
                                 include_stubs=include_stubs)  # fmt: skip
        except (CatalogError, OSError, ValueError):
            return  # the review screen says what is wrong when it is opened
        owner.post_message(ReviewDue(len(queue), store.take_messages()))

    owner.run_worker(count, thread=True, group="review-due")
