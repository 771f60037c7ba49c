"""Each of the reader's Textual patches, measured on and off (``python -m bench --patches``).

The rule (see qtreader/ui/textual_internals.py): a patch stays only where it saves at
least 10% of an open or of a key (down, page down) on the 150,000-article library. So
the same UI session (the library listed, keys timed "direct", then 20 articles of
~5 KB opened ``--passes`` times over) runs with every patch, with none
(``QTREADER_PLAIN_TEXTUAL=1``) and with each left out alone
(``QTREADER_PLAIN_TEXTUAL=<name>``), with ``--alone`` also each on its own,
``--runs`` times, in an order that alternates
from run to run. Each session is a fresh process on the same catalog, built once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import subprocess
from pathlib import Path
from typing import Any

from .measure import pick_articles
from .tools import child_env, machine_info, median

FIGURES = (
    ("open", "open"),
    ("open_painted", "open + paint"),
    ("direct_down", "down"),
    ("direct_pagedown", "page down"),
)


def patch_names() -> tuple[str, ...]:
    from qtreader.ui.textual_internals import PATCHES

    return tuple(PATCHES)


def configurations(alone: bool = False) -> list[tuple[str, str | None]]:
    """(label, QTREADER_PLAIN_TEXTUAL) for every session: all on, all off, each left out
    alone, and with ``alone`` each on alone (the others left out)."""
    names = patch_names()
    configs: list[tuple[str, str | None]] = [
        ("all on", None),
        ("all off", "1"),
        *((f"{name} off", name) for name in names),
    ]
    if alone and len(names) > 1:
        configs += [
            (f"{name} alone", ",".join(other for other in names if other != name)) for name in names
        ]
    return configs


def compare_patches(args: argparse.Namespace, scratch: Path, log: Any) -> int:
    from qtreader.library.catalog import Catalog

    from .run import describe_library
    from .ui import ui_figures

    log(f"# qtreader's Textual patches, on and off: {args.articles:,} articles\n")
    log("\n".join(machine_info()))
    log(f"- {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}")
    log(f"- commit {_commit()}\n")
    root, _ = describe_library(args.keep, args.articles, scratch, log)
    log("Cold index (once, for every session) …")
    catalog = Catalog(root)
    report = catalog.refresh()
    catalog.close()
    log(f"  {report.total:,} articles in {report.seconds:.1f} s")
    rowids = pick_articles(root)
    configs = configurations(args.alone)
    results: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in configs}
    for run in range(args.runs):
        if args.interleave:
            session = ui_figures(
                root,
                rowids,
                args.presses,
                scratch,
                passes=args.passes,
                env=_env(None),
                interleave=configs,
            )
            for label, figures in session["configs"].items():
                results[label].append(
                    {**figures, **{key: median(figures[f"{key}_all"]) for key, _ in FIGURES}}
                )
            log(f"  run {run + 1}: one session, the patches switched between blocks")
            continue
        order = configs if run % 2 == 0 else configs[::-1]
        for label, plain in order:
            env = _env(plain)
            ui = ui_figures(
                root,
                rowids,
                args.presses,
                scratch,
                methods=("direct",),
                passes=args.passes,
                env=env,
            )
            results[label].append(ui)
            shown = ", ".join(f"{name} {ui[key] * 1000:.1f}" for key, name in FIGURES)
            log(f"  run {run + 1}, {label}: {shown} ms")
    log("")
    log(render(results, args))
    if args.json:
        args.json.write_text(_json(results))
    return 0


def _env(plain: str | None) -> dict[str, str]:
    env = child_env()
    env.pop("QTREADER_PLAIN_TEXTUAL", None)
    if plain is not None:
        env["QTREADER_PLAIN_TEXTUAL"] = plain
    return env


async def interleaved(
    app: Any,
    pilot: Any,
    params: dict[str, Any],
    key_figures: Any,
    open_figures: Any,
    article_list: Any,
) -> dict[str, dict[str, list[float]]]:
    """In one UI session (``--interleave``): per pass, each configuration in turn
    (the order reversed every other pass) has its keys timed and the articles opened
    once; the patches are switched between blocks (:func:`switch`). Slow drifts of
    a shared machine then fall on every configuration alike."""
    from qtreader.ui.textual_internals import PLAIN_TEXTUAL, patches_left_out

    configs = [tuple(config) for config in params["interleave"]]
    keys = [f"{key}_all" for key, _ in FIGURES]
    results: dict[str, dict[str, list[float]]] = {
        label: {key: [] for key in keys} for label, _ in configs
    }
    for number in range(params["passes"]):
        for label, plain in configs if number % 2 == 0 else configs[::-1]:
            switch(patches_left_out({PLAIN_TEXTUAL: plain or ""}))
            article_list(app).focus()  # an open may have moved the focus to the article
            await pilot.pause()
            out: dict[str, Any] = {}
            await key_figures(app, pilot, params["presses"], ["direct"], out)
            await open_figures(app, pilot, params["rowids"], out)
            for key in keys:
                results[label][key].extend(out[key])
    switch(frozenset())
    return results


def switch(left_out: frozenset[str]) -> None:
    """In a running app, put every patch in place but those in ``left_out``, which are
    taken out. Each patch of ``PATCHES`` needs its way of being taken out here.

    (Measured on 2026-12-05 and removed since: ``arrange_once``, set as
    ``Widget.arrange``; ``strip_caches``, set as ``Strip.__init__`` with the strip's
    methods left wrapped, since strips made without caches were still about; and
    ``memory``, the collector's threshold at 10,000 and ``gc.freeze()``, taken out
    with ``gc.unfreeze()`` and CPython's 700.)"""
    from textual.widget import Widget

    from qtreader.ui import layout_once

    unknown = set(patch_names()) - {"layout_once"}
    if unknown:
        raise RuntimeError(f"no way to switch {sorted(unknown)} in bench/patches.py")
    size_updated = (
        layout_once.TEXTUAL_SIZE_UPDATED if "layout_once" in left_out else layout_once._size_updated
    )
    Widget._size_updated = size_updated  # type: ignore[method-assign]


def render(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> str:
    """Per configuration and figure: the median of the runs' medians (each run's median
    in brackets), and what the patches save: for "all off" and "X off", (that figure -
    the figure with all on) / that figure; for "X alone", (the figure with all off -
    that figure) / the figure with all off. Positive: the patch makes it faster."""
    on = results["all on"]
    lines = [
        f"Medians (ms) of {len(on)} runs; each run: {len(on[0]['open_all'])} opens, "
        f"{args.presses} keys of each kind. Each run's median in brackets.",
        "",
        "| configuration | " + " | ".join(name for _, name in FIGURES) + " |",
        "| --- |" + " --- |" * len(FIGURES),
    ]
    for label, runs in results.items():
        cells = []
        for key, _ in FIGURES:
            values = [r[key] * 1000 for r in runs]
            shown = ", ".join(f"{v:.1f}" for v in values)
            cell = f"{median(values):.1f} ({shown})"
            if label != "all on":
                base = results["all off"] if label.endswith(" alone") else on
                with_it, without = median([r[key] for r in base]), median([r[key] for r in runs])
                if label.endswith(" alone"):
                    with_it, without = without, with_it
                cell += f"; saves {_saved(with_it, without):+.0f}%"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Pooled: the median of every open and key of all runs (ms).", ""]
    lines += [
        "| configuration | " + " | ".join(name for _, name in FIGURES) + " |",
        "| --- |" + " --- |" * len(FIGURES),
    ]
    for label, runs in results.items():
        cells = []
        for key, _ in FIGURES:
            pooled = median([v for r in runs for v in r[f"{key}_all"]])
            cell = f"{pooled * 1000:.1f}"
            if label != "all on":
                base = results["all off"] if label.endswith(" alone") else on
                other = median([v for r in base for v in r[f"{key}_all"]])
                if label.endswith(" alone"):
                    cell += f"; saves {_saved(pooled, other):+.0f}%"
                else:
                    cell += f"; saves {_saved(other, pooled):+.0f}%"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _saved(with_it: float, without: float) -> float:
    return (without - with_it) / without * 100 if without else float("nan")


def _commit() -> str:
    """The commit measured: ``QTBENCH_COMMIT`` when the checkout is a copy without git."""
    import os

    from .tools import REPO

    if os.environ.get("QTBENCH_COMMIT"):
        return os.environ["QTBENCH_COMMIT"]
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def _json(results: dict[str, list[dict[str, Any]]]) -> str:
    import json

    return json.dumps(results, indent=1)
