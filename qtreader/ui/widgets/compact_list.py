"""A Markdown list whose items are one paragraph each, drawn by one widget.

Textual's Markdown gives every list item four widgets (a row, its bullet, a column
and the paragraph), and nearly every QuickTakes answer is a numbered list of
one-paragraph items: a 5 KB answer was ~40 widgets to arrange and paint, most of
the cost of opening it. :class:`CompactBulletList` and :class:`CompactOrderedList`
draw the same list as one widget: the items' text is one :class:`Content` (an item
a line) wrapped by Textual's own code at the width beside the bullets, so inline
styles, links and text selection behave as in a paragraph, and the screen is the
same cell for cell (tested against a fresh Textual ``Markdown``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from rich.segment import Segment
from textual import events
from textual.content import Content
from textual.css.styles import RulesMap, StylesBase
from textual.css.types import TextAlign, TextOverflow
from textual.geometry import Offset
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from ..textual_internals import (
    FormattedLine,
    MarkdownBlock,
    MarkdownBulletList,
    MarkdownHeader,
    MarkdownList,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownParagraph,
    block_content,
    block_document,
    block_token,
    child_blocks,
    wrap_and_format,
)

# The bullet's colour, as Textual's MarkdownBullet has it.
_BULLET_CSS = """
{name} > .bullet {{
    color: $text-primary;
}}
{name}:light > .bullet {{
    color: $text-secondary;
}}
"""


def list_symbols(block: MarkdownList) -> list[tuple[str, MarkdownListItem]]:
    """Each item of a list with its bullet, as Textual's list ``compose`` makes them."""
    if not isinstance(block, MarkdownOrderedList):
        return [
            (item.bullet, item)
            for item in child_blocks(block)
            if isinstance(item, MarkdownListItem)
        ]
    items = child_blocks(block)
    suffix = ". "
    start = 1
    if items and isinstance(items[0], MarkdownListItem):
        try:
            start = int(items[0].bullet)
        except ValueError:
            pass
    # Numbered as compose numbers them: by position among all the list's blocks.
    numbered = [
        (f"{number}{suffix}", item)
        for number, item in enumerate(items, start)
        if isinstance(item, MarkdownListItem)
    ]
    if not numbered:
        return []
    size = max(len(symbol) for symbol, _ in numbered)
    return [(symbol.rjust(size + 1), item) for symbol, item in numbered]


class HangingList(Visual):
    """Lines of ``content`` wrapped beside their bullets, continuation lines indented."""

    def __init__(self, content: Content, symbols: list[str]) -> None:
        self.content = content
        self.symbols = symbols
        self.indent = len(symbols[0]) if symbols else 0

    def _lines(
        self, width: int, rules: RulesMap | StylesBase, options: RenderOptions | None = None
    ) -> list[FormattedLine]:
        return wrap_and_format(
            self.content,
            max(1, width - self.indent),
            align=cast(TextAlign, rules.get("text_align", "left")),
            overflow=cast(TextOverflow, rules.get("text_overflow", "fold")),
            no_wrap=rules.get("text_wrap", "wrap") == "nowrap",
            line_pad=cast(int, rules.get("line_pad", 0)),
            tab_size=8,
            selection=options.selection if options else None,
            selection_style=options.selection_style if options else None,
            post_style=options.post_style if options else None,
            get_style=options.get_style if options else None,
        )

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if not width:
            return []
        lines = self._lines(width, options.rules, options)
        if height is not None:
            lines = lines[:height]
        bullet = style + options.get_style(".bullet")
        selection, selected = options.selection, options.selection_style
        # Below a bullet: the item's row, as in the reader, whose bullets are one line
        # tall (styles/reader.tcss); a Textual bullet fills its row with its colour.
        blank = style.background_style
        # The bullet and the blanks below it carry the offset of the text beside them,
        # so that a selection started on them starts there.
        strips = []
        item = -1
        for line in lines:
            segments, length = line.to_strip(style)
            if line.y != item:  # the first line of an item carries its bullet
                item = line.y
                look = bullet
                if selection is not None and selected is not None:
                    span = selection.get_span(item)
                    if span is not None and span[0] == 0 and span[1] != 0:
                        look = bullet + selected  # the whole item is selected
                symbol = self.symbols[item] if item < len(self.symbols) else ""
                marked = look.rich_style_with_offset(0, item)
                prefix = [Segment(cell, marked) for cell in symbol.ljust(self.indent)]
            else:
                marked = blank.rich_style_with_offset(line.x, item)
                prefix = [Segment(" ", marked)] * self.indent
            # A cell each: Textual adds the cell's place in its segment to the offset.
            segments[:0] = prefix
            strips.append(Strip(segments, length + self.indent))
        return strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.indent + self.content.get_optimal_width(rules, container_width - self.indent)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.indent + self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self._lines(width, rules))

    def line_of(self, offset: int, width: int, rules: RulesMap | StylesBase) -> int:
        """The line (from 0) where character ``offset`` of the content is drawn."""
        return _line_of(self._lines(width, rules), self.content.plain, offset)


def _line_of(lines: list[FormattedLine], plain: str, offset: int) -> int:
    """The line among ``lines`` (formatted from ``plain``) that holds character ``offset``."""
    y = plain.count("\n", 0, offset)
    column = offset - (plain.rfind("\n", 0, offset) + 1)
    found = 0
    for number, line in enumerate(lines):
        if line.y > y or (line.y == y and line.x > column):
            break
        found = number
    return found


