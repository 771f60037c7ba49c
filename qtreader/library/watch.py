"""Watching a library folder for changes, in a thread, and saying when it changed.

The operating system tells of each change (inotify, through ``watchfiles``); a burst
of them (a ``git checkout`` of 10,000 files) is gathered and reported as one, once
the changes pause for :data:`QUIET` seconds, and at least every :data:`MAX_WAIT`
seconds while they go on. Changes the catalog would never read are not reported:
hidden files and folders (``.git``, editors' swap files and locks, which the scan
skips), editors' temporary and backup files, files that are not articles, and the
folders given to ignore (the reader's own). Where the folder cannot be watched (the
system's limit on watches reached, watchfiles failing), that is said once and the
thread ends; on a network file system it is said too, and watching goes on (changes
made on this machine still show).

A burst holds the paths that changed, each a file or a folder with all under it. When
changes may have been missed, it also holds :data:`EVERYTHING`, the library itself:
after the watch was started again (a file name that is not UTF-8 stopped it), and in
a burst of more than :data:`LOSSY_BURST` paths (see there).
"""

from __future__ import annotations

import errno
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .scan import escape_name, is_article_name
from .text import clean_line, is_utf8

QUIET = 0.3  # seconds without a change before a burst is reported
MAX_WAIT = 2.0  # while changes go on, a burst is reported at least this often
# watchfiles' thread looks at its stop event and, with nothing to tell, returns to
# this one every (step + timeout) ms: how soon a stop or a pause is noticed.
_STEP_MS = 50
_TIMEOUT_MS = 50
_FORGOTTEN = 10_000  # temporary files remembered at most (see ChangeFilter)
_RESTARTS = 5  # watches started again in a row after an unreadable file name, at most
EVERYTHING = "."  # in a burst: the library itself, all of it (changes may have been missed)
# A burst of more paths than this holds EVERYTHING too. The kernel queues a watch's
# events (fs.inotify.max_queued_events, 16,384 by default: a file written is two or
# three) and drops them once the queue is full, saying so by an event without a path,
# which watchfiles leaves out: a storm that outruns the reading may lose changes
# unseen. Refreshing the whole library then costs little beside reading that many files.
LOSSY_BURST = 4_096
MOUNTINFO = Path("/proc/self/mountinfo")

# File systems where the changes made by other machines are never told to this one.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "v9fs", "drvfs",
        "ceph", "glusterfs", "lustre", "gpfs", "fuse.sshfs", "fuse.rclone", "fuse.s3fs",
        "fuse.davfs2", "fuse.glusterfs", "fuse.ceph", "fuse.gcsfuse",
    }
)  # fmt: skip

# Editors' backup and temporary files (vim, emacs, JetBrains, browsers' downloads):
# "x.md~", "#x.md#", "x.md.swp", "x___jb_tmp___", "x.part"; the hidden ones (".x.swp",
# ".#x.md", ".goutputstream-*") are left out with every hidden name.
_TEMPORARY = re.compile(
    r"(~|^#.*#|\.(sw[a-p]|sw[q-x]|tmp|temp|bak|part|crdownload)|___jb_(tmp|old)___)$",
    re.IGNORECASE,
)

Changed = Callable[[frozenset[str]], None]  # the library paths of a burst of changes
Unavailable = Callable[[str], None]  # why the library is not (fully) watched: a sentence
Watch = Callable[..., Iterator[Iterable[tuple[int, str]]]]  # watchfiles.watch, or a stand-in

_ADDED, _MODIFIED, _DELETED = 1, 2, 3  # watchfiles.Change


class Burst:
    """Changes gathered until they pause for ``quiet`` seconds, or have gathered for
    ``max_wait`` seconds. Times are given (monotonic seconds), for tests to choose."""

    def __init__(self, quiet: float = QUIET, max_wait: float = MAX_WAIT):
        self.quiet, self.max_wait = quiet, max_wait
        self.paths: set[str] = set()
        self._first = self._last = 0.0

    def add(self, paths: Iterable[str], now: float) -> None:
        changed = set(paths)
        if not changed:
            return
        if not self.paths:
            self._first = now
        self.paths |= changed
        self._last = now

    def take(self, now: float) -> frozenset[str] | None:
        """The burst, when it is time to report it (and it is then forgotten)."""
        if not self.paths:
            return None
        if now - self._last < self.quiet and now - self._first < self.max_wait:
            return None
        if len(self.paths) > LOSSY_BURST:
            self.paths.add(EVERYTHING)
        paths = frozenset(self.paths)
        self.paths.clear()
        return paths


