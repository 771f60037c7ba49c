"""The reader's figures, each in a child process: launch, list keys, opening articles.

The launch driver is a ``python -c`` script timed from the parent. The UI session runs
``python -m bench --ui-child PARAMS RESULT``: a headless ``ReaderApp`` driven by Pilot,
which waits for the library to load (and the refresh at launch to end), times list
keys three ways, then opens articles one after another. ``QTREADER_PLAIN_TEXTUAL`` in
the parent's environment reaches the child, so the same session measures the reader
with some or all of its Textual patches left out (see bench/patches.py).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from .tools import child_env, median, percentile, rss_mb

LAUNCH_DRIVER = r"""
import os, time
T0 = float(os.environ["QTBENCH_T0"])
t_main = time.perf_counter()
import asyncio, json, sys
from pathlib import Path
from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.article_list import ArticleList
t_imported = time.perf_counter()

async def main():
    app = ReaderApp(Path(sys.argv[1]))
    marks = {}
    async with app.run_test(headless=True, size=(120, 40)) as pilot:
        marks["running"] = time.perf_counter()
        reader = app.reader
        while True:
            if reader.ready:
                marks.setdefault("ready", time.perf_counter())
                rows = reader.query_one("#list", ArticleList)
                pages = getattr(rows.source, "_pages", None)
                # rows listed, and the list has painted them (its first page was fetched)
                if len(rows.source) and rows.display and (pages is None or len(pages)):
                    break
            await asyncio.sleep(0.001)
        marks["rows"] = time.perf_counter()
        shown = len(rows.source)
    with open(sys.argv[2], "w") as out:
        json.dump({
            "python_started": t_main - T0, "imported": t_imported - T0,
            "app_running": marks["running"] - T0, "ready": marks["ready"] - T0,
            "rows_shown": marks["rows"] - T0, "rows": shown,
        }, out)

asyncio.run(main())
"""


def launch_figures(root: Path, repeat: int, scratch: Path) -> dict[str, Any]:
    runs = []
    # An installed reader runs from bytecode that pip compiled: the launches may write
    # it (PYTHONDONTWRITEBYTECODE would compile every changed module on every launch),
    # and a first launch, not counted, writes it.
    for i in range(-1, repeat):
        out = scratch / f"launch-{i}.json"
        env = child_env()
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        t0 = time.perf_counter()
        env["QTBENCH_T0"] = repr(t0)
        proc = subprocess.run(
            [sys.executable, "-c", LAUNCH_DRIVER, str(root), str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"launch driver failed:\n{proc.stderr[-3000:]}")
        run = json.loads(out.read_text())
        run["process_wall"] = wall
        if i >= 0:
            runs.append(run)
    keys = ("python_started", "imported", "app_running", "ready", "rows_shown", "process_wall")
    result = {k: median([r[k] for r in runs]) for k in keys}
    result["runs"] = [r["rows_shown"] for r in runs]
    result["rows"] = runs[-1]["rows"]
    return result


Settle = Callable[[], Awaitable[None]]  # waits until the app has handled a key

KEY_METHODS = ("pilot", "drained", "direct")


def ui_figures(
    root: Path,
    rowids: Sequence[int],
    presses: int,
    scratch: Path,
    *,
    methods: Sequence[str] = KEY_METHODS,
    passes: int = 1,
    env: dict[str, str] | None = None,
    interleave: list[tuple[str, str | None]] | None = None,
) -> dict[str, Any]:
    """Run one UI session in a child process: keys by each of ``methods``, then each of
    ``rowids`` opened ``passes`` times over (one after another, in one app). With
    ``interleave`` (configurations of patches.py), the session switches the patches
    between blocks instead (see patches.interleaved)."""
    params = {
        "root": str(root),
        "rowids": list(rowids),
        "presses": presses,
        "methods": list(methods),
        "passes": passes,
        "interleave": interleave,
    }
    path = scratch / "ui-params.json"
    path.write_text(json.dumps(params))
    out = scratch / "ui-result.json"
    out.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--ui-child", str(path), str(out)],
        env=env if env is not None else child_env(),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"UI session failed:\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text())


def ui_child(params_file: Path, result_file: Path) -> None:
    """The child's side of :func:`ui_figures`."""
    params = json.loads(params_file.read_text())
    result = asyncio.run(ui_session(params))
    result_file.write_text(json.dumps(result))


async def ui_session(params: dict[str, Any]) -> dict[str, Any]:
    from qtreader.ui.app import ReaderApp

    out: dict[str, Any] = {}
    app = ReaderApp(Path(params["root"]))
    async with app.run_test(headless=True, size=(120, 40)) as pilot:
        await _loaded(app, pilot)
        out["listed"] = len(_article_list(app).source)
        out["rss_loaded"], out["hwm_loaded"] = rss_mb()
        if params.get("interleave"):
            from .patches import interleaved

            out["configs"] = await interleaved(
                app, pilot, params, _key_figures, _open_figures, _article_list
            )
            return out
        await _key_figures(app, pilot, params["presses"], params["methods"], out)
        out["rss_scrolled"], _ = rss_mb()
        rowids = list(params["rowids"]) * params["passes"]
        await _open_figures(app, pilot, rowids, out)
        out["rss_after_opens"], out["hwm_end"] = rss_mb()
    return out


def _article_list(app: Any) -> Any:
    from qtreader.ui.widgets.article_list import ArticleList

    return app.reader.query_one("#list", ArticleList)


