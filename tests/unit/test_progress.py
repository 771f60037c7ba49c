"""Reading progress (qtreader.library.progress): read marks per library, as safe as bookmarks."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest
from libhelpers import (
    corrupt_copies,
    two_subjects_library,
    two_writers_at_once,
    write_article,
    writers_killed_at_random,
)

import qtreader.library.progress.format as progress_format
import qtreader.library.progress.resolve as progress_resolve
from qtreader.library import paths
from qtreader.library.catalog import Catalog
from qtreader.library.models import ArticleRow
from qtreader.library.progress import (
    ProgressStore,
    ReadMark,
    ReadMarks,
    StoreReadOnly,
    resolve_marks,
)
from qtreader.library.settings import Settings, load_settings

LIB = "/libraries/one"


def mark(n: int, prefix: str = "/a", **fields) -> ReadMark:
    values = {"key": f"{prefix}/{n}", "id": str(n), "title": f"Article {n}", "read": 1_700_000_000}
    values.update(fields)
    return ReadMark(**values)


# -- marks -------------------------------------------------------------------


def test_the_file_is_per_library_under_xdg_data_home(isolated_user_dirs, tmp_path):
    one, two = ProgressStore(tmp_path / "one"), ProgressStore(tmp_path / "two")
    assert one.mark_read([mark(1)]) == 1
    assert one.path == paths.progress_file(tmp_path / "one")
    assert one.path.is_relative_to(isolated_user_dirs["XDG_DATA_HOME"])
    assert one.path != two.path
    assert "/a/1" in ProgressStore(tmp_path / "one").load()
    assert "/a/1" not in two.load()
    assert two.stamp() is None  # nothing written for it


def test_mark_unmark_and_toggle_round_trip():
    store = ProgressStore(LIB)
    assert store.mark_read([mark(1), mark(2), mark(1)]) == 2
    assert store.mark_read([mark(2, read=5)]) == 0  # already read: keeps its first time
    again = ProgressStore(LIB)
    marks = again.load()
    assert len(marks) == 2
    assert again.is_read("/a/1") and again.is_read("/a/2")
    assert not again.is_read("/a/3")
    assert marks.get("/a/2") == ReadMark("/a/2", "/a/2", "2", "Article 2", 1_700_000_000)
    assert marks.keys() == {"/a/1", "/a/2"}
    assert again.mark_unread(["/a/1", "/a/9"]) == 1
    assert ProgressStore(LIB).load().keys() == {"/a/2"}
    article = ArticleRow(7, "/a/7", "Seven", "Subject", "")
    assert again.toggle(article, at=100) is True
    assert again.load().get("/a/7") == ReadMark("/a/7", "/a/7", "", "Seven", 100)
    assert again.toggle(article) is False
    assert "/a/7" not in ProgressStore(LIB).load()


def test_a_mark_keeps_what_finds_its_article_again(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "s/a.md", title="Hash tables", url="/q/hash", id="90", answer="x")
    with Catalog(root) as cat:
        cat.refresh()
        article = cat.article(cat.rowid_for_key("/q/hash"))
    store = ProgressStore(root)
    store.mark_read([article], at=1234)
    assert store.load().get("/q/hash") == ReadMark("/q/hash", "/q/hash", "90", "Hash tables", 1234)


@pytest.mark.parametrize(
    "key",
    ['"quoted"', "line\nbreak", "tab\there", "ünïcödé ключ", "C:\\path\\x", "s/bad\\xff.md"],
)
def test_any_key_round_trips(key):
    store = ProgressStore(LIB)
    store.mark_read([ReadMark(key, title="T\nwith a newline")])
    marks = ProgressStore(LIB).load()
    assert key in marks
    assert marks.keys() == {key}
    assert marks.get(key).title == "T\nwith a newline"
    assert store.mark_unread([key]) == 1
    assert key not in ProgressStore(LIB).load()


def test_keys_sharing_a_hash_stay_apart(monkeypatch):
    monkeypatch.setattr(progress_format, "key_hash", lambda key: 42)
    store = ProgressStore(LIB)
    assert store.mark_read([mark(n) for n in range(5)]) == 5
    marks = ProgressStore(LIB).load()
    assert all(f"/a/{n}" in marks for n in range(5))
    assert "/a/5" not in marks
    assert store.mark_unread(["/a/3"]) == 1
    assert ProgressStore(LIB).load().keys() == {"/a/0", "/a/1", "/a/2", "/a/4"}


def test_a_large_merge_is_sorted_in_and_keeps_what_was_there():
    store = ProgressStore(LIB)
    store.mark_read([mark(1, read=10)])
    incoming = [mark(n, read=20) for n in range(2_000)] + [mark(5, read=30)]
    assert store.merge(incoming) == 1_999
    assert store.merge(incoming) == 0
    marks = ProgressStore(LIB).load()
    assert len(marks) == 2_000
    assert marks.get("/a/1").read == 10  # the first time stays
    assert marks.get("/a/5").read == 20
    assert marks.keys() == {f"/a/{n}" for n in range(2_000)}
    assert store.mark_read([mark(5_000)]) == 1  # inserted among them afterwards
    assert "/a/5000" in ProgressStore(LIB).load()


def test_dead_rows_are_dropped_once_they_outnumber_the_live_ones():
    store = ProgressStore(LIB)
    store.mark_read([mark(n) for n in range(10)])
    full = store.path.stat().st_size
    store.mark_unread(["/a/0", "/a/1", "/a/2", "/a/3"])
    assert store.load().dead == 4
    assert b'"Article 0"' in store.path.read_bytes()  # its row is left behind
    store.mark_unread(["/a/4"])
    assert store.load().dead == 0
    assert b'"Article 0"' not in store.path.read_bytes()
    assert store.path.stat().st_size < full
    marks = ProgressStore(LIB).load()
    assert marks.keys() == {f"/a/{n}" for n in range(5, 10)}
    assert marks.get("/a/7") == mark(7)._replace(url="/a/7")
    store.mark_read([mark(0)])
    assert ProgressStore(LIB).load().keys() == {f"/a/{n}" for n in (0, 5, 6, 7, 8, 9)}


def test_removing_every_mark_leaves_a_good_empty_file():
    store = ProgressStore(LIB)
    for count in (1, 3, 300):  # one at a time, a few, sorted in
        store.mark_read([mark(n) for n in range(count)])
        assert store.mark_unread([f"/a/{n}" for n in range(count)]) == count
        again = ProgressStore(LIB)
        assert len(again.load()) == 0 and again.load().stamp is not None
        assert again.take_messages() == [] and corrupt_copies(store.path) == []
        assert again.mark_read([mark(7)]) == 1 and again.mark_unread(["/a/7"]) == 1
    assert ProgressStore(LIB).take_messages() == []


@pytest.mark.parametrize("hashes", ["real", "few"])
def test_random_changes_match_a_set(monkeypatch, hashes):
    """Random marks and unmarks by two stores, against a plain set: every file read
    back whole and equal (inserts, sorted merges, dead rows, compaction, collisions)."""
    monkeypatch.setattr(progress_format, "_BULK", 4)
    if hashes == "few":  # many keys share a hash
        real = progress_format.key_hash
        monkeypatch.setattr(progress_format, "key_hash", lambda key: real(key) % 7)
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    stores = [ProgressStore(LIB), ProgressStore(LIB)]
    model: set[str] = set()
    for step in range(250):
        store = rng.choice(stores)
        keys = [f"/k/{rng.randrange(12)}" for _ in range(rng.choice((1, 2, 9)))]
        action = rng.random()
        if action < 0.5:
            added = store.mark_read([ReadMark(k, title=f"T {k}") for k in keys])
            assert added == len(set(keys) - model), (seed, step)
            model |= set(keys)
        elif action < 0.85:
            removed = store.mark_unread(keys)
            assert removed == len(set(keys) & model), (seed, step)
            model -= set(keys)
        else:
            now_read = store.toggle(ReadMark(keys[0], title="t"))
            assert now_read == (keys[0] not in model), (seed, step)
            model ^= {keys[0]}
        fresh = ProgressStore(LIB)
        marks = fresh.load()
        assert marks.keys() == model, (seed, step)
        assert all(k in marks for k in model) and "/k/none" not in marks
        assert fresh.take_messages() == [], (seed, step)
    assert corrupt_copies(stores[0].path) == []


def test_load_is_one_stat_while_the_file_is_unchanged():
    store, other = ProgressStore(LIB), ProgressStore(LIB)
    first = store.load()
    assert first.stamp is None and len(first) == 0
    assert store.load() is first
    other.mark_read([mark(1)])
    assert store.changed(first)
    second = store.load()
    assert "/a/1" in second and second is not first
    assert store.load() is second
    assert not store.changed(second)
    assert second.stamp == store.stamp()


# -- damaged, newer and unreadable files ---------------------------------------


def good_file() -> tuple[Path, bytes]:
    store = ProgressStore(LIB)
    store.mark_read([mark(n) for n in range(3)])
    return store.path, store.path.read_bytes()


def flipped(data: bytes) -> bytes:
    at = len(data) - 5
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda good: b"\x00\xff garbage \x80\x81",
        lambda good: b"",
        lambda good: good[:-10],  # cut
        flipped,  # a changed byte in a row
        lambda good: good.replace(b'"count"', b'"kount"'),
        lambda good: b"qtreader-progress 1\n{not json\n",
        lambda good: b"qtreader-progress one\n{}\n",
    ],
    ids=["garbage", "empty", "cut", "flipped", "no-count", "header", "version"],
)
def test_a_damaged_file_is_kept_aside_and_a_new_one_started(damage):
    path, good = good_file()
    content = damage(good)
    path.write_bytes(content)
    store = ProgressStore(LIB)
    assert len(store.load()) == 0
    (aside,) = corrupt_copies(path)
    assert aside.read_bytes() == content
    messages = store.take_messages()
    assert len(messages) == 1 and str(aside) in messages[0] and "damaged" in messages[0]
    assert not store.read_only
    store.mark_read([mark(9)])
    again = ProgressStore(LIB)
    assert again.load().keys() == {"/a/9"}
    assert again.take_messages() == []


def test_a_newer_file_is_read_and_never_written():
    path, good = good_file()
    newer = good.replace(b"qtreader-progress 1\n", b"qtreader-progress 2\n", 1)
    path.write_bytes(newer)
    store = ProgressStore(LIB)
    assert store.load().keys() == {"/a/0", "/a/1", "/a/2"}
    assert store.read_only
    with pytest.raises(StoreReadOnly):
        store.mark_read([mark(5)])
    with pytest.raises(StoreReadOnly):
        store.mark_unread(["/a/1"])
    assert path.read_bytes() == newer
    assert corrupt_copies(path) == []
    messages = store.take_messages()
    assert len(messages) == 1 and "newer" in messages[0]
    assert store.take_messages() == []


def test_a_newer_file_of_another_layout_is_left_alone():
    path = paths.progress_file(Path(LIB))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"qtreader-progress 7\n\x00 a layout of the future")
    store = ProgressStore(LIB)
    assert len(store.load()) == 0
    assert store.read_only
    with pytest.raises(StoreReadOnly):
        store.mark_read([mark(1)])
    assert path.read_bytes() == b"qtreader-progress 7\n\x00 a layout of the future"
    assert corrupt_copies(path) == []


def test_an_unreadable_file_is_read_only(tmp_path):
    in_the_way = tmp_path / "progress.marks"
    in_the_way.mkdir()
    store = ProgressStore(LIB, in_the_way)
    assert len(store.load()) == 0
    assert store.read_only
    with pytest.raises(StoreReadOnly):
        store.mark_read([mark(1)])
    assert "cannot be read" in store.take_messages()[0]


# -- processes -------------------------------------------------------------------


def test_two_processes_marking_at_once_lose_nothing(tmp_path):
    path = tmp_path / "p.marks"
    ProgressStore("/library", path).mark_read([mark(n, "/base") for n in range(20_000)])
    assert two_writers_at_once(tmp_path, "progress", path, 150) == [0, 0]
    store = ProgressStore("/library", path)
    keys = store.load().keys()
    assert len(keys) == 20_300
    assert {f"{p}-{n}" for p in ("l", "r") for n in range(150)} <= keys
    assert store.take_messages() == []


def test_a_writer_killed_at_random_moments_never_loses_a_saved_mark(tmp_path):
    path = tmp_path / "p.marks"
    # A file of some size, so that a kill often lands inside a write.
    ProgressStore("/library", path).mark_read([mark(n, "/base") for n in range(20_000)])
    for seed, iteration, saved in writers_killed_at_random(tmp_path, "progress", path, 12, 0.3):
        store = ProgressStore("/library", path)
        marks = store.load()  # whole: its checksum matches, never half-written
        assert store.take_messages() == [], (seed, iteration)
        missing = [key for key in saved if key not in marks]
        assert not missing, (seed, iteration, missing[:5])
        assert len(marks) >= 20_000
    assert saved, "no child got to save anything"
    assert corrupt_copies(path) == []
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".p.marks.")]
    print(f"\n{len(leftovers)} of 12 writers were killed in the middle of a write")
    assert len(leftovers) <= 12  # their temp files (as bookmarks leave them)


# -- marks found in a catalog ----------------------------------------------------


class CountingCatalog:
    """A catalog that counts the lookups resolving makes."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.lookups = 0

    def rowid_for_key(self, key):
        self.lookups += 1
        return self.catalog.rowid_for_key(key)

    def find_by_id_title(self, id_, title):
        return self.catalog.find_by_id_title(id_, title)

    def rows(self, rowids):
        return self.catalog.rows(rowids)

    def count(self, include_stubs=True):
        return self.catalog.count(include_stubs)

    def list_rowids(self, subject=None, include_stubs=False, sort="title"):
        return self.catalog.list_rowids(subject, include_stubs, sort)


