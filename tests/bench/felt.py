"""Felt latency: a keystroke in the search box to the changed list, seen from outside.

The reader runs as a user runs it (``python -m qtreader LIBRARY``, the bench's own
XDG folders) in a tmux session of a fixed size, on a tmux server of its own (``-S``, a
socket in the scratch folder), so no user session is touched. Words are typed one key
at a time with ``send-keys``; after each key ``capture-pane -p`` is polled in a tight
loop (no sleep) until the count line or the list's first rows change: that is the
key's latency, from just before the key is sent to the first capture that shows the
change. Both commands go through one control-mode client (``tmux -C``), so a poll is
a line on a pipe rather than a process start (both costs are measured and reported).
Each key starts from a settled screen (nothing changed for ``QUIET`` seconds), so
every key is timed alone; the polling goes on after the first change until the screen
settles, which also gives the time of the last change (the full-text results, after
the pause the reader waits for).

A key whose list did not change within ``TIMEOUT`` (a space, a letter past the last
match) is counted and left out of the figures. The polling interval achieved bounds
the resolution, and the poller takes CPU from the reader on a small machine: both are
reported.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .tools import child_env, median, percentile

Log = Callable[[str], None]

SIZE = (120, 40)
# Real-looking queries, words of the bench's vocabulary (tests/bench/library.py).
QUERIES = ("enzyme reaction", "quantum", "market price", "neuron", "climate policy", "inflation")
TIMEOUT = 2.5  # seconds for a key to change the list (the full search starts at 0.35 s)
QUIET = 1.0  # seconds without a change: the screen has settled
LAUNCH_TIMEOUT = 600.0  # seconds for the list to be shown (a catalog rebuild is slow)
LIST_ROWS = 12  # the count line and the screen lines below it that are compared
# The count line: "12 of 74 match", or with versions of a question "141,339 questions,
# 150,000 articles" and "12 questions match (15 articles)".
COUNT = re.compile(r"\b[\d,]+\+? (of [\d,]+\b|questions?\b)")


class Tmux:
    """One detached session on a tmux server of its own (its socket in the scratch
    folder), killed by :meth:`close`."""

    def __init__(self, scratch: Path, size: tuple[int, int] = SIZE):
        self.socket = scratch / "felt-tmux.sock"  # removed with the scratch folder
        self.size = size
        self.config = scratch / "felt-tmux.conf"
        self.config.write_text(
            "set -g status off\nset -g escape-time 0\nset -g remain-on-exit on\n"
            "set -g history-limit 0\n"
        )
        self.base = ["tmux", "-S", str(self.socket), "-f", str(self.config)]
        self.target = "felt"
        self.control: subprocess.Popen[bytes] | None = None

    def run(self, *args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=10, env=env
        )
        if proc.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args[:2])} failed: {proc.stderr.strip()}")
        return proc.stdout

    def start(self, command: Sequence[str], env: dict[str, str]) -> None:
        width, height = self.size
        extra = [f"-e{k}={v}" for k, v in env.items() if k.startswith("XDG_") or k == "PYTHONPATH"]
        self.run(
            "new-session", "-d", "-s", self.target, "-x", str(width), "-y", str(height),
            *extra, shlex.join(command), env=env,
        )  # fmt: skip

    def attach(self) -> None:
        """Send later commands through one control-mode client (``tmux -C``), so that a
        capture or a key costs a line on a pipe, not a process start (the spawned
        ``tmux`` client is kept for comparison: :meth:`capture_spawned`). The client
        neither sizes the window nor receives the pane's output."""
        self.control = subprocess.Popen(
            [*self.base, "-C", "attach-session", "-t", self.target, "-f", "ignore-size,no-output"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        self._command("display-message -p ok")

    def _command(self, line: str) -> list[bytes]:
        control = self.control
        if control is None:
            raise RuntimeError("not attached")
        assert control.stdin is not None and control.stdout is not None
        control.stdin.write(line.encode() + b"\n")
        out: list[bytes] = []
        inside = False
        while True:
            got = control.stdout.readline()
            if not got:
                raise RuntimeError(f"the tmux control client ended (after {line!r})")
            if not inside:
                # a reply to a command of ours: flags 1 (0: the attach-session's own)
                inside = got.startswith(b"%begin ") and got.split()[-1] == b"1"
                continue  # notifications, and the attach's reply
            if got.startswith((b"%end ", b"%error ")):
                if got.startswith(b"%error "):
                    raise RuntimeError(f"tmux {line!r}: {b''.join(out).decode(errors='replace')}")
                return out
            out.append(got)

    def capture(self) -> str:
        if self.control is None:
            return self.capture_spawned()
        return b"".join(self._command(f"capture-pane -p -t {self.target}")).decode()

    def capture_spawned(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.target)

    def send(self, *keys: str, literal: bool = False) -> None:
        if self.control is None:
            self.run("send-keys", "-t", self.target, *(["-l"] if literal else []), *keys)
            return
        args = " ".join(shlex.quote(k) for k in keys)
        self._command(f"send-keys -t {self.target} {'-l ' if literal else ''}{args}")

    def dead(self) -> bool:
        return self.run("display-message", "-p", "-t", self.target, "#{pane_dead}").strip() == "1"

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10)
        if self.control is not None:
            try:
                self.control.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.control.kill()


def _list_region(screen: str, count_row: int) -> tuple[str, ...]:
    return tuple(screen.splitlines()[count_row : count_row + LIST_ROWS])


def _wait_for_list(tmux: Tmux, log: Log) -> tuple[str, int, float]:
    """Until the count line is shown and the screen is settled: (screen, its row, seconds)."""
    start = time.perf_counter()
    while True:
        screen = tmux.capture()
        rows = [i for i, line in enumerate(screen.splitlines()) if COUNT.search(line)]
        if rows:
            break
        if tmux.dead() or time.perf_counter() - start > LAUNCH_TIMEOUT:
            raise RuntimeError(f"the reader showed no list:\n{screen}")
        time.sleep(0.05)
    shown = time.perf_counter() - start
    screen = _settle(tmux, screen, 2 * QUIET)
    log(f"  list shown {shown:.1f} s after the launch")
    return screen, rows[0], shown


def _settle(tmux: Tmux, screen: str, quiet: float, limit: float = 120.0) -> str:
    """Until the screen has not changed for ``quiet`` seconds."""
    start = last = time.perf_counter()
    while time.perf_counter() - last < quiet:
        if time.perf_counter() - start > limit:
            raise RuntimeError(f"the screen did not settle within {limit:.0f} s")
        time.sleep(0.02)
        now = tmux.capture()
        if now != screen:
            screen, last = now, time.perf_counter()
    return screen


def poll_cost(capture: Callable[[], str], n: int = 100) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        capture()
        times.append(time.perf_counter() - start)
    return times


def time_key(tmux: Tmux, key: str, screen: str, count_row: int) -> dict[str, Any]:
    """Send ``key`` and poll until the list changes, then until the screen settles."""
    before = _list_region(screen, count_row)
    echo = first = None
    last_change = None
    polls = 0
    start = time.perf_counter()
    tmux.send(key, literal=True)
    sent = time.perf_counter()
    last = sent
    current = screen
    while True:
        now_screen = tmux.capture()
        now = time.perf_counter()
        polls += 1
        if now_screen != current:
            current, last = now_screen, now
            if echo is None:
                echo = now - start
            if first is None and _list_region(now_screen, count_row) != before:
                first = now - start
            if first is not None:
                last_change = now - start
        if first is None and now - start > TIMEOUT:
            break
        if first is not None and now - last > QUIET:
            break
    if first is None and tmux.dead():
        raise RuntimeError(f"the reader ended during the measurement:\n{current}")
    if first is None:  # the list did not change: let the screen settle all the same
        current = _settle(tmux, current, QUIET)
    return {
        "key": key,
        "send": sent - start,
        "echo": echo,
        "list": first,
        "last": last_change,
        "polls": polls,
        "poll_interval": (time.perf_counter() - start) / max(polls, 1),
        "screen": current,
    }


def _summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "median": median(values),
        "p95": percentile(values, 95),
        "max": max(values) if values else float("nan"),
    }


