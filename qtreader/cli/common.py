"""What every ``qtreader`` command shares: exit codes, the user error, the command table's
types, choosing the library and opening its catalog.

This module imports nothing from the command modules; they import it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from ..library import paths
from ..library.catalog import Catalog, CatalogError, RefreshReport
from ..library.settings import load_settings
from ..library.state import StateStore

EXIT_OK = 0
EXIT_PROBLEMS = 1  # ``check`` found problems in the library
EXIT_USER_ERROR = 2  # a UserError, or argparse rejecting the arguments
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT

LIBRARY_HELP = "the library folder (default: $QTREADER_LIBRARY, the last used, or the sample)"


class UserError(Exception):
    """An expected failure: printed as one line, exit status 2."""


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
        parser = argparse.ArgumentParser(prog=f"qtreader {name}")
        self.add_arguments(parser)
        return parser


def resolve_library(path: str | None) -> Path:
    """PATH, else $QTREADER_LIBRARY, else the settings' library, else the last library used,
    else the sample library."""
    chosen = path or os.environ.get("QTREADER_LIBRARY") or None
    if chosen is None:
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
    """The library's catalog, refreshed; a progress bar on stderr unless ``quiet``."""
    try:
        catalog = Catalog(root)
        report = catalog.refresh(None if quiet else _Progress(sys.stderr))
    except CatalogError as exc:
        raise UserError(f"{exc}. Check that the cache folder is writable.") from exc
    return catalog, report
