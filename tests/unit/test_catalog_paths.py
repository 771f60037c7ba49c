"""Refreshing some paths only (issue 24): what the watcher saw change (files added,
edited, moved or deleted; a folder given stands for everything under it) is compared
with the catalog and written as a full refresh writes it, without listing the whole
library. After each kind of change the catalog holds what a fresh build holds: the
articles, searches, versions of a question, links and backlinks, problems."""

from __future__ import annotations

import os
import random
import shutil
import threading
from pathlib import Path

import pytest
from libhelpers import catalog_fixtures, damage, link, make_bad_name, write, write_article

from qtreader.library.catalog import Catalog, RefreshReport, indexing, writing
from qtreader.library.catalog.refresh_lock import refreshing

T0 = 1_700_000_000
WORDS = ["leaves", "light", "acid", "protons", "rain", "batch", "moved", "edited", "kept",
         "first", "second", "odd", "wave", "energy", "broken"]  # fmt: skip


def build_library(root: Path) -> Path:
    """Three subjects, links by url, id and title (one dangling), a question asked in
    two subjects (versions), two files with one url, a broken file."""
    write_article(
        root, "botany/leaves.md", T0, id="1", title="Why do leaves change colour?",
        subject="Botany", url="/b/leaves", date="2024-12-04", answer="Chlorophyll fades.",
        related_article1=link("2", "", "Botany", "/b/photo"),
        related_article2=link("", "Not written yet"),
        related_article3=link("5", "", "Physics"),
    )  # fmt: skip
    write_article(
        root, "botany/photo.md", T0, id="2", title="How does photosynthesis work?",
        subject="Botany", url="/b/photo", answer="Light becomes sugar in the leaves.",
        related_article1=link("", "Why do leaves change colour?"),
    )  # fmt: skip
    write_article(
        root, "chemistry/acid.md", T0, id="3", title="What is an acid?", subject="Chemistry",
        url="/c/acid", date="2024-01-10", answer="An acid donates protons.",
    )  # fmt: skip
    write_article(
        root, "physics/acid.md", T0, id="4", title="What is an acid?", subject="Physics",
        url="/p/acid", date="2023-05-01", answer="Acid rain corrodes zinc roofs.",
    )  # fmt: skip
    write_article(
        root, "physics/wave.md", T0, id="5", title="What is a wave?", subject="Physics",
        url="/p/wave", answer="A wave carries energy, not matter.",
        related_article1=link("", "", "", "/c/acid"),
    )  # fmt: skip
    write_article(root, "dup/a.md", T0, title="First copy", url="/dup", answer="first")
    write_article(root, "dup/b.md", T0, title="Second copy", url="/dup", answer="second")
    write(root, "broken/bad.md", "---\ntitle: [unclosed\n---\n", T0)
    write(root, "notes.pdf", b"%PDF-1.4 not an article", T0)
    write_article(root, ".hidden.md", T0, title="Hidden", answer="never listed")
    return root


library, catalog = catalog_fixtures(build_library, "incremental.sqlite3")


_building_fresh = threading.local()  # a fresh build's scan is not counted by ``scans``


@pytest.fixture
def scans(monkeypatch) -> list[Path]:
    """The roots the whole-library scan of a full refresh lists (none expected)."""
    calls: list[Path] = []
    real = indexing.scan_rows

    def spy(root, *args, **kwargs):
        if not getattr(_building_fresh, "on", False):
            calls.append(Path(root))
        return real(root, *args, **kwargs)

    monkeypatch.setattr(indexing, "scan_rows", spy)
    return calls


