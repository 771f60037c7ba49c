"""One layout for each change on screen, where Textual 8 runs two.

After each layout, Textual gives every widget whose size changed its new
``virtual_size`` (``Screen._refresh_layout`` calls ``Widget._size_updated``).
``virtual_size`` is a reactive declared with ``layout=True``, so setting it asks for
another layout of the screen. That layout has nothing left to do: the sizes it
would hand out are the ones just handed out. Yet it costs as much as the first, and
opening an article changes the size of every paragraph, list row and link in the
pane: the second layout was ~40-55 ms of each open on a slow machine.

Textual already sets ``virtual_size`` without a layout when it lays out for a
scroll (``layout=False``). This does the same for every layout. What can truly
change the layout after one has run, a scrollbar that appears or goes, is a reactive
of its own with ``layout=True`` (``show_vertical_scrollbar``, set by
``_scroll_update``), so that still lays the screen out again.

Tested in tests/ui/test_ui_layout.py: an open lays out once, and a layout forced
after it (and after resizes, with the pane's scrollbar coming and going) moves and
redraws nothing. If Textual changes the method's signature, the patch stands aside
and the first of those tests fails.
"""

from __future__ import annotations

import inspect

from textual.geometry import Size
from textual.widget import Widget

__all__ = ["TEXTUAL_SIZE_UPDATED", "install", "installed"]

TEXTUAL_SIZE_UPDATED = Widget._size_updated
_EXPECTED = ["self", "size", "virtual_size", "container_size", "layout"]


def _size_updated(
    self: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
) -> bool:
    return TEXTUAL_SIZE_UPDATED(self, size, virtual_size, container_size, layout=False)


def install() -> None:
    """Patch Textual's Widget (once per process); a no-op on a method of another shape.
    Called by textual_internals.install_patches when the app starts."""
    if list(inspect.signature(TEXTUAL_SIZE_UPDATED).parameters) != _EXPECTED:
        return
    Widget._size_updated = _size_updated  # type: ignore[method-assign]


def installed() -> bool:
    return Widget._size_updated is _size_updated
