"""End to end: the installed ``qtreader`` in a real terminal (tmux), read with capture-pane."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ui_support import terminal_env

from qtreader.library import paths

SAMPLE = paths.sample_library()
POLL = 0.1  # seconds between looks at the terminal


class Terminal:
    """A tmux session on a private socket, 120x40."""

    def __init__(self, tmp: Path, env: dict[str, str]):
        self.socket = f"qtreader-e2e-{os.getpid()}-{time.monotonic_ns()}"
        self.env = env
        self.session = "reader"

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return result.stdout

    def start(self, command: list[str], size: tuple[int, int] = (120, 40)) -> None:
        env_args = [f"{k}={v}" for k, v in self.env.items()]
        subprocess.run(
            ["tmux", "-L", self.socket, "new-session", "-d", "-s", self.session,
             "-x", str(size[0]), "-y", str(size[1]), "env", "-i", *env_args, *command],
            check=True,
        )  # fmt: skip
        # A reader that exits stays on screen, with whatever it printed last (a traceback).
        self.tmux("set-option", "-t", self.session, "remain-on-exit", "on")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)

    def wait_for(self, *texts: str, gone: str = "", timeout: float = 20.0) -> str:
        """The screen, once it shows every one of ``texts`` at the same time (and no
        longer shows ``gone``)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts) and not (gone and gone in screen):
                return screen
            if not self.alive():
                raise AssertionError(f"qtreader exited before showing {texts!r}:\n{screen}")
            time.sleep(POLL)  # polling a real terminal, with a deadline
        raise AssertionError(f"{texts!r} did not appear on screen:\n{screen}")

    def alive(self) -> bool:
        return self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead}").strip() == "0"

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal(tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is needed for the end-to-end tests (.ci/run installs it)")
    env = {**terminal_env(tmp_path), "PATH": os.environ.get("PATH", "")}
    term = Terminal(tmp_path, env)
    yield term
    term.close()


def _qtreader() -> str:
    beside = Path(sys.executable).parent / "qtreader"  # the venv running the tests
    exe = str(beside) if beside.exists() else shutil.which("qtreader")
    if exe is None:
        pytest.fail("the qtreader command is not installed (pip install -e .)")
    return exe


def _article_pane(screen: str) -> list[str]:
    """The article's side of the screen (right of the list's edge), without the status
    line and the footer."""
    lines = screen.splitlines()[:-2]
    return [line.split("▏", 1)[1] if "▏" in line else "" for line in lines]


def test_search_open_follow_an_answers_link_by_keyboard_and_back_to_the_same_place(terminal):
    terminal.start([_qtreader(), str(SAMPLE)])
    terminal.wait_for("74 articles")
    terminal.keys("/")
    terminal.keys("big o notation", literal=True)
    # Not "match" alone: a search for the first letters typed may be shown first.
    terminal.wait_for("match", "What is Big O notation")
    terminal.keys("Enter")
    terminal.wait_for("Big O notation describes")
    # Tab goes through the links in the answer's text, the status line saying where
    # each leads, down to the one to binary search (scrolling just enough to show it).
    for _ in range(12):
        terminal.keys("Tab")
        try:
            screen = terminal.wait_for("→ How does binary search", timeout=1.5)
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("Tab never reached the link to binary search")
    place = _article_pane(screen)
    terminal.keys("Enter")
    terminal.wait_for("How does binary search work", gone="Big O notation describes")
    terminal.keys("[")
    deadline = time.monotonic() + 10
    while _article_pane(terminal.screen()) != place:
        assert time.monotonic() < deadline, "back did not return to the same place:\n" + "\n".join(
            _article_pane(terminal.screen())
        )
        time.sleep(POLL)  # polling a real terminal, with a deadline
    assert "→ How does binary search" in terminal.screen()  # the link is marked again
    terminal.keys("q")
    _wait_gone(terminal)


def _wait_gone(terminal: Terminal) -> None:
    deadline = time.monotonic() + 10
    while terminal.alive() and time.monotonic() < deadline:
        time.sleep(POLL)
    assert not terminal.alive(), f"qtreader did not quit on q:\n{terminal.screen()}"


def test_bookmark_survives_relaunch_and_session_is_restored(terminal):
    terminal.start([_qtreader(), str(SAMPLE)])
    terminal.wait_for("74 articles")
    terminal.keys("/")
    terminal.keys("hash table", literal=True)
    terminal.wait_for("match")
    terminal.keys("Enter")
    terminal.wait_for("Separate chaining")
    terminal.keys("b")
    terminal.wait_for("★ How does a hash table")
    terminal.keys("q")
    _wait_gone(terminal)

    terminal.session = "again"
    terminal.start([_qtreader(), str(SAMPLE)])
    screen = terminal.wait_for("Separate chaining")  # the open article is back
    assert "hash table" in screen  # and so is the query
    terminal.keys("B")
    screen = terminal.wait_for("1 bookmark")
    assert "How does a hash table resolve" in screen
    terminal.keys("q")
    _wait_gone(terminal)


def test_first_launch_on_a_large_library_indexes_in_worker_processes(terminal, tmp_path):
    """Bug: the first index of a library large enough to parse in worker processes
    crashed the reader in a real terminal. Textual captures sys.stderr with a file
    object whose fileno() is -1, and multiprocessing passes that to the resource
    tracker it starts ("bad value(s) in fds_to_keep")."""
    from libhelpers import write_article

    from qtreader.library.catalog import PARALLEL_THRESHOLD

    library = tmp_path / "big"
    count = PARALLEL_THRESHOLD + 100
    for n in range(count):
        write_article(
            library, f"subject{n % 7}/article{n:05}.md", id=str(n),
            title=f"Generated article number {n}", subject=f"Subject {n % 7}",
            url=f"/learn/s{n % 7}/questions/article-{n}", answer=f"Answer {n}: words.",
        )  # fmt: skip
    terminal.start([_qtreader(), str(library)])
    screen = terminal.wait_for(f"{count:,} articles", timeout=60)
    assert "Traceback" not in screen and "Error" not in screen
    terminal.keys("/")
    terminal.keys("number 2041", literal=True)
    terminal.wait_for("Generated article number 2041", "match")
    terminal.keys("Escape")  # clears the search box, where "q" would be a letter
    terminal.wait_for(f"{count:,} of {count:,}")  # (and "Escape q" would be Alt+Q)
    terminal.keys("q")
    _wait_gone(terminal)


_READING = re.compile(r"Reading the library: ([\d,]+) of")


def _files_read(terminal: Terminal) -> int:
    """The first build's count of files read, once the screen shows one."""
    screen = terminal.wait_for("Reading the library: ", timeout=60)
    found = _READING.search(screen)
    assert found, screen
    return int(found.group(1).replace(",", ""))


def test_q_during_a_first_build_quits_and_the_next_launch_goes_on(terminal, tmp_path):
    """Issue 19: q during a first build quits at once (it was typed into the search
    box), and the next launch goes on from where the build stopped (it began again)."""
    from libhelpers import write_article

    library = tmp_path / "big"
    count = 8000
    for n in range(count):
        write_article(library, f"s{n % 7}/a{n:05}.md", title=f"Article {n}", answer=f"A {n}.")
    terminal.start([_qtreader(), str(library)])
    read = 0
    deadline = time.monotonic() + 60
    while read < 2500 and time.monotonic() < deadline:
        read = _files_read(terminal)
        time.sleep(POLL)  # polling a real terminal, with a deadline
    assert read >= 2500, terminal.screen()
    assert read < count, "the build ended before it could be stopped"
    terminal.keys("q")
    _wait_gone(terminal)
    assert list((tmp_path / "cache").rglob("*.partial")), "nothing kept to go on from"

    terminal.session = "again"
    terminal.start([_qtreader(), str(library)])
    # Chunks read ahead of the writer are read again: at most a few of 256 files.
    assert _files_read(terminal) >= read - 1500
    terminal.wait_for(f"{count:,} articles", timeout=90)
    terminal.keys("q")
    _wait_gone(terminal)


def _tree_line(screen: str, name: str) -> str:
    """The subject tree's line for ``name`` (the tree is the left of the screen)."""
    return next((line[:40] for line in screen.splitlines() if line.strip().startswith(name)), "")


def test_read_two_review_one_and_the_counts_are_right_after_a_relaunch(terminal, tmp_path):
    config = Path(terminal.env["XDG_CONFIG_HOME"]) / "qtreader"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("read_after_seconds = 1\n", encoding="utf-8")
    terminal.start([_qtreader(), str(SAMPLE)], size=(160, 48))
    terminal.wait_for("74 articles")
    for words, shown, read in (
        ("hash table", "Separate chaining", 1),
        ("binary search", "sorted", 2),
    ):
        terminal.keys("/")
        terminal.keys(words, literal=True)
        terminal.wait_for("match")
        terminal.keys("Enter")
        terminal.wait_for(shown)
        if read == 1:
            terminal.keys("b")  # bookmarked: what the review studies
            terminal.wait_for("Bookmarked")
        # Open a second: read. The tree says how many of all are.
        deadline = time.monotonic() + 10
        while f"{read} /" not in _tree_line(terminal.screen(), "All articles"):
            assert time.monotonic() < deadline, terminal.screen()
            time.sleep(POLL)  # polling a real terminal, with a deadline
    terminal.keys("R")
    screen = terminal.wait_for("Review")
    if "studying your bookmarks" not in screen:
        terminal.keys("s")
    terminal.wait_for("studying your bookmarks", "How does a hash table")
    terminal.keys("Space")
    terminal.wait_for("Good")
    terminal.keys("3")
    terminal.wait_for("Nothing is due")
    terminal.keys("Escape")
    terminal.wait_for("74 articles")
    terminal.keys("q")
    _wait_gone(terminal)
    terminal.close()
    # Relaunched: the counts are as they were left.
    again = Terminal(tmp_path, terminal.env)
    try:
        again.start([_qtreader(), str(SAMPLE)], size=(160, 48))
        screen = again.wait_for("74 articles", "All articles")
        deadline = time.monotonic() + 10
        while "2 /" not in _tree_line(screen, "All articles"):
            assert time.monotonic() < deadline, screen
            time.sleep(POLL)  # polling a real terminal, with a deadline
            screen = again.screen()
        assert re.search(r"Bookmarks\s+1\b", _tree_line(screen, "Bookmarks")), screen
        again.keys("q")
        _wait_gone(again)
    finally:
        again.close()
    env = {**os.environ, **terminal.env}
    progress = subprocess.run([_qtreader(), "progress", str(SAMPLE), "--json"], env=env,
                              capture_output=True, text=True, check=True)  # fmt: skip
    assert json.loads(progress.stdout)["read"] == 2
    review = subprocess.run([_qtreader(), "review", str(SAMPLE), "--json"], env=env,
                            capture_output=True, text=True, check=True)  # fmt: skip
    # Graded "good" once: a learning card, due again later today (not now).
    (card,) = [c for c in json.loads(review.stdout)["due"] if "hash table" in c["title"]]
    assert card["state"] == "learning"
    assert dt.datetime.fromisoformat(card["due"]) > dt.datetime.now(dt.UTC)