def state(cat: Catalog) -> dict[str, object]:
    """What a reader sees of a catalog, by paths, keys and text (never rowids)."""
    rows = cat.rows(list(cat.list_rowids(include_stubs=True)))
    articles = [cat.article(row.rowid) for row in rows]
    assert all(a is not None for a in articles)
    return {
        # Sorted: a list orders articles of one title by rowid, which a refresh gives
        # in another order than a fresh build.
        "articles": sorted(
            (a.path, a.key, a.id, a.title, a.question, a.subject, a.answer, a.date, a.is_stub)
            for a in articles
            if a is not None
        ),
        "links": {
            a.key: [(lk.position, lk.label, lk.target_key) for lk in a.links]
            for a in articles
            if a is not None
        },
        "backlinks": {
            a.key: sorted(b.target_key or "" for b in a.backlinks)
            for a in articles
            if a is not None
        },
        "versions": {
            row.key: (row.versions, [v.key for v in cat.versions(row.rowid)]) for row in rows
        },
        "questions": len(cat.list_rowids(include_stubs=True, group=True)),
        "problems": sorted((p.path, p.line, p.reason, p.severity.value) for p in cat.problems()),
        "problem_count": cat.problem_count(),
        "subjects": [(s.key, s.name, s.count) for s in cat.subjects(include_stubs=True)],
        "count": cat.count(),
        "search": {
            w: sorted(r.key for r in cat.rows(list(cat.search(w, typing=False).rowids)))
            for w in WORDS
        },
        "quick": {
            w: sorted(r.key for r in cat.rows(list(cat.search(w, quick=True).rowids)))
            for w in WORDS
        },
        "suggest": cat.suggest("protonz"),
    }


def fresh_state(root: Path, name: str = "fresh") -> dict[str, object]:
    _building_fresh.on = True
    try:
        with Catalog(root, root.parent / f"{name}.sqlite3") as fresh:
            fresh.refresh()
            return state(fresh)
    finally:
        _building_fresh.on = False


def batch_folder(where: Path) -> Path:
    """A generator's batch: a folder with a subfolder, a version of a question already
    asked, links into the library and to each other."""
    write_article(
        where, "one.md", T0, id="b1", title="What is a batch?", subject="Batch", url="/x/one",
        answer="A batch moved in.", related_article1=link("", "", "", "/b/leaves"),
    )  # fmt: skip
    write_article(
        where, "deeper/two.md", T0, id="b2", title="What is an acid.", subject="Batch",
        url="/x/two", answer="A batch version of the acid question.",
        related_article1=link("b1", "", "Batch"),
    )  # fmt: skip
    write(where, "deeper/broken.md", "---\nanswer: [unclosed\n---\n", T0)
    return where


# -- one file at a time --------------------------------------------------------------


def test_an_edited_file_refreshed_by_its_path_alone_matches_a_fresh_build(catalog, library, scans):
    write_article(
        library, "botany/photo.md", T0 + 10, id="2", title="How do leaves make sugar?",
        subject="Botany", url="/b/photo", answer="Light becomes sugar: edited.",
    )  # fmt: skip
    report = catalog.refresh(paths=["botany/photo.md"])
    assert (report.added, report.changed, report.removed) == (0, 1, 0)
    assert report.scoped and not report.rebuilt
    assert scans == []  # the library was not listed
    now = state(catalog)
    assert now == fresh_state(library)
    # The backlink of leaves from photo is gone (photo no longer links it by title).
    assert now["backlinks"]["/b/leaves"] == []
    assert now["search"]["edited"] == ["/b/photo"]


def test_files_added_and_deleted_resolve_links_as_a_fresh_build(catalog, library, scans):
    write_article(
        library, "misc/new.md", T0, id="9", title="Not written yet", subject="Misc",
        url="/m/new", answer="Now it is.",
    )  # fmt: skip
    (library / "chemistry" / "acid.md").unlink()
    report = catalog.refresh(paths=["misc/new.md", "chemistry/acid.md"])
    assert (report.added, report.changed, report.removed) == (1, 0, 1)
    assert report.scoped and scans == []
    now = state(catalog)
    assert now == fresh_state(library)
    assert (2, "Not written yet", "/m/new") in now["links"]["/b/leaves"]  # dangling, now found
    assert now["links"]["/p/wave"] == [(1, "/c/acid", None)]  # its target is gone
    assert now["versions"]["/p/acid"] == (1, ["/p/acid"])  # its other version went too
    assert "Chemistry" not in {name for _, name, _ in now["subjects"]}


