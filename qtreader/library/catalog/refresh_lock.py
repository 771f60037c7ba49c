"""One refresh of a catalog at a time, across processes.

Two refreshes side by side (``qtreader index L & qtreader index L``, or the reader's
background refresh beside a CLI command) each compare the folder with the catalog,
then both write the same new files: the second failed with ``UNIQUE constraint failed:
articles.path``. A refresh holds an exclusive ``flock`` on ``<catalog>.refresh.lock``
from its first look at the catalog to its commit; the second waits, then finds little
or nothing left to do. Readers take no part: WAL lets them read meanwhile.

A lock file of its own: ``<catalog>.lock`` is held shared by every open catalog (see
storage.Store), and an exclusive flock on it would wait for all of them.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

Waiting = Callable[[], None]  # told once, when the lock is held by someone else


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.refresh.lock")


@contextmanager
def refreshing(db_path: Path, waiting: Waiting | None = None) -> Iterator[None]:
    """Hold the catalog's refresh lock meanwhile; ``waiting`` is called first if
    another process (or another Catalog in this one) holds it.

    Without a usable lock file (a read-only cache folder) it runs unlocked: the
    refresh then fails to write, and says so."""
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
