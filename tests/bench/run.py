"""The benchmark's command line and its run, step by step."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __doc__ as PACKAGE_DOC
from .library import Vocabulary, prepare_library
from .measure import (
    article_figures,
    cold_index,
    list_figures,
    pick_articles,
    refresh_figures,
    search_figures,
    search_queries,
    similar_figures,
)
from .report import EXPLANATIONS, details, figures_table
from .suggest import SUGGEST_WORDS, suggest_figures
from .tools import machine_info

Log = Callable[[str], None]
UI_FAILURES = (RuntimeError, OSError, ValueError, KeyError, subprocess.TimeoutExpired)


def log(text: str) -> None:
    print(text, flush=True)


def scratch_folders() -> Path:
    """A scratch folder holding the user cache/data/config folders (``XDG_*`` point
    there), so that no real catalog, bookmark or setting is ever touched."""
    scratch = Path(tempfile.mkdtemp(prefix="qtbench-"))
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        folder = scratch / name.split("_")[1].lower()
        folder.mkdir()
        os.environ[name] = str(folder)
    os.environ.pop("QTREADER_LIBRARY", None)
    return scratch


def run(args: argparse.Namespace) -> int:
    """Measure everything in a scratch folder that is removed afterwards, whatever happens."""
    scratch = scratch_folders()
    try:
        if args.patches:
            from .patches import compare_patches

            return compare_patches(args, scratch, log)
        if args.felt:
            from .felt import run_felt

            if args.felt_cache:  # the catalog kept between runs (only the cache folder)
                args.felt_cache.mkdir(parents=True, exist_ok=True)
                os.environ["XDG_CACHE_HOME"] = str(args.felt_cache.resolve())
            return run_felt(args, scratch, log)
        if args.suggest:
            from .suggest import run_suggest

            return run_suggest(args, scratch, log)
        return _run(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run(args: argparse.Namespace, scratch: Path) -> int:
    log(f"# qtreader scale benchmark: {args.articles:,} articles\n")
    log("\n".join(machine_info()))
    log(f"- scratch (XDG dirs, catalog): {scratch}\n")
    root, fig = describe_library(args.keep, args.articles, scratch, log)
    fig.update(library_figures(root, args.repeat, fig.pop("files"), log))
    fig["launch"] = fig["ui"] = fig["felt"] = None
    if not args.skip_ui:
        fig.update(reader_figures(root, fig["rowids"], args, scratch, log))
    log("")
    log(figures_table(fig).render())
    log("")
    log(EXPLANATIONS)
    log("")
    log("\n".join(details(fig)))
    if args.json:
        args.json.write_text(json.dumps(fig, indent=1, default=str))
    return 0


def describe_library(
    keep: Path | None, n: int, scratch: Path, log: Log
) -> tuple[Path, dict[str, Any]]:
    """Step 1: the library, generated (or reused from ``keep``) and described."""
    from qtreader.library.scan import scan_library

    root, gen, reused = prepare_library(keep, n, scratch)
    entries = list(scan_library(root))
    library_bytes = sum(e.size for e in entries)
    files = [e.path for e in entries]
    if reused:
        log(f"Library: {root} (reused; generated earlier in {gen['seconds']:.1f} s)")
    else:
        log(f"Library: {root} (generated in {gen['seconds']:.1f} s, {os.cpu_count()} processes)")
    ab = gen["answer_bytes"]
    log(
        f"- {len(files):,} files, {library_bytes / 1e6:,.0f} MB; answers {ab['min']:,} / "
        f"{ab['median']:,} / {ab['p95']:,} / {ab['max']:,} bytes (min / median / p95 / max); "
        f"{gen['vocabulary']:,}-word vocabulary; {gen['links']:,} related links; "
        f"{gen['duplicate_ids']:,} duplicate ids; {gen['latex']:,} answers with LaTeX"
    )
    versioned = gen.get("versioned")
    if versioned:
        log(
            f"- {versioned['articles']:,} articles share their title with another, in "
            f"{versioned['groups']:,} groups (at most {versioned['largest']} in one)"
        )
    log("")
    return root, {"generation": gen, "library_bytes": library_bytes, "files": files}


def library_figures(root: Path, repeat: int, files: Sequence[str], log: Log) -> dict[str, Any]:
    """Step 2: the catalog's figures: cold index, refresh, search, reading an article."""
    from qtreader.library import paths

    from .measure import catalog_files

    db = paths.catalog_path(root)
    log("Cold index …")
    cold = cold_index(root, db, repeat, log)
    catalog_bytes = catalog_files(db)
    log("Refresh …")
    refresh = refresh_figures(root, repeat, files, log)
    log("Search …")
    search = search_figures(root, search_queries(Vocabulary()), runs=5, log=log)
    log("Lists …")
    lists = list_figures(root)
    log("Open …")
    rowids = pick_articles(root)
    article = article_figures(root, rowids)
    log("Similar …")
    similar = similar_figures(root)
    log("Did you mean …")
    suggest = suggest_figures(root, db, db.parent, SUGGEST_WORDS, log)
    return {
        "cold": cold,
        "catalog_bytes": catalog_bytes,
        "refresh": refresh,
        "search": search,
        "lists": lists,
        "rowids": rowids,
        "article": article,
        "similar": similar,
        "suggest": suggest,
    }


