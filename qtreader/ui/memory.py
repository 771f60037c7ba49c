"""Garbage collection set for an interactive reader. NOT INSTALLED since 2026-12-05.

The reader no longer tunes the collector: on the 150,000-article bench library this
saved nothing measurable of an open or a key (tests/bench/RESULTS.md, "Textual
patches, on and off"). The module stays only while tests/ui/test_ui_reader.py still
imports it; delete it with that test. What it did, as measured before:

Drawing a frame makes tens of thousands of short-lived objects (strips, segments,
styles), nearly all freed at once by reference counting. With CPython's default
first threshold (700) they still set off ~30 young collections per article opened,
and a full collection every few opens. A full one walks every object the app holds
(modules, the widget tree, styles, caches): 100-150 ms on a slow machine, landing in
the middle of an open or a key press.

Two changes, measured over 25 opens on the 150,000-article bench library (three
runs each, time spent collecting per open): 50-62 ms by default, 16-18 ms with both.

* A first threshold of 10,000: fewer young collections, each no slower, since what
  they would find is mostly freed already.
* :func:`freeze_long_lived` once the library is open: most of what exists by then
  (modules, the widget tree, styles) lives as long as the app, and once frozen no
  collection walks it again. Frozen objects are still freed when nothing refers to
  them, but cycles among them never are: a one-time ~0.6 MB on the sample library
  (measured in review: what was garbage at the freeze, and caches dropped later).
  Nothing is collected before freezing, as a full collection right after the first
  frame would delay the first key.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def tune_collection() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def tuned() -> bool:
    return gc.get_threshold()[0] == YOUNG_THRESHOLD


def freeze_long_lived() -> None:
    gc.freeze()