@pytest.fixture(params=["lookups", "read-all"])
def either_way(request, monkeypatch):
    """Marks found by a query each, or by reading every row of the catalog once."""
    if request.param == "read-all":
        monkeypatch.setattr(progress_resolve, "_READ_ALL_AT", 0)
        monkeypatch.setattr(progress_resolve, "_READ_ALL_SHARE", 0)
    return request.param


def test_progress_per_subject_and_for_the_library(tmp_path, either_way):
    root = tmp_path / "lib"
    two_subjects_library(root, 3, 2, "Stub")
    store = ProgressStore(root)
    with Catalog(root) as cat:
        cat.refresh()
        read = [cat.article(cat.rowid_for_key(k)) for k in ("/bio/0", "/bio/2", "/chem/1")]
        store.mark_read(read)
        store.mark_read(
            [cat.article(cat.rowid_for_key("/chem/stub")), ReadMark("/gone", title="Gone")]
        )
        resolved = resolve_marks(cat, store.load())
        progress = resolved.progress(cat.subjects())
        assert [(s.name, s.read, s.total) for s in progress.subjects] == [
            ("Biology", 2, 3),
            ("Chemistry", 1, 2),
        ]
        assert (progress.read, progress.total) == (3, 5)
        assert progress.subject("chemistry").read == 1
        with_stubs = resolved.progress(cat.subjects(include_stubs=True), include_stubs=True)
        assert with_stubs.subject("chemistry").read == 2
        assert (with_stubs.read, with_stubs.total) == (4, 6)
        assert resolved.missing == 1
        everything = list(cat.list_rowids(include_stubs=True))
        unread = resolved.unread(everything)
        assert [r.key for r in cat.rows(unread)] == ["/bio/1", "/chem/0"]
        assert resolved.rowids == {
            cat.rowid_for_key(k) for k in ("/bio/0", "/bio/2", "/chem/1", "/chem/stub")
        }


