"""Tab reaches the links inside an answer's text, in reading order, then the links
under it; a link is marked where it stands, the status line says where it leads, Enter
follows it, and back returns to it (issue 21)."""

from __future__ import annotations

from libhelpers import link, write_article
from ui_support import open_and_focus, settle, shows, wait_for

from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.article_stops import CURSOR_STYLE
from qtreader.ui.widgets.link_item import LinkItem
from qtreader.ui.widgets.status_bar import StatusBar

FILLER = "\\n\\n".join(f"Paragraph {n}, words to scroll past on the way down." for n in range(40))
ANSWER = (
    "Read [the second one](/topic/second) first, and [a web page](https://example.org/x)."
    "\\n\\n- an item with [the third one](/topic/third) in it\\n- [a lost one](/topic/gone)"
    f"\\n\\n{FILLER}\\n\\nAt the very end, [the second again](/topic/second)."
)


def _library(tmp_path):
    root = tmp_path / "lib"
    for name, answer in (("first", ANSWER), ("second", "Short."), ("third", "Short too.")):
        write_article(
            root,
            f"topic/{name}.md",
            id=name,
            url=f"/topic/{name}",
            title=f"The {name} one",
            question=f"What is the {name} one?",
            answer=answer,
            subject="Topic",
            related_article1=link("third", "The third one", "Topic", "/topic/third"),
        )
    return root


def _marked(view) -> str:
    """The text of the link marked in the answer, or ""."""
    cursor = view.stops.cursor
    if cursor is None or view.app.focused is not view:
        return ""
    content = cursor.block._content
    styles = [str(span.style) for span in content.spans if span.start == cursor.start]
    assert CURSOR_STYLE in styles, "the link is not drawn marked"
    return content.plain[cursor.start : cursor.end]


def _status(app) -> str:
    return str(app.screen.query_one("#status", StatusBar).render())


async def test_tab_goes_through_the_answers_links_in_reading_order_then_the_related(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_and_focus(pilot, app, "first")
        await pilot.pause()
        reached = []
        await wait_for(pilot, lambda: view.query_one("#links-similar").display)
        for _ in range(16):
            await pilot.press("tab")
            await pilot.pause()
            if app.focused is view:
                reached.append(_marked(view))
            elif isinstance(app.focused, LinkItem):
                section = app.focused.parent.id.removeprefix("links-")
                reached.append(f"{section}: {app.focused.link.title}")
            else:
                break
        assert reached[:6] == [
            "the second one",
            "a web page",
            "the third one",
            "a lost one",
            "the second again",
            "related: The third one",
        ]
        # Then the library's articles most like it, found after the open.
        assert all(stop.startswith("similar: ") for stop in reached[6:])
        assert view not in app.focused.ancestors_with_self  # Tab left the article
        # Shift+Tab walks back the same way.
        for _ in range(len(reached) - 5):
            await pilot.press("shift+tab")
            assert isinstance(app.focused, LinkItem)
        await pilot.press("shift+tab")
        await pilot.pause()
        assert _marked(view) == "the second again"


async def test_the_status_line_says_where_the_marked_link_leads(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_focus(pilot, app, "first")
        library_line = _status(app)
        expected = [
            "The second one",
            "example.org/x",
            "The third one",
            "not in this library",
        ]
        for where in expected:
            await pilot.press("tab")
            await wait_for(pilot, lambda where=where: where in _status(app))
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab")
        await wait_for(pilot, lambda: _status(app) == library_line)  # no link marked


async def test_a_link_below_the_view_is_scrolled_to_just_enough(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_and_focus(pilot, app, "first")
        await pilot.press("tab", "tab", "tab", "tab")
        await pilot.pause()
        assert view.scroll_y == 0  # the first four are in sight
        await pilot.press("tab")
        await settle(pilot, app)
        assert _marked(view) == "the second again"
        # The link is on the view's last line, not at the top: the least scroll.
        cursor = view.stops.cursor
        line = cursor.block.content_region.y - view.content_region.y
        assert line == view.scrollable_content_region.height - 1
        assert 0 < view.scroll_y < view.max_scroll_y


async def test_enter_follows_the_marked_link_and_back_returns_to_it(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_and_focus(pilot, app, "first")
        await pilot.press("tab", "tab", "tab")
        await pilot.pause()
        assert _marked(view) == "the third one"
        await pilot.press("enter")
        await wait_for(pilot, shows(app, "third"))
        await settle(pilot, app)
        assert view.stops.cursor is None
        await pilot.press("left_square_bracket")
        await wait_for(pilot, shows(app, "first"))
        await settle(pilot, app)
        await wait_for(pilot, lambda: _marked(view) == "the third one")
        # And Tab goes on from there.
        await pilot.press("tab")
        await pilot.pause()
        assert _marked(view) == "a lost one"


async def test_find_marks_and_the_link_mark_live_together(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_and_focus(pilot, app, "first")
        await pilot.press("tab")
        await pilot.pause()
        view.finder.find("second")
        await pilot.pause()
        assert view.finder.matches, "find found nothing"
        view.focus()
        await pilot.pause()
        assert _marked(view) == "the second one"
        view.finder.clear()
        await pilot.pause()
        assert _marked(view) == "the second one"
        plain = view.stops.cursor.block._content
        assert "bold underline" not in [str(s.style) for s in plain.spans]