def line_of(block: MarkdownBlock, offset: int) -> int | None:
    """The line of ``block`` (from its top) where character ``offset`` of its text is
    drawn, or None where that is not known (code scrolls sideways, tables have cells)."""
    if isinstance(block, CompactList):
        visual = HangingList(block_content(block), block.symbols)
        return visual.line_of(offset, block.content_region.width, block.styles)
    if not isinstance(block, (MarkdownParagraph, MarkdownHeader)):
        return None
    content = block_content(block)
    width = block.content_region.width
    if not width:
        return 0
    rules = block.styles
    lines = wrap_and_format(
        content,
        width,
        overflow=cast(TextOverflow, rules.get("text_overflow", "fold")),
        no_wrap=rules.get("text_wrap", "wrap") == "nowrap",
        line_pad=cast(int, rules.get("line_pad", 0)),
    )
    return _line_of(lines, content.plain, offset)


class CompactList:
    """What both compact lists add to the Textual list they stand for."""

    symbols: list[str]  # each item's bullet or number, as Textual's list draws it

    def render(self) -> Visual:
        assert isinstance(self, MarkdownBlock)
        return HangingList(block_content(self), self.symbols)

    def compose(self) -> Iterable:
        return ()

    def show_items(self, content: Content, symbols: list[str]) -> None:
        """Show these items (one line of ``content`` each) with these bullets."""
        assert isinstance(self, MarkdownBlock)
        self.symbols = symbols
        self.set_content(content)

    async def _on_click(self, event: events.Click) -> None:
        # A double click selects the item under it, as it selects a paragraph (an item
        # of Textual's lists); the whole list is one widget here. Anything else is left
        # to the click handler of Textual's Widget, which Textual calls after this one.
        assert isinstance(self, MarkdownBlock)
        offset = event.style.meta.get("offset") if event.chain == 2 else None
        lines = block_content(self).plain.split("\n")
        if (
            offset is not None
            and event.widget is self
            and self.allow_select
            and self.screen.allow_select
            and self.app.ALLOW_SELECT
            and 0 <= offset[1] < len(lines)
        ):
            event.prevent_default()  # not the select-all of Textual's Widget
            y = offset[1]
            self.screen.selections = {self: Selection(Offset(0, y), Offset(len(lines[y]), y))}
            await self.broker_event("click", event)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        # Each item begun inside the selection is copied with its bullet or number.
        assert isinstance(self, MarkdownBlock)
        lines = block_content(self).plain.split("\n")
        first_y, first_x = (0, 0) if selection.start is None else selection.start.transpose
        if selection.end is None:
            last_y, last_x = len(lines) - 1, len(lines[-1])
        else:
            last_y, last_x = selection.end.transpose
        if last_y > first_y and last_x == 0 and selection.end is not None:
            last_y, last_x = last_y - 1, len(lines[last_y - 1])  # ends before that item
        last_y = min(last_y, len(lines) - 1)
        picked = []
        for y in range(first_y, last_y + 1):
            start = first_x if y == first_y else 0
            end = last_x if y == last_y else len(lines[y])
            text = lines[y][start:end]
            if start == 0:
                text = f"{self.symbols[y].strip()} {text}"
            picked.append(text)
        return "\n".join(picked), "\n"


class CompactBulletList(CompactList, MarkdownBulletList):
    """A bullet list of one-paragraph items, drawn by one widget."""

    COMPONENT_CLASSES = MarkdownBlock.COMPONENT_CLASSES | {"bullet"}
    DEFAULT_CSS = _BULLET_CSS.format(name="CompactBulletList")


class CompactOrderedList(CompactList, MarkdownOrderedList):
    """A numbered list of one-paragraph items, drawn by one widget."""

    COMPONENT_CLASSES = MarkdownBlock.COMPONENT_CLASSES | {"bullet"}
    DEFAULT_CSS = _BULLET_CSS.format(name="CompactOrderedList")


_COMPACT: dict[type[MarkdownBlock], type[CompactBulletList] | type[CompactOrderedList]] = {
    MarkdownBulletList: CompactBulletList,
    MarkdownOrderedList: CompactOrderedList,
}


def _compact(block: MarkdownBlock) -> MarkdownBlock:
    """``block`` itself, or a compact list drawing it when it is a list that can be."""
    compact_class = _COMPACT.get(type(block))
    if compact_class is None:
        return block
    assert isinstance(block, MarkdownList)
    symbols = list_symbols(block)
    if not symbols or len(symbols) != len(child_blocks(block)):
        return block
    texts = []
    for _, item in symbols:
        paragraphs = child_blocks(item)
        if len(paragraphs) != 1 or type(paragraphs[0]) is not MarkdownParagraph:
            return block
        text = block_content(paragraphs[0])
        if not text.plain or "\n" in text.plain:  # an item a line: see HangingList
            return block
        texts.append(text)
    if len({len(symbol) for symbol, _ in symbols}) != 1:
        return block
    compact = compact_class(block_document(block), block_token(block), block.source_range)
    compact.show_items(Content("\n").join(texts), [symbol for symbol, _ in symbols])
    return compact


def compact_lists(blocks: list[MarkdownBlock]) -> list[MarkdownBlock]:
    """``blocks`` with every list that can be drawn by one widget so drawn, at any depth."""
    for block in blocks:
        inner = child_blocks(block)
        if inner:
            inner[:] = compact_lists(inner)
    return [_compact(block) for block in blocks]
