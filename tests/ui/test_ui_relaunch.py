"""A relaunch gives the focus back to the article view at once, before its article is
read: a key pressed meanwhile (q) is not typed into the search box."""

from __future__ import annotations

import threading

from ui_support import SAMPLE, article_view, settle, wait_for

from qtreader.library.catalog import Catalog
from qtreader.ui.app import ReaderApp

HASH = "/learn/computer-science/questions/how-does-a-hash-table-resolve-collisions"


async def test_the_view_has_the_focus_again_before_its_article_is_read(monkeypatch):
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.reader.open_key(HASH)
        await wait_for(pilot, lambda: article_view(app).article is not None)
        article_view(app).focus()
        await settle(pilot, app)
        await pilot.press("q")  # the session is saved as the reader quits
    # Relaunched, with the article's read held back (a slow disk).
    gate = threading.Event()
    real = Catalog.article

    def slow(self, rowid):
        gate.wait(5)
        return real(self, rowid)

    monkeypatch.setattr(Catalog, "article", slow)
    again = ReaderApp(SAMPLE)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: again.reader.ready, timeout=10)
        await pilot.pause()
        try:
            assert article_view(again).article is None  # still being read
            assert again.focused is article_view(again)
        finally:
            gate.set()
        await wait_for(pilot, lambda: article_view(again).article is not None)
        assert again.focused is article_view(again)
