"""qtreader.library.catalog: building, querying and refreshing a library's catalog."""

from __future__ import annotations

import os
import random
import sqlite3
import zlib
from pathlib import Path

import pytest
from libhelpers import (
    built_with_schema,
    catalog_fixtures,
    link,
    listing,
    rowid_of,
    write,
    write_article,
)

import qtreader.library.catalog as catalog_module
from qtreader.library import paths
from qtreader.library.catalog import Catalog, CatalogError, codec, indexing, pool
from qtreader.library.models import LinkStatus, Severity

T0 = 1_700_000_000  # a fixed mtime, so edits can move it forward explicitly


def build_library(root: Path) -> Path:
    write_article(
        root, "botany/leaves.md", T0, id="1", title="Why do leaves change colour?",
        subject="Botany", url="/b/leaves", date="2024-12-04", date_format="MMM DD, YYYY",
        answer="Chlorophyll fades in autumn and **carotenoids** show.",
        related_article1=link("2", "How does photosynthesis work?", "Botany", "/b/photo"),
        related_article2=link("77", "Do evergreens shed needles?", "Botany", "/b/evergreen"),
        related_article3=link("3", "", "Physics"),
        related_article4=link("", "Exact Title Only"),
    )  # fmt: skip
    write_article(
        root, "botany/photo.md", T0, id="2", title="How does photosynthesis work?",
        subject="Botany", url="/b/photo", answer="Light becomes sugar in the leaves.",
        related_article1=link("1", "Why do leaves change colour?", "Botany", "/b/leaves"),
    )  # fmt: skip
    write_article(
        root, "chemistry/acid.md", T0, id="3", title="What is an acid?", subject="Chemistry",
        url="/c/acid", answer="An acid donates protons.",
        related_article1=link("3", "", "Chemistry"),  # the same id as physics/acid.md
    )  # fmt: skip
    write_article(
        root, "physics/acid.md", T0, id="3", title="Acid rain and metal roofs", subject="Physics",
        url="/p/acid", answer="Rain with acid corrodes zinc.",
    )  # fmt: skip
    write_article(root, "misc/exact.md", T0, title="Exact Title Only", answer="Found by its title.")
    write_article(root, "edu/one.md", T0, title="Edu one", subject="Education studies", answer="x")
    write_article(root, "edu/two.md", T0, title="Edu two", subject="Education Studies", answer="x")
    write_article(root, "edu/three.md", T0, title="edu three", subject="Education Studies",
                  answer="x")  # fmt: skip
    write(root, "digital-media/plain.txt", "Zebra crossings on screens\n\nA plain article.\n", T0)
    write(root, "root-note.txt", "A note at the root\n\nUnsorted text.\n", T0)
    write_article(
        root, "stubs/cannot.md", T0, title="Cannot answer this", subject="Botany",
        url="/b/cannot", answer="I cannot answer that.", no_index=True,
    )  # fmt: skip
    write_article(root, "dup/a.md", T0, title="First copy", url="/dup", answer="first")
    write_article(root, "dup/b.md", T0, title="Second copy", url="/dup", answer="second")
    write(root, "broken/bad.md", "---\ntitle: [unclosed\n---\n", T0)
    return root


library, catalog = catalog_fixtures(build_library)


def by_key(cat: Catalog, key: str):
    return cat.article(rowid_of(cat, key))


def titles(cat: Catalog, rowids) -> list[str]:
    return [row.title for row in cat.rows(list(rowids))]


def search_titles(cat: Catalog, text: str, **kwargs) -> list[str]:
    return titles(cat, cat.search(text, **kwargs).rowids)


# -- building ------------------------------------------------------------------


def test_first_build_report(library):
    with Catalog(library) as cat:
        report = cat.refresh()
        assert report.rebuilt
        assert report.added == 14
        assert report.changed == report.removed == 0
        # dup/b.md and broken/bad.md are skipped
        assert report.total == 12
        assert report.problems == 2
        assert cat.count() == 12
        assert cat.count(include_stubs=False) == 11


def test_catalog_file_is_in_the_cache_dir_and_the_library_is_untouched(library, isolated_user_dirs):
    before = listing(library)
    with Catalog(library) as cat:
        cat.refresh()
        cat.search("acid")
        assert cat.db_path == paths.catalog_path(library)
        assert cat.db_path.is_relative_to(isolated_user_dirs["XDG_CACHE_HOME"])
        assert cat.db_path.exists()
    write_article(library, "botany/new.md", title="New", answer="n")
    before = listing(library)
    with Catalog(library) as cat:
        cat.refresh()
    assert listing(library) == before


def test_subjects_with_counts_and_most_common_spelling(catalog):
    subjects = {s.name: s.count for s in catalog.subjects()}
    assert subjects == {
        "Botany": 2,  # the stub is not counted
        "Chemistry": 1,
        "Digital Media": 1,
        "Dup": 1,
        "Education Studies": 3,
        "Misc": 1,
        "Physics": 1,
        "Unsorted": 1,
    }
    with_stubs = {s.name: s.count for s in catalog.subjects(include_stubs=True)}
    assert with_stubs["Botany"] == 3
    assert catalog.subject_name("education studies") == "Education Studies"
    names = [s.name for s in catalog.subjects()]
    assert names == sorted(names, key=str.casefold)


def test_rows_of_a_subject_show_the_catalog_spelling(catalog):
    rows = catalog.rows(list(catalog.list_rowids("education studies")))
    assert [r.title for r in rows] == ["Edu one", "edu three", "Edu two"]
    assert {r.subject for r in rows} == {"Education Studies"}


def test_list_rowids_in_title_order(catalog):
    all_titles = titles(catalog, catalog.list_rowids())
    assert all_titles == sorted(all_titles, key=str.casefold)
    assert "Cannot answer this" not in all_titles
    assert "Cannot answer this" in titles(catalog, catalog.list_rowids(include_stubs=True))
    assert titles(catalog, catalog.list_rowids("botany")) == [
        "How does photosynthesis work?",
        "Why do leaves change colour?",
    ]


def test_rows_keep_the_order_given_and_skip_unknown_ids(catalog):
    ids = list(catalog.list_rowids())
    picked = [ids[3], ids[0], 999_999, ids[1]]
    rows = catalog.rows(picked)
    assert [r.rowid for r in rows] == [ids[3], ids[0], ids[1]]
    assert catalog.rows([]) == []


def test_article_fields(catalog):
    a = by_key(catalog, "/b/leaves")
    assert a.title == "Why do leaves change colour?"
    assert a.path == "botany/leaves.md"
    assert a.subject == "Botany"
    assert a.date == "Dec 04, 2024"
    assert a.date_sort == "2024-12-04"
    assert a.answer == "Chlorophyll fades in autumn and **carotenoids** show."
    assert a.kind == "quicktakes"
    assert catalog.article(999_999) is None


