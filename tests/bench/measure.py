"""The library's figures: cold index, refresh, search and reading an article.

Each runs against the catalog in the user cache folder (the benchmark points
``XDG_CACHE_HOME`` at a scratch folder); the cold index runs in fresh processes.
"""

from __future__ import annotations

import functools
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .library import SEED, Vocabulary
from .tools import child_env, median, percentile, timed

COLD_DRIVER = r"""
import json, resource, sys, time
from pathlib import Path
from qtreader.library.catalog import Catalog
t0 = time.perf_counter()
catalog = Catalog(Path(sys.argv[1]))
report = catalog.refresh()
seconds = time.perf_counter() - t0
catalog.close()
print(json.dumps({
    "seconds": seconds, "refresh": report.seconds, "total": report.total,
    "problems": report.problems,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "workers_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def catalog_files(db: Path) -> tuple[int, int]:
    size = db.stat().st_size if db.exists() else 0
    wal = Path(f"{db}-wal")
    return size, wal.stat().st_size if wal.exists() else 0


def remove_catalog(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def cold_index(root: Path, db: Path, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    runs = []
    for i in range(repeat):
        remove_catalog(db)
        out = subprocess.run(
            [sys.executable, "-c", COLD_DRIVER, str(root)],
            env=child_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        run = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(run)
        log(
            f"  cold index {i + 1}/{repeat}: {run['seconds']:.1f} s, {run['total']:,} articles, "
            f"peak RSS {run['maxrss_mb']:.0f} MB (parser workers {run['workers_maxrss_mb']:.0f} MB)"
        )
    return {
        "seconds": median([r["seconds"] for r in runs]),
        "runs": [r["seconds"] for r in runs],
        "total": runs[-1]["total"],
        "problems": runs[-1]["problems"],
        "maxrss_mb": median([r["maxrss_mb"] for r in runs]),
        "size": catalog_files(db),
    }


def rewrite_files(root: Path, rels: Sequence[str], generation: int) -> None:
    """Change the answer text of each file and move its mtime forward."""
    for n, rel in enumerate(rels):
        path = root / rel
        text = path.read_text(encoding="utf-8")
        marker = "answer: >-\n    "
        at = text.find(marker)
        if at == -1:
            continue
        at += len(marker)
        note = f"Revision {generation}.{n} adds a note on qtbenchrev{generation} here. "
        path.write_text(text[:at] + note + text[at:], encoding="utf-8")
        st = path.stat()
        bumped = max(st.st_mtime_ns, time.time_ns()) + 1_000_000_000
        os.utime(path, ns=(st.st_atime_ns, bumped))


def refresh_figures(
    root: Path, repeat: int, files: Sequence[str], log: Callable[[str], None]
) -> dict[str, Any]:
    from qtreader.library.catalog import Catalog

    started = time.perf_counter()
    catalog = Catalog(root)
    open_seconds = time.perf_counter() - started
    unchanged = []
    for _ in range(max(repeat, 5)):
        report = catalog.refresh()
        assert report.unchanged, report
        unchanged.append(report.seconds)
    log(f"  refresh, nothing changed: {[f'{s:.2f}' for s in unchanged]} s")
    changed = []
    rng = random.Random(SEED + 7)
    for i in range(repeat):
        picks = rng.sample(list(files), min(100, len(files)))
        rewrite_files(root, picks, int(time.time()) * 10 + i)
        report = catalog.refresh()
        assert report.changed == len(picks), report
        changed.append(report.seconds)
    log(f"  refresh, 100 changed: {[f'{s:.2f}' for s in changed]} s")
    # Nothing changed again, now that the catalog has a WAL and fresh FTS segments.
    after = [catalog.refresh().seconds for _ in range(3)]
    catalog.close()
    return {
        "open": open_seconds,
        "unchanged": median(unchanged),
        "changed": median(changed),
        "unchanged_after": median(after),
    }


def search_queries(vocab: Vocabulary) -> list[str]:
    """50 fixed queries: what people type, from one letter to phrases and filters."""
    w = vocab.content
    return [
        # one- and two-letter prefixes, as the first keystrokes of a search
        "a", "s", "t", "m", "q", "th", "co", "pr", "ma", "en", "qu",
        # longer prefixes while typing
        "ene", "soci", "theor", "capi", "electr",
        # single words: frequent, middling, rare
        "energy", "social", "theory", "market", "memory", "the", w[5], w[40], w[300], w[1200],
        w[2800],
        # two and more words (the last is a prefix while typing)
        "social capital", "social cap", "energy th", "market price demand",
        "what is the difference between", f"{w[10]} {w[200]}", f"how does {w[60]} affect",
        # phrases
        '"in summary"', '"the role of"', f'"{w[3]} {w[4]}"',
        # subject filters
        "subject:physics energy", 'subject:"computer science" memory', "subject:hist war",
        "subject:economics",
        # exclusions
        "energy -theory", "-the", "market -price -demand",
        # odd input, no results, punctuation
        "zzqxv", "c++", "e=mc^2", "o'brien", "état",
    ]  # fmt: skip


SEARCH_CAP = 10.0  # seconds: a search still running then is interrupted and counted as this


def ui_quick_limit() -> int | None:
    """The ``limit`` the reader passes to its per-keystroke search, if it uses one
    (qtreader.ui.reading since 2026-12-05, the reader screen before)."""
    for name in ("qtreader.ui.reading", "qtreader.ui.screens.reader"):
        try:
            module = __import__(name, fromlist=["QUICK_LIMIT"])
        except ImportError:
            continue
        limit = getattr(module, "QUICK_LIMIT", None)
        if limit:
            return int(limit)
    return None


def groups_supported(catalog: Any) -> bool:
    """Whether the catalog measured lists and searches a question once (issue 21)."""
    import inspect

    return "group" in inspect.signature(catalog.search).parameters


def _capped_search(
    catalog: Any, text: str, quick: bool, limit: int | None, cap: float, group: bool = False
) -> tuple[float, int]:
    """(seconds, hits) of one search; hits is -1 when it was interrupted at ``cap``."""
    conn = catalog._reader  # this thread's connection, which the search will use
    timer = threading.Timer(cap, conn.interrupt)
    timer.start()
    start = time.perf_counter()
    try:
        kwargs: dict[str, Any] = {"limit": limit} if limit else {}
        if group:
            kwargs["group"] = True
        hits = catalog.search(text, quick=quick, typing=True, **kwargs).total
    except sqlite3.OperationalError:
        hits = -1
    finally:
        timer.cancel()
    return time.perf_counter() - start, hits


def search_figures(
    root: Path, queries: Sequence[str], runs: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Per mode: each query's median over ``runs`` (a slow query is timed once)."""
    from qtreader.library.catalog import Catalog

    catalog = Catalog(root)
    out: dict[str, Any] = {}
    modes: list[tuple[str, bool, int | None, bool]] = [
        ("quick", True, None, False),
        ("full", False, None, False),
    ]
    limit = ui_quick_limit()
    if limit:
        modes.insert(0, ("quick-ui", True, limit, False))
    if groups_supported(catalog):  # a question once, as the reader asks (issue 21)
        if limit:
            modes.insert(1, ("quick-ui grouped", True, limit, True))
        modes.append(("full grouped", False, None, True))
    for mode, quick, lim, group in modes:
        per_query = []
        for q in queries:
            first, hits = _capped_search(catalog, q, quick, lim, SEARCH_CAP, group)  # warms
            times = [first]
            if first < 1.0:
                times = [
                    _capped_search(catalog, q, quick, lim, SEARCH_CAP, group)[0]
                    for _ in range(runs)
                ]
            per_query.append((median(times), q, hits))
            if first >= 1.0:
                shown = "interrupted" if hits < 0 else f"{hits:,} hits"
                log(f"  slow {mode} search {q!r}: {first:.2f} s ({shown})")
        values = [t for t, _, _ in per_query]
        out[mode] = {
            "limit": lim,
            "median": median(values),
            "p95": percentile(values, 95),
            "max": max(values),
            "interrupted": sum(h < 0 for _, _, h in per_query),
            "slowest": sorted(per_query, reverse=True)[:8],
            "all": per_query,
        }
    catalog.close()
    return out


