"""Containers are arranged once per layout, and the reused arrangements are the ones
Textual would make (see qtreader.ui.arrange_once)."""

from __future__ import annotations

import inspect
from collections import defaultdict
from pathlib import Path

import textual.widget
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.css.styles import Styles
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static
from ui_support import (
    article_view,
    open_article,
    open_or_resize,
    screen_layout,
    settle,
    write_topic_library,
)

from qtreader.ui import arrange_once
from qtreader.ui.app import ReaderApp
from qtreader.ui.textual_internals import install_patches

install_patches()  # as the app does when it starts

NL = "\\n"
ANSWERS = {
    "short": "One line of answer.",
    "long": (NL * 2).join(
        f"Paragraph {n} of a long answer, long enough to wrap over two or three lines "
        "of the article pane at any of the sizes this test uses, so that it scrolls."
        for n in range(1, 14)
    ),
    "lists": NL.join(
        [
            "Intro.",
            "",
            *(
                f"{n}. Item {n}, with a few more words than fit in one narrow line."
                for n in range(1, 9)
            ),
            "",
            "- a bullet",
            "- another, with a nested list:",
            "  - nested one",
            "  - nested two, which is long enough to wrap in the narrowest pane",
            "    1. deeper",
            "- a bullet with two paragraphs",
            "",
            "  and its second paragraph.",
            "",
            "Outro.",
        ]
    ),
    "mixed": NL.join(
        [
            "## A heading",
            "",
            "> A quote that goes on long enough to wrap, with a list inside it:",
            ">",
            "> - quoted item",
            "> - another quoted item",
            "",
            "```python",
            "def a_function_with_a_long_line(argument):  # wider than the pane " + "x" * 80,
            "    return argument",
            "```",
            "",
            "---",
            "",
            "### Another heading",
            "",
            "Text with `inline code`, **bold** and a [link](https://example.com/a).",
        ]
    ),
    "table": NL.join(
        [
            "Before the table.",
            "",
            "| Column | Another column |",
            "| --- | --- |",
            "| a | a cell long enough to wrap in a narrow pane, or so it is hoped |",
            "| b | short |",
            "",
            "- after the table",
            "- one more",
        ]
    ),
}


def _library(root: Path) -> Path:
    return write_topic_library(root, ANSWERS, related=("short", "lists"))


def test_the_patch_fits_the_installed_textual():
    """If Textual changes the method, the patch stands aside; it must not go unnoticed."""
    assert arrange_once.installed()
    assert list(inspect.signature(arrange_once.TEXTUAL_ARRANGE).parameters) == [
        "self",
        "size",
        "optimal",
    ]


