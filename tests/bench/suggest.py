"""Did you mean (issue 22): ``Catalog.suggest`` on the bench's catalog given a library's
vocabulary.

The bench's library has ~3,000 distinct words in its titles, questions and keywords; a
real library of 36,000-150,000 articles has 100,000 or more. The catalog is copied (the
original is never written) and its ``words`` table given ``extra`` made-up words
(syllables; ~8% with digits, as years and versions are; Zipf-like article counts), the
``spellings`` table written anew from it as a build would (timed). Typos of the
catalog's own words, one edit and two, and words with nothing near, are then asked for
as the reader asks: a catalog just opened, a full search of the typo that finds nothing,
then the suggestion (timed: "first"), and the same suggestion again ("again").
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .library import SEED
from .tools import median, percentile

_ONSETS = [*"bcdfghjklmnprstvwz", "br", "cr", "dr", "fl", "gr", "pl", "pr", "st", "tr"]
_ONSETS += ["th", "sh", "ch", "sp", "sk", "sc", "qu"]
_VOWELS = [*"aeiouy", "ai", "ea", "io", "ou", "ia", "ee", "oo"]
_CODAS = ["", "", "", "", "n", "r", "s", "l", "m", "t", "x", "nd", "st", "ck", "ng", "ph"]
_SUFFIXES = ["", "", "", "", "s", "ed", "ing", "ion", "ism", "ity", "ology", "al", "ic"]
_SUFFIXES += ["ment", "ance", "ive", "ous", "er", "ly", "ness", "ation", "isation", "ization"]
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
TYPOS = 40  # of each kind
SUGGEST_WORDS = 150_000  # made-up words added: a real library's vocabulary, 100,000 or more


def made_words(rng: random.Random, n: int, known: set[str]) -> list[str]:
    """``n`` new words, most frequent first."""
    words: list[str] = []
    seen = set(known)
    while len(words) < n:
        if rng.random() < 0.08:
            word = rng.choice(_ONSETS) + str(rng.randrange(1, 3000))
        else:
            syllables = rng.choices((1, 2, 3, 4, 5), weights=(20, 52, 22, 5, 1))[0]
            word = "".join(
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                for _ in range(syllables)
            ) + rng.choice(_SUFFIXES)
        if len(word) <= 20 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _edited(rng: random.Random, word: str, edits: int) -> str:
    for _ in range(edits):
        at = rng.randrange(len(word))
        kind = rng.randrange(4)
        if kind == 0 and len(word) > 4:
            word = word[:at] + word[at + 1 :]
        elif kind == 1:
            word = word[:at] + rng.choice(_LETTERS) + word[at:]
        elif kind == 2 or at + 1 == len(word):
            word = word[:at] + rng.choice(_LETTERS) + word[at + 1 :]
        else:
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word


def typos(rng: random.Random, own: list[str], vocabulary: set[str]) -> dict[str, list[str]]:
    """Typos of the catalog's own words: one edit (words of 4 letters or more), two
    (words of 7 or more: two edits are corrected from 6 letters), and words of random
    letters (almost always nothing near)."""
    out: dict[str, list[str]] = {"one edit": [], "two edits": [], "nothing near": []}
    for kind, edits, shortest in (("one edit", 1, 4), ("two edits", 2, 7)):
        words = [w for w in own if len(w) >= shortest]
        while len(out[kind]) < TYPOS:
            typo = _edited(rng, rng.choice(words), edits)
            if typo not in vocabulary and typo not in out[kind]:
                out[kind].append(typo)
    while len(out["nothing near"]) < TYPOS:
        out["nothing near"].append("".join(rng.choices(_LETTERS, k=rng.randrange(6, 12))))
    return out


def suggest_figures(
    root: Path, catalog_file: Path, scratch: Path, extra: int, log: Callable[[str], None]
) -> dict[str, Any] | None:
    """The suggestion's latency on a copy of ``catalog_file`` given ``extra`` words."""
    from qtreader.library.catalog import Catalog

    if not hasattr(Catalog, "suggest"):
        return None
    try:
        from qtreader.library.catalog.suggest import write_spellings
    except ImportError:  # the code before the spellings table: it reads every word
        write_spellings = None
    copy = scratch / "suggest.sqlite3"
    shutil.copyfile(catalog_file, copy)
    rng = random.Random(SEED + 22)
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        own = [t for (t,) in conn.execute("SELECT term FROM words") if t.isalpha()]
        made = made_words(rng, extra, set(own))
        counts = [(w, max(1, int(40_000 / (rank + 10) ** 1.05))) for rank, w in enumerate(made)]
        conn.execute("BEGIN")
        conn.executemany("INSERT OR IGNORE INTO words VALUES (?, ?)", counts)
        written = float("nan")
        if write_spellings is not None:
            started = time.perf_counter()
            write_spellings(conn)
            written = time.perf_counter() - started
        conn.execute("COMMIT")
        (words,) = conn.execute("SELECT count(*) FROM words").fetchone()
        spelt = float("nan")
        if write_spellings is not None:
            (spelt,) = conn.execute("SELECT sum(length(terms) + 8) FROM spellings").fetchone()
    finally:
        conn.close()
    log(f"  {words:,} words ({extra:,} made up); spellings written in {written * 1000:.0f} ms")
    asked = typos(rng, own, set(own) | set(made))
    out: dict[str, Any] = {"words": words, "spellings_write": written, "spellings_bytes": spelt}
    for kind, some in asked.items():
        first, again, found = [], [], 0
        for typo in some:
            catalog = Catalog(root, copy)
            try:
                if catalog.search(typo, typing=False, limit=1).total:
                    continue  # a typo that is a word of the answers: no suggestion asked
                started = time.perf_counter()
                suggestion = catalog.suggest(typo)
                first.append(time.perf_counter() - started)
                times = []
                for _ in range(3):
                    started = time.perf_counter()
                    catalog.suggest(typo)
                    times.append(time.perf_counter() - started)
                again.append(median(times))
                found += suggestion is not None
            finally:
                catalog.close()
        out[kind] = {
            "typos": len(first),
            "suggested": found,
            "first_median": median(first),
            "first_p95": percentile(first, 95),
            "again_median": median(again),
            "again_p95": percentile(again, 95),
        }
    for suffix in ("", "-wal", "-shm", ".lock", ".refresh.lock"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return out


def table_rows(fig: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The report's rows: one per kind of typo (figure, measured, target, result)."""
    rows = []
    for kind in ("one edit", "two edits", "nothing near"):
        f = fig[kind]
        rows.append(
            (
                f"did you mean: catalog.suggest(), {kind} ({f['typos']} typos, "
                f"{f['suggested']} suggested; {fig['words']:,} words)",
                f"first after opening {f['first_median'] * 1000:.1f} ms (p95 "
                f"{f['first_p95'] * 1000:.1f}); again {f['again_median'] * 1000:.1f} ms "
                f"(p95 {f['again_p95'] * 1000:.1f})",
                "≤ 30 ms",
                "ok" if f["first_p95"] <= 0.030 and f["again_p95"] <= 0.030 else "**MISSED**",
            )
        )
    return rows


def run_suggest(args: Any, scratch: Path, log: Callable[[str], None]) -> int:
    """``python -m bench --suggest``: the library (reused from --keep), its catalog
    brought up to date (kept in --felt-cache DIR between runs), then the figures."""
    import os

    from qtreader.library import paths
    from qtreader.library.catalog import Catalog

    from .library import prepare_library
    from .tools import machine_info

    if args.felt_cache:
        args.felt_cache.mkdir(parents=True, exist_ok=True)
        os.environ["XDG_CACHE_HOME"] = str(args.felt_cache.resolve())
    log("\n".join(machine_info()))
    root, _, _ = prepare_library(args.keep, args.articles, scratch)
    started = time.perf_counter()
    with Catalog(root) as catalog:
        catalog.refresh()
    log(f"Catalog of {root} up to date in {time.perf_counter() - started:.1f} s")
    log("Did you mean …")
    fig = suggest_figures(root, paths.catalog_path(root), scratch, args.suggest_words, log)
    if fig is None:
        log("no Catalog.suggest in this qtreader")
        return 1
    log("")
    log("| figure | measured | target | result |\n| --- | --- | --- | --- |")
    for row in table_rows(fig):
        log("| " + " | ".join(row) + " |")
    return 0
