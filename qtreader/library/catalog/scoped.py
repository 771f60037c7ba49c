"""A refresh of some paths only: what a watcher saw change, without listing the library.

Each path given is a file or a folder with everything under it (a folder moved in or
out, renamed, deleted). The files there now are listed and compared with the
catalog's files there; what differs is read and written by the full refresh's own
steps (indexing.Indexer, writing.Writer), so that the catalog ends as a full refresh
would leave it: links resolved, subjects and versions counted, problems listed. A
full refresh stats every file of the library (1.2 s at 150,000 articles); this stats
the paths given.

Where these paths alone cannot tell what a full refresh would find, WholeLibrary is
raised before anything is written, and the caller refreshes the whole library:

- the library itself given (".", or its folder);
- a symbolic link on the way to a path, or one in a folder listed that points
  elsewhere in the library, or out of it when such links are followed: a full scan
  lists a folder reached twice only once, where it meets it first;
- a path that cannot be looked at (no permission on a folder above it).

Not seen: a file or folder of the library reached through a link elsewhere in the
library changes under its own path, which is given, while the catalog lists it under
the link's (a library with such links: the next full refresh, Ctrl+R, puts it right).
"""

from __future__ import annotations

import os
import posixpath
import sqlite3
import stat
from collections.abc import Iterable
from pathlib import Path

from ..scan import (
    FileEntry,
    ScanTrouble,
    escape_name,
    file_entry,
    fs_path,
    is_article_name,
    scan_order_key,
    scan_rows,
)
from .indexing import FileRow, Indexer, differences
from .results import Progress, RefreshReport
from .writing import url_losers

# A path given: a library path as the catalog spells it ("topic/a.md", undecodable
# bytes escaped: see scan.escape_name), or a file system path (a PathLike, or a str
# that starts with "/").
GivenPath = str | os.PathLike[str]


class WholeLibrary(Exception):
    """These paths cannot be refreshed alone as a full refresh would: refresh it all."""


def scope(root: Path, paths: Iterable[GivenPath]) -> list[str] | None:
    """The library paths to refresh, as the catalog spells them, none inside another,
    in scan order; None: the library itself is among them (refresh it all).

    Paths outside the library, and hidden ones (a name starting with "."), which the
    scan never lists, are left out."""
    base = str(root)
    wanted: set[str] = set()
    for given in paths:
        path = _library_path(base, given)
        if path is None or _hidden(path):
            continue
        if path == "":
            return None
        wanted.add(path)
    kept = [path for path in wanted if not _under_another(path, wanted)]
    return sorted(kept, key=scan_order_key)


def _library_path(root: str, given: GivenPath) -> str | None:
    """``given`` as the catalog spells it, relative to ``root`` ("" for the library
    itself); None when it lies outside."""
    if isinstance(given, str) and not given.startswith("/"):
        path = given
    else:
        name = os.fsdecode(os.fspath(given))
        # Given through a link to the library, perhaps: then as the link resolves.
        found = _relative(root, os.path.abspath(name))
        if found is None:
            found = _relative(root, os.path.realpath(name))
        if found is None:
            return None
        path = "/".join(escape_name(part) for part in found.split("/")) if found else ""
    path = posixpath.normpath(path) if path else "."
    if path == "." or path == "/":
        return ""
    if path == ".." or path.startswith(("../", "/")):
        return None
    return path


def _relative(root: str, name: str) -> str | None:
    if name == root:
        return ""
    if name.startswith(root.rstrip("/") + "/"):
        return name[len(root.rstrip("/")) + 1 :]
    return None


def _hidden(path: str) -> bool:
    return path.startswith(".") or "/." in path


def _under_another(path: str, paths: set[str]) -> bool:
    at = path.find("/")
    while at != -1:
        if path[:at] in paths:
            return True
        at = path.find("/", at + 1)
    return False