def reader_figures(
    root: Path, rowids: Sequence[int], args: argparse.Namespace, scratch: Path, log: Log
) -> dict[str, Any]:
    """Step 3: the reader's figures, each in child processes: launch, a session of
    keys and opens, then typing in the reader run in tmux (felt latency). A failure is
    reported and leaves its figures out."""
    from .ui import launch_figures, ui_figures

    out: dict[str, Any] = {}
    log("Launch …")
    try:
        out["launch"] = launch_figures(root, max(args.repeat, 5), scratch)
    except UI_FAILURES as exc:
        log(f"  launch not measured: {exc}")
    log("UI session …")
    try:
        out["ui"] = ui_figures(root, rowids, args.presses, scratch)
    except UI_FAILURES as exc:
        log(f"  UI session not measured: {exc}")
    log("Felt latency: typing in a tmux session …")
    try:
        from .felt import felt_figures

        out["felt"] = felt_figures(root, scratch, log)
    except UI_FAILURES as exc:
        log(f"  felt latency not measured: {exc}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=PACKAGE_DOC,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--articles", type=int, default=150_000, metavar="N")
    parser.add_argument("--repeat", type=int, default=3, metavar="R")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="generate/reuse the library here")
    parser.add_argument("--skip-ui", action="store_true", help="library figures only")
    parser.add_argument("--presses", type=int, default=200, help="keys per figure (200)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--patches",
        action="store_true",
        help="instead: opens and keys with all of the reader's Textual patches, none, and "
        "each left out alone (QTREADER_PLAIN_TEXTUAL), --runs times, alternating",
    )
    parser.add_argument(
        "--alone", action="store_true", help="with --patches: also each patch on its own"
    )
    parser.add_argument(
        "--interleave",
        action="store_true",
        help="with --patches: one session per run, the patches switched between blocks",
    )
    parser.add_argument("--runs", type=int, default=2, help="with --patches: runs of each (2)")
    parser.add_argument(
        "--passes", type=int, default=3, help="with --patches: times each article is opened (3)"
    )
    parser.add_argument(
        "--felt",
        action="store_true",
        help="instead: felt latency, keystroke to changed list, of the reader typed into in "
        "a tmux session (see bench/felt.py), beside the in-process search times",
    )
    parser.add_argument(
        "--felt-rounds", type=int, default=1, help="with --felt: times the queries are typed (1)"
    )
    parser.add_argument(
        "--felt-queries",
        metavar="Q,Q",
        help="with --felt: the queries typed, comma-separated (default: six, 63 keys)",
    )
    parser.add_argument(
        "--felt-cache",
        type=Path,
        metavar="DIR",
        help="with --felt: keep the catalog in DIR (XDG_CACHE_HOME) between runs",
    )
    parser.add_argument(
        "--suggest",
        action="store_true",
        help="instead: did you mean (Catalog.suggest) on a copy of the catalog given "
        "--suggest-words more words (see bench/suggest.py); --felt-cache DIR keeps the catalog",
    )
    parser.add_argument(
        "--suggest-words",
        type=int,
        default=150_000,
        metavar="W",
        help="words added to the catalog's vocabulary for the suggestion (150,000)",
    )
    parser.add_argument("--ui-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ui_child:
        from .ui import ui_child

        ui_child(*args.ui_child)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
