"""Finding article files under a library folder and reading their bytes as text."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import NamedTuple

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 16 * 1024 * 1024
# Never scanned, as the library or through a link: the whole system, and the kernel's
# pseudo-files (endless, or blocking when read).
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


class FileEntry(NamedTuple):
    # A tuple, not a dataclass: a refresh makes one per file (150,000), and a frozen
    # dataclass took 1.7 times as long to build (measured).
    path: str  # relative, POSIX separators
    size: int
    mtime_ns: int


# A FileEntry from a (path, size, mtime_ns) tuple, in C (FileEntry's own __new__ is Python).
file_entry = partial(tuple.__new__, FileEntry)


class ScanTrouble:
    """What a scan could not or would not enter, for the catalog to report.

    Paths are relative to the library, escaped as the scan lists them (escape_name);
    a folder ends with "/" (the library itself is "./")."""

    def __init__(self) -> None:
        # Folders that could not be listed: their articles are kept as they were.
        self.unreadable: list[tuple[str, str]] = []  # (folder, why)
        # Links whose target lies outside the library, not followed: (link, target).
        self.external: list[tuple[str, str]] = []
        # Links to /, /proc, /sys or /dev (never followed), or the library being one.
        self.refused: list[tuple[str, str]] = []  # (link, target)

    def __bool__(self) -> bool:
        return bool(self.unreadable or self.external or self.refused)

    def extend(self, other: ScanTrouble) -> None:
        self.unreadable.extend(other.unreadable)
        self.external.extend(other.external)
        self.refused.extend(other.refused)

    def dump(self) -> tuple[list[tuple[str, str]], ...]:
        return self.unreadable, self.external, self.refused

    def load(self, lists: list[list[tuple[str, str]]]) -> None:
        for mine, theirs in zip(self.dump(), lists, strict=True):
            mine.extend((str(a), str(b)) for a, b in theirs)


class _Walk:
    """What a scan needs to know at each folder besides the folder: where the library
    ends, whether links out of it are followed, and where trouble is noted."""

    __slots__ = ("follow", "inside", "root", "trouble")

    def __init__(self, root: str | None, follow: bool, trouble: ScanTrouble | None = None):
        self.root = root  # the library folder, resolved; None: no end (links are followed)
        self.inside = root.rstrip("/") + "/" if root else ""
        self.follow = follow
        self.trouble = trouble if trouble is not None else ScanTrouble()

    def allows(self, folder: str, name: str, path: str) -> bool:
        """Whether the symlink ``name`` in ``folder`` (``path`` in the library) may be
        followed: never into a system folder, out of the library only if allowed."""
        target = os.path.realpath(os.path.join(folder, name))
        if is_system_folder(target):
            self.trouble.refused.append((path, escape_name(target)))
            return False
        if self.follow or self.root is None:
            return True
        if target == self.root or target.startswith(self.inside):
            return True
        self.trouble.external.append((path, escape_name(target)))
        return False

    def unreadable(self, prefix: str, exc: OSError) -> None:
        self.trouble.unreadable.append((prefix or "./", exc.strerror or str(exc)))


def is_system_folder(real: str) -> bool:
    """Whether the resolved path ``real`` is /, or /proc, /sys, /dev or inside one."""
    return real == "/" or any(
        real == folder or real.startswith(folder + "/") for folder in SYSTEM_FOLDERS
    )


def refused_library(root: Path) -> str | None:
    """Why ``root`` cannot be a library (it is /, or in /proc, /sys or /dev), or None."""
    real = os.path.realpath(root)
    if not is_system_folder(real):
        return None
    shown = escape_name(real)
    return f"{shown} is a system folder; a library is never /, nor in /proc, /sys or /dev"


def escape_name(name: str) -> str:
    """A file name as the catalog stores and shows it: itself, unless it holds bytes
    that are not UTF-8 or a backslash. Then each such byte is ``\\xNN`` and each
    backslash is doubled: ``bad\\xff.md``. Every escaped name holds a backslash, and no
    other does, so two names never share a spelling; unescape_path gives the bytes back.
    """
    if "\\" not in name:
        # Not text.is_utf8: this module runs as a script too (_scan_in_two), alone.
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes, held as surrogates
            pass
        else:
            return name
    raw = os.fsencode(name).replace(b"\\", b"\\\\")
    return raw.decode("utf-8", "backslashreplace")


_ESCAPE = re.compile(rb"\\(\\|x[0-9a-f]{2})")


def unescape_path(path: str) -> bytes:
    """The bytes of a path that escape_name spelled (the inverse of escaping each name)."""
    return _ESCAPE.sub(_unescape_one, path.encode("utf-8"))


def _unescape_one(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    return b"\\" if code == b"\\" else bytes([int(code[1:], 16)])


def fs_path(root: str, path: str) -> str | bytes:
    """The file system path of ``path`` (as the scan lists it) in the library ``root``."""
    if "\\" in path:  # an escaped name (see escape_name): its own bytes
        return os.fsencode(root) + b"/" + unescape_path(path)
    return f"{root}/{path}"


def is_article_name(name: str) -> bool:
    # scan_rows inlines this test (it runs once per file on every refresh): change both.
    if name.startswith("."):  # hidden files and AppleDouble "._x.md"
        return False
    return name.lower().endswith(ARTICLE_SUFFIXES)


def scan_library(
    root: Path, follow_external_links: bool | None = None, trouble: ScanTrouble | None = None
) -> Iterator[FileEntry]:
    """Every article file below ``root`` in a stable order.

    A folder's files come first, by name, then its subfolders, by name. Symlinked
    folders are followed once: a folder already visited (by device and inode) is
    not entered again, so a symlink loop cannot hang the scan. Anything that is not
    a regular file is skipped. Links out of ``root`` are followed only if
    ``follow_external_links`` (by default they are; the catalog's refresh does not
    follow them unless the settings say so); links into /, /proc, /sys and /dev never
    are. What was not entered is noted in ``trouble``.
    """
    return map(file_entry, scan_rows(root, False, None, follow_external_links, trouble))


def scan_order_key(path: str) -> list[tuple[int, str]]:
    """Sorts relative paths in the order ``scan_library`` lists them: in each folder its
    files by name, then its subfolders by name."""
    *folders, name = path.split("/")
    return [*((1, folder) for folder in folders), (0, name)]


# The options of the scans run in a ``with scanning(...)`` block (see scanning).
_OPTIONS: ContextVar[tuple[bool, ScanTrouble | None]] = ContextVar(
    "scan_options", default=(True, None)
)


@contextmanager
def scanning(follow_external_links: bool, trouble: ScanTrouble) -> Iterator[None]:
    """Scans in this block (of this thread) that are not given these options take them.

    The catalog's refresh sets them around its scan: what stands between them, a
    wrapper that times or spies on scan_rows say, need not pass them on."""
    token = _OPTIONS.set((follow_external_links, trouble))
    try:
        yield
    finally:
        _OPTIONS.reset(token)


def scan_rows(
    root: Path,
    parallel: bool = False,
    meanwhile: Callable[[], object] | None = None,
    follow_external_links: bool | None = None,
    trouble: ScanTrouble | None = None,
) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of every article file below ``root``, as ``scan_library``
    lists them. Plain tuples: a refresh compares 150,000 of them with the catalog's.

    ``parallel``: a second process takes half of the root's subfolders. Each ``stat``
    is a system call, and the two halves run side by side (worth it for large
    libraries only: the process takes ~20 ms to start). ``meanwhile`` is called once:
    while this process waits for the other's half, or else after the scan.
    ``follow_external_links`` and ``trouble``: see scan_library; when not given, those
    of the ``scanning`` block around the call, else True and none. A root that is a
    system folder (refused_library) lists nothing.
    """
    waiting = _Once(meanwhile)
    root = Path(root)
    default_follow, default_trouble = _OPTIONS.get()
    if follow_external_links is None:
        follow_external_links = default_follow
    if trouble is None:
        trouble = default_trouble if default_trouble is not None else ScanTrouble()
    try:
        top = root.stat()
    except OSError as exc:
        if not isinstance(exc, (FileNotFoundError, NotADirectoryError)):
            trouble.unreadable.append(("./", exc.strerror or str(exc)))
        waiting()
        return []
    real = os.path.realpath(root)
    if is_system_folder(real):
        trouble.refused.append(("./", escape_name(real)))
        waiting()
        return []
    walk = _Walk(real, follow_external_links, trouble)
    seen: set[tuple[int, int]] = {(top.st_dev, top.st_ino)}
    rows, subfolders = _list_folder(str(root), "", seen, walk)
    if parallel and len(subfolders) > 1 and (os.cpu_count() or 1) > 1:
        parts = _scan_in_two(subfolders, seen, waiting, walk)
        if parts is not None:
            for part in parts:
                rows.extend(part)
            return rows
    for name, path in subfolders:
        _scan_tree(path, f"{name}/", seen, rows, walk)
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
    folder: str, prefix: str, seen: set[tuple[int, int]], walk: _Walk | None = None
) -> tuple[list[tuple[str, int, int]], list[tuple[str, str]]]:
    """A folder's article files, by name, and its subfolders not seen yet, by name
    (each one is added to ``seen``): (name as listed, path to open). A folder that
    cannot be listed gives nothing, and is noted in ``walk``'s trouble."""
    if walk is None:
        walk = _Walk(None, True)
    files: list[tuple[str, int, int]] = []
    subfolders: list[tuple[str, str]] = []
    try:
        # Listed through a descriptor, each stat looks up one name in the folder
        # rather than the whole path: 10% faster over 150,000 files (measured).
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return files, subfolders  # gone since its parent was listed
    except OSError as exc:  # no permission (mode 000), an I/O error...
        walk.unreadable(prefix, exc)
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
                except PermissionError:
                    if entry.is_symlink():
                        continue  # a link into a folder that cannot be read
                    raise  # the folder can be listed, not entered (no "x" bit)
                except OSError:
                    continue  # dangling symlink or vanished file
                mode = info.st_mode
                if is_file(mode):
                    if name.lower().endswith(suffixes):
                        if not name.isascii() or "\\" in name:
                            name = escape_name(name)
                        path = prefix + name
                        if entry.is_symlink() and not walk.allows(folder, entry.name, path):
                            continue
                        files.append((path, info.st_size, info.st_mtime_ns))
                elif is_dir(mode):
                    ident = (info.st_dev, info.st_ino)
                    if ident not in seen:
                        shown = escape_name(name)
                        if entry.is_symlink() and not walk.allows(folder, name, prefix + shown):
                            continue
                        seen.add(ident)
                        subfolders.append((shown, os.path.join(folder, name)))
    except OSError as exc:
        walk.unreadable(prefix, exc)
        return [], []
    finally:
        os.close(fd)
    files.sort()
    subfolders.sort()
    return files, subfolders


