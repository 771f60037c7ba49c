"""What the review screen says (qtreader.ui.review_text), without an app: time
phrases, the line under a card's title, the count, the grade buttons with their
previews, the keys and the page shown when nothing is due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from types import SimpleNamespace

from fsrs import Card, Rating, Scheduler

from qtreader.library.review import Due, ReviewQueue, ReviewStore, Study
from qtreader.ui.review_session import ReviewSession
from qtreader.ui.review_text import (
    card_meta,
    count_line,
    done_page,
    from_now,
    grades_line,
    interval,
    keys_line,
    previews,
    studied,
    study_line,
    when,
)

ZONE = dt.timezone(dt.timedelta(hours=1))
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)
MINUTE, HOUR, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)


def new(key: str, subject: str = "Physics") -> Due:
    return Due(key, f"Title of {key}", subject, None, 1, None)


def session_of(due: Sequence[Due] = (), new_cards: Sequence[Due] = (), **queue) -> ReviewSession:
    session = ReviewSession()
    fields = {"next_due": None, "study": Study(), **queue}
    session.built(ReviewQueue(tuple(due), tuple(new_cards), **fields), {}, None)
    return session


def test_an_interval_is_short():
    assert interval(30 * dt.timedelta(seconds=1)) == "<1m"
    assert interval(10 * MINUTE) == "10m"
    assert interval(3 * HOUR) == "3h"
    assert interval(8 * DAY) == "8d"
    assert interval(60 * DAY) == "2mo"
    assert interval(75 * DAY) == "2.5mo"
    assert interval(365 * DAY) == "1y"
    assert interval(438 * DAY) == "1.2y"


def test_from_now_says_the_wait_in_words():
    assert from_now(dt.timedelta(seconds=30)) == "in less than a minute"
    assert from_now(MINUTE) == "in 1 minute"
    assert from_now(10 * MINUTE) == "in 10 minutes"
    assert from_now(61 * MINUTE) == "in an hour"
    assert from_now(3 * HOUR) == "in 3 hours"
    assert from_now(47 * HOUR) == "in 47 hours"
    assert from_now(2 * DAY) == "in 2 days"


def test_when_is_said_in_the_zone_of_now():
    assert when(NOW + 10 * MINUTE, NOW) == "at 09:10 today"
    assert when(NOW + DAY, NOW) == "tomorrow at 09:00"
    assert when(NOW - DAY, NOW) == "yesterday at 09:00"
    assert when(NOW + 7 * DAY, NOW) == "on 2026-03-09 at 09:00"
    # A moment in UTC is said as the user's clock shows it.
    assert when(dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC), NOW) == "at 09:30 today"


def test_the_line_under_a_title_says_the_subject_and_when_it_was_due_and_seen():
    assert card_meta(new("/q/a"), NOW) == "Physics · new question"
    assert card_meta(new("/q/a", subject=""), NOW) == "new question"
    store = ReviewStore("/libraries/one", scheduler=Scheduler(enable_fuzzing=False))
    article = SimpleNamespace(key="/q/a", title="A", url="/q/a", subject="Physics")
    card = store.grade(article, "good", NOW - HOUR)
    due = Due("/q/a", "A", "Physics", card.due, 1, card)
    assert card_meta(due, NOW) == "Physics · due at 08:10 today · last seen at 08:00 today"


def test_the_count_says_which_card_of_the_due_then_the_new_ones():
    assert count_line(ReviewSession()).plain == "Review"
    assert count_line(session_of()).plain == "Review   nothing due"
    session = session_of([new("/d1"), new("/d2")], [new("/n1")])
    assert count_line(session).plain == "Review   1 of 2 due · 1 new"
    session.next()
    assert count_line(session).plain == "Review   2 of 2 due · 1 new"
    session.next()
    assert count_line(session).plain == "Review   1 of 1 new"
    session.next()
    assert count_line(session).plain == "Review   nothing due"


def test_what_is_studied_is_named():
    names = {"physics": "Physics"}
    assert studied(Study(), names) == ""
    assert studied(Study(bookmarks=True, subjects=("physics", "chem")), names) == (
        "your bookmarks, Physics, chem"
    )
    assert study_line(session_of(study=Study(bookmarks=True))).plain == "studying your bookmarks"
    assert study_line(session_of()).plain == ""


def test_previews_are_the_schedulers_without_its_fuzz():
    scheduler = Scheduler()  # fuzzing on, as the store's
    expected, utc = [], NOW.astimezone(dt.UTC)
    for rating in Rating:
        fresh = Card(card_id=1, due=utc)
        after, _ = Scheduler(enable_fuzzing=False).review_card(fresh, rating, utc)
        expected.append(interval(after.due - utc))
    assert previews(scheduler, None, NOW) == expected == ["1m", "6m", "10m", "8d"]
    assert scheduler.enable_fuzzing  # the store's own scheduler is left as it was
    # A card seen before: its own state decides.
    card, _ = Scheduler(enable_fuzzing=False).review_card(Card(), Rating.Good, utc - DAY)
    assert previews(scheduler, card, NOW)[2] != "10m"
    # Only a preview: a failing scheduler gives none, never an error.
    assert previews(object(), None, NOW) == []


def test_the_grade_buttons_with_and_without_previews():
    line = grades_line(["1m", "6m", "10m", "8d"])
    assert line.plain == " 1  Again 1m    2  Hard 6m    3  Good 10m    4  Easy 8d"
    assert grades_line([]).plain == " 1  Again    2  Hard    3  Good    4  Easy"
    styles = {line.plain[s.start : s.end]: str(s.style) for s in line.spans}
    assert styles[" 1 "] == "reverse bold" and styles[" 10m"] == "dim"


def test_the_keys_line():
    line = keys_line([("Space", "answer"), ("n", "skip")])
    assert line.plain == "Space answer  ·  n skip"
    assert [line.plain[s.start : s.end] for s in line.spans] == ["Space", "n"]


def test_the_page_when_nothing_is_due():
    assert done_page(ReviewSession(), NOW, "s").plain == "Finding what is due…"
    session = session_of(next_due=NOW + 10 * MINUTE)
    session.pending = 1
    assert done_page(session, NOW, "s").plain == "Saving your grades…"
    session.pending = 0
    session.reviewed = 2
    text = done_page(session, NOW, "s").plain
    assert "Nothing is due now\nReviewed 2 cards this session." in text
    assert "The next card is due at 09:10 today (in 10 minutes)." in text
    assert "You have not chosen what to study.\ns studies your bookmarks." in text
    assert text.endswith("command line:\n\n    qtreader review --study SUBJECT")

    session = session_of(study=Study(bookmarks=True))
    session.new_per_day = 20
    text = done_page(session, NOW, "S").plain
    assert "No card is scheduled yet" in text
    assert "Studying your bookmarks: new questions come from them, up to 20 a day." in text
    assert "S stops studying your bookmarks." in text

    failed = ReviewSession()
    failed.built(None, {}, "What is due could not be read: damaged")
    assert "What is due could not be read: damaged\n\n" in done_page(failed, NOW, "s").plain
