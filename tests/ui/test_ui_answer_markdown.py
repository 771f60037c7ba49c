"""AnswerMarkdown reuses mounted blocks and draws lists of one-paragraph items with
one widget; what it shows must equal a fresh Markdown, and nothing kept hidden for
reuse may be seen (by find, say)."""

from __future__ import annotations

import asyncio
import re
from contextlib import asynccontextmanager

import pytest
from rich.segment import Segment
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Offset
from textual.selection import Selection
from textual.widgets import Markdown

from qtreader.library.models import Article
from qtreader.ui.app import ReaderApp
from qtreader.ui.textual_internals import (
    MarkdownBlock,
    MarkdownBullet,
    MarkdownBulletList,
    MarkdownList,
    MarkdownOrderedList,
    MarkdownParagraph,
)
from qtreader.ui.widgets.answer_markdown import SPARE_LIST_ROWS, AnswerMarkdown, CodeBlock
from qtreader.ui.widgets.article_view import ArticleView
from qtreader.ui.widgets.compact_list import (
    CompactBulletList,
    CompactList,
    CompactOrderedList,
    line_of,
)

WIDTH = 60  # of each column
THREE_ITEMS = "1. first item here\n2. second item here\n3. third item here"
HEIGHT = 150

DOCS = {
    "empty": "",
    "paragraphs": "First **bold** paragraph with `code`.\n\nSecond paragraph, *italic*.",
    "ordered-3": "Intro.\n\n1. **One**: first.\n\n2. **Two**: second.\n\n3. Three.\n\nOutro.",
    "ordered-12": "Intro.\n\n"
    + "\n".join(f"{n}. Item number {n} with some words." for n in range(1, 13))
    + "\n\nOutro.",
    "ordered-from-7": "Intro.\n\n7. seven\n8. eight\n9. nine\n10. ten\n\nOutro.",
    "bullets-nested": "- a\n- b\n  - b1\n  - b2\n    - b2x\n- c",
    "bullets-loose": "- first\n\n  more of first\n\n- second",
    "heading": "# Title\n\nText under it.\n\n## Part\n\n1. one\n2. two",
    "mixed": "Para.\n\n---\n\n> quoted\n\n```python\nx = 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    "list-then-para": "1. only item\n\nAfter.\n\n- bullet",
    "ordered-2-long": "1. "
    + "A long item that wraps over several lines of the column. " * 4
    + "\n2. short",
    "ordered-styled": "1. **Bold** and *italic* with `code` and a [link](https://example.org/x) "
    + "that wraps around the end of the line.\n2. ~~gone~~ 中文字符 wide text that wraps too, "
    + "a few more words\n3. last",
    "loose-items": "1. one\n\n   more of one\n\n2. two\n\n   more of two\n\n3. three\n\n   more",
    "nested-ordered": "1. outer **one**\n   1. inner a\n   2. inner b\n2. outer two\n\n"
    + "> - quoted bullet\n> - another",
}

# A walk through the documents that goes from each kind to many others, including
# lists that shrink (spare rows hidden), grow again (spare rows shown) and change width.
WALK = [
    "ordered-3",
    "ordered-12",
    "ordered-3",
    "ordered-from-7",
    "ordered-12",
    "paragraphs",
    "bullets-nested",
    "bullets-loose",
    "bullets-nested",
    "heading",
    "mixed",
    "ordered-2-long",
    "list-then-para",
    "ordered-3",
    "empty",
    "ordered-12",
    "mixed",
    "heading",
    "paragraphs",
    "ordered-2-long",
    "ordered-12",
    "ordered-styled",
    "loose-items",
    "nested-ordered",
    "ordered-styled",
    "loose-items",
    "ordered-3",
]


class SideBySide(App[None]):
    # The bullets one line tall, as the reader has them (styles/reader.tcss).
    CSS = f"#left, #right {{ width: {WIDTH}; height: auto; }} MarkdownBullet {{ height: auto; }}"

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="left"):
                yield AnswerMarkdown(id="reused")
            with Vertical(id="right"):
                yield Markdown(id="fresh")


@asynccontextmanager
async def shown(markdown: str, app_class: type[SideBySide] = SideBySide):
    """The side-by-side app, ``markdown`` shown on its reused side: (app, pilot, reused)."""
    app = app_class()
    async with app.run_test(size=(2 * WIDTH, HEIGHT)) as pilot:
        reused = app.query_one("#reused", AnswerMarkdown)
        await reused.update(markdown)
        await pilot.pause()
        yield app, pilot, reused


