"""Fault injection for the catalog (issue 19): pages damaged at random, and refreshes
run side by side. Prints how many runs ended with a catalog equal to a fresh build of
the library; it must be all of them.

    cd tests && python -m faults_catalog [--articles 2000] [--damage 30] [--races 5]

Page damage: a fresh catalog, 5 random leaf pages of a random table overwritten with
random bytes, then ``Catalog.refresh()`` (as every command and the reader's launch do):
the catalog must come back whole. Races: 200 new files, then two or three ``qtreader
index`` at once: every one must exit 0 and the catalog hold what a fresh build holds.

"Equal" is the content, not the bytes: the same files, articles (by path), answers,
links, problems and subjects, and the same words in both full-text indexes with the
same counts. A refresh numbers new articles after the old ones, a fresh build in scan
order, so row ids may differ.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.library import generate_library

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qtreader.library.catalog import Catalog, unpack  # noqa: E402

TABLES = ("articles", "answers", "fts_data", "quick_data", "links", "files")


def content(db: Path) -> dict[str, list[tuple]]:
    """What a catalog holds, independent of row ids and FTS segment layout."""
    conn = sqlite3.connect(db)
    conn.execute("CREATE VIRTUAL TABLE temp.fts_words USING fts5vocab(main, fts, row)")
    conn.execute("CREATE VIRTUAL TABLE temp.quick_words USING fts5vocab(main, quick, row)")
    path_of = dict(conn.execute("SELECT rowid, path FROM articles"))
    try:
        return {
            "files": conn.execute(
                "SELECT f.path, f.size, f.mtime_ns, a.path FROM files f "
                "LEFT JOIN articles a ON a.rowid = f.article ORDER BY f.path"
            ).fetchall(),
            "articles": sorted(row[1:] for row in conn.execute("SELECT * FROM articles")),
            "answers": sorted(
                (path_of[rowid], unpack(answer))
                for rowid, answer in conn.execute("SELECT rowid, answer FROM answers")
            ),
            "links": sorted(
                (path_of.get(src), position, *rest, path_of.get(target))
                for src, position, *rest, target in conn.execute(
                    "SELECT src, position, id, title, subject, subject_key, url, target FROM links"
                )
            ),
            "problems": sorted(conn.execute("SELECT path, line, reason, severity FROM problems")),
            "subjects": sorted(conn.execute("SELECT * FROM subjects")),
            "fts words": conn.execute("SELECT * FROM temp.fts_words ORDER BY term").fetchall(),
            "quick words": conn.execute("SELECT * FROM temp.quick_words ORDER BY term").fetchall(),
        }
    finally:
        conn.close()


def fresh_build(root: Path, db: Path) -> dict[str, list[tuple]]:
    for leftover in db.parent.glob(f"{db.name}*"):
        leftover.unlink()
    with Catalog(root, db) as cat:
        cat.refresh()
    return content(db)


def damage(db: Path, rng: random.Random) -> str:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        table = rng.choice(TABLES)
        leaves = [
            n
            for (n,) in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (table,)
            )
        ]
    finally:
        conn.close()
    chosen = rng.sample(leaves, min(5, len(leaves)))
    with open(db, "r+b") as handle:
        for page in chosen:
            handle.seek((page - 1) * size)
            handle.write(rng.randbytes(size))
    return f"{table} pages {sorted(chosen)}"


def page_damage_runs(root: Path, work: Path, runs: int, seed: int) -> int:
    fresh_db = work / "fresh.sqlite3"
    fresh = fresh_build(root, fresh_db)
    good = 0
    for run in range(runs):
        rng = random.Random(seed + run)
        db = work / "damaged.sqlite3"
        for leftover in work.glob("damaged.sqlite3*"):
            leftover.unlink()
        shutil.copyfile(fresh_db, db)
        what = damage(db, rng)
        try:
            with Catalog(root, db) as cat:
                report = cat.refresh()
            same = content(db) == fresh
            outcome = (
                "found, rebuilt" if getattr(report, "repaired", False)  # (older code: none)
                else "rebuilt at opening" if report.rebuilt
                else "not seen"
            )  # fmt: skip
        except Exception as exc:  # a failure is what this script counts
            same, outcome = False, f"{type(exc).__name__}: {exc}"
        good += same
        print(f"  damage {run + 1}: {what}: {outcome}, {'equal' if same else 'DIFFERENT'}")
    return good


def race_runs(root: Path, work: Path, runs: int, seed: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(work / "cache")}
    index = [sys.executable, "-m", "qtreader", "index", str(root)]
    subprocess.run(index, env=env, capture_output=True, check=True, timeout=600)
    rng = random.Random(seed)
    good = 0
    for run in range(runs):
        extra = root / f"race-{run}"
        extra.mkdir()
        for n in range(200):
            (extra / f"r{n}.md").write_text(
                f"---\ntitle: Race {run} article {n}\nsubject: Races\nurl: /race/{run}/{n}\n"
                f"answer: Rainwater {rng.random()}\n---\n",
                encoding="utf-8",
            )
        procs = [
            subprocess.Popen(index, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(rng.choice((2, 3)))
        ]
        codes = [proc.wait(timeout=600) for proc in procs]
        errors = [proc.stderr.read().decode()[-300:] for proc in procs if proc.stderr]
        (db,) = (work / "cache" / "qtreader" / "catalogs").glob("*.sqlite3")
        same = all(code == 0 for code in codes) and content(db) == fresh_build(
            root, work / "fresh.sqlite3"
        )
        good += same
        print(f"  race {run + 1}: {len(procs)} at once, exits {codes}: "
              f"{'equal' if same else 'DIFFERENT ' + repr(errors)}")  # fmt: skip
    return good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--damage", type=int, default=30, help="page-damage runs")
    parser.add_argument("--races", type=int, default=5, help="concurrent-refresh runs")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qtreader-faults-") as scratch:
        work = Path(scratch)
        root = work / "library"
        generate_library(root, args.articles)
        print(f"{args.articles} articles in {root}")
        damaged = page_damage_runs(root, work, args.damage, args.seed)
        raced = race_runs(root, work, args.races, args.seed)
    print(f"page damage: {damaged} of {args.damage} runs ended equal to a fresh build")
    print(f"refreshes side by side: {raced} of {args.races} runs ended equal to a fresh build")
    return 0 if (damaged, raced) == (args.damage, args.races) else 1


if __name__ == "__main__":
    sys.exit(main())