def in_process_searches(root: Path, queries: Sequence[str], runs: int = 3) -> dict[str, Any]:
    """The quick and full searches of every typed prefix, timed in this process (the
    reader's own function, on the catalog it opens): what the debounce waits before."""
    from qtreader.library.catalog import Catalog
    from qtreader.ui.reading import search_result
    from qtreader.ui.state import ALL

    catalog = Catalog(root)
    try:
        out: dict[str, Any] = {}
        for full in (False, True):
            times = []
            for query in queries:
                for end in range(1, len(query) + 1):
                    prefix = query[:end]
                    best = float("inf")
                    for _ in range(runs):
                        start = time.perf_counter()
                        search_result(catalog, prefix, ALL, full, False)
                        best = min(best, time.perf_counter() - start)
                    times.append(best)
            out["full" if full else "quick"] = _summary(times)
        return out
    finally:
        catalog.close()


def felt_figures(
    root: Path,
    scratch: Path,
    log: Log,
    queries: Sequence[str] = QUERIES,
    rounds: int = 1,
) -> dict[str, Any]:
    """Launch the reader in tmux, type ``queries`` ``rounds`` times: the figures."""
    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is not installed")
    env = child_env()
    env.pop("QTREADER_LIBRARY", None)
    tmux = Tmux(scratch)
    keys: list[dict[str, Any]] = []
    try:
        started = time.perf_counter()
        tmux.start([sys.executable, "-m", "qtreader", str(root)], env)
        screen, count_row, shown = _wait_for_list(tmux, log)
        spawned = poll_cost(tmux.capture_spawned)
        tmux.attach()
        cost = poll_cost(tmux.capture)
        for name, times in (("a tmux process each", spawned), ("control mode", cost)):
            log(
                f"  capture-pane, {name}: {median(times) * 1e3:.2f} ms median, "
                f"{percentile(times, 95) * 1e3:.2f} ms p95 (idle screen)"
            )
        tmux.send("/")
        screen = _settle(tmux, tmux.capture(), QUIET)
        for r in range(rounds):
            for query in queries:
                tmux.send("C-u")
                screen = _settle(tmux, tmux.capture(), QUIET)
                for char in query:
                    timed = time_key(tmux, char, screen, count_row)
                    screen = timed.pop("screen")
                    timed["query"] = query
                    keys.append(timed)
                    shown_ms = "-" if timed["list"] is None else f"{timed['list'] * 1e3:.0f}"
                    last_ms = "-" if timed["last"] is None else f"{timed['last'] * 1e3:.0f}"
                    log(
                        f"  round {r + 1} {query!r} {char!r}: list {shown_ms} ms, "
                        f"last change {last_ms} ms, echo "
                        f"{(timed['echo'] or float('nan')) * 1e3:.0f} ms, {timed['polls']} polls"
                    )
        if tmux.dead():
            raise RuntimeError(f"the reader ended during the measurement:\n{tmux.capture()}")
        wall = time.perf_counter() - started
    finally:
        tmux.close()
    changed = [k for k in keys if k["list"] is not None]
    return {
        "size": list(tmux.size),
        "queries": list(queries),
        "rounds": rounds,
        "launch_to_list": shown,
        "capture": _summary(cost),
        "capture_spawned": _summary(spawned),
        "poll_interval": median([k["poll_interval"] for k in keys]),
        "send": median([k["send"] for k in keys]),
        "keys": len(keys),
        "samples": len(changed),
        "unchanged": len(keys) - len(changed),
        "list": _summary([k["list"] for k in changed]),
        "echo": _summary([k["echo"] for k in keys if k["echo"] is not None]),
        "last": _summary([k["last"] for k in changed if k["last"] is not None]),
        "seconds": wall,
        "all": keys,
    }