def _scan_tree(
    folder: str,
    prefix: str,
    seen: set[tuple[int, int]],
    rows: list[tuple[str, int, int]],
    walk: _Walk | None = None,
) -> list[tuple[str, int, int]]:
    """Append the rows of ``folder`` and everything below it to ``rows``, depth first."""
    walk = walk if walk is not None else _Walk(None, True)
    stack = [(folder, prefix)]
    while stack:
        folder, prefix = stack.pop()
        files, subfolders = _list_folder(folder, prefix, seen, walk)
        rows.extend(files)
        stack.extend((path, f"{prefix}{name}/") for name, path in reversed(subfolders))
    return rows


def _scan_in_two(
    subfolders: list[tuple[str, str]],
    seen: set[tuple[int, int]],
    meanwhile: Callable[[], object] = lambda: None,
    walk: _Walk | None = None,
) -> list[list[tuple[str, int, int]]] | None:
    """The rows below each of the root's subfolders, half of them scanned by a second
    process (this module run as a script); None if that cannot be done as a single
    scan would do it. The trouble either side met goes into ``walk``'s, on success.

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

    walk = walk if walk is not None else _Walk(None, True)
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
    own = _Walk(walk.root, walk.follow)  # its trouble counts only if this split does
    try:
        folders = [(subfolders[n][1], f"{subfolders[n][0]}/") for n in theirs]
        try:
            child.stdin.write(marshal.dumps((folders, list(seen), walk.root, walk.follow), 2))
            child.stdin.close()
        except OSError:  # it ended before reading (a broken interpreter, say)
            child.kill()
            return None
        for n in mine:
            name, path = subfolders[n]
            parts[n] = _scan_tree(path, f"{name}/", own_seen, [], own)
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
        their_parts, their_seen, their_trouble, *encoding = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if encoding != _fs_encoding():
        # It turned names into bytes and back another way (-I drops PYTHONUTF8, say):
        # its folders may not be the ones asked for, nor its paths ours.
        return None
    if not own_seen.isdisjoint(map(tuple, their_seen)):
        return None
    parts.update(zip(theirs, their_parts, strict=True))
    walk.trouble.extend(own.trouble)
    walk.trouble.load(their_trouble)
    return [parts[n] for n in range(len(subfolders))]


def _scan_for_parent() -> None:
    """The second process of a parallel scan: reads (folders, seen, library root, follow
    links out of it) on stdin, writes (the rows of each folder, the folders it entered,
    the trouble it met, its file name encoding) on stdout."""
    import gc
    import marshal

    gc.disable()  # 75,000 tuples and no cycles: collections would only cost time
    folders, seen_before, root, follow = marshal.loads(sys.stdin.buffer.read())
    seen = set(map(tuple, seen_before))
    walk = _Walk(root, follow)
    parts = [_scan_tree(path, prefix, seen, [], walk) for path, prefix in folders]
    entered = list(seen.difference(map(tuple, seen_before)))
    trouble = walk.trouble.dump()
    sys.stdout.buffer.write(marshal.dumps((parts, entered, trouble, *_fs_encoding()), 2))


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
