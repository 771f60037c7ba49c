"""Pilot tests for reading comfort: find in article, math, open and copy, the column."""

from __future__ import annotations

from textual.widgets import Input, Markdown
from ui_support import (
    SAMPLE,
    article_view,
    open_key_when_ready,
    open_rowid_when_ready,
    sample_catalog,
    search_and_enter,
    settle,
    wait_for,
)

from qtreader.library.settings import Settings
from qtreader.ui.app import ReaderApp
from qtreader.ui.screens.confirm import ConfirmScreen
from qtreader.ui.widgets.article_find import CURRENT_STYLE, MATCH_STYLE
from qtreader.ui.widgets.find_bar import FindBar

HASH = "/learn/computer-science/questions/how-does-a-hash-table-resolve-collisions"


def _styled_spans(view) -> list[tuple[str, str]]:
    """(text, style) of every highlighted span in the answer."""
    found = []
    for block in view.finder.originals:
        content = block._content
        for span in content.spans:
            if str(span.style) in (MATCH_STYLE, CURRENT_STYLE):
                found.append((content.plain[span.start : span.end], str(span.style)))
    return found


async def test_ctrl_f_finds_counts_and_moves_between_matches():
    catalog = sample_catalog()
    article = catalog.article(catalog.rowid_for_key(HASH))
    expected = article.answer.lower().count("slot")
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_key_when_ready(pilot, app, HASH)
        await pilot.press("ctrl+f")
        bar = app.reader.query_one("#find", FindBar)
        assert bar.display and isinstance(app.focused, Input)
        await pilot.press(*"slot")
        await settle(pilot, app)
        view = article_view(app)
        assert len(view.finder.matches) == expected > 3
        assert str(bar.query_one("#find-count").render()) == f"1 of {expected}"
        spans = _styled_spans(view)
        assert all(text.lower() == "slot" for text, _ in spans)
        assert [style for _, style in spans].count(CURRENT_STYLE) == 1
        await pilot.press("enter")
        assert str(bar.query_one("#find-count").render()) == f"2 of {expected}"
        await pilot.press("shift+enter", "shift+enter")
        assert str(bar.query_one("#find-count").render()) == f"{expected} of {expected}"
        # Esc closes the bar; n and N keep moving in the article.
        await pilot.press("escape")
        await pilot.pause()
        assert not bar.display and app.focused is view
        await pilot.press("n")
        assert view.finder.current == 0
        await pilot.press("N")
        assert view.finder.current == expected - 1


async def test_opening_from_a_search_highlights_the_query_words():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await search_and_enter(pilot, app, "hash table")
        view = article_view(app)
        assert view.article.key == HASH
        words = {text.lower() for text, _ in _styled_spans(view)}
        assert words and words <= {"hash", "hashes", "hashed", "hashing", "table", "tables"}
        # Every one quietly: none stands out as find's current match does.
        assert {style for _, style in _styled_spans(view)} == {MATCH_STYLE}


async def test_a_one_or_two_letter_search_word_marks_whole_words_only():
    # "big o": "o" finds words starting with o as it is typed; in the article only the
    # word "O" itself is marked, not every "of", "or" and "on".
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await search_and_enter(pilot, app, "big o")
        view = article_view(app)
        assert "Big O" in view.article.title
        words = {text.lower() for text, _ in _styled_spans(view)}
        assert words == {"big", "o"}


async def test_math_is_shown_as_unicode_and_dollar_shows_the_source():
    catalog = sample_catalog()
    rowid = next(r for r in catalog.list_rowids() if "\\frac" in catalog.article(r).answer)
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_rowid_when_ready(pilot, app, rowid)
        markdown = article_view(app).query_one("#answer", Markdown)
        assert "\\frac" not in markdown.source
        await pilot.press("dollar_sign")
        await settle(pilot, app)
        assert "\\frac" in markdown.source
        assert app.reader.nav.keys.count(app.reader.article.key) == 1


async def test_copy_link_and_answer_and_open_original_page():
    app = ReaderApp(SAMPLE, Settings(base_url="https://example.org"))
    copied: list[str] = []
    opened: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_key_when_ready(pilot, app, HASH)
        await pilot.press("y")
        assert copied[-1] == "https://example.org" + HASH
        await pilot.press("Y")
        assert copied[-1].startswith("# How does a hash table resolve collisions?")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert opened == ["https://example.org" + HASH]


async def test_open_original_without_base_url_explains():
    app = ReaderApp(SAMPLE, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_key_when_ready(pilot, app, HASH)
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("base_url" in n.message for n in app._notifications)


async def test_the_reading_column_has_the_configured_width():
    app = ReaderApp(SAMPLE, Settings(column_width=60))
    async with app.run_test(size=(250, 50)) as pilot:
        await open_key_when_ready(pilot, app, HASH)
        await wait_for(pilot, lambda: article_view(app).query_one("#column").size.width > 0)
        assert article_view(app).query_one("#column").size.width == 60
