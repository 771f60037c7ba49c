"""The ``qtreader`` command: open the reader, or search, show, check and index a library.

``main`` looks the command up in ``COMMANDS``; each command lives in a module of its own
(``articles``, ``bookmarks``, ``config``) and all of them share ``common``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from .. import __version__
from ..library.catalog import CatalogError
from . import articles, bookmarks, config, serve, study
from .common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USER_ERROR,
    SOFT_ERRORS,
    Command,
    Parser,
    UserError,
    resolve_library,
    say,
)

__all__ = ["COMMANDS", "main"]

# ``qtreader NAME ...`` → the command; anything else opens the reader.
COMMANDS: dict[str, Command] = {
    "search": Command(articles.search_arguments, articles.cmd_search, articles.parse_search),
    "show": Command(articles.show_arguments, articles.cmd_show),
    "check": Command(articles.check_arguments, articles.cmd_check),
    "index": Command(articles.index_arguments, articles.cmd_index),
    "bookmarks": Command(bookmarks.add_arguments, bookmarks.run),
    "config": Command(config.add_arguments, config.run),
    "progress": Command(study.progress_arguments, study.cmd_progress),
    "review": Command(study.review_arguments, study.cmd_review),
    "serve": Command(serve.add_arguments, serve.run),
}


def _build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="qtreader",
        description="A terminal reader for libraries of question-and-answer articles.",
        epilog=f"Commands: {', '.join(COMMANDS)} (qtreader COMMAND --help for each).",
    )
    parser.add_argument("--version", action="version", version=f"qtreader {__version__}")
    parser.add_argument("path", nargs="?", help="the library folder to open")
    return parser


def _run_reader(path: str | None) -> int:
    root = resolve_library(path)
    try:
        # Imported here, not at the top: Textual takes most of a second to import, and
        # the other commands (and tests/unit/test_architecture.py) must not load it.
        from ..ui.app import ReaderApp
    except ImportError as exc:  # pragma: no cover - a broken install
        raise UserError(f"the reader cannot start: {exc}") from exc
    app = ReaderApp(root)
    app.run()
    return app.return_code or EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or _forgiving(sys.stdout)
    SOFT_ERRORS.count = 0
    try:
        command = COMMANDS.get(argv[0]) if argv else None
        if command is not None:
            args = command.parse(command.parser(argv[0]), argv[1:])
            code = command.run(args, out)
            return EXIT_USER_ERROR if code == EXIT_OK and SOFT_ERRORS.count else code
        args = _build_parser().parse_args(argv)
        return _run_reader(args.path)
    except (UserError, CatalogError) as exc:
        say(str(exc))
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("qtreader: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


def _forgiving(stream: TextIO) -> TextIO:
    """stdout, writing a character it cannot encode (a byte of a file name that was not
    UTF-8, kept by Python as a lone surrogate) as an escape instead of failing."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a stream already written to
            pass
    return stream
