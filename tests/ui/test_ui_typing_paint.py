"""A keystroke's echo and the titles it finds are drawn in one paint: the search pane
holds the screen's updates until the quick search's result is shown, and never longer
than HOLD_SECONDS, whatever becomes of the search (issue 21, "Typing feels instant")."""

from __future__ import annotations

import threading
import time

from ui_support import SAMPLE, article_list, settle, wait_for

from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets import search_pane
from qtreader.ui.widgets.search_pane import HOLD_SECONDS


def _held(app) -> bool:
    return app._batch_count > 0  # Textual's count of batch updates under way


async def test_the_echo_waits_for_the_result_and_is_drawn_with_it():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash")
        assert not _held(app)
        shown = []
        pane = app.reader.search_pane
        real = pane.show_result

        def show_result(*args, **kwargs):
            shown.append(_held(app))  # the list is set while the echo is still held
            return real(*args, **kwargs)

        pane.show_result = show_result
        await pilot.press("h")
        await wait_for(pilot, lambda: bool(shown))
        assert shown[0] is True
        await wait_for(pilot, lambda: not _held(app))  # released once it is shown
        assert article_list(app).source is not None


async def test_a_search_that_never_answers_holds_the_screen_no_longer_than_the_limit(
    monkeypatch,
):
    gate = threading.Event()
    real = search_pane.search_result

    def slow(*args, **kwargs):
        gate.wait(5)  # a search stuck on the disk
        return real(*args, **kwargs)

    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash")
        monkeypatch.setattr(search_pane, "search_result", slow)
        started = time.monotonic()
        await pilot.press("x")
        await wait_for(pilot, lambda: not _held(app), timeout=2)
        assert time.monotonic() - started < HOLD_SECONDS + 0.5
        gate.set()
        await settle(pilot, app)


async def test_the_lists_height_and_scrollbar_follow_each_result():
    # Set without a layout of the screen while the scrollbar stays (see
    # ArticleList._set_virtual_height): the list must still scroll to its true end.
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        listed = article_list(app)
        for query in ("the", "how does", "hash", "", "what"):
            await pilot.press("slash", "ctrl+u", *query, "enter")
            await settle(pilot, app)
            rows = len(listed.source)
            height = rows * listed.row_height
            assert listed.virtual_size.height == height, query
            shown = listed.scrollable_content_region.height
            assert listed.max_scroll_y == max(0, height - shown), query
            assert listed.show_vertical_scrollbar == (height > listed.size.height), query
            if listed.show_vertical_scrollbar:
                assert listed.vertical_scrollbar.window_virtual_size == height, query
            listed.focus()
            await pilot.press("end")
            await settle(pilot, app)
            assert listed.cursor == rows - 1
            assert listed.scroll_y == listed.max_scroll_y, query


async def test_typing_in_the_box_keeps_its_width_and_still_shows_the_cursor():
    # Input's scrollable width followed its text at each key, and laid the screen out
    # again each time; rounded up to a step, it changes once every 64 characters.
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash")
        box = app.reader.search_pane.search_box
        widths = set()
        for ch in "enzymes and their reactions":
            await pilot.press("space" if ch == " " else ch)
            widths.add(box.virtual_size.width)
        assert widths == {64}
        # A query longer than the box: the cursor stays in sight, at the end and home.
        await pilot.press(*"x" * 90)
        await settle(pilot, app)
        assert box.virtual_size.width == 128
        shown = box.scrollable_content_region.width
        assert box.scroll_x <= box.cursor_position <= box.scroll_x + shown
        await pilot.press("home")
        await settle(pilot, app)
        assert box.scroll_x == 0
        await pilot.press("end")
        await settle(pilot, app)
        assert box.scroll_x <= len(box.value) <= box.scroll_x + shown
