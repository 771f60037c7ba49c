"""The reader's state without an app: back and forward, undo of removals, search
generations, scopes (qtreader.ui.state)."""

from __future__ import annotations

import threading

from qtreader.library.bookmarks import Bookmark
from qtreader.ui.state import (
    ALL,
    BOOKMARKS,
    HISTORY,
    Navigation,
    Removals,
    Scope,
    SearchGenerations,
)


def test_navigation_goes_back_and_forward_like_a_browser():
    nav = Navigation()
    assert nav.back() is None and nav.forward() is None and nav.current is None
    for key in ("a", "b", "c"):
        nav.visit(key)
    assert nav.keys == ["a", "b", "c"]
    assert nav.back().key == "b"
    assert nav.back().key == "a"
    assert nav.back() is None
    assert nav.forward().key == "b"
    nav.visit("d")  # a new article drops what was ahead
    assert nav.keys == ["a", "b", "d"]
    assert nav.forward() is None


def test_the_same_article_twice_in_a_row_is_one_visit():
    nav = Navigation()
    nav.visit("a")
    nav.visit("a")
    nav.visit("b")
    nav.back()
    nav.visit("a")  # where the reader is already: forward history is kept
    assert nav.keys == ["a", "b"]
    assert nav.forward().key == "b"


def test_each_visit_keeps_its_own_place():
    nav = Navigation()
    nav.visit("a")
    nav.remember("a", 42.0, 3)
    nav.visit("b")
    nav.remember("b", 7.0, None)
    nav.remember("a", 99.0, 1)  # not the current visit (an article still opening): ignored
    back = nav.back()
    assert (back.key, back.scroll_y, back.focused_link) == ("a", 42.0, 3)
    forward = nav.forward()
    assert (forward.key, forward.scroll_y, forward.focused_link) == ("b", 7.0, None)


def test_a_new_visit_starts_at_the_top():
    nav = Navigation()
    nav.visit("a")
    nav.remember("a", 42.0, 3)
    nav.visit("b")
    nav.back()
    nav.visit("c")
    nav.back()
    nav.forward()
    assert (nav.current.scroll_y, nav.current.focused_link) == (0.0, None)


def _bookmark(key: str) -> Bookmark:
    return Bookmark(library="/lib", key=key, title=key.upper(), subject="", url="", id="", added="")


def test_removals_are_undone_newest_first_and_only_once_written_with_a_bookmark():
    removals = Removals()
    first, second = removals.start("a"), removals.start("b")
    assert first is not None and second is not None
    assert removals.start("a") is None  # its removal is still being written
    assert removals.pending == {"a", "b"} and bool(removals)
    first.bookmark = _bookmark("a")
    removals.written(first)
    removals.written(second)  # found no bookmark: nothing to undo
    assert removals.pending == set()
    assert removals.take_last() is first
    assert removals.take_last() is None and not removals


def test_undo_can_be_asked_before_the_removal_is_written():
    removals = Removals()
    removal = removals.start("a")
    assert removals.take_last() is removal  # "u" before the file was written
    removal.bookmark = _bookmark("a")
    removals.written(removal)
    assert removals.pending == set() and not removals


def test_only_the_newest_search_interrupts_and_is_shown():
    generations = SearchGenerations()
    older = generations.start()
    newer = generations.start()
    interrupted: list[int] = []
    assert not generations.interrupt_older(older, lambda: interrupted.append(older))
    assert generations.interrupt_older(newer, lambda: interrupted.append(newer))
    assert interrupted == [newer]
    assert generations.is_current(newer) and not generations.is_current(older)


def test_a_search_starting_while_another_interrupts_waits_for_it():
    # The check and the interrupt are one step: a newer search started meanwhile is
    # counted either before (and the older one does nothing) or after the interrupt.
    generations = SearchGenerations()
    first = generations.start()
    inside, release = threading.Event(), threading.Event()
    started: list[int] = []

    def interrupt() -> None:
        inside.set()
        release.wait(5)

    worker = threading.Thread(target=generations.interrupt_older, args=(first, interrupt))
    worker.start()
    assert inside.wait(5)
    starter = threading.Thread(target=lambda: started.append(generations.start()))
    starter.start()
    starter.join(0.2)
    assert started == []  # held until the interrupt is done
    release.set()
    worker.join(5)
    starter.join(5)
    assert started == [first + 1]


def test_scopes_name_themselves_in_a_session():
    assert ALL.session_subject is None
    assert BOOKMARKS.session_subject == "bookmarks" and BOOKMARKS.is_saved
    assert HISTORY.session_subject == "history" and HISTORY.is_saved
    biology = Scope("subject", "biology", "Biology")
    assert biology.session_subject == "biology" and not biology.is_saved