class ScopedIndexer(Indexer):
    """One refresh of the paths ``only`` (see scope): listed and compared with the
    catalog's files under them, then read and written as Indexer does."""

    def __init__(
        self,
        root: Path,
        conn: sqlite3.Connection,
        only: list[str],
        progress: Progress | None,
        workers: int | None,
        follow_external_links: bool = False,
    ):
        super().__init__(root, conn, progress, workers, follow_external_links)
        self.only = only
        self._base = str(root)
        self._shown_root = escape_name(self._base)
        self._plain_folders: dict[str, bool] = {}  # folder: no link on the way to it
        self._skipped: list[FileRow] = []  # files under the paths that had no article

    def run(self) -> RefreshReport:
        report = super().run()
        report.scoped = True
        return report

    # -- the steps Indexer.run takes, for these paths only --------------------------

    def _compare(self) -> tuple[bool, list[FileRow], list[FileRow], list[str]]:
        """(cold, added, changed, removed paths) under the paths given; never cold."""
        listed: list[FileRow] = []
        known: list[FileRow] = []
        for path in self.only:
            listed.extend(self._listed(path))
            for found, size, mtime_ns, article in self._known(path):
                known.append((found, size, mtime_ns))
                if article is None:
                    self._skipped.append((found, size, mtime_ns))
        self.unreachable = tuple(folder for folder, _ in self.trouble.unreadable)
        added, changed, removed = differences(sorted(listed), sorted(known))
        if self.unreachable:  # not listed is not gone: kept until it can be read
            removed = [path for path in removed if not path.startswith(self.unreachable)]
        return False, added, changed, removed

    def _to_read(
        self, cold: bool, new: list[FileRow], changed: list[FileRow], removed: list[str]
    ) -> list[FileEntry]:
        """The files added and changed, and the files skipped last time that may be
        read otherwise now: those under the paths (a file that could not be read, its
        mode changed) and, when anything changed, those skipped for another file's url
        (that file may have gone, or have another url now)."""
        seen = {*removed, *(path for path, _, _ in new), *(path for path, _, _ in changed)}
        unreachable = self.unreachable
        again: dict[str, FileRow] = {}
        losers = url_losers(self.conn) if seen else []
        for row in [*self._skipped, *losers]:
            path = row[0]
            if path not in seen and not (unreachable and path.startswith(unreachable)):
                again[path] = row
        wanted = [
            *map(file_entry, new),
            *map(file_entry, changed),
            *map(file_entry, again.values()),
        ]
        return sorted(wanted, key=lambda e: scan_order_key(e.path))

    def _old_trouble(self) -> list[tuple]:
        """The last refresh's scan problems under the paths: replaced by this one's."""
        only = self.only
        return [row for row in super()._old_trouble() if _within(row[1], only)]

    # -- what is there now ----------------------------------------------------------

    def _listed(self, path: str) -> list[FileRow]:
        """The article files at ``path`` (a file, or a folder and all under it) as a
        full scan lists them. Raises WholeLibrary where it could list them otherwise."""
        name = os.fsdecode(fs_path(self._base, path))
        folder, _, leaf = path.rpartition("/")
        if not self._plain(folder):
            raise WholeLibrary(f"a link on the way to {path}")
        try:
            info = os.lstat(name)
        except (FileNotFoundError, NotADirectoryError):
            return []  # gone: whatever the catalog has there goes
        except OSError as exc:
            raise WholeLibrary(f"{path} cannot be looked at ({exc})") from exc
        if stat.S_ISLNK(info.st_mode):
            raise WholeLibrary(f"{path} is a link")
        if stat.S_ISREG(info.st_mode):
            return [(path, info.st_size, info.st_mtime_ns)] if is_article_name(leaf) else []
        if stat.S_ISDIR(info.st_mode):
            return self._listed_folder(path, name)
        return []

    def _listed_folder(self, path: str, name: str) -> list[FileRow]:
        """Every article file in the folder ``path`` and below it, as a full scan
        lists them; what it could not or would not enter goes to the scan trouble."""
        trouble = ScanTrouble()
        # Links out of the folder are not followed here: one into the library, or any
        # when such links are followed, sends the whole library to be listed.
        rows = scan_rows(Path(name), follow_external_links=False, trouble=trouble)
        root, inside = self._shown_root, self._shown_root.rstrip("/") + "/"
        for _, target in trouble.external:
            into_library = target == root or target.startswith(inside)
            if into_library or self.follow_external_links:
                raise WholeLibrary(f"a link in {path} to {target}")
        prefix = f"{path}/"

        def placed(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
            return [(prefix if at == "./" else prefix + at, what) for at, what in entries]

        self.trouble.unreadable.extend(placed(trouble.unreadable))
        self.trouble.external.extend(placed(trouble.external))
        self.trouble.refused.extend(placed(trouble.refused))
        return [(prefix + found, size, mtime_ns) for found, size, mtime_ns in rows]

    def _plain(self, folder: str) -> bool:
        """Whether no link lies on the way from the library to ``folder`` (a library
        path; "" for the library), as far as it exists."""
        plain = self._plain_folders.get(folder)
        if plain is None:
            name = os.fsdecode(fs_path(self._base, folder)) if folder else self._base
            plain = os.path.realpath(name) == os.path.normpath(name)
            self._plain_folders[folder] = plain
        return plain

    def _known(self, path: str) -> list[tuple[str, int, int, int | None]]:
        """The catalog's files at ``path`` and under it, with their articles."""
        conn = self.conn
        columns = "SELECT path, size, mtime_ns, article FROM files"
        rows = conn.execute(f"{columns} WHERE path = ?", (path,)).fetchall()
        # Every path under the folder sorts from "path/" to just below "path0".
        end = path + chr(ord("/") + 1)
        rows += conn.execute(f"{columns} WHERE path >= ? AND path < ?", (f"{path}/", end))
        return rows


def _within(path: str, only: list[str]) -> bool:
    """Whether the library path ``path`` (a folder ends with "/") lies at or under one
    of ``only``."""
    return any(path == top or path.startswith(f"{top}/") for top in only)
