"""Pilot tests for bookmarks, history and session restore in the reader."""

from __future__ import annotations

import faulthandler
import threading

from textual.widgets import Input
from ui_support import (
    SAMPLE,
    article_list,
    article_view,
    choose_subject,
    enter_on_list,
    sample_catalog,
    settle,
    wait_for,
)

from qtreader.library.bookmarks import BookmarkStore, HistoryStore
from qtreader.ui.app import ReaderApp
from qtreader.ui.screens.note import NoteScreen
from qtreader.ui.widgets.subject_tree import BOOKMARKS, SubjectTree


def _library() -> str:
    return str(SAMPLE.resolve())


async def test_b_toggles_a_bookmark_on_the_open_article_with_markers():
    catalog = sample_catalog()
    first = catalog.article(catalog.list_rowids()[0])
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await enter_on_list(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        assert [b.key for b in BookmarkStore().all(_library())] == [first.key]
        assert str(article_view(app).query_one("#title").render()).startswith("★")
        assert article_list(app).source.get(0).marked
        await pilot.press("b")
        await settle(pilot, app)
        assert BookmarkStore().all(_library()) == []
        assert not article_list(app).source.get(0).marked


async def test_bookmarks_list_newest_first_remove_undo_and_note():
    catalog = sample_catalog()
    rowids = catalog.list_rowids()[:3]
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        lst = article_list(app)
        lst.focus()
        for _ in rowids:
            await pilot.press("b", "j")  # bookmark the selected row, move on
            await settle(pilot, app)
        await pilot.press("B")
        await settle(pilot, app)
        assert app.reader.scope == BOOKMARKS
        tree = app.reader.query_one("#subjects", SubjectTree)
        assert tree.cursor_node.data == BOOKMARKS
        titles = [lst.source.get(i).title for i in range(len(lst.source))]
        expected = [catalog.article(r).title for r in rowids]
        assert sorted(titles) == sorted(expected)
        added = [b.added for b in BookmarkStore().all(_library())]
        assert added == sorted(added, reverse=True)
        # d removes the selected bookmark; u brings it back.
        await pilot.press("g", "d")
        await settle(pilot, app)
        assert len(lst.source) == 2
        assert len(BookmarkStore().all(_library())) == 2
        await pilot.press("u")
        await settle(pilot, app)
        assert len(lst.source) == 3
        assert len(BookmarkStore().all(_library())) == 3
        # e edits the note.
        key = lst.entry.key
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        note_input = app.screen.query_one(Input)
        note_input.value = "read again before the exam"
        await pilot.press("enter")
        await settle(pilot, app)
        assert BookmarkStore().get(_library(), key).note == "read again before the exam"
        # Enter opens the bookmarked article.
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.reader.article.key == key


async def test_d_and_e_do_nothing_outside_bookmarks():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        article_list(app).focus()
        await pilot.press("b")
        await settle(pilot, app)
        await pilot.press("d", "e")
        await settle(pilot, app)
        assert not isinstance(app.screen, NoteScreen)
        assert len(BookmarkStore().all(_library())) == 1


async def test_missing_bookmark_is_shown_and_kept():
    store = BookmarkStore()
    from qtreader.library.bookmarks import Bookmark

    store.add(Bookmark(_library(), "/learn/gone/questions/x", "77", "A vanished article", "Gone"))
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("B")
        await settle(pilot, app)
        entry = article_list(app).entry
        assert entry.missing and entry.title == "A vanished article"
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.reader.article is None
        assert any("no longer in this library" in n.message for n in app._notifications)
        assert len(BookmarkStore().all(_library())) == 1


async def test_history_lists_opened_articles_newest_first():
    catalog = sample_catalog()
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        lst = article_list(app)
        lst.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        lst.focus()
        await pilot.press("j", "j", "enter")
        await settle(pilot, app)
        history = HistoryStore().all(_library())
        assert [h.key for h in history] == [
            catalog.article(catalog.list_rowids()[2]).key,
            catalog.article(catalog.list_rowids()[0]).key,
        ]
        await pilot.press("H")
        await settle(pilot, app)
        assert [lst.source.get(i).key for i in range(len(lst.source))] == [h.key for h in history]


async def test_relaunch_restores_the_session():
    catalog = sample_catalog()
    subject = catalog.subjects()[2]
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await choose_subject(pilot, app, subject.key)
        lst = article_list(app)
        lst.focus()
        await pilot.press("j", "enter")
        await settle(pilot, app)
        opened = app.reader.article.key
        await pilot.press("q")
    again = ReaderApp(SAMPLE)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot, again)
        await wait_for(pilot, lambda: again.reader.article is not None)
        await settle(pilot, again)
        assert again.reader.scope.subject == subject.key
        assert again.reader.article.key == opened
        assert article_list(again).cursor == 1
        assert len(article_list(again).source) == subject.count


