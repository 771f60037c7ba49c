"""The first build of a catalog: written to a file of its own, then put in place."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from libhelpers import write_article

from qtreader.library.catalog import Catalog, pool, storage, writing

T0 = 1_700_000_000


def make_library(root: Path, count: int = 12) -> Path:
    for n in range(count):
        write_article(root, f"s/a{n:02d}.md", T0, title=f"Article {n}", url=f"/a/{n}",
                      answer=f"Answer number {n} about tides")  # fmt: skip
    return root


def journal_mode(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.glob(f"{db.name}.building-*"))


def test_first_build_lands_in_place_and_readers_see_it(tmp_path):
    root = make_library(tmp_path / "lib")
    db = tmp_path / "cache" / "cat.sqlite3"
    with Catalog(root, db_path=db) as cat, ThreadPoolExecutor(1) as other:
        assert cat.count() == 0  # this thread has a connection to the empty file
        assert other.submit(cat.count).result() == 0  # and so has the other one
        built: list[str] = []
        real_create = storage.create

        def recording_create(path, root, journal="WAL"):
            built.append(f"{Path(path).name} {journal}")
            return real_create(path, root, journal)

        storage.create, saved = recording_create, storage.create
        try:
            report = cat.refresh()
        finally:
            storage.create = saved
        assert built == [f"cat.sqlite3.building-{os.getpid()} OFF"]
        assert report.total == 12
        assert cat.count() == 12  # the same threads, after the file changed under them
        assert other.submit(cat.count).result() == 12
        assert len(cat.search("tides", typing=False).rowids) == 12
    assert journal_mode(db) == "wal"
    assert leftovers(db) == []
    with Catalog(root, db_path=db) as again:  # opens the built file as it is
        assert again.count() == 12
        assert again.refresh().unchanged


def test_a_catalog_open_elsewhere_gets_the_build_copied_in(tmp_path):
    # Another open catalog (here another instance, with its own lock) keeps its
    # connections: the new file is copied in through the journal, not renamed.
    root = make_library(tmp_path / "lib")
    db = tmp_path / "cache" / "cat.sqlite3"
    with Catalog(root, db_path=db) as watcher, Catalog(root, db_path=db) as builder:
        assert watcher.count() == 0
        inode = db.stat().st_ino
        builder.refresh()
        assert db.stat().st_ino == inode  # not replaced
        assert watcher.count() == 12
        assert builder.count() == 12
        assert len(watcher.search("tides", typing=False).rowids) == 12
    assert journal_mode(db) == "wal"
    assert leftovers(db) == []


def test_a_build_open_in_another_process_is_copied_in(tmp_path):
    root = make_library(tmp_path / "lib")
    db = tmp_path / "cache" / "cat.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; from qtreader.library.catalog import Catalog\n"
         "cat = Catalog(Path(sys.argv[1]), db_path=Path(sys.argv[2])); print(cat.count(), flush=True)\n"
         "sys.stdin.readline(); print(cat.count(), flush=True)",
         str(root), str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "0"
        inode = db.stat().st_ino
        with Catalog(root, db_path=db) as cat:
            cat.refresh()
            assert cat.count() == 12
        assert db.stat().st_ino == inode
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "12"  # its connection still works
    finally:
        holder.kill()
        holder.wait()


def test_a_failed_first_build_leaves_an_empty_usable_catalog(tmp_path, monkeypatch):
    root = make_library(tmp_path / "lib")
    db = tmp_path / "cache" / "cat.sqlite3"

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with Catalog(root, db_path=db) as cat:
        monkeypatch.setattr(writing.Writer, "_flush", broken)
        with pytest.raises(OSError):
            cat.refresh()
        assert leftovers(db) == []
        assert cat.count() == 0
        monkeypatch.undo()
        assert cat.refresh().total == 12


def test_files_left_by_a_build_that_died_are_removed(tmp_path):
    root = make_library(tmp_path / "lib")
    db = tmp_path / "cache" / "cat.sqlite3"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    db.parent.mkdir(parents=True)
    stale = db.parent / f"cat.sqlite3.building-{int(dead.stdout)}"
    stale.write_bytes(b"half a catalog")
    alive = db.parent / "cat.sqlite3.building-1"  # pid 1 runs: maybe a build in progress
    alive.write_bytes(b"someone else's")
    with Catalog(root, db_path=db) as cat:
        cat.refresh()
    assert not stale.exists()
    assert alive.exists()


def test_queries_from_other_threads_during_the_build_never_fail(tmp_path, monkeypatch):
    root = make_library(tmp_path / "lib", count=60)
    monkeypatch.setattr(pool, "CHUNK", 4)
    db = tmp_path / "cache" / "cat.sqlite3"
    counts: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def keep_reading(cat: Catalog) -> None:
        while not done.is_set():
            try:
                counts.append(cat.count())
                cat.search("tides", typing=False)
            except BaseException as exc:  # any failure is the finding
                errors.append(exc)
                return

    with Catalog(root, db_path=db) as cat:
        readers = [threading.Thread(target=keep_reading, args=(cat,)) for _ in range(3)]
        for thread in readers:
            thread.start()
        try:
            cat.refresh()
        finally:
            done.set()
            for thread in readers:
                thread.join()
        assert errors == []
        assert cat.count() == 60
        assert set(counts) <= {0, 60}


def test_the_read_gate_makes_a_swap_wait_for_running_queries_and_new_ones_wait_for_it():
    gate = storage.ReadGate()
    order: list[str] = []
    inside, leave, swapping, swapped = (threading.Event() for _ in range(4))

    def query() -> None:
        with gate.reading():
            inside.set()
            leave.wait(5)
            order.append("query ends")

    def swap() -> None:
        with gate.closed():
            swapping.set()
            swapped.wait(5)
            order.append("swap ends")

    running = threading.Thread(target=query)
    running.start()
    assert inside.wait(5)
    swapper = threading.Thread(target=swap)
    swapper.start()
    assert not swapping.wait(0.3)  # held back by the running query
    leave.set()
    assert swapping.wait(5)

    def late_query() -> None:
        with gate.reading():
            order.append("late")

    late = threading.Thread(target=late_query)
    late.start()
    late.join(0.3)
    assert late.is_alive()  # a new query waits while the file is swapped
    swapped.set()
    late.join(5)
    running.join(5)
    swapper.join(5)
    assert order == ["query ends", "swap ends", "late"]