def test_a_file_moved_is_its_old_and_new_path(catalog, library, scans):
    (library / "physics" / "wave.md").rename(library / "botany" / "wave.md")
    report = catalog.refresh(paths=["physics/wave.md", "botany/wave.md"])
    assert (report.added, report.removed) == (1, 1)
    assert state(catalog) == fresh_state(library)
    assert catalog.article(catalog.rowid_for_key("/p/wave")).path == "botany/wave.md"
    assert scans == []


def test_an_unchanged_path_writes_nothing(catalog, library, scans, monkeypatch):
    writes = []
    monkeypatch.setattr(writing.Writer, "write", lambda *args: writes.append(args))
    before = state(catalog)
    report = catalog.refresh(paths=["botany/leaves.md", "physics"])
    assert report.unchanged and report.scoped
    assert writes == [] and scans == []
    assert report.total == before["count"] == 6
    assert state(catalog) == before
    # A file skipped last time is read again when it is given, as a full refresh
    # reads every one (it may be readable now), and stays skipped.
    report = catalog.refresh(paths=["dup"])
    assert report.unchanged and [entries for _, entries, *_ in writes] == [
        [("dup/b.md", 60, T0 * 10**9)]
    ]


def test_a_file_that_breaks_is_listed_with_its_problem_and_comes_back(catalog, library):
    write(library, "physics/wave.md", "---\ntitle: [broken again\n---\n", T0 + 5)
    report = catalog.refresh(paths=["physics/wave.md"])
    assert report.changed == 1 and report.scoped
    now = state(catalog)
    assert now == fresh_state(library, "fresh1")
    assert "/p/wave" not in now["versions"]
    assert {path for path, *_ in now["problems"]} >= {"broken/bad.md", "physics/wave.md"}
    assert now["problem_count"] == (3, 0)  # with dup/b.md, skipped for its url
    write_article(
        library, "physics/wave.md", T0 + 6, id="5", title="What is a wave?",
        subject="Physics", url="/p/wave", answer="A wave carries energy, fixed.",
    )  # fmt: skip
    catalog.refresh(paths=["physics/wave.md"])
    now = state(catalog)
    assert now == fresh_state(library, "fresh2")
    assert {path for path, *_ in now["problems"]} == {"broken/bad.md", "dup/b.md"}


def test_a_broken_file_added_and_fixed(catalog, library):
    write(library, "botany/new.md", "---\ntitle: [unclosed\n---\n", T0)
    catalog.refresh(paths=["botany/new.md"])
    assert "botany/new.md" in {p.path for p in catalog.problems()}
    assert state(catalog) == fresh_state(library, "fresh1")
    write_article(library, "botany/new.md", T0 + 1, title="Fixed", answer="Now whole.")
    catalog.refresh(paths=["botany/new.md"])
    assert "botany/new.md" not in {p.path for p in catalog.problems()}
    assert state(catalog) == fresh_state(library, "fresh2")


# -- versions and urls ---------------------------------------------------------------


def test_versions_of_a_question_are_counted_as_in_a_fresh_build(catalog, library):
    write_article(
        library, "misc/acid.md", T0, id="7", title="  what is an ACID ", subject="Misc",
        url="/m/acid", date="2025-02-02", answer="A third version.",
    )  # fmt: skip
    catalog.refresh(paths=["misc/acid.md"])
    now = state(catalog)
    assert now["versions"]["/c/acid"] == (3, ["/m/acid", "/c/acid", "/p/acid"])
    assert now == fresh_state(library, "fresh1")
    # Retitled: it leaves the group, which counts two again.
    write_article(
        library, "physics/acid.md", T0 + 1, id="4", title="Why does acid rain corrode?",
        subject="Physics", url="/p/acid", date="2023-05-01", answer="Acid rain corrodes zinc.",
    )  # fmt: skip
    (library / "misc" / "acid.md").unlink()
    catalog.refresh(paths=["physics/acid.md", "misc"])
    now = state(catalog)
    assert now["versions"]["/c/acid"] == (1, ["/c/acid"])
    assert now["versions"]["/p/acid"] == (1, ["/p/acid"])
    assert now == fresh_state(library, "fresh2")