async def _three_bookmarks_listed(pilot, app: ReaderApp) -> None:
    await settle(pilot, app)
    article_list(app).focus()
    for _ in range(3):
        await pilot.press("b", "j")
        await settle(pilot, app)
    await pilot.press("B")
    await settle(pilot, app)
    assert app.reader.scope == BOOKMARKS
    assert len(BookmarkStore().all(_library())) == 3


def _hold_removals(monkeypatch) -> threading.Event:
    """Bookmark removals wait until the returned event is set: a disk slower than the
    keys, made deterministic."""
    release = threading.Event()
    real = BookmarkStore.remove

    def held(self, *args):
        release.wait(timeout=10)  # a safety net: the test sets it long before
        return real(self, *args)

    monkeypatch.setattr(BookmarkStore, "remove", held)
    return release


async def test_undo_pressed_before_the_removal_is_written_restores_it(monkeypatch):
    """Bug: "u" right after "d" found nothing to undo while "d" was still writing."""
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await _three_bookmarks_listed(pilot, app)
        release = _hold_removals(monkeypatch)
        await pilot.press("g", "d", "u")  # both before the removal is written
        release.set()
        await settle(pilot, app)
        assert len(BookmarkStore().all(_library())) == 3
        assert app.reader.bookmarking.removals.undoable == []


async def test_two_quick_removals_remove_two_bookmarks(monkeypatch):
    """Bug: the second "d" acted on the row already being removed, and did nothing."""
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await _three_bookmarks_listed(pilot, app)
        first_two = [article_list(app).source.get(i).key for i in range(2)]
        release = _hold_removals(monkeypatch)
        await pilot.press("g", "d", "d")
        release.set()
        await settle(pilot, app)
        left = BookmarkStore().all(_library())
        assert len(left) == 1 and left[0].key not in first_two
        assert len(article_list(app).source) == 1


async def test_quitting_while_a_bookmark_is_written_keeps_it_and_does_not_hang(monkeypatch):
    """Bug: quitting waited for pending bookmark writes on the UI thread, which those
    writes needed to report back: the reader hung on "q"."""
    release = threading.Event()
    real = BookmarkStore.toggle

    def held(self, *args):
        release.wait(timeout=10)  # a safety net: set as soon as the app has quit
        return real(self, *args)

    monkeypatch.setattr(BookmarkStore, "toggle", held)
    app = ReaderApp(SAMPLE)
    # Were the quit to hang again, end the test run with a traceback, not a stuck CI.
    faulthandler.dump_traceback_later(60, exit=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app)
            article_list(app).focus()
            key = article_list(app).entry.key
            await pilot.press("b")  # its write is held
            await pilot.press("q")
    finally:
        faulthandler.cancel_dump_traceback_later()
    release.set()
    app.reader.bookmarking._writer.shutdown(wait=True)  # what Python's exit does
    assert [b.key for b in BookmarkStore().all(_library())] == [key]