def test_resolving_again_looks_up_only_the_new_marks(tmp_path):
    root = tmp_path / "lib"
    two_subjects_library(root, 3, 2, "Stub")
    store = ProgressStore(root)
    with Catalog(root) as cat:
        cat.refresh()
        counting = CountingCatalog(cat)
        store.mark_read([ReadMark(f"/bio/{n}", title=f"Bio {n}") for n in range(3)])
        first = resolve_marks(counting, store.load())
        assert counting.lookups == 3
        store.mark_read([ReadMark("/chem/0", title="Chem 0")])
        second = resolve_marks(counting, store.load(), first)
        assert counting.lookups == 4
        assert second.progress(cat.subjects()).read == 4
        store.mark_unread(["/bio/1"])
        third = resolve_marks(counting, store.load(), second)
        assert counting.lookups == 4
        assert third.progress(cat.subjects()).read == 3
        assert not third.is_read("/bio/1") and third.is_read("/bio/2")


def test_a_moved_file_is_found_again_by_its_url(tmp_path, either_way):
    root = tmp_path / "lib"
    write_article(root, "a/q.md", title="Moving", url="/q/moving", id="7", answer="x")
    store = ProgressStore(root)
    with Catalog(root) as cat:
        cat.refresh()
        store.mark_read([cat.article(cat.rowid_for_key("/q/moving"))])
        (root / "b").mkdir()
        shutil.move(root / "a" / "q.md", root / "b" / "renamed.md")
        cat.refresh()
        rowid = cat.rowid_for_key("/q/moving")
        assert cat.article(rowid).path == "b/renamed.md"
        resolved = resolve_marks(cat, store.load())
        assert resolved.rowids == {rowid}
        assert resolved.is_read("/q/moving")