def _cells(segments) -> list[tuple]:
    """(text, style) runs as they look: the text offsets that Textual keeps in each
    style (for selection and clicks) are left out, and runs of one look joined."""
    plain = [Segment(s.text, s.style.clear_meta_and_links() if s.style else None) for s in segments]
    return [(s.text, s.style) for s in Segment.simplify(plain)]


def halves(app: SideBySide) -> tuple[list, list]:
    """The screen's left and right columns as lists of (text, style) runs."""
    left, right = [], []
    for strip in app.screen._compositor.render_strips():
        left.append(_cells(strip.crop(0, WIDTH)))
        right.append(_cells(strip.crop(WIDTH, 2 * WIDTH)))
    return left, right


def _kind(widget) -> str:
    """A widget's kind, a compact list counting as the Textual list it draws, a code
    block as Textual's fence (it only adds keys to scroll it)."""
    if isinstance(widget, CompactOrderedList):
        return "MarkdownOrderedList"
    if isinstance(widget, CompactBulletList):
        return "MarkdownBulletList"
    if isinstance(widget, CodeBlock):
        return "MarkdownFence"
    return type(widget).__name__


def _items_text(widget: MarkdownList) -> str:
    """A list's items, one a line (what a compact list holds as its text)."""
    if isinstance(widget, CompactList):
        return widget._content.markup
    paragraphs = [b for b in widget.walk_children(MarkdownBlock) if b.display]
    return "\n".join(p._content.markup for p in paragraphs)


def layout(markdown: Markdown) -> list[tuple]:
    """Every shown widget below ``markdown``: kind, place relative to it, and text.
    A list that the other side draws with one widget is one entry with its items."""
    origin = markdown.region.offset
    shown = []
    drawn_as_one = set()
    for widget in markdown.walk_children():
        if not widget.display or not all(a.display for a in widget.ancestors_with_self):
            continue
        if any(a in drawn_as_one for a in widget.ancestors):
            continue
        text = widget._content.markup if isinstance(widget, MarkdownBlock) else None
        if isinstance(widget, MarkdownList) and _is_compactable(widget):
            drawn_as_one.add(widget)
            text = _items_text(widget)
        shown.append((_kind(widget), widget.region.translate(-origin), text))
    return shown


def _is_compactable(widget: MarkdownList) -> bool:
    """Whether the list is (or, in a fresh Markdown, would be) drawn by one widget."""
    if isinstance(widget, CompactList):
        return True
    rows = [row for row in widget.children if row.display]
    return all(
        isinstance(row, Horizontal)
        and len(row.children) == 2
        and isinstance(row.children[0], MarkdownBullet)
        and len(row.children[1].children) == 1
        and type(row.children[1].children[0]).__name__ == "MarkdownParagraph"
        and "\n" not in row.children[1].children[0]._content.plain
        and row.children[1].children[0]._content.plain
        for row in rows
    ) and bool(rows)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_reused_blocks_show_exactly_what_a_fresh_markdown_shows(theme: str):
    app = SideBySide()
    async with app.run_test(size=(2 * WIDTH, HEIGHT)) as pilot:
        app.theme = theme  # a compact list's bullets take their colour from the theme
        reused = app.query_one("#reused", AnswerMarkdown)
        fresh = app.query_one("#fresh", Markdown)
        for name in WALK:
            await reused.update(DOCS[name])
            await fresh.update(DOCS[name])
            await pilot.pause()
            await pilot.pause()
            assert layout(reused) == [
                (kind.replace("AnswerMarkdown", "Markdown"), region, text)
                for kind, region, text in layout(fresh)
            ], name
            lists = list(reused.query(MarkdownList))
            assert all(isinstance(x, CompactList) == _is_compactable(x) for x in lists), name
            left, right = halves(app)
            assert left == right, name
            assert reused.source == DOCS[name]


def loose_list(count: int, word: str = "item") -> str:
    """A list whose items hold two paragraphs each: drawn with a row per item."""
    return "\n\n".join(f"{n}. {word} {n}\n\n    more of {n}" for n in range(1, count + 1))


