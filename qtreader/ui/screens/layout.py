"""Which panes the reader shows at a terminal's width, as the screen's style classes.

Wide terminals show all three panes; medium ones the list and the article, with the
subject tree shown while it has the focus; narrow ones the focused pane alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .reader import ReaderScreen

NARROW_WIDTH = 100  # below this, one pane at a time
WIDE_WIDTH = 130  # from this, all three panes
PANES = ("subjects", "middle", "view")


def layout_classes(width: int, pane: str) -> dict[str, bool]:
    """The screen's classes for ``width`` columns with ``pane`` focused.

    A change of the screen's classes restyles every widget on it (77 ms with an
    article open, measured on a slow machine), so they change in one go and only
    where the styles use them: narrow screens show the focused pane alone, medium
    ones tell only the subject tree apart (reader.tcss). Moving between the list and
    the article, the commonest move, then restyles nothing on wider screens.
    """
    narrow = width < NARROW_WIDTH
    medium = not narrow and width < WIDE_WIDTH
    shown = pane if narrow or (medium and pane == "subjects") else None
    return {"narrow": narrow, "medium": medium, **{f"show-{p}": p == shown for p in PANES}}


VIEW_CHROME = 6  # the article pane around its column: padding (4), border, scrollbar
LIST_MIN = 40  # the list is never narrower than this beside the article


def pane_widths(width: int, tree: int, column: int) -> dict[str, int | None]:
    """Each pane's width in cells at ``width`` columns (None: as the styles say).

    The article gets its reading column (``column`` cells of text) where there is
    room, the list the rest but at least ``LIST_MIN``, and the subject tree the width
    its labels ask for (``tree``). One pane at a time below ``NARROW_WIDTH``: each
    takes the whole width.
    """
    if width < NARROW_WIDTH:
        return {"subjects": None, "middle": None, "view": None}
    shown_tree = tree if width >= WIDE_WIDTH else 0  # medium: the tree replaces the view
    view = max(0, min(column + VIEW_CHROME, width - shown_tree - LIST_MIN))
    return {"subjects": tree, "middle": None, "view": view}


def apply_layout(screen: ReaderScreen, pane: str, update: bool = True) -> None:
    """The classes and pane widths for the screen's width, set where they change."""
    from textual.css.scalar import Scalar
    from textual.widgets import Footer

    width = screen.app.size.width
    screen.update_classes(layout_classes(width, pane), update=update)
    for footer in screen.query(Footer):  # narrow: compact, so that ? and q still show
        footer.compact = width < NARROW_WIDTH
    widths = pane_widths(width, screen.subjects.wanted_width, screen.column_width)
    for widget in (screen.subjects, screen.search_pane, screen.view):
        wanted = widths[widget.id or ""]
        if widget.styles.width != (None if wanted is None else Scalar.from_number(wanted)):
            widget.styles.width = wanted