def test_a_moved_file_without_url_is_found_again_by_id_and_title(tmp_path, either_way):
    root = tmp_path / "lib"
    write_article(root, "a/q.md", title="No url", id="31", answer="x")
    write_article(root, "a/other.md", title="Other", id="32", answer="x")
    store = ProgressStore(root)
    with Catalog(root) as cat:
        cat.refresh()
        store.mark_read([cat.article(cat.rowid_for_key("a/q.md"))])
        assert store.load().get("a/q.md").url == "a/q.md"  # its key is its path
        (root / "b").mkdir()
        shutil.move(root / "a" / "q.md", root / "b" / "q.md")
        cat.refresh()
        assert cat.rowid_for_key("a/q.md") is None
        moved = cat.article(cat.rowid_for_key("b/q.md"))
        resolved = resolve_marks(cat, store.load())
        assert resolved.rowids == {moved.rowid}
        assert resolved.is_read("b/q.md")
        assert not resolved.is_read("a/other.md")
        assert resolved.missing == 0
        assert resolved.progress(cat.subjects()).read == 1
        # Marking it unread takes the mark kept under its old key.
        assert resolved.marked_as("b/q.md") == ["a/q.md"]
        assert store.toggle(moved, aliases=resolved.marked_as("b/q.md")) is False
        after = resolve_marks(cat, store.load(), resolved)
        assert not after.is_read("b/q.md") and len(store.load()) == 0
        assert store.take_messages() == [] and corrupt_copies(store.path) == []


