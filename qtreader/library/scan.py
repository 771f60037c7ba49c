"""Finding article files under a library folder and reading their bytes as text."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import NamedTuple

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 16 * 1024 * 1024


class FileEntry(NamedTuple):
    # A tuple, not a dataclass: a refresh makes one per file (150,000), and a frozen
    # dataclass took 1.7 times as long to build (measured).
    path: str  # relative, POSIX separators
    size: int
    mtime_ns: int


# A FileEntry from a (path, size, mtime_ns) tuple, in C (FileEntry's own __new__ is Python).
file_entry = partial(tuple.__new__, FileEntry)


def is_article_name(name: str) -> bool:
    # scan_rows inlines this test (it runs once per file on every refresh): change both.
    if name.startswith("."):  # hidden files and AppleDouble "._x.md"
        return False
    return name.lower().endswith(ARTICLE_SUFFIXES)


def scan_library(root: Path) -> Iterator[FileEntry]:
    """Every article file below ``root`` in a stable order.

    A folder's files come first, by name, then its subfolders, by name. Symlinked
    folders are followed once: a folder already visited (by device and inode) is
    not entered again, so a symlink loop cannot hang the scan. Anything that is not
    a regular file is skipped.
    """
    return map(file_entry, scan_rows(root))


def scan_order_key(path: str) -> list[tuple[int, str]]:
    """Sorts relative paths in the order ``scan_library`` lists them: in each folder its
    files by name, then its subfolders by name."""
    *folders, name = path.split("/")
    return [*((1, folder) for folder in folders), (0, name)]


def scan_rows(
    root: Path, parallel: bool = False, meanwhile: Callable[[], object] | None = None
) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of every article file below ``root``, as ``scan_library``
    lists them. Plain tuples: a refresh compares 150,000 of them with the catalog's.

    ``parallel``: a second process takes half of the root's subfolders. Each ``stat``
    is a system call, and the two halves run side by side (worth it for large
    libraries only: the process takes ~20 ms to start). ``meanwhile`` is called once:
    while this process waits for the other's half, or else after the scan.
    """
    waiting = _Once(meanwhile)
    root = Path(root)
    try:
        top = root.stat()
    except OSError:
        waiting()
        return []
    seen: set[tuple[int, int]] = {(top.st_dev, top.st_ino)}
    rows, subfolders = _list_folder(str(root), "", seen)
    if parallel and len(subfolders) > 1 and (os.cpu_count() or 1) > 1:
        parts = _scan_in_two(subfolders, seen, waiting)
        if parts is not None:
            for part in parts:
                rows.extend(part)
            return rows
    for name, path in subfolders:
        _scan_tree(path, f"{name}/", seen, rows)
    waiting()
    return rows


class _Once:
    """Calls a function the first time it is called itself, and never again."""

    def __init__(self, function: Callable[[], object] | None):
        self.function = function

    def __call__(self) -> None:
        function, self.function = self.function, None
        if function is not None:
            function()


def _list_folder(
    folder: str, prefix: str, seen: set[tuple[int, int]]
) -> tuple[list[tuple[str, int, int]], list[tuple[str, str]]]:
    """A folder's article files, by name, and its subfolders not seen yet, by name
    (each one is added to ``seen``)."""
    files: list[tuple[str, int, int]] = []
    subfolders: list[tuple[str, str]] = []
    try:
        # Listed through a descriptor, each stat looks up one name in the folder
        # rather than the whole path: 10% faster over 150,000 files (measured).
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return files, subfolders
    is_dir, is_file = stat.S_ISDIR, stat.S_ISREG
    suffixes = ARTICLE_SUFFIXES
    try:
        # Each file is stat-ed in the folder's own order and sorted afterwards: in
        # name order the stats took a third longer (measured, 150,000 files). The
        # loop is kept lean (the name test inlined, plain tuples): it runs once per
        # file on every refresh.
        with os.scandir(fd) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):  # hidden files and AppleDouble "._x.md"
                    continue
                try:
                    info = entry.stat()  # follows symlinks
                except OSError:
                    continue  # dangling symlink or vanished file
                mode = info.st_mode
                if is_file(mode):
                    if name.lower().endswith(suffixes):
                        files.append((prefix + name, info.st_size, info.st_mtime_ns))
                elif is_dir(mode):
                    ident = (info.st_dev, info.st_ino)
                    if ident not in seen:
                        seen.add(ident)
                        subfolders.append((name, os.path.join(folder, name)))
    except OSError:
        return [], []
    finally:
        os.close(fd)
    files.sort()
    subfolders.sort()
    return files, subfolders


