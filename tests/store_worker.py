"""Child processes for test_store_concurrency.py: they write bookmarks as fast as they can.

Importable (multiprocessing "spawn" children import it by name) and runnable as a script.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qtreader.library.bookmarks import Bookmark, BookmarkStore

LIBRARY = "/library"


def bookmark(key: str, n: int) -> Bookmark:
    return Bookmark(LIBRARY, key, str(n), f"Title {key}", "Subject", url=f"/u/{key}")


def add_many(path: str, prefix: str, count: int, barrier=None) -> None:
    store = BookmarkStore(Path(path))
    if barrier is not None:
        barrier.wait(timeout=60)
    for n in range(count):
        store.add(bookmark(f"{prefix}-{n}", n))


def main(argv: list[str]) -> None:
    """Add bookmarks forever, printing each key once add() has returned."""
    path, prefix = argv
    store = BookmarkStore(Path(path))
    print("ready", flush=True)
    n = 0
    while True:
        key = f"{prefix}-{n}"
        store.add(bookmark(key, n))
        print(key, flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1:])
