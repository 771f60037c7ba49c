"""Issue 19: a library folder whose own path is not UTF-8 (``lib\\xff\\xfe``) works as any
other. Python holds such a path as text with surrogates (os.fsdecode); every file that
keeps it (the catalog, the state, bookmarks, progress) keeps it losslessly, and every
message shows it escaped. A UTF-8 library is stored exactly as before."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from libhelpers import copy_fixture_library, make_bad_name

from qtreader.library import paths
from qtreader.library.bookmarks import BookmarkStore
from qtreader.library.catalog import Catalog
from qtreader.library.state import Session, StateStore
from qtreader.library.watch import LibraryWatcher

LEAVES_URL = "/learn/botany/questions/why-do-leaves-change-colour"
ODD = b"lib\xff\xfe"


def odd_path(parent: Path, name: bytes = ODD) -> Path:
    """``parent``/``name``, a path whose last part need not be UTF-8."""
    return Path(os.fsdecode(os.fsencode(parent) + b"/" + name))


@pytest.fixture
def odd_library(tmp_path: Path) -> Path:
    """The fixture library, copied to a folder named ``lib\\xff\\xfe``."""
    return copy_fixture_library(odd_path(tmp_path)).resolve()


def meta_root(db: Path) -> object:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT value FROM meta WHERE name='root'").fetchone()[0]
    finally:
        conn.close()


# -- where its files go --------------------------------------------------------------


def test_the_files_of_a_library_whose_path_is_not_utf8_have_names_that_are(tmp_path):
    root = odd_path(tmp_path)
    spelled = Path(str(tmp_path) + "/lib\\xff\\xfe")  # its escaped spelling: another folder
    files = [paths.catalog_path(root), paths.progress_file(root), paths.review_file(root)]
    for file in files:
        file.name.encode("utf-8")  # raises if not
        assert file.name.startswith("lib-")
    assert paths.catalog_path(root) != paths.catalog_path(spelled)
    assert paths.catalog_path(root) != paths.catalog_path(tmp_path / "lib")


def test_the_catalog_of_a_utf8_library_keeps_its_name():
    # Existing catalogs stay valid: the name is the one every earlier version chose.
    root = Path("/srv/articles/Café")
    digest = hashlib.sha1(str(root).encode("utf-8")).hexdigest()[:12]
    assert paths.catalog_path(root).name == f"Caf-{digest}.sqlite3"


def test_a_library_name_that_is_not_utf8_is_shown_escaped():
    assert paths.shown_name(os.fsdecode(b"lib\xff\xfe")) == "lib\\xff\\xfe"
    assert paths.shown_name(os.fsdecode(b"a\\b\xff")) == "a\\\\b\\xff"  # as file names
    for name in ("lib", "Café", "a\\b", "/srv/lib"):  # UTF-8: as it is
        assert paths.shown_name(name) == name


# -- the catalog ---------------------------------------------------------------------


def test_a_library_whose_path_is_not_utf8_is_catalogued_searched_and_read(odd_library):
    with Catalog(odd_library) as catalog:
        report = catalog.refresh()
        assert report.total == 5 and report.rebuilt
        result = catalog.search("pigments", typing=False)
        assert result.total == 1
        article = catalog.article(result.rowids[0])
        assert article.key == LEAVES_URL
        assert "pigments" in article.answer
        db = catalog.db_path
    assert meta_root(db) == os.fsencode(odd_library)  # its bytes, whole


def test_a_library_whose_path_is_not_utf8_is_not_rebuilt_when_opened_again(odd_library):
    with Catalog(odd_library) as catalog:
        catalog.refresh()
    with Catalog(odd_library) as catalog:
        report = catalog.refresh()
        assert not report.rebuilt
        assert (report.added, report.changed, report.removed) == (0, 0, 0)
        assert catalog.find(LEAVES_URL) is not None


def test_a_utf8_library_keeps_its_path_as_text_in_the_catalog(tmp_path):
    root = copy_fixture_library(tmp_path / "Café").resolve()
    with Catalog(root) as catalog:
        catalog.refresh()
        db = catalog.db_path
    assert meta_root(db) == str(root)


def test_a_catalog_is_not_taken_for_the_library_of_the_same_spelling(tmp_path, odd_library):
    # The folder named with the bytes ff fe and the one named with the text "\xff\xfe"
    # are two libraries: one catalog file does not serve both.
    spelled = copy_fixture_library(Path(str(tmp_path) + "/lib\\xff\\xfe")).resolve()
    db = tmp_path / "one.sqlite3"
    with Catalog(odd_library, db) as catalog:
        assert catalog.refresh().rebuilt
    with Catalog(spelled, db) as catalog:
        assert catalog.refresh().rebuilt
    with Catalog(odd_library, db) as catalog:
        assert catalog.refresh().rebuilt
    assert meta_root(db) == os.fsencode(odd_library)


# -- the state, bookmarks and progress -----------------------------------------------


def test_the_state_keeps_a_library_whose_path_is_not_utf8(tmp_path, odd_library):
    file = tmp_path / "state.json"
    state = StateStore(file)
    state.set_last_library(odd_library)
    session = Session(subject="botany", query="leaves", article=LEAVES_URL, list_index=1)
    state.save_session(odd_library, session)
    data = json.loads(file.read_bytes().decode("utf-8"))  # valid UTF-8 JSON
    assert data["last_library"] == str(odd_library)
    again = StateStore(file)
    assert again.last_library() == str(odd_library)
    assert os.fsencode(again.last_library()) == os.fsencode(odd_library)
    assert again.session(odd_library) == session
    assert again.session(odd_path(odd_library.parent, b"lib\xff")) == Session()


def test_the_state_keeps_a_utf8_library_as_it_did(tmp_path):
    file = tmp_path / "state.json"
    root = tmp_path / "Café"
    StateStore(file).set_last_library(root)
    assert f'"last_library": "{root}"' in file.read_text(encoding="utf-8")


def test_bookmarks_of_a_library_whose_path_is_not_utf8(tmp_path, odd_library):
    file = tmp_path / "bookmarks.json"
    with Catalog(odd_library) as catalog:
        catalog.refresh()
        article = catalog.article(catalog.find(LEAVES_URL))
    BookmarkStore(file).add_article(str(odd_library), article, note="autumn")
    json.loads(file.read_bytes().decode("utf-8"))
    (kept,) = BookmarkStore(file).all(str(odd_library))
    assert (kept.key, kept.note) == (LEAVES_URL, "autumn")


# -- watching it -----------------------------------------------------------------------


def test_a_library_whose_path_is_not_utf8_is_watched(odd_library):
    # watchfiles takes and gives paths as UTF-8 text only: the reader's watch failed
    # ("Changes to the library are not watched: ... surrogates not allowed").
    seen: list[frozenset[str]] = []
    said: list[str] = []
    arrived = threading.Condition()

    def changed(paths: frozenset[str]) -> None:
        with arrived:
            seen.append(paths)
            arrived.notify_all()

    watcher = LibraryWatcher(odd_library, changed, said.append)
    watcher.start()
    try:
        assert watcher.wait_ready(10)
        assert said == [] and watcher.watching
        (odd_library / "botany" / "new.md").write_text("---\ntitle: New\n---\n")
        with arrived:
            assert arrived.wait_for(lambda: any("botany/new.md" in b for b in seen), 5), seen
        # A file name inside that is not UTF-8 either: the watch starts again, as ever.
        make_bad_name(odd_library / "botany", b"bad\xff.md", "---\ntitle: Bad\n---\n")
        with arrived:
            assert arrived.wait_for(lambda: any("botany/bad" in p for b in seen for p in b), 5)
        assert watcher.wait_ready(10)
        (odd_library / "notes" / "after.md").write_text("---\ntitle: After\n---\n")
        with arrived:
            assert arrived.wait_for(lambda: any("notes/after.md" in b for b in seen), 5), seen
    finally:
        assert watcher.stop(timeout=2)
    assert said == []