class ChangeFilter:
    """Which changes may matter to the catalog: ``filter(change, path)`` is the path in
    the library ("/"-separated, "." for the library itself), or None.

    Kept: article files, folders, and deleted paths it cannot tell (a folder moved
    away leaves only its name). Left out: hidden names and whatever is under them,
    editors' temporary and backup files, other files (seen as files when added or
    written, so that their deletion is left out too), and the ``ignore`` folders."""

    def __init__(self, root: str | Path, ignore: Iterable[str | Path] = ()):
        self.root = os.path.realpath(root)
        self._inside = self.root.rstrip("/") + "/"
        self._ignore = tuple(os.path.realpath(folder) for folder in ignore)
        self._files: set[str] = set()  # files seen that are not articles

    def __call__(self, change: int, path: str) -> str | None:
        if path == self.root:
            return "."
        if not path.startswith(self._inside):
            return None
        if self._ignore and any(
            path == folder or path.startswith(folder + "/") for folder in self._ignore
        ):
            return None
        relative = path[len(self._inside) :]
        if relative.startswith(".") or "/." in relative:
            return None  # hidden: the scan never lists it, nor anything under it
        name = relative.rpartition("/")[2]
        if is_article_name(name):
            return _shown(relative)
        if _TEMPORARY.search(name):
            return None
        if change == _DELETED:
            if relative in self._files:
                self._files.discard(relative)
                return None
            return _shown(relative)  # perhaps a folder
        if os.path.isdir(path):
            return _shown(relative)
        if len(self._files) >= _FORGOTTEN:
            self._files.clear()
        self._files.add(relative)
        return None


def _shown(relative: str) -> str:
    """A path as the catalog spells it (undecodable bytes escaped: see escape_name)."""
    if relative.isascii() and "\\" not in relative:
        return relative
    return "/".join(escape_name(part) for part in relative.split("/"))


class LibraryWatcher:
    """Watches ``root`` in a thread of its own; ``on_change`` gets each burst of changes
    that may matter (see ChangeFilter, Burst), ``on_unavailable`` the reason, once,
    when the folder cannot be watched (or only in part). Both are called in the
    watcher's thread.

    ``start`` begins, ``wait_ready`` waits until changes are being watched (or watching
    failed), ``stop`` ends it within a few tens of milliseconds."""

    def __init__(
        self,
        root: str | Path,
        on_change: Changed,
        on_unavailable: Unavailable,
        *,
        ignore: Iterable[str | Path] = (),
        quiet: float = QUIET,
        max_wait: float = MAX_WAIT,
        watch: Watch | None = None,
        mountinfo: Path = MOUNTINFO,
    ):
        self.root = os.path.realpath(root)
        self.on_change, self.on_unavailable = on_change, on_unavailable
        self._filter = ChangeFilter(self.root, ignore)
        self._burst = Burst(quiet, max_wait)
        self._watch = watch
        self._mountinfo = mountinfo
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._said = False
        self._failed = False
        self._thread: threading.Thread | None = None
        self._alias = ""  # the /proc/self/fd name it was last watched by, if any (_changes)

    def start(self) -> None:
        if self._thread is None and not self._stop.is_set():
            # A daemon: a reader that exits never waits for it.
            self._thread = threading.Thread(target=self._run, name="qtreader-watch", daemon=True)
            self._thread.start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Whether watching began, or was found impossible (and said), within ``timeout``."""
        return self._ready.wait(timeout)

    def stop(self, timeout: float | None = None) -> bool:
        """Stop watching; with ``timeout``, wait that long for the thread to end.
        Whether it has ended (or never started)."""
        self._stop.set()
        thread = self._thread
        if thread is None:
            return True
        if timeout is not None and thread is not threading.current_thread():
            thread.join(timeout)
        return not thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def watching(self) -> bool:
        """Changes are being watched: it began, and has neither failed nor stopped."""
        return self._ready.is_set() and self.alive and not self._failed and not self._stop.is_set()

    @property
    def pending(self) -> int:
        """Paths changed and not reported yet (the burst goes on)."""
        return len(self._burst.paths)

    def _say(self, reason: str) -> None:
        if not self._said:
            self._said = True
            self.on_unavailable(reason)

    def _run(self) -> None:
        try:
            kind = network_filesystem(self.root, self._mountinfo)
            if kind is not None:
                self._say(
                    f"The library is on a network file system ({clean_line(kind)}): "
                    "changes made on other machines do not show by themselves."
                )
            self._watch_until_stopped()
        except Exception as exc:  # the watch could not be set up, or failed: said, once
            self._failed = True
            self._say(unavailable_reason(exc))
        finally:
            self._ready.set()

    def _watch_until_stopped(self) -> None:
        restarts = 0
        while not self._stop.is_set():
            try:
                for changes in self._changes():
                    self._ready.set()
                    restarts = 0
                    now = time.monotonic()
                    keep = self._filter
                    # Deletions last: a file made and removed in the same batch (an
                    # editor's probe, an atomic save's temporary file) is known as a
                    # file by then, and left out.
                    ordered = sorted(changes, key=_deletions_last)
                    self._burst.add(
                        [kept for c, p in ordered if (kept := keep(c, p)) is not None], now
                    )
                    if (paths := self._burst.take(now)) is not None:
                        self.on_change(paths)
                return  # stopped
            except RuntimeError as exc:
                # A file name that is not UTF-8: watchfiles cannot make a str of it and
                # stops. Reported as a change, with the whole library (what changed
                # until the watch starts again is not seen); the watch starts again.
                name = _undecodable(str(exc))
                if name is None or restarts >= _RESTARTS:
                    raise
                restarts += 1
                self._ready.clear()
                self._burst.add([self._relative(name), EVERYTHING], time.monotonic())

    def _relative(self, path: str) -> str:
        for root in (self.root, self._alias):
            inside = root.rstrip("/") + "/"
            if root and path.startswith(inside):
                return clean_line(path[len(inside) :])
        return clean_line(path)

    def _changes(self) -> Iterator[Iterable[tuple[int, str]]]:
        """watchfiles' batches of changes, each path in the library as it is named.

        watchfiles takes and gives paths as UTF-8 text only: a library whose own path
        is not UTF-8 (bytes Python holds as surrogates) is watched through a name of
        its folder that is, /proc/self/fd/N of a descriptor held open on it, and each
        path given back is put in the library's own name again."""
        root, fd = self.root, None
        if not is_utf8(root):
            try:
                fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError:
                pass  # watchfiles says why the folder cannot be watched
            else:
                root = self._alias = f"/proc/self/fd/{fd}"
        try:
            for changes in self._watch_batches(root):
                if fd is not None:
                    inside = root + "/"
                    changes = [
                        (c, self.root + p[len(root) :] if p == root or p.startswith(inside) else p)
                        for c, p in changes
                    ]
                yield changes
        finally:
            if fd is not None:
                os.close(fd)  # the alias is kept: _relative reads it after a failure

    def _watch_batches(self, root: str) -> Iterator[Iterable[tuple[int, str]]]:
        if self._watch is not None:
            watch = self._watch
        else:
            from watchfiles import watch
        options: dict[str, Any] = {
            "watch_filter": None,  # filtered here, with what was seen before
            "debounce": _STEP_MS * 2,
            "step": _STEP_MS,
            "rust_timeout": _TIMEOUT_MS,
            "yield_on_timeout": True,  # a pause is noticed without a change
            "stop_event": self._stop,
            "raise_interrupt": False,
            # Never polling (watchfiles polls on WSL): stat-ing a whole library every
            # few hundred milliseconds costs more than a refresh on a key.
            "force_polling": False,
            "ignore_permission_denied": True,  # a folder that cannot be read: the rest
        }
        return watch(root, **options)


