"""Back and forward return to where the reader was: the scroll position and the
focused link of each article visited."""

from __future__ import annotations

from ui_support import open_and_focus, open_when_ready, settle, shows, wait_for, write_topic_library

from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.link_item import LinkItem

LONG = "\\n\\n".join(
    f"Paragraph {n} of a long answer, with words to scroll past." for n in range(60)
)


def _library(tmp_path):
    answers = {"first": LONG, "second": LONG, "third": "A short answer."}
    return write_topic_library(tmp_path / "lib", answers, ("second", "third"))


async def test_back_returns_to_the_scroll_position_and_the_focused_link(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_when_ready(pilot, app, "first")
        view.scroll_to(y=25, animate=False, immediate=True)
        await pilot.pause()
        # The reader's link to "second", focused without scrolling to it.
        link = next(i for i in view.link_items() if i.link.target_key and "second" in i.link.label)
        link.focus(scroll_visible=False)
        await pilot.pause()
        assert view.scroll_y == 25
        index = view.link_items().index(link)
        await pilot.press("enter")  # follow it
        await wait_for(pilot, shows(app, "second"))
        await settle(pilot, app)
        assert view.scroll_y == 0  # a new visit starts at the top
        view.scroll_to(y=10, animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await wait_for(pilot, shows(app, "first"))
        await settle(pilot, app)
        await wait_for(pilot, lambda: view.scroll_y == 25)
        assert isinstance(app.focused, LinkItem)
        assert view.link_items().index(app.focused) == index
        await pilot.press("right_square_bracket")
        await wait_for(pilot, shows(app, "second"))
        await settle(pilot, app)
        await wait_for(pilot, lambda: view.scroll_y == 10)
        assert app.focused is view  # no link had the focus there


async def test_showing_math_the_other_way_keeps_the_place(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_and_focus(pilot, app, "first")
        view.scroll_to(y=30, animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("dollar_sign")
        await settle(pilot, app)
        await wait_for(pilot, lambda: view.scroll_y == 30)
