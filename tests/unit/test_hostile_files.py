"""Issue 19: no single file, name, link, folder or kill takes the library down.

Library-wide failures (one file stopping every command), files swapped for FIFOs,
workers outliving a killed build, unreadable folders and links out of the library. The
cases that could hang or leave processes behind run in subprocesses with timeouts.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from libhelpers import lock, locked_library, make_bad_name, rowid_of, write, write_article

import qtreader.library.scan as scan_module
from qtreader.cli import main
from qtreader.library.catalog import Catalog, records
from qtreader.library.models import RelatedLink, Severity
from qtreader.library.parser import parse_text, read_article
from qtreader.library.scan import scan_rows

REPO = Path(__file__).resolve().parents[2]
T0 = 1_700_000_000
HUGE = "9223372036854775808"  # one past SQLite's largest integer


def run_python(code: str, timeout: float, env: dict[str, str] | None = None):
    """Run ``code`` in a fresh interpreter; a hang fails the test instead of blocking it."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
    )


def qtreader(args: list[str], env: dict[str, str], timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "qtreader", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
    )


def user_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        env[name] = str(tmp_path / "user" / name.lower())
    env.pop("QTREADER_LIBRARY", None)
    return env


def good_articles(root: Path, count: int = 3) -> None:
    for n in range(count):
        write_article(root, f"good/g{n}.md", T0, title=f"Water {n}", url=f"/w/{n}",
                      answer=f"Water number {n} is wet.")  # fmt: skip


# -- an index past SQLite's integers ---------------------------------------------------

HUGE_LINK_SIMPLE = (  # the shape fastyaml reads itself
    "---\ntitle: Huge\nurl: /huge\nanswer: Big numbers.\n"
    f"related_article{HUGE}:\n  id: a\n  title: Elsewhere\n  subject: s\n  url: /else\n"
    "related_article2:\n  id: b\n  title: Kept\n  subject: s\n  url: /kept\n---\n"
)
HUGE_LINK_PYYAML = HUGE_LINK_SIMPLE.replace("title: Huge", "title: 'Huge'")  # quotes: PyYAML


@pytest.mark.parametrize("text", [HUGE_LINK_SIMPLE, HUGE_LINK_PYYAML], ids=["fastyaml", "pyyaml"])
def test_a_related_link_numbered_past_sqlite_integers_is_ignored_with_a_warning(text):
    result = parse_text(text, "s/huge.md")
    assert result.article is not None
    assert [ln.title for ln in result.article.links] == ["Kept"]
    warnings = [p.reason for p in result.problems if p.severity is Severity.WARNING]
    assert any(HUGE in w and "too large" in w for w in warnings), warnings


def test_a_related_number_thousands_of_digits_long_is_ignored():
    # int() of more than 4,300 digits raises ValueError, not just a number SQLite refuses.
    digits = "7" * 5000
    # An explicit key ("? "): YAML's plain keys stop at 1,024 characters.
    text = f"---\ntitle: x\nanswer: y\n? related_article{digits}\n: {{id: a, title: t}}\n---\n"
    result = parse_text(text, "long.md")
    assert result.article is not None and result.article.links == []
    assert any("too large" in p.reason for p in result.problems)


def test_records_never_hand_sqlite_an_integer_it_cannot_hold():
    # Whatever the parser lets through, the record a worker sends is storable.
    result = parse_text(HUGE_LINK_SIMPLE.replace(HUGE, "1"), "s/huge.md")
    assert result.article is not None
    result.article.links.append(RelatedLink(2**63, "x", "Too far", "s", "/far"))
    result.article.links.append(RelatedLink(-(2**63) - 1, "y", "Too low", "s", "/low"))
    _, links, _, _ = records.record(result)
    assert [ln[2] for ln in links] == ["Elsewhere", "Kept"]


def test_a_library_with_a_huge_related_number_stays_searchable(tmp_path):
    root = tmp_path / "lib"
    good_articles(root)
    write(root, "s/huge.md", HUGE_LINK_SIMPLE, T0)
    with Catalog(root) as cat:
        report = cat.refresh()
        assert report.total == 4
        assert cat.search("water", typing=False).total == 3
        # "big numbers": "numbers" alone finds "Water number …" too, now words are stemmed.
        assert cat.search("big numbers", typing=False).total == 1
        assert any(p.path == "s/huge.md" and HUGE in p.reason for p in cat.problems())


