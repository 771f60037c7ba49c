"""AnswerMarkdown reuses mounted blocks; what it shows must equal a fresh Markdown,
and nothing kept hidden for reuse may be seen (by find, say)."""

from __future__ import annotations

import re

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownBlock

from qtreader.library.models import Article
from qtreader.ui.widgets.answer_markdown import SPARE_LIST_ROWS, AnswerMarkdown
from qtreader.ui.widgets.article_view import ArticleView

WIDTH = 60  # of each column
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
]


class SideBySide(App[None]):
    CSS = f"Vertical {{ width: {WIDTH}; height: auto; }}"

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="left"):
                yield AnswerMarkdown(id="reused")
            with Vertical(id="right"):
                yield Markdown(id="fresh")


def halves(app: SideBySide) -> tuple[list, list]:
    """The screen's left and right columns as lists of (text, style) segments."""
    left, right = [], []
    for strip in app.screen._compositor.render_strips():
        left.append([(s.text, s.style) for s in strip.crop(0, WIDTH)])
        right.append([(s.text, s.style) for s in strip.crop(WIDTH, 2 * WIDTH)])
    return left, right


def layout(markdown: Markdown) -> list[tuple]:
    """Every shown widget below ``markdown``: kind, place relative to it, and text."""
    origin = markdown.region.offset
    shown = []
    for widget in markdown.walk_children():
        if not widget.display or not all(a.display for a in widget.ancestors_with_self):
            continue
        text = widget._content.markup if isinstance(widget, MarkdownBlock) else None
        shown.append((type(widget).__name__, widget.region.translate(-origin), text))
    return shown


async def test_reused_blocks_show_exactly_what_a_fresh_markdown_shows():
    app = SideBySide()
    async with app.run_test(size=(2 * WIDTH, HEIGHT)) as pilot:
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
            left, right = halves(app)
            assert left == right, name
            assert reused.source == DOCS[name]


async def test_paragraphs_and_list_rows_are_reused_not_mounted_again():
    app = SideBySide()
    async with app.run_test(size=(2 * WIDTH, HEIGHT)) as pilot:
        reused = app.query_one("#reused", AnswerMarkdown)
        await reused.update(DOCS["ordered-12"])
        await pilot.pause()
        before = set(reused.walk_children())
        await reused.update(DOCS["ordered-3"])
        await pilot.pause()
        after = list(reused.walk_children())
        # The same widgets: 3 rows shown, 9 kept hidden for the next list.
        assert set(after) == before
        rows = [w for w in after if isinstance(w, Horizontal)]
        assert [row.display for row in rows] == [True] * 3 + [False] * 9
        await reused.update(DOCS["ordered-12"])
        await pilot.pause()
        assert set(reused.walk_children()) == before


async def test_a_list_keeps_a_bounded_number_of_hidden_rows():
    long_list = "\n".join(f"{n}. item {n}" for n in range(1, 41))
    app = SideBySide()
    async with app.run_test(size=(2 * WIDTH, HEIGHT)) as pilot:
        reused = app.query_one("#reused", AnswerMarkdown)
        await reused.update(long_list)
        await pilot.pause()
        await reused.update("1. one\n2. two")
        await pilot.pause()
        rows = [w for w in reused.walk_children() if isinstance(w, Horizontal)]
        assert len(rows) == 2 + SPARE_LIST_ROWS
        assert sum(row.display for row in rows) == 2


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ArticleView(id="view")


async def test_find_in_the_article_ignores_rows_kept_hidden_from_a_longer_list():
    longer = Article(
        key="a", path="a.md", title="Long list",
        answer="Intro.\n\n" + "\n".join(f"{n}. zebra number {n}" for n in range(1, 9)),
    )  # fmt: skip
    shorter = Article(key="b", path="b.md", title="Short list", answer="Intro.\n\n1. one\n2. two")
    app = ViewApp()
    async with app.run_test(size=(100, 60)) as pilot:
        view = app.query_one(ArticleView)
        await view.show(longer)
        await pilot.pause()
        assert view.highlight(re.compile("zebra")) == 8
        await view.show(shorter)
        await pilot.pause()
        # The six rows the longer list needed more are kept, hidden, with their old text.
        assert view.highlight(re.compile("zebra")) == 0
        assert view.highlight(re.compile("one|two")) == 2
