"""What every ``qtreader`` command shares: exit codes, the user error, the command table's
types, choosing the library, opening its catalog, and saying things on stderr.

Every message quotes paths and a user's text through ``escaped``: a library path
holding ``ESC ] 0 ; ... BEL`` must not retitle the terminal.

This module imports nothing from the command modules; they import it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, Protocol, TextIO, TypeVar

from ..library import paths
from ..library.catalog import (
    Catalog,
    CatalogDamaged,
    CatalogError,
    CatalogUnwritable,
    RefreshReport,
)
from ..library.catalog.errors import shown
from ..library.scan import refused_library
from ..library.settings import load_settings
from ..library.state import StateStore
from ..library.text import is_utf8

_T = TypeVar("_T")

EXIT_OK = 0
EXIT_PROBLEMS = 1  # ``check`` found problems in the library
EXIT_USER_ERROR = 2  # a UserError, or argparse rejecting the arguments
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT

LIBRARY_HELP = (
    "the library folder (default: $QTREADER_LIBRARY, else the settings' library, the last "
    "opened or the sample, said on stderr)"
)


class UserError(Exception):
    """An expected failure: printed as one line (escaped), exit status 2."""


def escaped(text: object) -> str:
    """``text`` fit for a terminal: control characters (ESC, BEL, C1...) and bytes that
    were not UTF-8 shown as ``\\x1b``-style escapes, everything else as it is."""
    return shown(text)


def shown_ref(ref: str, most: int = 80) -> str:
    """A REF or other text a user gave, quoted for a message: escaped, and cut if long
    (a 120 KB REF made a 120 KB error line)."""
    text = escaped(ref)
    if len(text) > most:
        text = text[: most - 1] + "…"
    return f"'{text}'"


def say(message: str) -> None:
    """One line on stderr, ``qtreader: `` first, escaped."""
    print(f"qtreader: {escaped(message)}", file=sys.stderr, flush=True)


class _Errors:
    """Errors a command said and went on after (a catalog that could not be refreshed,
    searched as it was): the command ends with exit status 2, as grep does when it
    printed matches but met an error."""

    def __init__(self) -> None:
        self.count = 0

    def say(self, message: str) -> None:
        say(message)
        self.count += 1


SOFT_ERRORS = _Errors()


def text_argument(value: str, what: str) -> str:
    """``value`` as given, if it is text: bytes that are not UTF-8 (a wrong terminal
    encoding) cannot be searched for or stored."""
    if not is_utf8(value):
        raise UserError(f"{what} '{escaped(value)}' is not valid UTF-8 text")
    return value


def reference(value: str) -> str:
    """A REF (a url, an id, a file path or a title), as the catalog can look it up: a
    file name that is not UTF-8 is stored with its odd bytes as ``\\xff``-style
    escapes, and that is how it is looked up."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def positive_int(text: str) -> int:
    """argparse's type for a count that must be 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


class Parser(argparse.ArgumentParser):
    """argparse, with the user's text in its error messages escaped."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {escaped(message)}\n")


class Handler(Protocol):
    """Runs one command: its parsed arguments in, what it prints to ``out``, its exit status."""

    def __call__(self, args: argparse.Namespace, out: TextIO) -> int: ...


def parse_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """The usual parse: every word must be an argument the command knows."""
    return parser.parse_args(argv)


@dataclass(frozen=True)
class Command:
    """One ``qtreader COMMAND``: how to describe its arguments, parse them and run it."""

    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Handler
    parse: Callable[[argparse.ArgumentParser, list[str]], argparse.Namespace] = parse_args

    def parser(self, name: str) -> argparse.ArgumentParser:
        parser = Parser(prog=f"qtreader {name}")
        self.add_arguments(parser)
        return parser


def resolve_library(path: str | None, doing: str = "", choose: str = "--library") -> Path:
    """PATH, else $QTREADER_LIBRARY, else the settings' library, else the last library used,
    else the sample library.

    With ``doing`` ("searching"), a library the command line did not name (neither PATH
    nor $QTREADER_LIBRARY) is said in one line on stderr, with where it came from and
    how to ``choose`` another: stdout stays the command's own (JSON, say)."""
    chosen = path or os.environ.get("QTREADER_LIBRARY") or None
    source = ""
    if chosen is None:
        chosen = load_settings()[0].library
        source = "the library in the settings"
    if chosen is None:
        last = StateStore().last_library()
        if last and Path(last).is_dir():
            chosen = last
            source = "the last library opened"
    if chosen is None:
        root = paths.sample_library()
        source = "the sample library"
    else:
        root = _checked_library(Path(chosen).expanduser())
    if doing and source:
        say(f"{doing} {_home_relative(root)} ({source}; give {choose} to choose)")
    return root


def _checked_library(root: Path) -> Path:
    """``root``, resolved, if it can be a library; else the UserError that says why not."""
    if not root.exists():
        raise UserError(f"the library folder {root} does not exist")
    if not root.is_dir():
        raise UserError(f"{root} is not a folder; give the folder that holds the articles")
    resolved = root.resolve()
    refused = refused_library(resolved)
    if refused:
        raise UserError(refused)
    # A path that is not UTF-8 (bytes Python holds as surrogates) is a library as any
    # other: the catalog and the JSON stores keep it whole, messages show it escaped.
    return resolved


def _home_relative(path: Path) -> str:
    """``path`` with the home folder written ``~``, as a user would type it."""
    try:
        home = Path.home().resolve()
        if path != home and path.is_relative_to(home) and home != Path("/"):
            return "~/" + path.relative_to(home).as_posix()
    except (RuntimeError, OSError):  # no home folder to be found
        pass
    return str(path)


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


def open_catalog(
    root: Path, quiet: bool = True, strict: bool = False
) -> tuple[Catalog, RefreshReport]:
    """The library's catalog, refreshed; a progress bar on stderr unless ``quiet``.

    Another qtreader refreshing it is waited for (said once). A damaged catalog is
    rebuilt by the refresh (said in one line). A catalog that cannot be written (a
    full disk, a read-only file) is used as it was, said as an error (exit status 2
    at the end), unless ``strict``: then it is the command's error."""

    def waiting() -> None:
        say(f"waiting for another qtreader to finish refreshing {root}…")

    progress = None if quiet else _Progress(sys.stderr)
    try:
        follow = load_settings()[0].follow_external_links
        catalog = Catalog(root, waiting=waiting, follow_external_links=follow)
    except CatalogError as exc:
        raise UserError(f"{exc}. Check that the cache folder is writable.") from exc
    try:
        report = catalog.refresh(progress)
    except CatalogUnwritable as exc:
        if strict:
            raise UserError(str(exc)) from exc
        SOFT_ERRORS.say(str(exc))
        report = RefreshReport(total=catalog.count())
    except CatalogError as exc:
        raise UserError(f"{exc}. Check that the cache folder is writable.") from exc
    if report.repaired:
        say(f"the catalog {catalog.db_path} was damaged; it was rebuilt from the library")
    return catalog, report


def on_catalog(catalog: Catalog, read: Callable[[], _T], quiet: bool = True) -> _T:
    """``read()``; if it finds the catalog damaged (damage the refresh's check did not
    see, inside an answer's bytes say), say so in one line, rebuild it and read again."""
    try:
        return read()
    except CatalogDamaged as exc:
        say(str(exc))
        try:
            catalog.rebuild(None if quiet else _Progress(sys.stderr))
        except CatalogError as error:
            raise UserError(str(error)) from error
        return read()
