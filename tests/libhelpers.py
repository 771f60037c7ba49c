"""Helpers for the library-layer tests: writing small articles and libraries."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import yaml

# QTREADER_HYPOTHESIS_EXAMPLES=5000 for a longer hunt than the default.
HYPOTHESIS_EXAMPLES = int(os.environ.get("QTREADER_HYPOTHESIS_EXAMPLES", "300"))

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_LIBRARY = FIXTURES / "library"
FIXTURE_ARTICLES = FIXTURES / "articles"

# Any C0 control but TAB and LF, DEL, or any C1 control.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Any C0/C1 control at all (for one-line fields).
CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def front_matter(**fields: Any) -> str:
    """A QuickTakes-style file: YAML front matter with ``fields`` and the usual body."""
    dumped = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n\n&nbsp;\n"


def link(id_: str = "", title: str = "", subject: str = "", url: str = "") -> dict[str, str]:
    return {"id": id_, "title": title, "subject": subject, "url": url}


def write(root: Path, rel: str, content: str | bytes, mtime: float | None = None) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def write_article(root: Path, rel: str, mtime: float | None = None, **fields: Any) -> Path:
    return write(root, rel, front_matter(**fields), mtime)


def copy_fixture_library(dest: Path) -> Path:
    shutil.copytree(FIXTURE_LIBRARY, dest)
    return dest


def listing(root: Path) -> list[tuple[str, int, int]]:
    """Every entry below ``root`` with its size and mtime, to show nothing was written."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            full = Path(dirpath) / name
            info = full.lstat()
            out.append((str(full.relative_to(root)), info.st_size, info.st_mtime_ns))
    return sorted(out)


def damage(db: Path, table: str, pages: int = 5, seed: int = 19) -> list[int]:
    """Overwrite ``pages`` random leaf pages of ``table`` with random bytes."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = [
            n
            for (n,) in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (table,)
            )
        ]
    finally:
        conn.close()
    assert leaves, f"{table} has no leaf pages"
    rng = random.Random(seed)
    chosen = sorted(rng.sample(leaves, min(pages, len(leaves))))
    with open(db, "r+b") as handle:
        for page in chosen:
            handle.seek((page - 1) * size)
            handle.write(rng.randbytes(size))
    return chosen


class Result:
    """What a ``qtreader`` command did: exit code, stdout, stderr."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)