def test_keys_are_urls_or_paths(catalog):
    assert catalog.rowid_for_key("/b/photo") is not None
    assert catalog.rowid_for_key("digital-media/plain.txt") is not None
    assert catalog.rowid_for_key("misc/exact.md") is not None


def test_links_resolved_by_url_id_and_title_and_unresolved_kept(catalog):
    a = by_key(catalog, "/b/leaves")
    links = {lk.position: lk for lk in a.links}
    assert sorted(links) == [1, 2, 3, 4]
    assert links[1].target_key == "/b/photo"  # by url
    assert links[1].status is LinkStatus.RESOLVED
    assert links[2].target_key is None  # dangling
    assert links[2].status is LinkStatus.MISSING
    assert links[2].status.value == "not in this library"
    assert links[2].title == "Do evergreens shed needles?"
    assert links[3].target_key == "/p/acid"  # by id, preferring the link's subject
    assert links[4].target_key == "misc/exact.md"  # by exact title


def test_shared_id_resolves_within_the_links_subject(catalog):
    # chemistry/acid.md links to id 3 in Chemistry: that is itself, so it is dropped.
    acid = by_key(catalog, "/c/acid")
    assert acid.links == []


def test_backlinks(catalog):
    photo = by_key(catalog, "/b/photo")
    assert [(b.title, b.target_key) for b in photo.backlinks] == [
        ("Why do leaves change colour?", "/b/leaves")
    ]
    leaves = by_key(catalog, "/b/leaves")
    assert [b.target_key for b in leaves.backlinks] == ["/b/photo"]
    physics = by_key(catalog, "/p/acid")
    assert [b.target_key for b in physics.backlinks] == ["/b/leaves"]


def test_duplicate_ids_across_subjects_are_both_kept(catalog):
    chem = by_key(catalog, "/c/acid")
    phys = by_key(catalog, "/p/acid")
    assert chem.id == phys.id == "3"
    assert chem.rowid != phys.rowid


def test_second_file_with_the_same_url_is_skipped_with_a_problem(catalog):
    first = by_key(catalog, "/dup")
    assert first.path == "dup/a.md"
    problems = [p for p in catalog.problems() if p.path == "dup/b.md"]
    assert len(problems) == 1
    assert problems[0].severity is Severity.ERROR
    assert "dup/a.md" in problems[0].reason
    assert "/dup" in problems[0].reason


def test_problems_are_stored(catalog):
    paths_with_problems = {p.path for p in catalog.problems()}
    assert paths_with_problems == {"broken/bad.md", "dup/b.md"}
    bad = next(p for p in catalog.problems() if p.path == "broken/bad.md")
    assert bad.line == 3  # libyaml notices at the closing fence
    assert catalog.problem_count() == (2, 0)


def test_stubs_hidden_by_default(catalog):
    assert search_titles(catalog, "cannot", typing=False) == []
    assert search_titles(catalog, "cannot", typing=False, include_stubs=True) == [
        "Cannot answer this"
    ]
    stub = by_key(catalog, "/b/cannot")
    assert stub.is_stub


def test_find_by_key_url_id_path_and_title(catalog, library):
    leaves = catalog.rowid_for_key("/b/leaves")
    assert catalog.find("/b/leaves") == leaves
    assert catalog.find("https://example.org/b/leaves") == leaves
    assert catalog.find("1") == leaves
    assert catalog.find("botany/leaves.md") == leaves
    assert catalog.find(str(library / "botany" / "leaves.md")) == leaves
    assert catalog.find("why do leaves change colour?") == leaves
    assert catalog.find("nothing like it") is None
    assert catalog.find("   ") is None


def test_find_by_id_title(catalog):
    leaves = catalog.rowid_for_key("/b/leaves")
    assert catalog.find_by_id_title("1", "Why do leaves change colour?") == leaves
    assert catalog.find_by_id_title("", "Why do leaves change colour?") == leaves
    assert catalog.find_by_id_title("1", "") is None


# -- incremental refresh -------------------------------------------------------


def test_refresh_with_nothing_changed(catalog):
    report = catalog.refresh()
    assert (report.added, report.changed, report.removed) == (0, 0, 0)
    assert report.unchanged
    assert not report.rebuilt
    assert report.total == 12


def test_refresh_after_edit_add_and_delete(catalog, library):
    assert search_titles(catalog, "chlorophyll", typing=False) == ["Why do leaves change colour?"]
    assert by_key(catalog, "/b/photo").backlinks  # leaves links to photo
    # edit leaves: new word, no more links
    write_article(
        library, "botany/leaves.md", T0 + 100, id="1", title="Why do leaves change colour?",
        subject="Botany", url="/b/leaves", answer="Xanthophyll remains when days shorten.",
    )  # fmt: skip
    # add one that the evergreen link (dangling until now) points to
    write_article(
        library, "botany/evergreen.md", T0 + 100, id="77", title="Do evergreens shed needles?",
        subject="Botany", url="/b/evergreen", answer="Slowly, all year.",
        related_article1=link("", "What is an acid?", "Chemistry", "/c/acid"),
    )  # fmt: skip
    # delete one that others link to
    (library / "physics" / "acid.md").unlink()
    report = catalog.refresh()
    assert (report.added, report.changed, report.removed) == (1, 1, 1)
    assert report.total == 12
    assert search_titles(catalog, "chlorophyll", typing=False) == []
    assert search_titles(catalog, "why do leaves", quick=True) == ["Why do leaves change colour?"]
    assert search_titles(catalog, "xanthophyll", typing=False) == ["Why do leaves change colour?"]
    assert search_titles(catalog, "corrodes", typing=False) == []
    assert catalog.rowid_for_key("/p/acid") is None
    assert by_key(catalog, "/b/photo").backlinks == []
    assert [b.target_key for b in by_key(catalog, "/c/acid").backlinks] == ["/b/evergreen"]
    assert search_titles(catalog, "needles", typing=False) == ["Do evergreens shed needles?"]
    # The quick index (titles, questions, keywords) follows too.
    assert search_titles(catalog, "evergre", quick=True) == ["Do evergreens shed needles?"]
    assert search_titles(catalog, "acid", quick=True) == ["What is an acid?"]  # not "Acid rain"


