"""Issue 19, the catalog's side: refreshes side by side, pages damaged inside the file, a
full disk or a read-only catalog, and queries built to cost minutes.

The races run ``qtreader`` in subprocesses with timeouts, and wait for conditions (a
lock held, a line printed) with deadlines, never for a while.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from bench.library import generate_library
from libhelpers import damage, write_article

from qtreader.library import paths
from qtreader.library.catalog import Catalog, storage
from qtreader.library.query import parse_query

REPO = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # seconds: generous, for a loaded CI machine


# -- helpers -------------------------------------------------------------------


def qtreader(*args: str) -> subprocess.Popen[str]:
    """``python -m qtreader ARGS``, started; the test's XDG folders are in os.environ."""
    return subprocess.Popen(
        [sys.executable, "-m", "qtreader", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=DEADLINE)
    return proc.returncode, out, err


def add_articles(root: Path, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        write_article(
            root, f"extra/e{n}.md", title=f"Extra article {n}", subject="Extra",
            url=f"/extra/{n}", id=f"x{n}", answer=f"Rainwater number {n} fills the tank.",
        )  # fmt: skip


def whole(db: Path, files: int) -> None:
    """The catalog holds one article per file and SQLite finds nothing wrong in it."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*) FROM files").fetchone() == (files,)
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (files,)
        assert conn.execute("SELECT sum(count) FROM subjects").fetchone() == (files,)
        fts = conn.execute("SELECT count(*) FROM fts WHERE fts MATCH 'rainwater'").fetchone()
        extra = conn.execute("SELECT count(*) FROM articles WHERE subject = 'Extra'").fetchone()
        assert fts == extra
    finally:
        conn.close()


def lock_is_held(path: Path) -> bool:
    """Whether another process holds an exclusive flock on ``path``."""
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def wait_for(condition, what: str, proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process ended before {what}: {proc.communicate()}")
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.005)


# -- two refreshes at once -------------------------------------------------------


def test_two_refreshes_at_once_both_finish_and_the_catalog_is_whole(tmp_path):
    root = tmp_path / "lib"
    add_articles(root, 20)
    code, _, err = finish(qtreader("index", str(root)))
    assert code == 0, err
    db = paths.catalog_path(root)
    files = 20
    for _round in range(3):  # it failed 3 times of 3 before the lock
        add_articles(root, 200, start=files)
        files += 200
        first, second = qtreader("index", str(root)), qtreader("index", str(root))
        results = [finish(first), finish(second)]
        for code, _out, err in results:
            assert code == 0, err
            assert "Traceback" not in err
        whole(db, files)
        # One of them refreshed, the other found nothing left, or little.
        added = sorted(int(out.split("(")[1].split(" added")[0]) for _, out, _ in results)
        assert sum(added) == 200, [out for _, out, _ in results]


def test_a_refresh_waits_for_the_one_running_and_says_so_once(tmp_path):
    root = tmp_path / "lib"
    add_articles(root, 5)
    db = paths.catalog_path(root)
    db.parent.mkdir(parents=True)
    lock = Path(f"{db}.refresh.lock")  # what another qtreader refreshing holds
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    waiting_line = "qtreader: waiting for another qtreader to finish refreshing"
    try:
        proc = qtreader("index", str(root))
        assert proc.stderr is not None
        line = proc.stderr.readline()  # blocks until the line, or the end (then "")
        assert line.startswith(waiting_line), (line, proc.communicate(timeout=DEADLINE))
        assert str(root.resolve()) in line
        assert proc.poll() is None  # it waits
    finally:
        os.close(fd)  # the other refresh ends
    code, out, err = finish(proc)
    assert code == 0, err
    assert waiting_line not in err  # said once
    assert out.startswith("Catalog built: 5 articles")


def test_a_search_while_a_refresh_runs_answers(tmp_path):
    root = tmp_path / "lib"
    add_articles(root, 10)
    code, _, err = finish(qtreader("index", str(root)))
    assert code == 0, err
    add_articles(root, 2500, start=10)  # a refresh that takes a while
    db = paths.catalog_path(root)
    refresh = qtreader("index", str(root))
    wait_for(lambda: lock_is_held(Path(f"{db}.refresh.lock")), "the refresh runs", refresh)
    search = subprocess.run(
        [sys.executable, "-m", "qtreader", "search", "rainwater", "--library", str(root)],
        capture_output=True, text=True, timeout=DEADLINE, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert search.returncode == 0, search.stderr
    assert "Traceback" not in search.stderr
    assert search.stdout.splitlines()[-1].endswith(" of 2,510 shown.")
    code, _, err = finish(refresh)
    assert code == 0, err
    whole(db, 2510)


def test_catalogs_of_one_process_open_while_another_refreshes(tmp_path):
    # The reader's background refresh beside a second Catalog (a CLI command in the
    # same process, or a test): the second waits, then reads what the first wrote.
    root = tmp_path / "lib"
    add_articles(root, 3)
    db = tmp_path / "catalog.sqlite3"
    told: list[str] = []
    with Catalog(root, db) as first:
        first.refresh()
        add_articles(root, 2, start=3)
        with Catalog(root, db, waiting=lambda: told.append("waiting")) as second:
            assert first.refresh().added == 2
            assert second.refresh().unchanged
            assert second.count() == 5
    assert told == []  # nobody was refreshing when either started


# -- damaged pages -------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Iterator[tuple[Path, dict[str, list[tuple]]]]:
    """A generated library of 400 articles, and the dump of a fresh build of it."""
    base = tmp_path_factory.mktemp("generated")
    root = base / "lib"
    generate_library(root, 400)
    fresh = base / "fresh.sqlite3"
    with Catalog(root, fresh) as cat:
        cat.refresh(workers=1)
    yield root.resolve(), dump(fresh)


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table that holds data (the FTS shadow tables too)."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0 "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1, 2').fetchall() for t in tables}
    finally:
        conn.close()


def built(root: Path, db: Path) -> None:
    with Catalog(root, db) as cat:
        cat.refresh(workers=1)


@pytest.mark.parametrize("table", ["articles", "answers", "fts_data"])
def test_a_refresh_finds_damaged_pages_and_rebuilds(generated, tmp_path, table):
    root, fresh = generated
    db = tmp_path / "catalog.sqlite3"
    built(root, db)
    damage(db, table)
    with Catalog(root, db) as cat:
        report = cat.refresh(workers=1)  # the folder did not change
        assert report.rebuilt  # it said "0 changed" and kept the damage
        assert report.repaired
        assert report.total == 400
        assert not cat.damaged
    assert dump(db) == fresh


def test_a_read_that_meets_damage_says_so_in_one_line_and_rebuild_mends_it(generated, tmp_path):
    root, fresh = generated
    db = tmp_path / "catalog.sqlite3"
    built(root, db)
    damage(db, "answers", pages=10)
    with Catalog(root, db) as cat:
        rowids = cat.list_rowids(include_stubs=True)
        with pytest.raises(Exception) as raised:  # its type: below
            for rowid in rowids:
                cat.article(rowid)
        message = str(raised.value)
        assert message == (f"the catalog {db} is damaged; it will be rebuilt from the library")
        from qtreader.library.catalog import CatalogDamaged

        assert isinstance(raised.value, CatalogDamaged)
        assert cat.damaged
        seen: list[tuple[int, int]] = []
        report = cat.rebuild(lambda done, total: seen.append((done, total)))
        assert report.repaired and report.total == 400
        assert seen and seen[-1] == (400, 400)
        assert not cat.damaged
        assert all(cat.article(rowid) is not None for rowid in cat.list_rowids())
    assert dump(db) == fresh


def test_a_search_that_meets_damage_raises_catalog_damaged(generated, tmp_path):
    from qtreader.library.catalog import CatalogDamaged

    root, _ = generated
    db = tmp_path / "catalog.sqlite3"
    built(root, db)
    leaves = damage(db, "fts_data", pages=1000)  # every leaf: any search meets one
    assert leaves
    with Catalog(root, db) as cat, pytest.raises(CatalogDamaged):
        cat.search("the", quick=False, typing=False)


def test_the_check_at_refresh_costs_little(generated, tmp_path):
    # Every table and index read whole: a few ms here, 25-40 ms at 150,000 articles.
    root, _ = generated
    db = tmp_path / "catalog.sqlite3"
    built(root, db)
    with Catalog(root, db) as cat:
        started = time.perf_counter()
        assert cat._intact()
        assert time.perf_counter() - started < 1.0


# -- a full disk, a read-only catalog ------------------------------------------------


def limited_connect(pragma: str):
    """``storage.connect`` whose connections run ``pragma`` (a disk full at the
    catalog's size, or a read-only file)."""
    plain = storage.connect

    def connect(path: Path, journal: str = "WAL") -> sqlite3.Connection:
        conn = plain(path, journal)
        if pragma == "full":
            (pages,) = conn.execute("PRAGMA page_count").fetchone()
            conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        else:
            conn.execute(pragma)
        return conn

    return connect


@pytest.fixture
def catalog_with_more_to_read(tmp_path) -> Iterator[Catalog]:
    root = tmp_path / "lib"
    add_articles(root, 30)
    with Catalog(root, tmp_path / "catalog.sqlite3") as cat:
        cat.refresh()
        add_articles(root, 300, start=30)  # pages the catalog has no room for
        yield cat


def test_a_full_disk_says_so_and_the_catalog_still_answers(catalog_with_more_to_read, monkeypatch):
    from qtreader.library.catalog import CatalogUnwritable

    cat = catalog_with_more_to_read
    monkeypatch.setattr(storage, "connect", limited_connect("full"))
    with pytest.raises(Exception) as raised:  # its type: below
        cat.refresh()
    assert str(raised.value) == (  # not "cannot rollback - no transaction is active"
        f"the disk holding {cat.db_path} is full; the catalog stays as it was"
    )
    assert isinstance(raised.value, CatalogUnwritable)
    assert cat.count() == 30
    assert cat.search("rainwater", typing=False).total == 30
    monkeypatch.undo()  # room again: the next refresh reads them
    assert cat.refresh().added == 300


def test_a_read_only_catalog_says_so_and_still_answers(catalog_with_more_to_read, monkeypatch):
    cat = catalog_with_more_to_read
    monkeypatch.setattr(storage, "connect", limited_connect("PRAGMA query_only = 1"))
    with pytest.raises(Exception) as raised:  # its type: below
        cat.refresh()
    assert str(raised.value).startswith(f"cannot write {cat.db_path} (")
    from qtreader.library.catalog import CatalogUnwritable

    assert isinstance(raised.value, CatalogUnwritable)
    assert cat.search("rainwater", typing=False).total == 30


def test_no_room_for_a_first_build_says_the_disk_is_full(tmp_path, monkeypatch):
    root = tmp_path / "lib"
    add_articles(root, 3)

    def no_space(path: Path, directory: bool = False) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage, "_fsync", no_space)
    with Catalog(root, tmp_path / "catalog.sqlite3") as cat:
        with pytest.raises(Exception, match=r"^the disk holding .* is full") as raised:
            cat.refresh()
        from qtreader.library.catalog import CatalogUnwritable

        assert isinstance(raised.value, CatalogUnwritable)
        assert cat.count() == 0  # an empty catalog, usable
        assert list(tmp_path.glob("catalog.sqlite3.building-*")) == []


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """``path`` made unwritable for this process: mode 0444, or for root (who writes 0444
    files) the immutable attribute; skips the test where neither can be had."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield
        return
    if shutil.which("chattr") is None:
        pytest.skip("root writes 0444 files, and there is no chattr")
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if made.returncode:
        pytest.skip(f"root writes 0444 files, and chattr +i failed: {made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_catalog_file_that_cannot_be_written_says_so_and_still_answers(tmp_path):
    from qtreader.library.catalog import CatalogUnwritable

    root = tmp_path / "lib"
    add_articles(root, 3)
    db = tmp_path / "cache" / "catalog.sqlite3"
    db.parent.mkdir()
    built(root, db)
    add_articles(root, 3, start=3)
    with unwritable(db), Catalog(root, db) as cat:
        with pytest.raises(CatalogUnwritable, match=r"^cannot write "):
            cat.refresh()
        assert cat.count() == 3
        assert cat.search("rainwater", typing=False).total == 3


# -- what a query may cost -------------------------------------------------------------


@pytest.fixture(scope="module")
def big_catalog(generated, tmp_path_factory) -> Iterator[Catalog]:
    root, _ = generated
    db = tmp_path_factory.mktemp("big") / "catalog.sqlite3"
    with Catalog(root, db) as cat:
        cat.refresh(workers=1)
        yield cat


HOSTILE_QUERIES = {
    "a word a thousand times": "water* " * 1000,
    "a word 18,000 times": "water* " * 18000,
    "a megabyte": ("the and of in " * 70_000)[:1_000_000],
    "1,000 exclusions": " ".join(f"-w{n}" for n in range(1000)) + " water",
    "exclusions first": "water " + " ".join(f"-w{n}" for n in range(1000)),
    "999 subjects": "water " + " ".join(f"subject:s{n}" for n in range(999)),
    "a 600-word phrase": '"' + " ".join(["the"] * 600) + '"',
    "one-letter words": " ".join("abcdefghijklmnopqrstuvwxyz" * 40),
}


@pytest.mark.parametrize("name", list(HOSTILE_QUERIES))
def test_any_text_is_answered_at_once_and_said_to_be_shortened(big_catalog, name):
    text = HOSTILE_QUERIES[name]
    for quick, typing in ((True, True), (False, True), (False, False)):
        started = time.perf_counter()
        result = big_catalog.search(text, quick=quick, typing=typing, limit=200 if quick else None)
        big_catalog.hits(result, 0, 20)
        took = time.perf_counter() - started
        assert took < 2.0, (name, quick, typing, took)  # measured: at most 0.05 s here
    assert result.query.shortened
    assert result.query.warning.startswith("the query was shortened: ")
    assert "\n" not in result.query.warning


def test_the_limits_of_a_query():
    from qtreader.library.query import MAX_CHARS, MAX_LEFT_OUT, MAX_SUBJECTS, MAX_WORDS

    many = parse_query(" ".join(f"w{n}" for n in range(40)), typing=True)
    assert [w for (w,) in many.include] == [f"w{n}" for n in range(MAX_WORDS)]
    assert not many.prefix_last  # the word being typed was left out
    assert many.warning == f"the query was shortened: only {MAX_WORDS} words are searched for"
    left_out = parse_query("x " + " ".join(f"-w{n}" for n in range(20)))
    assert len(left_out.exclude) == MAX_LEFT_OUT
    assert left_out.warning.endswith(f"only {MAX_LEFT_OUT} words are left out")
    subjects = parse_query(" ".join(f"subject:s{n}" for n in range(6)))
    assert subjects.subjects == ["s0", "s1", "s2", "s3"][:MAX_SUBJECTS]
    long = parse_query("word " * 200)
    assert long.include == [["word"]]
    assert (
        long.warning == f"the query was shortened: only its first {MAX_CHARS} characters are read"
    )
    phrase = parse_query('"' + " ".join(["w"] * 50) + '"')
    assert phrase.include == [["w"] * MAX_WORDS]
    # A word or phrase given twice counts once, and is no reason to warn.
    again = parse_query("water cycle water water cyc")
    assert again.include == [["cycle"], ["water"], ["cyc"]] and again.prefix_last
    assert not again.shortened and again.warning == ""
    assert parse_query("water").warning == ""


def test_text_that_is_not_utf8_is_searched_without_it(big_catalog):
    result = big_catalog.search("water\udcff subject:\udcfe", typing=False)
    assert result.query.include == [["water"]]


def test_a_search_sqlite_refuses_is_a_query_error_and_an_interrupt_stays_one(
    big_catalog, monkeypatch
):
    from qtreader.library.catalog import CatalogError, QueryError, search

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("fts5: parser stack overflow")

    monkeypatch.setattr(search, "search", refuse)
    with pytest.raises(QueryError) as raised:
        big_catalog.search("water")
    assert isinstance(raised.value, CatalogError)
    assert "\n" not in str(raised.value) and "parser stack overflow" in str(raised.value)

    def interrupted(*args, **kwargs):
        raise sqlite3.OperationalError("interrupted")

    monkeypatch.setattr(search, "search", interrupted)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        big_catalog.search("water")
