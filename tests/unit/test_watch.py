"""Watching a library folder (issue 24): changes reported in bursts, what cannot matter
ignored, a prompt stop, and a watch that cannot be kept said once."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qtreader.library.watch import (
    MAX_WAIT,
    QUIET,
    Burst,
    ChangeFilter,
    LibraryWatcher,
    network_filesystem,
)

READY = 10.0  # seconds a watcher may take to begin watching


class Reports:
    """What a watcher reported, as it arrives (from its thread)."""

    def __init__(self) -> None:
        self.batches: list[tuple[float, frozenset[str]]] = []
        self.unavailable: list[str] = []
        self._arrived = threading.Condition()

    def changed(self, paths: frozenset[str]) -> None:
        with self._arrived:
            self.batches.append((time.monotonic(), paths))
            self._arrived.notify_all()

    def said(self, reason: str) -> None:
        with self._arrived:
            self.unavailable.append(reason)
            self._arrived.notify_all()

    def wait(self, predicate, timeout: float = 5.0) -> None:
        """Until ``predicate()`` holds (checked at each report), or fail."""
        with self._arrived:
            if not self._arrived.wait_for(predicate, timeout):
                raise AssertionError(f"not reported in {timeout} s: {self.batches!r}")

    def seen(self) -> set[str]:
        return self.seen_since(0)

    def seen_since(self, start: int) -> set[str]:
        return {path for _, batch in self.batches[start:] for path in batch}


def _watching(root: Path, reports: Reports, **options) -> LibraryWatcher:
    watcher = LibraryWatcher(root, reports.changed, reports.said, **options)
    watcher.start()
    assert watcher.wait_ready(READY), "the watcher did not begin watching"
    return watcher


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    (root / "topic").mkdir(parents=True)
    (root / "topic" / "old.md").write_text("old", encoding="utf-8")
    return root


def test_new_changed_moved_and_deleted_files_and_folders_are_reported(library):
    reports = Reports()
    watcher = _watching(library, reports)
    try:
        steps = [
            (lambda: (library / "topic" / "new.md").write_text("new"), {"topic/new.md"}),
            (lambda: (library / "topic" / "new.md").write_text("newer"), {"topic/new.md"}),
            (
                lambda: (library / "topic" / "new.md").rename(library / "topic" / "moved.md"),
                {"topic/new.md", "topic/moved.md"},
            ),
            (lambda: (library / "topic" / "moved.md").unlink(), {"topic/moved.md"}),
            (lambda: (library / "topic").rename(library / "renamed"), {"topic", "renamed"}),
            # A folder moved in is watched too: a file written in it afterwards is seen.
            (lambda: (library / "renamed" / "later.md").write_text("x"), {"renamed/later.md"}),
            (
                lambda: shutil.rmtree(library / "renamed"),
                {"renamed/old.md", "renamed/later.md", "renamed"},
            ),
        ]
        for n, (change, expected) in enumerate(steps):
            before = len(reports.batches)
            change()
            # A move may come as two reports, when they straddle a pause.
            reports.wait(lambda b=before, e=expected: e <= reports.seen_since(b))
            assert reports.seen_since(before) == expected, n
            assert reports.unavailable == [], n
    finally:
        assert watcher.stop(timeout=2)


def test_a_storm_of_thousands_of_files_is_one_or_a_few_reports(library, capsys):
    reports = Reports()
    watcher = _watching(library, reports)
    files = 3000
    try:
        started = time.monotonic()
        for n in range(files):
            folder = library / f"s{n % 30:02}"
            folder.mkdir(exist_ok=True)
            (folder / f"a{n:05}.md").write_text(f"article {n}", encoding="utf-8")
        written = time.monotonic()
        names = {f"s{n % 30:02}/a{n:05}.md" for n in range(files)}

        def covered() -> bool:
            # A file written into a folder just made may come before the folder is
            # watched (inotify): the folder is reported then, and a refresh lists it.
            seen = reports.seen()
            return all(name in seen or name.partition("/")[0] in seen for name in names)

        reports.wait(covered, timeout=20)
        last = reports.batches[-1][0]
    finally:
        assert watcher.stop(timeout=2)
    writing = written - started
    # One report a MAX_WAIT while it goes on, one after it pauses.
    assert 1 <= len(reports.batches) <= int(writing / MAX_WAIT) + 2, reports.batches
    assert last - written < QUIET + 1.0
    with capsys.disabled():
        print(
            f"\nstorm: {files} files written in {writing:.2f} s -> {len(reports.batches)} "
            f"report(s), the last {last - written:.2f} s after the last write"
        )


def test_what_the_catalog_never_reads_is_not_reported(library, tmp_path):
    reports = Reports()
    own = library / "own-cache"  # a folder of the reader's own (the catalog's), say
    own.mkdir()
    watcher = _watching(library, reports, ignore=[own])
    try:
        (library / ".git" / "objects").mkdir(parents=True)
        (library / ".git" / "objects" / "ab12").write_text("blob")
        (library / ".git" / "index.lock").write_text("lock")
        (library / "topic" / ".old.md.swp").write_text("vim swap")
        (library / "topic" / ".#old.md").write_text("emacs lock")
        (library / "topic" / "#old.md#").write_text("emacs autosave")
        (library / "topic" / "old.md~").write_text("backup")
        (library / "topic" / "old.md___jb_tmp___").write_text("jetbrains")
        (library / "topic" / "picture.png").write_bytes(b"\x89PNG")
        (library / "topic" / ".hidden.md").write_text("the scan skips hidden files")
        (own / "catalog.sqlite3-wal").write_text("wal")
        vim_probe = library / "topic" / "4913"  # vim's "can I write here" file
        vim_probe.write_text("")
        vim_probe.unlink()
        temp = library / "topic" / "old.md.tmp.1234"  # an atomic save's temp file...
        temp.write_text("new text")
        temp.replace(library / "topic" / "old.md")  # ...renamed over the article
        reports.wait(lambda: "topic/old.md" in reports.seen())
    finally:
        assert watcher.stop(timeout=2)
    assert reports.seen() == {"topic/old.md"}, reports.batches


def test_stop_is_prompt_even_in_the_middle_of_a_burst(library):
    reports = Reports()
    watcher = _watching(library, reports, quiet=30.0, max_wait=60.0)
    (library / "topic" / "pending.md").write_text("never reported")
    deadline = time.monotonic() + 5.0
    while not watcher.pending:  # the change reached the watcher (a deadline poll)
        assert time.monotonic() < deadline, "the change never reached the watcher"
        time.sleep(0.01)
    started = time.monotonic()
    assert watcher.stop(timeout=2)
    took = time.monotonic() - started
    assert took < 0.5, took
    assert not watcher.alive
    assert reports.batches == [] and reports.unavailable == []


def test_stop_before_the_watch_began_and_twice_is_harmless(library):
    reports = Reports()
    watcher = LibraryWatcher(library, reports.changed, reports.said)
    assert watcher.stop(timeout=1)  # never started
    watcher.start()
    assert watcher.stop(timeout=2)
    assert watcher.stop(timeout=2)
    assert not watcher.alive
    assert reports.unavailable == []


def _failing_watch(error: BaseException, yields: int = 0):
    def watch(*paths, stop_event=None, **options):
        for _ in range(yields):
            yield set()
        raise error

    return watch


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (OSError(errno.ENOSPC, "OS file watch limit reached."), "max_user_watches"),
        (
            OSError("OS file watch limit reached. (Error { kind: MaxFilesWatch })"),
            "max_user_watches",
        ),
        (
            RuntimeError("Error creating recommended watcher: Too many open files (os error 24)"),
            "max_user_instances",
        ),
        (RuntimeError("error in underlying watcher: Input/output error"), "Input/output error"),
        (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    ],
)
def test_a_watch_that_cannot_be_kept_is_said_once(library, error, said):
    for yields in (0, 3):  # failing at once, or after it had begun
        reports = Reports()
        watcher = LibraryWatcher(
            library, reports.changed, reports.said, watch=_failing_watch(error, yields)
        )
        watcher.start()
        assert watcher.wait_ready(READY)  # ready: it will not watch, and said so
        reports.wait(lambda r=reports: r.unavailable)
        assert watcher.stop(timeout=2)
        assert len(reports.unavailable) == 1, reports.unavailable
        reason = reports.unavailable[0]
        assert said in reason and reason.startswith("Changes to the library are not watched")
        assert "\n" not in reason and not watcher.watching


def test_watchfiles_failing_for_real_is_said(tmp_path):
    """The real watchfiles, in a process with no file descriptor left for inotify."""
    (tmp_path / "library").mkdir()
    code = (
        "import os, resource, sys, threading\n"
        "from qtreader.library.watch import LibraryWatcher\n"
        "said = []\n"
        "w = LibraryWatcher(sys.argv[1], lambda paths: None, said.append)\n"
        "n = len(os.listdir('/proc/self/fd')) - 1\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))\n"
        "w.start(); assert w.wait_ready(10); assert w.stop(2)\n"
        "print(said)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "library")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Changes to the library are not watched" in proc.stdout, proc.stdout


def test_a_file_name_that_is_not_utf8_does_not_end_the_watch(library):
    # watchfiles raises on such a name (it cannot make a str of it): the watch starts
    # again, the change is reported, and later changes still are.
    reports = Reports()
    watcher = _watching(library, reports)
    try:
        with open(os.fsencode(library / "topic") + b"/bad\xff.md", "w") as file:
            file.write("text")
        reports.wait(lambda: any("bad" in path for path in reports.seen()))
        assert watcher.wait_ready(READY)
        (library / "topic" / "after.md").write_text("later")
        reports.wait(lambda: "topic/after.md" in reports.seen())
    finally:
        assert watcher.stop(timeout=2)
    assert reports.unavailable == []


MOUNTS = (
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "40 22 0:45 / /mnt/share rw,relatime shared:20 - nfs4 server:/export rw,vers=4.2\n"
    "41 22 0:46 / /mnt/share\\040two rw - cifs //host/share rw\n"
    "42 40 8:2 / /mnt/share/local rw - ext4 /dev/sdb1 rw\n"
)


def test_a_network_file_system_is_told_from_the_mounts(tmp_path):
    mounts = tmp_path / "mountinfo"
    mounts.write_text(MOUNTS)
    assert network_filesystem("/mnt/share/articles", mounts) == "nfs4"
    assert network_filesystem("/mnt/share two/x", mounts) == "cifs"
    assert network_filesystem("/mnt/share/local/articles", mounts) is None  # mounted inside
    assert network_filesystem("/mnt/sharedstuff", mounts) is None  # not under /mnt/share
    assert network_filesystem("/home/me", mounts) is None
    assert network_filesystem("/home/me", tmp_path / "missing") is None


def test_on_a_network_file_system_watching_goes_on_and_that_is_said(library, tmp_path):
    mounts = tmp_path / "mountinfo"
    mounts.write_text(f"40 22 0:45 / {library} rw - nfs4 server:/export rw\n")
    reports = Reports()
    watcher = _watching(library, reports, mountinfo=mounts)
    try:
        reports.wait(lambda: reports.unavailable)
        (library / "topic" / "local.md").write_text("written on this machine")
        reports.wait(lambda: "topic/local.md" in reports.seen())
    finally:
        assert watcher.stop(timeout=2)
    (reason,) = reports.unavailable
    assert "network file system (nfs4)" in reason and not watcher.alive


def test_a_burst_is_reported_after_a_pause_or_at_the_longest_wait():
    burst = Burst(quiet=0.25, max_wait=2.0)
    assert burst.take(0.0) is None
    burst.add({"a.md"}, 0.0)
    burst.add({"b.md"}, 0.125)
    assert burst.take(0.25) is None  # 0.125 s since the last change
    assert burst.take(0.375) == {"a.md", "b.md"}
    assert burst.take(0.5) is None  # taken
    # A change every 1/8 s for 5 s: reported every 2 s, then once after the pause.
    taken = []
    for n in range(40):
        now = 10 + n / 8
        burst.add({f"f{n}.md"}, now)
        if (paths := burst.take(now)) is not None:
            taken.append((now, len(paths)))
    end = 10 + 39 / 8
    assert burst.take(end + 0.125) is None
    paths = burst.take(end + 0.25)
    assert paths is not None
    taken.append((end + 0.25, len(paths)))
    assert taken == [(12.0, 17), (14.125, 17), (15.125, 6)]
    burst.add(set(), 20.0)  # nothing: nothing to report
    assert burst.take(30.0) is None


def test_the_filter_keeps_articles_and_folders_and_forgets_its_own_temp_files(tmp_path):
    root = tmp_path / "lib"
    (root / "folder.v2").mkdir(parents=True)
    (root / "data.json").write_text("{}")
    keep = ChangeFilter(root, ignore=[tmp_path / "cache"])
    added, modified, deleted = 1, 2, 3
    assert keep(added, str(root / "a" / "x.MD")) == "a/x.MD"
    assert keep(added, str(root / "folder.v2")) == "folder.v2"  # a folder, by its name's dot
    assert keep(added, str(root / "data.json")) is None  # a file the scan never lists
    assert keep(deleted, str(root / "data.json")) is None  # seen as a file: still nothing
    assert keep(deleted, str(root / "gone.v3")) == "gone.v3"  # unknown: may be a folder
    assert keep(deleted, str(root / "old.md~")) is None
    assert keep(modified, str(root / ".obsidian" / "workspace.md")) is None
    assert keep(modified, str(tmp_path / "cache" / "c.md")) is None
    assert keep(modified, str(tmp_path / "elsewhere.md")) is None
    assert keep(deleted, str(root)) == "."  # the library folder itself
