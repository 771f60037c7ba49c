"""``qtreader progress`` (read marks: read / total per subject, export, import) and
``qtreader review`` (what is due for review, and what to study).

Read marks have their own export and import, not the bookmarks': they are kept per
library, and an import lands in the library named here (the folder's path differs from
one machine to the next, where a bookmark keeps the path it was made under); and
150,000 marks would swell the bookmarks' Markdown export.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import stat
from typing import TYPE_CHECKING, Protocol, TextIO

from ..library.bookmarks import BookmarkStore
from ..library.catalog import Catalog
from ..library.settings import load_settings
from ..library.store import StoreReadOnly
from ..library.text import counted, subject_key
from .common import (
    EXIT_OK,
    LIBRARY_HELP,
    UserError,
    escaped,
    on_catalog,
    open_catalog,
    resolve_library,
    say,
    shown_ref,
    text_argument,
)

if TYPE_CHECKING:
    from ..library.progress import ProgressStore, ReadMark
    from ..library.review import Study

EXPORT_KIND = "qtreader-progress"
# An export of 150,000 marks is ~40 MB; a file much larger is not one.
IMPORT_MAX_BYTES = 256 * 1024 * 1024


def progress_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Reading progress: how many articles are read, per subject and for the library. "
        "--export prints the read marks as JSON; --import merges such a file into this "
        "library's (to move progress between machines)."
    )
    parser.add_argument("path", nargs="?", help=LIBRARY_HELP)
    parser.add_argument("--subject", help="only the subjects whose name starts with this")
    parser.add_argument("--json", action="store_true", help="print JSON")
    moving = parser.add_mutually_exclusive_group()
    moving.add_argument("--export", action="store_true", help="print the read marks as JSON")
    moving.add_argument("--import", dest="import_file", metavar="FILE",
                        help="merge the read marks of an export into this library's")  # fmt: skip


def _subjects_starting(catalog: Catalog, given: str, include_stubs: bool) -> set[str]:
    """The keys of the subjects whose name starts with ``given`` (as ``--subject`` of
    search takes it); a UserError when there are none."""
    prefix = subject_key(text_argument(given, "--subject"))
    keys = {
        s.key
        for s in on_catalog(catalog, lambda: catalog.subjects(include_stubs))
        if prefix and s.key.startswith(prefix)
    }
    if not keys:
        raise UserError(f"no subject's name starts with {shown_ref(given)}")
    return keys


class _Telling(Protocol):
    def take_messages(self) -> list[str]: ...


def _told(store: _Telling) -> None:
    for message in store.take_messages():
        say(message)


def cmd_progress(args: argparse.Namespace, out: TextIO) -> int:
    # Imported here, as the review's: every qtreader command (the reader's launch too)
    # imports this module, and needs neither.
    from ..library.progress import ProgressStore

    root = resolve_library(args.path, "reading", "its folder")
    store = ProgressStore(root)
    try:
        if args.export:
            return _export(root, store, out)
        catalog, _ = open_catalog(root)
        if args.import_file:
            return _import(args.import_file, catalog, store, out)
        return _progress(args, catalog, store, out)
    except StoreReadOnly as exc:
        store.take_messages()  # the error says it: once
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot write the progress file {store.path}: {exc}") from exc
    finally:
        _told(store)


def _progress(args: argparse.Namespace, catalog: Catalog, store: ProgressStore, out: TextIO) -> int:
    from ..library.progress import resolve_marks

    include_stubs = load_settings()[0].show_stubs
    wanted = _subjects_starting(catalog, args.subject, include_stubs) if args.subject else None
    marks = store.load()
    resolved = on_catalog(catalog, lambda: resolve_marks(catalog, marks))
    subjects = on_catalog(catalog, lambda: catalog.subjects(include_stubs))
    progress = resolved.progress(subjects, include_stubs)
    shown = [s for s in progress.subjects if wanted is None or s.key in wanted]
    if args.json:
        payload = {
            "library": str(catalog.root),
            "read": progress.read,
            "total": progress.total,
            "subjects": [
                {"key": s.key, "name": s.name, "read": s.read, "total": s.total} for s in shown
            ],
            "marks": len(marks),
            "missing": resolved.missing,
        }
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    rows = [(escaped(s.name), s.read, s.total) for s in shown]
    rows.append(("Library", progress.read, progress.total))
    width = max(len(name) for name, _, _ in rows)
    digits = max(len(f"{total:,}") for _, _, total in rows)
    for n, (name, read, total) in enumerate(rows):
        if n == len(rows) - 1:
            out.write("\n")
        share = f"  {read * 100 // total:3d}%" if total else ""
        out.write(f"{name:<{width}}  {read:>{digits},} / {total:>{digits},}{share}\n")
    if resolved.missing:
        out.write(
            f"\n{counted(resolved.missing, 'read mark')} of articles no longer in the "
            "library (kept, in case they come back).\n"
        )
    return EXIT_OK


def _export(root: object, store: ProgressStore, out: TextIO) -> int:
    marks = store.load()
    payload = {
        "qtreader": EXPORT_KIND,
        "version": 1,
        "library": str(root),
        "marks": [
            {
                "key": m.key,
                "url": m.url,
                "id": m.id,
                "title": m.title,
                "read": m.read_at.isoformat(timespec="seconds"),
            }
            for m in sorted(marks, key=lambda m: (m.read, m.key))
        ],
    }
    json.dump(payload, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return EXIT_OK


def _read_file(name: str) -> bytes:
    """The bytes of ``name``: a regular file of at most IMPORT_MAX_BYTES, opened without
    waiting (a FIFO would block the open) and looked at before it is read."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise UserError(f"cannot read {escaped(name)}: {exc.strerror or exc}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # (open() of a folder's fd raises)
            raise UserError(f"{escaped(name)} is not a file; give a progress export (JSON)")
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(IMPORT_MAX_BYTES + 1)
    except OSError as exc:
        raise UserError(f"cannot read {escaped(name)}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(data) > IMPORT_MAX_BYTES:
        raise UserError(
            f"{escaped(name)} is larger than {IMPORT_MAX_BYTES // 2**20} MB: "
            "not a qtreader progress export"
        )
    return data


def _imported_mark(item: object) -> ReadMark | None:
    from ..library.progress import ReadMark

    if not isinstance(item, dict):
        return None
    key = item.get("key")
    if not isinstance(key, str) or not key:
        return None
    texts = [item.get(name) for name in ("url", "id", "title")]
    url, id_, title = (t if isinstance(t, str) else "" for t in texts)
    read = item.get("read")
    when = 0
    if isinstance(read, str):
        try:
            stamp = dt.datetime.fromisoformat(read)
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=dt.UTC)
            when = int(stamp.timestamp())
        except (ValueError, OverflowError, OSError):
            when = 0
    elif isinstance(read, int) and not isinstance(read, bool):
        when = read
    return ReadMark(key, url or key, id_, title, when)