async def _loaded(app: Any, pilot: Any) -> None:
    """Until the whole library is listed, the refresh at launch has ended (it stats
    every file, in a thread beside the measurements otherwise), and the list has focus."""
    from textual.worker import WorkerState

    reader = app.reader
    while not (reader.ready and len(_article_list(app).source)):
        await asyncio.sleep(0.005)
    started = time.perf_counter()
    while time.perf_counter() - started < 120 and any(
        w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers
    ):
        await asyncio.sleep(0.01)
    await pilot.pause()
    _article_list(app).focus()
    await pilot.pause()


class KeyTimer:
    """Three ways to time a key in the article list (see EXPLANATIONS in report.py)."""

    def __init__(self, app: Any, pilot: Any) -> None:
        self.app = app
        self.pilot = pilot
        self.screen = app.screen

    def paint(self) -> None:
        self.screen._on_timer_update()  # the compositor renders the dirty lines now

    async def pilot_keys(self, key: str, count: int) -> list[float]:
        times = []
        for _ in range(count):
            start = time.perf_counter()
            await self.pilot.press(key)
            self.paint()
            times.append(time.perf_counter() - start)
        return times

    def _queues_empty(self, nodes: Sequence[Any]) -> bool:
        return all(node._message_queue.empty() for node in nodes)

    async def drain(self) -> None:
        """Until every message queue of the app and the screen is empty (no sleeps)."""
        for _ in range(50):
            await self.pilot._wait_for_screen()
            if self._queues_empty([self.app, *self.app.screen.walk_children(with_self=True)]):
                return

    async def quiet(self) -> None:
        """Until every queue of the app and the screen stays empty for three turns of
        the event loop: watched, not drained (Pilot's wait posts a callback to every
        widget and waits for each, which cost more than the key itself)."""
        nodes = [self.app, *self.app.screen.walk_children(with_self=True)]
        turns = 0
        while turns < 3:
            await asyncio.sleep(0)
            turns = turns + 1 if self._queues_empty(nodes) else 0

    async def posted(
        self, key: str, count: int, settle: Settle, after: Settle | None
    ) -> list[float]:
        """Post the key event, settle, paint, then ``after``: seconds per key."""
        from textual import events

        times = []
        for _ in range(count):
            start = time.perf_counter()
            event = events.Key(key, None)
            event.set_sender(self.app)
            await self.app._post_message(event)
            await settle()
            self.paint()
            if after is not None:
                await after()
            times.append(time.perf_counter() - start)
        return times

    async def drained(self, key: str, count: int) -> list[float]:
        """The queues drained with Pilot's wait, then the paint."""
        return await self.posted(key, count, self.drain, None)

    async def direct(self, key: str, count: int) -> list[float]:
        """The queues watched until the app is quiet, the paint, and quiet again (what
        the paint set off): the app's own cost per key."""
        return await self.posted(key, count, self.quiet, self.quiet)


async def _key_figures(
    app: Any, pilot: Any, presses: int, methods: Sequence[str], out: dict[str, Any]
) -> None:
    """Per method: a key bound to nothing (F9), then down and page down, ``presses`` each."""
    timer = KeyTimer(app, pilot)
    measures = {"pilot": timer.pilot_keys, "drained": timer.drained, "direct": timer.direct}
    rows = _article_list(app)
    for name in methods:
        measure = measures[name]
        await measure("f9", 20)  # warm-up
        out[f"{name}_baseline"] = median(await measure("f9", presses))  # bound to nothing
        for key in ("down", "pagedown"):
            before = rows.cursor
            times = await measure(key, presses)
            out[f"{name}_{key}"] = median(times)
            out[f"{name}_{key}_all"] = times
            out[f"{name}_{key}_moved"] = rows.cursor - before
        rows.cursor = 0
        await pilot.pause()


async def _open_figures(app: Any, pilot: Any, rowids: Sequence[int], out: dict[str, Any]) -> None:
    """Open each article in turn until it is shown (then painted): medians of both."""
    from qtreader.ui.widgets.article_view import ArticleView

    reader = app.reader
    view = reader.query_one("#view", ArticleView)
    answer = view.query_one("#answer")
    catalog = reader.catalog
    assert catalog is not None
    opens = []
    paints = []
    for rowid in rowids:
        expected = catalog.article(rowid)
        assert expected is not None
        start = time.perf_counter()
        reader.open_rowid(rowid)
        await _until_shown(app, view, answer, expected, start)
        opened = time.perf_counter()
        app.screen._on_timer_update()  # first paint of the article
        painted = time.perf_counter()
        opens.append(opened - start)
        paints.append(painted - start)
        await pilot.pause()
    out["open"] = median(opens)
    out["open_p95"] = percentile(opens, 95)
    out["open_painted"] = median(paints)
    out["open_all"] = opens
    out["open_painted_all"] = paints


async def _until_shown(app: Any, view: Any, answer: Any, expected: Any, start: float) -> None:
    """Until every worker is done and the Markdown widget's source is the answer."""
    from textual.worker import WorkerState

    while True:
        await app.workers.wait_for_complete()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
        shown = view.article
        # The view may convert math before rendering: compare with what it gave.
        source = getattr(view, "answer_text", None) or expected.answer
        if (
            not busy
            and shown is not None
            and shown.key == expected.key
            and answer.source
            and answer.source == source
        ):
            return
        if time.perf_counter() - start > 30:
            raise RuntimeError(f"article {expected.key} was not shown within 30 s")
        await asyncio.sleep(0.0005)
