"""Fault injection for the catalog (issue 19): builds and refreshes killed at random
moments, refreshes run side by side, pages damaged at random. Prints, for each kind,
how many runs ended with a catalog identical to a fresh build of the library; it must
be all of them (exit status 1 otherwise).

    cd tests && python -m faults_catalog [--articles 2000] [--seed 19] [--kills 8]
        [--refresh-kills 8] [--changes 200] [--damage 30] [--races 5] [--pauses 5]
        [--rev HEAD]

Build killed: ``qtreader index LIB`` in a subprocess of a session of its own, SIGKILLed
(the process alone, as the kernel's OOM killer or ``kill -9`` would) after a random
delay between its start and its usual end (measured first, unkilled), then ``qtreader
index LIB`` again. Refresh killed: the same on a built catalog after ~``--changes``
files were added or changed (and a few removed). After each kill, every process of the
killed run (its process group, and its descendants seen just before the kill) must be
gone within a few seconds (leftovers are named, then killed), the next run must exit 0
and leave no ``.building-*`` file, and the catalog must be identical to a fresh build.

Page damage: a fresh catalog, 5 random leaf pages of a random table overwritten with
random bytes, then ``Catalog.refresh()`` (as every command and the reader's launch do):
the catalog must come back whole. Races: 200 new files, then two or three ``qtreader
index`` at once: every one must exit 0 and the catalog hold what a fresh build holds.
Paused: a first build stopped on purpose (BuildPaused, as the reader's quit) once or
twice at random, then built to the end, going on from where it stopped.

"Identical" is the content, not the bytes: the same files, articles (by path), answers,
links, problems and subjects, and the same words in both full-text indexes with the
same counts. A refresh numbers new articles after the old ones, a fresh build in scan
order, so row ids may differ.

The defaults (2,000 articles, so a build uses the parse workers) take 1-2 minutes on
2 cores; ``--kills 0`` etc. skips a kind. Runs use a scratch folder and their own
``XDG_CACHE_HOME``: the user's catalogs are never touched. The qtreader/ tested is a
copy made at the start (of the working tree, or of ``--rev``), so edits made meanwhile
do not mix two versions of the code in one comparison.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.library import generate_library

REPO = Path(__file__).resolve().parents[1]
CODE = REPO  # where the qtreader under test is: a copy, see snapshot()


def snapshot(dest: Path, rev: str | None) -> Path:
    """Copy qtreader/ (of the working tree, or of commit ``rev``) into ``dest`` and
    test that copy, here and in every subprocess: edits made while the script runs
    would otherwise meet code imported before them (a fresh build by older code than
    the runs it is compared with)."""
    global CODE
    dest.mkdir(parents=True)
    if rev is None:
        shutil.copytree(
            REPO / "qtreader", dest / "qtreader", ignore=shutil.ignore_patterns("__pycache__")
        )
    else:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", rev, "qtreader"],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
    sys.path.insert(0, str(dest))  # before any import of qtreader
    CODE = dest
    return dest


TABLES = ("articles", "answers", "fts_data", "quick_data", "links", "files")


def content(db: Path) -> dict[str, list[tuple]]:
    """What a catalog holds, independent of row ids and FTS segment layout."""
    from qtreader.library.catalog import unpack

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
    from qtreader.library.catalog import Catalog

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
    from qtreader.library.catalog import Catalog

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
        print(f"  damage {run + 1}: {what}: {outcome}, {'identical' if same else 'DIFFERENT'}")
    return good


def pause_runs(root: Path, work: Path, runs: int, seed: int) -> int:
    """First builds stopped on purpose (as the reader's quit does: BuildPaused from the
    progress) once or twice at random moments, then built to the end: each must end
    identical to a fresh build, and go on from where it stopped."""
    from qtreader.library.catalog import BuildPaused, Catalog

    fresh = fresh_build(root, work / "fresh.sqlite3")
    good = 0
    for run in range(runs):
        rng = random.Random(seed + 1000 + run)
        db = work / "paused.sqlite3"
        for leftover in work.glob("paused.sqlite3*"):
            leftover.unlink()
        stops = sorted(rng.randrange(1, len(fresh["files"])) for _ in range(rng.choice((1, 2))))
        starts: list[int] = []
        try:
            for stop in stops:
                seen: list[int] = []

                def progress(done: int, total: int, stop: int = stop, seen=seen) -> None:
                    seen.append(done)
                    if done >= stop:
                        raise BuildPaused

                try:
                    with Catalog(root, db) as cat:
                        cat.refresh(progress)
                except BuildPaused:
                    pass
                starts.append(seen[0] if seen else 0)
            last: list[int] = []
            with Catalog(root, db) as cat:
                cat.refresh(lambda done, total, last=last: last.append(done))
            starts.append(last[0] if last else 0)
            same = content(db) == fresh
            outcome = f"stopped at {stops}, read from {starts}"
        except Exception as exc:  # a failure is what this script counts
            same, outcome = False, f"{type(exc).__name__}: {exc}"
        good += same
        print(f"  paused {run + 1}: {outcome}, {'identical' if same else 'DIFFERENT'}")
    return good


def race_runs(root: Path, work: Path, runs: int, seed: int) -> int:
    env = cli_env(work / "cache")
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
              f"{'identical' if same else 'DIFFERENT ' + repr(errors)}")  # fmt: skip
    return good


# -- kills -----------------------------------------------------------------------

GRACE_SECONDS = 5.0  # for the killed run's other processes to end on their own
RUN_TIMEOUT = 300


def cli_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(CODE), "XDG_CACHE_HOME": str(cache)}


def index_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "qtreader", "index", str(root)]


def catalogs(cache: Path) -> Path:
    return cache / "qtreader" / "catalogs"


def building_files(cache: Path) -> list[str]:
    return sorted(p.name for p in catalogs(cache).glob("*.building-*"))


def the_catalog(cache: Path) -> Path | None:
    found = list(catalogs(cache).glob("*.sqlite3"))
    return found[0] if len(found) == 1 else None


def proc_stat(pid: int) -> tuple[str, int, int, str] | None:
    """(state, parent, process group, start time) of a live process, from /proc."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[2]), fields[19]


