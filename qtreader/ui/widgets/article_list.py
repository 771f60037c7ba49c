"""The article list: a Line-API scroll view that renders only the rows on screen.

It holds a :class:`RowSource` (row ids from the catalog, paged in as rows are
shown, or a short list of bookmarks) so 150,000 rows cost no more than 40.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...library.models import ArticleRow


@dataclass(frozen=True, slots=True)
class ListEntry:
    """What one row shows."""

    key: str
    title: str
    subject: str
    date: str
    rowid: int | None = None
    marked: bool = False  # bookmarked
    missing: bool = False  # a bookmark whose article is gone
    note: str = ""


class RowSource:
    """A sequence of list entries. Subclasses fetch rows lazily."""

    def __len__(self) -> int:
        return 0

    def get(self, index: int) -> ListEntry | None:
        return None

    def index_of_key(self, key: str) -> int | None:
        return None


class StaticRows(RowSource):
    def __init__(self, entries: Sequence[ListEntry]):
        self.entries = list(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, index: int) -> ListEntry | None:
        return self.entries[index] if 0 <= index < len(self.entries) else None

    def index_of_key(self, key: str) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.key == key), None)


class CatalogRows(RowSource):
    """Row ids in display order; rows are fetched a page at a time and cached."""

    PAGE = 128
    MAX_PAGES = 64

    def __init__(
        self,
        rowids: Sequence[int],
        fetch: Callable[[Sequence[int]], list[ArticleRow]],
        is_marked: Callable[[str], bool] = lambda key: False,
    ):
        self.rowids = rowids
        self.fetch = fetch
        self.is_marked = is_marked
        self._pages: OrderedDict[int, list[ListEntry | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self.rowids)

    def _page(self, number: int) -> list[ListEntry | None]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        ids = list(self.rowids[number * self.PAGE : (number + 1) * self.PAGE])
        rows = {row.rowid: row for row in self.fetch(ids)}
        page = []
        for rowid in ids:
            row = rows.get(rowid)
            page.append(
                None
                if row is None
                else ListEntry(
                    row.key, row.title, row.subject, row.date, row.rowid, self.is_marked(row.key)
                )
            )
        self._pages[number] = page
        if len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        return page

    def get(self, index: int) -> ListEntry | None:
        if not 0 <= index < len(self.rowids):
            return None
        page = self._page(index // self.PAGE)
        offset = index % self.PAGE
        return page[offset] if offset < len(page) else None

    def index_of_rowid(self, rowid: int) -> int | None:
        try:
            return self.rowids.index(rowid)
        except ValueError:
            return None

    def index_of_key(self, key: str) -> int | None:
        for page in self._pages.values():
            for entry in page:
                if entry is not None and entry.key == key and entry.rowid is not None:
                    return self.index_of_rowid(entry.rowid)
        return None

    def forget(self) -> None:
        """Drop cached rows (after a bookmark changes their marker)."""
        self._pages.clear()


def _fit(text: str, width: int) -> str:
    if width <= 0:
        return ""
    if len(text) <= width:
        return text.ljust(width)
    return text[: max(0, width - 1)] + "…"


@dataclass(frozen=True, slots=True)
class _RowStyles:
    row: Style
    marker: Style
    missing: Style
    meta: Style
    match: Style
    missing_match: Style


class ArticleList(ScrollView, can_focus=True):
    """The list of articles (or bookmarks, or history) in the middle pane."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("home,g", "first", "Top", show=False, id="list.top"),
        Binding("end,G", "last", "Bottom", show=False, id="list.bottom"),
        Binding("enter", "open", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--meta",
        "article-list--match",
        "article-list--marker",
        "article-list--missing",
        "article-list--empty",
    }

    # No repaint of its own: watch_cursor repaints the two rows that changed, or all
    # of them when the list scrolled (a full repaint per key cost ~15 ms at 35 rows).
    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Opened(Message):
        def __init__(self, article_list: ArticleList, index: int, entry: ListEntry):
            self.article_list = article_list
            self.index = index
            self.entry = entry
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.source: RowSource = RowSource()
        self.empty_message = ""
        self._terms: re.Pattern[str] | None = None
        # Rendered rows by (index, is the cursor row, width); a change of theme or focus
        # clears them (notify_style_update). Scrolling by one row repaints every row on
        # screen, and all but one were drawn the frame before.
        self._lines: dict[tuple[int, bool, int], Strip] = {}
        # The styles rows are drawn with, by "is the cursor row", kept as long as the
        # rows are: ``rich_style`` walks every ancestor's styles, which was half the
        # cost of drawing a row (a page down draws a page of them).
        self._row_styles: dict[bool, _RowStyles] = {}

    # -- content ---------------------------------------------------------------

    def set_source(
        self, source: RowSource, terms: Sequence[str] = (), cursor: int = 0, empty: str = ""
    ) -> None:
        self.source = source
        self.empty_message = empty
        self._lines.clear()
        words = sorted({t for t in terms if t}, key=len, reverse=True)
        self._terms = (
            re.compile(r"(?i)\b(?:" + "|".join(re.escape(w) for w in words) + ")")
            if words
            else None
        )
        self.virtual_size = Size(self.size.width, len(source))
        self.cursor = max(0, min(cursor, len(source) - 1))
        self.scroll_to_cursor(center=True)
        self.refresh()

    @property
    def entry(self) -> ListEntry | None:
        return self.source.get(self.cursor) if len(self.source) else None

    def redraw(self) -> None:
        if isinstance(self.source, CatalogRows):
            self.source.forget()
        self._lines.clear()
        self._row_styles.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        self._lines.clear()  # a theme or focus style changed the look of every row
        self._row_styles.clear()
        super().notify_style_update()

    # -- cursor ------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.source) - 1)) if len(self.source) else 0

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_y
        self.scroll_to_cursor()
        if self.scroll_y != top:
            self.refresh()
        else:  # only the two rows whose look changed
            self.refresh_line(old)
            self.refresh_line(new)

    def scroll_to_cursor(self, center: bool = False) -> None:
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return
        top = self.scroll_y
        if center and not top <= self.cursor < top + height:
            self.scroll_to(y=max(0, self.cursor - height // 2), animate=False, immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _page_size(self) -> int:
        return max(1, (self.scrollable_content_region.height or self.size.height) - 1)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_page_down(self) -> None:
        self.cursor += self._page_size()

    def action_page_up(self) -> None:
        self.cursor -= self._page_size()

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.source) - 1

    def action_open(self) -> None:
        entry = self.entry
        if entry is not None:
            self.post_message(self.Opened(self, self.cursor, entry))

    async def _on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < len(self.source):
            self.cursor = index
            self.action_open()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.source))

    # -- rendering ---------------------------------------------------------------

    def _columns(self, width: int) -> tuple[int, int, int]:
        """Widths of title, subject and date for this width (the marker takes 2)."""
        rest = width - 2
        if rest >= 90:
            subject, date = 20, 12
        elif rest >= 60:
            subject, date = 16, 12
        elif rest >= 44:
            subject, date = 14, 0
        else:
            subject, date = 0, 0
        title = rest - subject - date - (1 if subject else 0) - (1 if date else 0)
        return title, subject, date

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        selected = index == self.cursor
        key = (index, selected, width)
        line = self._lines.get(key)
        if line is not None:
            return line
        base = self._styles(False).row
        if not len(self.source):
            if y == 1 and self.empty_message:
                style = self.get_component_rich_style("article-list--empty")
                return Strip([Segment(_fit("  " + self.empty_message, width), style)], width)
            return Strip.blank(width, base)
        if index >= len(self.source):
            return Strip.blank(width, base)
        entry = self.source.get(index)
        if entry is None:  # its page is still being read: not kept
            return Strip([Segment(_fit("  …", width), base)], width)
        if len(self._lines) > 1024:
            self._lines.clear()
        line = self._lines[key] = self._render_entry(entry, selected, width)
        return line

    def _styles(self, selected: bool) -> _RowStyles:
        styles = self._row_styles.get(selected)
        if styles is None:
            base = self.rich_style
            row = base + self.get_component_rich_style("article-list--cursor") if selected else base
            missing = row + self._fg("article-list--missing")
            styles = self._row_styles[selected] = _RowStyles(
                row=row,
                marker=row + self._fg("article-list--marker"),
                missing=missing,
                meta=row + self._fg("article-list--meta"),
                match=row + self._fg("article-list--match"),
                missing_match=missing + self._fg("article-list--match"),
            )
        return styles

    def _render_entry(self, entry: ListEntry, selected: bool, width: int) -> Strip:
        styles = self._styles(selected)
        title_w, subject_w, date_w = self._columns(width)
        marker = "★ " if entry.marked else ("✗ " if entry.missing else "  ")
        segments = [Segment(marker, styles.marker)]
        if entry.missing:
            title_style, match_style = styles.missing, styles.missing_match
        else:
            title_style, match_style = styles.row, styles.match
        segments.extend(self._title_segments(_fit(entry.title, title_w), title_style, match_style))
        if subject_w:
            segments.append(Segment(" " + _fit(entry.subject, subject_w), styles.meta))
        if date_w:
            segments.append(Segment(" " + _fit(entry.date, date_w).rjust(date_w), styles.meta))
        return Strip(segments).adjust_cell_length(width, styles.row)

    def _fg(self, component: str) -> Style:
        """Only the foreground and text style of a component, blended with the background.

        The full style would also carry its background, which must not hide the cursor row.
        """
        style = self.get_component_rich_style(component)
        return Style(
            color=style.color, bold=style.bold, italic=style.italic, underline=style.underline
        )

    def _title_segments(self, text: str, style: Style, match_style: Style) -> list[Segment]:
        if self._terms is None:
            return [Segment(text, style)]
        out: list[Segment] = []
        pos = 0
        for match in self._terms.finditer(text):
            if match.start() > pos:
                out.append(Segment(text[pos : match.start()], style))
            out.append(Segment(match.group(0), match_style))
            pos = match.end()
        if pos < len(text):
            out.append(Segment(text[pos:], style))
        return out