def felt_lines(felt: dict[str, Any], searches: dict[str, Any] | None) -> list[str]:
    """The figures, said."""

    def ms(d: dict[str, float]) -> str:
        return f"{d['median'] * 1e3:.0f} / {d['p95'] * 1e3:.0f} ms"

    width, height = felt["size"]
    lines = [
        f"Felt latency (tmux {width}x{height}, outside the process; median / p95):",
        f"- keystroke to changed list: {ms(felt['list'])} "
        f"(target 30 / 60 ms); {felt['samples']} keys, "
        f"{felt['unchanged']} of {felt['keys']} changed nothing and are left out",
        f"- keystroke to the last change (the full-text results): {ms(felt['last'])}",
        f"- keystroke to its echo in the search box: {ms(felt['echo'])}",
        f"- resolution: capture-pane {ms(felt['capture'])} through a control-mode client "
        f"({ms(felt['capture_spawned'])} as a process each), polled every "
        f"{felt['poll_interval'] * 1e3:.1f} ms while typing; send-keys "
        f"{felt['send'] * 1e3:.1f} ms (counted in each key's time)",
    ]
    if searches:
        lines.append(
            f"In-process, the same prefixes (best of 3 each): quick search "
            f"{ms(searches['quick'])}, full search {ms(searches['full'])}"
        )
    return lines


def run_felt(args: Any, scratch: Path, log: Log) -> int:
    """``--felt``: the library (generated or reused), its catalog, then the figures."""
    import json

    from .library import prepare_library
    from .tools import machine_info

    log(f"# qtreader felt latency: {args.articles:,} articles\n")
    log("\n".join(machine_info()))
    log(f"- load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    root, _, reused = prepare_library(args.keep, args.articles, scratch)
    log(f"Library: {root} ({'reused' if reused else 'generated'})")
    log("Catalog (built, or brought up to date) …")
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _INDEX, str(root)], env=child_env(), check=True, timeout=1800
    )
    log(f"  {time.perf_counter() - start:.1f} s")
    queries = args.felt_queries.split(",") if args.felt_queries else QUERIES
    log("In-process searches …")
    searches = in_process_searches(root, queries)
    log("Typing in tmux …")
    felt = felt_figures(root, scratch, log, queries, rounds=args.felt_rounds)
    log(f"- load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    log("")
    log("\n".join(felt_lines(felt, searches)))
    if args.json:
        args.json.write_text(json.dumps({"felt": felt, "searches": searches}, indent=1))
    return 0


_INDEX = (
    "import sys\nfrom pathlib import Path\nfrom qtreader.library.catalog import Catalog\n"
    "c = Catalog(Path(sys.argv[1])); c.refresh(); c.close()\n"
)