async def test_paragraphs_and_list_rows_are_reused_not_mounted_again():
    app = SideBySide()
    async with app.run_test(size=(2 * WIDTH, HEIGHT)) as pilot:
        reused = app.query_one("#reused", AnswerMarkdown)
        await reused.update("Intro.\n\n" + loose_list(12))
        await pilot.pause()
        before = set(reused.walk_children())
        await reused.update("Other intro.\n\n" + loose_list(3))
        await pilot.pause()
        after = list(reused.walk_children())
        # The same widgets: 3 rows shown, 9 kept hidden for the next list.
        assert set(after) == before
        rows = [w for w in after if isinstance(w, Horizontal)]
        assert [row.display for row in rows] == [True] * 3 + [False] * 9
        await reused.update("Intro.\n\n" + loose_list(12))
        await pilot.pause()
        assert set(reused.walk_children()) == before


async def test_a_list_keeps_a_bounded_number_of_hidden_rows():
    app = SideBySide()
    async with app.run_test(size=(2 * WIDTH, HEIGHT)) as pilot:
        reused = app.query_one("#reused", AnswerMarkdown)
        await reused.update(loose_list(40))
        await pilot.pause()
        await reused.update(loose_list(2))
        await pilot.pause()
        rows = [w for w in reused.walk_children() if isinstance(w, Horizontal)]
        assert len(rows) == 2 + SPARE_LIST_ROWS
        assert sum(row.display for row in rows) == 2


async def test_a_list_of_one_paragraph_items_is_one_widget_and_is_reused():
    async with shown(DOCS["ordered-12"]) as (_, pilot, reused):
        (compact,) = reused.query(MarkdownOrderedList)
        assert isinstance(compact, CompactOrderedList)
        assert list(compact.children) == []
        assert not reused.query(MarkdownBullet) and not reused.query(Horizontal)
        assert compact.size.height == 12
        await reused.update(DOCS["ordered-3"])
        await pilot.pause()
        assert list(reused.query(MarkdownOrderedList)) == [compact]  # given the new items
        assert compact._content.plain.split("\n") == ["One: first.", "Two: second.", "Three."]
        assert compact.size.height == 3
        # Nested lists: the inner ones are compact, an outer one holding them is not.
        await reused.update(DOCS["bullets-nested"])
        await pilot.pause()
        kinds = [type(x) for x in reused.query(MarkdownList)]
        assert kinds == [MarkdownBulletList, MarkdownBulletList, CompactBulletList]


async def test_a_compact_list_copies_what_is_selected_with_the_numbers_of_its_items():
    async with shown("7. seven\n8. eight\n9. nine\n10. ten") as (app, pilot, reused):
        (compact,) = reused.query(CompactOrderedList)
        assert compact.get_selection(Selection(None, None)) == (
            "7. seven\n8. eight\n9. nine\n10. ten",
            "\n",
        )
        # From inside the first item to inside the third: the first loses its number.
        part = Selection(Offset(2, 0), Offset(3, 2))
        assert compact.get_selection(part) == ("ven\n8. eight\n9. nin", "\n")
        # Dragged with the mouse, from "item" in the first line to inside the third.
        await reused.update(THREE_ITEMS)
        await pilot.pause()
        lines = [strip.text[:WIDTH] for strip in app.screen._compositor.render_strips()]
        x1, x3 = lines[0].index("item"), lines[2].index("item")
        await pilot.mouse_down(offset=(x1, 0))
        await pilot.hover(offset=(x3 + 2, 2))
        await pilot.mouse_up(offset=(x3 + 2, 2))
        await pilot.pause()
        assert app.screen.get_selected_text() == "item here\n2. second item here\n3. third ite"
        app.screen.clear_selection()
        # Started on a number: from the start of that item (its bullet carries its offset).
        await pilot.mouse_down(offset=(lines[0].index("1."), 0))
        await pilot.hover(offset=(x3 + 2, 2))
        await pilot.mouse_up(offset=(x3 + 2, 2))
        await pilot.pause()
        copied = app.screen.get_selected_text()
        assert copied.startswith("1. first item here\n2. second item here\n3. third it")
        # While selected, the numbers of the items selected from their start are marked
        # too, as Textual marks its bullets; the first item's, begun at its start, is.
        (compact,) = reused.query(CompactOrderedList)
        strips = compact.render_lines(compact.region.reset_offset)
        numbers = [strip.crop(0, 4) for strip in strips[:3]]
        plain = compact.visual_style.background
        assert all(
            seg.style.bgcolor is not None and seg.style.bgcolor.triplet != plain.rgb
            for strip in numbers
            for seg in strip
        )
        app.screen.clear_selection()
        await pilot.pause()
        strips = compact.render_lines(compact.region.reset_offset)
        assert {seg.style.bgcolor for seg in strips[0].crop(0, 4)} == {
            seg.style.bgcolor for seg in strips[0].crop(4, 10)
        }


