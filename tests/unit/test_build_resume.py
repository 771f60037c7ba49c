"""A first build stopped on purpose (the reader quit) is kept, and the next first build
goes on from where it stopped, ending with the catalog a fresh build makes (issue 19:
"Quit is immediate; the next launch resumes the build")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from faults_catalog import content
from libhelpers import write_article

from qtreader.library.catalog import BuildPaused, Catalog, RefreshReport
from qtreader.library.catalog.pool import CHUNK

FILES = CHUNK * 3 + 40  # four chunks, read in this process (below the pool's threshold)


def _library(root: Path) -> Path:
    for n in range(FILES):
        related = {"related_article1": {"id": f"id{(n + 7) % FILES}", "title": f"T {n + 7}"}}
        write_article(
            root,
            f"s{n % 4}/a{n:04}.md",
            id=f"id{n}",
            title=f"Question {n} about {'plants' if n % 3 else 'numbers'}",
            answer=f"Answer {n}: plants and numbers.",
            url=f"/q/{n % (FILES - 5)}",  # five urls shared: the earlier file keeps it
            **related,
        )
    return root


def _paused_after(chunks: int):
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= CHUNK * chunks:
            raise BuildPaused

    return progress, seen


def _partial(db: Path) -> Path:
    return db.with_name(db.name + ".partial")


def _pause(library: Path, db: Path, chunks: int = 2) -> None:
    progress, _ = _paused_after(chunks)
    with Catalog(library, db) as cat, pytest.raises(BuildPaused):
        cat.refresh(progress)


@pytest.fixture
def library(tmp_path):
    return _library(tmp_path / "library")


@pytest.fixture
def fresh(library, tmp_path):
    db = tmp_path / "fresh" / "catalog.sqlite3"
    db.parent.mkdir()
    with Catalog(library, db) as cat:
        cat.refresh()
    return content(db)


def test_a_paused_first_build_keeps_what_it_wrote_apart(library, tmp_path):
    db = tmp_path / "cache" / "catalog.sqlite3"
    db.parent.mkdir()
    _pause(library, db)
    assert _partial(db).is_file()
    with sqlite3.connect(_partial(db)) as conn:
        (files,) = conn.execute("SELECT count(*) FROM files").fetchone()
    assert CHUNK <= files < FILES
    with Catalog(library, db) as cat:
        assert cat.count() == 0  # nothing half-built is ever shown as the catalog
    assert not list(db.parent.glob("*.building-*"))


def test_the_next_first_build_goes_on_from_there_and_ends_as_a_fresh_build(
    library, tmp_path, fresh
):
    db = tmp_path / "cache" / "catalog.sqlite3"
    db.parent.mkdir()
    _pause(library, db)
    seen: list[tuple[int, int]] = []
    with Catalog(library, db) as cat:
        report = cat.refresh(lambda done, total: seen.append((done, total)))
        assert cat.count() == FILES - 5  # five files lose their url to earlier ones
    assert isinstance(report, RefreshReport) and report.rebuilt
    assert report.added == FILES
    # The files read before the pause are not read again: the progress starts there.
    assert seen[0][0] >= CHUNK and seen[-1] == (FILES, FILES)
    assert not _partial(db).exists()
    assert content(db) == fresh


def test_paused_twice_still_ends_as_a_fresh_build(library, tmp_path, fresh):
    db = tmp_path / "cache" / "catalog.sqlite3"
    db.parent.mkdir()
    _pause(library, db, chunks=1)
    _pause(library, db, chunks=3)
    with Catalog(library, db) as cat:
        cat.refresh()
    assert content(db) == fresh


def test_a_file_read_before_the_pause_and_changed_since_starts_the_build_over(library, tmp_path):
    db = tmp_path / "cache" / "catalog.sqlite3"
    db.parent.mkdir()
    _pause(library, db)
    write_article(library, "s0/a0000.md", id="id0", title="Changed since", answer="New.")
    seen: list[tuple[int, int]] = []
    with Catalog(library, db) as cat:
        cat.refresh(lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, FILES)  # read again from the start
    fresh_db = tmp_path / "fresh2" / "catalog.sqlite3"
    fresh_db.parent.mkdir()
    with Catalog(library, fresh_db) as cat:
        cat.refresh()
    assert content(db) == content(fresh_db)


def test_a_partial_build_of_another_schema_or_damaged_is_not_used(library, tmp_path, fresh):
    db = tmp_path / "cache" / "catalog.sqlite3"
    db.parent.mkdir()
    _pause(library, db)
    with sqlite3.connect(_partial(db)) as conn:
        conn.execute("UPDATE meta SET value = '1' WHERE name = 'schema_version'")
    with Catalog(library, db) as cat:
        cat.refresh()
    assert content(db) == fresh
    _pause(library, tmp_path / "cache2.sqlite3")
    damaged = _partial(tmp_path / "cache2.sqlite3")
    damaged.write_bytes(b"not a catalog at all" * 100)
    with Catalog(library, tmp_path / "cache2.sqlite3") as cat:
        cat.refresh()
    assert content(tmp_path / "cache2.sqlite3") == fresh


def test_a_finished_catalog_removes_a_partial_build_left_beside_it(library, tmp_path):
    db = tmp_path / "cache" / "catalog.sqlite3"
    db.parent.mkdir()
    with Catalog(library, db) as cat:
        cat.refresh()
    _partial(db).write_bytes(b"left by an older run")
    with Catalog(library, db) as cat:
        cat.refresh()
    assert not _partial(db).exists()
