"""The article commands: ``qtreader search``, ``show``, ``check`` and ``index``."""

from __future__ import annotations

import argparse
import json
import sys
from array import array
from dataclasses import replace
from typing import Any, TextIO

from ..library.bookmarks import BookmarkStore
from ..library.catalog import Catalog, CatalogDamaged, SearchHit, SearchResult
from ..library.export import article_markdown
from ..library.models import Article, RelatedLink
from ..library.settings import load_settings
from ..library.text import clean_line, counted, subject_key
from .common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USER_ERROR,
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

SORTS = ("relevance", "newest", "title")  # as Catalog.search takes them


def search_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Search a library and print the best matches."
    parser.add_argument("query", nargs="*", help='words, "a phrase", subject:name, -word')
    parser.add_argument("--library", help=LIBRARY_HELP)
    parser.add_argument(
        "--subject", help="only the subjects whose name starts with this, as subject:name"
    )
    parser.add_argument("--limit", type=positive_int, default=20, help="how many hits (default 20)")
    parser.add_argument(
        "--sort",
        choices=SORTS,
        default="relevance",
        help="relevance (best first; the default), newest (by date) or title",
    )
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
    given = text_argument(args.subject, "--subject") if args.subject else ""
    root = resolve_library(args.library, "searching")
    catalog, _ = open_catalog(root)
    keys = on_catalog(catalog, lambda: _subjects_starting(catalog, given)) if given else None
    if keys == []:
        say(f"no subject's name starts with {shown_ref(given)}")

    def found() -> tuple[SearchResult, list[SearchHit]]:
        if keys is None or len(keys) == 1:
            subject = keys[0] if keys else None
            result = catalog.search(query, subject=subject, typing=False, sort=args.sort)
        elif not keys:  # no such subject: a search that finds nothing, as subject:x does
            result = catalog.search(query, subject=subject_key(given), typing=False)
        else:
            result = catalog.search(query, typing=False, sort=args.sort)
            result = _within(catalog, result, keys)
        return result, catalog.hits(result, 0, args.limit)

    result, hits = on_catalog(catalog, found)
    suggestion = None
    if not result.total and keys != []:  # "did you mean" (not when no subject is named)
        suggestion = on_catalog(catalog, lambda: catalog.suggest(query))
    if result.query.shortened:
        say(result.query.warning)
    if args.json:
        payload = {
            "query": args.query,
            "shortened": result.query.warning or None,
            "sort": args.sort,
            "total": result.total,
            "suggestion": suggestion,
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
        if suggestion:
            out.write(f"did you mean: {clean_line(suggestion)}?\n")
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


def _subjects_starting(catalog: Catalog, given: str) -> list[str] | None:
    """The keys of the subjects whose name starts with ``given`` (in any case), as
    ``subject:`` in a query takes it; None when ``given`` holds no letter to go by."""
    prefix = subject_key(given)
    if not prefix:
        return None
    return [s.key for s in catalog.subjects(include_stubs=True) if s.key.startswith(prefix)]


def _within(catalog: Catalog, result: SearchResult, keys: list[str]) -> SearchResult:
    """``result`` narrowed to the articles of these subjects, its order kept. (The
    catalog's ``subject`` takes one subject; the query's own ``subject:`` filters are
    applied by the search and stay, so both must hold.)"""
    allowed: set[int] = set()
    for key in keys:
        allowed.update(catalog.list_rowids(key))
    kept = array(result.rowids.typecode, (r for r in result.rowids if r in allowed))
    return replace(result, rowids=kept)


def show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Show one article: in a terminal rendered as the reader shows it (paged by $PAGER, "
        "else less, when longer than the screen), else as Markdown. A REF that names "
        "several articles (an id shared by copies, a title) lists them and exits 2."
    )
    parser.add_argument("ref", help="a url, an id, a file path or an exact title")
    parser.add_argument("--library", help=LIBRARY_HELP)
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--markdown", action="store_true", help="print Markdown, even in a terminal")
    form.add_argument("--json", action="store_true", help="print JSON")


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.library, "reading")
    catalog, _ = open_catalog(root)
    ref = reference(args.ref)
    found = on_catalog(catalog, lambda: _articles(catalog, ref))
    if not found:
        raise UserError(
            f"no article matches {shown_ref(args.ref)} in {root}; "
            "give a url, an id, a file path or an exact title"
        )
    if len(found) > 1:
        _list_candidates(args, found, out)
        return EXIT_USER_ERROR
    article = found[0]
    bookmarked, note = _bookmark(str(root), article)
    if args.json:
        data = _article_json(article)
        data.update(bookmarked=bookmarked, note=note or None)
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.markdown or not out.isatty():
        out.write(_marked_markdown(article, bookmarked, note))
    else:
        from .render import show_article  # Rich's Markdown: 80 ms to import, only here

        links = on_catalog(catalog, lambda: catalog.answer_links(article))
        width = load_settings()[0].column_width
        show_article(article, links, out, width, bookmarked=bookmarked, note=note)
    return EXIT_OK