def test_a_changed_file_whose_article_row_is_missing_is_written_anew(catalog, library):
    # A damaged catalog: the files table names an article that is not there.
    rowid = catalog.rowid_for_key("/b/photo")
    conn = sqlite3.connect(catalog.db_path)
    conn.execute("DELETE FROM articles WHERE rowid = ?", (rowid,))
    conn.commit()
    conn.close()
    write_article(
        library, "botany/photo.md", T0 + 50, id="2", title="How does photosynthesis work?",
        subject="Botany", url="/b/photo", answer="Chloroplasts turn light into sugar.",
    )  # fmt: skip
    report = catalog.refresh()
    assert report.changed == 1
    assert search_titles(catalog, "chloroplasts", typing=False) == ["How does photosynthesis work?"]
    assert [b.target_key for b in by_key(catalog, "/b/photo").backlinks] == ["/b/leaves"]


def test_a_large_library_is_listed_in_two_processes(catalog, library, monkeypatch):
    monkeypatch.setattr(indexing, "PARALLEL_SCAN_ARTICLES", 12)  # as if it were large
    real_scan = indexing.scan_rows
    calls = []

    def spy(root, parallel=False, meanwhile=None):
        calls.append(parallel)
        return real_scan(root, parallel, meanwhile)

    monkeypatch.setattr(indexing, "scan_rows", spy)
    write_article(library, "botany/new.md", T0 + 5, title="Fresh leaves", answer="Green.")
    (library / "physics" / "acid.md").unlink()
    report = catalog.refresh()
    assert calls == [True]
    assert (report.added, report.changed, report.removed) == (1, 0, 1)
    assert search_titles(catalog, "fresh", quick=True) == ["Fresh leaves"]
    assert catalog.refresh().unchanged


def test_link_to_a_deleted_article_becomes_unresolved_and_a_dangling_one_resolves(catalog, library):
    (library / "botany" / "photo.md").unlink()
    write_article(
        library, "botany/evergreen.md", T0 + 5, id="77", title="Do evergreens shed needles?",
        subject="Botany", url="/b/evergreen", answer="Slowly.",
    )  # fmt: skip
    catalog.refresh()
    links = {lk.position: lk for lk in by_key(catalog, "/b/leaves").links}
    assert links[1].target_key is None
    assert links[1].status is LinkStatus.MISSING
    assert links[1].title == "How does photosynthesis work?"
    assert links[2].target_key == "/b/evergreen"
    assert [b.target_key for b in by_key(catalog, "/b/evergreen").backlinks] == ["/b/leaves"]
    # ...and back again
    write_article(
        library, "botany/photo.md", T0 + 10, id="2", title="How does photosynthesis work?",
        subject="Botany", url="/b/photo", answer="Light becomes sugar.",
    )  # fmt: skip
    report = catalog.refresh()
    assert report.added == 1
    links = {lk.position: lk for lk in by_key(catalog, "/b/leaves").links}
    assert links[1].target_key == "/b/photo"


def test_changed_target_keeps_links_resolved(catalog, library):
    write_article(
        library, "botany/photo.md", T0 + 10, id="2", title="How does photosynthesis work?",
        subject="Botany", url="/b/photo", answer="Rewritten answer about starch.",
    )  # fmt: skip
    report = catalog.refresh()
    assert report.changed == 1
    links = {lk.position: lk for lk in by_key(catalog, "/b/leaves").links}
    assert links[1].target_key == "/b/photo"
    assert search_titles(catalog, "starch", typing=False) == ["How does photosynthesis work?"]


def test_a_retitled_article_is_found_by_its_new_title_only(catalog, library):
    old = catalog.rowid_for_key("/b/photo")
    assert old is not None
    write_article(
        library, "botany/photo.md", T0 + 20, id="2", title="Chloroplasts at work",
        subject="Botany", url="/b/photo", answer="Rewritten answer about starch.",
    )  # fmt: skip
    catalog.refresh()
    assert catalog.rowid_for_key("/b/photo") == old  # a rewritten article keeps its rowid
    for quick in (True, False):
        assert search_titles(catalog, "chloropl", quick=quick) == ["Chloroplasts at work"]
        assert search_titles(catalog, "photosynthesis", quick=quick, typing=False) == []


def test_only_mtime_change_is_a_change(catalog, library):
    os.utime(library / "chemistry" / "acid.md", (T0 + 50, T0 + 50))
    report = catalog.refresh()
    assert (report.added, report.changed, report.removed) == (0, 1, 0)
    assert by_key(catalog, "/c/acid").title == "What is an acid?"


def test_broken_file_that_gets_fixed_is_picked_up(catalog, library):
    write_article(library, "broken/bad.md", T0 + 1, title="Fixed now", answer="mended")
    report = catalog.refresh()
    assert report.changed == 1
    assert catalog.rowid_for_key("broken/bad.md") is not None
    assert "broken/bad.md" not in {p.path for p in catalog.problems()}


def test_broken_file_fixed_with_the_same_size_and_mtime_is_picked_up(tmp_path):
    root = tmp_path / "lib"
    bad = write(root, "a.md", "---\ntitle: [x\n---\n", T0)
    with Catalog(root) as cat:
        cat.refresh()
        assert cat.count() == 0
        bad.write_text("---\ntitle: x\n---\nbody\n")  # same length
        os.utime(bad, (T0, T0))
        cat.refresh()
        assert cat.count() == 1


def test_file_that_breaks_is_removed_from_the_catalog(catalog, library):
    write(library, "chemistry/acid.md", "---\nanswer: [\n---\n", T0 + 1)
    report = catalog.refresh()
    assert report.changed == 1
    assert catalog.rowid_for_key("/c/acid") is None
    assert search_titles(catalog, "protons", typing=False) == []
    assert "chemistry/acid.md" in {p.path for p in catalog.problems()}


def test_duplicate_url_file_takes_over_when_the_first_is_deleted(catalog, library):
    (library / "dup" / "a.md").unlink()  # dup/b.md itself is unchanged
    catalog.refresh()
    assert by_key(catalog, "/dup").path == "dup/b.md"
    assert "dup/b.md" not in {p.path for p in catalog.problems()}


def test_catalog_reopened_is_not_rebuilt(library):
    with Catalog(library) as cat:
        cat.refresh()
    with Catalog(library) as cat:
        report = cat.refresh()
        assert not report.rebuilt
        assert report.unchanged
        assert cat.count() == 12


def test_progress_is_reported(library):
    calls = []
    with Catalog(library) as cat:
        cat.refresh(progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 14)
    assert calls[-1] == (14, 14)


# -- damage and versions -------------------------------------------------------


def test_damaged_catalog_file_is_rebuilt(library):
    with Catalog(library) as cat:
        cat.refresh()
        db = cat.db_path
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not an sqlite database at all" * 100)
    with Catalog(library) as cat:
        report = cat.refresh()
        assert report.rebuilt
        assert cat.count() == 12