def test_the_file_that_lost_a_url_takes_it_when_the_winner_goes(catalog, library):
    assert catalog.article(catalog.rowid_for_key("/dup")).path == "dup/a.md"
    (library / "dup" / "a.md").unlink()
    catalog.refresh(paths=["dup/a.md"])  # dup/b.md is not given: it was skipped for the url
    assert catalog.article(catalog.rowid_for_key("/dup")).path == "dup/b.md"
    assert state(catalog) == fresh_state(library, "fresh1")
    # An earlier file taking the url back skips the one that holds it.
    write_article(library, "dup/0.md", T0, title="Earliest copy", url="/dup", answer="zeroth")
    catalog.refresh(paths=["dup/0.md"])
    assert catalog.article(catalog.rowid_for_key("/dup")).path == "dup/0.md"
    assert state(catalog) == fresh_state(library, "fresh2")


def test_the_winner_changing_its_url_hands_it_over(catalog, library):
    write_article(library, "dup/a.md", T0 + 1, title="First copy", url="/dup-a", answer="first")
    catalog.refresh(paths=["dup/a.md"])
    assert catalog.article(catalog.rowid_for_key("/dup")).path == "dup/b.md"
    assert state(catalog) == fresh_state(library)


# -- folders ------------------------------------------------------------------------


def test_a_folder_moved_in_renamed_and_moved_out(catalog, library, tmp_path, scans):
    batch_folder(tmp_path / "batch").rename(library / "batch")
    report = catalog.refresh(paths=["batch"])
    assert report.added == 3 and report.scoped  # files: two articles and a broken one
    now = state(catalog)
    assert now == fresh_state(library, "fresh1")
    assert now["versions"]["/x/two"][0] == 3
    assert "/x/one" in now["backlinks"]["/b/leaves"]
    assert "batch/deeper/broken.md" in {path for path, *_ in now["problems"]}

    (library / "batch").rename(library / "renamed")
    report = catalog.refresh(paths=["batch", "renamed"])
    assert (report.added, report.removed) == (3, 3)
    now = state(catalog)
    assert now == fresh_state(library, "fresh2")
    assert catalog.article(catalog.rowid_for_key("/x/one")).path == "renamed/one.md"

    (library / "renamed").rename(tmp_path / "away")
    report = catalog.refresh(paths=["renamed"])
    assert report.removed == 3
    now = state(catalog)
    assert now == fresh_state(library, "fresh3")
    assert "/x/one" not in now["backlinks"]["/b/leaves"]
    assert not any(path.startswith("renamed/") for path, *_ in now["problems"])
    assert scans == []


def test_a_folder_deleted_and_a_folder_of_similar_name_kept(catalog, library):
    write_article(library, "botany-extra/kept.md", T0, title="Kept beside", answer="kept")
    write_article(library, "botany/sub/deep.md", T0, title="Deep", answer="deep")
    catalog.refresh()
    shutil.rmtree(library / "botany")
    report = catalog.refresh(paths=["botany"])
    assert report.removed == 3
    now = state(catalog)
    assert now == fresh_state(library)
    assert now["search"]["kept"] == ["botany-extra/kept.md"]


def test_paths_given_twice_or_inside_a_folder_given_are_one(catalog, library):
    batch_folder(library / "batch")
    report = catalog.refresh(paths=["batch/one.md", "batch", "batch/deeper", "./batch/one.md"])
    assert report.added == 3 and report.scoped
    assert state(catalog) == fresh_state(library)


