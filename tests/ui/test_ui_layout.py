"""Opening an article lays the screen out once, and that one layout is the whole of it:
laying out again would move, resize or redraw nothing (see qtreader.ui.layout_once)."""

from __future__ import annotations

import inspect
from pathlib import Path

from ui_support import (
    article_view,
    open_article,
    open_or_resize,
    rowid_of,
    screen_layout,
    settle,
    shows,
    wait_for,
    write_topic_library,
)

from qtreader.ui import layout_once
from qtreader.ui.app import ReaderApp
from qtreader.ui.textual_internals import install_patches

SHORT = "One line of answer."
LONG = "\\n\\n".join(
    f"Paragraph {n} of a long answer, long enough to wrap over two or three lines of the "
    "article pane at any of the sizes this test uses, so that the pane must scroll."
    for n in range(1, 16)
)
LISTS = (
    "Intro.\\n\\n"
    + "\\n".join(f"{n}. Item {n}, with a few more words." for n in range(1, 13))
    + "\\n\\n- a bullet\\n- another\\n  - nested\\n\\nOutro."
)


def _library(root: Path) -> Path:
    # Each "-b" has the shape of its pair with other words, so that the blocks on
    # screen are reused and change size.
    answers = {
        "short": SHORT,
        "long": LONG,
        "long-b": LONG.replace("long enough", "longer than that, long enough"),
        "lists": LISTS,
        "lists-b": LISTS.replace("a few more words", "quite a few more words than the others"),
    }
    return write_topic_library(root, answers, related=("short", "long"))


async def _drain(pilot, app: ReaderApp) -> None:
    """Until every message queue of the app and the screen's widgets is empty."""
    for _ in range(100):
        await pilot.pause()
        nodes = [app, *app.screen.walk_children(with_self=True)]
        if all(node._message_queue.empty() for node in nodes):
            return
    raise AssertionError("messages kept coming")


def test_the_patch_fits_the_installed_textual():
    """If Textual changes the method, the patch stands aside; it must not go unnoticed."""
    install_patches()  # as the app does when it starts
    assert layout_once.installed()
    parameters = list(inspect.signature(layout_once.TEXTUAL_SIZE_UPDATED).parameters)
    assert parameters == ["self", "size", "virtual_size", "container_size", "layout"]


async def test_opening_an_article_like_the_last_lays_the_screen_out_once(tmp_path: Path):
    """Each open below changes the size of most paragraphs, list rows and links (as
    opening any article does), and no scrollbar comes or goes:
    Textual would lay the screen out twice, once for the new content and once more
    because the virtual sizes changed.

    The screen is held (a batch) until every widget has asked for its layout: each
    widget asks from its own task, and one that asks after the screen has laid out
    would make a second layout for a reason this test is not about."""
    app = ReaderApp(_library(tmp_path / "lib"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await open_article(pilot, app, "long")
        compositor = app.screen._compositor
        reflow = compositor.reflow
        layouts = []

        def counted(*args, **kwargs):
            layouts.append(args)
            return reflow(*args, **kwargs)

        compositor.reflow = counted
        for name in ("long-b", "long", "lists", "lists-b", "lists"):
            with app.batch_update():
                app.reader.open_rowid(rowid_of(app, name))
                await wait_for(pilot, shows(app, name))
                await settle(pilot, app)
                await _drain(pilot, app)
            layouts.clear()
            await _drain(pilot, app)
            for _ in range(5):
                await pilot.pause()
            assert len(layouts) == 1, name


async def test_a_second_layout_would_change_nothing(tmp_path: Path):
    """After each open or resize, a layout forced from nothing leaves every widget where
    it was and the screen as it was: the layout Textual would have run again had nothing to do.
    The walk makes the article pane's scrollbar come and go."""
    app = ReaderApp(_library(tmp_path / "lib"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        view = article_view(app)
        scrollbar_seen = set()
        steps = ["short", "long", "short", "lists", "long", (80, 24), "short", "lists", (120, 40)]
        for step in steps:
            await open_or_resize(pilot, app, step)
            scrollbar_seen.add(view.show_vertical_scrollbar)
            before = screen_layout(app)
            # Every widget, so that no size or arrangement kept from the last layout
            # is reused: the layout below starts from nothing.
            for widget in app.screen.walk_children(with_self=True):
                widget.refresh(layout=True)
            for _ in range(5):
                await pilot.pause()
            assert screen_layout(app) == before, step
        assert scrollbar_seen == {True, False}
