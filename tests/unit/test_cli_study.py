"""``qtreader progress`` and ``qtreader review``, run as a user would (a subprocess with the
test's XDG folders, which the stores written here share)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from libhelpers import Result, copy_fixture_library, write

from qtreader.library import paths
from qtreader.library.bookmarks import Bookmark, BookmarkStore
from qtreader.library.models import ArticleRow
from qtreader.library.progress import ProgressStore, ReadMark
from qtreader.library.review import ReviewStore

LEAVES = "/learn/botany/questions/why-do-leaves-change-colour"
PHOTO = "/learn/botany/questions/how-does-photosynthesis-store-energy"
ACID = "/learn/chemistry/questions/what-makes-a-liquid-an-acid"
TIDES = "notes/tidal-pools.txt"


def assert_user_error(result: Result, *words: str) -> None:
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith("qtreader: ") and "Traceback" not in result.err
    assert all(word in line for word in words), line


def library(tmp_path: Path, name: str = "lib") -> Path:
    return copy_fixture_library(tmp_path / name).resolve()


def row(key: str, title: str, subject: str) -> ArticleRow:
    return ArticleRow(0, key, title, subject, "")


# -- progress --------------------------------------------------------------------


def test_progress_per_subject_and_for_the_library(qtreader, tmp_path):
    root = library(tmp_path)
    ProgressStore(root).mark_read(
        [ReadMark(LEAVES, title="Why do leaves change colour in autumn?"),
         ReadMark(ACID, title="What makes a liquid an acid?"), ReadMark("/gone", title="Gone")]
    )  # fmt: skip
    result = qtreader("progress", str(root))
    assert result.code == 0, result.err
    assert result.out == (
        "Botany     1 / 2   50%\n"
        "Chemistry  1 / 1  100%\n"
        "Notes      0 / 1    0%\n"
        "\n"
        "Library    2 / 4   50%\n"
        "\n"
        "1 read mark of articles no longer in the library (kept, in case they come back).\n"
    )
    data = qtreader("progress", str(root), "--json").json()
    assert (data["read"], data["total"], data["marks"], data["missing"]) == (2, 4, 3, 1)
    assert data["library"] == str(root)
    assert data["subjects"] == [
        {"key": "botany", "name": "Botany", "read": 1, "total": 2},
        {"key": "chemistry", "name": "Chemistry", "read": 1, "total": 1},
        {"key": "notes", "name": "Notes", "read": 0, "total": 1},
    ]
    only = qtreader("progress", str(root), "--subject", "CHEM", "--json").json()
    assert [s["name"] for s in only["subjects"]] == ["Chemistry"]
    assert (only["read"], only["total"]) == (2, 4)  # the library's, still
    text = qtreader("progress", str(root), "--subject", "bot")
    assert text.out.splitlines()[0] == "Botany   1 / 2   50%"
    assert_user_error(qtreader("progress", str(root), "--subject", "zoology"), "'zoology'")


def test_progress_of_a_library_with_nothing_read(qtreader, tmp_path):
    root = library(tmp_path)
    data = qtreader("progress", str(root), "--json").json()
    assert (data["read"], data["total"], data["marks"], data["missing"]) == (0, 4, 0, 0)
    assert not paths.progress_file(root).exists()  # reading writes nothing


def test_stubs_count_when_the_settings_show_them(qtreader, tmp_path, isolated_user_dirs):
    root = library(tmp_path)
    config = isolated_user_dirs["XDG_CONFIG_HOME"] / "qtreader" / "config.toml"
    write(config.parent, config.name, "show_stubs = true\n")
    data = qtreader("progress", str(root), "--json").json()
    assert data["total"] == 5


def test_read_marks_move_to_another_machine(qtreader, tmp_path):
    root = library(tmp_path)
    ProgressStore(root).mark_read(
        [ReadMark(LEAVES, title="Why do leaves change colour in autumn?"),
         ReadMark(TIDES, title="Tidal Pools and the Creatures in Them")], at=1_767_225_600
    )  # fmt: skip
    exported = qtreader("progress", str(root), "--export")
    assert exported.code == 0, exported.err
    data = json.loads(exported.out)
    assert (data["qtreader"], data["version"], data["library"]) == (
        "qtreader-progress",
        1,
        str(root),
    )
    assert {m["key"]: m["read"] for m in data["marks"]} == {
        LEAVES: "2026-01-01T00:00:00+00:00",
        TIDES: "2026-01-01T00:00:00+00:00",
    }
    export_file = write(tmp_path, "progress.json", exported.out)
    # Another machine: other user folders, the library in another folder.
    elsewhere = library(tmp_path / "elsewhere", "articles")
    other = {"XDG_DATA_HOME": str(tmp_path / "other-data")}
    first = qtreader("progress", str(elsewhere), "--import", str(export_file), extra_env=other)
    assert first.code == 0, first.err
    assert first.out == "Imported 2 new read marks (0 were already there).\n"
    again = qtreader("progress", str(elsewhere), "--import", str(export_file), extra_env=other)
    assert again.out == "Imported 0 new read marks (2 were already there).\n"
    moved = qtreader("progress", str(elsewhere), "--json", extra_env=other).json()
    assert (moved["read"], moved["total"]) == (2, 4)
    assert {s["key"]: s["read"] for s in moved["subjects"]} == {
        "botany": 1,
        "chemistry": 0,
        "notes": 1,
    }
    marks = ProgressStore(elsewhere, Path(other["XDG_DATA_HOME"]) / "qtreader" / "progress" /
                          paths.progress_file(elsewhere).name).load()  # fmt: skip
    assert marks.get(LEAVES).read == 1_767_225_600  # the time it was read travels too


def test_an_import_of_marks_from_another_library_says_so(qtreader, tmp_path):
    root = library(tmp_path)
    export = {
        "qtreader": "qtreader-progress",
        "version": 1,
        "marks": [{"key": LEAVES, "title": "x", "read": 5}, {"key": "/elsewhere/q", "read": "no"},
                  {"nokey": 1}, "text"],
    }  # fmt: skip
    path = write(tmp_path, "export.json", json.dumps(export))
    result = qtreader("progress", str(root), "--import", str(path))
    assert result.code == 0, result.err
    assert result.out == (
        "Imported 2 new read marks (0 were already there).\n"
        f"1 read mark is of articles not in {root}.\n"
    )


def test_an_import_of_what_is_not_a_progress_export(qtreader, tmp_path):
    root = str(library(tmp_path))
    bookmarks = write(tmp_path, "bookmarks.json", '{"bookmarks": []}')
    assert_user_error(
        qtreader("progress", root, "--import", str(bookmarks)), "not a qtreader progress export"
    )
    broken = write(tmp_path, "broken.json", "{not json")
    assert_user_error(
        qtreader("progress", root, "--import", str(broken)), "not a qtreader progress export"
    )
    assert_user_error(qtreader("progress", root, "--import", str(tmp_path)), "is not a file")
    assert_user_error(
        qtreader("progress", root, "--import", str(tmp_path / "none.json")), "cannot read"
    )
    assert qtreader("progress", root, "--import", "x", "--export").code == 2  # one or the other


def test_a_damaged_progress_file_is_said_and_kept_aside(qtreader, tmp_path):
    root = library(tmp_path)
    path = paths.progress_file(root)
    write(path.parent, path.name, b"\x00garbage")
    result = qtreader("progress", str(root), "--json")
    assert result.code == 0
    assert result.json()["read"] == 0
    (said,) = result.err.splitlines()
    assert said.startswith("qtreader: ") and ".corrupt-" in said
    (aside,) = path.parent.glob(path.name + ".corrupt-*")
    assert aside.read_bytes() == b"\x00garbage"


def test_a_newer_progress_file_is_read_and_never_written(qtreader, tmp_path):
    root = library(tmp_path)
    store = ProgressStore(root)
    store.mark_read([ReadMark(LEAVES, title="Leaves")])
    newer = store.path.read_bytes().replace(b"qtreader-progress 1", b"qtreader-progress 2", 1)
    store.path.write_bytes(newer)
    result = qtreader("progress", str(root), "--json")
    assert result.code == 0 and result.json()["read"] == 1
    assert "newer qtreader" in result.err
    export = write(
        tmp_path, "e.json", json.dumps({"qtreader": "qtreader-progress", "marks": [{"key": ACID}]})
    )
    assert_user_error(qtreader("progress", str(root), "--import", str(export)), "newer qtreader")
    assert store.path.read_bytes() == newer


# -- review -------------------------------------------------------------------------


def test_review_with_nothing_to_review(qtreader, tmp_path):
    result = qtreader("review", str(library(tmp_path)))
    assert result.code == 0, result.err
    assert result.out == (
        "Due today: 0 (0 now)\n\nNothing chosen to study: --study bookmarks, or --study SUBJECT.\n"
    )


def test_review_lists_what_is_due_with_title_subject_and_time(qtreader, tmp_path):
    root = library(tmp_path)
    reviews = ReviewStore(root)
    now = dt.datetime.now(dt.UTC)
    reviews.grade(
        row(ACID, "What makes a liquid an acid?", "Chemistry"), "again", now - dt.timedelta(days=1)
    )
    reviews.grade(row(TIDES, "Tidal pools", "Notes"), "again", now - dt.timedelta(days=2))
    easy = reviews.grade(row(LEAVES, "Leaves", "Botany"), "easy", now)
    reviews.grade(
        row("/gone", "Gone\x1b]0;owned\x07 away", "Lost\x1b[31m"),
        "good",
        now - dt.timedelta(days=3),
    )
    data = qtreader("review", str(root), "--json").json()
    assert data["library"] == str(root)
    assert [
        (d["key"], d["title"], d["subject"], d["state"], d["in_library"]) for d in data["due"]
    ] == [
        ("/gone", "Gone ]0;owned away", "Lost [31m", "learning", False),
        (
            TIDES,
            "Tidal Pools and the Creatures in Them",
            "Notes",
            "learning",
            True,
        ),  # the catalog's
        (ACID, "What makes a liquid an acid?", "Chemistry", "learning", True),
    ]
    due = {d["key"]: dt.datetime.fromisoformat(d["due"]) for d in data["due"]}
    assert due[ACID] == reviews.card(ACID).due.replace(microsecond=0) and due[ACID] < now
    assert dt.datetime.fromisoformat(data["next_due"]) == easy.due.replace(microsecond=0)
    assert data["new"] == [] and data["study"] == {"bookmarks": False, "subjects": []}
    text = qtreader("review", str(root))
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert lines[:4] == [
        "Due today: 3 (3 now)",
        "    now  Gone ]0;owned away  (Lost [31m)  [not in the library]",
        "    now  Tidal Pools and the Creatures in Them  (Notes)",
        "    now  What makes a liquid an acid?  (Chemistry)",
    ]
    local = easy.due.astimezone()
    assert lines[-1] == f"Next review after today: {local:%Y-%m-%d %H:%M}"
    assert "\x1b" not in text.out and "\x07" not in text.out


def test_review_studies_bookmarks_and_subjects(qtreader, tmp_path):
    root = library(tmp_path)
    BookmarkStore().add(Bookmark(str(root), TIDES, "", "Tidal pools", "Notes", TIDES))
    chosen = qtreader("review", str(root), "--study", "bookmarks", "--study", "bot", "--json")
    assert chosen.code == 0, chosen.err
    data = chosen.json()
    assert data["study"] == {"bookmarks": True, "subjects": ["botany"]}
    assert [d["key"] for d in data["new"]] == [TIDES, PHOTO, LEAVES]
    ReviewStore(root).grade(row(PHOTO, "Photosynthesis", "Botany"), "easy", dt.datetime.now(dt.UTC))
    text = qtreader("review", str(root))  # the choice was kept
    assert text.out.splitlines()[2:5] == [
        "New today, from bookmarks, Botany: 2",
        "         Tidal Pools and the Creatures in Them  (Notes)",
        "         Why do leaves change colour in autumn?  (Botany)",
    ]
    cleared = qtreader("review", str(root), "--study", "none", "--json").json()
    assert cleared["study"] == {"bookmarks": False, "subjects": []} and cleared["new"] == []
    assert_user_error(qtreader("review", str(root), "--study", "zoology"), "'zoology'")
    assert ReviewStore(root).study().bookmarks is False  # a bad choice changed nothing


def test_a_damaged_review_file_is_said_and_kept_aside(qtreader, tmp_path):
    root = library(tmp_path)
    path = paths.review_file(root)
    write(path.parent, path.name, b"{{{")
    result = qtreader("review", str(root), "--json")
    assert result.code == 0 and result.json()["due"] == []
    assert ".corrupt-" in result.err
    newer = '{"version": 5, "cards": []}'
    path.write_text(newer)
    assert_user_error(qtreader("review", str(root), "--study", "bookmarks"), "newer qtreader")
    assert path.read_text() == newer