# -- what is ignored -----------------------------------------------------------------


def test_paths_outside_the_library_and_files_that_are_not_articles_are_ignored(
    catalog, library, tmp_path, scans
):
    write_article(tmp_path, "outside.md", T0, title="Outside", answer="not in the library")
    write(library, "botany/image.png", b"\x89PNG", T0)
    write_article(library, ".git/x.md", T0, title="In git", answer="hidden folder")
    before = state(catalog)
    report = catalog.refresh(
        paths=[
            "../outside.md", str(tmp_path / "outside.md"), tmp_path / "outside.md",
            "/etc/passwd", "notes.pdf", ".hidden.md", ".git/x.md", "botany/image.png",
            "botany/../../outside.md", "no/such/file.md",
        ]
    )  # fmt: skip
    assert report.unchanged and report.scoped
    assert scans == []
    assert state(catalog) == before == fresh_state(library)


def test_paths_may_be_absolute_file_system_paths(catalog, library):
    write_article(library, "botany/new.md", T0, title="New by path", answer="absolute")
    (library / "dup" / "b.md").unlink()
    report = catalog.refresh(paths=[library / "botany" / "new.md", str(library / "dup" / "b.md")])
    assert (report.added, report.removed) == (1, 1)  # files (dup/b.md had no article)
    assert "dup/b.md" not in {p.path for p in catalog.problems()}
    assert state(catalog) == fresh_state(library)


def test_names_that_are_not_utf8_are_spelled_as_a_full_refresh_spells_them(catalog, library):
    make_bad_name(library / "botany", b"bad\xff.md", "---\ntitle: Odd name\nanswer: odd\n---\n")
    make_bad_name(library / "botany", b"a\\b.md", "---\ntitle: Backslash\nanswer: odd too\n---\n")
    odd = os.fsdecode(b"dir\xe9")
    write(library, f"{odd}/inner.md", "Inner title\n\nAn odd folder's article, odd.\n", T0)
    report = catalog.refresh(
        # As the watcher spells them (the catalog's spelling), and as a file system path.
        paths=["botany/bad\\xff.md", os.fsdecode(os.fsencode(library) + b"/botany/a\\b.md"), "dir\\xe9"]
    )  # fmt: skip
    assert report.added == 3 and report.scoped
    assert state(catalog) == fresh_state(library, "fresh1")
    assert catalog.find("botany/bad\\xff.md") is not None
    assert catalog.find("botany/a\\\\b.md") is not None
    assert catalog.find("dir\\xe9/inner.md") is not None
    os.unlink(os.fsencode(library) + b"/botany/bad\xff.md")
    shutil.rmtree(library / odd)
    report = catalog.refresh(paths=["botany/bad\\xff.md", library / odd])
    assert report.removed == 2
    assert state(catalog) == fresh_state(library, "fresh2")


# -- when only the whole library will do ----------------------------------------------


def test_the_library_itself_is_a_full_refresh(catalog, library, scans):
    write_article(library, "botany/new.md", T0, title="New", answer="new")
    report = catalog.refresh(paths=[".", "botany/x.md"])
    assert not report.scoped and report.added == 1
    assert scans == [library.resolve()]
    report = catalog.refresh(paths=[library])
    assert not report.scoped and report.unchanged


def test_a_link_on_the_way_or_into_the_library_is_a_full_refresh(catalog, library, tmp_path, scans):
    (library / "linked").symlink_to(library / "physics", target_is_directory=True)
    catalog.refresh()
    scans.clear()
    write_article(library, "physics/new.md", T0, title="Seen twice?", answer="new")
    report = catalog.refresh(paths=["linked/new.md"])  # a link on its way
    assert not report.scoped and scans == [library.resolve()]
    assert state(catalog) == fresh_state(library, "fresh1")
    # A folder moved in that holds a link to elsewhere in the library.
    batch = batch_folder(tmp_path / "batch")
    (batch / "to-botany").symlink_to(library / "botany", target_is_directory=True)
    batch.rename(library / "batch")
    scans.clear()
    report = catalog.refresh(paths=["batch"])
    assert not report.scoped and scans == [library.resolve()]
    assert state(catalog) == fresh_state(library, "fresh2")


