"""Child processes for the store tests: they write to a store as fast as they can.

Importable (multiprocessing "spawn" children import it by name) and runnable as a script:
``store_worker.py KIND PATH PREFIX COUNT GO`` writes keys PREFIX-0, PREFIX-1, … to the
bookmarks, read marks or review cards (KIND) at PATH, printing each key once the store
has saved it. COUNT is how many, or "forever"; with a GO file other than "-" it waits
for that file first, so that two writers start together. libhelpers.start_writer runs it.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

from qtreader.library.bookmarks import Bookmark, BookmarkStore
from qtreader.library.models import ArticleRow
from qtreader.library.progress import ProgressStore, ReadMark
from qtreader.library.review import ReviewStore

LIBRARY = "/library"


def bookmark(key: str, n: int) -> Bookmark:
    return Bookmark(LIBRARY, key, str(n), f"Title {key}", "Subject", url=f"/u/{key}")


def add_many(path: str, prefix: str, count: int, barrier=None) -> None:
    store = BookmarkStore(Path(path))
    if barrier is not None:
        barrier.wait(timeout=60)
    for n in range(count):
        store.add(bookmark(f"{prefix}-{n}", n))


def bookmarks_writer(path: Path) -> Callable[[str, int], object]:
    store = BookmarkStore(path)
    return lambda key, n: store.add(bookmark(key, n))


def progress_writer(path: Path) -> Callable[[str, int], object]:
    store = ProgressStore(LIBRARY, path)
    return lambda key, n: store.mark_read([ReadMark(key, title=f"Title {key}", id=str(n))])


def review_writer(path: Path) -> Callable[[str, int], object]:
    store = ReviewStore(LIBRARY, path)
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    return lambda key, n: store.grade(
        ArticleRow(n, key, f"Title {key}", "Subject", ""), "good", now
    )


WRITERS = {"bookmarks": bookmarks_writer, "progress": progress_writer, "review": review_writer}


def main(argv: list[str]) -> None:
    kind, path, prefix, count, go = argv
    write = WRITERS[kind](Path(path))
    print("ready", flush=True)
    deadline = time.monotonic() + 60
    while go != "-" and not Path(go).exists():
        if time.monotonic() > deadline:
            sys.exit(3)
        time.sleep(0.001)
    n = 0
    while count == "forever" or n < int(count):
        key = f"{prefix}-{n}"
        write(key, n)
        print(key, flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1:])
