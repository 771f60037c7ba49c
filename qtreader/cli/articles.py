"""The article commands: ``qtreader search``, ``show``, ``check`` and ``index``."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from ..library.catalog import Catalog, CatalogDamaged, SearchHit, SearchResult
from ..library.export import article_markdown
from ..library.models import Article
from ..library.text import clean_line, subject_key
from .common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    LIBRARY_HELP,
    UserError,
    escaped,
    on_catalog,
    open_catalog,
    positive_int,
    reference,
    resolve_library,
    say,
    shown_ref,
    text_argument,
)


def search_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Search a library and print the best matches."
    parser.add_argument("query", nargs="*", help='words, "a phrase", subject:name, -word')
    parser.add_argument("--library", help=LIBRARY_HELP)
    parser.add_argument("--subject", help="only this subject")
    parser.add_argument("--limit", type=positive_int, default=20, help="how many hits (default 20)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def parse_search(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``-word`` is search syntax, not an option: keep it in the query."""
    args, extra = parser.parse_known_args(argv)
    unknown = [word for word in extra if word.startswith("--")]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.query = " ".join([*args.query, *extra]).strip()
    if not args.query:
        parser.error("give words to search for")
    return args


def _emphasise(hit: SearchHit, tty: bool) -> str:
    out = []
    for text, matched in hit.snippet_parts():
        if matched:
            out.append(f"\x1b[1m{text}\x1b[22m" if tty else f"*{text}*")
        else:
            out.append(text)
    return "".join(out)


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    query = text_argument(args.query, "the query")
    subject = subject_key(text_argument(args.subject, "--subject")) if args.subject else None
    root = resolve_library(args.library)
    catalog, _ = open_catalog(root)

    def found() -> tuple[SearchResult, list[SearchHit]]:
        result = catalog.search(query, subject=subject, typing=False)
        return result, catalog.hits(result, 0, args.limit)

    result, hits = on_catalog(catalog, found)
    if result.query.shortened:
        say(result.query.warning)
    if args.json:
        payload = {
            "query": args.query,
            "shortened": result.query.warning or None,
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
        return EXIT_OK
    if not hits:
        out.write(f"No articles match {clean_line(args.query)!r}.\n")
        return EXIT_OK
    tty = out.isatty()
    for n, hit in enumerate(hits, 1):
        meta = " · ".join(x for x in (hit.row.subject, hit.row.date) if x)
        out.write(f"{n:>3}. {hit.row.title}\n     {meta} · {clean_line(hit.row.key)}\n")
        if hit.snippet:
            out.write(f"     {_emphasise(hit, tty)}\n")
    shown = len(hits)
    out.write(f"\n{shown} of {result.total:,} shown.\n")
    return EXIT_OK


def show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Print one article as Markdown."
    parser.add_argument("ref", help="a url, an id, a file path or an exact title")
    parser.add_argument("--library", help=LIBRARY_HELP)


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.library)
    catalog, _ = open_catalog(root)
    ref = reference(args.ref)
    article = on_catalog(catalog, lambda: _article(catalog, ref))
    if article is None:
        raise UserError(
            f"no article matches {shown_ref(args.ref)} in {root}; "
            "give a url, an id, a file path or an exact title"
        )
    out.write(article_markdown(article))
    return EXIT_OK


def _article(catalog: Catalog, ref: str) -> Article | None:
    rowid = catalog.find(ref)
    return None if rowid is None else catalog.article(rowid)


def check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "List the library's problems; exit 1 if there are any, or if the catalog was found "
        "damaged (it is rebuilt)."
    )
    parser.add_argument("path", nargs="?", help=LIBRARY_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON")


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.path)
    catalog, report = open_catalog(root)
    repaired = report.repaired
    try:
        problems = catalog.problems()
    except CatalogDamaged:  # met by the read: said, rebuilt and read again
        problems = on_catalog(catalog, catalog.problems)
        repaired = True
    if args.json:
        json.dump(
            {
                "library": str(root),
                "articles": report.total,
                "catalog_repaired": repaired,
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
            f"{escaped(root)}: {report.total:,} articles, {skipped} files skipped, "
            f"{warned} files with warnings.\n"
        )
    # A damaged catalog is a problem found, though the rebuild mended it.
    return EXIT_PROBLEMS if problems or repaired else EXIT_OK


def index_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Build or refresh the library's catalog."
    parser.add_argument("path", nargs="?", help=LIBRARY_HELP)


def cmd_index(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.path)
    catalog, report = open_catalog(root, quiet=False, strict=True)
    what = "built" if report.rebuilt else "refreshed"
    out.write(
        f"Catalog {what}: {report.total:,} articles ({report.added:,} added, "
        f"{report.changed:,} changed, {report.removed:,} removed), "
        f"{report.problems} files with problems, {report.seconds:.2f} s.\n"
    )
    out.write(f"Catalog file: {escaped(catalog.db_path)}\n")
    return EXIT_OK
