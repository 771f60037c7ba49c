"""Parsing the files to read, in worker processes when there are many, a few chunks ahead."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
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
    with ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_worker_started,
        initargs=(os.getpid(),),
    ) as pool:
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


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_CHECK_SECONDS = 0.5


def _worker_started(parent: int, interval: float = PARENT_CHECK_SECONDS) -> None:
    """Run first in each parse worker: it ends (SIGTERM) when ``parent``, the process
    that started it, is gone.

    A worker waits for its next chunk on a queue whose pipe it also holds open for
    writing, so the parent's death never reaches it as an end of file: killed
    (SIGKILL) mid-build, the parent left its workers, and the resource tracker they
    keep open, running for good. On Linux the kernel signals the worker when the
    thread that started it ends (prctl PR_SET_PDEATHSIG): the pool lives inside one
    refresh, in one thread. Elsewhere, and for a parent that died before the prctl, a
    watchdog thread sees the worker handed to another parent.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # no libc to call: the watchdog does it
            pass
    if os.getppid() != parent:  # already gone
        os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(
        target=_watch_parent, args=(parent, interval), name="parent-watchdog", daemon=True
    ).start()


def _watch_parent(parent: int, interval: float) -> None:
    """End this process once its parent is no longer ``parent`` (it died)."""
    while os.getppid() == parent:
        time.sleep(interval)
    os.kill(os.getpid(), signal.SIGTERM)


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
