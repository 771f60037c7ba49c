"""qtreader.library.scan: which files are articles, and how bytes become text."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from libhelpers import FIXTURE_ARTICLES, write

import qtreader.library.scan as scan_module
from qtreader.library.scan import (
    decode_bytes,
    is_article_name,
    scan_library,
    scan_order_key,
    scan_rows,
)


def scanned(root: Path) -> list[str]:
    return [entry.path for entry in scan_library(root)]


def test_article_files_are_found_recursively_in_a_stable_order(tmp_path):
    for rel in ["b.md", "a/z.markdown", "a/deeper/still/x.txt", "c/UPPER.MD", "a/y.md"]:
        write(tmp_path, rel, "Title\nbody\n")
    assert scanned(tmp_path) == [
        "b.md",
        "a/y.md",
        "a/z.markdown",
        "a/deeper/still/x.txt",
        "c/UPPER.MD",
    ]
    assert scanned(tmp_path) == scanned(tmp_path)


def test_scan_order_key_sorts_paths_as_the_scan_lists_them(tmp_path):
    # A refresh reads what changed in scan order, and the earlier file of two with the
    # same url wins, without listing the whole scan again. Names that sort before "/"
    # ("a b", "a-b", "a.md") and after it ("ab") sit next to a folder "a".
    names = [
        "b.md", "a.md", "a-b.md", "ab.md", "a/z.md", "a/b/c.md", "a/b.md", "a b/x.md",
        "ab/y.md", "a-b/w.md", "a/b/c/d/e.md", "a/a/f.md", "Z.md", "z/Z.md",
    ]  # fmt: skip
    for rel in names:
        write(tmp_path, rel, "Title\nbody\n")
    listed = scanned(tmp_path)
    assert sorted(listed) == sorted(names)
    assert sorted(reversed(listed), key=scan_order_key) == listed
    assert [row[0] for row in scan_rows(tmp_path)] == listed


def test_hidden_appledouble_and_other_extensions_are_skipped(tmp_path):
    write(tmp_path, "keep.md", "x")
    write(tmp_path, ".hidden.md", "x")
    write(tmp_path, "._keep.md", b"\x00\x05\x16\x07")
    write(tmp_path, ".git/notes.md", "x")
    write(tmp_path, "picture.png", b"\x89PNG")
    write(tmp_path, "page.html", "<p>x</p>")
    write(tmp_path, "data.json", "{}")
    write(tmp_path, "notes.md.bak", "x")
    assert scanned(tmp_path) == ["keep.md"]


def test_is_article_name():
    assert is_article_name("a.md")
    assert is_article_name("a.Markdown")
    assert is_article_name("a.TXT")
    assert not is_article_name("._a.md")
    assert not is_article_name(".a.md")
    assert not is_article_name("a.mdx")
    assert not is_article_name("md")


def test_a_folder_named_like_an_article_is_not_read_as_a_file(tmp_path):
    write(tmp_path, "x.md/inside.md", "Title\nbody\n")
    assert scanned(tmp_path) == ["x.md/inside.md"]


def test_symlink_loop_does_not_hang_and_files_are_found_once(tmp_path):
    write(tmp_path, "sub/a.md", "x")
    write(tmp_path, "sub/deeper/b.md", "x")
    os.symlink("..", tmp_path / "sub" / "deeper" / "loop")  # points back at sub/
    os.symlink(".", tmp_path / "self")  # the root itself
    found = scanned(tmp_path)
    assert sorted(found) == ["sub/a.md", "sub/deeper/b.md"]


def test_symlinked_folder_outside_the_library_is_followed_once(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "shared.md", "x")
    root = tmp_path / "lib"
    root.mkdir()
    os.symlink(outside, root / "one")
    os.symlink(outside, root / "two")
    found = scanned(root)
    assert len(found) == 1
    assert found[0] in ("one/shared.md", "two/shared.md")


def test_dangling_symlink_is_skipped(tmp_path):
    write(tmp_path, "real.md", "x")
    os.symlink(tmp_path / "gone.md", tmp_path / "dangling.md")
    assert scanned(tmp_path) == ["real.md"]


def test_sizes_and_mtimes_are_reported(tmp_path):
    path = write(tmp_path, "a.md", "12345")
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    (entry,) = scan_library(tmp_path)
    assert entry.size == 5
    assert entry.mtime_ns == 1_700_000_000_000_000_000


def test_missing_root_yields_nothing(tmp_path):
    assert scanned(tmp_path / "nope") == []


def test_utf8_with_and_without_bom():
    assert decode_bytes("café".encode()) == ("café", None)
    assert decode_bytes(b"\xef\xbb\xbf" + "café".encode()) == ("café", None)


def test_crlf_and_lone_cr_are_normalised():
    assert decode_bytes(b"a\r\nb\rc\n") == ("a\nb\nc\n", None)


def test_invalid_utf8_falls_back_to_cp1252_with_a_warning():
    text, warning = decode_bytes((FIXTURE_ARTICLES / "cp1252.md").read_bytes())
    assert "Café menu" in text
    assert "\u201cbest\u201d" in text
    assert "€5" in text
    assert warning is not None
    assert "not valid UTF-8" in warning
    assert "Windows-1252" in warning


def test_bytes_undefined_in_cp1252_do_not_become_c1_controls():
    text, warning = decode_bytes(b"\xff\x81\x8d\x8f\x90\x9d")
    assert warning
    assert not any(0x80 <= ord(c) <= 0x9F for c in text)


def _tree_for_two(root: Path) -> None:
    """Files at the root, in nested folders, hidden ones, other kinds, a symlinked
    folder that is a loop, an undecodable name."""
    names = [
        "top.md", "a/x.md", "a/b/c.md", "a/b/d/e.txt", "bb/y.md", "bb/.hidden.md",
        "bb/picture.png", "c c/z.markdown", "d-d/w.md", "e/f/g/h.md", "e/i.md",
    ]  # fmt: skip
    for n, rel in enumerate(names):
        write(root, rel, f"Title {n}\nbody\n")
    write(root, "e/" + os.fsdecode(b"caf\xe9.md"), "Title\nbody\n")
    os.symlink(root / "e", root / "e" / "f" / "loop")


def test_a_scan_in_two_processes_lists_what_a_single_one_does(tmp_path):
    _tree_for_two(tmp_path)
    alone = scan_rows(tmp_path)
    assert len(alone) == 10
    assert scan_rows(tmp_path, parallel=True) == alone
    # Nothing is reached from both halves: the second process's rows are the ones used.
    seen = {(tmp_path.stat().st_dev, tmp_path.stat().st_ino)}
    rows, subfolders = scan_module._list_folder(str(tmp_path), "", seen)
    parts = scan_module._scan_in_two(subfolders, seen)
    assert parts is not None
    assert rows + [row for part in parts for row in part] == alone


def test_a_folder_reached_from_both_halves_is_listed_where_a_single_scan_meets_it(tmp_path):
    write(tmp_path, "a/x.md", "Title\nbody\n")
    write(tmp_path, "b/shared/y.md", "Title\nbody\n")
    os.symlink(tmp_path / "b" / "shared", tmp_path / "a" / "link")  # met first under a/
    seen = {(tmp_path.stat().st_dev, tmp_path.stat().st_ino)}
    _, subfolders = scan_module._list_folder(str(tmp_path), "", seen)
    assert scan_module._scan_in_two(subfolders, set(seen)) is None  # both entered it
    listed = [row[0] for row in scan_rows(tmp_path, parallel=True)]
    assert listed == ["a/x.md", "a/link/y.md"] == [row[0] for row in scan_rows(tmp_path)]


@pytest.mark.parametrize("program", ["/bin/false", "/bin/true"])  # fails; says nothing
def test_a_scan_whose_second_process_fails_is_done_alone(tmp_path, monkeypatch, program):
    _tree_for_two(tmp_path)
    alone = scan_rows(tmp_path)
    monkeypatch.setattr(scan_module.sys, "executable", program)
    assert scan_rows(tmp_path, parallel=True) == alone


def test_a_frozen_build_scans_alone(tmp_path, monkeypatch):
    # Its executable is the reader itself: run with a script, it would start the reader.
    _tree_for_two(tmp_path)
    monkeypatch.setattr(scan_module.sys, "frozen", True, raising=False)

    def no_process(*args, **kwargs):
        raise AssertionError("a frozen build started a process")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    seen = {(tmp_path.stat().st_dev, tmp_path.stat().st_ino)}
    _, subfolders = scan_module._list_folder(str(tmp_path), "", seen)
    assert scan_module._scan_in_two(subfolders, seen) is None
    monkeypatch.undo()
    assert len(scan_rows(tmp_path)) == 10


@pytest.mark.parametrize("how", ["alone", "in two", "in two, then alone", "no process"])
def test_what_is_done_meanwhile_is_done_once(tmp_path, monkeypatch, how):
    # The catalog reads its own rows while the second process finishes its half.
    _tree_for_two(tmp_path)
    if how == "in two, then alone":  # a folder reached from both halves
        os.symlink(tmp_path / "e" / "f", tmp_path / "a" / "to-ef")
    if how == "no process":
        monkeypatch.setattr(scan_module.sys, "executable", "/bin/false")
    calls = []
    rows = scan_rows(tmp_path, parallel=how != "alone", meanwhile=lambda: calls.append(1))
    assert calls == [1]
    assert rows == scan_rows(tmp_path)
    paths = [row[0] for row in rows]
    if how == "in two, then alone":  # met first under a/, so listed there only
        assert "a/to-ef/g/h.md" in paths and "e/f/g/h.md" not in paths
    assert len(rows) == 10
    assert scan_rows(tmp_path / "missing", meanwhile=lambda: calls.append(2)) == []
    assert calls == [1, 2]


@pytest.mark.parametrize("target", "bcde")
def test_a_symlink_to_a_folder_of_either_half_lists_what_a_single_scan_does(tmp_path, target):
    # a/ links into one other folder: for some targets it lands in a's half, for others
    # in the other half.
    for name in "abcde":
        write(tmp_path, f"{name}/sub/{name}.md", "Title\nbody\n")
        write(tmp_path, f"{name}/{name}-top.md", "Title\nbody\n")
    os.symlink(tmp_path / target / "sub", tmp_path / "a" / "link")
    alone = scan_rows(tmp_path)
    paths = [row[0] for row in alone]
    assert f"a/link/{target}.md" in paths and f"{target}/sub/{target}.md" not in paths
    assert scan_rows(tmp_path, parallel=True) == alone


def test_a_second_process_that_encodes_names_otherwise_is_not_trusted(tmp_path, monkeypatch):
    # Started with -I, it ignores PYTHONUTF8: under a latin-1 locale its str paths
    # would name other bytes than ours. Seen here as a parent that encodes otherwise.
    _tree_for_two(tmp_path)
    alone = scan_rows(tmp_path)
    monkeypatch.setattr(scan_module.sys, "getfilesystemencoding", lambda: "latin-1")
    seen = {(tmp_path.stat().st_dev, tmp_path.stat().st_ino)}
    _, subfolders = scan_module._list_folder(str(tmp_path), "", seen)
    assert scan_module._scan_in_two(subfolders, seen) is None
    assert scan_rows(tmp_path, parallel=True) == alone


def test_a_scan_in_two_processes_notes_the_trouble_a_single_one_does(tmp_path, monkeypatch):
    # Links out of the library and into /proc, met by either half, reach the caller.
    _tree_for_two(tmp_path / "lib")
    root = tmp_path / "lib"
    write(tmp_path, "outside/o.md", "Title\nbody\n")
    for folder in ("a", "bb", "e"):
        os.symlink(tmp_path / "outside", root / folder / "out")
        os.symlink("/proc", root / folder / "proc")
    alone = scan_module.ScanTrouble()
    rows = scan_rows(root, follow_external_links=False, trouble=alone)
    assert len(alone.external) == len(alone.refused) == 3
    both = scan_module.ScanTrouble()
    assert scan_rows(root, True, None, False, both) == rows
    assert sorted(both.external) == sorted(alone.external)
    assert sorted(both.refused) == sorted(alone.refused)
    # The options of a scanning() block reach a scan that is not given them.
    inherited = scan_module.ScanTrouble()
    with scan_module.scanning(False, inherited):
        assert scan_rows(root, parallel=True) == rows
    assert sorted(inherited.external) == sorted(alone.external)