def _deletions_last(change: tuple[int, str]) -> bool:
    return change[0] == _DELETED


_UNDECODABLE = re.compile(r'Unable to decode path "(.*)" to string', re.DOTALL)


def _undecodable(message: str) -> str | None:
    found = _UNDECODABLE.search(message)
    return found.group(1) if found else None


def unavailable_reason(error: BaseException) -> str:
    """Why a watch could not be kept, as one sentence for the reader to show."""
    text = str(error)
    code = getattr(error, "errno", None)
    if code == errno.ENOSPC or "watch limit" in text or "MaxFilesWatch" in text:
        why = (
            "the system's limit on watched folders is reached (sysctl fs.inotify.max_user_watches)"
        )
    elif code == errno.EMFILE or "Too many open files" in text or "os error 24" in text:
        why = (
            "the system's limit on watchers or open files is reached "
            "(sysctl fs.inotify.max_user_instances, ulimit -n)"
        )
    else:
        why = clean_line(getattr(error, "strerror", None) or text) or type(error).__name__
        why = f"watching it failed ({why})"
    return f"Changes to the library are not watched: {why}."


def network_filesystem(path: str | Path, mountinfo: Path = MOUNTINFO) -> str | None:
    """The type of the network file system ``path`` is on (``nfs4``...), or None (a
    local one, or the mounts cannot be read: not Linux)."""
    try:
        lines = mountinfo.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    real = os.path.realpath(path)
    best, kind = "", ""
    for line in lines:
        fields, _, rest = line.partition(" - ")
        parts = fields.split()
        if len(parts) < 5 or not rest:
            continue
        point = _unescape_mount(parts[4])
        inside = point.rstrip("/") + "/"
        if (real == point or real.startswith(inside)) and len(point) >= len(best):
            best, kind = point, rest.split()[0]
    return kind if kind in NETWORK_FILESYSTEMS else None


def _unescape_mount(point: str) -> str:
    """A mount point as mountinfo writes it: space, tab, newline and backslash in octal."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), point)
