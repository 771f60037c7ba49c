"""A container is arranged once per layout where Textual 8 arranges it again and again.

To learn the height of a container, Textual arranges its children
(``Layout.get_content_height`` arranges at ``Size(width, 0)``, or at the parent's
height when every child's height is dynamic). To place the children it then
arranges them again at the size that came out of that. Arrangements are cached by
the exact size, so the second one misses, and so does every nested one below it: an
article's blocks nested in lists and quotes were arranged two to four times each in
every open (4,162 arrangements in 35 opens of the benchmark's articles, 985 with
this), and the open's layout took ~45 ms on a slow machine (~29 ms with this).

When no child's height can depend on the height of the container, an arrangement is
the same at every height: vertical and horizontal layouts place children by their
own heights, and nothing else uses the container's. That holds when the container
aligns its children to the top, and every displayed child has a height in cells or
``auto``, minimum and maximum heights in cells, no width relative to the height or
the terminal, no offset, no dock, split or screen overlay, and, for an ``auto``
height, content whose height is worked out from the width alone (text, a
``ScrollView``'s virtual size, or a container for which all this holds in turn). For such a container, an arrangement
still in Textual's cache for the same width and the same children is used as it is.
Anything else is arranged by Textual as before. Textual clears the cache whenever a
descendant asks for a layout, so nothing is reused across a change.

A list item was not height free: Textual's bullet has no height, so it fills the item.
styles/reader.tcss gives the answer's bullets ``height: auto`` (one line, the symbol
they draw anyway); the screen is the same cell for cell.

Tested in tests/test_ui_arrange.py: article after article, at several sizes, with
lists, quotes, code, tables and headings, every widget is where Textual's own
arrangement from nothing puts it and the screen reads the same; and an open
arranges each height-free container at one height only. If Textual changes the
method, the patch stands aside and a test fails.
"""

from __future__ import annotations

import inspect

from textual.css.scalar import Unit
from textual.geometry import Size
from textual.layout import DockArrangeResult, Layout
from textual.layouts.horizontal import HorizontalLayout
from textual.layouts.vertical import VerticalLayout
from textual.scroll_view import ScrollView
from textual.widget import Widget

__all__ = ["TEXTUAL_ARRANGE", "height_free", "install", "installed"]

TEXTUAL_ARRANGE = Widget.arrange
_EXPECTED = ["self", "size", "optimal"]
_FIXED_HEIGHTS = frozenset({Unit.CELLS, Unit.AUTO})
_LAYOUTS = (VerticalLayout, HorizontalLayout)
# Width units that read the container's height or the terminal's size: an
# arrangement kept from before a resize must not be reused with them.
_HEIGHT_OR_TERMINAL = frozenset({Unit.HEIGHT, Unit.VIEW_WIDTH, Unit.VIEW_HEIGHT})


def height_free(widget: Widget) -> bool:
    """Whether arranging ``widget``'s children gives the same result at any height."""
    styles = widget.styles
    if type(widget.layout) not in _LAYOUTS or styles.align_vertical != "top":
        return False
    # The children arrange() places: those with display (not displayed_children,
    # which Textual 8 sometimes leaves without the invisible ones).
    return all(_height_ignores_container(child) for child in widget._nodes if child.display)


def _height_ignores_container(child: Widget) -> bool:
    """Whether ``child``'s place in a vertical or horizontal arrangement (its box
    model) is the same whatever the height of its container, and of the terminal."""
    styles = child.styles
    if styles.is_docked or styles.is_split or styles.overlay == "screen":
        return False
    if styles.has_rule("offset"):
        return False  # may be in terminal units, which the cache does not know
    height = styles.height
    if height is None or height.unit not in _FIXED_HEIGHTS:
        return False  # None fills the container's height
    for limit in (styles.min_height, styles.max_height):
        if limit is not None and not limit.is_cells:
            return False
    for width in (styles.width, styles.min_width, styles.max_width):
        if width is not None and width.unit in _HEIGHT_OR_TERMINAL:
            return False
    if not height.is_auto:
        return True
    content_height = type(child).get_content_height
    if content_height is ScrollView.get_content_height:
        # Its virtual size; but _get_box_model stretches an auto height to the
        # container's when a child's height is relative.
        return not child._has_relative_children_height
    if content_height is not Widget.get_content_height:
        return False
    if not child.is_container:
        return True  # its text at the width
    if type(child.layout).get_content_height is not Layout.get_content_height:
        return False
    # Layout.get_content_height arranges the child at height 0 (so its height cannot
    # follow ours), unless all its own children have dynamic heights: then at our
    # height, and the child must be height free in turn. Being height free, it has
    # no relative heights below it either.
    # (displayed_children, as Layout.get_content_height decides it)
    if all(grandchild.styles.is_dynamic_height for grandchild in child.displayed_children):
        return height_free(child)
    return not child._has_relative_children_height


def _arrange(self: Widget, size: Size, optimal: bool = False) -> DockArrangeResult:
    cache = self._arrangement_cache
    key = (size, self._nodes._updates, optimal)
    if cache.get(key) is None:
        keys = list(cache.keys())
        same_width = [kept for kept in keys if kept[0].width == size.width and kept[1:] == key[1:]]
        if same_width and height_free(self):
            arrangement = cache.get(same_width[0])
            if arrangement is not None:
                cache[key] = arrangement
                return arrangement
    return TEXTUAL_ARRANGE(self, size, optimal)


def install() -> None:
    """Patch Textual's Widget (once per process); a no-op on a method of another shape."""
    if list(inspect.signature(TEXTUAL_ARRANGE).parameters) != _EXPECTED:
        return
    Widget.arrange = _arrange  # type: ignore[method-assign]


def installed() -> bool:
    return Widget.arrange is _arrange
