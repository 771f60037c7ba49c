"""The answer: Textual's Markdown widget, updated in place from one article to the next."""

from __future__ import annotations

import asyncio

from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Markdown

from ..textual_internals import (
    MarkdownBlock,
    MarkdownBullet,
    MarkdownBulletList,
    MarkdownFence,
    MarkdownHorizontalRule,
    MarkdownList,
    MarkdownOrderedList,
    MarkdownParagraph,
    begin_update,
    block_content,
    child_blocks,
    end_update,
    markdown_parser,
    parse_blocks,
    reuse_block,
)
from .compact_list import CompactList, compact_lists, list_symbols

# Below this size the answer is parsed on the UI thread: a few milliseconds, less than
# the round trip to a worker thread and back.
INLINE_PARSE_CHARS = 20_000

# Hidden rows a list keeps for the next answer's list.
SPARE_LIST_ROWS = 12

_REUSABLE = (MarkdownParagraph, MarkdownHorizontalRule, MarkdownBulletList, MarkdownOrderedList)


class CodeBlock(MarkdownFence, can_focus=True):
    """A code block. Its lines are not wrapped: a scrollbar under it shows when one goes
    on past the edge, and then Tab stops at it (in reading order, before the links
    under the answer) and the arrow keys scroll it sideways."""

    def watch_virtual_size(self) -> None:
        self._focusable_if_wide()

    def on_resize(self) -> None:
        self._focusable_if_wide()

    def _focusable_if_wide(self) -> None:
        self.can_focus = self.virtual_size.width > self.scrollable_content_region.width

    BINDINGS = [
        Binding("right,l", "scroll_right", "Scroll right", show=False, id="code.right"),
        Binding("left,h", "scroll_left", "Scroll left", show=False, id="code.left"),
        Binding("end", "scroll_end_x", "Line ends", show=False, id="code.end"),
        Binding("home", "scroll_start_x", "Line starts", show=False, id="code.home"),
    ]

    def action_scroll_end_x(self) -> None:
        self.scroll_to(x=self.max_scroll_x, animate=False)

    def action_scroll_start_x(self) -> None:
        self.scroll_to(x=0, animate=False)


class AnswerMarkdown(Markdown):
    """Markdown whose update reuses the blocks already on screen.

    Textual's ``update`` removes every block and mounts new ones. Mounting is most
    of the cost of opening an article (about 2 ms a widget on a slow machine, and a
    list item is four widgets). Here a paragraph, rule or list standing where one of
    the same kind stood before is given the new content instead; everything else
    (headings, code, tables, quotes) is replaced exactly as Textual replaces it.
    A list whose items are one paragraph each (nearly every QuickTakes answer) is
    drawn by one widget instead of four an item (see compact_list.py). The result
    renders the same as a fresh Textual ``Markdown`` (tested screen by screen
    against it).
    """

    BLOCKS = {**Markdown.BLOCKS, "fence": CodeBlock, "code_block": CodeBlock}

    def update(self, markdown: str) -> AwaitComplete:
        begin_update(self, markdown)

        async def await_update() -> None:
            async with self.lock:
                parser = markdown_parser(self)
                if len(markdown) <= INLINE_PARSE_CHARS:
                    tokens = parser.parse(markdown)
                else:
                    loop = asyncio.get_running_loop()
                    tokens = await loop.run_in_executor(None, parser.parse, markdown)
                blocks = compact_lists(parse_blocks(self, tokens))
                with self.app.batch_update():
                    await _morph(self, blocks)
            end_update(self, markdown)
            self.post_message(
                Markdown.TableOfContentsUpdated(self, self.table_of_contents).set_sender(self)
            )

        return AwaitComplete(await_update())


def _list_rows(block: Widget) -> list[tuple[Horizontal, MarkdownBullet, Vertical]] | None:
    """The (row, bullet, contents) a mounted list composed, or None if not that shape."""
    rows = []
    for row in block.children:
        parts = row.children
        if (
            type(row) is not Horizontal
            or len(parts) != 2
            or type(parts[0]) is not MarkdownBullet
            or type(parts[1]) is not Vertical
        ):
            return None
        rows.append((row, parts[0], parts[1]))
    return rows


def _can_reuse(old: Widget, new: MarkdownBlock) -> bool:
    if type(old) is not type(new) or not isinstance(new, _REUSABLE):
        return False
    assert isinstance(old, MarkdownBlock)
    if old.name != new.name or old.classes != new.classes:
        return False
    if isinstance(new, CompactList):
        return True
    return not isinstance(new, MarkdownList) or _list_rows(old) is not None


async def _reuse(old: MarkdownBlock, new: MarkdownBlock) -> None:
    old.source_range = new.source_range
    reuse_block(old, new)
    if isinstance(new, CompactList):
        assert isinstance(old, CompactList)
        old.show_items(block_content(new), new.symbols)
    elif isinstance(new, MarkdownParagraph):
        old.set_content(block_content(new))
    elif isinstance(new, MarkdownList):
        rows = _list_rows(old)
        assert rows is not None
        wanted = list_symbols(new)
        for (row, bullet, contents), (symbol, item) in zip(rows, wanted, strict=False):
            row.display = True
            if bullet.symbol != symbol:
                bullet.symbol = symbol
                bullet.refresh(layout=True)  # its width follows the symbol
            await _morph(contents, child_blocks(item))
        # Rows left over are hidden for the next list (mounting one costs four
        # widgets); beyond a few, they are removed.
        spare = [row for row, _, _ in rows[len(wanted) :]]
        for row in spare[:SPARE_LIST_ROWS]:
            row.display = False
        if spare[SPARE_LIST_ROWS:]:
            await old.remove_children(spare[SPARE_LIST_ROWS:])
        extra = []
        for symbol, item in wanted[len(rows) :]:
            bullet = MarkdownBullet()
            bullet.symbol = symbol
            extra.append(Horizontal(bullet, Vertical(*child_blocks(item))))
        if extra:
            await old.mount_all(extra)
        child_blocks(new).clear()


async def _morph(container: Widget, blocks: list[MarkdownBlock]) -> None:
    """Make ``container``'s children show ``blocks``, keeping those that can be kept."""
    old = list(container.children)
    kept = 0
    for current, block in zip(old, blocks, strict=False):
        if not _can_reuse(current, block):
            break
        assert isinstance(current, MarkdownBlock)
        await _reuse(current, block)
        kept += 1
    if kept < len(old):
        await container.remove_children(old[kept:])
    if kept < len(blocks):
        await container.mount_all(blocks[kept:])
