"""The benchmark's report: a Markdown table of medians against the targets."""

from __future__ import annotations

from typing import Any

from .measure import SEARCH_CAP


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _status(value: float, target: float) -> str:
    if value != value:  # NaN
        return "n/a"
    return "ok" if value <= target else "**MISSED**"


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, figure: str, shown: str, target: str, status: str) -> None:
        self.rows.append((figure, shown, target, status))

    def render(self) -> str:
        lines = ["| figure | measured | target | result |", "| --- | --- | --- | --- |"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows]
        return "\n".join(lines)


EXPLANATIONS = """\
What is measured (medians over the repeats; the page cache is warm: the library was
just written or read, as on a machine that uses it daily):
- cold index: `Catalog(root).refresh()` on an empty cache, in a fresh process (so the
  parser process pool is started as it is on first launch); includes scan, parse, insert,
  building both FTS5 indexes and the secondary indexes, resolving links, and writing the
  new catalog file out (fsync) and renaming it into place.
- refresh, nothing changed: `catalog.refresh()` on an up-to-date catalog (already open).
- refresh, 100 files changed: 100 random files get a new sentence in their answer and a
  later mtime, then `catalog.refresh()`; a different 100 each repeat.
- launch: wall time from the parent's `perf_counter()` just before spawning
  `python -c <driver>` until the driver sees `ReaderScreen.ready` and the ArticleList
  holding all rows and having painted its first page (rows fetched by `render_line`).
  The driver runs `ReaderApp(root).run_test(headless=True, size=(120, 40))`, so this
  includes interpreter start, imports (from bytecode, as pip installs it: one launch
  before the measured ones writes it), App start, `Catalog()` open and `list_rowids()`
  (in the loading worker, beside the App start) and the first paint; the refresh that
  follows at launch starts once the list is shown and is not included. The headless
  driver skips only writing escape codes to a terminal. The catalog file is in the
  (temp) user cache dir.
- search: each of 50 fixed queries (1-2 letter prefixes, words, phrases, filters,
  exclusions, punctuation) run 5 times per mode, per-query median; the table shows the
  median and p95 over the 50 queries; a query still running after 10 s is interrupted.
  `quick` = `catalog.search(q, quick=True)` (title/question/keywords), which the UI runs
  at each keystroke (80 ms after it until 2026-12-05); when the reader passes a `limit`
  to that search (`reader.QUICK_LIMIT`), "as the UI runs it" uses the same limit. `full` =
  `catalog.search(q, quick=False)`, which the UI runs after a 350 ms pause. All typing=True
  (last word a prefix). The 15 ms / 50 ms target is the per-keystroke one: it applies to
  the quick search as the UI runs it; the others are compared with it for information.
- open: `catalog.article(rowid)` alone, and the full open in a running app (Pilot):
  `app.reader.open_rowid(rowid)` until every worker is done and the Markdown widget's
  source is the answer (fetch, link resolution, Markdown parse, blocks updated or
  mounted), then also the first paint of it; 20 articles with ~5 KB answers, one after
  another in one app (as a reader goes from article to article). The history entry is
  written after the article is painted, in a thread: not counted.
- list keys (all N articles listed, the refresh at launch ended, list focused; 200
  presses, median):
  Pilot = `await pilot.press(key)` then `screen._on_timer_update()` (the compositor renders
  the dirty lines now instead of at the next 60 Hz tick). `pilot.press` waits for idle with
  20 ms sleeps (textual._wait.wait_for_idle, twice), so its figures are quantised in 20 ms
  steps: the F9 baseline (bound to nothing) is almost all sleeping and "net" is 0 or a
  multiple of ~20 ms. Drained = post the Key event to the app, drain every message queue
  of the app and screen with Pilot's `_wait_for_screen` (no sleeps), then paint; that
  wait posts a callback to each of the ~90 widgets and waits for each one, which costs
  more than the key (its F9 baseline is 10-17 ms here). Direct = post the Key event,
  watch the queues without posting anything until they stay empty for three turns of
  the event loop, paint, and watch them again until they are quiet (what the paint set
  off): what a key costs the app. The target is judged on the direct raw figure.
- felt: the reader as a user runs it (`python -m qtreader LIB`) in a tmux session of
  its own; queries typed a key at a time (`tmux send-keys`), each key from a settled
  screen; `capture-pane -p` polled without sleeping (through one control-mode client)
  until the count line or the first list rows change: the time from just before the
  key is sent. Keys that change nothing (a space) are left out; the time of the last
  change (the full-text results) is shown beside it. See bench/felt.py; `--felt` runs
  this alone, with the in-process search times of the same prefixes.
- memory: VmRSS of the app process (Pilot, headless) after load with the full list shown
  (VmHWM = its peak, which includes the refresh at start-up).
- catalog size: the .sqlite3 file + its -wal after the cold index, vs the library's bytes."""