async def test_a_double_click_in_a_compact_list_selects_the_item_under_it():
    async with shown(THREE_ITEMS) as (app, pilot, _):
        # Pilot's double click counts its own clicks twice: the event is posted as a
        # terminal's double click arrives.
        x, y = 10, 1
        widget, _ = app.screen.get_widget_at(x, y)
        assert isinstance(widget, CompactOrderedList)
        style = app.screen.get_style_at(x, y)
        click = events.Click(widget, x, y, 0, 0, 1, False, False, False, x, y, style, chain=2)
        widget.post_message(click)
        await pilot.pause()
        assert app.screen.get_selected_text() == "2. second item here"


async def test_a_click_on_a_link_in_a_compact_list_posts_its_address():
    clicked = []

    class Clicks(SideBySide):
        def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
            clicked.append(event.href)

    async with shown("1. plain words\n2. see [the page](https://example.org/p) now", Clicks) as (
        app,
        pilot,
        reused,
    ):
        assert reused.query(CompactOrderedList)
        lines = [strip.text[:WIDTH] for strip in app.screen._compositor.render_strips()]
        (y,) = [n for n, line in enumerate(lines) if "the page" in line]
        await pilot.click(offset=(lines[y].index("the page") + 2, y))
        await pilot.pause()
        assert clicked == ["https://example.org/p"]


async def test_a_link_in_a_compact_list_lights_up_under_the_mouse_as_in_a_fresh_markdown():
    doc = "1. plain words\n2. see [the page](https://example.org/p) now"
    app = SideBySide()
    async with app.run_test(size=(2 * WIDTH, HEIGHT)) as pilot:
        reused = app.query_one("#reused", AnswerMarkdown)
        await reused.update(doc)
        await app.query_one("#fresh", Markdown).update(doc)
        await pilot.pause()
        assert reused.query(CompactOrderedList)
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        (y,) = [n for n, line in enumerate(lines) if "the page" in line[:WIDTH]]
        x = lines[y].index("the page") + 2
        plain, _ = halves(app)
        await pilot.hover(offset=(x, y))
        await pilot.pause()
        lit, _ = halves(app)
        await pilot.hover(offset=(x + WIDTH, y))
        await pilot.pause()
        _, fresh_lit = halves(app)
        assert lit[y] != plain[y]
        assert lit[y] == fresh_lit[y]


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ArticleView(id="view")


async def test_find_in_the_article_ignores_rows_kept_hidden_from_a_longer_list():
    longer = Article(
        key="a", path="a.md", title="Long list", answer="Intro.\n\n" + loose_list(8, "zebra")
    )
    shorter = Article(
        key="b", path="b.md", title="Short list", answer="Intro.\n\n1. one\n\n   x\n\n2. two"
    )
    async with viewing(longer, ViewApp, (100, 60)) as (_, pilot, view):
        assert view.finder.highlight(re.compile("zebra")) == 8
        await view.show(shorter)
        await pilot.pause()
        # The six rows the longer list needed more are kept, hidden, with their old text.
        assert len(view.query_one("#answer").query(Horizontal)) == 8
        assert view.finder.highlight(re.compile("zebra")) == 0
        assert view.finder.highlight(re.compile("one|two")) == 2


class StyledViewApp(App[None]):
    """The article view with the reader's styles (its column grows with the article)."""

    CSS_PATH = ReaderApp.CSS_PATH

    def compose(self) -> ComposeResult:
        yield ArticleView(id="view")


@asynccontextmanager
async def viewing(article: Article, app_class: type[App] = StyledViewApp, size=(80, 24)):
    """The article view alone, ``article`` shown in it: (app, pilot, view)."""
    app = app_class()
    async with app.run_test(size=size) as pilot:
        view = app.query_one(ArticleView)
        await view.show(article)
        await pilot.pause()
        yield app, pilot, view


