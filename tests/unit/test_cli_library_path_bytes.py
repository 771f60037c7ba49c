"""Issue 19, the CLI: a library folder whose path is not UTF-8 (``lib\\xff\\xfe``) is
indexed, searched, shown, checked and bookmarked like any other, named by --library,
$QTREADER_LIBRARY, the settings (through a link) or the last library used. What is
printed is UTF-8: the path's odd bytes appear as ``\\xff`` escapes in text, and JSON
keeps them (as ``\\udcff``), so that os.fsencode gives the path's bytes back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from libhelpers import copy_fixture_library

from qtreader.library import paths
from qtreader.library.state import StateStore

LEAVES_URL = "/learn/botany/questions/why-do-leaves-change-colour"
LEAVES = "Why do leaves change colour in autumn?"


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """The fixture library in a folder named with the bytes ``lib\\xff\\xfe``."""
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/lib\xff\xfe"))
    return copy_fixture_library(folder).resolve()


def shown(root: Path) -> str:
    """How a message shows the library's path."""
    return str(root.parent) + "/lib\\xff\\xfe"


def assert_clean(result) -> None:
    """No traceback, and neither stream holds a byte that was not UTF-8 (the fixture
    decodes them strictly) or a surrogate."""
    assert "Traceback" not in result.err, result.err
    for text in (result.out, result.err):
        assert not any("\udc80" <= c <= "\udcff" for c in text)


def test_index_builds_and_refreshes_it(qtreader, odd):
    first = qtreader("index", str(odd))
    assert first.code == 0, first.err
    assert_clean(first)
    assert first.out.startswith("Catalog built: 5 articles (5 added, ")
    second = qtreader("index", str(odd))
    assert second.code == 0, second.err
    assert second.out.startswith("Catalog refreshed: 5 articles (0 added, 0 changed, 0 removed)")


def test_search_with_library(qtreader, odd):
    result = qtreader("search", "pigments", "--library", str(odd))
    assert result.code == 0, result.err
    assert_clean(result)
    assert result.out.splitlines()[0] == f"  1. {LEAVES}"
    data = qtreader("search", "pigments", "--library", str(odd), "--json").json()
    assert [hit["key"] for hit in data["hits"]] == [LEAVES_URL]


def test_search_with_the_environment(qtreader, odd):
    result = qtreader("search", "pigments", "--json", extra_env={"QTREADER_LIBRARY": str(odd)})
    assert result.code == 0, result.err
    assert_clean(result)
    assert [hit["key"] for hit in result.json()["hits"]] == [LEAVES_URL]


def test_search_with_the_settings_library_reached_by_a_link(qtreader, odd, tmp_path):
    # A settings file is UTF-8 text: it names such a folder through a link.
    (tmp_path / "articles").symlink_to(odd)
    paths.config_file().parent.mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text(f'library = "{tmp_path}/articles"\n', encoding="utf-8")
    result = qtreader("search", "pigments")
    assert result.code == 0, result.err
    assert_clean(result)
    assert result.out.splitlines()[0] == f"  1. {LEAVES}"
    assert result.err == (
        f"qtreader: searching {shown(odd)} (the library in the settings; give --library "
        "to choose)\n"
    )


def test_search_in_the_last_library_used(qtreader, odd):
    StateStore().set_last_library(odd)
    result = qtreader("search", "pigments")
    assert result.code == 0, result.err
    assert_clean(result)
    assert result.out.splitlines()[0] == f"  1. {LEAVES}"
    assert result.err == (
        f"qtreader: searching {shown(odd)} (the last library opened; give --library to choose)\n"
    )


def test_show_and_a_missing_article(qtreader, odd):
    result = qtreader("show", LEAVES_URL, "--library", str(odd))
    assert result.code == 0, result.err
    assert_clean(result)
    assert "pigments" in result.out
    data = qtreader("show", LEAVES_URL, "--library", str(odd), "--json").json()
    assert data["key"] == LEAVES_URL
    missing = qtreader("show", "no such thing", "--library", str(odd))
    assert missing.code == 2
    assert_clean(missing)
    assert f" in {shown(odd)}; " in missing.err


def test_check_text_and_json(qtreader, odd):
    result = qtreader("check", str(odd))
    assert result.code == 0, result.out + result.err
    assert_clean(result)
    assert result.out == f"{shown(odd)}: 5 articles, 0 files skipped, 0 files with warnings.\n"
    data = qtreader("check", str(odd), "--json").json()
    assert os.fsencode(data["library"]) == os.fsencode(odd)  # the path, whole


def test_bookmarks_add_list_and_remove(qtreader, odd):
    added = qtreader("bookmarks", "add", LEAVES_URL, "--library", str(odd), "--note", "red")
    assert added.code == 0, added.err
    assert_clean(added)
    assert added.out == f"Bookmarked: {LEAVES}\n"
    listed = qtreader("bookmarks", "list", "--library", str(odd))
    assert listed.code == 0, listed.err
    assert_clean(listed)
    assert LEAVES in listed.out and "note: red" in listed.out
    (kept,) = qtreader("bookmarks", "list", "--library", str(odd), "--json").json()
    assert os.fsencode(kept["library"]) == os.fsencode(odd)
    exported = qtreader("bookmarks", "export")
    assert exported.code == 0, exported.err
    assert_clean(exported)
    assert f"Library: `{shown(odd)}`" in exported.out
    removed = qtreader("bookmarks", "remove", LEAVES_URL, "--library", str(odd))
    assert removed.code == 0, removed.err
    assert removed.out == f"Removed bookmark: {LEAVES}\n"
    empty = qtreader("bookmarks", "list", "--library", str(odd))
    assert empty.out == f"No bookmarks in {shown(odd)}.\n"


def test_a_missing_folder_of_such_a_name_is_one_line_escaped(qtreader, tmp_path):
    missing = os.fsdecode(os.fsencode(tmp_path) + b"/gone\xff")
    result = qtreader("search", "pigments", "--library", missing)
    assert result.code == 2
    assert_clean(result)
    assert result.err == f"qtreader: the library folder {tmp_path}/gone\\xff does not exist\n"
