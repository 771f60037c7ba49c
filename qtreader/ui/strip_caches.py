"""A strip makes each of its caches when first used, not when it is made.

A ``Strip`` is one line of a rendered widget. Textual 8 gives every new strip seven
caches (a ``FIFOCache`` each: crops, divisions, styles, filters, lengths, padded
crops, offsets), though a frame makes thousands of strips and most are used once:
cropped once, divided once, or not at all. Making those caches was a tenth of an
article's open on a slow machine, and their objects fed the garbage collector.

Here a strip starts with no caches, and each method that uses one makes it on its
first call, at the size Textual gives it (read from a strip Textual made). Textual's
own ``Content`` keeps its division cache the same way. Results are unchanged: a
cache only remembers what its method computed.

If Textual's ``Strip`` changes its slots, its caches or its constructor, the patch
stands aside and a test in tests/test_ui_strips.py fails.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip

__all__ = ["CACHE_OF", "TEXTUAL_METHODS", "TEXTUAL_STRIP_INIT", "install", "installed"]

TEXTUAL_STRIP_INIT = Strip.__init__
TEXTUAL_METHODS: dict[str, Callable[..., Any]] = {}  # filled by install()

# Each method that uses a cache, and its cache's slot.
CACHE_OF = {
    "adjust_cell_length": "_line_length_cache",
    "apply_filter": "_filter_cache",
    "crop_extend": "_crop_extend_cache",
    "crop": "_crop_cache",
    "divide": "_divide_cache",
    "apply_style": "_style_cache",
    "apply_offsets": "_offsets_cache",
}
_SLOTS = [
    "_segments",
    "_cell_length",
    "_divide_cache",
    "_crop_cache",
    "_style_cache",
    "_filter_cache",
    "_render_cache",
    "_line_length_cache",
    "_crop_extend_cache",
    "_offsets_cache",
    "_link_ids",
    "_cell_count",
]


def _init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    # Textual's __init__, less the caches.
    self._segments = list(segments)
    self._cell_length = cell_length
    self._divide_cache = None  # type: ignore[assignment]
    self._crop_cache = None  # type: ignore[assignment]
    self._style_cache = None  # type: ignore[assignment]
    self._filter_cache = None  # type: ignore[assignment]
    self._line_length_cache = None  # type: ignore[assignment]
    self._crop_extend_cache = None  # type: ignore[assignment]
    self._offsets_cache = None  # type: ignore[assignment]
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def _made_on_first_use(method: Callable[..., Any], slot: str, size: int) -> Callable[..., Any]:
    @functools.wraps(method)
    def with_cache(self: Strip, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, slot) is None:
            setattr(self, slot, FIFOCache(size))
        return method(self, *args, **kwargs)

    return with_cache


def _fits() -> dict[str, int] | None:
    """The size of each cache, as Textual makes them; None if Strip is not as expected."""
    if Strip.__slots__ != _SLOTS:
        return None
    if list(inspect.signature(TEXTUAL_STRIP_INIT).parameters) != [
        "self",
        "segments",
        "cell_length",
    ]:
        return None
    probe = Strip.__new__(Strip)
    TEXTUAL_STRIP_INIT(probe, [])
    caches = {slot for slot in _SLOTS if isinstance(getattr(probe, slot, None), FIFOCache)}
    if caches != set(CACHE_OF.values()):
        return None
    if not all(callable(getattr(Strip, name, None)) for name in CACHE_OF):
        return None
    return {slot: getattr(probe, slot)._maxsize for slot in caches}


def install() -> None:
    """Patch Textual's Strip (once per process); a no-op on a Strip of another shape."""
    if installed():
        return
    sizes = _fits()
    if sizes is None:
        return
    for name, slot in CACHE_OF.items():
        TEXTUAL_METHODS[name] = method = getattr(Strip, name)
        setattr(Strip, name, _made_on_first_use(method, slot, sizes[slot]))
    Strip.__init__ = _init  # type: ignore[method-assign]


def installed() -> bool:
    return Strip.__init__ is _init
