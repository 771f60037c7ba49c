"""``qtreader bookmarks ...``: list, add, remove, export and import bookmarks."""

from __future__ import annotations

import argparse
import json
import os
import stat
from collections.abc import Callable
from dataclasses import asdict
from typing import TextIO

from ..library.bookmarks import Bookmark, BookmarkStore, StoreReadOnly, resolve_entry
from ..library.catalog import Catalog
from ..library.models import Article
from ..library.text import counted
from .common import (
    EXIT_OK,
    LIBRARY_HELP,
    UserError,
    escaped,
    on_catalog,
    open_catalog,
    reference,
    resolve_library,
    say,
    shown_ref,
    text_argument,
)

# An export of 10,000 bookmarks is ~5 MB; a file much larger is not one (/dev/zero
# was read until memory ran out).
IMPORT_MAX_BYTES = 64 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "List, add, remove, export and import bookmarks."
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("list", help="list the bookmarks of the library")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--library", help=LIBRARY_HELP)
    p = sub.add_parser("add", help="bookmark an article (url, id, path or title)")
    p.add_argument("ref")
    p.add_argument("--note", default="", help="a note to keep with it")
    p.add_argument("--library", help=LIBRARY_HELP)
    p = sub.add_parser("remove", help="remove a bookmark (url, id, path or title)")
    p.add_argument("ref")
    p.add_argument("--library", help=LIBRARY_HELP)
    p = sub.add_parser("export", help="print all bookmarks")
    p.add_argument("--format", choices=["md", "json"], default="md")
    p = sub.add_parser("import", help="merge bookmarks from a JSON export")
    p.add_argument("file")


def run(args: argparse.Namespace, out: TextIO) -> int:
    store = BookmarkStore()
    try:
        action = ACTIONS.get(args.action)
        if action is None:
            raise UserError(f"unknown action {args.action}")
        return action(args, out, store)
    except StoreReadOnly as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot write the bookmarks file {store.file.path}: {exc}") from exc
    finally:
        for message in store.take_messages():
            say(message)


def _export_json(items: list[Bookmark]) -> str:
    return json.dumps({"bookmarks": [asdict(b) for b in items]}, ensure_ascii=False, indent=2)


def _export_md(items: list[Bookmark]) -> str:
    lines = ["# Bookmarks", ""]
    for library in sorted({b.library for b in items}):
        lines += [f"Library: `{escaped(library)}`", ""]
        by_subject: dict[str, list[Bookmark]] = {}
        for b in items:
            if b.library == library:
                by_subject.setdefault(b.subject or "Unsorted", []).append(b)
        for subject in sorted(by_subject, key=str.casefold):
            lines += [f"## {subject}", ""]
            for b in sorted(by_subject[subject], key=lambda b: b.title.casefold()):
                where = f" — {b.url}" if b.url else ""
                note = f" ({b.note})" if b.note else ""
                lines.append(f"- {b.title}{where}{note}")
            lines.append("")
    return "\n".join(lines)


def _article(catalog: Catalog, ref: str) -> Article | None:
    """The article ``ref`` names (a url, an id, a path or a title), or None."""

    def read() -> Article | None:
        rowid = catalog.find(reference(ref))
        return None if rowid is None else catalog.article(rowid)

    return on_catalog(catalog, read)


def _no_article(ref: str, where: object, what: str = "article") -> UserError:
    return UserError(f"no {what} matches {shown_ref(ref)} in {escaped(where)}")


def _export(args: argparse.Namespace, out: TextIO, store: BookmarkStore) -> int:
    items = store.all()
    out.write((_export_json(items) if args.format == "json" else _export_md(items)) + "\n")
    return EXIT_OK


def _read_export(name: str) -> str:
    """The text of the export file ``name``: a regular file of at most IMPORT_MAX_BYTES.
    Opened without waiting (a FIFO would block the open), then looked at."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise UserError(f"cannot read {escaped(name)}: {exc.strerror or exc}") from exc
    with open(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{escaped(name)} is not a file; give a bookmarks export (JSON)")
        data = handle.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise UserError(
            f"{escaped(name)} is larger than {IMPORT_MAX_BYTES // 2**20} MB: "
            "not a qtreader bookmarks export"
        )
    return data.decode("utf-8")


def _import(args: argparse.Namespace, out: TextIO, store: BookmarkStore) -> int:
    try:
        data = json.loads(_read_export(args.file))
        raw = data["bookmarks"] if isinstance(data, dict) else data
        items = [b for b in (Bookmark.from_dict(i) for i in raw if isinstance(i, dict)) if b]
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UserError(f"{escaped(args.file)} is not a qtreader bookmarks export: {exc}") from exc
    added = store.merge(items)
    there = len(items) - added
    were = "was" if there == 1 else "were"
    out.write(f"Imported {counted(added, 'new bookmark')} ({there:,} {were} already there).\n")
    return EXIT_OK


def _list(args: argparse.Namespace, out: TextIO, store: BookmarkStore) -> int:
    root = resolve_library(args.library, "reading")
    library = str(root)
    catalog, _ = open_catalog(root)
    items = store.all(library)
    found = [resolve_entry(catalog, b.key, b.url, b.id, b.title) is not None for b in items]
    if args.json:
        payload = [asdict(b) | {"missing": not ok} for b, ok in zip(items, found, strict=True)]
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if not items:
        out.write(f"No bookmarks in {escaped(library)}.\n")
    for b, ok in zip(items, found, strict=True):
        flag = "" if ok else "  [missing from the library]"
        note = f"\n      note: {b.note}" if b.note else ""
        out.write(f"- {b.title}  ({b.subject}, added {b.added[:10]}){flag}\n      {b.key}{note}\n")
    return EXIT_OK


def _add(args: argparse.Namespace, out: TextIO, store: BookmarkStore) -> int:
    note = text_argument(args.note, "--note")
    root = resolve_library(args.library, "reading")
    catalog, _ = open_catalog(root)
    article = _article(catalog, args.ref)
    if article is None:
        raise _no_article(args.ref, catalog.root)
    store.add_article(str(root), article, note=note)
    out.write(f"Bookmarked: {article.title}\n")
    return EXIT_OK


def _remove(args: argparse.Namespace, out: TextIO, store: BookmarkStore) -> int:
    root = resolve_library(args.library, "reading")
    library = str(root)
    catalog, _ = open_catalog(root)
    article = _article(catalog, args.ref)
    key = reference(args.ref) if article is None else article.key
    removed = store.remove(library, key)
    if removed is None:
        raise _no_article(args.ref, library, "bookmark")
    out.write(f"Removed bookmark: {removed.title}\n")
    return EXIT_OK


Action = Callable[[argparse.Namespace, TextIO, BookmarkStore], int]

# ``qtreader bookmarks ACTION``: the action's name → what it does.
ACTIONS: dict[str, Action] = {
    "list": _list,
    "add": _add,
    "remove": _remove,
    "export": _export,
    "import": _import,
}
