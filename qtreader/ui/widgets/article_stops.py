"""Tab through an article in reading order: the links in the answer's own text (marked
where they stand, followed with Enter), wide code blocks, "show more", then the links
under the answer. Where Tab goes is decided by ``state.next_stop``; this module finds
the stops, marks the link in the text and scrolls just enough to show it."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.content import Content
from textual.geometry import Region
from textual.style import Style
from textual.widget import Widget

from ...library.links import LinkKind, classify_url
from ...library.models import RelatedLink
from ...library.text import clean_line
from ..state import LEAVE, VIEW, next_stop
from ..textual_internals import MarkdownBlock, block_content
from .answer_markdown import CodeBlock
from .compact_list import line_of

if TYPE_CHECKING:
    from .article_view import ArticleView

# The link in the text that Enter follows: drawn as a selection is, in both themes.
CURSOR_STYLE = "reverse"


@dataclass(frozen=True)
class InlineLink:
    """A link in the answer's text: characters ``start:end`` of ``block``'s content."""

    block: MarkdownBlock
    start: int
    end: int
    href: str


Stop = InlineLink | Widget


def link_href(style: object) -> str | None:
    """The target of a link as Textual's Markdown draws one (a ``link('…')`` click
    action in the style's meta), or None for any other style."""
    if not isinstance(style, Style):
        return None
    action = style.meta.get("@click")
    if not isinstance(action, str) or not action.startswith("link(") or not action.endswith(")"):
        return None
    try:
        href = ast.literal_eval(action[len("link(") : -1])
    except (ValueError, SyntaxError):
        return None
    return href if isinstance(href, str) else None


def inline_links(block: MarkdownBlock) -> list[InlineLink]:
    """The links in ``block``'s text, in reading order."""
    found = []
    for span in block_content(block).spans:
        href = link_href(span.style)
        if href is not None and span.end > span.start:
            found.append(InlineLink(block, span.start, span.end, href))
    found.sort(key=lambda link: link.start)
    return found


def describe_link(href: str, library_links: dict[str, RelatedLink]) -> str:
    """Where a link of the answer leads, for the status line (``library_links``: the
    answer's links into the library, resolved, by href)."""
    shown = clean_line(href)
    kind = classify_url(href)
    if kind is LinkKind.WEB:
        return f"↗ {shown}   Enter asks before opening it in your browser"
    if kind is LinkKind.REFUSED:
        return f"✗ {shown}   links like this are not opened"
    link = library_links.get(href)
    if link is None or link.target_key is None:
        return f"✗ {shown}   not in this library"
    where = f"  · {clean_line(link.subject)}" if link.subject else ""
    return f"→ {clean_line(link.title)}{where}   Enter opens it"


class ArticleStops:
    """The article view's stops and the link marked in its text (the view's "cursor")."""

    def __init__(self, view: ArticleView):
        self.view = view
        self.cursor: InlineLink | None = None
        # The block whose content carries the mark: its content before and after.
        self._marked: tuple[MarkdownBlock, Content, Content] | None = None

    # -- what the stops are --------------------------------------------------------

    def stops(self) -> list[Stop]:
        view = self.view
        found: list[Stop] = []
        for block in view.leaf_blocks():
            if isinstance(block, CodeBlock):
                if block.can_focus:
                    found.append(block)
            else:
                found.extend(inline_links(block))
        more = view.query_one("#more")
        if more.display:
            found.append(more)
        found.extend(view.link_items())
        return found

    def _top(self, stop: Stop) -> int:
        """The line of the article where ``stop`` starts."""
        view = self.view
        origin = view.content_region.y - round(view.scroll_y)
        if isinstance(stop, InlineLink):
            line = line_of(stop.block, stop.start) or 0
            return stop.block.content_region.y - origin + line
        return stop.region.y - origin

    def current(self, stops: list[Stop]) -> int | None:
        """Which stop has the focus (or the mark), if one has."""
        focused = self.view.app.focused
        if focused is self.view and self.cursor is not None:
            cursor = self.cursor
            for n, stop in enumerate(stops):
                if (
                    isinstance(stop, InlineLink)
                    and stop.block is cursor.block
                    and stop.start == cursor.start
                ):
                    return n
            return None
        if isinstance(focused, Widget):
            for n, stop in enumerate(stops):
                if stop is focused:
                    return n
        return None

    # -- moving ----------------------------------------------------------------------

    def move(self, forward: bool) -> bool:
        """Tab (``forward``) or Shift+Tab within the article; False when the focus
        should leave it."""
        view = self.view
        stops = self.stops()
        tops = [self._top(stop) for stop in stops]
        height = view.scrollable_content_region.height
        target = next_stop(tops, self.current(stops), round(view.scroll_y), height, forward)
        if target == LEAVE:
            self.forget()
            return False
        if target == VIEW:
            self.forget()
            view.focus(scroll_visible=False)
        else:
            self.go(stops[target], tops[target])
        return True

    def go(self, stop: Stop, top: int | None = None, scroll: bool = True) -> None:
        """Give ``stop`` the focus (a link in the text: the mark), scrolling the least
        that shows it."""
        view = self.view
        if isinstance(stop, InlineLink):
            self.cursor = stop
            if view.app.focused is not view:
                view.focus(scroll_visible=False)
            self.mark()
            if scroll:
                top = self._top(stop) if top is None else top
                region = Region(0, top, 1, 1)
                view.scroll_to_region(region, animate=False, x_axis=False, immediate=True)
        else:
            self.forget()
            stop.focus(scroll_visible=False)
            if scroll:
                view.scroll_to_widget(stop, animate=False, immediate=True)
        view.pointed(stop.href if isinstance(stop, InlineLink) else None)

    def leave(self, forward: bool) -> bool:
        """The focus to the pane after (or before) the article; False if there is none."""
        view = self.view
        chain = view.screen.focus_chain
        if view not in chain:
            return False
        at = chain.index(view)
        outside = [w is not view and view not in w.ancestors for w in chain]
        order = (
            [*range(at + 1, len(chain)), *range(at)]
            if forward
            else [*reversed(range(at)), *reversed(range(at + 1, len(chain)))]
        )
        target = next((chain[n] for n in order if outside[n]), None)
        if target is None:
            return False
        target.focus()
        return True

    def go_to_index(self, index: int) -> bool:
        """The ``index``-th stop focused, without scrolling (coming back to a visit)."""
        stops = self.stops()
        if not 0 <= index < len(stops):
            return False
        self.go(stops[index], scroll=False)
        return True

    def forget(self) -> None:
        """No link marked in the text any more."""
        self.unmark()
        if self.cursor is not None:
            self.cursor = None
            self.view.pointed(None)

    def drop(self) -> None:
        """The answer is about to be replaced: the mark goes with its blocks."""
        self._marked = None
        self.cursor = None

    # -- the mark --------------------------------------------------------------------

    def mark(self) -> None:
        """Draw the mark on the cursor's link (again)."""
        self.unmark()
        link = self.cursor
        if link is None or not link.block.is_attached:
            return
        before = block_content(link.block)
        after = before.stylize(CURSOR_STYLE, link.start, link.end)
        link.block.set_content(after)
        self._marked = (link.block, before, after)

    def unmark(self) -> None:
        """Take the mark off, leaving the block's text as it was (with find's marks)."""
        if self._marked is None:
            return
        block, before, after = self._marked
        self._marked = None
        if block.is_attached and block_content(block) is after:
            block.set_content(before)
