"""Reading progress in the reader (issue 23): an article open a few seconds, or scrolled
to its end, counts as read; m toggles it; rows show unread ones with a marker and read
ones quieter; the tree shows read / total; marks written by another qtreader show up."""

from __future__ import annotations

from libhelpers import write_article
from ui_support import article_list, article_view, open_and_focus, open_article, settle, wait_for

from qtreader.library.progress import ProgressStore, ReadMark
from qtreader.ui.app import ReaderApp

LONG = "\\n\\n".join(
    f"Paragraph {n} of a long answer, with words to scroll past." for n in range(60)
)


def _library(tmp_path):
    root = tmp_path / "lib"
    for name, subject, answer in (
        ("alpha", "Physics", "Short."),
        ("beta", "Physics", LONG),
        ("gamma", "Biology", "Short too."),
    ):
        write_article(root, f"{subject.lower()}/{name}.md", id=name, url=f"/{name}",
                      title=f"The {name} one", answer=answer, subject=subject)  # fmt: skip
    return root


def _rows(app) -> dict[str, object]:
    source = article_list(app).source
    return {source.get(n).key: source.get(n) for n in range(len(source))}


def _tree_label(app, name: str) -> str:
    tree = app.reader.subjects
    return next(str(n.label) for n in tree.root.children if n.data.name == name)


async def test_an_article_open_a_while_counts_as_read_and_rows_and_tree_say_so(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        app.reader.progress.after_seconds = 0.3
        await settle(pilot, app)
        assert {row.read for row in _rows(app).values()} == {None}  # no marks: no markers
        await open_article(pilot, app, "alpha")
        await wait_for(pilot, lambda: _rows(app)["/alpha"].read is True, timeout=5)
        rows = _rows(app)
        assert rows["/beta"].read is False and rows["/gamma"].read is False
        await wait_for(pilot, lambda: "1 /" in _tree_label(app, "Physics"))
        assert "0 /" in _tree_label(app, "Biology")
        assert "1 /" in _tree_label(app, "All articles")
        # Stored with the reader's guarantees, for the CLI and other readers.
        assert ProgressStore(app.reader.library).is_read("/alpha")


async def test_m_toggles_the_selected_row_and_the_open_article(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        app.reader.progress.after_seconds = 0
        await settle(pilot, app)
        listed = article_list(app)
        listed.focus()
        key = listed.entry.key
        await pilot.press("m")
        await wait_for(pilot, lambda: _rows(app)[key].read is True)
        await pilot.press("m")
        await wait_for(pilot, lambda: app.reader.progress.is_read(key) is False)
        # In the article, m acts on the article.
        await open_article(pilot, app, "gamma")
        article_view(app).focus()
        await pilot.press("m")
        await wait_for(pilot, lambda: app.reader.progress.is_read("/gamma"))


async def test_scrolled_to_its_end_an_article_counts_as_read(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        app.reader.progress.after_seconds = 0  # only the end counts here
        await open_and_focus(pilot, app, "beta")
        await pilot.pause(0.2)
        assert not app.reader.progress.is_read("/beta")
        await pilot.press("G")
        await wait_for(pilot, lambda: app.reader.progress.is_read("/beta"), timeout=5)


async def test_marks_written_by_another_qtreader_show_up(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        app.reader.progress.after_seconds = 0
        await settle(pilot, app)
        ProgressStore(app.reader.library).mark_read([ReadMark("/gamma", title="The gamma one")])
        await wait_for(pilot, lambda: _rows(app)["/gamma"].read is True, timeout=6)
        assert "1 /" in _tree_label(app, "Biology")


async def test_the_unread_view_hide_read_and_next_unread(tmp_path):
    from qtreader.ui.state import UNREAD

    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(160, 40)) as pilot:
        app.reader.progress.after_seconds = 0
        await settle(pilot, app)
        ProgressStore(app.reader.library).mark_read([ReadMark("/beta", title="The beta one")])
        await wait_for(pilot, lambda: app.reader.progress.is_read("/beta"), timeout=6)
        await wait_for(pilot, lambda: "2" in _tree_label(app, "Unread"))
        # The tree's Unread view lists what is not read.
        app.reader.goto_subject(UNREAD)
        await wait_for(pilot, lambda: set(_rows(app)) == {"/alpha", "/gamma"})
        app.reader.goto_subject(app.reader.subjects.root.children[0].data)  # All
        await wait_for(pilot, lambda: len(_rows(app)) == 3)
        # U hides the read ones in any list, and shows them again.
        listed = article_list(app)
        listed.focus()
        await pilot.press("U")
        await wait_for(pilot, lambda: set(_rows(app)) == {"/alpha", "/gamma"})
        assert "unread only" in str(app.reader.query_one("#count").render())
        await pilot.press("U")
        await wait_for(pilot, lambda: len(_rows(app)) == 3)
        # n moves to the next unread row, over read ones, round to the top.
        keys = [listed.source.get(i).key for i in range(3)]
        listed.cursor = keys.index("/alpha")
        seen = []
        for _ in range(3):
            await pilot.press("n")
            seen.append(listed.entry.key)
        assert "/beta" not in seen and set(seen) == {"/alpha", "/gamma"}


async def test_r_opens_unread_articles_first(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        app.reader.progress.after_seconds = 0
        await settle(pilot, app)
        marks = [ReadMark("/alpha", title="The alpha one"), ReadMark("/beta", title="The beta one")]
        ProgressStore(app.reader.library).mark_read(marks)
        await wait_for(pilot, lambda: app.reader.progress.is_read("/beta"), timeout=6)
        listed = article_list(app)
        listed.focus()
        listed.cursor = [listed.source.get(i).key for i in range(3)].index("/alpha")
        await pilot.press("r")
        await settle(pilot, app)
        assert article_view(app).article.key == "/gamma"  # the one unread
        # With it selected, there is no other unread: another article, not it again.
        await pilot.press("r")
        await settle(pilot, app)
        assert article_view(app).article.key in ("/alpha", "/beta")


async def test_counts_stay_in_one_column_whichever_arrives_first(tmp_path):
    from qtreader.library.progress import LibraryProgress
    from qtreader.ui.state import BOOKMARKS, REVIEW

    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        tree = app.reader.subjects
        tree.show_progress(None)
        tree.show_review(5)  # the review's count first, then read marks
        tree.show_progress(LibraryProgress(read=1, total=3, subjects=()))
        await pilot.pause()
        review = str(tree.node_for(REVIEW).label)
        bookmarks = str(tree.node_for(BOOKMARKS).label)
        assert len(review.rstrip()) == len(bookmarks.rstrip())  # right-aligned together