def test_a_changed_url_is_found_again_by_id_and_title(tmp_path, either_way):
    root = tmp_path / "lib"
    write_article(root, "s/a.md", title="Renamed", url="/old", id="9", answer="x")
    store = ProgressStore(root)
    with Catalog(root) as cat:
        cat.refresh()
        store.mark_read([cat.article(cat.rowid_for_key("/old"))])
        write_article(
            root, "s/a.md", 2_000_000_000, title="Renamed", url="/new", id="9", answer="x"
        )
        cat.refresh()
        resolved = resolve_marks(cat, store.load())
        assert resolved.rowids == {cat.rowid_for_key("/new")}
        assert resolved.is_read("/new") and not resolved.is_read("/elsewhere")
        (root / "s" / "a.md").unlink()
        cat.refresh()
        gone = resolve_marks(cat, store.load())
        assert gone.rowids == frozenset() and gone.missing == 1
        assert len(store.load()) == 1  # the mark is kept: the file may come back


@pytest.mark.parametrize("window", [4096, 0])
def test_resolving_step_by_step_equals_resolving_from_nothing(tmp_path, monkeypatch, window):
    """Random changes, each resolved from the last result, against a resolution from
    nothing: the same rows, counts, moved keys and missing marks."""
    monkeypatch.setattr(progress_resolve, "_WINDOW_MOST", window)  # 0: as if all changed
    root = tmp_path / "lib"
    for n in range(24):
        subject = ("Biology", "Chemistry", "Physics")[n % 3]
        url = {"url": f"/q/{n}"} if n % 4 else {}  # every fourth is known by its path
        write_article(root, f"{subject}/a{n}.md", title=f"Q {n}", id=str(n), subject=subject,
                      answer="x", **url)  # fmt: skip
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    store = ProgressStore(root)
    with Catalog(root) as cat:
        cat.refresh()
        keys = [r.key for r in cat.rows(list(cat.list_rowids()))] + ["/not/here", "/gone/too"]
        subjects = cat.subjects()
        resolved = resolve_marks(cat, store.load())
        for step in range(60):
            chosen = rng.sample(keys, rng.choice((1, 1, 2, 5)))
            if rng.random() < 0.6:
                store.mark_read([ReadMark(k, title="t") for k in chosen])
            else:
                store.mark_unread(chosen)
            marks = store.load()
            resolved = resolve_marks(cat, marks, resolved)
            fresh = resolve_marks(cat, marks)
            assert set(resolved.rowids) == set(fresh.rowids), (seed, step)
            assert resolved.progress(subjects) == fresh.progress(subjects), (seed, step)
            assert resolved.missing == fresh.missing, (seed, step)
            assert all(resolved.is_read(k) == (k in marks) for k in keys), (seed, step)