def test_truncated_catalog_file_is_rebuilt(library):
    with Catalog(library) as cat:
        cat.refresh()
        db = cat.db_path
    data = db.read_bytes()
    db.write_bytes(data[:100])
    with Catalog(library) as cat:
        assert cat.refresh().total == 12


def test_schema_version_mismatch_is_rebuilt(library):
    db = built_with_schema(library, "1")
    with Catalog(library) as cat:
        report = cat.refresh()
        assert report.rebuilt
        assert cat.count() == 12
    conn = sqlite3.connect(db)
    (version,) = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
    conn.close()
    assert version == str(catalog_module.SCHEMA_VERSION)


def test_unwritable_cache_dir_is_a_catalog_error(library, tmp_path, monkeypatch):
    blocker = write(tmp_path, "not-a-dir", "x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    with pytest.raises(CatalogError):
        Catalog(library)


def test_two_libraries_have_two_catalogs(tmp_path):
    a = write(tmp_path / "a", "x.md", "Title A\nbody").parent
    b = write(tmp_path / "b", "x.md", "Title B\nbody").parent
    with Catalog(a) as ca, Catalog(b) as cb:
        ca.refresh()
        cb.refresh()
        assert ca.db_path != cb.db_path
        assert titles(ca, ca.list_rowids()) == ["Title A"]
        assert titles(cb, cb.list_rowids()) == ["Title B"]


# -- parallel reading ----------------------------------------------------------


def test_parallel_build_equals_serial_build(tmp_path, monkeypatch):
    root = tmp_path / "many"
    for n in range(40):
        write_article(
            root, f"s{n % 4}/a{n:02d}.md", T0, id=str(n), title=f"Article number {n}",
            url=f"/a/{n}", answer=f"Body {n} word{n}",
            related_article1=link(str((n + 1) % 40), "", f"S{(n + 1) % 4}", f"/a/{(n + 1) % 40}"),
        )  # fmt: skip
    write(root, "s0/broken.md", "---\nx: [\n---\n", T0)

    def snapshot(db: Path, workers: int):
        with Catalog(root, db_path=db) as cat:
            report = cat.refresh(workers=workers)
            rows = cat.rows(list(cat.list_rowids()))
            arts = [cat.article(r.rowid) for r in rows]
            return (
                report.total,
                report.problems,
                [(a.key, a.title, a.answer, a.subject) for a in arts],
                [[(lk.position, lk.target_key) for lk in a.links] for a in arts],
                [[b.target_key for b in a.backlinks] for a in arts],
                [(p.path, p.reason) for p in cat.problems()],
                titles(cat, cat.search("word17", typing=False).rowids),
            )

    serial = snapshot(tmp_path / "serial.sqlite3", workers=1)
    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(pool, "CHUNK", 8)
    used = []
    real_pool = pool.ProcessPoolExecutor

    def recording_pool(*args, **kwargs):
        used.append(args)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", recording_pool)
    parallel = snapshot(tmp_path / "parallel.sqlite3", workers=2)
    assert used, "the parallel path was not taken"
    assert parallel == serial
    assert serial[0] == 40
    assert serial[6] == ["Article number 17"]


def test_parsing_runs_only_a_few_chunks_ahead_of_the_writer(tmp_path, monkeypatch):
    # Parsed chunks waiting for a busy writer are held in memory: at 150,000 articles,
    # letting the workers run free held over 100 MB of them.
    root = tmp_path / "many"
    for n in range(60):
        write_article(root, f"s/a{n:02d}.md", T0, title=f"Article {n}", answer=f"Body {n}")
    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(pool, "CHUNK", 2)
    monkeypatch.setattr(pool, "CHUNKS_AHEAD", 2)
    unread = [0]
    most = [0]
    real_pool = pool.ProcessPoolExecutor

    class CountingPool(real_pool):
        def submit(self, *args, **kwargs):
            future = super().submit(*args, **kwargs)
            unread[0] += 1
            most[0] = max(most[0], unread[0])
            real_result = future.result

            def result(timeout=None):
                unread[0] -= 1
                return real_result(timeout)

            future.result = result
            return future

    monkeypatch.setattr(pool, "ProcessPoolExecutor", CountingPool)
    with Catalog(root, db_path=tmp_path / "cat.sqlite3") as cat:
        assert cat.refresh(workers=2).total == 60
        assert len(cat.search("body", typing=False).rowids) == 60
    assert most[0] == 2 * 2  # CHUNKS_AHEAD per worker, of 30 chunks


def _fts_integrity(db: Path) -> None:
    """FTS5's own check: each index holds exactly the tokens of the text it indexes
    (rank 1: compared with the content, read here through the articles_text view)."""
    conn = sqlite3.connect(db)
    conn.create_function("unzip", 1, catalog_module.unpack, deterministic=True)
    try:
        for table in ("fts", "quick"):
            conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_the_indexes_hold_what_the_articles_say(tmp_path, monkeypatch, workers):
    # Answers reach the index as UTF-8 bytes from the parser (see records.Record);
    # FTS5's integrity check compares the index with the stored, compressed answers.
    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(pool, "CHUNK", 4)
    root = tmp_path / "lib"
    answers = ["Café au lait, naïve résumé", "Ελληνικά κείμενα και 漢字", "emoji 🙂 and ß"]
    for n in range(24):
        write_article(
            root, f"s/a{n:02d}.md", T0, title=f"Title {n} Ünïcode", url=f"/a/{n}",
            answer=f"{answers[n % 3]}\\n\\nline {n}",
        )  # fmt: skip
    db = tmp_path / "cat.sqlite3"
    with Catalog(root, db_path=db) as cat:
        cat.refresh(workers=workers)
        _fts_integrity(db)
        assert len(cat.search("cafe", typing=False).rowids) == 8
        assert len(cat.search("漢字", typing=False).rowids) == 8
        for n in (1, 5):  # rewritten: the old text leaves the index, the new one enters
            write_article(root, f"s/a{n:02d}.md", T0 + 10, title=f"Title {n}", url=f"/a/{n}",
                          answer="Crème brûlée")  # fmt: skip
        cat.refresh(workers=workers)
        _fts_integrity(db)
        assert len(cat.search("creme brulee", typing=False).rowids) == 2
        assert len(cat.search("漢字", typing=False).rowids) == 7


def test_subject_spellings_are_one_subject_shown_in_the_most_common_spelling(tmp_path):
    root = tmp_path / "lib"
    spellings = [
        "plant biology",
        "Plant Biology",
        "plant biology",
        "PLANT  BIOLOGY",
        "plant-biology",
    ]
    for n, subject in enumerate(spellings):
        write_article(root, f"x/{n}.md", title=f"T{n}", subject=subject, answer="x")
    write_article(root, "y/tie1.md", title="Tie 1", subject="Earth science", answer="x")
    write_article(root, "y/tie2.md", title="Tie 2", subject="Earth Science", answer="x")
    with Catalog(root) as cat:
        cat.refresh()
        subjects = {s.key: (s.name, s.count) for s in cat.subjects()}
        assert subjects == {
            "plant biology": ("plant biology", 5),  # not the capitalised minority spelling
            "earth science": ("Earth Science", 2),  # a tie goes to the capitalised one
        }
        rows = cat.rows(list(cat.list_rowids("plant biology")))
        assert {r.subject for r in rows} == {"plant biology"}
        assert by_key(cat, "x/1.md").subject == "plant biology"


def test_file_that_vanishes_between_scan_and_read(library, monkeypatch):
    real_scan = indexing.scan_rows

    def scan_with_a_ghost(root, parallel=False, meanwhile=None):
        return [*real_scan(root, parallel, meanwhile), ("ghost.md", 10, T0 * 10**9)]

    monkeypatch.setattr(indexing, "scan_rows", scan_with_a_ghost)
    with Catalog(library) as cat:
        report = cat.refresh()
        assert report.total == 12
        (problem,) = [p for p in cat.problems() if p.path == "ghost.md"]
        assert "disappeared" in problem.reason
        monkeypatch.setattr(indexing, "scan_rows", real_scan)
        report = cat.refresh()
        assert report.removed == 1
        assert "ghost.md" not in {p.path for p in cat.problems()}


def test_same_url_rule_holds_when_the_earlier_file_is_added_later(tmp_path):
    """An incremental refresh ends as a fresh build would: the first file by path wins."""
    root = tmp_path / "lib"
    write_article(root, "dup/b.md", T0, title="Second copy", url="/dup", answer="second")
    write_article(root, "other.md", T0, title="Linker", answer="x",
                  related_article1=link("", "", "", "/dup"))  # fmt: skip
    with Catalog(root) as cat:
        cat.refresh()
        assert by_key(cat, "/dup").path == "dup/b.md"
        write_article(root, "dup/a.md", T0, title="First copy", url="/dup", answer="first")
        cat.refresh()
        incremental = (
            by_key(cat, "/dup").path,
            [(p.path, p.reason) for p in cat.problems()],
            search_titles(cat, "second", typing=False),
            search_titles(cat, "first", typing=False),
            [lk.target_key for lk in by_key(cat, "other.md").links],
            [b.title for b in by_key(cat, "/dup").backlinks],
            cat.count(),
        )
        cat.refresh()  # and it stays that way
        assert by_key(cat, "/dup").path == "dup/a.md"
    with Catalog(root, db_path=tmp_path / "fresh.sqlite3") as fresh:
        fresh.refresh()
        expected = (
            by_key(fresh, "/dup").path,
            [(p.path, p.reason) for p in fresh.problems()],
            search_titles(fresh, "second", typing=False),
            search_titles(fresh, "first", typing=False),
            [lk.target_key for lk in by_key(fresh, "other.md").links],
            [b.title for b in by_key(fresh, "/dup").backlinks],
            fresh.count(),
        )
    assert expected[0] == "dup/a.md"
    assert incremental == expected


def test_new_file_before_a_changed_file_with_the_highest_rowid(tmp_path):
    # The new article must not be given the rowid that the rewritten one keeps.
    root = tmp_path / "lib"
    write_article(root, "m.md", T0, title="Middle", answer="m")
    write_article(root, "z.md", T0, title="Last", answer="z")
    with Catalog(root) as cat:
        cat.refresh()
        last = cat.rowid_for_key("z.md")
        write_article(root, "a.md", T0 + 100, title="A new one", answer="fresh")
        write_article(root, "z.md", T0 + 100, title="Last, changed", answer="zebra")
        report = cat.refresh()
        assert (report.added, report.changed, report.removed) == (1, 1, 0)
        assert titles(cat, cat.list_rowids()) == ["A new one", "Last, changed", "Middle"]
        assert cat.rowid_for_key("z.md") == last
        assert search_titles(cat, "fresh", typing=False) == ["A new one"]
        assert search_titles(cat, "zebra", typing=False) == ["Last, changed"]


@pytest.mark.parametrize("seed", range(8))
def test_many_refreshes_with_random_edits_match_a_fresh_build(tmp_path, seed):
    rng = random.Random(seed)
    root = tmp_path / "lib"
    with Catalog(root, db_path=tmp_path / "incremental.sqlite3") as cat:
        for step in range(12):
            for _ in range(rng.randint(1, 4)):
                n = rng.randint(0, 14)
                rel = f"s{n % 3}/f{n:02d}.md"
                if (root / rel).exists() and rng.random() < 0.3:
                    (root / rel).unlink()
                    continue
                write_article(
                    root, rel, T0 + step, title=f"Title {n} v{step}", url=f"/u/{n % 9}",
                    id=str(n), answer=f"word{step} body{n}",
                    related_article1=link(str(n + 1), "", "", f"/u/{(n + 1) % 9}"),
                )  # fmt: skip
            cat.refresh()

        def state(c: Catalog):
            rows = c.rows(list(c.list_rowids()))
            arts = [c.article(r.rowid) for r in rows]
            return (
                [(a.path, a.key, a.title, a.answer) for a in arts],
                [[(lk.position, lk.target_key) for lk in a.links] for a in arts],
                [sorted(b.target_key for b in a.backlinks) for a in arts],
                sorted((p.path, p.reason) for p in c.problems()),
                {s.name: s.count for s in c.subjects()},
                [sorted(titles(c, c.search(f"word{s}", typing=False).rowids)) for s in range(12)],
            )

        incremental = state(cat)
    with Catalog(root, db_path=tmp_path / "fresh.sqlite3") as fresh:
        fresh.refresh()
        assert incremental == state(fresh)


@pytest.mark.parametrize("seed", range(6))
def test_edits_of_one_field_at_a_time_match_a_fresh_build(tmp_path, seed):
    """A rewritten article is updated where it is, in what changed: the answer alone,
    the question, keywords, subject, title, url, id, its links, its stub mark, or it
    breaks and comes back. Every mix ends as a fresh build, indexes included.

    No two articles share an id or title, nor a url but while one of them is skipped
    for it: with ties, a refresh may resolve a link to another article than a fresh
    build (see test_refreshes_resolve_links_as_a_fresh_build_does)."""
    rng = random.Random(seed)
    root = tmp_path / "lib"
    fields: dict[int, dict] = {}

    def article(n: int) -> dict:
        return {
            "id": str(n), "title": f"Title {n}", "question": f"Asked {n}?",
            "subject": ["Alpha", "Beta", "Gamma"][n % 3], "url": f"/u/{n}",
            "seo": {"page_keywords": f"kw{n}"}, "answer": f"answer{n} text",
            "related_article1": link(str(n + 1), "", "Beta", f"/u/{n + 1}"),
        }  # fmt: skip

    def edit(f: dict, n: int, step: int) -> None:
        what = rng.choice(
            ["answer", "answer", "question", "keywords", "subject", "title", "url", "id",
             "links", "stub"]
        )  # fmt: skip
        if what == "answer":
            f["answer"] = f"answer{step} {f['answer']}"
        elif what == "question":
            f["question"] = f"Asked again {step}?"
        elif what == "keywords":
            f["seo"] = {"page_keywords": f"kw{step}"}
        elif what == "subject":
            f["subject"] = rng.choice(["Alpha", "Beta", "Gamma", "Delta"])
        elif what == "title":
            f["title"] = f"Retitled {step}.{n}"
        elif what == "url":
            f["url"] = f"/u/{rng.randrange(14)}"  # may be another file's: one is skipped
        elif what == "id":
            f["id"] = f"{step}.{n}"
        elif what == "links":
            k = rng.randrange(16)  # 12 and up name nothing
            f["related_article1"] = link(*rng.choice(
                [(str(k), "", rng.choice(["Alpha", "Beta"])), ("", f"Title {k}"), ("", "", "", f"/u/{k}")]
            ))  # fmt: skip
        else:
            f["no_index"] = not f.get("no_index", False)

    with Catalog(root, db_path=tmp_path / "incremental.sqlite3") as cat:
        for n in range(12):
            fields[n] = article(n)
            write_article(root, f"s{n % 2}/f{n:02d}.md", T0, **fields[n])
        cat.refresh()
        for step in range(1, 16):
            for n in rng.sample(range(12), rng.randint(1, 4)):
                rel = f"s{n % 2}/f{n:02d}.md"
                if rng.random() < 0.1:
                    write(root, rel, "---\ntitle: [unclosed\n---\n", T0 + step)  # breaks
                    continue
                edit(fields[n], n, step)
                write_article(root, rel, T0 + step, **fields[n])
            cat.refresh()
        incremental = _whole_state(cat)
    _fts_integrity(tmp_path / "incremental.sqlite3")
    with Catalog(root, db_path=tmp_path / "fresh.sqlite3") as fresh:
        fresh.refresh()
        assert incremental == _whole_state(fresh)


def _whole_state(c: Catalog) -> tuple:
    """Everything a reader sees of a catalog, by keys and text (not rowids)."""
    rows = c.rows(list(c.list_rowids(include_stubs=True)))
    arts = [c.article(r.rowid) for r in rows]
    words = ["answer", "asked", "again", "kw", "title", "retitled", "alpha", "beta", "gamma"]
    words += [f"answer{n}" for n in range(16)] + [f"kw{n}" for n in range(16)]
    return (
        [
            (a.path, a.key, a.id, a.title, a.question, a.keywords, a.subject, a.answer, a.is_stub)
            for a in arts
        ],
        [[(lk.position, lk.target_key) for lk in a.links] for a in arts],
        [sorted(b.target_key for b in a.backlinks) for a in arts],
        sorted((p.path, p.reason) for p in c.problems()),
        {s.name: s.count for s in c.subjects(include_stubs=True)},
        {s.name: s.count for s in c.subjects()},
        [sorted(titles(c, c.search(w, typing=False).rowids)) for w in words],
        [sorted(titles(c, c.search(w, quick=True).rowids)) for w in words],
        _links_by_key(c),
    )


def _links_by_key(cat: Catalog) -> dict[tuple[str, int], str | None]:
    conn = cat._reader
    rows = conn.execute(
        "SELECT s.key, l.position, t.key FROM links l JOIN articles s ON s.rowid = l.src "
        "LEFT JOIN articles t ON t.rowid = l.target"
    ).fetchall()
    return {(src, position): target for src, position, target in rows}


def test_refreshes_resolve_links_as_a_fresh_build_does(tmp_path):
    """Random rounds of adds, deletes, retitles and new urls: a refreshed catalog links
    exactly like one built from scratch (a refresh resolves only the links it must).

    Here every url, id and title names one article at most: when several articles tie
    for a link, a refresh may pick another one than a fresh build (the lowest rowid wins,
    and new articles get rowids above the old ones)."""
    rng = random.Random(5)
    root = tmp_path / "lib"
    subjects = ["Botany", "Physics", "History"]
    # Everything an article can be called; links name some that do not exist yet.
    names = [(str(n), f"Title number {n}", f"/x/{n}") for n in range(60)]
    present: dict[int, tuple[str, str, str]] = {}
    mtime = T0

    def write_one(n: int, ident: tuple[str, str, str]) -> None:
        links = {}
        for position in range(1, rng.randint(0, 5) + 1):
            target = rng.randrange(len(names))
            id_, title, url = names[target]
            how = rng.choice(["url", "id", "title", "all"])
            links[f"related_article{position}"] = link(
                id_ if how in ("id", "all") else "",
                title if how in ("title", "all") else "",
                subjects[target % 3],
                url if how in ("url", "all") else "",
            )
        write_article(
            root, f"{subjects[n % 3].lower()}/a{n}.md", mtime, id=ident[0], title=ident[1],
            subject=subjects[n % 3], url=ident[2], answer=f"Answer {n}.", **links,
        )  # fmt: skip
        present[n] = ident

    for n in range(0, 60, 2):
        write_one(n, names[n])
    cat = Catalog(root, tmp_path / "incremental.sqlite3")
    cat.refresh()
    for round_ in range(6):
        mtime += 10
        absent = [n for n in range(60) if n not in present]
        for n in rng.sample(absent, min(4, len(absent))):
            write_one(n, names[n])
        for n in rng.sample(sorted(present), 3):
            (root / subjects[n % 3].lower() / f"a{n}.md").unlink()
            del present[n]
        for n in rng.sample(sorted(present), 3):  # new title, or new url, same file
            id_, title, url = present[n]
            renamed = (id_, f"Renamed {round_} {n}", url) if rng.random() < 0.5 else (
                id_, title, f"/moved/{round_}/{n}")  # fmt: skip
            write_one(n, renamed)
        cat.refresh()
        fresh = Catalog(root, tmp_path / f"fresh{round_}.sqlite3")
        fresh.refresh()
        assert _links_by_key(cat) == _links_by_key(fresh), f"round {round_}"
        assert cat.count() == fresh.count() == len(present)
        fresh.close()
    cat.close()


def _fts_segments(cat: Catalog, table: str) -> list[int]:
    """Leaf pages of each segment of an FTS5 index, from its structure record."""
    (blob,) = cat._reader.execute(f"SELECT block FROM {table}_data WHERE id = 10").fetchone()

    def varint(at: int) -> tuple[int, int]:
        value = 0
        for _ in range(9):
            byte = blob[at]
            at += 1
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        return value, at

    at = 4  # the cookie
    levels, at = varint(at)
    _, at = varint(at)  # segments
    _, at = varint(at)  # write counter
    sizes = []
    for _ in range(levels):
        _, at = varint(at)  # segments being merged
        count, at = varint(at)
        for _ in range(count):
            _, at = varint(at)  # segment id
            first, at = varint(at)
            last, at = varint(at)
            sizes.append(last - first + 1)
    return sizes


def test_small_refreshes_after_a_bulk_build_keep_search_right_and_segments_few(tmp_path):
    """A bulk build ends with one merged segment and automatic merging off (left on, it
    merged the build's big segments again during the next small refreshes: seconds
    each at 150,000 articles, see the benchmark). Segments must still stay few."""
    root = tmp_path / "lib"
    for n in range(300):
        write_article(
            root, f"s{n % 3}/a{n}.md", T0, id=str(n), title=f"Article {n}", subject="S",
            url=f"/a/{n}", answer=" ".join(f"word{(n * 7 + k) % 500}" for k in range(120)),
        )  # fmt: skip
    cat = Catalog(root)
    cat.refresh()
    assert len(_fts_segments(cat, "fts")) == 1  # merged once, at the end of the build
    settings = dict(cat._reader.execute("SELECT k, v FROM fts_config"))
    assert settings["automerge"] == 0
    rng = random.Random(3)
    for round_ in range(40):
        n = rng.randrange(300)
        write_article(
            root, f"s{n % 3}/a{n}.md", T0 + 10 + round_, id=str(n), title=f"Article {n}",
            subject="S", url=f"/a/{n}", answer=f"changed{round_} and more words",
        )  # fmt: skip
        cat.refresh()
        assert search_titles(cat, f"changed{round_}", typing=False) == [f"Article {n}"]
        # FTS5's "crisis merge" (16 segments on a level) keeps the count bounded.
        assert len(_fts_segments(cat, "fts")) <= 32
    cat.close()


@pytest.mark.parametrize("what", ["edited", "deleted"])
def test_a_refresh_of_many_articles_adds_few_fts_segments(tmp_path, what):
    """SQLite 3.40's FTS5 writes its pending terms out as a segment at every statement
    that opens a savepoint (an INSERT ... SELECT does). Taking articles out of the
    index with one such statement each made a segment per article: 100 edited files
    cascaded into merges of the big segments of a bulk build (10 s and 640 MB of log
    at 150,000 articles, measured)."""
    root = tmp_path / "lib"
    for n in range(80):
        write_article(root, f"a{n:02d}.md", T0, title=f"Article {n}", url=f"/a/{n}",
                      answer=f"body{n} text")  # fmt: skip
    cat = Catalog(root)
    cat.refresh()
    before = {t: len(_fts_segments(cat, t)) for t in ("fts", "quick")}
    for n in range(0, 80, 2):
        if what == "edited":
            write_article(root, f"a{n:02d}.md", T0 + 10, title=f"Article {n} again",
                          url=f"/a/{n}", answer=f"new{n} text")  # fmt: skip
        else:
            (root / f"a{n:02d}.md").unlink()
    cat.refresh()
    after = {t: len(_fts_segments(cat, t)) for t in ("fts", "quick")}
    assert after["fts"] - before["fts"] <= 2
    assert after["quick"] - before["quick"] <= 2
    expected = ["Article 2 again"] if what == "edited" else []
    assert search_titles(cat, "new2", typing=False) == expected
    assert search_titles(cat, "body2", typing=False) == []
    cat.close()
    _fts_integrity(paths.catalog_path(root.resolve()))


def test_a_new_article_that_matches_a_link_better_takes_it_over(tmp_path):
    """Review: a link resolved by a weaker rule (title, or an id in another subject)
    kept its target when an article matching it by a stronger one appeared."""
    root = tmp_path / "lib"
    write_article(
        root, "a/src.md", T0, id="1", title="Source", subject="Phys", url="/src",
        answer="Links.",
        related_article1=link("", "Shared title", "Phys", "/z"),  # url /z: not there yet
        related_article2=link("9", "", "Phys", ""),  # id 9: only in Chem so far
    )  # fmt: skip
    write_article(
        root, "a/shared.md", T0, id="2", title="Shared title", subject="Phys", url="/a",
        answer="By title.",
    )  # fmt: skip
    write_article(
        root, "b/chem9.md", T0, id="9", title="Nine in chemistry", subject="Chem", url="/c9",
        answer="Same id, other subject.",
    )  # fmt: skip
    cat = Catalog(root, tmp_path / "incremental.sqlite3")
    cat.refresh()
    before = {lk.position: lk.target_key for lk in by_key(cat, "/src").links}
    assert before == {1: "/a", 2: "/c9"}
    write_article(
        root, "a/z.md", T0 + 10, id="3", title="Zed", subject="Phys", url="/z", answer="Z."
    )
    write_article(
        root, "a/phys9.md", T0 + 10, id="9", title="Nine in physics", subject="Phys",
        url="/p9", answer="The link's own subject.",
    )  # fmt: skip
    cat.refresh()
    fresh = Catalog(root, tmp_path / "fresh.sqlite3")
    fresh.refresh()
    after = {lk.position: lk.target_key for lk in by_key(cat, "/src").links}
    assert after == {1: "/z", 2: "/p9"}
    assert _links_by_key(cat) == _links_by_key(fresh)
    cat.close()
    fresh.close()


def test_an_article_moved_to_a_links_subject_takes_the_link_over(tmp_path):
    """A link by id prefers the article in its own subject. When a rewrite moves an
    article with that id into the link's subject (same url, id and title), the link
    must move to it, as in a fresh build."""
    root = tmp_path / "lib"
    write_article(
        root, "a/src.md", T0, id="1", title="Source", subject="Chem", url="/src",
        answer="Links.", related_article1=link("9", "", "Chem", ""),
    )  # fmt: skip
    write_article(root, "b/phys9.md", T0, id="9", title="Nine", subject="Phys", url="/p9",
                  answer="First with id 9.")  # fmt: skip
    write_article(root, "c/bio9.md", T0, id="9", title="Nine", subject="Bio", url="/b9",
                  answer="Second with id 9.")  # fmt: skip
    cat = Catalog(root, tmp_path / "incremental.sqlite3")
    cat.refresh()
    assert [lk.target_key for lk in by_key(cat, "/src").links] == ["/p9"]  # lowest rowid
    write_article(root, "c/bio9.md", T0 + 10, id="9", title="Nine", subject="Chem",
                  url="/b9", answer="Second with id 9.")  # fmt: skip
    cat.refresh()
    assert [lk.target_key for lk in by_key(cat, "/src").links] == ["/b9"]
    fresh = Catalog(root, tmp_path / "fresh.sqlite3")
    fresh.refresh()
    assert _links_by_key(cat) == _links_by_key(fresh)
    cat.close()
    fresh.close()


def test_answers_are_packed_with_zstandard_and_read_back():
    # zstd level 1 packs an answer in a third of zlib level 1's time, a little smaller.
    text = "Ünïcode answer \\n with a literal escape.\n\n1. **Bold** item\n" * 20
    data = text.encode("utf-8")
    packed = catalog_module.pack(data)
    assert packed[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame
    assert len(packed) < len(zlib.compress(data, 1))
    assert catalog_module.unpack(packed) == text


def _answer_blob(cat: Catalog, rowid: int) -> bytes:
    conn = sqlite3.connect(cat.db_path)
    (packed,) = conn.execute("SELECT answer FROM answers WHERE rowid = ?", (rowid,)).fetchone()
    conn.close()
    return packed


def test_without_zstd_answers_are_packed_with_zlib_and_still_read_with_it(library, monkeypatch):
    # zstd is optional in Python 3.14's standard library: without it, answers are
    # packed with zlib, and a Python with zstd reads them in the same catalog.
    with_zstd = codec._zstd
    monkeypatch.setattr(codec, "_zstd", lambda: None)
    cat = Catalog(library)
    cat.refresh()
    rowid = cat.rowid_for_key("/b/leaves")
    assert _answer_blob(cat, rowid)[:1] == b"\x78"  # a zlib stream
    old = "Chlorophyll fades in autumn and **carotenoids** show."
    assert cat.article(rowid).answer == old
    (hit,) = cat.hits(cat.search("carotenoids", typing=False))
    assert "carotenoids" in "".join(part for part, _ in hit.snippet_parts())
    cat.close()
    monkeypatch.setattr(codec, "_zstd", with_zstd)
    cat = Catalog(library)
    assert cat.article(rowid).answer == old
    (hit,) = cat.hits(cat.search("carotenoids", typing=False))
    assert hit.row.title == "Why do leaves change colour?"
    # Editing the file takes its old text out of the index through the zlib stream.
    write_article(
        library, "botany/leaves.md", T0 + 50, id="1", title="Why do leaves change colour?",
        subject="Botany", url="/b/leaves", answer="Anthocyanins redden maples.",
    )  # fmt: skip
    assert not cat.refresh().rebuilt
    assert cat.search("carotenoids", typing=False).total == 0
    assert search_titles(cat, "anthocyanins", typing=False) == ["Why do leaves change colour?"]
    assert _answer_blob(cat, rowid)[:4] == b"\x28\xb5\x2f\xfd"  # written again: zstd
    cat.close()


def test_a_zstd_answer_where_zstd_is_missing_is_a_catalog_error(monkeypatch):
    packed = catalog_module.pack(b"An answer.")
    monkeypatch.setattr(codec, "_zstd", lambda: None)
    with pytest.raises(CatalogError, match="delete the catalog to have it rebuilt"):
        catalog_module.unpack(packed)


def test_a_catalog_written_before_zstd_is_rebuilt_not_read(library):
    # Schema 7 held zlib answers; a build of that schema would fail on zstd ones, so
    # the version changed: each build rebuilds the other's catalog.
    assert catalog_module.SCHEMA_VERSION >= 8
    built_with_schema(library, "7")
    with Catalog(library) as cat:
        assert cat.refresh().rebuilt
        rowid = cat.rowid_for_key("/b/leaves")
        assert _answer_blob(cat, rowid)[:4] == b"\x28\xb5\x2f\xfd"


def test_answers_packed_by_any_zlib_setting_read_back():
    pack, unpack = catalog_module.pack, catalog_module.unpack
    text = "Ünïcode answer \\n with a literal escape.\n\n1. **Bold** item\n" * 20
    data = text.encode("utf-8")
    assert unpack(pack(data)) == text
    assert len(pack(data)) < len(data)
    # Catalogs written before this packing used Huffman coding only.
    older = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_HUFFMAN_ONLY)
    assert unpack(older.compress(data) + older.flush()) == text


def test_differences_between_a_scan_and_the_catalog_match_a_plain_comparison():
    # The refresh's merge skips equal runs a slice at a time: changes at every distance
    # from the slice edges, runs of additions and removals longer than a slice, and
    # changes at both ends must all come out as a plain dict comparison says.
    import random

    differences = indexing.differences
    rng = random.Random(7)
    skips = 0
    for trial in range(80):
        size = rng.choice([0, 1, 5, 255, 256, 257, 600, 2000, 5000])
        rate = rng.choice([0.0, 0.0005, 0.002, 0.02])  # low rates leave long equal runs
        known = sorted((f"d{n // 50}/f{n:05}.md", n % 7, n) for n in range(size))
        scanned = []
        for row in known:
            roll = rng.random()
            if roll < rate:
                continue  # removed
            if roll < 2 * rate:
                row = (row[0], row[1] + 1, row[2])  # changed
            scanned.append(row)
            if rng.random() < rate:  # added, just after it
                scanned.append((row[0] + "x", 1, 1))
        if trial % 10 == 0 and scanned:  # a long run of additions, then of removals
            start = rng.randrange(len(scanned))
            scanned[start:start] = [(scanned[start][0][:-3] + f"-{k:04}", 1, 1) for k in range(600)]
            del scanned[: rng.randrange(min(len(scanned), 700))]
        scanned.sort()
        old = {path: rest for path, *rest in known}
        now = {path: rest for path, *rest in scanned}
        added, changed, removed = differences(scanned, known)
        if size >= 600 and rate and (added or changed or removed):
            skips += 1
        assert added == [(p, *now[p]) for p in sorted(now.keys() - old.keys())]
        assert changed == [(p, *now[p]) for p in sorted(now) if p in old and old[p] != now[p]]
        assert removed == sorted(old.keys() - now.keys())
    assert skips >= 10  # enough cases where equal runs are skipped between differences


def test_a_refresh_leaves_garbage_collection_as_it_found_it(library):
    # The refresh pauses collection while it compares the folder with the catalog.
    import gc

    with Catalog(library) as cat:
        cat.refresh()
        assert gc.isenabled()
        gc.disable()
        try:
            cat.refresh()
            assert not gc.isenabled()
        finally:
            gc.enable()
