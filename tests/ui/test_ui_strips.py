"""Strips make their caches when first used, and behave as Textual's
(see qtreader.ui.strip_caches)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.cache import FIFOCache
from textual.color import Color
from textual.filter import Monochrome
from textual.strip import Strip

from qtreader.ui import strip_caches
from qtreader.ui.textual_internals import install_patches

install_patches()  # as the app does when it starts

BOLD = Style(bold=True)
LINK = Style(link="https://example.com/a")


def _segments() -> list[Segment]:
    return [
        Segment("plain text, ", Style(color="red")),
        Segment("bold", BOLD),
        Segment(" a link", LINK),
        Segment(" wide 漢字 chars", Style()),
    ]


def _textual_strip(segments: list[Segment]) -> Strip:
    """A strip made by Textual's own constructor, every cache made up front."""
    strip = Strip.__new__(Strip)
    strip_caches.TEXTUAL_STRIP_INIT(strip, segments)
    return strip


def _uses(strip: Strip) -> list[object]:
    """Every method that has a cache, called twice (the second may be answered from it)."""
    results: list[object] = []
    for _ in range(2):
        results += [
            strip.crop(2, 17),
            strip.crop(5),
            list(strip.divide([3, 9, 20])),
            strip.apply_style(BOLD),
            strip.adjust_cell_length(50, BOLD),
            strip.adjust_cell_length(10),
            strip.crop_extend(4, 60, None),
            strip.apply_filter(Monochrome(), Color(0, 0, 0)),
            strip.apply_offsets(3, 7),
        ]
    return [
        [list(item) for item in result] if isinstance(result, list) else list(result)
        for result in results
    ]


def test_the_patch_fits_the_installed_textual():
    """If Textual changes Strip, the patch stands aside; it must not go unnoticed."""
    assert strip_caches.installed()
    assert set(strip_caches.TEXTUAL_METHODS) == set(strip_caches.CACHE_OF)


def test_a_new_strip_has_no_caches_and_makes_each_on_first_use():
    strip = Strip(_segments())
    assert all(getattr(strip, slot) is None for slot in strip_caches.CACHE_OF.values())
    strip.crop(0, 4)
    assert isinstance(strip._crop_cache, FIFOCache)
    assert strip._divide_cache is None and strip._style_cache is None
    textual = _textual_strip([])
    for slot in strip_caches.CACHE_OF.values():
        _uses(strip)
        made = getattr(strip, slot)
        assert made._maxsize == getattr(textual, slot)._maxsize, slot  # Textual's sizes


def test_strips_give_what_textuals_give():
    """First calls and repeated ones, on strips with styles, links and wide characters."""
    for segments in (_segments(), [], [Segment("x" * 80, Style(italic=True))]):
        assert _uses(Strip(segments)) == _uses(_textual_strip(segments))
        assert Strip(segments).text == _textual_strip(segments).text
        assert Strip(segments).cell_length == _textual_strip(segments).cell_length
