"""The article list: a Line-API scroll view that renders only the rows on screen.

It holds a :class:`RowSource` (row ids from the catalog, paged in as rows are
shown, or a short list of bookmarks) so 150,000 rows cost no more than 40.

Each row is two lines (three in a narrow pane), so that a question is read whole:
the title wraps onto the next lines, and the subject and date follow it, dimmed,
where they fit.
"""

from __future__ import annotations

import random
import re
from array import array
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

from ...library.catalog import CatalogError
from ...library.dates import list_date
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
    versions: int = 1  # articles asking this question (the list shows it once)
    read: bool | None = None  # None while the library has no read marks


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
        date_format: str = "",
        is_read: Callable[[str], bool | None] = lambda key: None,
    ):
        self.rowids = rowids
        self.fetch = fetch
        self.is_marked = is_marked
        self.is_read = is_read
        self.date_format = date_format  # one format for every row's date ("": as written)
        self._pages: OrderedDict[int, list[ListEntry | None]] = OrderedDict()
        self.error: CatalogError | None = None  # why rows could not be read, if they could not

    def __len__(self) -> int:
        return len(self.rowids)

    def _page(self, number: int) -> list[ListEntry | None]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        ids = list(self.rowids[number * self.PAGE : (number + 1) * self.PAGE])
        try:
            rows = {row.rowid: row for row in self.fetch(ids)}
        except CatalogError as exc:  # a damaged catalog: the rows show as unreadable
            self.error = exc
            return [None] * len(ids)
        page = []
        for rowid in ids:
            row = rows.get(rowid)
            page.append(
                None
                if row is None
                else ListEntry(
                    row.key,
                    row.title,
                    row.subject,
                    self._date(row),
                    row.rowid,
                    self.is_marked(row.key),
                    versions=row.versions,
                    read=self.is_read(row.key),
                )
            )
        self._pages[number] = page
        if len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        return page

    def _date(self, row: ArticleRow) -> str:
        if self.date_format and row.date_sort:
            return list_date(row.date_sort, self.date_format)
        return row.date

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


WIDE_TITLE = 56  # from this many cells, two lines hold the long titles; below, three


def row_height(width: int) -> int:
    """Lines a row takes in a list ``width`` cells wide: two lines of 56 cells hold a
    title of ~110 characters (a real library's p95 is ~110, its p99 124)."""
    return 2 if width - 3 >= WIDE_TITLE else 3


def _fit(text: str, width: int) -> str:
    if width <= 0:
        return ""
    if len(text) <= width:
        return text.ljust(width)
    return text[: max(0, width - 1)] + "…"


def wrap_title(title: str, width: int, lines: int = 2) -> list[str]:
    """A title on at most ``lines`` lines of ``width``, each cut at a space where one
    is near; the last cut with "…" when the lines cannot hold it all."""
    if width <= 0:
        return [""]
    out: list[str] = []
    rest = title
    while len(rest) > width and len(out) < lines - 1:
        cut = rest.rfind(" ", 0, width + 1)
        if cut < width // 2:  # no space near the end: cut inside the word
            cut = width
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if len(rest) > width:
        rest = rest[: width - 1].rstrip() + "…"
    out.append(rest)
    return out


