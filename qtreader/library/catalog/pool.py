"""Parsing the files to read, in worker processes when there are many, a few chunks ahead."""

from __future__ import annotations

import os
import sys
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from multiprocessing import get_context

from .records import Record, read_chunk
from .results import Progress

# Below this many files to read, process start-up costs more than it saves.
PARALLEL_THRESHOLD = 2000
CHUNK = 256
CHUNKS_AHEAD = 4  # per worker: parsed and waiting for the writer, at most


def read_chunks(
    root: str, paths: list[str], workers: int, progress: Progress | None
) -> Iterator[list[Record]]:
    """The records of ``paths`` in their order, a chunk at a time, as they are parsed."""
    total = len(paths)
    done = 0
    if progress:
        progress(0, total)
    chunks = [paths[i : i + CHUNK] for i in range(0, total, CHUNK)]
    parts: Iterator[list[Record]]
    if total >= PARALLEL_THRESHOLD and workers > 1:
        parts = _in_workers(root, chunks, workers)
    else:
        parts = (read_chunk(root, chunk) for chunk in chunks)
    for part in parts:
        done += len(part)
        if progress:
            progress(done, total)
        yield part


def _in_workers(root: str, chunks: list[list[str]], workers: int) -> Iterator[list[Record]]:
    """Parse the chunks in a pool of ``workers`` processes, yielding them in order."""
    _start_resource_tracker()
    # "spawn": forking a process that runs threads (the TUI) is unsafe.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        # A few chunks ahead of the writer, not all of them: parsed chunks waiting
        # for a busy writer would otherwise hold much of the library in memory.
        waiting = iter(chunks)
        ahead = deque(
            pool.submit(read_chunk, root, chunk)
            for chunk in islice(waiting, CHUNKS_AHEAD * workers)
        )
        try:
            while ahead:
                part = ahead.popleft().result()
                following = next(waiting, None)
                if following is not None:
                    ahead.append(pool.submit(read_chunk, root, following))
                yield part
        finally:
            for future in ahead:  # the writer stopped early: no more parsing
                future.cancel()


_tracker_lock = threading.Lock()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a usable stderr.

    The tracker is started with ``sys.stderr``'s file descriptor; under a TUI that
    captures stderr (Textual's capture says -1) starting it fails, and with it the
    process pool. Started once here, with stderr pointing at /dev/null, it is then
    reused by every pool of this process.
    """
    from multiprocessing import resource_tracker

    with _tracker_lock:
        try:
            usable = sys.stderr is not None and sys.stderr.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            usable = False
        if usable:
            resource_tracker.ensure_running()
            return
        saved = sys.stderr
        with open(os.devnull, "w") as devnull:
            sys.stderr = devnull  # only while the tracker starts
            try:
                resource_tracker.ensure_running()
            finally:
                sys.stderr = saved