# -- file names that are not UTF-8 ----------------------------------------------------


def test_names_are_escaped_only_when_they_must_be_and_round_trip():
    for raw in [b"plain.md", "caf\u00e9.md".encode(), b"bad\xff\xfe.md", b"a\\b.md",
                b"a\\xff.md", b"\\", b"mix\\\xff\\x.md"]:  # fmt: skip
        name = os.fsdecode(raw)
        shown = scan_module.escape_name(name)
        shown.encode("utf-8")  # storable as SQLite text
        assert scan_module.unescape_path(shown) == raw
        if (b"\\" not in raw and raw.isascii()) or raw == "caf\u00e9.md".encode():
            assert shown == name  # names that need nothing keep their spelling
    escape = scan_module.escape_name
    assert escape(os.fsdecode(b"bad\xff\xfe.md")) == "bad\\xff\\xfe.md"
    # A file literally named like the escaped form is a different row, not a clash.
    assert escape("bad\\xff\\xfe.md") != escape(os.fsdecode(b"bad\xff\xfe.md"))


def test_a_name_that_is_not_utf8_is_read_and_stored_escaped(tmp_path):
    root = tmp_path / "lib"
    good_articles(root)
    make_bad_name(
        root / "good", b"bad\xff\xfe.md", "---\ntitle: Odd name\nanswer: Waterproof.\n---\n"
    )
    (root / os.fsdecode(b"dir\xe9")).mkdir()
    write(root, os.fsdecode(b"dir\xe9") + "/inner.md", "Inner title\n\nText about water.\n", T0)
    # A valid name spelled like the escaped one: both are kept apart.
    write(root, "good/bad\\xff\\xfe.md", "---\ntitle: Literal\nanswer: Backslashes.\n---\n", T0)
    paths = [row[0] for row in scan_rows(root)]
    assert "good/bad\\xff\\xfe.md" in paths  # the undecodable one, escaped
    assert "good/bad\\\\xff\\\\xfe.md" in paths  # the literal one, its backslashes doubled
    assert "dir\\xe9/inner.md" in paths
    with Catalog(root) as cat:
        report = cat.refresh()
        assert report.total == 6, cat.problems()
        assert cat.search("waterproof", typing=False).total == 1
        rowid = cat.find("good/bad\\xff\\xfe.md")
        assert rowid is not None
        article = cat.article(rowid)
        assert article is not None and article.title == "Odd name"
        assert cat.refresh().changed == 0  # a second refresh sees the same names


def test_the_cli_lists_and_searches_a_library_with_an_undecodable_name(tmp_path):
    root = tmp_path / "lib"
    good_articles(root)
    make_bad_name(root, b"bad\xff\xfe.md", "---\ntitle: Odd\nanswer: Waterproof\n---\n")
    make_bad_name(root, b"broken\xff.md", "---\ntitle: [unclosed\n---\n")
    env = user_env(tmp_path)
    for args in (["index", str(root)], ["search", "water", "--library", str(root)]):
        done = qtreader(args, env)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    done = qtreader(["check", str(root)], env)
    assert done.returncode == 1, done.stderr  # one problem: the broken file
    assert "broken\\xff.md" in done.stdout
    done = qtreader(["check", "--json", str(root)], env)
    assert done.returncode == 1, done.stderr
    payload = json.loads(done.stdout)
    assert [p["path"] for p in payload["problems"]] == ["broken\\xff.md"]
    assert payload["articles"] == 4


# -- a FIFO where a file was -----------------------------------------------------------