def all_processes() -> dict[int, tuple[str, int, int, str]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := proc_stat(int(entry))) is not None:
            found[int(entry)] = stat
    return found


def descendants(pid: int) -> dict[int, str]:
    """The processes below ``pid`` now, with their start times (against pid reuse)."""
    table = all_processes()
    children: dict[int, list[int]] = {}
    for child, (_, parent, _, _) in table.items():
        children.setdefault(parent, []).append(child)
    found: dict[int, str] = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found[child] = table[child][3]
        todo.extend(children.get(child, []))
    return found


def survivors(group: int, seen: dict[int, str]) -> dict[int, str]:
    """Processes of the killed run still running (zombies excepted): in its process
    group, or below it just before the kill. Their command lines, by pid."""
    left = {}
    for pid, (state, _, pgrp, started) in all_processes().items():
        if state == "Z" or pid == os.getpid():
            continue
        if pgrp == group or seen.get(pid) == started:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            left[pid] = cmdline.replace(b"\0", b" ").decode(errors="replace").strip()[:120]
    return left


@dataclass
class Kill:
    delay: float  # seconds after the start
    below: int = 0  # processes it had started, alive at the kill
    ended_first: bool = False  # the run ended before the kill came
    left_running: dict[int, str] = field(default_factory=dict)  # after GRACE_SECONDS
    building_left: list[str] = field(default_factory=list)  # right after the kill
    catalog_left: bool = False

    def describe(self, usual: float) -> str:
        if self.ended_first:
            return f"ended before the kill at {self.delay:.2f} of {usual:.2f} s"
        left = ", ".join(self.building_left) or "no .building file"
        catalog = "a catalog file" if self.catalog_left else "no catalog file"
        return (
            f"killed at {self.delay:.2f} of {usual:.2f} s, {self.below} processes below it"
            f" ({left}, {catalog})"
        )


