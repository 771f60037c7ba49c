"""Where the review is (qtreader.ui.review_session) and what its workers read and
write (qtreader.ui.review_io), without an app."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from fsrs import Scheduler
from libhelpers import write_article

from qtreader.library import paths
from qtreader.library.bookmarks import BookmarkStore
from qtreader.library.catalog import Catalog
from qtreader.library.review import Due, ReviewQueue, ReviewStore, Study
from qtreader.library.store import StoreReadOnly
from qtreader.ui.review_io import read_card, read_queue, save_grade, unsaved_reason
from qtreader.ui.review_session import WAKE_WITHIN, ReviewSession

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def new(key: str) -> Due:
    return Due(key, f"Title of {key}", "Physics", None, 1, None)


def queue(*keys: str, due: tuple[str, ...] = (), next_due: dt.datetime | None = None):
    return ReviewQueue(tuple(map(new, due)), tuple(map(new, keys)), next_due, Study())


def built(q: ReviewQueue) -> ReviewSession:
    session = ReviewSession()
    session.build()
    session.built(q, {}, None)
    return session


# -- the session ---------------------------------------------------------------------


def test_a_queue_is_built_due_cards_first_and_old_ones_are_told_apart():
    session = ReviewSession()
    assert not session.ready and session.current is None
    first = session.build()
    assert session.building and not session.ready
    second = session.build()
    assert second == first + 1 == session.generation  # what the first worker reads is dropped
    session.built(queue("/n1", due=("/d1",)), {"physics": "Physics"}, None)
    assert session.ready and not session.building
    assert [d.key for d in session.cards] == ["/d1", "/n1"] and session.due_count == 1
    assert session.current is not None and session.current.key == "/d1"
    assert session.names == {"physics": "Physics"}

    failed = ReviewSession()
    failed.built(None, {}, "could not be read")
    assert failed.error == "could not be read" and failed.cards == []
    failed.built(queue(), {}, "What you chose to study was not saved")
    assert failed.error is None  # said once; a queue was built


def test_next_skip_and_grades_and_when_to_build_again():
    session = built(queue("/a", "/b", "/c"))
    session.revealed = True
    assert not session.next()
    assert not session.revealed and session.current.key == "/b"
    assert not session.graded()  # its grade is being written
    assert session.pending == 1 and session.reviewed == 1
    assert not session.skip()  # the last one, but a grade is still being written
    assert session.current is None
    assert session.saved("/b", ok=True)  # the last grade written: build again
    assert session.pending == 0

    # Skipped, and graded without being saved: not shown again on this screen.
    session = built(queue("/a", "/b", "/c"))
    session.skip()
    session.graded()
    assert not session.saved("/b", ok=False)  # a card is left
    assert session.next()  # the last one, nothing being written
    assert session.set_aside == {"/a", "/b"}
    session.built(queue("/a", "/b", "/c"), {}, None)
    assert [d.key for d in session.cards] == ["/c"]


def test_articles_are_read_two_at_a_time_once_each():
    session = built(queue("/a", "/b", "/c"))
    assert [d.key for d in session.to_read()] == ["/a", "/b"]
    assert session.to_read() == []
    assert not session.looked_up("/a") and session.article("/a") is None
    article = SimpleNamespace(key="/a")
    session.read("/a", article)
    session.read("/b", None)
    assert session.looked_up("/a") and session.article("/a") is article
    assert not session.gone("/a") and not session.gone("/c")
    assert session.gone("/b") and session.article("/b") is None
    session.next()
    assert [d.key for d in session.to_read()] == ["/c"]
    session.built(queue("/a"), {}, None)  # a new queue: read again
    assert not session.looked_up("/a")
    assert [d.key for d in session.to_read()] == ["/a"]


def test_a_card_shown_again_keeps_its_time():
    session = built(queue("/a", "/b"))
    assert session.shows("/a", 10.0)
    assert not session.shows("/a", 12.0)
    assert session.shown_at == 10.0
    assert session.shows("/b", 15.0) and session.shown_at == 15.0


def test_the_screen_wakes_for_the_next_card_when_it_is_soon():
    soon = built(queue(next_due=NOW + dt.timedelta(minutes=10)))
    assert soon.wait(NOW) == 600.0
    assert built(queue(next_due=NOW + dt.timedelta(seconds=WAKE_WITHIN + 1))).wait(NOW) is None
    assert built(queue(next_due=NOW - dt.timedelta(minutes=1))).wait(NOW) is None
    assert built(queue()).wait(NOW) is None
    soon.pending = 1  # grades being written: the queue is built again after them
    assert soon.wait(NOW) is None
    assert built(queue("/a", next_due=NOW + dt.timedelta(minutes=1))).wait(NOW) is None
    assert ReviewSession().wait(NOW) is None


# -- what the workers read and write ----------------------------------------------------


def _library(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "p/a.md", title="Alpha", url="/q/a", id="1", subject="Physics",
                  answer="An answer.")  # fmt: skip
    write_article(root, "p/b.md", title="Beta", url="/q/b", id="2", subject="Physics",
                  answer="Another.")  # fmt: skip
    return root


def test_the_queue_is_read_and_the_choice_to_study_toggled(tmp_path):
    root = _library(tmp_path)
    store = ReviewStore(root, scheduler=Scheduler(enable_fuzzing=False))
    bookmarks = BookmarkStore()
    with Catalog(root) as cat:
        cat.refresh()
        bookmarks.add_article(str(root), cat.article(cat.rowid_for_key("/q/b")))
        read = read_queue(store, cat, bookmarks, str(root), lambda: NOW)
        assert read.error is None and read.queue is not None and len(read.queue) == 0
        read = read_queue(store, cat, bookmarks, str(root), lambda: NOW, toggle_study=True)
        assert store.study() == Study(bookmarks=True)
        assert read.queue is not None and [d.key for d in read.queue.new] == ["/q/b"]
        store.set_study(Study(subjects=("physics",)))
        read = read_queue(store, cat, bookmarks, str(root), lambda: NOW)
        assert read.names == {"physics": "Physics"}
        assert read.queue is not None and {d.key for d in read.queue.new} == {"/q/a", "/q/b"}

        article, error = read_card(cat, read.queue.new[0])
        assert error is None and article is not None and article.answer
        assert read_card(cat, Due("/q/gone", "Gone", "", None, None, None)) == (None, None)

        told, error = save_grade(store, read.queue.new[0], article, 3, NOW, 1500)
        assert error is None and told == []
        assert store.card(article.key) is not None
        assert store.load().reviews[-1]["rating"] == 3


def test_what_goes_wrong_is_said_never_raised(tmp_path):
    broken = SimpleNamespace(rowid_for_key=lambda key: 1 / 0)
    article, error = read_card(broken, new("/q/a"))
    assert article is None
    assert error is not None and error.startswith("“Title of /q/a” could not be read")

    root = _library(tmp_path)
    review_file = paths.review_file(root)
    review_file.parent.mkdir(parents=True, exist_ok=True)
    newer = {"version": 99, "library": str(root), "cards": []}
    review_file.write_text(json.dumps(newer), encoding="utf-8")
    store = ReviewStore(root)
    with Catalog(root) as cat:
        cat.refresh()
        read = read_queue(store, cat, BookmarkStore(), str(root), lambda: NOW, toggle_study=True)
        assert read.queue is not None  # read, though not saved
        assert read.error is not None and "is read-only this session" in read.error
        assert any("newer" in line for line in read.told)
        article = cat.article(cat.rowid_for_key("/q/a"))
        _told, error = save_grade(store, new("/q/a"), article, 3, NOW, 1000)
        assert error is not None and error.startswith("Your grade of “Title of /q/a” was not saved")

        failing = SimpleNamespace(study=lambda: 1 / 0, take_messages=lambda: ["said"])
        read = read_queue(failing, cat, BookmarkStore(), str(root), lambda: NOW)
        assert read.queue is None and read.told == ["said"]
        assert read.error == "What is due could not be read: division by zero"


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (StoreReadOnly("newer"), "is read-only this session"),
        (PermissionError(13, "Permission denied"), "cannot write /r.json (Permission denied)"),
        (OSError("odd"), "cannot write /r.json (odd)"),
    ],
)
def test_why_a_write_failed_is_said(exc, said):
    assert said in unsaved_reason("/r.json", "Your grade", exc)
