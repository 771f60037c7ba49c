"""Searches that land, in the reader (issue 22): a typo is met with the library's own
word and one key to take it; S sorts by relevance, date or title."""

from __future__ import annotations

from textual.widgets import Input, Label
from ui_support import SAMPLE, article_list, sample_catalog, settle, wait_for

from qtreader.ui.app import ReaderApp


def _count(app) -> str:
    return str(app.reader.query_one("#count", Label).render())


async def _typed_a_typo(pilot, app):
    """Search for "photosynthsis" until the list offers the library's word; the list."""
    await settle(pilot, app)
    await pilot.press("slash", *"photosynthsis")
    lst = article_list(app)
    await wait_for(pilot, lambda: "Did you mean" in lst.empty_message, timeout=10)
    return lst


async def test_a_typo_is_offered_the_librarys_word_and_ctrl_y_takes_it():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        lst = await _typed_a_typo(pilot, app)
        assert "“photosynthesis”" in lst.empty_message and len(lst.source) == 0
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: len(lst.source) > 0, timeout=10)
        assert app.reader.query_one("#search", Input).value == "photosynthesis"


async def test_s_sorts_newest_first_then_by_title_then_by_relevance():
    catalog = sample_catalog()
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.reader.action_focus_list()
        await pilot.press("S")
        await wait_for(pilot, lambda: "newest first" in _count(app))
        lst = article_list(app)
        expected = list(catalog.list_rowids(sort="newest", group=True))
        assert [lst.source.get(i).rowid for i in range(len(lst.source))] == expected
        await pilot.press("S")
        await wait_for(pilot, lambda: "by title" in _count(app))
        await pilot.press("S")  # back to relevance: a list with no query is by title
        await pilot.press("slash", *"energy")
        await wait_for(pilot, lambda: "match" in _count(app))
        assert "newest" not in _count(app)


async def test_the_suggestion_and_its_key_show_whole_in_an_80_column_terminal():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await _typed_a_typo(pilot, app)
        await pilot.pause()
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "“photosynthesis”? Ctrl+Y" in shown
