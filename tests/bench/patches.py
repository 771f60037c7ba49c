"""Each of the reader's Textual patches, measured on and off (``python -m bench --patches``).

The rule (see qtreader/ui/textual_internals.py): a patch stays only where it saves at
least 10% of an open or of a key (down, page down) on the 150,000-article library. So
the same UI session (the library listed, keys timed "direct", then 20 articles of
~5 KB opened ``--passes`` times over) runs with every patch, with none
(``QTREADER_PLAIN_TEXTUAL=1``) and with each left out alone
(``QTREADER_PLAIN_TEXTUAL=<name>``), ``--runs`` times, in an order that alternates
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


def configurations() -> list[tuple[str, str | None]]:
    """(label, QTREADER_PLAIN_TEXTUAL) for every session: all on, all off, each off."""
    return [
        ("all on", None),
        ("all off", "1"),
        *((f"{name} off", name) for name in patch_names()),
    ]


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
    configs = configurations()
    results: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in configs}
    for run in range(args.runs):
        order = configs if run % 2 == 0 else configs[::-1]
        for label, plain in order:
            env = child_env()
            env.pop("QTREADER_PLAIN_TEXTUAL", None)
            if plain is not None:
                env["QTREADER_PLAIN_TEXTUAL"] = plain
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


def render(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> str:
    """Medians per configuration (each run's median, then their median), and what each
    patch saves: (figure with it left out - figure with all on) / figure left out."""
    on = results["all on"]
    lines = [
        f"Medians (ms) of {args.runs} runs; each run: {len(on[0]['open_all'])} opens, "
        f"{args.presses} keys of each kind. Runs in brackets.",
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
                saved = _saved(median([r[key] for r in on]), median([r[key] for r in runs]))
                cell += f", saves {saved:+.0f}%"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _saved(with_it: float, without: float) -> float:
    return (without - with_it) / without * 100 if without else float("nan")


def _commit() -> str:
    from .tools import REPO

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
