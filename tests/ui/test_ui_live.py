"""What the reader shows stays true as you read (issue 21): notes are visible and one
key edits them, the tree's counts follow what is opened and bookmarked (by another
qtreader too), and a relaunch gives the focus back where it was."""

from __future__ import annotations

from ui_support import (
    SAMPLE,
    article_list,
    article_view,
    enter_on_list,
    sample_catalog,
    settle,
    wait_for,
)

from qtreader.library.bookmarks import BookmarkStore
from qtreader.ui.app import ReaderApp
from qtreader.ui.screens.note import NoteScreen
from qtreader.ui.state import BOOKMARKS, HISTORY
from qtreader.ui.widgets.search_pane import SearchBox
from qtreader.ui.widgets.subject_tree import SubjectTree


def _label(app, scope) -> str:
    tree = app.reader.query_one("#subjects", SubjectTree)
    node = tree.node_for(scope)
    assert node is not None
    return str(node.label)


def _first_article():
    catalog = sample_catalog()
    return catalog.article(catalog.list_rowids()[0])


async def test_a_bookmarks_note_shows_in_its_row_and_its_article_and_e_edits_it():
    article = _first_article()
    BookmarkStore().add_article(str(SAMPLE.resolve()), article, note="revise for Friday")
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, app)
        await pilot.press("B")
        await settle(pilot, app)
        lst = article_list(app)
        row = " ".join(lst.render_line(n).text for n in range(lst.row_height))
        assert "revise for Friday" in row
        await pilot.press("enter")
        await settle(pilot, app)
        note = article_view(app).query_one("#note")
        assert note.display and "revise for Friday" in str(note.render())
        app.reader.action_show_history()  # away from Bookmarks: e still edits it
        await settle(pilot, app)
        app.reader.set_focus(article_view(app))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press("ctrl+u", *"bring a pen", "enter")
        await wait_for(pilot, lambda: "bring a pen" in str(note.render()))
        assert BookmarkStore().all(str(SAMPLE.resolve()))[0].note == "bring a pen"


async def test_the_trees_counts_follow_what_is_opened_and_bookmarked_elsewhere():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, app)
        assert _label(app, HISTORY).split()[-1] == "0"
        await enter_on_list(pilot, app)
        await wait_for(pilot, lambda: _label(app, HISTORY).split()[-1] == "1")
        # Another qtreader (the CLI) bookmarks an article: the count follows.
        BookmarkStore().add_article(str(SAMPLE.resolve()), _first_article())
        await wait_for(pilot, lambda: _label(app, BOOKMARKS).split()[-1] == "1", timeout=20)
        await wait_for(pilot, lambda: article_list(app).source.get(0).marked, timeout=10)


async def test_a_relaunch_gives_the_focus_back_where_it_was():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await enter_on_list(pilot, app)
        assert app.focused is article_view(app)
        app.reader.save_session()
    again = ReaderApp(SAMPLE)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot, again)
        await wait_for(pilot, lambda: again.focused is article_view(again))
        await pilot.press("slash")
        again.reader.save_session()
    third = ReaderApp(SAMPLE)
    async with third.run_test(size=(120, 40)) as pilot:
        await settle(pilot, third)
        await wait_for(pilot, lambda: isinstance(third.focused, SearchBox))


async def test_a_bookmark_added_elsewhere_right_after_launch_is_counted():
    """Regression: the first look at the files only took their state, so a bookmark
    added between the reading of the counts and that look (2 s) was never counted."""
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, app)
        BookmarkStore().add_article(str(SAMPLE.resolve()), _first_article())
        await wait_for(pilot, lambda: _label(app, BOOKMARKS).split()[-1] == "1", timeout=20)