def _visible_lines(app: App) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_find_marks_matches_in_a_compact_list_and_brings_each_into_view():
    items = "\n".join(
        f"{n}. Item {n} says " + ("something long enough to wrap over lines. " * 3)
        + ("the zebra is here." if n in (3, 37) else "nothing.")
        for n in range(1, 41)
    )  # fmt: skip
    article = Article(key="z", path="z.md", title="Zebras", answer="Intro.\n\n" + items)
    async with viewing(article) as (app, pilot, view):
        (compact,) = view.query(CompactOrderedList)
        assert compact.size.height > 100  # far taller than the view
        assert view.finder.highlight(re.compile("zebra")) == 2
        await pilot.pause()
        # The first match is in item 3, near the top: in view, marked as the current one.
        assert any("the zebra is here" in line for line in _visible_lines(app))
        assert view.scroll_y < compact.size.height / 4
        current = [s for s in compact.render_lines(compact.region.reset_offset)]
        styled = [seg for strip in current for seg in strip if seg.text.strip() == "zebra"]
        # The current match stands out (reverse), the others are marked quietly (issue 22).
        assert [bool(seg.style.reverse) for seg in styled] == [True, False]
        assert [bool(seg.style.underline) for seg in styled] == [False, True]
        # The second, in item 37, is a hundred lines further down: the view follows it.
        view.finder.step(1)
        await pilot.pause()
        assert view.scroll_y > compact.size.height / 2
        lines = _visible_lines(app)
        (y,) = [n for n, line in enumerate(lines) if "the zebra is here" in line]
        assert 4 <= y <= 20  # centred, give or take the wrapping
        assert any("37. Item 37" in line for line in lines[: y + 1])
        view.finder.clear()
        assert "zebra" in compact._content.plain
        assert not any(
            seg.style and seg.style.reverse
            for strip in compact.render_lines(compact.region.reset_offset)
            for seg in strip
        )


async def test_find_in_code_centres_its_block_as_code_lines_do_not_wrap():
    code = "\n".join(f"line_{n} = '{'x' * 150}'" for n in range(60))
    article = Article(
        key="c", path="c.md", title="Code", answer=f"Intro.\n\n```python\n{code}\n```\n\nEnd."
    )
    async with viewing(article) as (_, pilot, view):
        assert view.finder.highlight(re.compile("line_8 ")) == 1
        await pilot.pause()
        block = view.finder.matches[0][0]
        assert line_of(block, view.finder.matches[0][1]) is None  # so the block is centred
        (paragraph,) = [b for b in view.query(MarkdownParagraph) if "End." in b._content.plain]
        assert line_of(paragraph, 0) == 0


async def test_find_while_an_answer_is_being_replaced_never_puts_the_old_text_back():
    """A keystroke in the find bar can highlight the answer while the next article is
    still being shown (a long answer is parsed in a thread). The reused list then takes
    the new items; clearing the marks must not put the old article's items back."""
    first = "\n".join(f"{n}. zebra item {n}" for n in range(1, 11)) + "\n\nEnd."
    second = "\n".join(f"{n}. item {n}" for n in range(1, 4)) + "\n\n"
    second += ("Filler paragraph text. " * 40 + "\n\n") * 30  # parsed off the UI thread
    async with viewing(Article(key="a", path="a.md", title="A", answer=first)) as (
        app,
        pilot,
        view,
    ):
        showing = asyncio.create_task(
            view.show(Article(key="b", path="b.md", title="B", answer=second))
        )
        await asyncio.sleep(0)
        marked = 0
        while not showing.done() and not marked:
            marked = view.finder.highlight(re.compile("zebra"), jump=False)
            await asyncio.sleep(0)
        assert marked == 10  # the old list was marked while the new answer was parsed
        await showing
        await pilot.pause()
        assert view.finder.highlight(re.compile("item"), jump=False) == 3
        await pilot.pause()
        (compact,) = view.query(CompactOrderedList)
        assert compact._content.plain == "item 1\nitem 2\nitem 3"
        view.finder.clear()
        await pilot.pause()
        assert compact._content.plain == "item 1\nitem 2\nitem 3"
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        assert not any("zebra" in line for line in lines)