def test_a_fifo_is_never_opened_for_reading(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    done = run_python(
        f"""
        from qtreader.library.parser import read_article
        result = read_article({str(tmp_path)!r}, "pipe.md")
        print(result.article, [p.reason for p in result.problems])
        """,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "None" in done.stdout and "not a regular file" in done.stdout


def test_a_file_swapped_for_a_fifo_after_the_scan_does_not_hang_the_index(tmp_path):
    root = tmp_path / "lib"
    good_articles(root)
    os.mkfifo(root / "good" / "swapped.md")  # listed by the scan as a regular file
    done = run_python(
        f"""
        from pathlib import Path
        from qtreader.library.catalog import Catalog, indexing
        real = indexing.scan_rows
        def scan(root, *args, **kwargs):
            rows = real(root, *args, **kwargs)
            return sorted([*rows, ("good/swapped.md", 10, {T0 * 10**9})])
        indexing.scan_rows = scan
        with Catalog(Path({str(root)!r})) as cat:
            report = cat.refresh(workers=1)
            print(report.total, [(p.path, p.reason) for p in cat.problems()])
            print(cat.search("water", typing=False).total)
        """,
        timeout=60,
        env=user_env(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("3 ") and "not a regular file" in first
    assert second == "3"


def test_reading_checks_the_file_it_opened_not_the_name(tmp_path):
    # Anything but a regular file at the moment of opening: a folder, a device.
    (tmp_path / "folder.md").mkdir()
    os.symlink("/dev/null", tmp_path / "null.md")
    for name in ("folder.md", "null.md"):
        result = read_article(str(tmp_path), name)
        assert result.article is None
        assert result.problems[0].reason in (
            "this is a folder, not a file",
            "not a regular file; skipped",
        )


# -- workers that outlive their parent -------------------------------------------------


def process_group(pgid: int) -> dict[int, str]:
    """The live processes of a process group: pid -> command line."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            found[int(entry)] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    return found


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}")
        time.sleep(0.02)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the parse workers need two cores")
def test_a_killed_index_leaves_no_process_behind_and_the_next_run_cleans_up(tmp_path):
    from qtreader.library.catalog import PARALLEL_THRESHOLD

    root = tmp_path / "lib"
    body = "Waves and tides. " * 200
    for n in range(PARALLEL_THRESHOLD * 3):  # quoted: read by PyYAML, slower, a wider window
        write(root, f"s{n % 20}/a{n}.md", f"---\ntitle: 'T{n}'\nanswer: '{body}'\n---\n")
    env = user_env(tmp_path)
    build = subprocess.Popen(
        [sys.executable, "-m", "qtreader", "index", str(root)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, which its children join
    )
    try:

        def workers() -> list[int]:
            group = process_group(build.pid)
            return [pid for pid, cmd in group.items() if "spawn_main" in cmd]

        wait_for(workers, 60, "the parse workers to start")
        assert build.poll() is None, "the build ended before it could be killed"
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=10)
        wait_for(lambda: not process_group(build.pid), 15, "the orphans to exit")
    finally:
        try:
            os.killpg(build.pid, signal.SIGKILL)  # whatever is left: never leak it
        except ProcessLookupError:
            pass
    cache = tmp_path / "user" / "xdg_cache_home"
    assert list(cache.rglob("*.building-*")), "the killed build left no file to clean up"
    done = qtreader(["index", str(root)], env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{PARALLEL_THRESHOLD * 3:,} articles" in done.stdout, done.stdout
    assert not list(cache.rglob("*.building-*"))


def test_a_stale_building_file_is_removed_by_any_later_run(tmp_path):
    root = tmp_path / "lib"
    good_articles(root)
    db = tmp_path / "cache" / "cat.sqlite3"
    with Catalog(root, db_path=db) as cat:
        cat.refresh()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = db.parent / f"cat.sqlite3.building-{int(dead.stdout)}"
    stale.write_bytes(b"half a catalog")
    with Catalog(root, db_path=db) as cat:  # not a first build: the catalog has files
        assert cat.refresh().total == 3
    assert not stale.exists()


def test_worker_setup_ends_a_worker_whose_parent_is_gone(tmp_path):
    # The watchdog of a worker whose parent died (reparented: getppid changed) exits it.
    done = run_python(
        """
        import os, time
        from qtreader.library.catalog import pool
        pool._worker_started(os.getppid() + 1_000_000, interval=0.05)  # not our parent
        time.sleep(30)
        print("still here")
        """,
        timeout=20,
    )
    assert "still here" not in done.stdout
    assert done.returncode == -signal.SIGTERM, done.stderr  # as the parent's death ends it


# -- where the library ends: unreadable folders ---------------------------------------


def folder_problems(cat: Catalog) -> list[tuple[str, str]]:
    return [(p.path, p.reason) for p in cat.problems() if p.path.endswith("/")]


def test_an_unreadable_folder_keeps_its_articles_and_is_a_problem(tmp_path, monkeypatch):
    root = tmp_path / "lib"
    locked_library(root)
    with Catalog(root) as cat:
        assert cat.refresh().total == 3
        lock(monkeypatch, root / "locked")
        report = cat.refresh()
        assert (report.removed, report.total) == (0, 3)
        assert cat.search("pumice", typing=False).total == 1
        [(path, reason)] = folder_problems(cat)
        assert path == "locked/"
        assert "cannot be read" in reason and "Permission denied" in reason
        assert "2 articles" in reason
        monkeypatch.undo()  # readable again: no problem, nothing changed
        report = cat.refresh()
        assert (report.removed, report.total) == (0, 3)
        assert folder_problems(cat) == []
        lock(monkeypatch, root / "locked")
        cat.refresh()
        for path in ("locked/deep/b.md", "locked/a.md"):
            (root / path).unlink()
        (root / "locked" / "deep").rmdir()
        (root / "locked").rmdir()
        monkeypatch.undo()  # truly gone: its articles go
        report = cat.refresh()
        assert (report.removed, report.total) == (2, 1)
        assert folder_problems(cat) == []


def test_the_articles_of_an_unreadable_folder_are_marked_unreachable(tmp_path, monkeypatch):
    """Kept as they were, and marked: the article says why its file cannot be read now."""
    root = tmp_path / "lib"
    locked_library(root)
    with Catalog(root) as cat:
        cat.refresh()
        lock(monkeypatch, root / "locked")
        report = cat.refresh()  # no file changed; what the scan could not enter did
        assert report.trouble_changed and not report.unchanged
        assert cat.unreadable_folders() == 1 and cat.problem_count() == (1, 0)
        deep = cat.article(rowid_of(cat, "/b"))
        assert deep is not None and "cannot be read" in deep.unreachable
        assert "locked/" in deep.unreachable and "Permission denied" in deep.unreachable
        opened = cat.article(rowid_of(cat, "/c"))
        assert opened is not None and opened.unreachable == ""
        assert cat.refresh().unchanged  # the same again: nothing to say
        monkeypatch.undo()  # readable again: no longer marked
        assert cat.refresh().trouble_changed
        assert cat.unreadable_folders() == 0
        again = cat.article(rowid_of(cat, "/b"))
        assert again is not None and again.unreachable == ""


def test_show_says_an_article_cannot_be_read_now(tmp_path, monkeypatch, capsys):
    root = tmp_path / "lib"
    locked_library(root)
    with Catalog(root) as cat:
        cat.refresh()
    lock(monkeypatch, root / "locked")
    out = io.StringIO()
    assert main(["show", "/b", "--json", "--library", str(root)], out=out) == 0
    assert "the folder locked/ cannot be read" in json.loads(out.getvalue())["unreachable"]
    out = io.StringIO()
    assert main(["show", "/b", "--markdown", "--library", str(root)], out=out) == 0
    assert "cannot be read (Permission denied): shown as last read" in out.getvalue()


def test_an_unreadable_library_folder_keeps_every_article(tmp_path, monkeypatch):
    root = tmp_path / "lib"
    locked_library(root)
    with Catalog(root) as cat:
        cat.refresh()
        lock(monkeypatch, root)
        report = cat.refresh()
        assert (report.removed, report.total) == (0, 3)
        assert [path for path, _ in folder_problems(cat)] == ["./"]


def test_a_first_build_lists_an_unreadable_folder(tmp_path, monkeypatch):
    root = tmp_path / "lib"
    locked_library(root)
    lock(monkeypatch, root / "locked")
    with Catalog(root) as cat:
        assert cat.refresh().total == 1
        assert [path for path, _ in folder_problems(cat)] == ["locked/"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
@pytest.mark.parametrize("mode", [0o000, 0o600], ids=["no permissions", "no x bit"])
def test_a_folder_whose_mode_forbids_reading_keeps_its_articles(tmp_path, mode):
    root = tmp_path / "lib"
    locked_library(root)
    with Catalog(root) as cat:
        cat.refresh()
        os.chmod(root / "locked", mode)
        try:
            report = cat.refresh()
            assert (report.removed, report.total) == (0, 3)
            assert [path for path, _ in folder_problems(cat)] == ["locked/"]
        finally:
            os.chmod(root / "locked", 0o755)
        assert cat.refresh().total == 3
        assert folder_problems(cat) == []


# -- where the library ends: links -----------------------------------------------------


def linked_library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    write_article(root, "in/a.md", T0, title="Inside", url="/in", answer="Quartz.")
    write_article(tmp_path / "outside", "secret.md", T0, title="Secret", answer="Hidden.")
    os.symlink(tmp_path / "outside", root / "out")  # a folder outside
    os.symlink(tmp_path / "outside" / "secret.md", root / "passwd.md")  # a file outside
    os.symlink(root / "in", root / "also-in")  # inside: followed (once)
    return root


def test_links_out_of_the_library_are_listed_and_not_followed(tmp_path):
    root = linked_library(tmp_path)
    trouble = scan_module.ScanTrouble()
    rows = scan_rows(root, follow_external_links=False, trouble=trouble)
    assert [row[0] for row in rows] == ["also-in/a.md"]
    assert sorted(path for path, _ in trouble.external) == ["out", "passwd.md"]
    with Catalog(root) as cat:
        assert cat.refresh().total == 1
        assert cat.search("hidden", typing=False).total == 0
        listed = {p.path: p.reason for p in cat.problems()}
        assert set(listed) == {"out", "passwd.md"}
        assert all("outside the library" in reason for reason in listed.values())
        assert all("not followed" in reason for reason in listed.values())


def test_links_out_of_the_library_are_followed_when_the_settings_allow(tmp_path):
    root = linked_library(tmp_path)
    trouble = scan_module.ScanTrouble()
    rows = scan_rows(root, follow_external_links=True, trouble=trouble)
    assert sorted(row[0] for row in rows) == ["also-in/a.md", "out/secret.md", "passwd.md"]
    assert trouble.external == []


@pytest.mark.parametrize("target", ["/", "/proc", "/sys", "/dev", "/proc/self"])
def test_system_folders_are_never_scanned_even_when_links_may_be_followed(tmp_path, target):
    root = tmp_path / "lib"
    write_article(root, "a.md", T0, title="A", answer="x")
    os.symlink(target, root / "system")
    trouble = scan_module.ScanTrouble()
    started = time.monotonic()
    rows = scan_rows(root, follow_external_links=True, trouble=trouble)
    assert time.monotonic() - started < 5
    assert [row[0] for row in rows] == ["a.md"]
    assert [path for path, _ in trouble.refused] == ["system"]


def test_a_system_folder_as_the_library_is_refused(tmp_path):
    done = run_python(
        """
        from pathlib import Path
        from qtreader.library.scan import ScanTrouble, refused_library, scan_rows
        for root in ("/", "/proc", "/sys", "/dev", "/proc/self", "/sys/kernel"):
            trouble = ScanTrouble()
            rows = scan_rows(Path(root), trouble=trouble)
            print(root, len(rows), len(trouble.refused), bool(refused_library(Path(root))))
        print(refused_library(Path("/tmp")))
        """,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    *lines, last = done.stdout.splitlines()
    assert all(line.endswith(" 0 1 True") for line in lines), lines
    assert last == "None"


def test_a_link_replaced_by_a_file_of_its_name_loses_its_problem(tmp_path):
    root = linked_library(tmp_path)
    with Catalog(root) as cat:
        cat.refresh()
        (root / "passwd.md").unlink()
        write_article(root, "passwd.md", T0, title="Now a file", answer="Mine.")
        assert cat.refresh().total == 2
        assert {p.path for p in cat.problems()} == {"out"}
