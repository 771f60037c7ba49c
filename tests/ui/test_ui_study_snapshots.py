"""Snapshots of issue 23's views (update with --snapshot-update after looking): the
review card with its answer shown, and the tree and list with reading progress."""

from __future__ import annotations

import pytest
from test_ui_review import Clock, _studying_bookmarks
from ui_support import SAMPLE, settle, wait_for

from qtreader.library.catalog import Catalog
from qtreader.library.progress import ProgressStore, ReadMark
from qtreader.ui.app import ReaderApp
from qtreader.ui.screens.review import ReviewScreen


def test_review_card_with_its_answer(snap_compare, tmp_path):
    app = ReaderApp(_studying_bookmarks(tmp_path))
    app.theme = "textual-dark"

    async def reveal(pilot):
        await settle(pilot, app)
        reader = app.reader
        screen = ReviewScreen(reader.catalog, reader.library, reader.user.bookmarks,
                              reader.opener.math_transform(), clock=Clock())  # fmt: skip
        app.push_screen(screen)
        await wait_for(pilot, lambda: app.screen is screen and screen.ready)
        await pilot.press("space")
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=(100, 30), run_before=reveal)


@pytest.mark.parametrize(
    ("size", "theme"), [((160, 48), "textual-dark"), ((200, 60), "textual-light")],
    ids=["160x48-dark", "200x60-light"],
)  # fmt: skip
def test_tree_and_list_with_reading_progress(snap_compare, size, theme):
    with Catalog(SAMPLE) as catalog:
        catalog.refresh()
        rows = catalog.rows(list(catalog.list_rowids())[:12:3])
    ProgressStore(str(SAMPLE)).mark_read([ReadMark(r.key, title=r.title, read=1) for r in rows])
    app = ReaderApp(SAMPLE)
    app.theme = theme

    async def loaded(pilot):
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.reader.progress.in_use)
        await wait_for(pilot, lambda: app.reader.subjects._review is not None)  # counted
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=loaded)