def _import(name: str, catalog: Catalog, store: ProgressStore, out: TextIO) -> int:
    try:
        data = json.loads(_read_file(name).decode("utf-8"))
        if not isinstance(data, dict) or data.get("qtreader") != EXPORT_KIND:
            raise ValueError('it is not one (no "qtreader": "qtreader-progress")')
        raw = data["marks"]
        if not isinstance(raw, list):
            raise ValueError("its marks are not a list")
    except (ValueError, KeyError, UnicodeDecodeError, RecursionError) as exc:
        raise UserError(f"{escaped(name)} is not a qtreader progress export: {exc}") from exc
    from ..library.progress import resolve_marks

    marks = [m for m in (_imported_mark(i) for i in raw) if m is not None]
    added = store.merge(marks)
    there = len(marks) - added
    were = "was" if there == 1 else "were"
    out.write(f"Imported {counted(added, 'new read mark')} ({there:,} {were} already there).\n")
    missing = on_catalog(catalog, lambda: resolve_marks(catalog, store.load())).missing
    if missing:
        are = "is" if missing == 1 else "are"
        where = escaped(catalog.root)
        out.write(f"{counted(missing, 'read mark')} {are} of articles not in {where}.\n")
    return EXIT_OK


# -- review ------------------------------------------------------------------------------


