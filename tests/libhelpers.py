"""Helpers for the library-layer tests: writing small articles and libraries."""

from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import qtreader.library.scan as scan_module
from qtreader.library.catalog import Catalog

# QTREADER_HYPOTHESIS_EXAMPLES=5000 for a longer hunt than the default.
HYPOTHESIS_EXAMPLES = int(os.environ.get("QTREADER_HYPOTHESIS_EXAMPLES", "300"))

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_LIBRARY = FIXTURES / "library"
FIXTURE_ARTICLES = FIXTURES / "articles"
REPO = Path(__file__).resolve().parents[1]
STORE_WORKER = Path(__file__).parent / "store_worker.py"

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


def two_subjects_library(root: Path, biology: int, chemistry: int, stub_title: str) -> None:
    """``biology`` articles in Biology (bio/b0.md, "Bio 0", url /bio/0, id b0, …),
    ``chemistry`` in Chemistry (chem/c0.md, "Chem 0", /chem/0, c0, …) and a Chemistry
    stub titled ``stub_title`` (chem/stub.md, /chem/stub, cs)."""
    for n in range(biology):
        write_article(root, f"bio/b{n}.md", title=f"Bio {n}", url=f"/bio/{n}", id=f"b{n}",
                      subject="Biology", answer="x")  # fmt: skip
    for n in range(chemistry):
        write_article(root, f"chem/c{n}.md", title=f"Chem {n}", url=f"/chem/{n}", id=f"c{n}",
                      subject="Chemistry", answer="x")  # fmt: skip
    write_article(root, "chem/stub.md", title=stub_title, url="/chem/stub", id="cs",
                  subject="Chemistry", answer="x", no_index=True)  # fmt: skip


def catalog_fixtures(build: Callable[[Path], Path], db_name: str | None = None):
    """A catalog test module's ``library`` and ``catalog`` fixtures:
    ``library, catalog = catalog_fixtures(build_library)``. ``build`` writes the library
    at tmp_path / "lib"; the catalog is refreshed once, its file in the cache dir or,
    with ``db_name``, beside the library."""

    @pytest.fixture
    def library(tmp_path: Path) -> Path:
        return build(tmp_path / "lib")

    @pytest.fixture
    def catalog(library: Path) -> Iterator[Catalog]:
        cat = Catalog(library, library.parent / db_name if db_name else None)
        cat.refresh()
        yield cat
        cat.close()

    return library, catalog


def rowid_of(cat: Catalog, key: str) -> int:
    """The rowid of the article at ``key``, which must be in the catalog."""
    rowid = cat.rowid_for_key(key)
    assert rowid is not None, key
    return rowid


def built_with_schema(library: Path, version: str) -> Path:
    """A catalog of ``library`` that says it has schema ``version``: its file."""
    with Catalog(library) as cat:
        cat.refresh()
        db = cat.db_path
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (version,))
    conn.commit()
    conn.close()
    return db


def make_bad_name(folder: Path, name: bytes, content: str) -> None:
    """A file in ``folder`` whose name (raw bytes) need not be UTF-8."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(os.fsencode(folder) + b"/" + name, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.write(fd, content.encode())
    finally:
        os.close(fd)


# -- stores written by other processes (tests/store_worker.py) ---------------------


def corrupt_copies(path: Path) -> list[Path]:
    """The damaged copies of a store's file kept aside."""
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


def start_writer(
    cwd: Path, kind: str, path: Path, prefix: str, count: str = "forever", go: str = "-"
) -> subprocess.Popen[str]:
    """A process writing keys ``prefix``-0, -1, … to the ``kind`` store at ``path``
    (store_worker.py), printing "ready" and then each key once it is saved."""
    return subprocess.Popen(
        [sys.executable, str(STORE_WORKER), kind, str(path), prefix, count, go],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=cwd,
    )


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    assert proc.stdout is not None
    proc.stdout.close()


def two_writers_at_once(cwd: Path, kind: str, path: Path, count: int) -> list[int]:
    """Two processes writing ``count`` keys each ("l-0", … and "r-0", …) to the ``kind``
    store at ``path``, started together: their exit codes."""
    go = cwd / "go"
    procs = [start_writer(cwd, kind, path, prefix, str(count), str(go)) for prefix in ("l", "r")]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        go.touch()
        for proc in procs:
            proc.wait(timeout=120)
        return [proc.returncode for proc in procs]
    finally:
        for proc in procs:
            stop(proc)


def writers_killed_at_random(
    cwd: Path, kind: str, path: Path, times: int, longest: float
) -> Iterator[tuple[int, int, list[str]]]:
    """``times`` processes writing to the ``kind`` store at ``path`` one after another
    (prefixes "run0", "run1", …), each killed at a random moment up to ``longest``
    seconds after it is ready. After each, the random seed and the run's number (to
    name a failure) and the keys they all printed so far, each saved before it was."""
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    saved: list[str] = []
    for iteration in range(times):
        after = rng.uniform(0.02, longest)
        code, printed = killed_writer(cwd, kind, path, f"run{iteration}", after)
        assert code == -9, (seed, iteration, code)
        saved += [key for key in printed if key.startswith(f"run{iteration}-")]
        yield seed, iteration, saved


def killed_writer(
    cwd: Path, kind: str, path: Path, prefix: str, after: float
) -> tuple[int, list[str]]:
    """A process writing to the ``kind`` store at ``path`` for ``after`` seconds (it
    never ends by itself), then killed: its exit code and the keys it printed."""
    proc = start_writer(cwd, kind, path, prefix)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        try:
            proc.wait(timeout=after)
        except subprocess.TimeoutExpired:
            pass
        proc.kill()
        proc.wait(timeout=30)
        return proc.returncode, proc.stdout.read().split()
    finally:
        stop(proc)


def locked_library(root: Path) -> None:
    """Three articles, two in a folder ``locked`` (urls /a and /b), one in ``open`` (/c)."""
    t0 = 1_700_000_000
    write_article(root, "locked/a.md", t0, title="Locked A", url="/a", answer="Pumice floats.")
    write_article(root, "locked/deep/b.md", t0, title="Locked B", url="/b", answer="Basalt.")
    write_article(root, "open/c.md", t0, title="Open C", url="/c", answer="Granite.")


def lock(monkeypatch, folder: Path) -> None:
    """Opening ``folder`` fails as a folder without permissions does (even for root)."""
    real_open = os.open
    target = str(folder)

    def fake_open(path, flags, *args, **kwargs):
        if os.fspath(path) == target and flags & os.O_DIRECTORY:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(scan_module.os, "open", fake_open)