def list_figures(root: Path, runs: int = 7) -> dict[str, Any]:
    """``list_rowids`` as the reader lists (every article, and the largest subject; by
    title and newest first), each question once where the catalog can (issue 21):
    medians over ``runs``. Also the first grouped list after a write, which reads the
    articles that have versions again."""
    from qtreader.library.catalog import Catalog

    catalog = Catalog(root)
    grouping = groups_supported(catalog)
    largest = max(catalog.subjects(), key=lambda s: s.count)
    out: dict[str, Any] = {"subject": largest.name}
    for scope in (None, largest.key):
        for sort in ("title", "newest"):
            for group in (False, True) if grouping else (False,):
                kwargs: dict[str, Any] = {"sort": sort}
                if group:
                    kwargs["group"] = True
                rows = len(catalog.list_rowids(scope, **kwargs))  # warm
                times = [
                    timed(functools.partial(catalog.list_rowids, scope, **kwargs))
                    for _ in range(runs)
                ]
                name = (
                    f"{'all' if scope is None else 'subject'} {sort}{' grouped' if group else ''}"
                )
                out[name] = {"median": median(times), "rows": rows}
    if grouping:
        reads = []
        for _ in range(runs):
            catalog._grouped = None  # as after a write: read again at the next grouped list
            reads.append(timed(catalog._groups))
        out["groups read"] = {"median": median(reads), "rows": len(catalog._groups().of)}
    catalog.close()
    return out


