"""Review by question (qtreader.library.review): FSRS cards per article, as safe as bookmarks."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler, State
from libhelpers import (
    corrupt_copies,
    two_subjects_library,
    two_writers_at_once,
    write_article,
    writers_killed_at_random,
)

import qtreader.library.review as review_module
from qtreader.library import paths
from qtreader.library.bookmarks import BookmarkStore
from qtreader.library.catalog import Catalog
from qtreader.library.models import ArticleRow
from qtreader.library.review import (
    ReviewStore,
    StoreReadOnly,
    Study,
    end_of_day,
    rating,
    review_queue,
)

LIB = "/libraries/one"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def row(n: int, subject: str = "Subject") -> ArticleRow:
    return ArticleRow(n, f"/a/{n}", f"Article {n}", subject, "")


def store(**kwargs) -> ReviewStore:
    return ReviewStore(LIB, scheduler=Scheduler(enable_fuzzing=False), **kwargs)


# -- grading -----------------------------------------------------------------------


def test_grades_are_scheduled_by_fsrs():
    reviews = store()
    # The same grades given to fsrs directly: the store schedules nothing itself.
    fsrs = Scheduler(enable_fuzzing=False)
    expected: Card | None = None
    now = T0
    for grade, after in [
        ("good", dt.timedelta(0)),
        ("good", dt.timedelta(minutes=10)),
        ("again", dt.timedelta(days=3)),
        ("hard", dt.timedelta(minutes=10)),
        ("easy", dt.timedelta(days=2)),
    ]:
        now += after
        card = reviews.grade(row(1), grade, now)
        if expected is None:
            expected = Card(card_id=card.card.card_id, due=now)
        expected, _ = fsrs.review_card(expected, rating(grade), now)
        assert card.card.to_dict() == expected.to_dict(), grade
        assert ReviewStore(LIB).card("/a/1").card.to_dict() == expected.to_dict()
    assert expected.state == State.Review


def test_what_each_grade_does_to_a_new_card():
    due = {}
    for grade in ("again", "hard", "good", "easy"):
        due[grade] = ReviewStore(f"/lib/{grade}", scheduler=Scheduler(enable_fuzzing=False)).grade(
            row(1), grade, T0
        )
    assert due["again"].due == T0 + dt.timedelta(minutes=1)  # fsrs's first learning step
    assert due["again"].due < due["hard"].due < due["good"].due < due["easy"].due
    assert due["good"].due == T0 + dt.timedelta(minutes=10)
    assert due["easy"].state == State.Review
    assert due["easy"].due - T0 >= dt.timedelta(days=1)


def test_a_card_keeps_what_finds_its_article_again(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "s/a.md", title="Stacks", url="/q/stack", id="5", subject="CS", answer="x")
    with Catalog(root) as cat:
        cat.refresh()
        article = cat.article(cat.rowid_for_key("/q/stack"))
    card = ReviewStore(root).grade(article, Rating.Good, T0)
    again = ReviewStore(root).card("/q/stack")
    assert (again.key, again.url, again.id, again.title, again.subject) == (
        "/q/stack", "/q/stack", "5", "Stacks", "CS",
    )  # fmt: skip
    assert again.added == T0 and again.card == card.card
    assert ReviewStore(root).path == paths.review_file(root)


def test_due_lists_what_is_due_by_then_earliest_first():
    reviews = store()
    reviews.grade(row(1), "good", T0)  # due in 10 minutes
    reviews.grade(row(2), "again", T0)  # due in 1 minute
    reviews.grade(row(3), "easy", T0)  # due in days
    assert reviews.due(T0) == []
    assert [c.key for c in reviews.due(T0 + dt.timedelta(minutes=5))] == ["/a/2"]
    assert [c.key for c in reviews.due(T0 + dt.timedelta(hours=1))] == ["/a/2", "/a/1"]
    assert [c.key for c in reviews.due(T0 + dt.timedelta(days=400))] == ["/a/2", "/a/1", "/a/3"]
    assert reviews.load().next_due(T0) == T0 + dt.timedelta(minutes=1)
    local = dt.timezone(dt.timedelta(hours=-5))
    assert [c.key for c in reviews.due((T0 + dt.timedelta(hours=1)).astimezone(local))] == [
        "/a/2",
        "/a/1",
    ]


def test_grades_are_named_or_numbered_and_time_is_aware():
    assert [rating(g) for g in ("again", " Hard ", "GOOD", 4)] == list(Rating)
    assert rating(Rating.Easy) is Rating.Easy
    with pytest.raises(ValueError):
        rating("excellent")
    with pytest.raises(ValueError):
        rating(5)
    with pytest.raises(ValueError, match="timezone-aware"):
        store().grade(row(1), "good", dt.datetime(2026, 3, 2, 9, 0))
    assert not store().path.exists()


def test_end_of_day_is_in_the_zone_of_now():
    zone = dt.timezone(dt.timedelta(hours=2))
    now = dt.datetime(2026, 3, 2, 23, 30, tzinfo=zone)
    assert end_of_day(now) == dt.datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=zone)


def test_study_choice_is_recorded():
    reviews = store()
    assert reviews.study() == Study() and not reviews.study()
    reviews.set_study(Study(bookmarks=True, subjects=("Computer  Science", "biology", "Biology")))
    again = store()
    assert again.study() == Study(True, ("computer science", "biology"))
    reviews.grade(row(1), "good", T0)
    assert again.study().bookmarks  # grading keeps the choice
    again.set_study(Study())
    assert not store().study() and store().card("/a/1") is not None


def test_forget_and_the_grades_log(monkeypatch):
    monkeypatch.setattr(review_module, "REVIEW_LOG_LIMIT", 3)
    reviews = store()
    for n in range(1, 5):
        reviews.grade(row(n), "good", T0 + dt.timedelta(seconds=n))
    data = json.loads(reviews.path.read_text())
    assert [(r["key"], r["rating"]) for r in data["reviews"]] == [
        ("/a/2", 3),
        ("/a/3", 3),
        ("/a/4", 3),
    ]
    assert len({c["card"]["card_id"] for c in data["cards"]}) == 4
    assert reviews.forget("/a/2") is True
    assert reviews.forget("/a/2") is False
    assert sorted(store().load().cards) == ["/a/1", "/a/3", "/a/4"]


def test_load_is_one_stat_while_the_file_is_unchanged():
    reviews, other = store(), store()
    first = reviews.load()
    assert reviews.load() is first and first.stamp is None
    other.grade(row(1), "good", T0)
    assert reviews.changed(first)
    second = reviews.load()
    assert "/a/1" in second.cards and reviews.load() is second


# -- damaged and newer files ---------------------------------------------------------


@pytest.mark.parametrize("content", [b"\x00\xff", b'{"version": 1, "cards": [', b"[]", b""])
def test_a_damaged_file_is_kept_aside(content):
    path = paths.review_file(Path(LIB))
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    reviews = store()
    assert reviews.load().cards == {}
    (aside,) = corrupt_copies(path)
    assert aside.read_bytes() == content
    (message,) = reviews.take_messages()
    assert str(aside) in message
    reviews.grade(row(1), "good", T0)
    assert list(store().load().cards) == ["/a/1"]


def test_entries_of_the_wrong_shape_are_dropped():
    reviews = store()
    reviews.grade(row(1), "good", T0)
    data = json.loads(reviews.path.read_text())
    good = data["cards"][0]
    data["cards"] += [
        "text",
        {"key": "/no/card"},
        {**good, "key": "/bad/due", "card": {**good["card"], "due": "yesterday"}},
        {**good, "key": "/naive", "card": {**good["card"], "due": "2026-03-02T09:00:00"}},
        {**good, "key": "/step", "card": {**good["card"], "step": "1"}},
        {**good, "key": "/state", "card": {**good["card"], "state": 9}},
        {**good, "key": ""},
    ]
    data["study"] = {"bookmarks": "yes", "subjects": ["Biology", 3]}
    reviews.path.write_text(json.dumps(data))
    again = store()
    assert list(again.load().cards) == ["/a/1"]
    assert again.study() == Study(False, ("biology",))
    assert again.take_messages() == []


def test_a_newer_file_is_read_only_and_never_written():
    reviews = store()
    reviews.grade(row(1), "good", T0)
    data = json.loads(reviews.path.read_text())
    data["version"] = 9
    content = json.dumps(data).encode()
    reviews.path.write_bytes(content)
    newer = store()
    assert list(newer.load().cards) == ["/a/1"]
    assert newer.read_only
    with pytest.raises(StoreReadOnly):
        newer.grade(row(2), "good", T0)
    with pytest.raises(StoreReadOnly):
        newer.set_study(Study(bookmarks=True))
    assert reviews.path.read_bytes() == content
    assert corrupt_copies(reviews.path) == []
    assert "newer" in newer.take_messages()[0]


# -- processes -------------------------------------------------------------------------


def test_two_processes_grading_at_once_lose_nothing(tmp_path):
    path = tmp_path / "review.json"
    assert two_writers_at_once(tmp_path, "review", path, 100) == [0, 0]
    cards = ReviewStore("/library", path).load().cards
    assert set(cards) == {f"{p}-{n}" for p in ("l", "r") for n in range(100)}
    assert len(json.loads(path.read_text())["reviews"]) == 200


def test_a_grader_killed_at_random_moments_never_loses_a_saved_grade(tmp_path):
    path = tmp_path / "review.json"
    for seed, iteration, saved in writers_killed_at_random(tmp_path, "review", path, 10, 0.3):
        data = json.loads(path.read_bytes())  # whole, never half-written
        assert data["version"] == 1
        missing = set(saved) - {c["key"] for c in data["cards"]}
        assert not missing, (seed, iteration, sorted(missing)[:5])
    assert saved, "no child got to save anything"
    reviews = ReviewStore("/library", path)
    assert set(saved) <= set(reviews.load().cards)
    assert reviews.take_messages() == [] and corrupt_copies(path) == []


# -- the queue, with a catalog --------------------------------------------------------


def test_the_queue_takes_new_cards_from_what_was_chosen(tmp_path):
    root = tmp_path / "lib"
    two_subjects_library(root, 5, 3, "Chem stub")
    reviews = ReviewStore(root, scheduler=Scheduler(enable_fuzzing=False))
    bookmarks = BookmarkStore()
    with Catalog(root) as cat:
        cat.refresh()
        article = {k: cat.article(cat.rowid_for_key(k)) for k in ("/bio/3", "/chem/1", "/chem/2")}
        for key in ("/chem/2", "/bio/3"):
            bookmarks.add_article(str(root), article[key])
        assert len(review_queue(reviews, cat, T0)) == 0  # nothing chosen, no cards
        reviews.set_study(Study(bookmarks=True, subjects=("chemistry",)))
        queue = review_queue(reviews, cat, T0, bookmarks=bookmarks.all(str(root)))
        assert queue.due == ()
        assert [d.key for d in queue.new] == ["/bio/3", "/chem/2", "/chem/0", "/chem/1"]
        assert all(d.due is None and d.card is None and d.rowid for d in queue.new)
        assert queue.new[0].subject == "Biology"
        # Graded today: no longer new, and the day's allowance shrinks.
        reviews.grade(article["/chem/1"], "again", T0)
        reviews.grade(queue.new[0], "easy", T0)
        later = T0 + dt.timedelta(minutes=2)
        queue = review_queue(reviews, cat, later, bookmarks=bookmarks.all(str(root)), new_per_day=3)
        assert [(d.key, d.title, d.subject) for d in queue.due] == [
            ("/chem/1", "Chem 1", "Chemistry")
        ]
        assert queue.due[0].due == T0 + dt.timedelta(minutes=1)
        assert queue.due[0].rowid == cat.rowid_for_key("/chem/1")
        assert [d.key for d in queue.new] == ["/chem/2"]  # 3 a day, 2 graded today
        assert queue.next_due == reviews.card("/bio/3").due
        tomorrow = T0 + dt.timedelta(days=1)
        queue = review_queue(reviews, cat, tomorrow, new_per_day=3)
        assert [d.key for d in queue.new] == ["/chem/0", "/chem/2"]  # no bookmarks given
        with_stubs = review_queue(reviews, cat, tomorrow, new_per_day=9, include_stubs=True)
        assert [d.key for d in with_stubs.new] == ["/chem/0", "/chem/2", "/chem/stub"]
        today = review_queue(reviews, cat, T0, until=end_of_day(T0))
        assert [d.key for d in today.due] == ["/chem/1"]


def test_a_due_card_whose_article_moved_or_went(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "a/q.md", title="Moving", id="31", subject="Biology", answer="x")
    write_article(
        root, "a/g.md", title="Going", url="/going", id="32", subject="Biology", answer="x"
    )
    reviews = ReviewStore(root, scheduler=Scheduler(enable_fuzzing=False))
    with Catalog(root) as cat:
        cat.refresh()
        for key in ("a/q.md", "/going"):
            reviews.grade(cat.article(cat.rowid_for_key(key)), "again", T0)
        (root / "b").mkdir()
        shutil.move(root / "a" / "q.md", root / "b" / "q.md")
        (root / "a" / "g.md").unlink()
        cat.refresh()
        queue = review_queue(reviews, cat, T0 + dt.timedelta(hours=1))
        by_key = {d.key: d for d in queue.due}
        assert by_key["a/q.md"].rowid == cat.rowid_for_key("b/q.md")
        assert by_key["/going"].rowid is None and by_key["/going"].title == "Going"
        # Graded under the key its card is kept under, not the article's new one.
        moved = cat.article(cat.rowid_for_key("b/q.md"))
        reviews.grade(moved, "good", T0 + dt.timedelta(hours=1), card_key="a/q.md")
        assert sorted(reviews.load().cards) == ["/going", "a/q.md"]
        assert reviews.card("a/q.md").card.step == 1