def _articles(catalog: Catalog, ref: str) -> list[Article]:
    """Every article ``ref`` names (see ``Catalog.find_all``: copies under two subjects
    share an id, articles share titles, a path names one file), in path order; a stub
    is left out when a real article is among them."""
    found = [a for a in map(catalog.article, catalog.find_all(ref)) if a is not None]
    if not all(a.is_stub for a in found):  # as find prefers an article to a stub of it
        found = [a for a in found if not a.is_stub]
    return sorted(found, key=lambda a: a.path)


def _bookmark(library: str, article: Article) -> tuple[bool, str]:
    """Whether the user bookmarked ``article`` in ``library``, and the bookmark's note,
    as the reader shows them (by the article's key). A bookmarks file that cannot be
    read is said, and counts as no bookmark."""
    store = BookmarkStore()
    try:
        mark = store.get(library, article.key)
    except OSError as exc:
        say(f"cannot read the bookmarks file {store.file.path}: {exc.strerror or exc}")
        mark = None
    for message in store.take_messages():
        say(message)
    return (True, mark.note) if mark is not None else (False, "")


def _marked_markdown(article: Article, bookmarked: bool, note: str) -> str:
    """The article's Markdown with its bookmark as the reader shows it: a star before
    the title, the note under the metadata line."""
    text = article_markdown(article)
    if not bookmarked:
        return text
    lines = text.split("\n")  # the title, a blank, the metadata (or a blank), a blank
    lines[0] = f"# ★ {article.title}"
    if note:
        lines[4:4] = [f"**Note:** {note}", ""]
    return "\n".join(lines)


def _list_candidates(args: argparse.Namespace, found: list[Article], out: TextIO) -> None:
    """The articles a REF names, to choose from: on stderr (stdout stays empty), or as
    JSON on stdout with ``--json``."""
    say(
        f"{shown_ref(args.ref)} matches {counted(len(found), 'article')}; "
        f"show one by its url or path{'' if args.json else ':'}"
    )
    urls = [a.url for a in found]
    if args.json:
        payload = {
            "ref": args.ref,
            "candidates": [
                {k: getattr(a, k) for k in ("title", "subject", "date", "url", "path", "key", "id")}
                for a in found
            ],
        }
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    for a in found:
        where = a.url if a.url and urls.count(a.url) == 1 else a.path
        meta = " · ".join(clean_line(x) for x in (a.title, a.subject, a.date, where) if x)
        print(f"  {escaped(meta)}", file=sys.stderr)


def _article_json(article: Article) -> dict[str, Any]:
    """The whole article, its related links and backlinks with whether each resolves."""
    fields = (
        "key", "path", "id", "title", "question", "subject", "date", "date_sort", "author",
        "url", "kind", "is_stub", "unreachable", "keywords", "answer",
    )  # fmt: skip
    data: dict[str, Any] = {name: getattr(article, name) for name in fields}
    data["links"] = [_link_json(link) for link in article.links]
    data["backlinks"] = [_link_json(link) for link in article.backlinks]
    return data


def _link_json(link: RelatedLink) -> dict[str, Any]:
    return {
        "position": link.position,
        "id": link.id,
        "title": link.title,
        "subject": link.subject,
        "url": link.url,
        "key": link.target_key,
        "status": link.status.value,
    }


def check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "List the library's problems; exit 1 if there are any, or if the catalog was found "
        "damaged (it is rebuilt)."
    )
    parser.add_argument("path", nargs="?", help=LIBRARY_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON")


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.path, "checking", "its folder")
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
            f"{escaped(root)}: {counted(report.total, 'article')}, "
            f"{counted(skipped, 'file')} skipped, {counted(warned, 'file')} with warnings.\n"
        )
    # A damaged catalog is a problem found, though the rebuild mended it.
    return EXIT_PROBLEMS if problems or repaired else EXIT_OK


def index_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Build or refresh the library's catalog."
    parser.add_argument("path", nargs="?", help=LIBRARY_HELP)


def cmd_index(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.path, "indexing", "its folder")
    catalog, report = open_catalog(root, quiet=False, strict=True)
    what = "built" if report.rebuilt else "refreshed"
    out.write(
        f"Catalog {what}: {counted(report.total, 'article')} ({report.added:,} added, "
        f"{report.changed:,} changed, {report.removed:,} removed), "
        f"{counted(report.problems, 'file')} with problems, {report.seconds:.2f} s.\n"
    )
    out.write(f"Catalog file: {escaped(catalog.db_path)}\n")
    return EXIT_OK
