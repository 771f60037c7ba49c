"""Issue 19, the reader: a library folder whose path is not UTF-8 (``lib\\xff\\xfe``)
opens, is searched and read like any other; its name is shown escaped, and the session
is kept for the next launch."""

from __future__ import annotations

import os
from pathlib import Path

from libhelpers import copy_fixture_library
from textual.widgets import Input
from ui_support import enter_on_list, settle, visible_titles, wait_for

from qtreader.library.state import StateStore
from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.status_bar import StatusBar

LEAVES = "Why do leaves change colour in autumn?"
LEAVES_URL = "/learn/botany/questions/why-do-leaves-change-colour"


def surrogates(text: str) -> list[str]:
    return [c for c in text if "\udc80" <= c <= "\udcff"]


async def test_the_reader_opens_and_searches_a_library_whose_path_is_not_utf8(tmp_path):
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/lib\xff\xfe"))
    root = copy_fixture_library(folder).resolve()
    app = ReaderApp(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert LEAVES in visible_titles(app)
        status = str(app.reader.query_one("#status", StatusBar).render())
        assert status.startswith("lib\\xff\\xfe  ·  4 articles"), status
        assert not surrogates(app.export_screenshot())
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"pigments", "space")
        await wait_for(pilot, lambda: visible_titles(app) == [LEAVES])
        await enter_on_list(pilot, app)
        assert app.reader.article is not None and app.reader.article.key == LEAVES_URL
        assert not surrogates(app.export_screenshot())
        await pilot.press("q")  # the session is saved as the reader quits
    state = StateStore()
    assert state.last_library() == str(root)
    session = state.session(root)
    assert (session.query, session.article) == ("pigments ", LEAVES_URL)
