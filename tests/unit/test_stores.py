"""User data: bookmarks, history and state files (qtreader.library.store and friends)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from libhelpers import write_article

import qtreader.library.bookmarks as bookmarks_module
from qtreader.library import paths
from qtreader.library.bookmarks import (
    Bookmark,
    BookmarkStore,
    HistoryStore,
    StoreReadOnly,
    resolve_entry,
)
from qtreader.library.catalog import Catalog
from qtreader.library.models import Article
from qtreader.library.state import Session, StateStore
from qtreader.library.store import JsonFile, atomic_write

LIB = "/libraries/one"


def article(n: int, **overrides) -> Article:
    fields = {
        "key": f"/a/{n}",
        "path": f"s/a{n}.md",
        "title": f"Article {n}",
        "answer": "x",
        "subject": "Subject",
        "id": str(n),
        "url": f"/a/{n}",
    }
    fields.update(overrides)
    return Article(**fields)


def corrupt_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


# -- bookmarks -----------------------------------------------------------------


def test_bookmarks_file_lives_under_xdg_data_home(isolated_user_dirs):
    store = BookmarkStore()
    store.add_article(LIB, article(1))
    assert store.file.path == paths.bookmarks_file()
    assert store.file.path.is_relative_to(isolated_user_dirs["XDG_DATA_HOME"])
    data = json.loads(store.file.path.read_text())
    assert data["version"] == 1
    assert [b["key"] for b in data["bookmarks"]] == ["/a/1"]


def test_add_remove_round_trip():
    store = BookmarkStore()
    added = store.add_article(LIB, article(1), note="read later")
    assert added.key == "/a/1"
    assert added.note == "read later"
    assert added.added  # a timestamp
    again = BookmarkStore()  # a fresh object reads the file
    (b,) = again.all(LIB)
    assert (b.library, b.key, b.id, b.title, b.subject, b.url, b.note) == (
        LIB, "/a/1", "1", "Article 1", "Subject", "/a/1", "read later",
    )  # fmt: skip
    assert again.keys(LIB) == {"/a/1"}
    removed = again.remove(LIB, "/a/1")
    assert removed is not None and removed.key == "/a/1"
    assert again.all() == []
    assert again.remove(LIB, "/a/1") is None


def test_adding_twice_keeps_the_first_date_and_note():
    store = BookmarkStore()
    first = store.add(Bookmark(LIB, "/a/1", "1", "T", "S", added="2024-01-01T00:00:00", note="n"))
    second = store.add(Bookmark(LIB, "/a/1", "1", "T", "S", added="2025-01-01T00:00:00"))
    assert second.added == first.added == "2024-01-01T00:00:00"
    assert second.note == "n"
    assert len(store.all()) == 1


def test_same_key_in_two_libraries_is_two_bookmarks():
    store = BookmarkStore()
    store.add_article(LIB, article(1))
    store.add_article("/libraries/two", article(1))
    assert len(store.all()) == 2
    assert len(store.all(LIB)) == 1


def test_newest_first():
    store = BookmarkStore()
    for n, stamp in [(1, "2024-01-02"), (2, "2024-03-01"), (3, "2024-02-01")]:
        store.add(Bookmark(LIB, f"/a/{n}", str(n), f"T{n}", "S", added=stamp))
    assert [b.key for b in store.all()] == ["/a/2", "/a/3", "/a/1"]


def test_newest_first_within_the_same_second(monkeypatch):
    monkeypatch.setattr(bookmarks_module, "_now", lambda: "2024-05-05T10:00:00+00:00")
    store = BookmarkStore()
    for n in range(1, 4):
        store.add_article(LIB, article(n))
    assert [b.key for b in store.all()] == ["/a/3", "/a/2", "/a/1"]


def test_toggle():
    store = BookmarkStore()
    assert store.toggle(LIB, article(1)) is True
    assert store.get(LIB, "/a/1") is not None
    assert store.toggle(LIB, article(1)) is False
    assert store.get(LIB, "/a/1") is None


def test_set_note_cleans_controls():
    store = BookmarkStore()
    store.add_article(LIB, article(1))
    store.set_note(LIB, "/a/1", "line one\nline\x1b[31m two\x07")
    assert store.get(LIB, "/a/1").note == "line one\nline[31m two"
    store.set_note(LIB, "/a/missing", "ignored")
    assert len(store.all()) == 1


def test_merge_adds_only_new_ones():
    store = BookmarkStore()
    store.add_article(LIB, article(1))
    incoming = [
        Bookmark(LIB, "/a/1", "1", "Article 1", "Subject"),
        Bookmark(LIB, "/a/2", "2", "Article 2", "Subject", added="2024-01-01"),
        Bookmark(LIB, "/a/2", "2", "Article 2", "Subject", added="2024-01-01"),
    ]
    assert store.merge(incoming) == 1
    assert store.merge(incoming) == 0
    assert {b.key for b in store.all()} == {"/a/1", "/a/2"}


def test_from_dict_rejects_incomplete_and_cleans_fields():
    assert Bookmark.from_dict({"key": "k"}) is None
    assert Bookmark.from_dict({"library": "l"}) is None
    b = Bookmark.from_dict({"library": "l", "key": "k", "title": "a\x1b]0;x\x07b", "note": 5})
    assert b.title == "a ]0;x b"
    assert b.note == "5"


def test_entries_of_the_wrong_shape_are_ignored(isolated_user_dirs):
    path = paths.bookmarks_file()
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {"version": 1, "bookmarks": ["text", 3, {"library": LIB}, {"library": LIB, "key": "k"}]}
        )
    )
    store = BookmarkStore()
    assert [b.key for b in store.all()] == ["k"]
    assert store.take_messages() == []


def test_bookmark_of_a_deleted_article_is_kept(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "s/a.md", title="Kept", url="/keep", id="9", answer="x")
    write_article(root, "s/b.md", title="Going", url="/go", id="10", answer="x")
    store = BookmarkStore()
    with Catalog(root) as cat:
        cat.refresh()
        for key in ("/keep", "/go"):
            store.add_article(str(root), cat.article(cat.rowid_for_key(key)))
        (root / "s" / "b.md").unlink()
        cat.refresh()
        items = {b.key: b for b in store.all(str(root))}
        assert set(items) == {"/keep", "/go"}
        gone = items["/go"]
        assert resolve_entry(cat, gone.key, gone.url, gone.id, gone.title) is None
        kept = items["/keep"]
        assert resolve_entry(cat, kept.key, kept.url, kept.id, kept.title) == cat.rowid_for_key(
            "/keep"
        )


def test_bookmark_found_again_after_its_url_changed(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "s/a.md", title="Moving", url="/old", id="9", answer="x")
    with Catalog(root) as cat:
        cat.refresh()
        write_article(root, "s/a.md", 2_000_000_000, title="Moving", url="/new", id="9", answer="x")
        cat.refresh()
        assert resolve_entry(cat, "/old", "/old", "9", "Moving") == cat.rowid_for_key("/new")
        assert resolve_entry(cat, "/old", "/old", "", "") is None


# -- damaged and newer files ---------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff garbage \x80\x81",
        b'{"version": 1, "bookmarks": [',
        b'[{"library": "x", "key": "y"}]',
        b'{"bookmarks": []}',
        b'{"version": "1", "bookmarks": []}',
        b"",
    ],
)
def test_damaged_bookmarks_file_is_moved_aside(content):
    path = paths.bookmarks_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    store = BookmarkStore()
    assert store.all() == []
    messages = store.take_messages()
    (aside,) = corrupt_copies(path)
    assert aside.name.startswith("bookmarks.json.corrupt-")
    assert aside.read_bytes() == content
    assert len(messages) == 1
    assert str(aside) in messages[0]
    assert not store.read_only
    store.add_article(LIB, article(1))
    assert [b.key for b in BookmarkStore().all()] == ["/a/1"]
    assert json.loads(path.read_text())["version"] == 1


def test_newer_version_is_read_only_and_never_written():
    path = paths.bookmarks_file()
    path.parent.mkdir(parents=True)
    content = json.dumps(
        {"version": 99, "bookmarks": [{"library": LIB, "key": "/k", "title": "From the future"}]}
    ).encode()
    path.write_bytes(content)
    store = BookmarkStore()
    assert [b.title for b in store.all()] == ["From the future"]
    assert store.read_only
    with pytest.raises(StoreReadOnly):
        store.add_article(LIB, article(1))
    with pytest.raises(StoreReadOnly):
        store.remove(LIB, "/k")
    assert path.read_bytes() == content
    assert corrupt_copies(path) == []
    messages = store.take_messages()
    assert len(messages) == 1
    assert "newer" in messages[0]
    assert store.take_messages() == []


def test_unreadable_file_is_read_only(tmp_path):
    folder_in_the_way = tmp_path / "bookmarks.json"
    folder_in_the_way.mkdir()
    store = BookmarkStore(folder_in_the_way)
    assert store.all() == []
    assert store.read_only
    with pytest.raises(StoreReadOnly):
        store.add_article(LIB, article(1))


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "sub" / "f.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.json"]


def test_json_file_update_is_applied_to_what_is_on_disk(tmp_path):
    a = JsonFile(tmp_path / "f.json", 1, lambda: {"version": 1, "n": 0})
    b = JsonFile(tmp_path / "f.json", 1, lambda: {"version": 1, "n": 0})
    a.update(lambda d: d.update(n=d["n"] + 1))
    b.update(lambda d: d.update(n=d["n"] + 1))
    assert a.read()["n"] == 2


# -- history -------------------------------------------------------------------


def test_history_keeps_the_last_n_newest_first_without_repeats():
    history = HistoryStore(limit=3)
    for n in (1, 2, 3, 2, 4, 5):
        history.record(LIB, article(n))
    assert [h.key for h in history.all()] == ["/a/5", "/a/4", "/a/2"]
    assert [h.key for h in HistoryStore(limit=3).all(LIB)] == ["/a/5", "/a/4", "/a/2"]
    assert history.all("/other/library") == []


def test_history_per_library():
    history = HistoryStore()
    history.record(LIB, article(1))
    history.record("/lib/two", article(1))
    assert len(history.all()) == 2
    assert [h.library for h in history.all("/lib/two")] == ["/lib/two"]


def test_history_never_raises_when_read_only():
    path = paths.history_file()
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 5, "entries": []}')
    history = HistoryStore()
    history.record(LIB, article(1))  # does not raise
    assert path.read_text() == '{"version": 5, "entries": []}'


def test_damaged_history_is_moved_aside():
    path = paths.history_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"{{{{")
    history = HistoryStore()
    history.record(LIB, article(1))
    assert [h.key for h in history.all()] == ["/a/1"]
    (aside,) = corrupt_copies(path)
    assert aside.read_bytes() == b"{{{{"


# -- state ---------------------------------------------------------------------


def test_session_round_trip(tmp_path):
    state = StateStore()
    root = tmp_path / "lib"
    session = Session(subject="botany", query="leaves -red", article="/a/1", list_index=7)
    state.save_session(root, session)
    assert StateStore().session(root) == session
    assert StateStore().session(tmp_path / "other") == Session()


def test_last_library_and_theme(tmp_path):
    state = StateStore()
    assert state.last_library() is None
    assert state.theme() is None
    state.set_last_library(tmp_path)
    state.set_theme("textual-light")
    again = StateStore()
    assert again.last_library() == str(tmp_path)
    assert again.theme() == "textual-light"


def test_damaged_state_file_gives_defaults(tmp_path):
    path = paths.state_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x89 not json")
    state = StateStore()
    assert state.session(tmp_path) == Session()
    assert state.last_library() is None
    assert len(corrupt_copies(path)) == 1
    state.set_theme("x")
    assert StateStore().theme() == "x"


def test_session_fields_of_the_wrong_type_give_defaults(tmp_path):
    path = paths.state_file()
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "last_library": 5,
                "sessions": {
                    str(tmp_path): {"subject": 3, "query": None, "article": [], "list_index": -4}
                },
            }
        )
    )
    state = StateStore()
    assert state.session(tmp_path) == Session()
    assert state.last_library() is None


def test_sessions_not_a_mapping(tmp_path):
    path = paths.state_file()
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "sessions": [1, 2]}')
    state = StateStore()
    assert state.session(tmp_path) == Session()
    state.save_session(tmp_path, Session(query="q"))
    assert StateStore().session(tmp_path).query == "q"


def test_history_entries_of_the_wrong_type_are_ignored():
    path = paths.history_file()
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "entries": 5}')
    history = HistoryStore()
    assert history.all() == []
    history.record(LIB, article(1))
    assert [h.key for h in history.all()] == ["/a/1"]
