"""Views that stay true: Bookmarks and Recently opened keep a filter of their own, so a
search never empties them; counts say what they count, in the right number."""

from __future__ import annotations

from textual.widgets import Input, Label
from ui_support import SAMPLE, article_list, enter_on_list, sample_catalog, settle, wait_for

from qtreader.library.bookmarks import BookmarkStore
from qtreader.ui.app import ReaderApp
from qtreader.ui.state import ALL, HISTORY


def _bookmark(n: int, note: str = "") -> str:
    catalog = sample_catalog()
    article = catalog.article(catalog.list_rowids()[n])
    BookmarkStore().add_article(str(SAMPLE.resolve()), article, note=note)
    return article.title


def _count(app) -> str:
    return str(app.reader.query_one("#count", Label).render())


def _titles(app) -> list[str]:
    lst = article_list(app)
    return [lst.source.get(i).title for i in range(len(lst.source))]


async def test_bookmarks_opened_after_a_search_shows_every_bookmark():
    title = _bookmark(3)
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"inflation")
        await settle(pilot, app)
        app.reader.action_focus_list()
        await pilot.press("B")
        await settle(pilot, app)
        assert _titles(app) == [title]
        assert _count(app) == "1 bookmark"
        search = app.reader.query_one("#search", Input)
        assert search.value == "" and "bookmarks" in search.placeholder.lower()
        # Back to the articles: the search is where it was.
        app.reader.goto_subject(ALL)
        await settle(pilot, app)
        assert search.value == "inflation"
        assert "match" in _count(app)


async def test_typing_in_bookmarks_filters_them_by_title_and_note():
    _bookmark(1, note="exam week")
    kept = _bookmark(2, note="read before the exam")
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("B")
        await settle(pilot, app)
        assert len(_titles(app)) == 2 and _count(app) == "2 bookmarks"
        await pilot.press("slash", *"before exam")
        await wait_for(pilot, lambda: _titles(app) == [kept])
        assert _count(app) == "1 bookmark match"
        await pilot.press("ctrl+u", *"no such words")
        await wait_for(pilot, lambda: _titles(app) == [])
        assert "matches" in article_list(app).empty_message


async def test_a_search_after_leaving_recently_opened_counts_matches():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await enter_on_list(pilot, app)
        await pilot.press("H")
        await settle(pilot, app)
        await wait_for(pilot, lambda: _count(app) == "1 article opened recently")
        app.reader.save_session()
    again = ReaderApp(SAMPLE)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot, again)
        assert again.reader.scope == HISTORY
        again.reader.goto_subject(ALL)
        await settle(pilot, again)
        await pilot.press("slash", *"photosynthesis")
        await wait_for(pilot, lambda: "match" in _count(again))
        assert "opened" not in _count(again)
