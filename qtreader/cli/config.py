"""``qtreader config path|show``: where the settings file is, and what it holds."""

from __future__ import annotations

import argparse
from typing import TextIO

from ..library.settings import describe_config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Show the settings file."
    parser.add_argument("action", choices=["path", "show"])


def run(args: argparse.Namespace, out: TextIO) -> int:
    return describe_config(args.action, out)