async def test_reused_arrangements_are_the_ones_textual_makes(tmp_path: Path, monkeypatch):
    """After each open or resize, a layout from nothing by Textual's own arrange puts
    every widget where it was and leaves the screen as it was."""
    app = ReaderApp(_library(tmp_path / "lib"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        reused = 0
        steps = [
            "lists",
            "mixed",
            "short",
            "table",
            (60, 24),
            "long",
            "lists",
            "mixed",
            (140, 45),
            "table",
            "lists",
            (44, 20),
            "mixed",
            "long",
        ]
        for step in steps:
            await open_or_resize(pilot, app, step)
            patched = screen_layout(app)
            # Textual alone never keeps one arrangement under two sizes.
            for widget in app.screen.walk_children(Widget):
                cache = widget._arrangement_cache
                keys = cache.keys()  # a FIFOCache cannot be iterated itself
                kept = [id(cache.get(key)) for key in keys]
                reused += len(kept) - len(set(kept))
            with monkeypatch.context() as unpatched:
                unpatched.setattr(Widget, "arrange", arrange_once.TEXTUAL_ARRANGE)
                for widget in app.screen.walk_children(with_self=True):
                    widget.refresh(layout=True)
                for _ in range(5):
                    await pilot.pause()
                assert screen_layout(app) == patched, step
        assert reused > 0  # the walk did go through reused arrangements


async def test_an_open_arranges_each_height_free_container_at_one_height(
    tmp_path: Path, monkeypatch
):
    """Textual arranged the answer and its lists at two or three heights in each open
    (to learn their heights, then to place them). Counted for the same children: a
    container whose children change is arranged afresh."""
    app = ReaderApp(_library(tmp_path / "lib"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await open_article(pilot, app, "long")
        heights: defaultdict[tuple[Widget, int, int], set[int]] = defaultdict(set)
        textual_arrange = textual.widget.arrange

        def recorded(widget, children, size, viewport, optimal=False):
            heights[(widget, size.width, widget._nodes._updates)].add(size.height)
            return textual_arrange(widget, children, size, viewport, optimal)

        monkeypatch.setattr(textual.widget, "arrange", recorded)
        for name in ("lists", "mixed", "lists", "long"):
            heights.clear()
            await open_article(pilot, app, name)
            answer = article_view(app).query_one("#answer")
            free = {
                widget
                for widget in answer.walk_children(with_self=True)
                if widget._nodes and arrange_once.height_free(widget)
            }
            assert answer in free, name
            # Bullets are one line high (styles/reader.tcss), so list items are too.
            items = set(answer.query("MarkdownList > Horizontal"))
            assert items <= free, name
            # (Lists of one-paragraph items are one widget, without rows: "lists" has
            # items of two paragraphs and nested lists.)
            assert items or name != "lists", name
            arranged = {key: found for key, found in heights.items() if key[0] in free}
            assert len(arranged) >= (10 if name == "lists" else 1), name
            assert all(len(found) == 1 for found in arranged.values()), (
                name,
                {key: found for key, found in arranged.items() if len(found) > 1},
            )


async def test_a_container_is_height_free_only_when_no_child_can_follow_its_height():
    """The rule's cases; for those it calls free, Textual's own arrangement is the same
    at every height."""

    def container(*children: Widget, css: str = "") -> Vertical:
        parent = Vertical(*children)
        parent.styles.merge(_parse(css))
        return parent

    def child(css: str) -> Static:
        widget = Static("text " * 12)
        widget.styles.merge(_parse(css))
        return widget

    free = [
        container(child("height: auto;"), child("height: 3;")),
        container(container(child("height: auto;"), css="height: auto;")),
        container(child("height: auto; width: 50%; max-height: 10;")),
        container(child("height: 1fr; display: none;"), child("height: auto;")),
        container(
            container(child("height: auto;"), child("height: 2;"), css="height: auto;"),
            child("height: auto; margin: 1 2;"),
        ),
    ]
    bound = [
        container(child("height: 1fr;")),
        container(child("height: 50%;")),
        container(child("height: auto; max-height: 50%;")),
        container(child("height: auto; min-height: 10vh;")),
        container(child("height: auto; width: 10h;")),
        container(child("height: auto; width: 50vw;")),
        container(child("height: auto; max-width: 10vh;")),
        container(child("height: auto; offset: 0 10vh;")),
        container(child("height: auto; dock: top;")),
        container(child("height: auto;"), css="align-vertical: middle;"),
        container(container(child("height: 1fr;"), css="height: auto;")),
        container(child("height: auto;"), css="layout: grid;"),
        container(child("height: auto;"), child("height: 1fr; visibility: hidden;")),
    ]

    class Containers(App[None]):
        def compose(self) -> ComposeResult:
            yield from free
            yield from bound

    async with Containers().run_test(size=(60, 40)) as pilot:
        await pilot.pause()
        for widget in free:
            assert arrange_once.height_free(widget), widget.children
            arrangements = []
            for height in (0, 7, 50):
                widget._arrangement_cache.clear()
                arrangement = arrange_once.TEXTUAL_ARRANGE(widget, Size(30, height))
                arrangements.append((arrangement.placements, arrangement.scroll_spacing))
            assert arrangements[0] == arrangements[1] == arrangements[2], widget.children
        for widget in bound:
            # Textual 8 leaves invisible children out of displayed_children once
            # displayed_and_visible has been read (as text selection does).
            assert widget.displayed_and_visible_children is not None
            assert not arrange_once.height_free(widget), widget.children


async def test_an_arrangement_from_another_terminal_size_is_not_reused():
    """A width in terminal units must follow a resize even where the container keeps
    its width (found in review)."""

    class Resized(App[None]):
        CSS = """
        #box { width: 40; height: 100%; }
        #wide { width: 50vw; height: 1; }
        #lower { width: 10; height: 1; offset: 0 10vh; }
        """

        def compose(self) -> ComposeResult:
            with Vertical(id="box"):
                yield Static("wide", id="wide")
                yield Static("lower", id="lower")

    app = Resized()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        assert app.query_one("#wide").region.width == 50
        await pilot.resize_terminal(120, 30)
        for _ in range(5):
            await pilot.pause()
        assert app.query_one("#wide").region.width == 60  # 50vw
        assert app.query_one("#lower").region.y == 1 + 3  # under #wide, then 10vh


def _parse(css: str) -> Styles:
    return Styles.parse(css, read_from=("test", ""))
