"""The ``qtreader`` command: open the reader, or search, show, check and index a library."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .library import paths
from .library.catalog import Catalog, CatalogError, RefreshReport, SearchHit
from .library.export import article_markdown
from .library.state import StateStore
from .library.text import clean_line, subject_key

COMMANDS = ("search", "show", "check", "index", "bookmarks", "config")


class UserError(Exception):
    """An expected failure: printed as one line, exit status 2."""


def resolve_library(path: str | None) -> Path:
    """PATH, else $QTREADER_LIBRARY, else the settings' library, else the last library used,
    else the sample library."""
    chosen = path or os.environ.get("QTREADER_LIBRARY") or None
    if chosen is None:
        from .library.settings import load_settings

        chosen = load_settings()[0].library
    if chosen is None:
        last = StateStore().last_library()
        if last and Path(last).is_dir():
            chosen = last
    if chosen is None:
        return paths.sample_library()
    root = Path(chosen).expanduser()
    if not root.exists():
        raise UserError(f"the library folder {root} does not exist")
    if not root.is_dir():
        raise UserError(f"{root} is not a folder; give the folder that holds the articles")
    return root.resolve()


class _Progress:
    """A progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.enabled = stream.isatty()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        percent = done * 100 // total
        if percent == self.last:
            return
        self.last = percent
        filled = percent * 30 // 100
        bar = "█" * filled + "░" * (30 - filled)
        self.stream.write(f"\rReading articles {bar} {percent:3d}% ({done:,}/{total:,})")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def open_catalog(root: Path, quiet: bool = True) -> tuple[Catalog, RefreshReport]:
    try:
        catalog = Catalog(root)
        report = catalog.refresh(None if quiet else _Progress(sys.stderr))
    except CatalogError as exc:
        raise UserError(f"{exc}. Check that the cache folder is writable.") from exc
    return catalog, report


def _emphasise(hit: SearchHit, tty: bool) -> str:
    out = []
    for text, matched in hit.snippet_parts():
        if matched:
            out.append(f"\x1b[1m{text}\x1b[22m" if tty else f"*{text}*")
        else:
            out.append(text)
    return "".join(out)


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.library)
    catalog, _ = open_catalog(root)
    subject = subject_key(args.subject) if args.subject else None
    result = catalog.search(args.query, subject=subject, typing=False)
    hits = catalog.hits(result, 0, args.limit)
    if args.json:
        payload = {
            "query": args.query,
            "total": result.total,
            "hits": [
                {
                    "key": h.row.key,
                    "title": h.row.title,
                    "subject": h.row.subject,
                    "date": h.row.date,
                    "snippet": "".join(f"**{t}**" if m else t for t, m in h.snippet_parts()),
                }
                for h in hits
            ],
        }
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if not hits:
        out.write(f"No articles match {clean_line(args.query)!r}.\n")
        return 0
    tty = out.isatty()
    for n, hit in enumerate(hits, 1):
        meta = " · ".join(x for x in (hit.row.subject, hit.row.date) if x)
        out.write(f"{n:>3}. {hit.row.title}\n     {meta} · {clean_line(hit.row.key)}\n")
        if hit.snippet:
            out.write(f"     {_emphasise(hit, tty)}\n")
    shown = len(hits)
    out.write(f"\n{shown} of {result.total:,} shown.\n")
    return 0


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.library)
    catalog, _ = open_catalog(root)
    rowid = catalog.find(args.ref)
    if rowid is None:
        raise UserError(
            f"no article matches {clean_line(args.ref)!r} in {root}; "
            "give a url, an id, a file path or an exact title"
        )
    article = catalog.article(rowid)
    assert article is not None
    out.write(article_markdown(article))
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.path)
    catalog, report = open_catalog(root)
    problems = catalog.problems()
    if args.json:
        json.dump(
            {
                "library": str(root),
                "articles": report.total,
                "problems": [
                    {"path": p.path, "line": p.line, "reason": p.reason, "severity": p.severity}
                    for p in problems
                ],
            },
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
    else:
        for problem in problems:
            out.write(f"{problem.severity.value}: {clean_line(str(problem))}\n")
        skipped, warned = catalog.problem_count()
        out.write(
            f"{root}: {report.total:,} articles, {skipped} files skipped, "
            f"{warned} files with warnings.\n"
        )
    return 1 if problems else 0


def cmd_index(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.path)
    catalog, report = open_catalog(root, quiet=False)
    what = "built" if report.rebuilt else "refreshed"
    out.write(
        f"Catalog {what}: {report.total:,} articles ({report.added:,} added, "
        f"{report.changed:,} changed, {report.removed:,} removed), "
        f"{report.problems} files with problems, {report.seconds:.2f} s.\n"
    )
    out.write(f"Catalog file: {catalog.db_path}\n")
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qtreader",
        description="A terminal reader for libraries of question-and-answer articles.",
        epilog="Commands: search, show, check, index, bookmarks, config "
        "(qtreader COMMAND --help for each).",
    )
    parser.add_argument("--version", action="version", version=f"qtreader {__version__}")
    parser.add_argument("path", nargs="?", help="the library folder to open")
    return parser


