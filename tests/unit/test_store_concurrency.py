"""Bookmarks survive a second process and a writer killed at any instant."""

from __future__ import annotations

import json
import multiprocessing

import store_worker
from libhelpers import writers_killed_at_random

from qtreader.library.bookmarks import BookmarkStore


def test_two_processes_adding_at_once_lose_nothing(tmp_path):
    path = tmp_path / "bookmarks.json"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [
        ctx.Process(target=store_worker.add_many, args=(str(path), prefix, 200, barrier))
        for prefix in ("left", "right")
    ]
    for proc in procs:
        proc.start()
    try:
        for proc in procs:
            proc.join(timeout=120)
        assert [proc.exitcode for proc in procs] == [0, 0]
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
                proc.join()
    keys = {b.key for b in BookmarkStore(path).all()}
    assert len(keys) == 400
    assert keys == {f"{p}-{n}" for p in ("left", "right") for n in range(200)}


def test_writer_killed_at_random_moments_never_loses_a_saved_bookmark(tmp_path):
    path = tmp_path / "bookmarks.json"
    for seed, iteration, saved in writers_killed_at_random(tmp_path, "bookmarks", path, 15, 0.2):
        data = json.loads(path.read_bytes())  # whole, never half-written
        assert data["version"] == 1
        on_disk = {b["key"] for b in data["bookmarks"]}
        missing = set(saved) - on_disk
        assert not missing, (seed, iteration, sorted(missing)[:5])
    assert saved, "no child got to save anything"
    assert not list(tmp_path.glob("bookmarks.json.corrupt-*"))
    store = BookmarkStore(path)
    assert set(saved) <= {b.key for b in store.all()}
    assert store.take_messages() == []