def figures_table(fig: dict[str, Any]) -> Table:
    """Every figure measured, a row each, in the order a reader meets them."""
    table = Table()
    _library_rows(table, fig)
    _search_rows(table, fig["search"])
    if fig.get("lists"):
        _list_rows(table, fig["lists"])
    article = fig["article"]
    table.add(
        f"open an article: catalog.article() (~{article['answer_bytes'] / 1024:.1f} KB answers)",
        f"{_ms(article['median'])} (p95 {_ms(article['p95'])})",
        "≤ 150 ms",
        _status(article["median"], 0.150),
    )
    if fig.get("similar"):
        similar = fig["similar"]
        table.add(
            f"similar articles: catalog.similar() ({similar['articles']} random articles)",
            f"{_ms(similar['median'])} (p95 {_ms(similar['p95'])}, max {_ms(similar['max'])}; "
            f"asked again {_ms(similar['again_median'])}, p95 {_ms(similar['again_p95'])})",
            "≤ 30 ms",
            _status(similar["p95"], 0.030),
        )
    if fig.get("suggest"):
        from .suggest import table_rows

        for row in table_rows(fig["suggest"]):
            table.add(*row)
    if fig["ui"] is not None:
        _ui_rows(table, fig["ui"])
    if fig.get("felt") is not None:
        _felt_row(table, fig["felt"])
    db_size, wal_size = fig["catalog_bytes"]
    library_bytes = fig["library_bytes"]
    ratio = (db_size + wal_size) / library_bytes if library_bytes else float("nan")
    table.add(
        "catalog size on disk vs library",
        f"{ratio:.2f}x ({(db_size + wal_size) / 1e6:,.0f} MB db+wal vs {library_bytes / 1e6:,.0f} MB)",
        "≤ 1.5x",
        _status(ratio, 1.5),
    )
    return table


def _library_rows(table: Table, fig: dict[str, Any]) -> None:
    cold, refresh, launch = fig["cold"], fig["refresh"], fig["launch"]
    table.add(
        f"cold index of {cold['total']:,} articles",
        _s(cold["seconds"]) + f" (runs: {', '.join(f'{s:.1f}' for s in cold['runs'])})",
        "≤ 30 s",
        _status(cold["seconds"], 30),
    )
    table.add(
        "refresh, nothing changed",
        _s(refresh["unchanged"])
        + f" (after the 100-file refreshes: {_s(refresh['unchanged_after'])})",
        "≤ 1.5 s",
        _status(refresh["unchanged"], 1.5),
    )
    table.add(
        "refresh, 100 files changed",
        _s(refresh["changed"]),
        "≤ 2 s",
        _status(refresh["changed"], 2),
    )
    if launch is not None:
        table.add(
            "launch to first usable screen (catalog up to date)",
            f"{_s(launch['rows_shown'])} (python up {_s(launch['python_started'])}, imports done "
            f"{_s(launch['imported'])}, app running {_s(launch['app_running'])}, ready "
            f"{_s(launch['ready'])}; {launch['rows']:,} rows)",
            "≤ 1.0 s",
            _status(launch["rows_shown"], 1.0),
        )


def _list_rows(table: Table, lists: dict[str, Any]) -> None:
    for name, figure in lists.items():
        if name == "subject":
            continue
        if name == "groups read":
            table.add(
                "the articles with versions read again (first grouped list after a write)",
                f"{_ms(figure['median'])} ({figure['rows']:,} articles)",
                "—",
                "info",
            )
            continue
        scope = "every article" if name.startswith("all") else f"subject {lists['subject']}"
        how = name.split(" ", 1)[1].replace("grouped", "(a question once)")
        table.add(
            f"list {scope}, {how}",
            f"{_ms(figure['median'])} ({figure['rows']:,} rows)",
            "—",
            "info",
        )