def similar_figures(root: Path, count: int = 200) -> dict[str, Any] | None:
    """``Catalog.similar(rowid)`` for ``count`` random articles, each asked once (as
    opening it does), then the same again: median and p95 of each round (issue 23)."""
    from qtreader.library.catalog import Catalog

    catalog = Catalog(root)
    if not hasattr(catalog, "similar"):
        catalog.close()
        return None
    listed = list(catalog.list_rowids())
    sample = random.Random(SEED + 11).sample(listed, min(count, len(listed)))
    first = [timed(functools.partial(catalog.similar, rowid)) for rowid in sample]
    again = [timed(functools.partial(catalog.similar, rowid)) for rowid in sample]
    found = [len(catalog.similar(rowid)) for rowid in sample[:50]]
    catalog.close()
    return {
        "articles": len(sample),
        "median": median(first),
        "p95": percentile(first, 95),
        "max": max(first),
        "again_median": median(again),
        "again_p95": percentile(again, 95),
        "empty": sum(1 for n in found if not n),
    }


def pick_articles(root: Path, count: int = 20) -> list[int]:
    """Row ids of ``count`` articles whose answers are closest to 5 KB (public API only)."""
    from qtreader.library.catalog import Catalog

    catalog = Catalog(root)
    listed = catalog.list_rowids()
    sample = random.Random(SEED + 3).sample(list(listed), min(3000, len(listed)))
    sized = []
    for rowid in sample:
        article = catalog.article(rowid)
        if article is not None:
            sized.append((abs(len(article.answer.encode()) - 5000), rowid))
    catalog.close()
    return sorted(rowid for _, rowid in sorted(sized)[:count])


def article_figures(root: Path, rowids: Sequence[int], runs: int = 5) -> dict[str, Any]:
    from qtreader.library.catalog import Catalog

    catalog = Catalog(root)
    times = []
    sizes = []
    for rowid in rowids:
        article = catalog.article(rowid)  # warm
        assert article is not None
        sizes.append(len(article.answer.encode()))
        for _ in range(runs):
            times.append(timed(lambda r=rowid: catalog.article(r)))
    catalog.close()
    return {"median": median(times), "p95": percentile(times, 95), "answer_bytes": median(sizes)}