def _command_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"qtreader {command}")
    lib_help = "the library folder (default: $QTREADER_LIBRARY, the last used, or the sample)"
    if command == "search":
        parser.description = "Search a library and print the best matches."
        parser.add_argument("query", nargs="*", help='words, "a phrase", subject:name, -word')
        parser.add_argument("--library", help=lib_help)
        parser.add_argument("--subject", help="only this subject")
        parser.add_argument("--limit", type=int, default=20, help="how many hits (default 20)")
        parser.add_argument("--json", action="store_true", help="print JSON")
    elif command == "show":
        parser.description = "Print one article as Markdown."
        parser.add_argument("ref", help="a url, an id, a file path or an exact title")
        parser.add_argument("--library", help=lib_help)
    elif command == "check":
        parser.description = "List the library's problems; exit 1 if there are any."
        parser.add_argument("path", nargs="?", help=lib_help)
        parser.add_argument("--json", action="store_true", help="print JSON")
    elif command == "index":
        parser.description = "Build or refresh the library's catalog."
        parser.add_argument("path", nargs="?", help=lib_help)
    elif command == "bookmarks":
        from .bookmarks_cli import add_arguments

        add_arguments(parser, lib_help)
    elif command == "config":
        parser.description = "Show the settings file."
        parser.add_argument("action", choices=["path", "show"])
    return parser


def _run_reader(path: str | None) -> int:
    root = resolve_library(path)
    try:
        from .ui.app import ReaderApp
    except ImportError as exc:  # pragma: no cover - a broken install
        raise UserError(f"the reader cannot start: {exc}") from exc
    app = ReaderApp(root)
    app.run()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    try:
        if argv and argv[0] in COMMANDS:
            command = argv[0]
            parser = _command_parser(command)
            if command == "search":
                # "-word" is search syntax, not an option: keep it in the query.
                args, extra = parser.parse_known_args(argv[1:])
                unknown = [word for word in extra if word.startswith("--")]
                if unknown:
                    parser.error(f"unrecognized arguments: {' '.join(unknown)}")
                args.query = " ".join([*args.query, *extra]).strip()
                if not args.query:
                    parser.error("give words to search for")
            else:
                args = parser.parse_args(argv[1:])
            if command == "search":
                return cmd_search(args, out)
            if command == "show":
                return cmd_show(args, out)
            if command == "check":
                return cmd_check(args, out)
            if command == "index":
                return cmd_index(args, out)
            if command == "bookmarks":
                from .bookmarks_cli import run

                return run(args, out, resolve_library)
            if command == "config":
                from .library.settings import describe_config

                return describe_config(args.action, out)
        args = _build_parser().parse_args(argv)
        return _run_reader(args.path)
    except UserError as exc:
        print(f"qtreader: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qtreader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