def _search_rows(table: Table, search: dict[str, Any]) -> None:
    target_mode = "quick-ui" if "quick-ui" in search else "quick"
    labels = {
        "quick-ui": f"per keystroke as the UI runs it (quick, limit={search.get('quick-ui', {}).get('limit')})",
        "quick-ui grouped": f"per keystroke as the UI runs it, a question once (quick, limit={search.get('quick-ui', {}).get('limit')}, group)",
        "quick": "quick (titles/questions/keywords), no limit",
        "full": "full text (after a pause)",
        "full grouped": "full text, a question once (group)",
    }
    for mode in ("quick-ui", "quick-ui grouped", "quick", "full", "full grouped"):
        if mode not in search:
            continue
        label = labels[mode]
        s = search[mode]
        info = (
            ""
            if mode in (target_mode, "quick-ui grouped")
            else " (info: target is for the per-keystroke search)"
        )
        table.add(
            f"search {label}, median of 50 queries",
            _ms(s["median"]),
            "≤ 15 ms" + info,
            _status(s["median"], 0.015),
        )
        table.add(
            f"search {label}, p95 of 50 queries",
            ("≥ " if s["interrupted"] else "")
            + f"{_ms(s['p95'])} (max {_ms(s['max'])}: `{s['slowest'][0][1]}`"
            + (
                f"; {s['interrupted']} queries interrupted at {SEARCH_CAP:.0f} s, counted as "
                f"{SEARCH_CAP:.0f} s)"
                if s["interrupted"]
                else ")"
            ),
            "≤ 50 ms" + info,
            _status(s["p95"], 0.050),
        )


def _ui_rows(table: Table, ui: dict[str, Any]) -> None:
    table.add(
        "open an article in the app (fetch + links + Markdown shown)",
        f"{_ms(ui['open'])} (p95 {_ms(ui['open_p95'])}; with first paint {_ms(ui['open_painted'])})",
        "≤ 150 ms",
        _status(ui["open_painted"], 0.150),
    )
    for key, label in (("down", "move selection (down)"), ("pagedown", "page down")):
        raw, base = ui[f"pilot_{key}"], ui["pilot_baseline"]
        d_raw, d_base = ui[f"direct_{key}"], ui["direct_baseline"]
        w_raw, w_base = ui.get(f"drained_{key}", 0.0), ui.get("drained_baseline", 0.0)
        table.add(
            f"{label}, per key, {ui['listed']:,} listed",
            f"direct {_ms(d_raw)} (F9, bound to nothing: {_ms(d_base)}); drained by "
            f"Pilot's wait {_ms(w_raw)} ({_ms(w_raw - w_base)} net of {_ms(w_base)}); "
            f"Pilot {_ms(raw)} raw, {_ms(raw - base)} net of its {_ms(base)} baseline "
            f"(moved {ui[f'direct_{key}_moved']:,} / {ui[f'pilot_{key}_moved']:,} rows)",
            "≤ 16 ms (direct)",
            _status(d_raw, 0.016),
        )
    table.add(
        f"memory (RSS) of the reader, {ui['listed']:,} listed",
        f"{ui['rss_loaded']:.0f} MB after load (peak {ui['hwm_loaded']:.0f} MB; "
        f"{ui['rss_after_opens']:.0f} MB after scrolling and 20 opens)",
        "≤ 250 MB",
        _status(ui["rss_loaded"], 250),
    )


def _felt_row(table: Table, felt: dict[str, Any]) -> None:
    width, height = felt["size"]
    listed, last = felt["list"], felt["last"]
    table.add(
        f"felt: keystroke to changed list, tmux {width}x{height} (outside the process)",
        f"{_ms(listed['median'])} (p95 {_ms(listed['p95'])}; {felt['samples']} keys, "
        f"{felt['unchanged']} unchanged left out; full-text results at "
        f"{_ms(last['median'])}, p95 {_ms(last['p95'])}; polled every "
        f"{_ms(felt['poll_interval'])})",
        "≤ 30 ms (p95 ≤ 60 ms)",
        "ok" if listed["median"] <= 0.030 and listed["p95"] <= 0.060 else "**MISSED**",
    )


def details(fig: dict[str, Any]) -> list[str]:
    """What follows the table: the cold index's memory, the slowest searches."""
    cold, refresh, search = fig["cold"], fig["refresh"], fig["search"]
    lines = [
        f"Cold index peak RSS (the indexing process): {cold['maxrss_mb']:.0f} MB",
        f"Catalog() open: {_ms(refresh['open'])}; problems reported: {cold['problems']:,}",
    ]
    for mode in search:
        slow = ", ".join(
            f"`{q}` {_ms(t)} ({f'{hits:,} hits' if hits >= 0 else 'interrupted'})"
            for t, q, hits in search[mode]["slowest"]
        )
        lines.append(f"Slowest {mode} searches: {slow}")
    return lines
