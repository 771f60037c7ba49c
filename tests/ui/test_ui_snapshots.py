"""Snapshot tests guard the look of the reader (update with --snapshot-update after review)."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from ui_support import SAMPLE, settle, similar_shown

from qtreader.ui.app import ReaderApp

SIZES = [(120, 40), (80, 24)]
ARTICLE = "/learn/computer-science/questions/how-does-a-hash-table-resolve-collisions"


def _app() -> ReaderApp:
    app = ReaderApp(SAMPLE)
    app.theme = "textual-dark"
    return app


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, size):
    async def ready(pilot):
        await settle(pilot, pilot.app)

    assert snap_compare(_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_open_article(snap_compare, size):
    async def open_article(pilot):
        await settle(pilot, pilot.app)
        pilot.app.reader.open_key(ARTICLE)
        await similar_shown(pilot, pilot.app)

    assert snap_compare(_app(), terminal_size=size, run_before=open_article)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, size):
    async def help_screen(pilot):
        await settle(pilot, pilot.app)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=size, run_before=help_screen)


def test_math_article_with_find_bar(snap_compare):
    async def find_in_math(pilot):
        await settle(pilot, pilot.app)
        pilot.app.reader.open_key("/learn/physics/questions/what-do-maxwells-equations-describe")
        await similar_shown(pilot, pilot.app)
        await pilot.press("ctrl+f", *"field")
        await settle(pilot, pilot.app)
        # The input's cursor blinks: which phase a slow machine catches varied (CI).
        pilot.app.screen.query_one("#find-input", Input).cursor_blink = False
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(120, 40), run_before=find_in_math)


BIG_O = "/learn/computer-science/questions/what-is-big-o-notation-and-why-does-it-matter"
LOOKS = [
    ((80, 24), "textual-light"),
    ((120, 40), "textual-light"),
    ((200, 60), "textual-dark"),
    ((200, 60), "textual-light"),
]


@pytest.mark.parametrize(
    ("size", "theme"), LOOKS, ids=[f"{s[0]}x{s[1]}-{t.split('-')[1]}" for s, t in LOOKS]
)
def test_list_rows_and_an_article_with_a_link_marked(snap_compare, size, theme):
    """Whole questions in the list, the article in its column, a link in its text
    marked by Tab and the status line saying where it leads (issue 21)."""
    app = ReaderApp(SAMPLE)
    app.theme = theme

    async def marked(pilot):
        await settle(pilot, app)
        app.reader.open_key(BIG_O)
        await similar_shown(pilot, app)
        app.reader.view.focus()
        await pilot.press("tab", "tab")
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=marked)
