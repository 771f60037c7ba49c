"""Untrusted content: the hostile fixture library is indexed, reported and shown safely."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ui_support import article_view, settle, terminal_env

from qtreader.library.catalog import Catalog
from qtreader.library.models import Severity
from qtreader.ui.app import ReaderApp

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile"

# (file, severity, words the reason must contain)
EXPECTED_PROBLEMS = {
    ("bad-yaml.md", Severity.ERROR, "not valid YAML"),
    ("binary.md", Severity.ERROR, "binary"),
    ("deep-nesting.md", Severity.ERROR, "nested deeper"),
    ("empty.md", Severity.ERROR, "empty"),
    ("invalid-utf8.md", Severity.WARNING, "Windows-1252"),
    ("list-front-matter.md", Severity.ERROR, "a list, not a mapping"),
    ("python-tag.md", Severity.ERROR, "python/object"),
    ("raw-escapes.txt", Severity.WARNING, "Windows-1252"),
    ("scalar-front-matter.md", Severity.ERROR, "not a mapping"),
    ("unclosed.md", Severity.ERROR, "never closed"),
}
KEPT = {
    "alias-bomb.md",
    "bom-crlf.md",
    "escape-sequences.md",
    "fine.md",
    "folder.md/inside.md",
    "invalid-utf8.md",
    "odd-types.md",
    "raw-escapes.txt",
}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile_catalog():
    catalog = Catalog(HOSTILE)
    catalog.refresh()
    yield catalog
    catalog.close()


def test_hostile_library_reports_exact_problems(hostile_catalog):
    problems = hostile_catalog.problems()
    for path, severity, words in EXPECTED_PROBLEMS:
        matching = [p for p in problems if p.path == path and p.severity is severity]
        assert matching, f"no {severity.value} for {path}: {problems}"
        assert any(words in p.reason for p in matching), (path, matching)
    errors = {p.path for p in problems if p.severity is Severity.ERROR}
    assert errors == {p for p, s, _ in EXPECTED_PROBLEMS if s is Severity.ERROR}
    # A binary file is one problem, not a decoding warning as well.
    assert len([p for p in problems if p.path == "binary.md"]) == 1


def test_hostile_library_keeps_what_can_be_read(hostile_catalog):
    rows = hostile_catalog.rows(hostile_catalog.list_rowids(include_stubs=True))
    kept = {hostile_catalog.article(r.rowid).path for r in rows}
    assert kept == KEPT
    # The symlink loop was not followed twice: no "loop/..." paths.
    assert not any(path.startswith("loop/") for path in kept)


def test_odd_field_types_are_read_sensibly(hostile_catalog):
    article = hostile_catalog.article(hostile_catalog.find("odd-types.md"))
    assert article.id == "not-a-number"
    assert article.date == "2024-13-45"  # impossible: shown raw
    assert article.title == "A title, given as a list"
    assert article.answer.startswith("Odd field types")
    warnings = [p for p in hostile_catalog.problems() if p.path == "odd-types.md"]
    assert any("related_article1" in p.reason for p in warnings)


def test_no_control_characters_survive_in_any_field(hostile_catalog):
    for row in hostile_catalog.rows(hostile_catalog.list_rowids(include_stubs=True)):
        article = hostile_catalog.article(row.rowid)
        for name in ("title", "question", "subject", "keywords", "date", "author", "url"):
            assert not CONTROL.search(getattr(article, name)), (article.path, name)
        assert not CONTROL.search(article.answer.replace("\n", "").replace("\t", ""))
        for link in article.links:
            assert not CONTROL.search(link.title + link.subject + link.url + link.id)
    for problem in hostile_catalog.problems():
        assert not CONTROL.search(problem.reason)


async def test_every_kept_article_opens_in_the_reader(hostile_catalog):
    rowids = list(hostile_catalog.list_rowids(include_stubs=True))
    app = ReaderApp(HOSTILE)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        for rowid in rowids:
            app.reader.open_rowid(rowid)
            await settle(pilot, app)
            assert app.reader.article.rowid == rowid
            title = str(article_view(app).query_one("#title").render())
            assert not CONTROL.search(title)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "ProblemsScreen"


async def test_a_multi_megabyte_answer_opens_in_parts(tmp_path):
    paragraph = "A long paragraph of text that goes on. " * 40
    answer = "\\n\\n".join(f"{n}. {paragraph}" for n in range(3000))  # about 4.8 MB
    (tmp_path / "huge.md").write_text(
        f"---\ntitle: A huge article\nanswer: >-\n    {answer}\n---\n", encoding="utf-8"
    )
    app = ReaderApp(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        started = time.perf_counter()
        app.reader.open_key("huge.md")
        await settle(pilot, app, timeout=30)
        view = article_view(app)
        assert view.article.title == "A huge article"
        assert view.shown_chars < len(view.article.answer) // 10
        assert view.query_one("#more").display
        assert "long" in str(view.query_one("#partial").render())
        # Keys answer while it is open. A key takes ~0.15 s on a slow machine; the bound
        # only has to catch a frozen reader (a loaded run once took 0.5 s).
        key_started = time.perf_counter()
        await pilot.press("j")
        assert time.perf_counter() - key_started < 2.0
        shown = view.shown_chars
        await pilot.press("plus")
        await settle(pilot, app, timeout=30)
        assert view.shown_chars > shown
        assert time.perf_counter() - started < 30


def _read_all(fd: int, until: float) -> bytes:
    chunks = []
    while time.monotonic() < until:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def test_no_escape_sequence_from_content_reaches_the_terminal(tmp_path):
    """Run the reader in a pseudo-terminal, open every article, inspect the raw bytes."""
    env = {**os.environ, **terminal_env(tmp_path), "COLUMNS": "120", "LINES": "40"}
    primary, secondary = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "qtreader", str(HOSTILE)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        start_new_session=True,
    )
    os.close(secondary)
    output = bytearray()
    try:
        output += _wait_for(primary, b"articles", 30)
        keys = [b"\r"] + [b"\x1b[B", b"\r", b"\t"] * 10 + [b"!"]
        for key in keys:
            os.write(primary, b"l" if key == b"\t" else key)  # back to the list, then down
            output += _read_all(primary, time.monotonic() + 0.3)
        os.write(primary, b"\x1b")
        output += _read_all(primary, time.monotonic() + 0.3)
        os.write(primary, b"q")
        output += _read_all(primary, time.monotonic() + 5)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        os.close(primary)
    text = output.decode("utf-8", errors="replace")
    assert "Hostile" in text  # the content was shown at all
    assert "PWNED" in text  # and the words around the escapes too
    # No sequence that came from content: payloads are marked PWNED.
    assert not re.search(r"\x1b[\]P^_X][^\x07\x1b]*PWNED", text), "OSC/DCS from content"
    assert not re.search(r"\x1b\[[0-9;]*[A-Za-z][^\x1b]{0,3}PWNED-red", text)
    for sequence in ("\x1b]0;", "\x1b]2;", "\x1b]52;", "\x1b]8;;https://PWNED"):
        assert sequence not in text, repr(sequence)
    assert "\x1b[2J" not in text
    assert "\x9b" not in text  # C1 CSI


def _wait_for(fd: int, needle: bytes, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    seen = bytearray()
    while time.monotonic() < deadline:
        seen += _read_all(fd, time.monotonic() + 0.2)
        if needle in seen:
            return bytes(seen)
    raise AssertionError(f"{needle!r} never appeared; got {bytes(seen[-500:])!r}")
