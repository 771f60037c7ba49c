"""A long answer's outline: its headings and numbered items, each with the line of the
article where it starts (the outline screen lists them; choosing one scrolls there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Markdown

from ...library.text import lead_of
from ..textual_internals import MarkdownBlock, MarkdownHeader, MarkdownOrderedList, block_content
from .compact_list import CompactOrderedList, line_of

if TYPE_CHECKING:
    from .article_view import ArticleView


@dataclass(frozen=True)
class OutlineEntry:
    label: str
    depth: int  # 0 for the outermost headings
    top: int  # the article's line where it starts


def answer_outline(view: ArticleView) -> list[OutlineEntry]:
    """The outline of the answer shown in ``view``, in reading order."""
    answer = view.query_one("#answer", Markdown)
    origin = view.content_region.y - round(view.scroll_y)
    entries: list[OutlineEntry] = []
    levels = [
        int(block.name[1:])
        for block in answer.children
        if isinstance(block, MarkdownHeader)
        if block.name and block.name[1:].isdigit()
    ]
    top_level = min(levels, default=1)
    item_depth = 0
    for block in answer.children:
        if not block.display or not isinstance(block, MarkdownBlock):
            continue
        top = block.content_region.y - origin
        if isinstance(block, MarkdownHeader):
            level = int(block.name[1:]) if block.name and block.name[1:].isdigit() else 1
            depth = level - top_level
            entries.append(OutlineEntry(block_content(block).plain.strip(), depth, top))
            item_depth = depth + 1
        elif isinstance(block, CompactOrderedList):
            plain = block_content(block).plain
            offset = 0
            for symbol, text in zip(block.symbols, plain.split("\n"), strict=False):
                line = line_of(block, offset) or 0
                label = f"{symbol.strip()} {lead_of(text)}"
                entries.append(OutlineEntry(label, item_depth, top + line))
                offset += len(text) + 1
        elif isinstance(block, MarkdownOrderedList):
            entries.extend(_rows(block, origin, item_depth))
    return entries


def _rows(block: MarkdownOrderedList, origin: int, depth: int) -> list[OutlineEntry]:
    """The items of a list Textual draws row by row (items of several paragraphs)."""
    found = []
    for row in block.children:
        if not row.display or len(row.children) != 2:
            continue
        bullet, column = row.children
        symbol = str(getattr(bullet, "symbol", "")).strip()
        texts = [
            block_content(part).plain
            for part in column.query(MarkdownBlock)
            if not isinstance(part, MarkdownOrderedList)
        ]
        first = next((text for text in texts if text.strip()), "")
        if isinstance(row, Widget):
            found.append(OutlineEntry(f"{symbol} {lead_of(first)}", depth, row.region.y - origin))
    return found
