"""Regression: cancelling a search must not abort other threads' reads.

interrupt_others() used to interrupt every other connection, so a row fetch of the
UI thread running at that moment failed with "interrupted".
"""

from __future__ import annotations

import sqlite3
import threading

from ui_support import SAMPLE

from qtreader.library.catalog import Catalog
from qtreader.library.catalog import search as search_module


def test_interrupting_searches_leaves_other_reads_alone():
    catalog = Catalog(SAMPLE)
    catalog.refresh()
    rowids = list(catalog.list_rowids())
    reading = threading.Event()
    release = threading.Event()
    outcome: list[object] = []

    def slow(_value: object) -> int:
        reading.set()
        release.wait(5)
        return 0

    def reader() -> None:
        conn = catalog._reader  # this thread's connection
        conn.create_function("slow", 1, slow)
        try:
            outcome.append(conn.execute("SELECT max(slow(rowid)) FROM articles").fetchone())
            outcome.append(len(catalog.rows(rowids)))
        except sqlite3.OperationalError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    assert reading.wait(5)
    catalog.interrupt_searches()  # a new keystroke cancels older searches
    release.set()
    thread.join(10)
    assert outcome == [(0,), len(rowids)], outcome
    catalog.close()


def test_interrupting_searches_aborts_a_running_search(monkeypatch):
    catalog = Catalog(SAMPLE)
    catalog.refresh()
    started = threading.Event()
    release = threading.Event()
    outcome: list[object] = []

    def slow(_value: object) -> int:
        started.set()
        release.wait(5)
        return 0

    def searcher() -> None:
        catalog._reader.create_function("slow", 1, slow)
        original = search_module.filters

        def filters_with_slow_step(*args, **kwargs):
            where, params = original(*args, **kwargs)
            extra = "slow(a.rowid) = 0"
            return (where + " AND " + extra) if where else "WHERE " + extra, params

        monkeypatch.setattr(search_module, "filters", filters_with_slow_step)
        try:
            outcome.append(catalog.search("the").total)
        except sqlite3.OperationalError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=searcher)
    thread.start()
    assert started.wait(5)
    catalog.interrupt_searches()
    release.set()
    thread.join(10)
    assert outcome == ["interrupted"], outcome
    catalog.close()
