"""A refresh: list the folder, compare it with the catalog's files, have what changed
parsed and written."""

from __future__ import annotations

import gc
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..models import Severity
from ..scan import FileEntry, ScanTrouble, file_entry, scan_order_key, scan_rows, scanning
from ..text import clean_line, counted
from .pool import read_chunks
from .records import Record
from .results import PARTIAL, UNREADABLE, Progress, RefreshReport, ResumeRefused
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
        follow_external_links: bool = False,
    ):
        self.root = root
        self.conn = conn
        self.progress = progress
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.follow_external_links = follow_external_links  # see scan.scan_library
        self.trouble = ScanTrouble()  # what the scan could not or would not enter
        # The folders that could not be listed, as path prefixes ("" for the library):
        # the files the catalog has in them are kept as they were.
        self.unreachable: tuple[str, ...] = ()
        self.resumed = 0  # files a first build stopped on purpose had written: not read again

    def run(self) -> RefreshReport:
        conn = self.conn
        cold, new, changed, removed = self._compare()
        report = RefreshReport(
            added=len(new) + self.resumed, changed=len(changed), removed=len(removed)
        )
        report.rebuilt = cold
        to_read = self._to_read(cold, new, changed, removed)
        # Both before the write: the articles kept are counted as they were, and the
        # last refresh's rows are told from the files' (see _old_trouble).
        trouble, old_trouble = self._trouble_problems(), self._old_trouble()
        if to_read or removed or self.resumed:  # a build resumed is finished, always
            known = {} if cold else self._known_articles([*removed, *(e.path for e in to_read)])
            Writer(conn, cold).write(to_read, removed, known, self._parsed(to_read))
        report.trouble_changed = self._write_trouble(trouble, old_trouble)
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

        with gc_paused(), scanning(self.follow_external_links, self.trouble):
            # In scan order. In a large library, half of it is listed by another process,
            # and the catalog's files are read while this one waits for that half.
            rows = scan_rows(
                self.root, parallel=articles >= PARALLEL_SCAN_ARTICLES, meanwhile=read_known
            )
            self.unreachable = tuple(
                "" if folder == "./" else folder for folder, _ in self.trouble.unreadable
            )
            if not known:
                return True, rows, [], []
            if conn.execute(f"SELECT 1 FROM meta WHERE name = '{PARTIAL}'").fetchone():
                return True, self._resume(rows, known), [], []
            # Both in path order: a merge that compares runs of rows in C finds the
            # few that differ, if any (150,000 files on every refresh).
            added, changed, removed = differences(sorted(rows), known)
            known.clear()
        if self.unreachable:  # not listed is not gone: kept until it can be read
            removed = [path for path in removed if not path.startswith(self.unreachable)]
        return False, added, changed, removed

    def _resume(self, rows: list[FileRow], known: list[FileRow]) -> list[FileRow]:
        """The files a first build stopped on purpose did not read, in scan order. It
        read the first ones in scan order; if they are not the folder's first ones as
        they are now (one changed, went or came before them), ResumeRefused."""
        done = len(known)
        if sorted(rows[:done]) != known:
            raise ResumeRefused
        self.resumed = done
        if self.progress is not None:
            progress = self.progress
            self.progress = lambda read, total: progress(read + done, total + done)
        return rows[done:]

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
        unreachable = self.unreachable
        wanted = [
            *map(file_entry, new),
            *map(file_entry, changed),
            *(
                e
                for e in map(file_entry, skipped)
                if e.path not in seen and not (unreachable and e.path.startswith(unreachable))
            ),
        ]
        return sorted(wanted, key=lambda e: scan_order_key(e.path))

    def _trouble_problems(self) -> list[tuple[str, None, str, str]]:
        """The problems rows of what the scan could not or would not enter, in scan order.

        Their paths are folders and links, never a file the catalog lists: that is how
        they are told from the problems of files (see _old_trouble)."""
        rows: list[tuple[str, None, str, str]] = []
        error, warning = Severity.ERROR.value, Severity.WARNING.value
        for folder, why in self.trouble.unreadable:
            kept = self._articles_under("" if folder == "./" else folder)
            what = "the library folder" if folder == "./" else "the folder"
            reason = f"{what} {UNREADABLE} ({clean_line(why)}); " + (
                f"its {counted(kept, 'article')} are kept as they were until it can be read or is gone"
                if kept
                else "nothing in it is listed"
            )
            rows.append((folder, None, reason, error))
        for link, target in self.trouble.external:
            reason = (
                f"a link to {clean_line(target)}, outside the library: not followed "
                "(follow_external_links = true in config.toml follows such links)"
            )
            rows.append((link, None, reason, warning))
        for link, target in self.trouble.refused:
            if link == "./":
                reason = f"the library is a system folder ({clean_line(target)}): never scanned"
                rows.append((link, None, reason, error))
            else:
                reason = f"a link to {clean_line(target)}, a system folder: never followed"
                rows.append((link, None, reason, warning))
        rows.sort(key=lambda row: scan_order_key(row[0].rstrip("/") or "."))
        return rows

    def _articles_under(self, prefix: str) -> int:
        """How many articles the catalog has in the folder ``prefix`` ("" for all)."""
        if not prefix:
            return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        end = prefix[:-1] + chr(ord("/") + 1)  # every path starting with prefix sorts below
        (n,) = self.conn.execute(
            "SELECT count(*) FROM files WHERE path >= ? AND path < ? AND article IS NOT NULL",
            (prefix, end),
        ).fetchone()
        return int(n)

    def _old_trouble(self) -> list[tuple]:
        """The last refresh's scan problems: (rowid, path, line, reason, severity).

        Every problem of a file has the file's row in ``files``; these have none. Read
        before the write, which may give a file the path a link had."""
        return self.conn.execute(
            "SELECT rowid, path, line, reason, severity FROM problems "
            "WHERE path NOT IN (SELECT path FROM files) ORDER BY rowid"
        ).fetchall()

    def _write_trouble(self, rows: list[tuple[str, None, str, str]], old: list[tuple]) -> bool:
        """Replace the last refresh's scan problems (``old``) with this one's, if they
        differ (whether they did). A refresh that finds nothing else changed writes
        nothing, and a folder readable again loses its problem all the same."""
        if [row[1:] for row in old] == rows:
            return False
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("DELETE FROM problems WHERE rowid = ?", [row[:1] for row in old])
            conn.executemany("INSERT INTO problems VALUES (?,?,?,?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return True

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