def review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "What is due for review today (title, subject, due time), then the new questions "
        "of what you chose to study. --study chooses it: 'bookmarks', the start of a "
        "subject's name (again for several), or 'none'."
    )
    parser.add_argument("path", nargs="?", help=LIBRARY_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--study", action="append", metavar="WHAT",
                        help="study your bookmarks, a subject (its name's start) or none")  # fmt: skip


def cmd_review(args: argparse.Namespace, out: TextIO) -> int:
    # Imported here: the scheduler is needed by this command alone.
    from ..library.review import ReviewStore, end_of_day, review_queue

    root = resolve_library(args.path, "reading", "its folder")
    store = ReviewStore(root)
    bookmarks = BookmarkStore()
    try:
        catalog, _ = open_catalog(root)
        include_stubs = load_settings()[0].show_stubs
        if args.study:
            store.set_study(_chosen(args.study, catalog, include_stubs))
        now = dt.datetime.now().astimezone()
        marked = bookmarks.all(str(root)) if store.study().bookmarks else []
        queue = on_catalog(
            catalog,
            lambda: review_queue(
                store,
                catalog,
                now,
                until=end_of_day(now),
                bookmarks=marked,
                include_stubs=include_stubs,
            ),
        )
        names = {s.key: s.name for s in on_catalog(catalog, lambda: catalog.subjects(True))}
    except StoreReadOnly as exc:
        store.take_messages()  # the error says it: once
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot write the review file {store.path}: {exc}") from exc
    finally:
        _told(store)
        _told(bookmarks)
    studied = (["bookmarks"] if queue.study.bookmarks else []) + [
        names.get(key, key) for key in queue.study.subjects
    ]

    def when(due: dt.datetime) -> str:
        return due.astimezone(now.tzinfo).isoformat(timespec="seconds")

    if args.json:
        payload = {
            "library": str(root),
            "now": now.isoformat(timespec="seconds"),
            "study": {"bookmarks": queue.study.bookmarks, "subjects": list(queue.study.subjects)},
            "due": [
                {
                    "key": d.key,
                    "title": d.title,
                    "subject": d.subject,
                    "due": when(d.due) if d.due else None,
                    "state": d.card.state.name.lower() if d.card else "new",
                    "in_library": d.rowid is not None,
                }
                for d in queue.due
            ],
            "new": [{"key": d.key, "title": d.title, "subject": d.subject} for d in queue.new],
            "next_due": when(queue.next_due) if queue.next_due else None,
        }
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    now_count = sum(1 for d in queue.due if d.due is not None and d.due <= now)
    out.write(f"Due today: {len(queue.due):,} ({now_count:,} now)\n")
    for d in queue.due:
        at = (
            "now"
            if d.due is None or d.due <= now
            else d.due.astimezone(now.tzinfo).strftime("%H:%M")
        )
        gone = "" if d.rowid is not None else "  [not in the library]"
        out.write(f"  {at:>5}  {escaped(d.title)}  ({escaped(d.subject)}){gone}\n")
    if studied:
        out.write(f"\nNew today, from {escaped(', '.join(studied))}: {len(queue.new):,}\n")
        for d in queue.new:
            out.write(f"         {escaped(d.title)}  ({escaped(d.subject)})\n")
    else:
        out.write("\nNothing chosen to study: --study bookmarks, or --study SUBJECT.\n")
    if queue.next_due:
        out.write(
            f"\nNext review after today: {queue.next_due.astimezone(now.tzinfo):%Y-%m-%d %H:%M}\n"
        )
    return EXIT_OK


def _chosen(values: list[str], catalog: Catalog, include_stubs: bool) -> Study:
    """The Study that ``--study`` values name."""
    from ..library.review import Study

    bookmarks, subjects = False, list[str]()
    for value in values:
        word = value.strip().casefold()
        if word == "none":
            bookmarks, subjects = False, []
        elif word == "bookmarks":
            bookmarks = True
        else:
            subjects += sorted(_subjects_starting(catalog, value, include_stubs))
    return Study(bookmarks, tuple(dict.fromkeys(subjects)))
