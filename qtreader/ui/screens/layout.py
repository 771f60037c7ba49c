"""Which panes the reader shows at a terminal's width, as the screen's style classes.

Wide terminals show all three panes; medium ones the list and the article, with the
subject tree shown while it has the focus; narrow ones the focused pane alone.
"""

from __future__ import annotations

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
