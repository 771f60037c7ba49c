"""Snapshot tests guard the look of the reader (update with --snapshot-update after review)."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from ui_support import SAMPLE, settle

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
        await settle(pilot, pilot.app)

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
        await settle(pilot, pilot.app)
        await pilot.press("ctrl+f", *"field")
        await settle(pilot, pilot.app)
        # The input's cursor blinks: which phase a slow machine catches varied (CI).
        pilot.app.screen.query_one("#find-input", Input).cursor_blink = False
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(120, 40), run_before=find_in_math)