def test_a_link_out_of_the_library_in_a_folder_moved_in_is_a_problem_as_in_a_build(
    catalog, library, tmp_path, scans
):
    outside = tmp_path / "outside"
    write_article(outside, "far.md", T0, title="Far away", answer="outside")
    batch = batch_folder(tmp_path / "batch")
    (batch / "out").symlink_to(outside, target_is_directory=True)
    batch.rename(library / "batch")
    report = catalog.refresh(paths=["batch"])
    assert report.scoped and scans == []
    now = state(catalog)
    assert now == fresh_state(library, "fresh1")
    (problem,) = [p for p in catalog.problems() if p.path == "batch/out"]
    assert "outside the library" in problem.reason
    (library / "batch").rename(tmp_path / "gone")
    catalog.refresh(paths=["batch"])
    assert "batch/out" not in {p.path for p in catalog.problems()}
    assert state(catalog) == fresh_state(library, "fresh2")


def test_with_links_out_followed_a_folder_with_a_link_is_a_full_refresh(library, tmp_path, scans):
    outside = tmp_path / "outside"
    write_article(outside, "far.md", T0, title="Far away", answer="outside")
    with Catalog(library, tmp_path / "follow.sqlite3", follow_external_links=True) as cat:
        cat.refresh()
        (library / "batch").mkdir()
        (library / "batch" / "out").symlink_to(outside, target_is_directory=True)
        scans.clear()
        report = cat.refresh(paths=["batch"])
        assert not report.scoped and report.added == 1
        assert cat.find("batch/out/far.md") is not None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_a_folder_that_cannot_be_read_keeps_its_articles_as_a_full_refresh_does(library):
    write_article(library, "locked/one.md", T0, title="Locked one", answer="locked")
    with (
        Catalog(library, library.parent / "paths.sqlite3") as cat,
        Catalog(library, library.parent / "full.sqlite3") as full,
    ):
        cat.refresh()
        full.refresh()
        (library / "locked").chmod(0)
        try:
            report = cat.refresh(paths=["locked"])
            full.refresh()
            assert report.scoped and report.unchanged
            assert state(cat) == state(full)
            (problem,) = [p for p in cat.problems() if p.path == "locked/"]
            assert "kept as they were" in problem.reason
        finally:
            (library / "locked").chmod(0o755)
        cat.refresh(paths=["locked"])
        assert "locked/" not in {p.path for p in cat.problems()}
        assert state(cat) == fresh_state(library)


# -- the guarantees of a refresh ------------------------------------------------------


def test_a_first_build_is_a_full_one(library, scans):
    with Catalog(library, library.parent / "new.sqlite3") as cat:
        report = cat.refresh(paths=["botany/leaves.md"])
        assert report.rebuilt and not report.scoped and report.total == 6
        assert scans == [library.resolve()]
        assert state(cat) == fresh_state(library)


def test_a_damaged_catalog_is_rebuilt(catalog, library):
    catalog.close()
    db = library.parent / "incremental.sqlite3"
    damage(db, "articles")
    with Catalog(library, db) as cat:
        write_article(library, "botany/new.md", T0, title="New", answer="new")
        report = cat.refresh(paths=["botany/new.md"])
        assert report.repaired and report.rebuilt
        assert state(cat) == fresh_state(library)


def test_a_paths_refresh_waits_for_another_refresh_of_the_catalog(catalog, library):
    db = library.parent / "incremental.sqlite3"
    waited = threading.Event()
    done: list[RefreshReport] = []
    with Catalog(library, db, waiting=waited.set) as other:
        write_article(library, "botany/new.md", T0, title="New", answer="new")
        with refreshing(db):  # another process's refresh, say
            thread = threading.Thread(
                target=lambda: done.append(other.refresh(paths=["botany/new.md"]))
            )
            thread.start()
            assert waited.wait(10)
            thread.join(timeout=0.2)
            assert thread.is_alive() and done == []  # it waits for the lock
        thread.join(10)
        (report,) = done
        assert report.added == 1
    assert state(catalog) == fresh_state(library)