def test_two_marks_of_one_article_count_it_once(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "a/q.md", title="Twice", id="5", subject="Biology", answer="x")
    store = ProgressStore(root)
    with Catalog(root) as cat:
        cat.refresh()
        store.mark_read([ReadMark("a/q.md", title="Twice", id="5")])
        shutil.move(root / "a", root / "b")
        cat.refresh()
        store.mark_read([cat.article(cat.rowid_for_key("b/q.md"))])  # marked again, moved
        first = resolve_marks(cat, store.load())
        assert first.progress(cat.subjects()).read == 1
        assert first.rowids == {cat.rowid_for_key("b/q.md")}
        assert first.marked_as("b/q.md") == ["b/q.md", "a/q.md"]
        store.mark_unread(["b/q.md"])
        second = resolve_marks(cat, store.load(), first)
        assert second.is_read("b/q.md") and second.progress(cat.subjects()).read == 1
        store.mark_unread(second.marked_as("b/q.md"))
        third = resolve_marks(cat, store.load(), second)
        assert not third.is_read("b/q.md") and third.rowids == set()
        assert third.progress(cat.subjects()).read == 0
        assert first.rowids == {cat.rowid_for_key("b/q.md")}  # each result stays as it was


# -- scale ---------------------------------------------------------------------------


def test_150000_marks_load_without_a_pause(tmp_path):
    path = tmp_path / "p.marks"
    marks = [
        ReadMark(f"/learn/subject-{n % 40}/questions/how-does-thing-{n}-work", "", str(100_000 + n),
                 f"How does thing {n} work, and why does it matter?", 1_733_000_000 + n)
        for n in range(150_000)
    ]  # fmt: skip
    started = time.perf_counter()
    assert ProgressStore(LIB, path).merge(marks) == 150_000
    merged = time.perf_counter() - started
    loads = []
    for _ in range(3):
        store = ProgressStore(LIB, path)
        started = time.perf_counter()
        loaded = store.load()
        loads.append(time.perf_counter() - started)
    started = time.perf_counter()
    hits = sum(m.key in loaded for m in marks[:10_000])
    lookup = (time.perf_counter() - started) / 10_000
    started = time.perf_counter()
    store.mark_read([ReadMark("/one/more", title="One more")])
    one = time.perf_counter() - started
    size = path.stat().st_size
    print(
        f"\n150,000 read marks: {size / 1e6:.1f} MB; load {min(loads) * 1000:.0f} ms "
        f"(of {', '.join(f'{t * 1000:.0f}' for t in loads)}); 'is read' {lookup * 1e6:.1f} us; "
        f"one more mark written {one * 1000:.0f} ms; the first 150,000 merged {merged:.1f} s"
    )
    assert len(loaded) == 150_000 and hits == 10_000
    assert "/learn/subject-1/questions/how-does-thing-150001-work" not in loaded
    assert len(ProgressStore(LIB, path).load()) == 150_001


# -- settings --------------------------------------------------------------------


def write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_when_an_article_counts_as_read_is_a_setting():
    assert (Settings().read_after_seconds, Settings().read_at_end) == (10, True)
    write_config("read_after_seconds = 0\nread_at_end = false\n")
    settings, warnings = load_settings()
    assert warnings == []
    assert (settings.read_after_seconds, settings.read_at_end) == (0, False)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ('read_after_seconds = "5"', "should be a whole number"),
        ("read_after_seconds = true", "should be a whole number"),
        ("read_after_seconds = -1", "between 0 (never) and 3600"),
        ("read_after_seconds = 86400", "between 0 (never) and 3600"),
        ('read_at_end = "yes"', "should be true or false"),
    ],
)
def test_a_bad_read_setting_warns_and_keeps_the_default(text, what):
    write_config(text + "\ncolumn_width = 100\n")
    settings, warnings = load_settings()
    assert (settings.read_after_seconds, settings.read_at_end) == (10, True)
    assert settings.column_width == 100
    (warning,) = warnings
    assert what in warning and warning.startswith(str(paths.config_file()))


def test_empty_marks():
    marks = ReadMarks()
    assert len(marks) == 0 and "x" not in marks and list(marks) == [] and marks.get("x") is None