def row_meta(entry: ListEntry) -> str:
    """The row's second thought: a bookmark's note first (it is what was meant to be
    remembered), then subject and date."""
    parts = [p for p in (entry.subject, entry.date) if p]
    if entry.versions > 1:
        parts.append(f"{entry.versions} versions")
    if entry.note:
        parts.insert(0, f"✎ {entry.note}")
    return " · ".join(parts)


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
        Binding("n", "next_unread", "Next unread", show=False, id="list.next_unread"),
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

    class Unreadable(Message):
        """The catalog could not give the rows to show (a damaged file)."""

        def __init__(self, error: CatalogError):
            self.error = error
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        # The unread of some row ids, when the library has read marks ("n"); set by
        # the search pane.
        self.unread: Callable[[array], array] | None = None
        self._said_unreadable = False
        self.source: RowSource = RowSource()
        self.empty_message = ""
        self._terms: re.Pattern[str] | None = None
        # Rendered rows by (index, is the cursor row, width), both lines; a change of
        # theme or focus clears them (notify_style_update). Scrolling by one row
        # repaints every row on screen, and all but one were drawn the frame before.
        self._lines: dict[tuple[int, bool, int], list[Strip]] = {}
        self.row_height = 2  # lines a row takes: set by the width (row_height())
        # The styles rows are drawn with, by "is the cursor row", kept as long as the
        # rows are: ``rich_style`` walks every ancestor's styles, which was half the
        # cost of drawing a row (a page down draws a page of them).
        self._row_styles: dict[bool, _RowStyles] = {}

    # -- content ---------------------------------------------------------------

    def set_source(
        self, source: RowSource, terms: Sequence[str] = (), cursor: int = 0, empty: str = ""
    ) -> None:
        self.source = source
        self._said_unreadable = False
        self.empty_message = empty
        self._lines.clear()
        words = sorted({t for t in terms if t}, key=len, reverse=True)
        self._terms = (
            re.compile(r"(?i)\b(?:" + "|".join(re.escape(w) for w in words) + ")")
            if words
            else None
        )
        self._set_virtual_height(len(source) * self.row_height)
        self.cursor = max(0, min(cursor, len(source) - 1))
        self.scroll_to_cursor(center=True)
        self.refresh()

    def _set_virtual_height(self, height: int) -> None:
        """The list's scrollable height. Setting ``virtual_size`` lays the whole screen
        out again (a reactive with ``layout=True``): at each keystroke that was most of
        the paint of the new list. Only a scrollbar that comes or goes needs a layout;
        otherwise the size is set without one and the scrollbar told."""
        size = Size(self.size.width, height)
        if size == self.virtual_size:
            return
        shown = self.size.height
        if not shown or (self.virtual_size.height > shown) != (height > shown):
            self.virtual_size = size
            return
        self.set_reactive(ArticleList.virtual_size, size)
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.window_virtual_size = height
            self.vertical_scrollbar.refresh()

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
            self.refresh_lines(old * self.row_height, self.row_height)
            self.refresh_lines(new * self.row_height, self.row_height)

    def scroll_to_cursor(self, center: bool = False) -> None:
        """Scroll so that the cursor's row is whole on screen (centred if asked)."""
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return
        # The list scrolls by whole rows, so no row is cut at the top.
        top, rh = self.scroll_y, self.row_height
        first = self.cursor * rh
        last = first + rh - 1
        if center and not (top <= first and last < top + height):
            y = max(0, (self.cursor - (height // rh - 1) // 2) * rh)
            self.scroll_to(y=y, animate=False, immediate=True)
        elif first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            y = -(-(last - height + 1) // rh) * rh  # rounded up to a whole row
            self.scroll_to(y=y, animate=False, immediate=True)

    def _page_size(self) -> int:
        lines = self.scrollable_content_region.height or self.size.height
        return max(1, lines // self.row_height - 1)

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

    def action_next_unread(self) -> None:
        """The cursor to the next unread row after it (round to the top), if there is one."""
        index = self._next_unread()
        if index is None:
            self.notify("No unread article in this list.", timeout=3)
            return
        self.cursor = index
        self.scroll_to_cursor(center=True)

    def _next_unread(self) -> int | None:
        source, cursor = self.source, self.cursor
        if isinstance(source, CatalogRows) and self.unread is not None:
            # The read marks, not the rows: a long run of read rows is not fetched.
            rowids = array("q", source.rowids)  # a copy: the C-speed slicing of an array
            found = self.unread(rowids[cursor + 1 :] + rowids[: cursor + 1])
            return source.index_of_rowid(found[0]) if len(found) else None
        count = len(source)
        for step in range(1, count):
            entry = source.get((cursor + step) % count)
            if entry is not None and entry.read is False:
                return (cursor + step) % count
        return None

    def action_open(self) -> None:
        entry = self.entry
        if entry is not None:
            self.post_message(self.Opened(self, self.cursor, entry))

    def open_random(self, choose: Callable[[int], int] = random.randrange) -> bool:
        """Open a row picked at random (not the selected one, when there are others);
        False when the list is empty. ``choose(n)`` picks a number below n."""
        count = len(self.source)
        if count == 0:
            return False
        index = choose(count - 1) if count > 1 else 0
        if count > 1 and index >= self.cursor:
            index += 1  # every row but the selected one, equally likely
        source = self.source
        if isinstance(source, CatalogRows) and self.unread is not None:
            # Unread first: any unread row but the selected one, when there is one.
            selected = source.rowids[self.cursor]
            unread = [r for r in self.unread(array("q", source.rowids)) if r != selected]
            if unread:
                index = source.index_of_rowid(unread[choose(len(unread))]) or 0
        self.cursor = index
        self.scroll_to_cursor(center=True)
        self.action_open()
        return True

    async def _on_click(self, event: events.Click) -> None:
        index = (int(self.scroll_y) + event.y) // self.row_height
        if 0 <= index < len(self.source):
            self.cursor = index
            self.action_open()

    def on_resize(self, event: events.Resize) -> None:
        height = row_height(self.scrollable_content_region.width or event.size.width)
        if height != self.row_height:
            self.row_height = height
            self._lines.clear()
        self.virtual_size = Size(event.size.width, len(self.source) * self.row_height)
        self.scroll_to_cursor(center=True)

    # -- rendering ---------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line_y = int(self.scroll_y) + y
        index, part = divmod(line_y, self.row_height)
        selected = index == self.cursor
        key = (index, selected, width)
        lines = self._lines.get(key)
        if lines is not None:
            return lines[part]
        base = self._styles(False).row
        if not len(self.source):
            if line_y == 1 and self.empty_message:
                style = self.get_component_rich_style("article-list--empty")
                return Strip([Segment(_fit("  " + self.empty_message, width), style)], width)
            return Strip.blank(width, base)
        if index >= len(self.source):
            return Strip.blank(width, base)
        entry = self.source.get(index)
        error = getattr(self.source, "error", None)
        if error is not None and not self._said_unreadable:
            self._said_unreadable = True
            self.post_message(self.Unreadable(error))
        if entry is None:  # its page is still being read, or unreadable: not kept
            text = "  …" if part == 0 else ""
            return Strip([Segment(_fit(text, width), base)], width)
        if len(self._lines) > 1024:
            self._lines.clear()
        lines = self._lines[key] = self._render_entry(entry, selected, width)
        return lines[part]

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

    def _render_entry(self, entry: ListEntry, selected: bool, width: int) -> list[Strip]:
        """The row's lines: the marker and the title, wrapped; then the subject and
        date, dimmed, on the line after the title where one is left, else after the
        title's end where there is room, else not shown (the article view has them)."""
        styles = self._styles(selected)
        marker = "★ " if entry.marked else ("✗ " if entry.missing else "  ")
        if entry.read is False and not entry.missing:
            marker = "★•" if entry.marked else "• "  # unread: a marker, not only a colour
        if entry.missing:
            title_style, match_style = styles.missing, styles.missing_match
        elif entry.read:  # read: quieter
            title_style, match_style = styles.meta, styles.match
        else:
            title_style, match_style = styles.row, styles.match
        title_width = width - 3  # the marker's two cells and one at the right
        wrapped = wrap_title(entry.title, title_width, self.row_height)
        lines: list[list[Segment]] = []
        for n, text in enumerate(wrapped):
            line = [Segment(marker if n == 0 else "  ", styles.marker if n == 0 else styles.row)]
            line.extend(self._title_segments(text, title_style, match_style))
            lines.append(line)
        meta = row_meta(entry)
        room = title_width - len(wrapped[-1]) - 3
        if meta and len(lines) < self.row_height:  # a line of its own
            lines.append([Segment("  " + _fit(meta, title_width).rstrip(), styles.meta)])
        elif meta and room >= min(len(meta), 12):  # after the title, cut if need be
            lines[-1].append(Segment("   " + _fit(meta, room).rstrip(), styles.meta))
        while len(lines) < self.row_height:
            lines.append([])
        return [Strip(line).adjust_cell_length(width, styles.row) for line in lines]

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
