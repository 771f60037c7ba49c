"""Find in the open article: every match of some words marked in the answer (quietly;
the current one stands out), stepped through with the view scrolled to each; also the
search's words marked after an open. The link marked by Tab is drawn over these marks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.content import Content
from textual.geometry import Region

from ..textual_internals import MarkdownBlock, block_content
from .compact_list import line_of

if TYPE_CHECKING:
    from .article_view import ArticleView

# Matches are marked quietly (a long answer with many of them stayed readable only so);
# the current one of find stands out.
MATCH_STYLE = "bold underline"
CURRENT_STYLE = "bold reverse"

# Search words shorter than this are marked as whole words only: "o" of "big o" would
# otherwise mark every "of", "or" and "on" of the answer.
PREFIX_CHARS = 3


def words_pattern(words: list[str]) -> re.Pattern[str]:
    """Words as a search shows them: case-insensitive, each a prefix of a word (a
    short one a whole word)."""
    ordered = sorted(set(words), key=len, reverse=True)
    alternatives = "|".join(
        re.escape(w) + (r"\w*" if len(w) >= PREFIX_CHARS else r"\b") for w in ordered
    )
    return re.compile(rf"\b(?:{alternatives})", re.IGNORECASE)


class ArticleFind:
    """The marks of find (and of a search's words) in one article view."""

    def __init__(self, view: ArticleView):
        self.view = view
        # Blocks that carry highlights, each with its own content and the marked
        # content given to it (a block given other content since is left alone: see
        # _paint), and the matches.
        self.originals: dict[MarkdownBlock, tuple[Content, Content]] = {}
        self.matches: list[tuple[MarkdownBlock, int, int]] = []
        self.current = 0

    def forget(self) -> None:
        """The answer is about to be replaced: its marks go with its blocks."""
        self.originals.clear()
        self.matches = []

    def clear(self) -> None:
        self.view.stops.unmark()  # the link's mark is drawn over find's: off first, then back
        for block, (content, marked) in self.originals.items():
            if block.is_attached and block_content(block) is marked:
                block.set_content(content)
        self.originals.clear()
        self.matches = []
        self.current = 0
        if self.view.stops.cursor is not None and self.view.app.focused is self.view:
            self.view.stops.mark()

    def highlight(
        self, pattern: re.Pattern[str] | None, jump: bool = True, current: bool = True
    ) -> int:
        """Mark every match of ``pattern`` in the answer (the first as the current one,
        unless not ``current``: n then goes to the first); returns how many there are."""
        self.clear()
        if not current:
            self.current = -1
        if pattern is None:
            return 0
        for block in self.view.leaf_blocks():
            content = block_content(block)
            found = [
                (m.start(), m.end()) for m in pattern.finditer(content.plain) if m.end() > m.start()
            ]
            if not found:
                continue
            self.originals[block] = (content, content)
            self.matches.extend((block, start, end) for start, end in found)
        self._paint()
        if jump and self.matches:
            self._scroll_to_current()
        return len(self.matches)

    def _paint(self) -> None:
        self.view.stops.unmark()
        by_block: dict[MarkdownBlock, list[tuple[int, int, bool]]] = {}
        for n, (block, start, end) in enumerate(self.matches):
            by_block.setdefault(block, []).append((start, end, n == self.current))
        for block, spans in by_block.items():
            original, marked = self.originals[block]
            if block_content(block) is not marked:
                # Given new text since it was marked: an answer shown while find ran (a
                # reused block). Its marks are stale; the old text must not come back.
                continue
            content = original
            for start, end, is_current in spans:
                content = content.stylize(CURRENT_STYLE if is_current else MATCH_STYLE, start, end)
            block.set_content(content)
            self.originals[block] = (original, content)
        if self.view.stops.cursor is not None and self.view.app.focused is self.view:
            self.view.stops.mark()

    def step(self, delta: int) -> tuple[int, int]:
        """Move to the next (1) or previous (-1) match; returns (index, total)."""
        if not self.matches:
            return 0, 0
        self.current = (self.current + delta) % len(self.matches)
        self._paint()
        self._scroll_to_current()
        return self.current, len(self.matches)

    def _scroll_to_current(self) -> None:
        # After the refresh: the block may not be laid out yet (an article just opened).
        block, start, _ = self.matches[self.current]
        self.view.call_after_refresh(self._scroll_to_match, block, start)

    def _scroll_to_match(self, block: MarkdownBlock, offset: int) -> None:
        """Center the line that holds the match: a list or paragraph may be taller than
        the view, and centering the block would leave the match out of sight."""
        if not block.is_attached or not block.display:
            return
        line = line_of(block, offset)
        if line is None:
            self.view.scroll_to_center(block, animate=False, immediate=True)
            return
        top = block.content_region.y - self.view.content_region.y + round(self.view.scroll_y)
        region = Region(0, top + line, 1, 1)
        self.view.scroll_to_region(region, center=True, animate=False, x_axis=False, immediate=True)

    def find(self, text: str, jump: bool = True) -> None:
        """Mark every word of ``text`` in the answer and count them in the find bar."""
        words = text.split()
        pattern = (
            re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
        )
        total = self.highlight(pattern, jump=jump)
        self.view.find_bar.show_count(0, total, text)

    def find_step(self, delta: int) -> None:
        index, total = self.step(delta)
        bar = self.view.find_bar
        bar.show_count(index, total, bar.input.value or "…")

    def highlight_terms(self, terms: list[str]) -> None:
        """After an open: the find bar's words if it is open, else a search's words."""
        bar = self.view.find_bar
        if bar.display and bar.input.value:
            self.find(bar.input.value, jump=False)
        elif terms:
            self.highlight(words_pattern(terms), jump=False, current=False)