def kill_at(command: list[str], env: dict[str, str], cache: Path, delay: float) -> Kill:
    """Run ``command``, SIGKILL it ``delay`` seconds after its start, and see what stays."""
    kill = Kill(delay)
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its process group: the pid, to find its children by
    )
    try:
        proc.wait(timeout=delay)
        kill.ended_first = True
    except subprocess.TimeoutExpired:
        seen = descendants(proc.pid)
        proc.kill()
        kill.below = len(seen)
        proc.wait()
        deadline = time.monotonic() + GRACE_SECONDS
        while (left := survivors(proc.pid, seen)) and time.monotonic() < deadline:
            time.sleep(0.05)
        kill.left_running = left
        for pid in left:  # ours (the killed run's): not left for the next runs
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    kill.building_left = building_files(cache)
    kill.catalog_left = the_catalog(cache) is not None
    return kill


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(command, env=env, capture_output=True, check=True, timeout=RUN_TIMEOUT)
    return time.monotonic() - started


def next_run(
    root: Path, cache: Path, fresh: dict[str, list[tuple]], kill: Kill
) -> tuple[bool, str]:
    """``qtreader index`` after a kill: is all well? (and what is not)."""
    wrong = []
    if kill.left_running:
        wrong.append(f"{len(kill.left_running)} processes left running: {kill.left_running}")
    try:
        done = subprocess.run(
            index_command(root),
            env=cli_env(cache),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return False, "; ".join([*wrong, f"the next run hung ({RUN_TIMEOUT} s)"])
    if done.returncode != 0:
        wrong.append(f"the next run exited {done.returncode}: {done.stderr.strip()[-300:]!r}")
    if left := building_files(cache):
        wrong.append(f"left after the next run: {left}")
    db = the_catalog(cache)
    if db is None:
        wrong.append(f"no catalog (or several) in {catalogs(cache)}")
    else:
        try:
            theirs = content(db)
        except sqlite3.Error as exc:
            wrong.append(f"the catalog cannot be read: {exc}")
        else:
            if theirs != fresh:
                differ = [part for part in fresh if theirs.get(part) != fresh[part]]
                wrong.append(f"not identical to a fresh build: {', '.join(differ)} differ")
    return not wrong, "; ".join(wrong) or "identical"


def build_kill_runs(root: Path, work: Path, runs: int, seed: int) -> tuple[int, int]:
    """First builds killed at random moments; (runs all well, runs really killed)."""
    if runs <= 0:
        return 0, 0
    cache = work / "cache-build-kills"
    env = cli_env(cache)
    fresh = fresh_build(root, work / "fresh.sqlite3")
    times = []
    for _ in range(2):  # the shorter of two first builds: its usual end
        clear(cache)
        times.append(timed(index_command(root), env))
    usual = min(times)
    rng = random.Random(seed)
    good = killed = 0
    for run in range(runs):
        clear(cache)
        kill = kill_at(index_command(root), env, cache, rng.uniform(0, usual))
        killed += not kill.ended_first
        well, said = next_run(root, cache, fresh, kill)
        good += well
        print(f"  build killed {run + 1}: {kill.describe(usual)}; next run: {said}")
    return good, killed


def clear(cache: Path) -> None:
    shutil.rmtree(cache, ignore_errors=True)


def change_library(root: Path, run: int, changes: int, rng: random.Random) -> str:
    """About ``changes`` files: half new, half changed; and a few removed."""
    existing = sorted(p for p in root.rglob("*.md") if not p.name.startswith("."))
    extra = root / f"kill-{run}"
    extra.mkdir()
    added = changes // 2
    for n in range(added):
        (extra / f"k{n}.md").write_text(
            f"---\ntitle: Killed refresh {run} article {n}\nsubject: Kills\n"
            f"url: /kill/{run}/{n}\nanswer: Groundwater {rng.random()}\n---\n",
            encoding="utf-8",
        )
    picked = rng.sample(existing, min(len(existing), changes - added + changes // 20))
    changed, removed = picked[: changes - added], picked[changes - added :]
    for path in changed:
        text = path.read_text(encoding="utf-8")
        revised = text.replace("answer: >-\n    ", f"answer: >-\n    Revised {run} ", 1)
        path.write_text(revised if revised != text else text + "\n", encoding="utf-8")
    for path in removed:
        path.unlink()
    return f"{added} added, {len(changed)} changed, {len(removed)} removed"


def refresh_kill_runs(
    root: Path, work: Path, runs: int, seed: int, changes: int
) -> tuple[int, int]:
    """Refreshes killed at random moments; (runs all well, runs really killed)."""
    if runs <= 0:
        return 0, 0
    cache = work / "cache-refresh-kills"
    env = cli_env(cache)
    rng = random.Random(seed)
    clear(cache)
    timed(index_command(root), env)
    change_library(root, 0, changes, rng)
    usual = timed(index_command(root), env)  # measured on the same kind of change
    good = killed = 0
    for run in range(1, runs + 1):
        what = change_library(root, run, changes, rng)
        kill = kill_at(index_command(root), env, cache, rng.uniform(0, usual))
        killed += not kill.ended_first
        fresh = fresh_build(root, work / "fresh.sqlite3")
        well, said = next_run(root, cache, fresh, kill)
        good += well
        print(f"  refresh killed {run}: {what}, {kill.describe(usual)}; next run: {said}")
    return good, killed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="library size")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--kills", type=int, default=8, help="first builds killed")
    parser.add_argument("--refresh-kills", type=int, default=8, help="refreshes killed")
    parser.add_argument(
        "--changes", type=int, default=200, help="files added or changed before a refresh"
    )
    parser.add_argument("--damage", type=int, default=30, help="page-damage runs")
    parser.add_argument("--races", type=int, default=5, help="concurrent-refresh runs")
    parser.add_argument("--pauses", type=int, default=5, help="first builds stopped and resumed")
    parser.add_argument(
        "--rev", help="test qtreader/ as committed in REV (default: the working tree)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="qtreader-faults-") as scratch:
        work = Path(scratch)
        snapshot(work / "code", args.rev)
        root = work / "library"
        generate_library(root, args.articles)
        print(f"{args.articles} articles in {root}, seed {args.seed}, "
              f"qtreader/ of {args.rev or 'the working tree'} copied to {CODE}")  # fmt: skip
        damaged = page_damage_runs(root, work, args.damage, args.seed) if args.damage else 0
        build_killed, builds_hit = build_kill_runs(root, work, args.kills, args.seed)
        refresh_killed, refreshes_hit = refresh_kill_runs(
            root, work, args.refresh_kills, args.seed, args.changes
        )
        raced = race_runs(root, work, args.races, args.seed) if args.races else 0
        paused = pause_runs(root, work, args.pauses, args.seed) if args.pauses else 0
    summary = [
        ("build killed", build_killed, args.kills, f" ({builds_hit} killed before their end)"),
        ("refresh killed", refresh_killed, args.refresh_kills,
         f" ({refreshes_hit} killed before their end)"),
        ("refreshes side by side", raced, args.races, ""),
        ("page damage", damaged, args.damage, ""),
        ("first build stopped and resumed", paused, args.pauses, ""),
    ]  # fmt: skip
    for kind, good, runs, note in summary:
        print(f"{kind}: {good} of {runs} runs ended identical to a fresh build{note}")
    print(f"{time.monotonic() - started:.0f} s")
    return 0 if all(good == runs for _, good, runs, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
