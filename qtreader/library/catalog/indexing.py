"""A refresh: list the folder, compare it with the catalog's files, have what changed
parsed and written."""

from __future__ import annotations

import gc
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..scan import FileEntry, file_entry, scan_order_key, scan_rows
from .pool import read_chunks
from .records import Record
from .results import Progress, RefreshReport
from .writing import Writer

# From this many articles (as last counted), a refresh lists the folder in two processes.
PARALLEL_SCAN_ARTICLES = 20_000

FileRow = tuple[str, int, int]  # (path, size, mtime_ns), as scan_rows lists a file


class Indexer:
    """One refresh of a catalog: scan, read what changed, write in one transaction."""

    def __init__(
        self,
        root: Path,
        conn: sqlite3.Connection,
        progress: Progress | None,
        workers: int | None,
    ):
        self.root = root
        self.conn = conn
        self.progress = progress
        self.workers = workers if workers is not None else (os.cpu_count() or 1)

    def run(self) -> RefreshReport:
        conn = self.conn
        cold, new, changed, removed = self._compare()
        report = RefreshReport(added=len(new), changed=len(changed), removed=len(removed))
        report.rebuilt = cold
        to_read = self._to_read(cold, new, changed, removed)
        if to_read or removed:
            known = {} if cold else self._known_articles([*removed, *(e.path for e in to_read)])
            Writer(conn, cold).write(to_read, removed, known, self._parsed(to_read))
        (report.total,) = conn.execute("SELECT count(*) FROM articles").fetchone()
        (report.problems,) = conn.execute("SELECT count(DISTINCT path) FROM problems").fetchone()
        return report

    def _compare(self) -> tuple[bool, list[FileRow], list[FileRow], list[str]]:
        """(cold, added, changed, removed paths): the folder's files against the
        catalog's. Cold: the catalog has none, every file is added, in scan order."""
        conn = self.conn
        (articles,) = conn.execute("SELECT coalesce(sum(count), 0) FROM subjects").fetchone()
        known: list[FileRow] = []

        def read_known() -> None:
            sql = "SELECT path, size, mtime_ns FROM files ORDER BY path"
            known.extend(conn.execute(sql).fetchall())

        with gc_paused():
            # In scan order. In a large library, half of it is listed by another process,
            # and the catalog's files are read while this one waits for that half.
            rows = scan_rows(
                self.root, parallel=articles >= PARALLEL_SCAN_ARTICLES, meanwhile=read_known
            )
            if not known:
                return True, rows, [], []
            # Both in path order: a merge that compares runs of rows in C finds the
            # few that differ, if any (150,000 files on every refresh).
            added, changed, removed = differences(sorted(rows), known)
            known.clear()
        return False, added, changed, removed

    def _to_read(
        self, cold: bool, new: list[FileRow], changed: list[FileRow], removed: list[str]
    ) -> list[FileEntry]:
        """The files to parse, in scan order, as a first build reads them."""
        if cold:
            return [file_entry(row) for row in new]
        # Files skipped last time are read again: they may be readable now.
        skipped = self.conn.execute(
            "SELECT path, size, mtime_ns FROM files WHERE article IS NULL"
        ).fetchall()
        seen = {*removed, *(path for path, _, _ in changed)}
        wanted = [
            *map(file_entry, new),
            *map(file_entry, changed),
            *(e for e in map(file_entry, skipped) if e.path not in seen),
        ]
        return sorted(wanted, key=lambda e: scan_order_key(e.path))

    def _known_articles(self, paths: list[str]) -> dict[str, int | None]:
        """The catalog's files among ``paths``, with the rowid of each one's article."""
        known: dict[str, int | None] = {}
        for start in range(0, len(paths), 500):
            part = paths[start : start + 500]
            marks = ",".join("?" * len(part))
            known.update(
                self.conn.execute(f"SELECT path, article FROM files WHERE path IN ({marks})", part)
            )
        return known

    def _parsed(self, to_read: list[FileEntry]) -> Iterator[list[tuple[FileEntry, Record]]]:
        """(file, record) pairs in order, a chunk at a time, as they are parsed."""
        entries = iter(to_read)
        for part in read_chunks(
            str(self.root), [e.path for e in to_read], self.workers, self.progress
        ):
            yield [(next(entries), record) for record in part]


@contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection while a refresh compares the folder with the catalog. It
    keeps 300,000 tuples, whose allocations set off collections of the whole heap: 0.3 s
    of a 1.7 s refresh (measured), with the UI thread stopped meanwhile. None of them
    can be part of a reference cycle."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def differences(
    scanned: list[FileRow], known: list[FileRow]
) -> tuple[list[FileRow], list[FileRow], list[str]]:
    """(added, changed, removed paths) between two lists of (path, size, mtime_ns), both
    sorted by path. Runs of equal rows are skipped a slice at a time, compared in C.

    The rows stay plain tuples, ``[0]`` their path: this runs over every file on every
    refresh, and a named type would cost its allocation 150,000 times."""
    added: list[FileRow] = []
    changed: list[FileRow] = []
    removed: list[str] = []
    i = j = 0
    n, m = len(scanned), len(known)
    step = 256
    while i < n and j < m:
        if scanned[i : i + step] == known[j : j + step]:
            i += step
            j += step
            continue
        end = i + step
        while i < end and i < n and j < m:
            row, old = scanned[i], known[j]
            if row == old:
                i += 1
                j += 1
            elif row[0] == old[0]:
                changed.append(row)
                i += 1
                j += 1
            elif row[0] < old[0]:
                added.append(row)
                i += 1
            else:
                removed.append(old[0])
                j += 1
    added.extend(scanned[i:])
    removed.extend(old[0] for old in known[j:])
    return added, changed, removed
