"""The library layer and the CLI module do not import Textual."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHECK = (
    "import sys; "
    "import qtreader.library, qtreader.library.catalog, qtreader.library.bookmarks, "
    "qtreader.library.state, qtreader.library.settings, qtreader.cli; "
    "assert not any(m == 'textual' or m.startswith('textual.') for m in sys.modules), "
    "sorted(m for m in sys.modules if m.startswith('textual'))[:5]"
)


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter (nothing imported yet), the repository on its path."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        timeout=60,
    )


def test_library_and_cli_import_without_textual():
    proc = run_python(CHECK)
    assert proc.returncode == 0, proc.stderr


def test_the_check_itself_notices_textual():
    # The same check fails once Textual is imported, so it can catch a regression.
    proc = run_python("import textual.app; " + CHECK)
    assert proc.returncode != 0
    assert "AssertionError" in proc.stderr


LAUNCH = (
    "import sys; from pathlib import Path; "
    "import qtreader.ui.app; from qtreader.library.catalog import Catalog; "
    "cat = Catalog(Path(sys.argv[1]), Path(sys.argv[2])); "
    "rowids = cat.list_rowids(); cat.subjects(); "
    "late = ('yaml', 'backports.zstd', 'compression.zstd', 'qtreader.library.parser'); "
    "loaded = sorted(m for m in late if m in sys.modules); "
    "assert not loaded, loaded; "
    "assert cat.article(rowids[0]).answer; "
    "assert {'backports.zstd', 'compression.zstd'} & set(sys.modules); print('ok')"
)


def test_what_the_launch_does_not_need_is_imported_when_first_used(tmp_path):
    # Launch opens the catalog and lists it; the parser, PyYAML and zstd load only
    # when a file is read or an answer unpacked (milliseconds of a 1 s launch).
    from libhelpers import write_article

    from qtreader.library.catalog import Catalog

    root = tmp_path / "lib"
    write_article(root, "a/one.md", title="One", answer="The first answer.")
    db = tmp_path / "catalog.sqlite3"
    with Catalog(root, db) as cat:
        cat.refresh()
    proc = run_python(LAUNCH, str(root), str(db))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


TEXTUAL_FREE = (
    "import sys, pkgutil, importlib, qtreader.library; "
    "names = [m.name for m in pkgutil.walk_packages(qtreader.library.__path__, 'qtreader.library.')]; "
    "[importlib.import_module(n) for n in names + ['qtreader.ui.state', 'qtreader.ui.reading']]; "
    "assert len(names) > 15, names; "
    "assert not any(m == 'textual' or m.startswith('textual.') for m in sys.modules), "
    "sorted(m for m in sys.modules if m.startswith('textual'))[:5]"
)


def test_every_domain_module_and_the_reader_state_import_without_textual():
    # The reader's state that is not drawing (navigation, undo, search generations)
    # and what its workers read are plain Python, unit-tested without an app.
    proc = run_python(TEXTUAL_FREE)
    assert proc.returncode == 0, proc.stderr


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The qtreader modules ``path`` imports anywhere (in functions too), except for
    type checking only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in ast.walk(node)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else base)
    return {m for m in found if m in modules and m != name}


def test_the_package_has_no_import_cycles():
    root = REPO / "qtreader"
    paths = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        paths[".".join(parts)] = path
    graph = {name: _imports(path, name, set(paths)) for name, path in paths.items()}
    assert graph["qtreader.ui.app"], "the import graph was not read"

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), list(graph[start])
        while todo:
            name = todo.pop()
            if name == goal:
                return True
            if name not in seen:
                seen.add(name)
                todo.extend(graph[name])
        return False

    cycles = sorted(f"{a} -> {b}" for a in graph for b in graph[a] if reaches(b, a))
    assert cycles == []