# -- many rounds ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_random_rounds_of_changes_refreshed_by_their_paths_match_a_fresh_build(
    tmp_path, seed, scans
):
    """Files added, edited, broken, deleted and moved, folders moved in, renamed and
    out, each round refreshed by the paths that changed. Links name urls and ids (each
    one article at most, but while two files share a url): with ties a refresh may pick
    another target than a fresh build (see test_catalog)."""
    rng = random.Random(seed)
    root = tmp_path / "lib"
    titles = ["What is light?", "What is an acid?", "Why is the sky blue?", "What is a wave?"]

    def article(folder: str, n: int, step: int) -> tuple[str, dict]:
        return f"{folder}/f{n:02d}.md", {
            "id": str(n), "title": f"{rng.choice(titles)}" if n % 3 else f"Title {n}",
            "subject": ["Alpha", "Beta"][n % 2], "url": f"/u/{rng.randrange(24)}",
            "answer": f"answer{step} moved kept", "date": f"202{n % 5}-01-0{1 + n % 9}",
            "related_article1": link(str(rng.randrange(24)), "", "Beta"),
            "related_article2": link("", "", "", f"/u/{rng.randrange(24)}"),
        }  # fmt: skip

    files: dict[str, dict] = {}
    for n in range(16):
        rel, fields = article(f"s{n % 3}", n, 0)
        files[rel] = fields
        write_article(root, rel, T0, **fields)
    with Catalog(root, tmp_path / "incremental.sqlite3") as cat:
        cat.refresh()
        scans.clear()
        spare = 16
        for step in range(1, 13):
            changed: set[str] = set()
            for _ in range(rng.randint(1, 4)):
                what = rng.choice(["add", "edit", "edit", "delete", "move", "break", "folder"])
                present = sorted(files)
                if what == "add" or not present:
                    rel, fields = article(f"s{rng.randrange(4)}", spare, step)
                    spare += 1
                    files[rel] = fields
                    write_article(root, rel, T0 + step, **fields)
                    changed.add(rel)
                elif what == "edit":
                    rel = rng.choice(present)
                    files[rel] = article(rel.split("/")[0], int(rel[-5:-3]), step)[1]
                    write_article(root, rel, T0 + step, **files[rel])
                    changed.add(rel)
                elif what == "delete":
                    rel = rng.choice(present)
                    (root / rel).unlink()
                    del files[rel]
                    changed.add(rel)
                elif what == "move":
                    rel = rng.choice(present)
                    to = f"s{rng.randrange(4)}/m{step}{rel.replace('/', '-')}"
                    (root / to).parent.mkdir(exist_ok=True)
                    (root / rel).rename(root / to)
                    files[to] = files.pop(rel)
                    changed |= {rel, to}
                elif what == "break":
                    rel = rng.choice(present)
                    write(root, rel, "---\ntitle: [unclosed\n---\n", T0 + step)
                    changed.add(rel)
                else:  # a folder renamed, or moved out and back in
                    folder = rng.choice(sorted({rel.split("/")[0] for rel in present}))
                    to = f"moved{step}-{rng.randrange(10_000)}"
                    (root / folder).rename(root / to)
                    for rel in [r for r in files if r.startswith(folder + "/")]:
                        files[to + rel[len(folder) :]] = files.pop(rel)
                    changed |= {folder, to}
            report = cat.refresh(paths=sorted(changed))
            assert report.scoped, step
            if step % 4 == 0:
                assert state(cat) == fresh_state(root, f"fresh{step}"), step
        assert scans == []
        assert state(cat) == fresh_state(root)