def _scan_tree(
    folder: str, prefix: str, seen: set[tuple[int, int]], rows: list[tuple[str, int, int]]
) -> list[tuple[str, int, int]]:
    """Append the rows of ``folder`` and everything below it to ``rows``, depth first."""
    stack = [(folder, prefix)]
    while stack:
        folder, prefix = stack.pop()
        files, subfolders = _list_folder(folder, prefix, seen)
        rows.extend(files)
        stack.extend((path, f"{prefix}{name}/") for name, path in reversed(subfolders))
    return rows


def _scan_in_two(
    subfolders: list[tuple[str, str]],
    seen: set[tuple[int, int]],
    meanwhile: Callable[[], object] = lambda: None,
) -> list[list[tuple[str, int, int]]] | None:
    """The rows below each of the root's subfolders, half of them scanned by a second
    process (this module run as a script); None if that cannot be done as a single
    scan would do it.

    Folders are split by the size of their directory, which grows with its entries.
    Each side remembers the folders it entered; were one entered by both (a symlink
    across the halves), the caller scans again alone, so that the folder is listed
    once, where a single scan meets it first.
    """
    # A frozen build's executable is the reader itself, not a Python to run a script.
    if getattr(sys, "frozen", False) or not sys.executable or not os.path.isfile(__file__):
        return None
    import marshal
    import subprocess

    weights = []
    for n, (_, path) in enumerate(subfolders):
        try:
            weights.append((os.stat(path).st_size, n))
        except OSError:
            weights.append((0, n))
    mine: list[int] = []
    theirs: list[int] = []
    load = [0, 0]
    for size, n in sorted(weights, reverse=True):
        side = 0 if load[0] <= load[1] else 1
        (mine, theirs)[side].append(n)
        load[side] += size + 1
    # Each side takes its folders in the order a single scan would: of two ways into
    # one folder (a symlink), the first met is the one listed.
    mine.sort()
    theirs.sort()
    if not theirs:
        return None
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None
    assert child.stdin is not None and child.stdout is not None
    parts: dict[int, list[tuple[str, int, int]]] = {}
    own_seen = set(seen)
    try:
        folders = [(subfolders[n][1], f"{subfolders[n][0]}/") for n in theirs]
        try:
            child.stdin.write(marshal.dumps((folders, list(seen)), 2))
            child.stdin.close()
        except OSError:  # it ended before reading (a broken interpreter, say)
            child.kill()
            return None
        for n in mine:
            name, path = subfolders[n]
            parts[n] = _scan_tree(path, f"{name}/", own_seen, [])
        meanwhile()  # the other half usually takes longer: it had to start
        data = child.stdout.read()
    except BaseException:
        child.kill()
        raise
    finally:
        child.wait()
        for pipe in (child.stdin, child.stdout):
            try:
                pipe.close()
            except OSError:
                pass
    if child.returncode != 0:
        return None
    try:
        their_parts, their_seen, *encoding = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if encoding != _fs_encoding():
        # It turned names into bytes and back another way (-I drops PYTHONUTF8, say):
        # its folders may not be the ones asked for, nor its paths ours.
        return None
    if not own_seen.isdisjoint(map(tuple, their_seen)):
        return None
    parts.update(zip(theirs, their_parts, strict=True))
    return [parts[n] for n in range(len(subfolders))]


def _scan_for_parent() -> None:
    """The second process of a parallel scan: reads (folders, seen) on stdin, writes
    (the rows of each folder, the folders it entered, its file name encoding) on stdout."""
    import gc
    import marshal

    gc.disable()  # 75,000 tuples and no cycles: collections would only cost time
    folders, seen_before = marshal.loads(sys.stdin.buffer.read())
    seen = set(map(tuple, seen_before))
    parts = [_scan_tree(path, prefix, seen, []) for path, prefix in folders]
    entered = list(seen.difference(map(tuple, seen_before)))
    sys.stdout.buffer.write(marshal.dumps((parts, entered, *_fs_encoding()), 2))


def _fs_encoding() -> list[str]:
    """How this process turns file names into str and back."""
    return [sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()]


def decode_bytes(data: bytes) -> tuple[str, str | None]:
    """Decode file bytes: UTF-8 with or without BOM, else cp1252 with a warning.

    Returns (text, warning or None). Line endings are normalised to ``\\n``.
    """
    warning = None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        warning = (
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "read as Windows-1252"
        )
        text = data.decode("cp1252", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, warning


if __name__ == "__main__":
    _scan_for_parent()
